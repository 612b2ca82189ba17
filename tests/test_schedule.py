"""Scheduled rebuilds against a real ``prefect server start`` (not the test harness)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import RAW, ROOT

SERVER_START_TIMEOUT = 90  # the server takes ~11 s to become healthy on 2 cores; CI machines can be slower
RUN_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(url: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        f"{url}{path}", data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"}, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.server
def test_served_flow_runs_on_schedule_against_a_real_server(tmp_path):
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_API_URL": api_url,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "false"}
    prefect = Path(sys.executable).parent / "prefect"
    server_log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    serve = None
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                if api(api_url, "/health") is True:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "prefect server did not become healthy"
            time.sleep(1)
        out = tmp_path / "processed"
        serve_log = open(tmp_path / "serve.log", "w")
        serve = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "serve", "--interval", "10", "--input", str(RAW),
             "--output", str(out), "--name", "test-schedule"],
            cwd=ROOT, env=env, stdout=serve_log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + RUN_TIMEOUT
        completed = []
        while not completed:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(3)
            runs = api(api_url, "/flow_runs/filter",
                       {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}, "limit": 5})
            completed = [run for run in runs if run.get("deployment_id")]
        deployments = api(api_url, "/deployments/filter", {"limit": 10})
        assert any(d["name"] == "test-schedule" and d.get("schedules") for d in deployments)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["counts"]["inputs"] == 5
        assert list((out / "documents").glob("*.parquet"))
    finally:
        if serve is not None:
            stop(serve)
        stop(server)
