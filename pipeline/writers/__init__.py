"""Every dataset a build writes, the format of each of its copies, and the part writers that make them.

One format per output folder (``layout`` names the folders): a dataset is written in one or more formats, each
into its own folder. ``documents`` is written twice, as Parquet (``documents/``) and as a JSONL twin
(``documents-jsonl/``) with the same rows in the same order; every other dataset has one format. A new output
format is one module here (a part writer, a part filter, a whole-table writer) plus one ``Format`` in
``DATASETS``: the build, the shard cache, deduplication's part filtering and the manifest follow from it.

Changes: files in the folder it is given (a build's staging folder), each written under a temporary name and
renamed into place. Leaves alone: what the rows hold (the build decides) and every file it is not asked to
write. ``writers.release`` writes a release's data files; ``pipeline.io`` keeps folder checks, locks, atomic
files and reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import pyarrow as pa

from pipeline import layout
from pipeline.stage_configs import OutputConfig
from pipeline.writers import jsonl, parquet


@dataclass(frozen=True)
class Format:
    """One copy of a dataset: the folder its parts go to, their suffix, and how to write, read ids from and
    filter one part. ``schema`` is None for formats that need none (JSONL)."""

    folder: str
    suffix: str
    open: Callable[[Path, pa.Schema | None, OutputConfig], object]  # -> a writer with write/close/abort
    write: Callable[[Path, pa.Table, OutputConfig], None]  # a whole part at once
    row_ids: Callable[[Path], list[str]]
    filter: Callable[[Path, Sequence[bool], OutputConfig], None]  # keep the rows whose flag is set


def parquet_format(folder: str) -> Format:
    return Format(
        folder, parquet.SUFFIX,
        open=lambda path, schema, output: parquet.ParquetPartWriter(path, schema, output.row_group_rows,
                                                                    output.compression_level),
        write=lambda path, table, output: parquet.write_parquet(path, table, output.row_group_rows,
                                                                output.compression_level),
        row_ids=parquet.row_ids,
        filter=lambda path, keep, output: parquet.filter_parquet(path, keep, output.row_group_rows,
                                                                 output.compression_level))


def jsonl_format(folder: str) -> Format:
    def write(path: Path, table: pa.Table, output: OutputConfig) -> None:
        writer = jsonl.JsonlWriter(path)
        for row in table.to_pylist():
            writer.write(row)
        writer.close()

    return Format(folder, jsonl.SUFFIX, open=lambda path, schema, output: jsonl.JsonlWriter(path), write=write,
                  row_ids=jsonl.row_ids, filter=lambda path, keep, output: jsonl.filter_jsonl(path, keep))


DOCUMENTS, REMOVALS, QUARANTINE = layout.DOCUMENTS, layout.REMOVALS, layout.QUARANTINE
SIGNATURES, CHECKS, DUPLICATES = layout.SIGNATURES, layout.CHECKS, layout.DUPLICATES
# Dataset name -> its formats. The first format is the primary copy: filtering reads the row ids from it.
DATASETS: dict[str, tuple[Format, ...]] = {
    DOCUMENTS: (parquet_format(layout.DOCUMENTS), jsonl_format(layout.DOCUMENTS_JSONL)),
    REMOVALS: (parquet_format(layout.REMOVALS),),
    QUARANTINE: (jsonl_format(layout.QUARANTINE),),
    SIGNATURES: (parquet_format(layout.SIGNATURES),),
    CHECKS: (parquet_format(layout.CHECKS),),
    DUPLICATES: (parquet_format(layout.DUPLICATES),),  # written after deduplication, one part per documents part
}
SHARD_DATASETS = (DOCUMENTS, REMOVALS, QUARANTINE, SIGNATURES, CHECKS)  # what every shard writes
# (folder, suffix) of every file a shard writes; the shard cache keeps the same set.
SHARD_FILES = tuple((form.folder, form.suffix) for name in SHARD_DATASETS for form in DATASETS[name])


def part_paths(root: Path, dataset: str, part_name: str) -> list[Path]:
    """The files of one part of ``dataset`` under the build folder ``root``, one per format.

    >>> [p.as_posix() for p in part_paths(Path("out"), DOCUMENTS, "part-00003")]
    ['out/documents/part-00003.parquet', 'out/documents-jsonl/part-00003.jsonl']
    """
    return [Path(root) / form.folder / f"{part_name}{form.suffix}" for form in DATASETS[dataset]]


class PartWriter:
    """Writes one part of a dataset in every format of it: each row goes to every format's writer; ``close``
    renames them all into place, ``abort`` leaves none behind."""

    def __init__(self, writers: Sequence):
        self._writers = tuple(writers)

    @property
    def rows_written(self) -> int:
        return self._writers[0].rows_written

    def write(self, row: dict) -> None:
        for writer in self._writers:
            writer.write(row)

    def write_table(self, table: pa.Table) -> None:
        """Every row of ``table``, in order: as a table where the format takes one, else row by row."""
        rows = None
        for writer in self._writers:
            if hasattr(writer, "write_table"):
                writer.write_table(table)
                continue
            rows = table.to_pylist() if rows is None else rows
            for row in rows:
                writer.write(row)

    def close(self) -> None:
        for writer in self._writers:
            writer.close()

    def abort(self) -> None:
        for writer in self._writers:
            writer.abort()


def open_part(root: Path, dataset: str, part_name: str, schema: pa.Schema | None,
              output: OutputConfig) -> PartWriter:
    """A writer for one part of ``dataset`` (e.g. ``open_part(staging, DOCUMENTS, "part-00000", …)``)."""
    formats = DATASETS[dataset]
    paths = part_paths(root, dataset, part_name)
    opened = []
    try:
        for form, path in zip(formats, paths, strict=True):
            opened.append(form.open(path, schema, output))
    except BaseException:
        for writer in opened:
            writer.abort()
        raise
    return PartWriter(opened)


def write_part(root: Path, dataset: str, part_name: str, table: pa.Table, output: OutputConfig) -> None:
    """Write a whole part of ``dataset`` at once, in every format of it."""
    for form, path in zip(DATASETS[dataset], part_paths(root, dataset, part_name), strict=True):
        form.write(path, table, output)


def filter_part(root: Path, dataset: str, part_name: str, drop_ids: set[str], output: OutputConfig) -> None:
    """Rewrite one part of ``dataset``, in every format, without the rows whose ``id`` is in ``drop_ids``
    (same rows dropped from every copy). Files are replaced by rename, so hard links elsewhere (the shard
    cache) keep the old content."""
    formats, paths = DATASETS[dataset], part_paths(root, dataset, part_name)
    keep = [doc_id not in drop_ids for doc_id in formats[0].row_ids(paths[0])]
    for form, path in zip(formats, paths, strict=True):
        form.filter(path, keep, output)
