"""The build spine without Prefect: ingestion, accounting, output files, determinism, real readers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.build import build_locally
from pipeline.config import BuildConfig, config_from_dict
from pipeline.layout import BuildFolders
from pipeline.schema import DOCUMENT_COLUMNS

from conftest import RAW


def read_documents(out: Path) -> pd.DataFrame:
    """All document parts, read with pandas (the JSONL twins sit in the same folder)."""
    return pd.concat([pd.read_parquet(p) for p in sorted((out / "documents").glob("*.parquet"))],
                     ignore_index=True)


def run_build(input_dir: Path, output_dir: Path, config: BuildConfig | None = None) -> dict:
    return build_locally(input_dir, output_dir, config or BuildConfig())


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("seed-build")
    return out, run_build(RAW, out)


def test_seed_build_is_read_by_duckdb_and_pandas(seed_build):
    out, manifest = seed_build
    parquet_glob = str(out / "documents" / "*.parquet")
    n_duckdb = duckdb.connect().execute(f"select count(*) from '{parquet_glob}'").fetchone()[0]
    frame = read_documents(out)
    assert n_duckdb == len(frame) == manifest["counts"]["documents"]
    assert len(frame) >= 5
    assert tuple(frame.columns) == DOCUMENT_COLUMNS
    assert frame["id"].is_unique
    assert set(frame["source_file"].str[:3]) == {"000", "001", "002", "003", "004"}
    assert (frame["char_count"] == frame["text"].str.len()).all()


def test_jsonl_holds_the_same_rows_as_parquet(seed_build):
    out, _ = seed_build
    for parquet in sorted((out / "documents").glob("*.parquet")):
        frame = pd.read_parquet(parquet)
        lines = BuildFolders(out).jsonl_twin(parquet).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        assert [r["id"] for r in rows] == list(frame["id"])
        assert [r["text"] for r in rows] == list(frame["text"])
        assert "\\u" not in lines[0], "JSONL must be UTF-8, not \\u-escaped"


def test_unknown_values_are_null_never_empty_strings(seed_build):
    out, _ = seed_build
    frame = read_documents(out)
    for column in DOCUMENT_COLUMNS:
        if column == "text":
            continue
        values = frame[column].dropna()
        assert not (values.astype(str) == "").any(), column


def test_manifest_accounts_for_every_input(seed_build):
    out, manifest = seed_build
    counts = manifest["counts"]
    assert counts["inputs"] == 5
    assert counts["inputs"] + counts["articles_added_by_split"] == (
        counts["documents"] + counts["quarantined"] + counts["duplicates"])
    assert manifest["accounting"]["holds"] is True
    assert sorted(manifest["inputs"]) == sorted(p.name for p in RAW.iterdir())
    assert manifest["config_hash"] == BuildConfig().config_hash()
    assert manifest["packages"]["opencc"]
    for relative, digest in manifest["outputs"].items():
        assert (out / relative).is_file(), relative
        assert len(digest) == 64


def test_building_twice_gives_byte_identical_documents(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    run_build(RAW, first)
    run_build(RAW, second)
    names = sorted(p.name for p in (first / "documents").iterdir())
    assert names == sorted(p.name for p in (second / "documents").iterdir())
    for name in names:
        assert (first / "documents" / name).read_bytes() == (second / "documents" / name).read_bytes(), name


def test_empty_and_random_files_are_quarantined_and_counted(seed_dir, tmp_path):
    (seed_dir / "empty.txt").write_bytes(b"")
    (seed_dir / "random.txt").write_bytes(os.urandom(4096))
    (seed_dir / "blank.txt").write_text("  \n\n \t\n", encoding="utf-8")
    manifest = run_build(seed_dir, tmp_path / "out")
    quarantine = [json.loads(line) for part in sorted((tmp_path / "out" / "quarantine").glob("*.jsonl"))
                  for line in part.read_text(encoding="utf-8").splitlines()]
    by_file = {row["source_file"]: row for row in quarantine}
    assert by_file["empty.txt"]["reason"] == "ingest.empty"
    assert by_file["blank.txt"]["reason"] == "ingest.empty"
    assert by_file["random.txt"]["reason"] in {"ingest.binary", "ingest.undecodable"}
    assert all(row["detail"] for row in quarantine)
    counts = manifest["counts"]
    assert counts["inputs"] == 8
    assert counts["quarantined"] == 3
    assert counts["inputs"] + counts["articles_added_by_split"] == (
        counts["documents"] + counts["quarantined"] + counts["duplicates"])


def test_jsonl_input_keeps_good_lines_and_quarantines_bad_ones(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = [
        json.dumps({"id": "a", "url": "http://example.cn/1",
                    "text": "这是第一篇文章的正文，讲的是基层党组织建设和干部作风问题。"}, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "no text field"}),
        "",
        json.dumps({"text": "第二篇，繁體字的正文，講的是創先爭優活動的開展情況和下一步打算。"}, ensure_ascii=False),
    ]
    (raw / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = run_build(raw, tmp_path / "out")
    frame = read_documents(tmp_path / "out")
    assert list(frame["source_line"]) == [1, 5]
    assert frame["url"].iloc[0] == "http://example.cn/1"
    quarantine = (tmp_path / "out" / "quarantine" / "part-00000.jsonl").read_text(encoding="utf-8").splitlines()
    reasons = sorted((json.loads(q)["source_line"], json.loads(q)["reason"]) for q in quarantine)
    assert reasons == [(2, "ingest.bad_jsonl"), (3, "ingest.bad_jsonl")]
    assert manifest["counts"]["inputs"] == 4


def test_encodings_are_detected_and_recorded(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    simplified = (RAW / "004_c0fd344d59baed76.txt").read_text(encoding="utf-8")[:2000]
    traditional = (RAW / "003_a3a12308e45e43ec.txt").read_text(encoding="utf-8")[:2000]
    (raw / "gbk.txt").write_bytes(simplified.encode("gb18030"))
    (raw / "big5.txt").write_bytes(traditional.encode("big5", errors="ignore"))
    (raw / "utf16.txt").write_bytes(simplified.encode("utf-16"))
    (raw / "bom.txt").write_bytes(b"\xef\xbb\xbf" + simplified.encode("utf-8"))
    (raw / "cr.txt").write_bytes(simplified.replace("\n", "\r").encode("utf-8"))
    # The same text in five encodings: deduplication would (rightly) keep one; this test is about decoding.
    run_build(raw, tmp_path / "out", config_from_dict({"dedup": {"enabled": False}}))
    frame = read_documents(tmp_path / "out").set_index("source_file")
    assert frame.loc["gbk.txt", "source_encoding"] == "gb18030"
    assert frame.loc["big5.txt", "source_encoding"].startswith("big5")
    assert frame.loc["utf16.txt", "source_encoding"] == "utf-16"
    assert frame.loc["bom.txt", "source_encoding"] == "utf-8-sig"
    assert "\r" not in frame.loc["cr.txt", "text"]
    assert "定安" in frame.loc["gbk.txt", "text"]


def test_identical_files_are_counted_as_duplicates_not_lost(seed_dir, tmp_path):
    original = seed_dir / "002_875649bcf166c00f.txt"
    (seed_dir / "copy").mkdir()
    (seed_dir / "copy" / "again.txt").write_bytes(original.read_bytes())
    manifest = run_build(seed_dir, tmp_path / "out")
    assert manifest["counts"]["duplicates"] == 1
    assert manifest["duplicate_files"] == [{"path": "copy/again.txt", "duplicate_of": "002_875649bcf166c00f.txt"}]
    counts = manifest["counts"]
    assert counts["inputs"] + counts["articles_added_by_split"] == (
        counts["documents"] + counts["quarantined"] + counts["duplicates"])


def test_non_documents_and_hidden_files_are_listed_as_skipped(seed_dir, tmp_path):
    (seed_dir / "notes.md").write_text("# notes", encoding="utf-8")
    (seed_dir / ".hidden.txt").write_text("隐藏文件", encoding="utf-8")
    manifest = run_build(seed_dir, tmp_path / "out")
    skipped = {entry["path"]: entry["reason"] for entry in manifest["skipped"]}
    assert "notes.md" in skipped and ".hidden.txt" in skipped
    assert manifest["counts"]["inputs"] == 5


def test_an_invalid_config_fails_before_any_work():
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown key"):
        config_from_dict({"output": {"compresion_level": 3}})
    with pytest.raises(ConfigError, match="compression_level"):
        config_from_dict({"output": {"compression_level": 99}})
    with pytest.raises(ConfigError, match="integer"):
        config_from_dict({"ingest": {"max_file_bytes": "big"}})


def small_shards_config() -> BuildConfig:
    """One seed file per shard (the largest seed is 28 KB)."""
    return config_from_dict({"output": {"shard_target_bytes": 1000}})


def test_unchanged_rebuild_reuses_every_shard_and_a_changed_file_recomputes_only_its_shard(seed_dir, tmp_path):
    out = tmp_path / "out"
    config = small_shards_config()
    first = run_build(seed_dir, out, config)
    assert len(first["shards"]) == 5 and not any(s["reused"] for s in first["shards"])
    before = {p.name: p.read_bytes() for p in (out / "documents").iterdir()}
    manifest_mtime = (out / "manifest.json").stat().st_mtime_ns
    second = run_build(seed_dir, out, config)
    assert all(s["reused"] for s in second["shards"])
    assert second["unchanged"] is True, "nothing changed: the published build is left exactly as it is"
    assert (out / "manifest.json").stat().st_mtime_ns == manifest_mtime
    assert {p.name: p.read_bytes() for p in (out / "documents").iterdir()} == before
    edited = seed_dir / "002_875649bcf166c00f.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n新增的一段正文。\n", encoding="utf-8")
    third = run_build(seed_dir, out, config)
    reused = {s["name"]: s["reused"] for s in third["shards"]}
    assert reused == {"part-00000": True, "part-00001": True, "part-00002": False, "part-00003": True,
                      "part-00004": True}
    assert third["counts"]["documents"] == first["counts"]["documents"]


def test_a_tampered_published_part_is_recomputed_not_reused(seed_dir, tmp_path):
    out = tmp_path / "out"
    run_build(seed_dir, out)
    part = out / "documents-jsonl" / "part-00000.jsonl"
    part.write_text(part.read_text(encoding="utf-8").replace("领导", "领袖"), encoding="utf-8")
    manifest = run_build(seed_dir, out)
    assert not manifest["shards"][0]["reused"]
    assert "领袖" not in part.read_text(encoding="utf-8")


def test_a_second_build_on_the_same_output_fails_fast(tmp_path):
    from pipeline.errors import OutputError
    from pipeline.io import output_lock

    out = tmp_path / "out"
    with output_lock(out):
        with pytest.raises(OutputError, match="another build is writing"):
            run_build(RAW, out)
    run_build(RAW, out)  # the lock is released with the first build


def test_leftovers_of_an_interrupted_build_are_cleaned_and_finished_shards_resumed(seed_dir, tmp_path):
    from pipeline.corpus.prepass import apply_common_lines, count_shard_lines
    from pipeline.plan import plan_build
    from pipeline.publish import prepare_staging
    from pipeline.shards import build_or_reuse_shard

    out = tmp_path / "out"
    config = small_shards_config()
    plan = plan_build(seed_dir, out, config)
    plan, common = apply_common_lines(plan, [count_shard_lines(s, seed_dir, out, config) for s in plan.shards],
                                      config)
    prepare_staging(plan)
    build_or_reuse_shard(plan.shards[0], plan.input_dir, plan.output_dir, config, plan.input_hashes, common)
    stray = plan.staging_dir / "documents" / "part-00099.parquet"
    stray.write_bytes(b"half-written")  # a crash mid-write of a shard that never finished
    manifest = run_build(seed_dir, out, config)
    assert [s["reused"] for s in manifest["shards"]] == [True, False, False, False, False]
    assert not (out / "documents" / "part-00099.parquet").exists()
    assert not (out / ".staging").exists()


def test_a_footer_repeated_across_one_sources_documents_is_removed(tmp_path):
    raw = tmp_path / "raw"
    body = "\n".join(p.read_text(encoding="utf-8") for p in sorted(RAW.iterdir()) if p.name[:3] in ("002", "004"))
    paragraphs = [p for p in body.split("\n") if len(p) > 80]
    footer = "城关镇党政办公室二〇二四年整理汇编"  # unknown to every rule: only repetition gives it away
    (raw / "site-a").mkdir(parents=True)
    for index in range(6):
        text = f"{paragraphs[2 * index]}\n\n{paragraphs[2 * index + 1]}\n\n{footer}\n"  # no shared body
        (raw / "site-a" / f"{index}.txt").write_text(text, encoding="utf-8")
    (raw / "other.txt").write_text(f"{paragraphs[14]}\n\n{footer}\n", encoding="utf-8")
    run_build(raw, tmp_path / "out")
    docs = read_documents(tmp_path / "out").set_index("source_file")
    assert all(footer not in docs.loc[f"site-a/{i}.txt", "text"] for i in range(6))
    assert footer in docs.loc["other.txt", "text"], "another source's single copy stays"
    removals = pd.concat([pd.read_parquet(p) for p in (tmp_path / "out" / "removals").glob("*.parquet")])
    assert (removals["rule"] == "artifacts.cross_doc_repeat").sum() == 6
