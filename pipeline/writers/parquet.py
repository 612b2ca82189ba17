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
    """Writes one Parquet part a row (``write``) or a table (``write_table``) at a time, buffered into row
    groups of exactly ``row_group_rows`` rows (so the bytes do not depend on how the rows arrived)."""

    def __init__(self, path: Path, schema: pa.Schema, row_group_rows: int, compression_level: int):
        self.path = path
        self.schema = schema
        self.row_group_rows = row_group_rows
        self.rows_written = 0
        self._buffer: list[dict] = []  # rows not yet turned into a table
        self._tables: list[pa.Table] = []  # tables waiting for their row group, in arrival order
        self._table_rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(path.name + ".tmp")
        self._writer = pq.ParquetWriter(self._tmp, schema, **_writer_options(compression_level))

    def write(self, row: dict) -> None:
        self._buffer.append(row)
        if self._table_rows + len(self._buffer) >= self.row_group_rows:
            self._flush(whole_groups_only=True)

    def write_table(self, table: pa.Table) -> None:
        """Append ``table``'s rows (columns and types of the part's schema): a batch made in columns, e.g.
        dedup signatures, need not pass through one Python dict per row."""
        if not table.schema.equals(self.schema, check_metadata=False):
            raise TypeError(f"{self.path.name}: table columns {table.schema.types} do not match the part's "
                            f"schema {self.schema.types}")
        self._stash_rows()
        self._tables.append(pa.Table.from_arrays(table.columns, schema=self.schema))  # the part's metadata
        self._table_rows += table.num_rows
        if self._table_rows >= self.row_group_rows:
            self._flush(whole_groups_only=True)

    def _stash_rows(self) -> None:
        if self._buffer:
            self._tables.append(pa.Table.from_pylist(self._buffer, schema=self.schema))
            self._table_rows += len(self._buffer)
            self._buffer = []

    def _flush(self, whole_groups_only: bool = False) -> None:
        """Write the waiting rows as row groups of ``row_group_rows``; with ``whole_groups_only`` a last
        partial group keeps waiting (the part's last group is written by ``close``)."""
        self._stash_rows()
        if not self._table_rows:
            return
        table = pa.concat_tables(self._tables).combine_chunks()  # one chunk: as a table made from rows
        size = self.row_group_rows
        ready = table.num_rows - table.num_rows % size if whole_groups_only else table.num_rows
        for start in range(0, ready, size):
            self._writer.write_table(table.slice(start, size), row_group_size=size)
        self.rows_written += ready
        rest = table.slice(ready)
        self._tables, self._table_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)

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
