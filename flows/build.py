"""The build flow: plan → one task per shard → finalize. Orchestration only; the work is in ``pipeline``.

Tasks take shard descriptions and paths and return counts; documents never travel through Prefect.
The task runner is chosen by configuration (``process`` pool sized to the cores, ``thread``, or ``dask``
through prefect-dask, local or at an address) — the same flow and the same output bytes for each.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import threading
import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import as_completed

from flows.progress import shard_progress

from pipeline import io, validation
from pipeline.build import (
    Shard,
    apply_common_lines,
    build_or_reuse_shard,
    count_shard_lines,
    cross_doc_wanted,
    discard_prepared,
    drop_duplicates,
    finalize_build,
    plan_build,
    prepare_staging,
    staging_removed_on_failure,
    unchanged_build,
)
from pipeline.config import config_from_dict, load_config
from pipeline.dedup import Duplicate
from pipeline.errors import ValidationFailed

RUNNERS = ("process", "thread", "dask")

io.use_system_allocator()  # here, so the flow process and every worker that imports the tasks use it


class _NoErrorRecords(logging.Filter):
    """Drops Prefect's error records (a task's traceback, "Finished in state Failed"): ``corpus build``
    prints the one error line that matters; ``--verbose`` keeps them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR


if os.environ.get("CORPUS_ONE_LINE_ERRORS"):  # set by the CLI, inherited by the pool's workers
    for _name in ("prefect", "prefect.engine", "prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(_name).addFilter(_NoErrorRecords())


def make_task_runner(runner: str, dask_address: str | None = None, workers: int | None = None):
    """A Prefect task runner for ``runner``; raises ValueError for an unknown name."""
    workers = workers or os.cpu_count() or 1
    if runner == "process":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=workers)
    if runner == "thread":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    raise ValueError(f"unknown runner {runner!r}; choose one of {', '.join(RUNNERS)}")


def git_commit(start: Path) -> str | None:
    """The commit of the code being run, when it runs from a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                                capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


@task(name="count-lines", retries=0)
def count_lines_task(shard: dict, input_dir: str, output_dir: str, config: dict) -> dict:
    """Pre-pass: per source, how many documents of the shard contain each candidate footer line (hashes)."""
    return count_shard_lines(Shard.from_dict(shard), Path(input_dir), Path(output_dir), config_from_dict(config))


@task(name="build-shard", retries=0)
def build_shard_task(shard: dict, input_dir: str, output_dir: str, config: dict, input_hashes: dict,
                     common: dict | None) -> dict:
    """Build one shard (or reuse its unchanged output); returns its counts, never documents."""
    summary = build_or_reuse_shard(Shard.from_dict(shard), Path(input_dir), Path(output_dir),
                                   config_from_dict(config), input_hashes, common)
    return summary.to_dict()


@task(name="drop-duplicates", retries=0)
def drop_duplicates_task(staging: str, part: str, duplicates: list[tuple], config: dict) -> dict:
    """Leave one part's duplicates out of its staged files; returns the dropped counts by kind."""
    return drop_duplicates(Path(staging), part, [Duplicate(*row) for row in duplicates], config_from_dict(config))


def drop_on_runner(config: dict):
    """``drop_parts`` for ``finalize_build``: ``drop_duplicates`` as one task per part, on the flow's task
    runner (both cores, or the Dask cluster), instead of one part after the other in the flow process."""
    def run(calls: list[tuple]) -> list[dict]:
        futures = [drop_duplicates_task.submit(str(staging), part, [dataclasses.astuple(d) for d in duplicates],
                                               config)
                   for staging, part, duplicates, _ in calls]
        return [future.result() for future in futures]
    return run


@flow(name="build-corpus", log_prints=True)
def build_corpus(input_dir: str = "data/raw", output_dir: str = "data/processed", config_file: str | None = None,
                 show_progress: bool = False) -> dict:
    """Build ``output_dir`` from ``input_dir``: documents, quarantine, removals, manifest."""
    logger = get_run_logger()
    config = load_config(config_file)
    io.check_build_folders(Path(input_dir), Path(output_dir))
    with io.output_lock(Path(output_dir)):
        phases = {}
        started = time.perf_counter()
        plan = plan_build(Path(input_dir), Path(output_dir), config)
        phases["plan"] = time.perf_counter() - started
        config_data = config.to_dict()
        common = None
        if cross_doc_wanted(config):
            started = time.perf_counter()
            line_futures = [count_lines_task.submit(shard.to_dict(), str(plan.input_dir), str(plan.output_dir),
                                                    config_data) for shard in plan.shards]
            with shard_progress(len(line_futures), "counting lines", show_progress) as advance:
                for _ in as_completed(line_futures):
                    advance()
            plan, common = apply_common_lines(plan, [f.result() for f in line_futures], config)
            phases["count_lines"] = time.perf_counter() - started
        unchanged = unchanged_build(plan, config)
        if unchanged is not None:
            discard_prepared(plan)
            logger.info("nothing changed since the published build: %d shards, output left as it is",
                        len(plan.shards))
            return unchanged
        started = time.perf_counter()
        prepare_staging(plan)
        if config.validation.enabled:  # this process only waits for the shards meanwhile: import GX now
            threading.Thread(target=validation.preload, name="preload-gx", daemon=True).start()
        logger.info("planned %d shards from %d input files (%d skipped, %d identical copies)",
                    len(plan.shards), len(plan.input_hashes), len(plan.skipped), len(plan.duplicate_files))
        futures = [
            build_shard_task.submit(shard.to_dict(), str(plan.input_dir), str(plan.output_dir), config_data,
                                    {u.relative_path: plan.input_hashes[u.relative_path] for u in shard.units
                                     if u.relative_path in plan.input_hashes},
                                    common)
            for shard in plan.shards
        ]
        with shard_progress(len(futures), "building shards", show_progress) as advance:
            for _ in as_completed(futures):
                advance()
        summaries = [future.result() for future in futures]  # in shard order, whatever finished first
        phases["shards"] = time.perf_counter() - started
        try:
            manifest = finalize_build(plan, summaries, config, code_version=git_commit(Path(input_dir)),
                                      drop_parts=drop_on_runner(config_data), phase_seconds=phases)
        except ValidationFailed as error:
            report = getattr(error, "report", None)
            if report is not None:
                create_table_artifact(key="validation", table=report.summary_rows(),
                                      description=f"FAILED validation of the build into {output_dir}; "
                                                  f"nothing was published")
            raise
    counts = manifest["counts"]
    reused = sum(1 for shard in manifest["shards"] if shard["reused"])
    logger.info("reused %d of %d shards", reused, len(manifest["shards"]))
    logger.info("built %d documents, %d quarantined, %d duplicates from %d inputs",
                counts["documents"], counts["quarantined"], counts["duplicates"], counts["inputs"])
    create_table_artifact(
        key="build-counts",
        table=[{"measure": key, "value": value} for key, value in counts.items() if isinstance(value, int)],
        description=f"Counts of the build into {output_dir}",
    )
    if manifest.get("validation"):
        create_table_artifact(key="validation", table=manifest["validation"]["expectations"],
                              description="Great Expectations results (Data Docs: validation/index.html)")
    from pipeline.report import report_markdown

    create_markdown_artifact(key="build-report", markdown=report_markdown(Path(output_dir), plan.previous_manifest or None),
                             description="Build report (the full report is report.html in the output folder)")
    reasons = "\n".join(f"| {reason} | {count} |" for reason, count in counts["quarantined_by_reason"].items())
    create_markdown_artifact(
        key="build-quarantine",
        markdown=f"# Quarantine by reason\n\n| reason | count |\n|---|---|\n{reasons or '| (none) | 0 |'}\n",
    )
    return manifest


def run_build(input_dir: str, output_dir: str, config_file: str | None = None, runner: str = "process",
              dask_address: str | None = None, show_progress: bool = False) -> dict:
    """Run the build flow with the chosen task runner (validated before any work starts).

    The output lock is taken here, before Prefect starts: a second build is refused with one line and no
    flow-run traceback (the flow's own lock is then held already). A failed build leaves no staging folder.
    """
    task_runner = make_task_runner(runner, dask_address)
    io.check_build_folders(Path(input_dir), Path(output_dir))
    with io.output_lock(Path(output_dir), hand_over=True), staging_removed_on_failure(Path(output_dir)):
        return build_corpus.with_options(task_runner=task_runner)(input_dir, output_dir, config_file,
                                                                  show_progress)
