"""JSONL parts: the format of ``quarantine/`` and of the documents' twin ``documents-jsonl/``.

One row a line: UTF-8 text (not ``\\u``-escaped: half the size for Chinese text), compact separators, keys in
the row's order, timestamps as ISO 8601 text. Files are written under a temporary name and renamed into place.
Leaves alone: what the rows hold, and the row order (a twin has its Parquet part's rows in the same order).
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Iterable, Sequence

from pipeline.io import AtomicFileWriter

SUFFIX = ".jsonl"


def json_line(row: dict) -> str:
    """One JSONL line: UTF-8 text (not \\u-escaped), compact, timestamps as ISO 8601 text.

    >>> import datetime; json_line({"a": "中", "t": datetime.datetime(2022, 11, 24, 8, 47)})
    '{"a":"中","t":"2022-11-24T08:47:00"}\\n'
    """
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=_iso_value) + "\n"


def _iso_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class JsonlWriter(AtomicFileWriter):
    """Writes JSONL rows to a temporary name, renamed into place on close."""

    def __init__(self, path: Path):
        super().__init__(path, binary=False)
        self.rows_written = 0

    def write(self, row: dict) -> None:
        self._handle.write(json_line(row))
        self.rows_written += 1


def row_ids(path: Path) -> list[str]:
    """The ``id`` of every row of a part, in row order."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line)["id"] for line in handle]


def filter_jsonl(path: Path, keep: Sequence[bool]) -> None:
    """Rewrite a part with only the lines whose ``keep`` flag is set, byte for byte, replaced by rename."""
    tmp = path.with_name(path.name + ".tmp")
    with open(path, encoding="utf-8") as source, open(tmp, "w", encoding="utf-8", newline="\n") as target:
        for line, kept in zip(source, keep, strict=True):  # a twin holds its part's rows: a mismatch raises
            if kept:
                target.write(line)
    os.replace(tmp, path)


def write_jsonl_gz(rows: Iterable[dict], path: Path) -> Path:
    """Write ``rows`` as gzip-compressed JSONL, reproducibly: mtime 0 and no file name in the gzip header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as handle:
            for row in rows:
                handle.write(json_line(row).encode("utf-8"))
    os.replace(tmp, path)
    return path
