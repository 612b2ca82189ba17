"""The Prefect build flow and the ``corpus`` command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import RAW, ROOT


@pytest.mark.flow
def test_build_flow_runs_end_to_end_under_prefect(prefect_harness, tmp_path):
    from flows.build import build_corpus, make_task_runner

    out = tmp_path / "processed"
    flow = build_corpus.with_options(task_runner=make_task_runner("thread"))
    manifest = flow(str(RAW), str(out))
    assert manifest["counts"]["inputs"] == 5
    assert (out / "manifest.json").is_file()
    assert not (out / ".staging").exists(), "the staging folder is gone after publication"
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert written["counts"] == manifest["counts"]
    rows = duckdb.connect().execute(f"select count(*) from '{out}/documents/*.parquet'").fetchone()[0]
    assert rows == manifest["counts"]["documents"]
    # the run is named after the build (input → output, start time), not a random two-word name
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        (run,) = client.read_flow_runs(limit=1, sort=FlowRunSort.START_TIME_DESC)
    assert re.fullmatch(r"raw → processed \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", run.name), run.name


def corpus(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in lines[0]


def test_cli_missing_input_folder_is_one_clear_line(tmp_path):
    result = corpus("build", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "out"))
    assert_one_line_error(result, "input folder does not exist")


def test_cli_unwritable_output_folder_is_one_clear_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = corpus("build", "--input", str(RAW), "--output", str(blocker / "out"))
    assert_one_line_error(result, "output folder is not writable")


def test_cli_invalid_config_is_one_clear_line(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[output]\ncompression_level = 99\n", encoding="utf-8")
    result = corpus("build", "--input", str(RAW), "--output", str(tmp_path / "out"), "--config", str(config))
    assert_one_line_error(result, "compression_level")
    config.write_text("[output\n", encoding="utf-8")
    result = corpus("build", "--input", str(RAW), "--output", str(tmp_path / "out"), "--config", str(config))
    assert_one_line_error(result, "not valid TOML")


def test_cli_help_lists_commands_with_examples():
    result = corpus("build", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "--input" in result.stdout


@pytest.mark.flow
def test_dask_and_process_runners_give_byte_identical_output(prefect_harness, tmp_path):
    from flows.build import build_corpus, make_task_runner

    config = tmp_path / "small-shards.toml"
    config.write_text("[output]\nshard_target_bytes = 10000\n", encoding="utf-8")  # several shards
    outputs = {}
    for runner in ("process", "dask"):
        out = tmp_path / runner
        manifest = build_corpus.with_options(task_runner=make_task_runner(runner, workers=2))(
            str(RAW), str(out), str(config))
        assert len(manifest["shards"]) > 1
        outputs[runner] = {p.name: p.read_bytes() for p in sorted((out / "documents").iterdir())}
    assert outputs["process"] == outputs["dask"]


def test_cli_build_quiet_prints_nothing_and_piped_output_has_no_progress_bar(tmp_path):
    quiet = corpus("build", "--input", str(RAW), "--output", str(tmp_path / "q"), "--runner", "thread", "--quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""
    assert "INFO" not in quiet.stderr
    loud = corpus("build", "--input", str(RAW), "--output", str(tmp_path / "q"), "--runner", "thread", "--verbose")
    assert loud.returncode == 0, loud.stderr
    assert "built 6 documents" in loud.stdout
    assert "\x1b[" not in loud.stdout and "building shards" not in loud.stderr  # not a terminal: no bar
