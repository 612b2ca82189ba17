"""The build recipe, written once: lock → plan → line-count pre-pass → common lines → unchanged check →
staging → shards → duplicates left out → validation, manifest and publication.

An orchestrator only decides how a step is mapped over its calls: it passes ``map_shards(step, calls,
label)``, which runs ``step(*call)`` for every argument tuple in ``calls`` (anywhere: this process, a pool,
Prefect tasks, a Dask cluster) and returns the results in call order. The steps are plain module-level
functions of ``pipeline`` (``count_shard_lines``, ``build_or_reuse_shard``, ``drop_duplicates``) whose
arguments and results pickle; ``label`` names the phase for a progress bar (None: no bar). Under
``concurrent.futures`` a runner is three lines::

    with ProcessPoolExecutor() as pool:
        run_build(raw, out, config, lambda step, calls, label: list(pool.map(step, *zip(*calls))))

Nothing here imports Prefect; the recipe writes only through the steps and ``pipeline.publish``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from pipeline import io
from pipeline.config import BuildConfig
from pipeline.corpus.duplicates import drop_duplicates
from pipeline.corpus.lines import cross_doc_wanted
from pipeline.corpus.prepass import apply_common_lines, count_shard_lines
from pipeline.manifest import unchanged_build
from pipeline.plan import BuildPlan, plan_build
from pipeline.publish import finalize_build, prepare_staging, staging_removed_on_failure
from pipeline.shards import build_or_reuse_shard

MapShards = Callable[[Callable, list, "str | None"], list]


def map_here(step: Callable, calls: list[tuple], label: str | None = None) -> list:
    """``map_shards`` of a build in this process: one call after the other."""
    return [step(*call) for call in calls]


def run_build(input_dir: Path, output_dir: Path, config: BuildConfig, map_shards: MapShards = map_here,
              code_version: str | None = None, on_planned: Callable[[BuildPlan], None] | None = None) -> dict:
    """Build ``output_dir`` from ``input_dir``; returns the manifest (the published one, marked
    ``"unchanged": True``, when nothing changed).

    ``code_version``: recorded in the manifest (the flow passes the git commit). ``on_planned(plan)``: called
    once the staging folder is ready, before the shards are built (the flow logs the plan there).
    """
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    io.use_system_allocator()  # this process reads every part at the end: see io.use_system_allocator
    io.check_build_folders(input_dir, output_dir)
    with io.output_lock(output_dir):
        phases = {}
        started = time.perf_counter()
        plan = plan_build(input_dir, output_dir, config)
        phases["plan"] = time.perf_counter() - started
        common = None
        if cross_doc_wanted(config):
            started = time.perf_counter()
            counts = map_shards(count_shard_lines, [(shard, plan.input_dir, plan.output_dir, config)
                                                    for shard in plan.shards], "counting lines")
            plan, common = apply_common_lines(plan, counts, config)
            phases["count_lines"] = time.perf_counter() - started
        unchanged = unchanged_build(plan, config)
        if unchanged is not None:
            return unchanged
        started = time.perf_counter()
        with staging_removed_on_failure(plan.output_dir):
            prepare_staging(plan)
            if on_planned is not None:
                on_planned(plan)
            summaries = map_shards(build_or_reuse_shard, [
                (shard, plan.input_dir, plan.output_dir, config, plan.input_hashes_of(shard), common)
                for shard in plan.shards], "building shards")
            phases["shards"] = time.perf_counter() - started
            return finalize_build(plan, summaries, config, code_version=code_version,
                                  drop_parts=lambda calls: map_shards(drop_duplicates, calls, None),
                                  phase_seconds=phases)
