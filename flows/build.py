"""The build flow: the library's recipe (``pipeline.recipe.run_build``) with its steps mapped onto Prefect
tasks (``count-lines``, ``build-shard``, ``drop-duplicates``), plus the flow's logs and artifacts.
Orchestration only: no step of the build is written here.

Tasks take shard descriptions and paths and return counts; documents never travel through Prefect.
The task runner is chosen by configuration (``process`` pool sized to the cores, ``thread``, or ``dask``
through prefect-dask, local or at an address) — the same flow and the same output bytes for each.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import os
import subprocess
import threading
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import as_completed

from flows.progress import shard_progress

from pipeline import io, validation
from pipeline.config import config_from_dict, load_config
from pipeline.corpus.dedup import Duplicate
from pipeline.corpus.duplicates import drop_duplicates
from pipeline.corpus.prepass import count_shard_lines
from pipeline.errors import ValidationFailed
from pipeline.plan import BuildPlan, Shard
from pipeline.publish import staging_removed_on_failure
from pipeline.recipe import run_build as run_recipe
from pipeline.shards import build_or_reuse_shard

RUNNERS = ("process", "thread", "dask")


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


def git_commit() -> str | None:
    """The commit of the code being run (this checkout's, not the input folder's), when it runs from git."""
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


def _on_local_process_pool() -> bool:
    from prefect.context import FlowRunContext
    from prefect.task_runners import ProcessPoolTaskRunner

    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, ProcessPoolTaskRunner)


def run_tasks(task, calls: list[tuple], label: str | None = None, show_progress: bool = False) -> list:
    """``task`` over ``calls`` (argument tuples), results in call order, with a progress bar if ``label``.

    Each call is submitted to the flow's task runner, except a single call on a local process pool: that
    one runs in the flow's own process (still a task run, reported like the others), since a pool worker
    would only add its start-up — a fresh interpreter importing Prefect and the pipeline, seconds — with
    nothing to run beside it (the seeds are one shard). A Dask cluster always gets the work it was given.
    """
    if len(calls) == 1 and _on_local_process_pool():
        return [task(*calls[0])]  # no bar for one call either
    futures = [task.submit(*call) for call in calls]
    with shard_progress(len(futures), label or "", show_progress and label is not None) as advance:
        for _ in as_completed(futures):
            advance()
    return [future.result() for future in futures]  # in call order, whatever finished first


def _task_call(step, call: tuple) -> tuple:
    """A recipe step's arguments as the task takes them: plain data (dicts, strings, tuples)."""
    if step is drop_duplicates:
        staging, part, duplicates, config = call
        return str(staging), part, [dataclasses.astuple(d) for d in duplicates], config.to_dict()
    shard, input_dir, output_dir, config, *rest = call
    return (shard.to_dict(), str(input_dir), str(output_dir), config.to_dict(), *rest)


def map_on_runner(show_progress: bool):
    """The recipe's ``map_shards`` for the flow: each step's calls as Prefect task runs on the flow's task
    runner (a process pool, threads or a Dask cluster), under the task names the UI shows."""
    tasks = {count_shard_lines: count_lines_task, build_or_reuse_shard: build_shard_task,
             drop_duplicates: drop_duplicates_task}

    def map_shards(step, calls: list[tuple], label: str | None) -> list:
        return run_tasks(tasks[step], [_task_call(step, call) for call in calls], label, show_progress)
    return map_shards


def build_run_name() -> str:
    """The flow run's name: the build it is, input → output and the start time (UTC), e.g.
    ``raw → processed 2026-12-03 08:47:00``, instead of Prefect's random two-word names."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters or {}
    started = flow_run.scheduled_start_time
    source = Path(parameters.get("input_dir") or "data/raw").name
    target = Path(parameters.get("output_dir") or "data/processed").name
    return f"{source} → {target} {started:%Y-%m-%d %H:%M:%S}"


@flow(name="build-corpus", log_prints=True, flow_run_name=build_run_name)
def build_corpus(input_dir: str = "data/raw", output_dir: str = "data/processed", config_file: str | None = None,
                 show_progress: bool = False) -> dict:
    """Build ``output_dir`` from ``input_dir``: documents, quarantine, removals, manifest."""
    logger = get_run_logger()
    # Resolved here, in the flow's process: task workers (a Dask worker started in another folder, another
    # machine with the same mounts) must not resolve a relative path in their own working directory.
    input_dir, output_dir = str(Path(input_dir).resolve()), str(Path(output_dir).resolve())
    config = load_config(config_file)
    planned: list[BuildPlan] = []

    def on_planned(plan: BuildPlan) -> None:
        planned.append(plan)
        if config.validation.enabled:  # this process only waits for the shards meanwhile: import GX now
            threading.Thread(target=validation.preload, name="preload-gx", daemon=True).start()
        logger.info("planned %d shards from %d input files (%d skipped, %d identical copies)",
                    len(plan.shards), len(plan.input_hashes), len(plan.skipped), len(plan.duplicate_files))

    try:
        manifest = run_recipe(Path(input_dir), Path(output_dir), config, map_on_runner(show_progress),
                              code_version=git_commit(), on_planned=on_planned)
    except ValidationFailed as error:
        report = getattr(error, "report", None)
        if report is not None:
            create_table_artifact(key="validation", table=report.summary_rows(),
                                  description=f"FAILED validation of the build into {output_dir}; "
                                              f"nothing was published")
        raise
    if manifest.get("unchanged"):
        logger.info("nothing changed since the published build: %d shards, output left as it is",
                    len(manifest["shards"]))
        return manifest
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

    markdown = report_markdown(Path(output_dir), planned[0].previous_manifest or None)
    create_markdown_artifact(key="build-report", markdown=markdown,
                             description="Build report (the full report is report.html in the output folder)")
    reasons = "\n".join(f"| {reason} | {count} |" for reason, count in counts["quarantined_by_reason"].items())
    create_markdown_artifact(
        key="build-quarantine",
        markdown=f"# Quarantine by reason\n\n| reason | count |\n|---|---|\n{reasons or '| (none) | 0 |'}\n",
    )
    return manifest


# Seconds the temporary server may take to answer /health: ~11 s on an idle 2-core machine (NOTES.md), and
# far more while other processes load it; Prefect's own default (20 s) then fails the build for nothing.
SERVER_START_TIMEOUT = 180
# Seconds to wait for queued logs and events to reach the temporary server before it stops (~0.1 s idle).
DRAIN_TIMEOUT = 10


@contextlib.contextmanager
def prefect_api(meanwhile=None):
    """The one Prefect API the flow and every task worker report to; yields its URL.

    ``meanwhile()`` runs while a temporary server starts (it takes seconds to answer): work the build needs
    anyway, such as importing Great Expectations, is then done by the time the server is up.

    With ``PREFECT_API_URL`` set (a running server), that server. Without it, one temporary server started
    here and stopped on exit, and its URL set for everything the build starts: the flow's own client, the
    process pool's workers (spawned with this environment and Prefect's settings) and Dask workers (the
    task's serialized settings context carries the URL). Left to themselves, each of them would start a
    temporary server of its own (10-17 s each), and Dask workers would keep theirs running after the build.
    Workers on other machines cannot reach a temporary server on 127.0.0.1: give them a real server.

    The server is Prefect's own ``SubprocessASGIServer``, not a ``prefect server start`` process of ours:
    it is a singleton, so Prefect's threads that run outside the flow's settings context (the process
    pool's event forwarding asks for a client there) find this server instead of starting another one.
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        yield settings.api.url  # a running server, or ephemeral mode refused: Prefect says so itself
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="prefect-server") as starter:
        started = starter.submit(server.start, SERVER_START_TIMEOUT)  # a subprocess; this thread only polls
        if meanwhile is not None:
            meanwhile()
        started.result()
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        _drain_prefect_clients()  # logs and events still queued reach the server before it stops
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
        server.stop()


def _drain_prefect_clients() -> None:
    """Send what Prefect's log and event workers still hold; without this they retry a stopped server for
    ~70 s at exit ("Error logging to API")."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        service.drain_all(timeout=DRAIN_TIMEOUT)


def run_build(input_dir: str, output_dir: str, config_file: str | None = None, runner: str = "process",
              dask_address: str | None = None, show_progress: bool = False) -> dict:
    """Run the build flow with the chosen task runner (validated before any work starts), reporting to one
    Prefect API (``prefect_api``).

    The output lock is taken here, before Prefect starts: a second build is refused with one line and no
    flow-run traceback (the flow's own lock is then held already). A failed build leaves no staging folder.
    """
    task_runner = make_task_runner(runner, dask_address)
    io.check_build_folders(Path(input_dir), Path(output_dir))
    with io.output_lock(Path(output_dir), hand_over=True), staging_removed_on_failure(Path(output_dir)), \
            prefect_api(meanwhile=validation.preload):
        return build_corpus.with_options(task_runner=task_runner)(input_dir, output_dir, config_file,
                                                                  show_progress)
