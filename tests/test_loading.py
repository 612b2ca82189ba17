"""A build folder loads as a dataset in the tools users already have (issue 18, items 5 and 9):
``<out>/documents`` holds Parquet only, the JSONL twins live in ``<out>/documents-jsonl``; dates are typed
columns with a precision column; every column carries its description in the Parquet field metadata, and the
README's column table lists every column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from conftest import NO_VALIDATION, RAW, ROOT

from pipeline.build import build_locally
from pipeline.layout import BuildFolders
from pipeline.schema import (
    COLUMN_DESCRIPTIONS,
    DATE_PRECISIONS,
    DOCUMENT_COLUMNS,
    iso_text,
)


@pytest.fixture()
def out(unvalidated_seed_build) -> Path:
    return unvalidated_seed_build


def _expected_ids(out: Path) -> list[str]:
    """Ids by DuckDB over the part files by pattern (the way that worked before), checked against the manifest."""
    ids = sorted(row[0] for row in duckdb.sql(f"select id from read_parquet('{out}/documents/*.parquet')").fetchall())
    assert len(ids) == json.loads((out / "manifest.json").read_text())["counts"]["documents"] > 0
    return ids


def test_documents_folder_holds_parquet_only_and_the_twins_their_own_folder(out):
    documents = sorted(p.name for p in (out / "documents").iterdir())
    twins = sorted(p.name for p in (out / "documents-jsonl").iterdir())
    assert documents and all(name.endswith(".parquet") for name in documents)
    assert twins == [name.replace(".parquet", ".jsonl") for name in documents]
    for part in BuildFolders(out).document_parts():
        ids = pq.read_table(part, columns=["id"]).column("id").to_pylist()
        lines = BuildFolders(out).jsonl_twin(part).read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["id"] for line in lines] == ids  # same rows, same order


def test_pandas_reads_the_documents_folder(out):
    frame = pd.read_parquet(out / "documents")
    assert sorted(frame["id"]) == _expected_ids(out)


def test_pyarrow_dataset_reads_the_documents_folder(out):
    table = ds.dataset(out / "documents", format="parquet").to_table()
    assert sorted(table.column("id").to_pylist()) == _expected_ids(out)
    assert sorted(pq.read_table(out / "documents").column("id").to_pylist()) == _expected_ids(out)


def test_polars_reads_the_documents_folder(out):
    frame = pl.read_parquet(out / "documents")
    assert sorted(frame["id"].to_list()) == _expected_ids(out)


def test_datasets_loads_the_documents_folder(out, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    loaded = datasets.load_dataset("parquet", data_dir=str(out / "documents"), split="train",
                                   cache_dir=str(tmp_path / "hf-cache"))
    assert sorted(loaded["id"]) == _expected_ids(out)
    assert loaded.features["published_at"].dtype.startswith("timestamp")


def test_dates_are_typed_in_duckdb_polars_and_pandas_with_a_precision(out):
    types = dict(duckdb.sql(f"select column_name, column_type from (describe select published_at, event_date "
                            f"from read_parquet('{out}/documents/*.parquet'))").fetchall())
    assert types["published_at"].startswith("TIMESTAMP") and types["event_date"].startswith("TIMESTAMP")
    years = duckdb.sql(f"select year(published_at) from read_parquet('{out}/documents/*.parquet') "
                       f"where published_at is not null").fetchall()
    assert years and all(1949 <= year <= 2100 for (year,) in years)
    frame = pl.read_parquet(out / "documents")
    assert frame.schema["published_at"] == pl.Datetime("ms")
    pandas_frame = pd.read_parquet(out / "documents")
    assert pd.api.types.is_datetime64_any_dtype(pandas_frame["published_at"])
    for date, precision in (("published_at", "published_at_precision"), ("event_date", "event_date_precision")):
        rows = frame.select(date, precision).rows()
        assert all((value is None) == (stated is None) for value, stated in rows), date
        assert {stated for _, stated in rows if stated} <= set(DATE_PRECISIONS)
    # the typed value and its precision give back the text the page stated
    stated = {iso_text(value, precision) for value, precision in frame.select("published_at",
                                                                             "published_at_precision").rows()}
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?", text or "") for text in stated)


def test_a_date_with_a_time_keeps_second_precision_and_a_date_alone_day_precision(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    body = "同志们：\n" + "今天我们召开全县工作会议，认真总结过去一年的工作，部署今年的任务。" * 8 + "\n"
    other = "同志们：\n" + "这次全市工作会议的主要任务是，分析当前经济形势，研究部署乡村振兴和民生工作。" * 8 + "\n"
    (raw / "a.html").write_text(
        '<html><head><meta name="PubDate" content="2019-09-18 06:23:05"><title>在全县工作会议上的讲话</title></head>'
        f"<body><h1>在全县工作会议上的讲话</h1><p>{body}</p></body></html>", encoding="utf-8")
    (raw / "b.html").write_text(
        '<html><head><meta name="PubDate" content="2019-09-19"><title>在全市工作会议上的讲话</title></head>'
        f"<body><h1>在全市工作会议上的讲话</h1><p>{other}</p></body></html>",
        encoding="utf-8")
    build_locally(raw, tmp_path / "out", NO_VALIDATION)
    frame = pd.read_parquet(tmp_path / "out" / "documents").set_index("source_file")
    assert frame.loc["a.html", "published_at"] == pd.Timestamp("2019-09-18 06:23:05")
    assert frame.loc["a.html", "published_at_precision"] == "second"
    assert frame.loc["b.html", "published_at"] == pd.Timestamp("2019-09-19")
    assert frame.loc["b.html", "published_at_precision"] == "day"


def test_every_column_has_its_description_in_the_parquet_field_metadata(out):
    for part in BuildFolders(out).document_parts():
        schema = pq.read_schema(part)
        assert schema.names == list(DOCUMENT_COLUMNS)
        for field in schema:
            assert field.metadata and field.metadata[b"description"].decode() == COLUMN_DESCRIPTIONS[field.name]
            assert COLUMN_DESCRIPTIONS[field.name].strip()


def test_the_readme_column_table_lists_every_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Columns of `documents`")[1].split("\n## ")[0]
    listed = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            listed.update(re.findall(r"`([a-z_0-9]+)`", line.split("|")[1]))
    assert listed == set(DOCUMENT_COLUMNS)


def test_a_build_is_byte_identical_with_typed_dates_and_field_metadata(out, tmp_path):
    again = tmp_path / "again"
    build_locally(RAW, again, NO_VALIDATION)
    for folder in ("documents", "documents-jsonl"):
        first = {p.name: p.read_bytes() for p in (out / folder).iterdir()}
        assert first == {p.name: p.read_bytes() for p in (again / folder).iterdir()}, folder


def test_a_printed_date_that_is_no_calendar_date_is_quarantined_not_guessed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    body = "今天我们召开全县工作会议，认真总结过去一年的工作，部署今年的任务。" * 8
    (raw / "a.txt").write_text(f"在全县工作会议上的讲话\n时间:2022-02-30 08:47:00\n{body}\n", encoding="utf-8")
    manifest = build_locally(raw, tmp_path / "out", NO_VALIDATION)
    assert manifest["counts"]["quarantined_by_reason"] == {"metadata.bad_date": 1}
    (record,) = [json.loads(line) for part in sorted((tmp_path / "out" / "quarantine").glob("*.jsonl"))
                 for line in part.read_text(encoding="utf-8").splitlines()]
    assert record["source_file"] == "a.txt" and "2022-02-30" in record["detail"]
