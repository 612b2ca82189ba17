"""A build that breaks the data contract fails loudly, names the broken expectation, and publishes nothing:
the previous good build stays in place, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import pipeline.build as build_module
from pipeline.build import build_locally
from pipeline.config import BuildConfig, config_from_dict
from pipeline.errors import ContractError, ValidationFailed
from pipeline.stages import STAGES, Stage

from conftest import RAW

# A different row-group size changes the config hash, so no shard of the good build is reused.
FRESH = {"output": {"row_group_rows": 9_999}}


def snapshot(folder: Path) -> dict[str, bytes]:
    """The published build as readers see it, through the links into .builds/: every file except hidden
    working state (.staging, .cache, the lock)."""
    found = {}
    for root, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in names:
            path = Path(root) / name
            if path.is_file() and not name.startswith("."):
                found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


@pytest.fixture()
def good_build(tmp_path) -> tuple[Path, dict]:
    out = tmp_path / "processed"
    build_locally(RAW, out, BuildConfig())
    return out, snapshot(out)


def with_extra_stage(monkeypatch, function) -> None:
    monkeypatch.setattr(build_module, "STAGES", STAGES + (Stage("saboteur", function, "metadata"),))


def assert_fails_naming(error: Exception, expectation: str) -> None:
    assert expectation in str(error), str(error)
    assert str(error).startswith("validation failed:")


def test_leftover_traditional_text_fails_and_keeps_the_previous_build(good_build, monkeypatch):
    out, before = good_build
    with_extra_stage(monkeypatch, lambda doc, _: doc.with_changes(text=doc.text + "\n這是繁體字殘留的測試句子。"))
    with pytest.raises(ValidationFailed) as caught:
        build_locally(RAW, out, config_from_dict(FRESH))
    assert_fails_naming(caught.value, "expect_no_traditional_residue(text)")
    assert snapshot(out) == before


def test_a_debris_line_fails(good_build, monkeypatch):
    out, before = good_build
    with_extra_stage(monkeypatch, lambda doc, _: doc.with_changes(text="时间:2022-11-24 08:47:00\n" + doc.text))
    with pytest.raises(ValidationFailed) as caught:
        build_locally(RAW, out, config_from_dict(FRESH))
    assert_fails_naming(caught.value, "expect_no_debris(text)")
    assert snapshot(out) == before


def test_an_empty_text_fails(good_build, monkeypatch):
    out, before = good_build
    # After the gate, as a broken stage would: the suite is the last line of defence.
    monkeypatch.setattr(build_module, "STAGES", STAGES + (
        Stage("saboteur", lambda doc, _: doc.with_changes(text="") if doc.source_file.startswith("003") else doc,
              "metadata"),))
    with pytest.raises(ValidationFailed) as caught:
        build_locally(RAW, out, config_from_dict(FRESH))
    assert_fails_naming(caught.value, "expect_column_values_to_match_regex(text): 1 of 6 rows")  # not blank
    assert snapshot(out) == before


def test_a_row_count_collapse_fails(good_build, tmp_path):
    out, before = good_build
    shrunk = tmp_path / "shrunk"
    shrunk.mkdir()
    shutil.copy(RAW / "004_c0fd344d59baed76.txt", shrunk)
    with pytest.raises(ValidationFailed) as caught:
        build_locally(shrunk, out, BuildConfig())
    assert_fails_naming(caught.value, "expect_table_row_count_to_be_between")
    assert snapshot(out) == before
    assert (out / ".staging" / "validation" / "index.html").is_file(), "the failed run's Data Docs stay for inspection"


def test_two_different_documents_with_one_id_fail(tmp_path, monkeypatch):
    # A broken stage that loses the content hash: different texts, one id, in different shards.
    with_extra_stage(monkeypatch, lambda doc, _: doc.with_changes(source_sha256="e" * 64))
    with pytest.raises(ContractError, match=r"expect_column_values_to_be_unique\(id\)"):
        build_locally(RAW, tmp_path / "out", config_from_dict({"output": {"shard_target_bytes": 10}}))
    assert not (tmp_path / "out" / "documents").exists()


def test_the_same_content_in_two_shards_is_a_duplicate_not_a_failure(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (RAW / "004_c0fd344d59baed76.txt").read_text(encoding="utf-8")
    other = (RAW / "002_875649bcf166c00f.txt").read_text(encoding="utf-8")
    (raw / "a.jsonl").write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    (raw / "b.jsonl").write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n"
                                 + json.dumps({"text": other}, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest = build_locally(raw, tmp_path / "out", config_from_dict({"output": {"shard_target_bytes": 10}}))
    counts = manifest["counts"]
    assert counts["documents"] == 2 and counts["duplicates"] == 1
    assert counts["duplicates_by_kind"] == {"identical": 1}
