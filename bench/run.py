"""Scale benchmark: the full build on a synthetic corpus, with reference points measured in the same run.

For each size it prints and appends to ``bench/RESULTS.md``: documents/s, MB/s, the share of the recipe's
floor (``bench/floor.py``, measured on the same corpus), peak RSS of the whole process tree, seconds per stage
(summed over shard workers) and per phase, Prefect's fixed overhead, a rebuild with unchanged input, a
rebuild after editing one input file (only its shard recomputed), raw OpenCC ``t2s`` throughput on the same
text, a plain "read JSONL → write Parquet" pass on the same data, and the latest earlier result for the same
size found in RESULTS.md (which keeps every run: new ones are appended).

    python -m bench.run                      # 100,000 and 1,000,000 documents (the issue's sizes)
    python -m bench.run --docs 100000        # only 100k
    python -m bench.run --docs 10000 --cold-only --no-write   # a quick check of the script itself
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"

BUILD_SCRIPT = """
import json, sys, time
from flows.build import run_build
started = time.perf_counter()
manifest = run_build(sys.argv[1], sys.argv[2], None, runner=sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - started, "counts": manifest["counts"],
                  "stage_seconds": manifest["stage_seconds"], "phase_seconds": manifest.get("phase_seconds", {}),
                  "reused": sum(1 for s in manifest["shards"] if s["reused"]), "shards": len(manifest["shards"])}))
"""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()}")


@dataclasses.dataclass
class Memory:
    """Peak RSS in MiB: of the whole process tree, of the flow process alone, and of the largest other process
    (a shard worker), each sampled every 0.2 s."""

    tree: float = 0.0
    flow: float = 0.0
    worker: float = 0.0

    def text(self) -> str:
        return f"{self.tree:.0f} MiB (flow process {self.flow:.0f}, largest worker {self.worker:.0f})"


def run_measured(args: list[str], env: dict) -> tuple[dict, float, Memory]:
    """Run a command; return (its JSON output, wall seconds, its peak memory)."""
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = Memory()
    stop = threading.Event()

    def sample():
        parent = psutil.Process(process.pid)
        while not stop.is_set():
            try:
                flow = parent.memory_info().rss / 2**20
                others = [p.memory_info().rss / 2**20 for p in parent.children(recursive=True) if p.is_running()]
                peak.tree = max(peak.tree, flow + sum(others))
                peak.flow = max(peak.flow, flow)
                peak.worker = max(peak.worker, *others, 0.0)
            except psutil.Error:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(args)}\n{stderr[-3000:]}")
    results = [line for line in stdout.splitlines() if line.startswith("{")]
    if not results:
        raise SystemExit(f"command printed no result line: {' '.join(args)}\n{stdout[-2000:]}\n{stderr[-3000:]}")
    return json.loads(results[-1]), wall, peak


def reference_t2s(corpus: Path) -> float:
    """Raw OpenCC t2s on the corpus text, one core: MB/s of UTF-8 input."""
    import opencc

    converter = opencc.OpenCC("t2s")
    total = 0
    started = time.perf_counter()
    for path in sorted(corpus.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"]
                converter.convert(text)
                total += len(text.encode("utf-8"))
    return total / 1e6 / (time.perf_counter() - started)


def reference_read_write(corpus: Path, target: Path) -> float:
    """Plain read JSONL → write Parquet (pyarrow, zstd), the floor any build pays: MB/s."""
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    target.mkdir(parents=True, exist_ok=True)
    size = 0
    started = time.perf_counter()
    for index, path in enumerate(sorted(corpus.glob("*.jsonl"))):
        size += path.stat().st_size
        table = pj.read_json(path, read_options=pj.ReadOptions(block_size=64 << 20))
        pq.write_table(table, target / f"part-{index:05d}.parquet", compression="zstd")
    return size / 1e6 / (time.perf_counter() - started)


def corpus_for(docs: int, workdir: Path) -> Path:
    corpus = workdir / f"corpus-{docs}"
    if not (corpus / "done").is_file():
        shutil.rmtree(corpus, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "bench.synthetic", "--docs", str(docs), "--out", str(corpus),
                        "--format", "jsonl", "--docs-per-shard", "5000"], cwd=ROOT, check=True)
        truth = corpus / "truth.jsonl"
        if truth.exists():
            truth.rename(workdir / f"truth-{docs}.jsonl")  # not an input document
        (corpus / "done").write_text("")
    return corpus


def bench_size(docs: int, runner: str, workdir: Path, env: dict, cold_only: bool = False) -> dict:
    corpus = corpus_for(docs, workdir)
    megabytes = sum(p.stat().st_size for p in corpus.glob("*.jsonl")) / 1e6
    out = workdir / f"out-{docs}"
    shutil.rmtree(out, ignore_errors=True)
    build = [sys.executable, "-c", BUILD_SCRIPT, str(corpus), str(out), runner]
    cold, cold_wall, cold_rss = run_measured(build, env)
    # printed at once: a long run that fails later still leaves its cold build on record
    print(json.dumps({"docs": docs, "cold_seconds": round(cold["seconds"], 1),
                      "mb_per_second": round(megabytes / cold["seconds"], 2), "peak_rss_mib": round(cold_rss.tree),
                      "peak_flow_mib": round(cold_rss.flow), "peak_worker_mib": round(cold_rss.worker),
                      "phase_seconds": cold["phase_seconds"]}), flush=True)
    from bench.floor import floor_mb_per_second  # bench.floor imports this module

    result = {
        "docs": docs, "megabytes": megabytes, "cold_seconds": cold["seconds"], "cold_wall": cold_wall,
        "peak_rss_mib": cold_rss.tree, "memory": cold_rss.text(), "stage_seconds": cold["stage_seconds"],
        "counts": cold["counts"], "phase_seconds": cold["phase_seconds"],
        # after the build, not beside it: the floor is CPU time on one core, measured on a quiet machine
        "floor_mb_s": floor_mb_per_second(corpus), "previous": previous_result(docs),
    }
    if cold_only:
        return result
    warm, warm_wall, _ = run_measured(build, env)
    first = sorted(corpus.glob("*.jsonl"))[0]
    original = first.read_bytes()
    try:
        first.write_bytes(original.replace("。".encode(), "；".encode(), 1))
        edited, edited_wall, _ = run_measured(build, env)
    finally:
        first.write_bytes(original)
    return result | {
        "warm_seconds": warm["seconds"], "warm_reused": f"{warm['reused']}/{warm['shards']}",
        "edited_seconds": edited["seconds"], "edited_reused": f"{edited['reused']}/{edited['shards']}",
        "t2s_mb_s": reference_t2s(corpus), "read_write_mb_s": reference_read_write(corpus, workdir / "plain"),
    }


def prefect_overhead(runner: str, workdir: Path, env: dict) -> float:
    tiny = workdir / "tiny"
    tiny.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "raw" / "004_c0fd344d59baed76.txt", tiny / "one.txt")
    shutil.rmtree(workdir / "tiny-out", ignore_errors=True)
    result, _, _ = run_measured([sys.executable, "-c", BUILD_SCRIPT, str(tiny), str(workdir / "tiny-out"), runner],
                                env)
    return result["seconds"]


def format_result(r: dict, overhead: float) -> str:
    mb_s = r["megabytes"] / r["cold_seconds"]
    stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stage_seconds"].items())
    phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phase_seconds"].items()) + " (then report and publish)"
    lines = [
        f"### {r['docs']:,} documents ({r['megabytes']:.0f} MB of JSONL)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| cold build | {r['cold_seconds']:.1f} s ({r['docs'] / r['cold_seconds']:.0f} docs/s, {mb_s:.2f} MB/s) |",
        f"| share of the floor (bench/floor.py, 2 cores: {r['floor_mb_s']:.1f} MB/s) | "
        f"{mb_s / r['floor_mb_s']:.1%} |",
        f"| peak RSS (process tree) | {r['memory']} |",
        f"| stage seconds (sum over workers) | {stages} |",
        f"| wall seconds by phase (flow process) | {phases} |",
        f"| Prefect fixed overhead (1-document build, whole flow) | {overhead:.1f} s |",
    ]
    if "warm_seconds" in r:  # not with --cold-only
        lines += [
            f"| rebuild, unchanged input | {r['warm_seconds']:.1f} s "
            f"({r['warm_seconds'] / r['cold_seconds']:.1%} of cold; "
            f"{r['warm_reused']} shards reused) |",
            f"| rebuild, one input file edited | {r['edited_seconds']:.1f} s ({r['edited_reused']} shards reused) |",
            f"| reference: raw OpenCC t2s, 1 core | {r['t2s_mb_s']:.1f} MB/s |",
            f"| reference: read JSONL → write Parquet | {r['read_write_mb_s']:.1f} MB/s "
            f"(build at {mb_s / r['read_write_mb_s']:.1%} of it) |",
        ]
    if r.get("previous"):
        lines.append(f"| previous result in RESULTS.md | {r['previous']} |")
    lines += [
        f"| documents / quarantined / duplicates | {r['counts']['documents']} / {r['counts']['quarantined']} / "
        f"{r['counts']['duplicates']} |",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="corpus sizes, smallest first (default: 100000 1000000; `--docs 100000` runs only 100k)")
    parser.add_argument("--runner", default="process")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/corpus-bench"))
    parser.add_argument("--cold-only", action="store_true",
                        help="only the cold build at each size (time, memory and their growth between sizes)")
    parser.add_argument("--no-write", action="store_true", help="print only, do not append to bench/RESULTS.md")
    parser.add_argument("--server", action="store_true",
                        help="run against a real `prefect server start` (as scheduled rebuilds do) instead of "
                             "Prefect's temporary per-build server")
    args = parser.parse_args(argv)
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    args.workdir.mkdir(parents=True, exist_ok=True)
    server = start_server(args.workdir, env) if args.server else None
    try:
        return run_sizes(args, env, server)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def start_server(workdir: Path, env: dict) -> subprocess.Popen:
    """A real Prefect server on a free loopback port; sets PREFECT_API_URL in ``env``."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env["PREFECT_HOME"] = str(workdir / "prefect-home")
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start", "--host",
                               "127.0.0.1", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{env['PREFECT_API_URL']}/health", timeout=2):
                return server
        except OSError:
            time.sleep(1)
    server.terminate()
    raise SystemExit("prefect server did not become healthy in 120 s")


def run_sizes(args, env: dict, server) -> int:
    overhead = prefect_overhead(args.runner, args.workdir, env)
    mode = "a running Prefect server" if server is not None else "Prefect's temporary server per build"
    heading = f"## {time.strftime('%Y-%m-%d')}: runner `{args.runner}`, {mode}, on {machine()}\n"
    print(heading, flush=True)
    if not args.no_write:
        header = "" if RESULTS.exists() else "# Benchmark results\n\nProduced by `python -m bench.run`.\n\n"
        with open(RESULTS, "a", encoding="utf-8") as handle:
            handle.write(header + heading + "\n")
    results = []
    for docs in args.docs:
        results.append(bench_size(docs, args.runner, args.workdir, env, args.cold_only))
        text = format_result(results[-1], overhead)
        if len(results) > 1:
            text += growth(results[-2], results[-1])
        print(text, flush=True)
        if not args.no_write:  # each size as soon as it is measured: a long run still leaves its results
            with open(RESULTS, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")
    return 0


def previous_result(docs: int, results: Path = RESULTS) -> str | None:
    """The cold build of the latest run for ``docs`` documents recorded in ``results`` ("<value> — <run
    heading>"), or None: so each new run prints what it is compared with.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "RESULTS.md"
    >>> _ = path.write_text("## 2026-11-22: runner `process`\\n### 100,000 documents (932 MB of JSONL)\\n"
    ...                     "| cold build | 192.0 s (521 docs/s, 4.85 MB/s) |\\n", encoding="utf-8")
    >>> previous_result(100_000, path)
    '192.0 s (521 docs/s, 4.85 MB/s) — 2026-11-22: runner `process`'
    >>> previous_result(1_000_000, path) is None
    True
    """
    if not results.is_file():
        return None
    heading, size, found = "", None, None
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        elif line.startswith("### "):
            words = line[4:].split()
            size = words[0].replace(",", "") if len(words) > 1 and words[1] == "documents" else None
        elif line.startswith("| cold build |") and size == str(docs):
            found = f"{line.split('|')[2].strip()} — {heading}"
    return found


def growth(smaller: dict, larger: dict) -> str:
    """How cold-build time and peak RSS grew from one size to the next, measured in the same run."""
    scale = larger["docs"] / smaller["docs"]
    return (f"Growth from {smaller['docs']:,} to {larger['docs']:,} documents ({scale:g}× the input): cold build "
            f"time ×{larger['cold_seconds'] / smaller['cold_seconds']:.2f}, peak RSS "
            f"×{larger['peak_rss_mib'] / smaller['peak_rss_mib']:.2f}.\n")


if __name__ == "__main__":
    sys.exit(main())
