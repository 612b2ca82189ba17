"""Hostile input: every file ends up as a document, a quarantine record with a reason, or a skipped entry,
and decodable files become documents with the right text. Fuzzing: no exception escapes ingestion or a
stage, whatever the bytes or the Unicode."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import build_locally
from pipeline.readers import Unit, read_unit
from pipeline.config import BuildConfig, config_from_dict
from pipeline.readers.decoding import decode_bytes
from pipeline.document import Document, Rejection
from pipeline.stages import STAGES, run_stages

from conftest import RAW

SPEECH = (RAW / "004_c0fd344d59baed76.txt").read_text(encoding="utf-8")
TRADITIONAL = (RAW / "003_a3a12308e45e43ec.txt").read_text(encoding="utf-8")
MARKER = "开展创先争优活动"  # occurs in the body of 004 and survives every stage
MARKER_TRADITIONAL = "創先爭優"


def hostile_folder(root: Path) -> dict[str, str]:
    """Write the hostile folder; returns file → what must become of it ("document", "quarantine", "skipped")."""
    expected = {}

    def put(name: str, data: bytes, outcome: str):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expected[name] = outcome

    put("empty.txt", b"", "quarantine")
    put("whitespace.txt", b" \n\t\n\r\n", "quarantine")
    put("image.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "quarantine")
    put("random.txt", os.urandom(5000), "quarantine")
    put("nul bytes.txt", SPEECH.replace("。", "。\x00", 3).encode("utf-8"), "document")
    put("bom.txt", codecs.BOM_UTF8 + SPEECH.encode("utf-8"), "document")
    put("utf16.txt", SPEECH.encode("utf-16"), "document")
    put("utf16le-nobom.txt", SPEECH.encode("utf-16-le"), "document")
    put("gb18030.txt", SPEECH.encode("gb18030"), "document")
    put("gbk.txt", SPEECH[:3000].encode("gbk"), "document")
    put("big5.txt", TRADITIONAL.encode("big5", errors="ignore"), "document")
    put("truncated-utf8.txt", SPEECH.encode("utf-8")[:-1], "document")
    put("mojibake-latin1.txt", SPEECH.encode("utf-8").decode("latin-1").encode("utf-8"), "document")
    put("mojibake-gbk-lossy.txt", SPEECH.encode("utf-8").decode("gbk", errors="replace").encode("utf-8"),
        "quarantine")
    put("zero-width.txt", SPEECH.replace("创先争优", "创\u200b先\u200d争\ufeff优", 5).encode("utf-8"), "document")
    put("cr-only.txt", SPEECH.replace("\n", "\r").encode("utf-8"), "document")
    put("crlf.txt", SPEECH.replace("\n", "\r\n").encode("utf-8"), "document")
    put("one-huge-line.txt", ("很长的一行" * 2_100_000).encode("utf-8"), "quarantine")
    put("many-short-lines.txt", ("字\n" * 50_000).encode("utf-8"), "accounted")  # kept or quarantined
    put("english.txt", ("This page is about trade statistics and has no Chinese text at all. " * 20).encode(),
        "quarantine")
    put("page.html", f"<html><head><meta charset='gbk'><title>讲话</title></head><body><div class='nav'>首页 > 范文"
        f"</div><div class='article'>{''.join(f'<p>{p}</p>' for p in SPEECH.split(chr(10)) if p.strip())}"
        f"</div></body></html>".encode("utf-8"), "document")
    put("broken.html", f"<html><body><p>{SPEECH[:3000]}<div><span>未闭合".encode("utf-8"), "document")
    put("名字 有空格/嵌套/文件.txt", SPEECH.encode("utf-8"), "document")
    put("名字 有空格/嵌套/文件（副本）.txt", SPEECH.encode("utf-8"), "duplicate")  # same bytes, later path
    put("notes.md", "# 说明".encode("utf-8"), "skipped")
    put(".hidden.txt", SPEECH.encode("utf-8"), "skipped")
    records = [json.dumps({"id": 1, "text": SPEECH[:4000]}, ensure_ascii=False), "{broken json",
               json.dumps({"text": 42}), json.dumps({"text": TRADITIONAL[:3000]}, ensure_ascii=False)]
    put("batch.jsonl", ("\n".join(records) + "\n").encode("utf-8"), "jsonl")
    os.symlink(root / "loop", root / "loop")  # a symlink loop
    expected["loop"] = "skipped"
    (root / "dirlink").symlink_to(root)  # a folder symlink back to the root
    expected["dirlink/"] = "skipped"
    return expected


def read_jsonl_folder(folder: Path) -> list[dict]:
    return [json.loads(line) for part in sorted(folder.glob("*.jsonl"))
            for line in part.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-raw")
    expected = hostile_folder(root)
    out = tmp_path_factory.mktemp("hostile-out")
    # Many files hold the same speech in different encodings; deduplication would keep one of them, and
    # this test is about decoding each, so it is off here (tests/test_dedup_build.py covers it).
    manifest = build_locally(root, out, config_from_dict({"dedup": {"enabled": False}}))
    docs = pd.concat([pd.read_parquet(p) for p in sorted((out / "documents").glob("*.parquet"))])
    return expected, manifest, docs, read_jsonl_folder(out / "quarantine")


def test_every_hostile_file_is_accounted_for(hostile_build):
    expected, manifest, docs, quarantine = hostile_build
    quarantined = {q["source_file"] for q in quarantine}
    documented = set(docs["source_file"])
    skipped = {s["path"] for s in manifest["skipped"]}
    duplicates = {d["path"] for d in manifest["duplicate_files"]}
    for name, outcome in expected.items():
        if outcome == "document":
            assert name in documented, (name, [q for q in quarantine if q["source_file"] == name])
        elif outcome == "quarantine":
            assert name in quarantined and name not in documented, name
        elif outcome == "skipped":
            assert name in skipped, (name, skipped)
        elif outcome == "duplicate":
            assert name in duplicates, name
        elif outcome == "accounted":
            assert (name in documented) != (name in quarantined), name
    assert all(q["reason"] and q["detail"] for q in quarantine)
    counts = manifest["counts"]
    assert counts["inputs"] + counts["articles_added_by_split"] == (
        counts["documents"] + counts["quarantined"] + counts["duplicates"])


def test_decodable_files_become_documents_with_the_right_text(hostile_build):
    _, _, docs, _ = hostile_build
    by_file = docs.set_index("source_file")
    for name in ("nul bytes.txt", "bom.txt", "utf16.txt", "utf16le-nobom.txt", "gb18030.txt", "gbk.txt",
                 "truncated-utf8.txt", "mojibake-latin1.txt", "zero-width.txt", "cr-only.txt", "crlf.txt",
                 "page.html", "broken.html"):
        text = by_file.loc[name, "text"]
        assert MARKER in text, name
        assert "\x00" not in text and "\r" not in text and "\u200b" not in text, name
    assert "创先争优" in by_file.loc["big5.txt", "text"]
    assert by_file.loc["big5.txt", "original_script"] == "traditional"
    assert by_file.loc["utf16.txt", "source_encoding"] == "utf-16"
    assert "repaired" in by_file.loc["mojibake-latin1.txt", "source_encoding"]


def test_quarantine_reasons_name_the_problem(hostile_build):
    _, _, _, quarantine = hostile_build
    reasons = {q["source_file"] + (f":{q['source_line']}" if q.get("source_line") else ""): q["reason"]
               for q in quarantine}
    assert reasons["empty.txt"] == "ingest.empty"
    assert reasons["image.txt"] == "ingest.binary"
    assert reasons["one-huge-line.txt"] == "ingest.line_too_long"
    assert reasons["mojibake-gbk-lossy.txt"] == "ingest.mojibake"
    assert reasons["english.txt"] == "gate.not_chinese"
    assert reasons["batch.jsonl:2"] == "ingest.bad_jsonl" and reasons["batch.jsonl:3"] == "ingest.bad_jsonl"


def test_limits_come_from_the_config(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(SPEECH, encoding="utf-8")
    (raw / "small.txt").write_text(SPEECH[SPEECH.index("在全党"):][:300], encoding="utf-8")  # ~900 bytes
    build_locally(raw, tmp_path / "out", config_from_dict({"ingest": {"max_file_bytes": 1000}}))
    [record] = read_jsonl_folder(tmp_path / "out" / "quarantine")
    assert record["reason"] == "ingest.too_large" and "max_file_bytes=1000" in record["detail"]


def test_the_pre_pass_keeps_line_counts_only_never_documents(tmp_path):
    """The cross-document pre-pass reads every shard, but what it leaves for the build is one line-count file
    per shard: hashes and numbers, no text (the build reads its inputs again)."""
    import re

    from pipeline.corpus.prepass import count_shard_lines
    from pipeline.plan import plan_build

    raw = tmp_path / "raw"
    raw.mkdir()
    hostile_folder(raw)
    out = tmp_path / "out"
    config = config_from_dict({"output": {"shard_target_bytes": 20_000}})
    plan = plan_build(raw, out, config)
    assert len(plan.shards) > 1
    for shard in plan.shards:
        count_shard_lines(shard, raw, out, config)
    left = sorted(p.relative_to(out / ".cache").as_posix() for p in (out / ".cache").rglob("*") if p.is_file())
    assert left == sorted(f"lines-{shard.key}.json" for shard in plan.shards)
    for name in left:
        data = json.loads((out / ".cache" / name).read_text(encoding="utf-8"))["data"]
        assert set(data) == {"documents", "lines"}  # per source: a count, and line hash -> count
        assert all(isinstance(count, int) for count in data["documents"].values())
        for counts in data["lines"].values():
            assert all(re.fullmatch(r"[0-9a-f]+", h) and isinstance(n, int) for h, n in counts.items())


def _run_everything(data: bytes, suffix: str, tmp_path: Path) -> list:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    unit = Unit(path.name, {".txt": "text", ".html": "html", ".jsonl": "jsonl"}[suffix], len(data), 0, len(data))
    outcomes = []
    for item in read_unit(tmp_path, unit, BuildConfig(), None):
        if isinstance(item, Rejection):
            outcomes.append(item)
        else:
            kept, rejected = run_stages(item, BuildConfig(), STAGES)
            assert len(kept) + len(rejected) >= 1
            outcomes.extend(kept + rejected)
    return outcomes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html", ".jsonl"]))
def test_arbitrary_bytes_never_escape_ingestion_or_stages(data, suffix, tmp_path):
    outcomes = _run_everything(data, suffix, tmp_path)
    for outcome in outcomes:
        assert isinstance(outcome, (Document, Rejection))
        if isinstance(outcome, Rejection):
            assert not outcome.reason.endswith(".error"), outcome  # handled, not an unexpected exception


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=2000))
def test_arbitrary_unicode_is_kept_or_quarantined_exactly_once(text, tmp_path):
    doc = Document(source_file="fuzz.txt", source_sha256="f" * 64, text=text)
    kept, rejected = run_stages(doc, BuildConfig(), STAGES)
    assert len(kept) + len(rejected) >= 1
    assert all(not r.reason.endswith(".error") for r in rejected), rejected
    # decoding never raises either
    assert decode_bytes(text.encode("utf-8", errors="surrogatepass")) is not None
