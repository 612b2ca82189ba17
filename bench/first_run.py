"""First-run benchmark: wall time of a default ``corpus build`` of ``data/raw`` (the five seeds), as a new
user runs it — a fresh process, a fresh output folder — once with Prefect's temporary server and once
against a running ``prefect server start``. Also the bare Python start-up of a build (a fresh interpreter
importing ``flows.build``, Prefect and the pipeline), the floor under any build. Prints a Markdown table; the
load average is printed too, since other processes on the machine change these numbers several-fold.

    python -m bench.first_run [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 180


def timed(args: list[str], env: dict, cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("prefect server did not become healthy")


def builds(env: dict, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="first-run-") as work:
            shutil.copytree(ROOT / "data" / "raw", Path(work) / "data" / "raw")
            seconds.append(timed([str(BIN / "corpus"), "build", "--quiet"], env, Path(work)))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", GX_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    rows = {"Python start-up (import `flows.build`)": [timed([sys.executable, "-c", "import flows.build"], env, ROOT)
                                                      for _ in range(args.repeat)]}
    rows["`corpus build`, temporary server"] = builds(env, args.repeat)
    server, url = start_server(env)
    try:
        rows["`corpus build`, running server"] = builds(dict(env, PREFECT_API_URL=url), args.repeat)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {args.repeat} runs each\n")
    print("| run | median wall s | runs |\n|---|---|---|")
    for label, seconds in rows.items():
        print(f"| {label} | {statistics.median(seconds):.1f} | {', '.join(f'{s:.1f}' for s in seconds)} |")


if __name__ == "__main__":
    main()
