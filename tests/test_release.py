"""Versioned releases: layout, real readers (datasets, DuckDB, pandas, Polars), checksums, SemVer, changelog."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
import yaml

from pipeline.build import build_locally
from pipeline.config import BuildConfig
from pipeline.release import ReleaseError, make_release, verify_release
from pipeline.schema import DOCUMENT_COLUMNS

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
    files = [item for item in croissant["distribution"] if item["@type"] == "cr:FileObject"]
    assert files and all(len(item["sha256"]) == 64 for item in files)  # the FileSet (a pattern) has no checksum
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
    added = _listed_ids(section, "Added")
    removed = _listed_ids(section, "Removed")
    assert added == ids_b - ids_a and removed == ids_a - ids_b
    assert added and removed
    assert "### Changed" not in section  # no file was edited: only whole files came and went


def _listed_ids(section: str, heading: str) -> set[str]:
    """Ids listed under ``### heading``: each line is ``- `file` — title (`id`)``."""
    if f"### {heading}" not in section:
        return set()
    block = section.split(f"### {heading}")[1].split("###")[0]
    return {re.search(r"\(`([^`]+)`", line).group(1) for line in block.splitlines() if line.startswith("- `")}


def test_croissant_passes_the_reference_validator(release):
    """`mlcroissant validate` (the MLCommons reference implementation), as a user would run it."""
    validator = Path(sys.executable).with_name("mlcroissant")
    completed = subprocess.run([str(validator), "validate", "--jsonld", str(release / "croissant.json")],
                               capture_output=True, text=True, timeout=300, check=False,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Done" in output or "done" in output.lower(), output
    croissant = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    for key in ("license", "citeAs", "datePublished"):
        assert croissant[key], key
    file_sets = {item["@id"] for item in croissant["distribution"] if item["@type"] == "cr:FileSet"}
    sources = {field["source"]["fileSet"]["@id"] for field in croissant["recordSet"][0]["field"]}
    assert sources and sources <= file_sets
    types = {field["name"]: field["dataType"] for field in croissant["recordSet"][0]["field"]}
    assert types["cjk_share"] == "sc:Float" and types["published_at"] == "sc:DateTime"


def test_datasets_loads_a_release_without_warnings(release, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.WARNING)
    logger = logging.getLogger("datasets")  # datasets logs "splits field in YAML is malformed" here
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = datasets.load_dataset(str(release), split="train", cache_dir=str(tmp_path / "hf-cache"))
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []
    assert [str(w.message) for w in caught] == []
    card = (release / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---")[1])
    (split,) = front["dataset_info"]["splits"]
    assert split["num_examples"] == len(loaded) and split["num_bytes"] > 0
    assert front["dataset_info"]["dataset_size"] == split["num_bytes"]
    assert front["license"] == "other" and front["license_name"] and (release / front["license_link"]).is_file()


def test_table_cells_of_the_card_escape_the_pipe(release):
    card = (release / "README.md").read_text(encoding="utf-8")
    fields = card.split("## Fields")[1].split("\n## ")[0]
    rows = [line for line in fields.splitlines() if line.startswith("| `")]
    assert len(rows) == len(DOCUMENT_COLUMNS)
    for line in rows:  # exactly four unescaped pipes: three cells
        assert len(re.findall(r"(?<!\\)\|", line)) == 4, line


def test_changelog_after_a_one_file_edit_lists_that_file_as_changed(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    releases = tmp_path / "releases"
    build_locally(raw, tmp_path / "build", BuildConfig())
    make_release(tmp_path / "build", releases, "1.0.0")
    edited = sorted(raw.glob("004*"))[0]
    text = edited.read_text(encoding="utf-8")
    phrase = next(line for line in text.splitlines() if len(line) > 40)[:12]
    edited.write_text(text.replace(phrase, phrase[:-2] + "工作", 1), encoding="utf-8")
    build_locally(raw, tmp_path / "build", BuildConfig())
    second = make_release(tmp_path / "build", releases, "1.1.0")
    section = (second / "CHANGELOG.md").read_text(encoding="utf-8").split("## v1.0.0")[0]
    assert "0 added, 0 removed, 1 changed" in section
    changed = section.split("### Changed")[1].split("###")[0]
    lines = [line for line in changed.splitlines() if line.startswith("- ")]
    assert len(lines) == 1 and f"`{edited.name}`" in lines[0]
    title = pd.read_parquet(second / "data").set_index("source_file").loc[edited.name, "title"]
    assert title and title in lines[0]
    new_id = pd.read_parquet(second / "data").set_index("source_file").loc[edited.name, "id"]
    assert f"(`{new_id}`), was `" in lines[0]  # the content id changed; the lineage matched it
