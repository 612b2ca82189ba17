"""A release's data files, in the Hugging Face layout: ``data/train-NNNNN-of-MMMMM.parquet`` (what
``datasets.load_dataset(<folder>)`` reads) and ``jsonl/train.jsonl.gz`` (the same rows, for tools without
Parquet). Written once and read many times, so zstd at a higher level than a build's parts.

Changes: the two folders under the release's staging folder. Leaves alone: the card, manifest, checksums and
changelog (``pipeline.release`` writes those around these files).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pipeline.writers.jsonl import write_jsonl_gz
from pipeline.writers.parquet import write_parquet

DATA_FOLDER = "data"
JSONL_FILE = "jsonl/train.jsonl.gz"
ROWS_PER_DATA_FILE = 100_000
ROW_GROUP_ROWS = 10_000
COMPRESSION_LEVEL = 9  # releases are written once and read many times: 11 % smaller than level 3


def write_data_files(table: pa.Table, release_dir: Path) -> list[Path]:
    """``table`` as ``data/train-NNNNN-of-MMMMM.parquet`` files of ``ROWS_PER_DATA_FILE`` rows (one file when
    empty); the field descriptions travel with the data (schema stored)."""
    data_dir = Path(release_dir) / DATA_FOLDER
    total = max(1, -(-table.num_rows // ROWS_PER_DATA_FILE))
    written = []
    for index in range(total):
        path = data_dir / f"train-{index:05d}-of-{total:05d}.parquet"
        write_parquet(path, table.slice(index * ROWS_PER_DATA_FILE, ROWS_PER_DATA_FILE), ROW_GROUP_ROWS,
                      COMPRESSION_LEVEL)
        written.append(path)
    return written


def write_jsonl_file(table: pa.Table, release_dir: Path) -> Path:
    """``table``'s rows as ``jsonl/train.jsonl.gz``, reproducibly (gzip header without time or name)."""
    return write_jsonl_gz(table.to_pylist(), Path(release_dir) / JSONL_FILE)
