"""pipeline.writers: every dataset's formats written, filtered and kept together; a new format is one entry."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipeline import layout, writers
from pipeline.stage_configs import OutputConfig
from pipeline.writers import jsonl

SCHEMA = pa.schema([("id", pa.string()), ("title", pa.string()), ("published_at", pa.timestamp("ms"))])
OUTPUT = OutputConfig(row_group_rows=2)  # two rows a group: three rows make two row groups
ROWS = [{"id": f"doc-{n}", "title": title, "published_at": datetime.datetime(2022, 11, 24, 8, n)}
        for n, title in enumerate(["全县工作会议召开", "春季植树活动", None])]


def _parquet_rows(path: Path) -> list[tuple]:
    return duckdb.sql(f"select id, title, published_at from read_parquet('{path}')").fetchall()


def _jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_documents(root: Path) -> None:
    part = writers.open_part(root, writers.DOCUMENTS, "part-00000", SCHEMA, OUTPUT)
    for row in ROWS:
        part.write(row)
    part.close()


def test_shard_files_are_every_format_of_every_shard_dataset():
    assert writers.SHARD_FILES == (
        (layout.DOCUMENTS, ".parquet"), (layout.DOCUMENTS_JSONL, ".jsonl"), (layout.REMOVALS, ".parquet"),
        (layout.QUARANTINE, ".jsonl"), (layout.SIGNATURES, ".parquet"), (layout.CHECKS, ".parquet"))
    assert set(writers.DATASETS) == {*writers.SHARD_DATASETS, writers.DUPLICATES}


def test_documents_are_written_as_parquet_and_a_jsonl_twin_with_the_same_rows(tmp_path):
    _write_documents(tmp_path)
    parquet, twin = writers.part_paths(tmp_path, writers.DOCUMENTS, "part-00000")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "documents-jsonl/part-00000.jsonl", "documents/part-00000.parquet"]  # one format per folder, no .tmp
    assert _parquet_rows(parquet) == [(r["id"], r["title"], r["published_at"]) for r in ROWS]
    assert _jsonl_rows(twin) == [{**r, "published_at": r["published_at"].isoformat()} for r in ROWS]
    assert "\\u" not in twin.read_text(encoding="utf-8")  # Chinese stays UTF-8 text
    groups = duckdb.sql(f"select distinct row_group_id, row_group_num_rows from parquet_metadata('{parquet}') "
                        "order by 1").fetchall()
    assert groups == [(0, 2), (1, 1)]  # fixed row-group boundaries


def test_the_same_rows_give_the_same_bytes(tmp_path):
    _write_documents(tmp_path / "a")
    _write_documents(tmp_path / "b")
    for a, b in zip(writers.part_paths(tmp_path / "a", writers.DOCUMENTS, "part-00000"),
                    writers.part_paths(tmp_path / "b", writers.DOCUMENTS, "part-00000"), strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_an_aborted_part_leaves_no_file_of_any_format(tmp_path):
    part = writers.open_part(tmp_path, writers.DOCUMENTS, "part-00000", SCHEMA, OUTPUT)
    part.write(ROWS[0])
    part.abort()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_filtering_drops_the_same_rows_from_every_format(tmp_path):
    _write_documents(tmp_path)
    writers.filter_part(tmp_path, writers.DOCUMENTS, "part-00000", {"doc-1"}, OUTPUT)
    parquet, twin = writers.part_paths(tmp_path, writers.DOCUMENTS, "part-00000")
    assert [row[0] for row in _parquet_rows(parquet)] == ["doc-0", "doc-2"]
    assert [row["id"] for row in _jsonl_rows(twin)] == ["doc-0", "doc-2"]


def test_a_twin_that_does_not_match_its_part_is_not_filtered_silently(tmp_path):
    _write_documents(tmp_path)
    parquet, twin = writers.part_paths(tmp_path, writers.DOCUMENTS, "part-00000")
    twin.write_text(twin.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")  # one line lost
    with pytest.raises(ValueError):
        writers.filter_part(tmp_path, writers.DOCUMENTS, "part-00000", {"doc-1"}, OUTPUT)


def test_a_new_output_format_is_one_entry_in_datasets(tmp_path, monkeypatch):
    """A third copy of the documents (here: JSONL in another folder, standing for any new format module) is
    written and filtered with the others without touching the callers."""
    extra = writers.jsonl_format("documents-extra")
    monkeypatch.setitem(writers.DATASETS, writers.DOCUMENTS, (*writers.DATASETS[writers.DOCUMENTS], extra))
    _write_documents(tmp_path)
    writers.filter_part(tmp_path, writers.DOCUMENTS, "part-00000", {"doc-0"}, OUTPUT)
    assert [row["id"] for row in _jsonl_rows(tmp_path / "documents-extra" / "part-00000.jsonl")] == ["doc-1", "doc-2"]


def test_a_whole_table_part_is_written_in_every_format(tmp_path):
    table = pa.Table.from_pylist(ROWS, schema=SCHEMA)
    writers.write_part(tmp_path, writers.DUPLICATES, "part-00000", table, OUTPUT)
    (path,) = writers.part_paths(tmp_path, writers.DUPLICATES, "part-00000")
    assert _parquet_rows(path) == [(r["id"], r["title"], r["published_at"]) for r in ROWS]


def test_jsonl_gz_is_reproducible(tmp_path):
    first = jsonl.write_jsonl_gz(ROWS, tmp_path / "a" / "train.jsonl.gz").read_bytes()
    second = jsonl.write_jsonl_gz(ROWS, tmp_path / "b" / "train.jsonl.gz").read_bytes()
    assert first == second  # no time and no file name in the gzip header


LIST_SCHEMA = pa.schema([("id", pa.string()), ("note", pa.string()), ("values", pa.list_(pa.uint32(), 4))])
LIST_ROWS = [{"id": f"doc-{n:02d}", "note": None if n % 3 else f"第{n}篇", "values": [n, n * 7, 5, n % 2]}
             for n in range(23)]


def _parquet_bytes(path: Path, pieces) -> bytes:
    """A part written from ``pieces``: a dict is one ``write``, a list of rows one ``write_table``."""
    from pipeline.writers.parquet import ParquetPartWriter

    writer = ParquetPartWriter(path, LIST_SCHEMA, row_group_rows=5, compression_level=3)
    for piece in pieces:
        if isinstance(piece, dict):
            writer.write(piece)
        else:
            writer.write_table(pa.Table.from_pylist(piece, schema=LIST_SCHEMA))
    writer.close()
    return path.read_bytes()


def test_rows_and_tables_in_any_mix_give_the_same_bytes_and_row_groups(tmp_path):
    """Signatures arrive as tables, documents as rows: a part's bytes must not depend on which, nor on where
    a batch starts or ends relative to a row group (23 rows, groups of 5, batches of 1, 2, 4, 7, 9)."""
    import pyarrow.parquet as pq

    one_by_one = _parquet_bytes(tmp_path / "rows.parquet", LIST_ROWS)
    batches = [LIST_ROWS[:2], LIST_ROWS[2], LIST_ROWS[3:7], LIST_ROWS[7:14], LIST_ROWS[14:23]]
    mixed = _parquet_bytes(tmp_path / "mixed.parquet", batches)
    whole = _parquet_bytes(tmp_path / "whole.parquet", [LIST_ROWS])
    assert mixed == one_by_one and whole == one_by_one
    metadata = pq.ParquetFile(tmp_path / "mixed.parquet").metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [5, 5, 5, 5, 3]
    assert pq.read_table(tmp_path / "mixed.parquet").to_pylist() == LIST_ROWS


def test_a_table_with_other_column_types_is_refused(tmp_path):
    from pipeline.writers.parquet import ParquetPartWriter

    writer = ParquetPartWriter(tmp_path / "x.parquet", LIST_SCHEMA, row_group_rows=5, compression_level=3)
    wrong = pa.table({"id": ["a"], "note": ["b"], "values": pa.array([[1, 2, 3, 4]], pa.list_(pa.int64()))})
    with pytest.raises(TypeError, match="do not match"):
        writer.write_table(wrong)
    writer.abort()
