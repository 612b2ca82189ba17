"""Shared fixtures. Prefect's test harness is session-wide (entering it costs 10-14 s) and used only by the
few flow tests; everything else tests ``pipeline`` directly."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.evaluation.devset import default_devset_dir

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
# The dev set is third-party text kept outside the repository (pipeline/evaluation/devset.py says where it is
# looked for).
DEVSET = default_devset_dir()
needs_devset = pytest.mark.skipif(DEVSET is None, reason="dev set not found: ../shared/devset or $CORPUS_DEVSET")


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for the whole session, heartbeats off (each flow call would wait ~1 s)."""
    from prefect.testing.utilities import prefect_test_harness

    try:
        from prefect.settings import PREFECT_RUNNER_HEARTBEAT_FREQUENCY  # noqa: F401
    except ImportError:
        pass
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture()
def seed_dir(tmp_path) -> Path:
    """A private copy of data/raw (tests may add hostile files to it)."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture(scope="session")
def unvalidated_seed_build(tmp_path_factory) -> Path:
    """The seeds built once per session without the validation suite (GX costs seconds): for tests that only
    read a build folder (inspect, loaders). Read-only: a test that changes a build makes its own."""
    from pipeline.build import build_locally

    output = tmp_path_factory.mktemp("seed-build") / "out"
    build_locally(RAW, output, NO_VALIDATION)
    return output


def _no_validation():
    import dataclasses

    from pipeline.config import BuildConfig
    from pipeline.stage_configs import ValidationConfig

    return dataclasses.replace(BuildConfig(), validation=ValidationConfig(enabled=False))


NO_VALIDATION = _no_validation()


def assert_one_build(out: Path) -> dict:
    """The published folder is one whole build: its manifest's outputs match byte for byte and DuckDB
    counts the manifest's documents (through the fixed links)."""
    import duckdb

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for relative, digest in manifest["outputs"].items():
        assert hashlib.sha256((out / relative).read_bytes()).hexdigest() == digest, relative
    rows = duckdb.connect().execute(f"select count(*) from '{out}/documents/*.parquet'").fetchone()[0]
    assert rows == manifest["counts"]["documents"]
    return manifest
