"""The `corpus` command line as a user meets it (issue 18, item 11): --version, one-line errors for a bad
schedule, `corpus sql` views and output formats, `corpus inspect --json`, absolute deployment parameters."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import NO_VALIDATION, RAW, ROOT

from flows.cli import deployment_parameters
from pipeline import __version__
from pipeline.build import build_locally
from pipeline.schema import SCHEMA_VERSION


def corpus(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env, check=False)


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """The seeds plus an identical copy of one of them (so `duplicates/` has a row)."""
    raw = tmp_path_factory.mktemp("cli-raw")
    for path in RAW.iterdir():
        (raw / path.name).write_bytes(path.read_bytes())
    seed = min(RAW.glob("004*"))
    text = seed.read_text(encoding="utf-8")
    (raw / "copy-of-004.txt").write_text(text.replace("\n", "\n\n", 1), encoding="utf-8")  # same text, other bytes
    out = tmp_path_factory.mktemp("cli") / "out"
    build_locally(raw, out, NO_VALIDATION)
    return out


def test_version_prints_the_pipeline_and_schema_versions():
    result = corpus("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"corpus {__version__} (schema {SCHEMA_VERSION})"


@pytest.mark.parametrize("api_url", [None, "http://127.0.0.1:9/api"])
def test_serve_with_a_bad_cron_is_one_line(api_url):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if api_url:
        env["PREFECT_API_URL"] = api_url  # nothing listens there: the cron is refused before any connection
    result = corpus("serve", "--cron", "bad cron", env=env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["corpus serve: error: --cron 'bad cron' is not a cron schedule (five fields, e.g. \"0 3 * * *\")"]


def test_sql_has_removals_and_duplicates_views(build):
    result = corpus("sql", "--output", str(build), "--format", "json",
                    "select (select count(*) from removals) r, (select count(*) from duplicates) d, "
                    "(select count(*) from documents) n, (select count(*) from quarantine) q")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    removals = pd.read_parquet(build / "removals")
    duplicates = pd.read_parquet(build / "duplicates")
    documents = pd.read_parquet(build / "documents")
    assert row == {"r": len(removals), "d": len(duplicates), "n": len(documents), "q": row["q"]}
    assert row["r"] > 0 and row["d"] >= 1


def test_sql_csv_and_json_give_the_same_rows(build):
    query = "select id, title, published_at from documents order by id"
    as_csv = corpus("sql", "--output", str(build), "--format", "csv", query)
    as_json = corpus("sql", "--output", str(build), "--format", "json", query)
    assert as_csv.returncode == 0 and as_json.returncode == 0, as_csv.stderr + as_json.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    objects = json.loads(as_json.stdout)
    documents = pd.read_parquet(build / "documents").sort_values("id")
    assert [r["id"] for r in rows] == [o["id"] for o in objects] == documents["id"].tolist()
    assert [r["title"] for r in rows] == [o["title"] or "" for o in objects]
    stamped = [o["published_at"] for o in objects if o["published_at"]]
    assert stamped and all(pd.Timestamp(value) for value in stamped)  # ISO text a parser reads back


def test_sql_with_a_bad_query_is_one_line(build):
    result = corpus("sql", "--output", str(build), "select nope from documents")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "query failed" in result.stderr


def test_inspect_json_prints_the_document_and_its_removals(build):
    documents = pd.read_parquet(build / "documents")
    removals = pd.read_parquet(build / "removals")
    row = documents.iloc[0]
    result = corpus("inspect", "--output", str(build), "--json", row["id"])
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["id"] == row["id"] and printed["text"] == row["text"] and printed["title"] == row["title"]
    assert len(printed["removals"]) == int((removals["id"] == row["id"]).sum())
    if printed["published_at"]:
        assert pd.Timestamp(printed["published_at"]) == row["published_at"]


def test_deployment_parameters_are_absolute_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parameters = deployment_parameters("data/raw", "data/processed", "build.toml")
    assert parameters == {"input_dir": str(tmp_path / "data" / "raw"),
                          "output_dir": str(tmp_path / "data" / "processed"),
                          "config_file": str(tmp_path / "build.toml")}
    assert deployment_parameters("data/raw", "out", None)["config_file"] is None
