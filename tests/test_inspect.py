"""`corpus inspect ID`: one document with its metadata and its removals, or a one-line error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.errors import PipelineError
from pipeline.inspect import describe_document, find_document
from pipeline.schema import iso_text


@pytest.fixture()
def seed_build(unvalidated_seed_build) -> Path:
    return unvalidated_seed_build


def _documents(build: Path) -> pd.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{build}/documents/*.parquet') order by id").df()


def _removals(build: Path) -> pd.DataFrame:
    return pd.read_parquet(build / "removals")


def test_every_seed_document_prints_its_metadata_text_and_every_removal(seed_build):
    documents = _documents(seed_build)
    removals = _removals(seed_build)
    assert len(documents) == 6
    for row in documents.itertuples():
        printed = describe_document(seed_build, row.id)
        assert printed.splitlines()[0].split() == ["id", row.id]
        assert row.source_file in printed
        for field in ("title", "author", "province", "published_at", "original_script"):
            value = getattr(row, field)
            if field == "published_at":  # a timestamp: printed as the page stated it, at its precision
                value = iso_text(None if pd.isna(value) else value.to_pydatetime(), row.published_at_precision)
            line = next(line for line in printed.splitlines() if line.split(" ", 1)[0] == field)
            assert line.split(None, 1)[1] == (value if isinstance(value, str) else "—"), field
        assert row.text in printed
        mine = removals[removals["id"] == row.id]
        assert f"removals ({len(mine)}):" in printed
        for removal in mine.itertuples():
            assert removal.rule in printed
            if removal.text.strip():
                assert removal.text.replace("\n", "↵") in printed


def test_a_unique_id_prefix_finds_the_document(seed_build):
    doc_id = _documents(seed_build)["id"].iloc[0]
    document, _ = find_document(seed_build, doc_id[:10])
    assert document["id"] == doc_id


def test_removal_rows_match_what_pandas_reads(seed_build):
    removals = _removals(seed_build)
    doc_id = removals["id"].value_counts().index[0]
    _, found = find_document(seed_build, doc_id)
    expected = removals[removals["id"] == doc_id].sort_values(["line", "rule", "text"])
    assert [(r["line"], r["rule"], r["text"]) for r in found] == list(
        zip(expected["line"], expected["rule"], expected["text"], strict=True))


def test_an_unknown_id_is_a_one_line_error(seed_build):
    with pytest.raises(PipelineError, match=r"no document with id 'no-such-id' in .*out$"):
        describe_document(seed_build, "no-such-id")


def test_a_short_prefix_is_not_guessed(seed_build):
    doc_id = _documents(seed_build)["id"].iloc[0]
    with pytest.raises(PipelineError, match="no document with id"):
        describe_document(seed_build, doc_id[:3])


def test_a_folder_that_is_not_a_build_is_a_one_line_error(tmp_path):
    with pytest.raises(PipelineError, match="no documents in"):
        describe_document(tmp_path, "abc")


def test_a_prefix_shared_by_two_articles_of_one_file_names_both(seed_build):
    documents = _documents(seed_build)
    split = documents[documents["article_index"] > 0]["id"].iloc[0]  # the seed has one file of two articles
    prefix = split.rsplit("-", 1)[0]
    expected = rf"id prefix '{prefix}' matches several documents .*{prefix}-0, {prefix}-1"
    with pytest.raises(PipelineError, match=expected):
        describe_document(seed_build, prefix)
