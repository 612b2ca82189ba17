"""``corpus build --runner dask --dask-address`` against a real external cluster: a ``dask scheduler`` and
two ``dask worker`` processes started in another working directory, the README's relative paths, and no
Prefect server left running afterwards (issue 18, item 4)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import RAW
from test_schedule import free_port, stop  # a free loopback port; SIGTERM a process group, then SIGKILL

BIN = Path(sys.executable).parent
CLUSTER_START_TIMEOUT = 120  # scheduler and workers import dask/distributed (~3 s each idle); loaded CI is slower
BUILD_TIMEOUT = 600


def start(args: list[str], cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)


def tagged_processes(tag: str) -> dict[int, str]:
    """pid -> command line of every live process whose environment carries ``CORPUS_TEST_TAG=tag``: the
    processes this test started and whatever they started in turn (a temporary Prefect server inherits the
    environment of the process that starts it)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next((line for line in (entry / "status").read_text().splitlines()
                          if line.startswith("State:")), "")
        except OSError:
            continue  # gone, or not ours to read
        if f"CORPUS_TEST_TAG={tag}".encode() in environ.split(b"\0") and "zombie" not in state:
            found[int(entry.name)] = cmdline
    return found


def prefect_servers(processes: dict[int, str]) -> dict[int, str]:
    return {pid: cmd for pid, cmd in processes.items() if "prefect.server" in cmd or "uvicorn" in cmd}


def wait_for_workers(address: str, count: int, env: dict) -> None:
    code = ("import sys; from distributed import Client; c = Client(sys.argv[1], timeout=30); "
            f"c.wait_for_workers(int(sys.argv[2]), timeout={CLUSTER_START_TIMEOUT}); c.close()")
    subprocess.run([sys.executable, "-c", code, address, str(count)], env=env, check=True,
                   timeout=CLUSTER_START_TIMEOUT + 60, capture_output=True)


def project(root: Path) -> Path:
    """A folder laid out like a clone: data/raw with the seeds, and a config giving several shards."""
    shutil.copytree(RAW, root / "data" / "raw")
    (root / "small-shards.toml").write_text("[output]\nshard_target_bytes = 10000\n", encoding="utf-8")
    return root


def corpus_build(cwd: Path, env: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "corpus"), "build", "--config", "small-shards.toml", "--quiet", *extra],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)


def documents_bytes(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted((out / "documents").rglob("*"))
            if p.is_file()}


@pytest.mark.server
def test_external_dask_cluster_builds_relative_paths_identically_and_leaves_no_server(tmp_path):
    tag = uuid.uuid4().hex
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    env.update(CORPUS_TEST_TAG=tag, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    elsewhere = tmp_path / "elsewhere"  # the cluster's working directory: no data/ folder here
    elsewhere.mkdir()
    address = f"tcp://127.0.0.1:{free_port()}"
    cluster = [start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                      "--no-dashboard"], elsewhere, env, tmp_path / "scheduler.log")]
    try:
        for index in range(2):
            cluster.append(start([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                  "--no-dashboard", "--name", f"worker-{index}"],
                                 elsewhere, env, tmp_path / f"worker-{index}.log"))
        wait_for_workers(address, 2, env)
        on_cluster = project(tmp_path / "on-cluster")
        result = corpus_build(on_cluster, env, "--runner", "dask", "--dask-address", address)
        assert result.returncode == 0, result.stderr[-3000:]
        # The build's own temporary server is stopped; the workers reported to it and started none.
        assert prefect_servers(tagged_processes(tag)) == {}
        worker_logs = "".join((tmp_path / f"worker-{i}.log").read_text(errors="replace") for i in range(2))
        assert "build-shard" in worker_logs, "the shards ran on the cluster's workers"
        assert "Starting temporary server" not in worker_logs
    finally:
        for process in reversed(cluster):
            stop(process)
    deadline = time.monotonic() + 30
    while tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert tagged_processes(tag) == {}, "a process of the build or the cluster outlived them"
    default = project(tmp_path / "default-runner")
    result = corpus_build(default, env)
    assert result.returncode == 0, result.stderr[-3000:]
    cluster_docs = documents_bytes(on_cluster / "data" / "processed")
    assert len(cluster_docs) > 2, "several shards, so both workers had work"
    assert cluster_docs == documents_bytes(default / "data" / "processed")
