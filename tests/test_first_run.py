"""A first ``corpus build`` without a Prefect server: one temporary server for the whole build (flow and
process-pool workers), and a ``--verbose`` output that shows where the time went (issue 18, item 10).
Times themselves are measured in ``bench/``, not asserted here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RAW

BIN = Path(sys.executable).parent


@pytest.mark.server
def test_a_build_on_the_process_pool_starts_one_temporary_server_and_verbose_shows_phases(tmp_path):
    config = tmp_path / "small-shards.toml"
    config.write_text("[output]\nshard_target_bytes = 10000\n", encoding="utf-8")  # several shards: pool workers run
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    result = subprocess.run([str(BIN / "corpus"), "build", "--input", str(RAW), "--output", str(tmp_path / "out"),
                             "--config", str(config), "--verbose"],
                            env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    assert log.count("Starting temporary server") == 1, "the workers must report to the flow's server"
    assert "Task run 'build-shard" in log and "process pool" in log
    assert "prefect.events" not in log
    assert "Error logging to API" not in log, "queued logs reach the server before it stops"
    lines = result.stdout.splitlines()
    phases = lines[lines.index("phase_seconds (wall time of the build's phases):") + 1:]
    assert [line.split()[0] for line in phases[:5]] == ["plan", "count_lines", "shards", "deduplication",
                                                        "validation"]
