"""One recipe, any orchestrator: ``pipeline.recipe.run_build`` only asks how a step is mapped over its calls,
so a process pool, the Prefect flow and ``concurrent.futures`` threads build the same bytes."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RAW, ROOT
from pipeline.config import config_from_dict
from pipeline.recipe import run_build

SMALL_SHARDS = {"output": {"shard_target_bytes": 10_000}}  # the seeds in several shards, so mapping matters


def dataset_bytes(out: Path) -> dict[str, bytes]:
    """Every dataset file of a published build (documents, JSONL twin, quarantine, removals, duplicates,
    checks, signatures), through the links into .builds/; manifest and report carry timings, so not them."""
    files = [p for p in out.glob("*/*") if p.suffix in (".parquet", ".jsonl") and not p.parent.name.startswith(".")]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(files)}


@pytest.mark.flow
def test_a_process_pool_prefect_and_concurrent_futures_build_identical_bytes(prefect_harness, tmp_path):
    from flows.build import build_corpus, make_task_runner

    config = config_from_dict(SMALL_SHARDS)
    built = {}
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        manifest = run_build(RAW, tmp_path / "pool", config,
                             lambda step, calls, label: list(pool.map(step, *zip(*calls, strict=True))))
    assert len(manifest["shards"]) > 1 and manifest["counts"]["documents"] > 0
    built["process pool"] = dataset_bytes(tmp_path / "pool")
    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        run_build(RAW, tmp_path / "threads", config,
                  lambda step, calls, label: list(executor.map(step, *zip(*calls, strict=True))))
    built["concurrent.futures"] = dataset_bytes(tmp_path / "threads")
    toml = tmp_path / "small-shards.toml"
    toml.write_text("[output]\nshard_target_bytes = 10000\n", encoding="utf-8")
    build_corpus.with_options(task_runner=make_task_runner("thread", workers=2))(
        str(RAW), str(tmp_path / "prefect"), str(toml))
    built["prefect"] = dataset_bytes(tmp_path / "prefect")
    assert {"documents/part-00001.parquet", "quarantine/part-00000.jsonl"} <= set(built["prefect"])
    assert built["process pool"] == built["concurrent.futures"] == built["prefect"]


ALLOCATOR = """
import concurrent.futures, multiprocessing, sys
from pathlib import Path
import pyarrow as pa
import flows.build
from pipeline.config import BuildConfig
from pipeline.corpus.prepass import count_shard_lines
from pipeline.plan import plan_build

def backend():
    return pa.default_memory_pool().backend_name

if __name__ == "__main__":
    print("import", backend())
    raw, out = Path(sys.argv[1]), Path(sys.argv[2])
    shard = plan_build(raw, out, BuildConfig()).shards[0]
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        print("worker", pool.submit(backend).result())
        pool.submit(count_shard_lines, shard, raw, out, BuildConfig()).result()
        print("worker after a step", pool.submit(backend).result())
"""


def test_the_system_allocator_is_set_where_a_step_runs_not_by_importing(tmp_path):
    """Arrow's default mimalloc keeps freed pages (at a million documents ~260 MB in finalize): every step a
    worker runs, and the recipe in the flow's process, switch to the system allocator; importing does not."""
    script = tmp_path / "allocator.py"
    script.write_text(ALLOCATOR, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), str(RAW), str(tmp_path / "out")], cwd=ROOT,
                            capture_output=True, text=True, check=True, timeout=300)
    lines = dict(line.rsplit(" ", 1) for line in result.stdout.splitlines())
    assert lines["import"] != "system" and lines["worker"] != "system", "an import has no side effect"
    assert lines["worker after a step"] == "system"
