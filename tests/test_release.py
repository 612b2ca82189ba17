"""Versioned releases: layout, real readers (datasets, DuckDB, pandas, Polars), checksums, SemVer, changelog."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from pipeline.build import build_locally
from pipeline.config import BuildConfig
from pipeline.release import ReleaseError, make_release, verify_release

from conftest import RAW


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release-build")
    build_locally(RAW, out, BuildConfig())
    return out


@pytest.fixture(scope="module")
def release(build_dir, tmp_path_factory) -> Path:
    return make_release(build_dir, tmp_path_factory.mktemp("releases"), "1.0.0")


def build_ids(build_dir: Path) -> list[str]:
    frames = [pd.read_parquet(p) for p in sorted((build_dir / "documents").glob("*.parquet"))]
    return sorted(pd.concat(frames)["id"])


def test_release_layout(release):
    names = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert "data/train-00000-of-00001.parquet" in names
    assert {"README.md", "SHA256SUMS", "manifest.json", "croissant.json", "CHANGELOG.md",
            "jsonl/train.jsonl.gz"} <= names
    card = (release / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "language:\n- zh" in card and "configs:" in card
    assert "## Known limitations" in card and "## How to load" in card
    croissant = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    assert all(len(item["sha256"]) == 64 for item in croissant["distribution"])
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "v1.0.0" and manifest["schema_fingerprint"]


def test_release_loads_the_same_rows_in_every_reader(release, build_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    expected = build_ids(build_dir)
    hf = datasets.load_dataset(str(release), split="train", cache_dir=str(tmp_path / "hf-cache"))
    assert sorted(hf["id"]) == expected
    via_duckdb = duckdb.connect().execute(f"select id from '{release}/data/*.parquet'").fetchall()
    assert sorted(row[0] for row in via_duckdb) == expected
    assert sorted(pd.read_parquet(release / "data")["id"]) == expected
    assert sorted(pl.read_parquet(str(release / "data" / "*.parquet"))["id"].to_list()) == expected


def test_same_build_released_twice_gives_identical_data_files(build_dir, tmp_path):
    first = make_release(build_dir, tmp_path, "1.0.0")
    second = make_release(build_dir, tmp_path, "1.0.1")
    for relative in ("data/train-00000-of-00001.parquet", "jsonl/train.jsonl.gz"):
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
    assert "0 added, 0 removed, 0 changed" in (second / "CHANGELOG.md").read_text(encoding="utf-8")


def test_verify_passes_then_fails_on_one_changed_byte(release, tmp_path):
    assert verify_release(release) == []
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    data = copy / "data" / "train-00000-of-00001.parquet"
    blob = bytearray(data.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    data.write_bytes(bytes(blob))
    assert verify_release(copy) == ["checksum mismatch: data/train-00000-of-00001.parquet"]


def test_an_existing_version_is_never_overwritten(build_dir, tmp_path):
    target = make_release(build_dir, tmp_path, "2.0.0")
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    with pytest.raises(ReleaseError, match="already exists"):
        make_release(build_dir, tmp_path, "2.0.0")
    with pytest.raises(ReleaseError, match="older than"):
        make_release(build_dir, tmp_path, "1.9.0")
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before


def test_a_schema_change_requires_a_major_version(build_dir, tmp_path):
    first = make_release(build_dir, tmp_path, "1.0.0")
    manifest_path = first / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["schema_fingerprint"] = "0000000000000000"  # as if v1.0.0 had been built with another schema
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReleaseError, match="major version"):
        make_release(build_dir, tmp_path, "1.1.0")
    assert "Schema changed" in (make_release(build_dir, tmp_path, "2.0.0") / "CHANGELOG.md").read_text("utf-8")


def test_changelog_lists_exactly_the_added_and_removed_ids(tmp_path):
    raw_a, raw_b = tmp_path / "raw-a", tmp_path / "raw-b"
    raw_a.mkdir()
    raw_b.mkdir()
    files = sorted(RAW.iterdir())
    for path in files[:4]:
        shutil.copy(path, raw_a / path.name)
    for path in files[1:]:
        shutil.copy(path, raw_b / path.name)
    build_locally(raw_a, tmp_path / "build-a", BuildConfig())
    build_locally(raw_b, tmp_path / "build-b", BuildConfig())
    releases = tmp_path / "releases"
    make_release(tmp_path / "build-a", releases, "1.0.0")
    second = make_release(tmp_path / "build-b", releases, "1.1.0")
    ids_a, ids_b = set(build_ids(tmp_path / "build-a")), set(build_ids(tmp_path / "build-b"))
    changelog = (second / "CHANGELOG.md").read_text(encoding="utf-8")
    section = changelog.split("## v1.0.0")[0]
    added = {line[3:-1] for line in section.split("### Added")[1].split("###")[0].splitlines() if line.startswith("- `")}
    removed = {line[3:-1] for line in section.split("### Removed")[1].split("###")[0].splitlines()
               if line.startswith("- `")}
    assert added == ids_b - ids_a and removed == ids_a - ids_b
    assert added and removed
