"""Guarantees under hostile conditions, each shown with real processes and real files (README "Guarantees"):
nothing is read outside the input folder, the cache is data that cannot run code and never fails a build,
publication is atomic at every step, failures are one line and leave nothing behind, a killed build leaves
no process behind, `corpus verify` reads only inside the release, and a huge record costs bounded memory."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.build import build_locally
from pipeline.corpus.prepass import count_shard_lines
from pipeline.plan import plan_build
from pipeline.config import BuildConfig, config_from_dict

from conftest import RAW, ROOT, assert_one_build

CORPUS = [sys.executable, "-m", "flows.cli"]
BUILD = ("import sys; from pathlib import Path; from pipeline.build import build_locally; "
         "from pipeline.config import BuildConfig; build_locally(Path(sys.argv[1]), Path(sys.argv[2]), BuildConfig())")
# Prefect's temporary server takes 10-20 s to start, more on a loaded machine.
ENV = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}


def build_process(raw: Path, out: Path, **env) -> subprocess.Popen:
    """``build_locally`` in its own process (no Prefect: fast)."""
    return subprocess.Popen([sys.executable, "-c", BUILD, str(raw), str(out)], cwd=ROOT, env={**ENV, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def corpus(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*CORPUS, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)


def files_under(folder: Path) -> dict[str, bytes]:
    """Every regular file under ``folder``, following the build links (relative path -> bytes)."""
    found = {}
    for root, _, names in os.walk(folder, followlinks=True):
        for name in names:
            path = Path(root) / name
            if path.is_file():
                found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def documents_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "documents").iterdir())}



def assert_one_error_line(result, code: int, fragment: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and lines[0].startswith("corpus build: error: "), result.stderr
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


# -- nothing is read outside the input folder --------------------------------------------------------------


def test_a_file_symlink_out_of_the_input_is_skipped_and_never_read(seed_dir, tmp_path):
    secret = "这段文字位于输入目录之外绝对不能发布"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "page.txt").write_text((RAW / "004_c0fd344d59baed76.txt").read_text(encoding="utf-8") + secret,
                                      encoding="utf-8")
    (seed_dir / "outside.txt").symlink_to(outside / "page.txt")
    (seed_dir / "inside.txt").symlink_to(seed_dir / "002_875649bcf166c00f.txt")  # inside: read as usual
    out = tmp_path / "out"
    manifest = build_locally(seed_dir, out, BuildConfig())
    skipped = {entry["path"]: entry["reason"] for entry in manifest["skipped"]}
    assert skipped["outside.txt"].startswith("ingest.outside_input"), skipped
    assert "outside.txt" not in manifest["inputs"] and "inside.txt" in manifest["inputs"]
    published = files_under(out)
    assert published, "the build published files"
    assert not [name for name, data in published.items() if secret.encode("utf-8") in data]
    assert not [name for name, data in files_under(out / ".cache").items() if secret.encode("utf-8") in data]

    allowed = build_locally(seed_dir, tmp_path / "out-allowed",
                            config_from_dict({"ingest": {"follow_symlinks_outside": True}}))
    assert "outside.txt" in allowed["inputs"], "the explicit setting reads it"


@pytest.mark.parametrize("where", ["equal", "inside", "containing"])
def test_an_output_folder_overlapping_the_input_is_refused_before_any_work(tmp_path, where):
    raw = tmp_path / "data" / "raw"
    shutil.copytree(RAW, raw)
    output = {"equal": raw, "inside": raw / "processed", "containing": tmp_path / "data"}[where]
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = corpus("build", "--input", str(raw), "--output", str(output))
    assert_one_error_line(result, 2, "input folder")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before, "nothing created"


# -- a cache that is data, not code ------------------------------------------------------------------------


class Payload:
    """A pickle that runs a command when loaded."""

    def __init__(self, sentinel: Path):
        self.sentinel = sentinel

    def __reduce__(self):
        return os.system, (f"touch {self.sentinel}",)


def seeded_cache(reference: Path, work: Path) -> list[Path]:
    """``work/.cache`` as a build leaves it between its steps: the pre-pass's line counts (written here),
    plus the reference build's shard cache. Returns every cache file."""
    plan = plan_build(RAW, work, BuildConfig())
    for shard in plan.shards:
        count_shard_lines(shard, RAW, work, BuildConfig())
    shutil.copytree(reference / ".cache" / "shards", work / ".cache" / "shards")
    files = sorted(p for p in (work / ".cache").rglob("*") if p.is_file())
    assert any(p.name.startswith("lines-") for p in files) and any(p.name == "summary.json" for p in files)
    return files


@pytest.fixture(scope="module")
def reference_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    build_locally(RAW, out, BuildConfig())
    return out


@pytest.mark.parametrize("poison", ["garbage", "pickle"])
def test_a_damaged_or_planted_cache_never_fails_a_build_and_never_runs_code(reference_build, tmp_path, poison):
    """Garbage: every cache file but the line counts, which stay valid so the build goes on to read (and
    check) the shard cache; pickle: every cache file, line counts included."""
    sentinel = tmp_path / "payload-ran"
    expected = documents_bytes(reference_build)
    work = tmp_path / "work"
    for path in seeded_cache(reference_build, work):
        if poison == "garbage" and path.name.startswith("lines-"):
            continue
        path.write_bytes(pickle.dumps(Payload(sentinel)) if poison == "pickle" else os.urandom(700))
    planted = work / ".cache" / f"prepared-{'0' * 64}.pickle"  # the old cache's name for prepared documents
    planted.write_bytes(pickle.dumps(Payload(sentinel)))
    process = build_process(RAW, work)
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    dropped = [line for line in stderr.splitlines() if "dropped" in line]
    checked = ".cache/shards/" if poison == "garbage" else "lines-"
    assert any(checked in line for line in dropped), f"one warning line per dropped entry: {stderr}"
    assert documents_bytes(work) == expected
    assert not planted.exists(), "unknown cache files are deleted, never opened"
    assert not sentinel.exists(), "the pickle's command never ran"


def test_no_module_of_the_pipeline_can_unpickle():
    loads = re.compile(r"^\s*(import|from)\s+(cloudpickle|pickle|dill|marshal|shelve)\b|\b(pickle|marshal)\.loads?\(",
                       re.MULTILINE)
    sources = [p for folder in ("pipeline", "flows") for p in (ROOT / folder).rglob("*.py")]
    assert sources
    assert not [p.name for p in sources if loads.search(p.read_text(encoding="utf-8"))]


# -- atomic publication ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bigger_input(tmp_path_factory) -> Path:
    """The seeds plus 20 synthetic documents of the genre (no duplicates among them)."""
    raw = tmp_path_factory.mktemp("bigger") / "raw"
    subprocess.run([sys.executable, "-m", "bench.synthetic", "--docs", "20", "--out", str(raw), "--format", "txt",
                    "--seed", "21", "--exact-dup-rate", "0", "--near-dup-rate", "0"], cwd=ROOT, check=True,
                   capture_output=True)
    (raw / "truth.jsonl").unlink()
    for path in RAW.iterdir():
        shutil.copy(path, raw / path.name)
    return raw


@pytest.mark.parametrize("step", ["moved", "linked", "switched", "pruned"])
def test_a_kill_at_each_step_of_publication_leaves_one_whole_build(reference_build, bigger_input, tmp_path, step):
    out = tmp_path / "out"
    shutil.copytree(reference_build, out, symlinks=True)
    before = assert_one_build(out)
    process = build_process(bigger_input, out, CORPUS_TEST_KILL_AT=step)
    process.communicate(timeout=600)
    assert process.returncode == -signal.SIGKILL, f"the hook killed the build at {step}"
    after = assert_one_build(out)
    new = len(after["inputs"]) == len(list(bigger_input.iterdir()))
    assert after == before or new
    assert new == (step in ("switched", "pruned")), "the new build is visible exactly once the link switched"
    from flows.cli import main

    assert main(["validate", str(out)]) == 0  # `corpus validate`, in this process: GX is imported once
    assert all((out / name).is_symlink() for name in ("documents", "manifest.json", "report.html"))


def test_rollback_publishes_the_previous_build_and_readers_follow(reference_build, bigger_input, tmp_path):
    import pandas as pd
    import polars as pl

    out = tmp_path / "out"
    shutil.copytree(reference_build, out, symlinks=True)
    old = assert_one_build(out)
    build_locally(bigger_input, out, BuildConfig())
    new = assert_one_build(out)
    assert new["counts"]["documents"] > old["counts"]["documents"]
    result = subprocess.run([*CORPUS, "rollback", "--output", str(out)], cwd=ROOT, env=ENV, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert assert_one_build(out) == old
    parts = sorted((out / "documents").glob("*.parquet"))
    assert len(pd.concat(pd.read_parquet(p) for p in parts)) == old["counts"]["documents"]
    assert pl.read_parquet(f"{out}/documents/*.parquet").height == old["counts"]["documents"]
    sql = subprocess.run([*CORPUS, "sql", "select count(*) from documents", "--output", str(out)], cwd=ROOT,
                         env=ENV, capture_output=True, text=True, timeout=120)
    assert sql.returncode == 0 and re.search(rf"│\s*{old['counts']['documents']}\s*│", sql.stdout), sql.stdout


def test_an_old_layout_output_folder_is_migrated_once(reference_build, tmp_path):
    out = tmp_path / "out"
    build = Path(os.path.realpath(reference_build / "current"))
    shutil.copytree(build, out)  # the layout before .builds/: entries as real folders
    old = assert_one_build(out)
    build_locally(RAW, out, BuildConfig())
    assert (out / "current").is_symlink() and (out / "documents").is_symlink()
    assert assert_one_build(out)["counts"] == old["counts"]


# -- one-line errors, nothing left behind --------------------------------------------------------------------


def _unshare_available() -> bool:
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(shutil.which("unshare") is None or not _unshare_available(),
                    reason="needs unshare to mount a private tmpfs")
def test_a_full_disk_gives_one_line_and_keeps_the_previous_build(bigger_input, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    saved = tmp_path / "saved"
    script = f"""
set -e
mount -t tmpfs -o size=6m tmpfs {disk}
{sys.executable} -c '{BUILD}' {RAW} {disk}/out
dd if=/dev/zero of={disk}/filler bs=64k 2>/dev/null || true
set +e
{sys.executable} -m flows.cli build -q --input {bigger_input} --output {disk}/out \\
    > {tmp_path}/stdout 2> {tmp_path}/stderr
echo $? > {tmp_path}/code
cp -a {disk}/out {saved}
"""
    done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script], cwd=ROOT,
                          env=ENV, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    result = subprocess.CompletedProcess([], int((tmp_path / "code").read_text()), (tmp_path / "stdout").read_text(),
                                         (tmp_path / "stderr").read_text())
    assert_one_error_line(result, 74, "No space left on device")
    assert not (saved / ".staging").exists()
    assert len(assert_one_build(saved)["inputs"]) == len(list(RAW.iterdir())), "the previous build stays"


def test_a_second_build_on_the_same_output_is_refused_with_one_line(bigger_input, tmp_path):
    out = tmp_path / "out"
    first = build_process(bigger_input, out)
    lock = out / ".build.lock"
    deadline = time.monotonic() + 120
    while not (lock.is_file() and lock.read_text().startswith("pid")) and time.monotonic() < deadline:
        time.sleep(0.05)
    inputs_before = sorted(p.name for p in bigger_input.iterdir())
    second = corpus("build", "-q", "--input", str(bigger_input), "--output", str(out))
    assert first.poll() is None, "the first build was still running when the second was refused"
    assert_one_error_line(second, 75, "another build is writing to")
    _, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert_one_build(out)
    assert not (out / ".staging").exists()
    assert sorted(p.name for p in bigger_input.iterdir()) == inputs_before


# -- no orphans ---------------------------------------------------------------------------------------------


def descendants(pid: int) -> dict[int, str]:
    """Live descendants of ``pid`` (pid -> start time), from /proc."""
    children: dict[int, list[int]] = {}
    starts = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            starts[int(entry.name)] = fields[19]
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = starts[child]
            todo.append(child)
    return found


def alive(pid: int, start: str) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and fields[19] == start  # a zombie is dead, only not yet reaped


def test_sigkill_of_the_main_process_leaves_no_process_of_the_build(bigger_input, tmp_path):
    out = tmp_path / "out"
    main = subprocess.Popen([*CORPUS, "build", "--input", str(bigger_input), "--output", str(out), "-q"], cwd=ROOT,
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and main.poll() is None:
        seen.update(descendants(main.pid))
        if (out / ".staging").is_dir() and len(descendants(main.pid)) >= 3:  # server, workers, tracker
            break
        time.sleep(0.1)
    assert main.poll() is None, "the build was killed mid-way, not after it finished"
    seen.update(descendants(main.pid))
    main.send_signal(signal.SIGKILL)
    main.wait(timeout=30)
    time.sleep(10)
    survivors = [pid for pid, start in seen.items() if alive(pid, start)]
    assert len(seen) >= 3, seen
    assert not survivors, [Path(f"/proc/{pid}/cmdline").read_bytes()[:120] for pid in survivors]


# -- corpus verify reads only inside the release ---------------------------------------------------------------


@pytest.fixture()
def release(reference_build, tmp_path) -> Path:
    from pipeline.release import make_release

    target = make_release(reference_build, tmp_path / "releases", "1.0.0")
    assert corpus_verify(target).returncode == 0
    assert oct(target.stat().st_mode & 0o077) != "0o0", "readable by others, not drwx------"
    return target


def corpus_verify(target: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CORPUS, "verify", str(target)], cwd=ROOT, env=ENV, capture_output=True, text=True,
                          timeout=120)


def append_sum(target: Path, name: str, data: bytes) -> None:
    with open(target / "SHA256SUMS", "a", encoding="utf-8") as sums:
        sums.write(f"{hashlib.sha256(data).hexdigest()}  {name}\n")


def test_verify_refuses_an_absolute_path_in_sha256sums(release, tmp_path):
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"not part of the release")
    append_sum(release, str(elsewhere), elsewhere.read_bytes())  # a correct hash: only the path is wrong
    result = corpus_verify(release)
    assert result.returncode != 0 and "outside the release" in result.stderr, result.stderr


def test_verify_refuses_a_dotdot_path_in_sha256sums(release):
    sibling = release.parent / "other" / "manifest.json"
    sibling.parent.mkdir()
    sibling.write_bytes(b"{}")
    append_sum(release, "../other/manifest.json", b"{}")
    result = corpus_verify(release)
    assert result.returncode != 0 and "outside the release" in result.stderr, result.stderr


def test_verify_catches_data_edited_with_sha256sums_rewritten(release):
    import gzip

    data = release / "jsonl" / "train.jsonl.gz"
    rows = gzip.decompress(data.read_bytes()).decode("utf-8").splitlines()
    rows[0] = rows[0].replace("的", "地", 1)
    data.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode("utf-8"), mtime=0))
    sums = [line.split("  ", 1) for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()]
    rewritten = [f"{hashlib.sha256((release / name).read_bytes()).hexdigest()}  {name}" for _, name in sums]
    (release / "SHA256SUMS").write_text("\n".join(rewritten) + "\n", encoding="utf-8")
    result = corpus_verify(release)
    assert result.returncode != 0
    assert "disagrees with manifest.json on jsonl/train.jsonl.gz" in result.stderr, result.stderr


# -- bounded reads -------------------------------------------------------------------------------------------


def peak_rss_mb(raw: Path, out: Path) -> float:
    process = build_process(raw, out)
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read()
    return usage.ru_maxrss / 1024


def test_a_400_mb_one_line_record_is_rejected_with_bounded_memory(tmp_path):
    small, huge = tmp_path / "small", tmp_path / "huge"
    for folder in (small, huge):
        folder.mkdir()
    record = json.dumps({"text": (RAW / "004_c0fd344d59baed76.txt").read_text(encoding="utf-8")}, ensure_ascii=False)
    (small / "batch.jsonl").write_text(record + "\n", encoding="utf-8")
    with open(huge / "batch.jsonl", "w", encoding="utf-8") as handle:
        handle.write(record + "\n")
        handle.write('{"text": "')
        block = "很长的记录" * 200_000  # 3 MB of UTF-8
        for _ in range(134):  # ~400 MB on one line
            handle.write(block)
        handle.write('"}\n')
    assert (huge / "batch.jsonl").stat().st_size > 400_000_000
    baseline = peak_rss_mb(small, tmp_path / "out-small")
    peak = peak_rss_mb(huge, tmp_path / "out-huge")
    manifest = json.loads((tmp_path / "out-huge" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["quarantined_by_reason"].get("ingest.too_large") == 1
    assert manifest["counts"]["documents"] == 1
    assert peak - baseline < 100, f"{peak:.0f} MB against {baseline:.0f} MB for one small record"
