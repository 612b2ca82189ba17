"""Parquet parts: the format of ``documents/``, ``removals/``, ``signatures/``, ``checks/`` and ``duplicates/``.

Every file is written under a temporary name and renamed into place, with an explicit schema, zstd at a fixed
level, fixed row-group boundaries, dictionary encoding, statistics and the Arrow schema stored (field
descriptions, timestamp units), and no pandas metadata: the same rows give the same bytes with the same pyarrow.
Leaves alone: what the rows hold (the build decides), and every file it is not asked to write.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Sequence

import pyarrow as pa
import pyarrow.parquet as pq

SUFFIX = ".parquet"


def _writer_options(compression_level: int) -> dict:
    # The Arrow schema is stored: it depends only on the schema and the pyarrow version. No pandas metadata:
    # rows never pass through pandas here.
    return {"compression": "zstd", "compression_level": compression_level, "use_dictionary": True,
            "write_statistics": True, "store_schema": True}


class ParquetPartWriter:
    """Writes one Parquet part a row at a time, buffered into row groups of exactly ``row_group_rows`` rows
    (so the bytes do not depend on how the rows arrived)."""

    def __init__(self, path: Path, schema: pa.Schema, row_group_rows: int, compression_level: int):
        self.path = path
        self.schema = schema
        self.row_group_rows = row_group_rows
        self.rows_written = 0
        self._buffer: list[dict] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(path.name + ".tmp")
        self._writer = pq.ParquetWriter(self._tmp, schema, **_writer_options(compression_level))

    def write(self, row: dict) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema),
                                 row_group_size=self.row_group_rows)
        self.rows_written += len(self._buffer)
        self._buffer = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # closing on a full disk fails again; the first error is raised
            self._writer.close()
        if self._tmp.exists():
            self._tmp.unlink()


def write_parquet(path: Path, table: pa.Table, row_group_rows: int, compression_level: int) -> None:
    """Write ``table`` with the same settings as ``ParquetPartWriter``, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, row_group_size=row_group_rows, **_writer_options(compression_level))
    os.replace(tmp, path)


def row_ids(path: Path) -> list[str]:
    """The ``id`` column of a part, in row order."""
    return pq.read_table(path, columns=["id"]).column("id").to_pylist()


def filter_parquet(path: Path, keep: Sequence[bool], row_group_rows: int, compression_level: int) -> None:
    """Rewrite a part with only the rows whose ``keep`` flag is set. The file is replaced by rename, so hard
    links elsewhere (the shard cache) keep the old content."""
    table = pq.read_table(path)
    write_parquet(path, table.filter(pa.array(keep, type=pa.bool_())), row_group_rows, compression_level)
