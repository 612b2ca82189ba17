"""A build that breaks the data contract fails loudly, names the broken expectation, and publishes nothing:
the previous good build stays in place, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import pipeline.stages as stages_module
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
    """A broken stage, as late as a stage can be: just before the row contract, the last stage."""
    assert STAGES[-1].name == "row_contract"
    monkeypatch.setattr(stages_module, "STAGES", STAGES[:-1] + (Stage("saboteur", function, "metadata"),) + STAGES[-1:])


def test_the_row_contract_is_the_last_stage_so_no_stage_can_slip_a_row_past_it():
    assert [stage.name for stage in STAGES][-1] == "row_contract"
    assert STAGES[-1].always, "bad dates are refused even with validation off"


def assert_fails_naming(error: Exception, expectation: str) -> None:
    assert expectation in str(error), str(error)
    assert str(error).startswith("validation failed:")


def quarantine_reasons(folder: Path) -> dict[str, str]:
    """source_file -> reason of every quarantine record in ``folder/quarantine``."""
    records = [json.loads(line) for part in sorted((folder / "quarantine").glob("*.jsonl"))
               for line in part.read_text(encoding="utf-8").splitlines()]
    return {record["source_file"]: record["reason"] for record in records}


def test_leftover_traditional_text_in_every_row_is_quarantined_and_the_row_count_band_refuses(good_build,
                                                                                               monkeypatch):
    out, before = good_build
    with_extra_stage(monkeypatch, lambda doc, _: doc.with_changes(text=doc.text + "\n這是繁體字殘留的測試句子。"))
    with pytest.raises(ValidationFailed) as caught:
        build_locally(RAW, out, config_from_dict(FRESH))
    # Row-level: every row is quarantined; batch-level: no row left is a collapse, and nothing is published.
    assert_fails_naming(caught.value, "expect_table_row_count_to_be_between")
    assert set(quarantine_reasons(out / ".staging").values()) == {"validation.expect_no_traditional_residue"}
    assert snapshot(out) == before


def test_one_planted_debris_line_quarantines_its_row_and_the_rest_is_published(good_build, monkeypatch):
    out, _ = good_build
    planted = "003_a3a12308e45e43ec.txt"
    with_extra_stage(monkeypatch, lambda doc, _: doc.with_changes(text="时间:2022-11-24 08:47:00\n" + doc.text)
                     if doc.source_file == planted else doc)
    manifest = build_locally(RAW, out, config_from_dict(FRESH))
    assert quarantine_reasons(out) == {planted: "validation.expect_no_debris"}
    (record,) = [json.loads(line) for line in (out / "quarantine" / "part-00000.jsonl").read_text("utf-8").splitlines()]
    assert record["detail"] == "expect_no_debris(text): 时间:"
    counts = manifest["counts"]
    assert counts["quarantined_by_reason"] == {"validation.expect_no_debris": 1}
    assert counts["documents"] == 5 and manifest["accounting"]["holds"]
    published = pd.read_parquet(out / "documents" / "part-00000.parquet")
    assert planted not in set(published["source_file"])
    assert set(published["id"]) == set(pd.read_parquet(out / "checks")["id"]), "checks describe what is published"
    assert manifest["validation"]["success"]


def test_an_empty_text_is_quarantined_not_published(good_build, monkeypatch):
    out, _ = good_build
    # After the gate, as a broken stage would: the row-level check before writing catches it.
    with_extra_stage(monkeypatch, lambda doc, _: doc.with_changes(text="") if doc.source_file.startswith("003")
                     else doc)
    manifest = build_locally(RAW, out, config_from_dict(FRESH))
    assert quarantine_reasons(out) == {"003_a3a12308e45e43ec.txt": "validation.expect_column_values_to_match_regex"}
    assert manifest["counts"]["documents"] == 5


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
