"""Publishing a build: ``<out>/.builds/<build id>/`` holds one folder per published build and the link
``<out>/current`` names the published one; each dataset entry of ``<out>`` is a link through ``current``. A
publication switches that one link atomically, so readers see the old build or the new one, never a mix.

Changes: the output folder's ``.builds/``, ``current`` and entry links (and, once, an output folder of the
layout before ``.builds/``). Leaves alone: the files inside a build (the build and ``pipeline.writers`` write
them) and the shard cache.
"""

from __future__ import annotations

import datetime
import os
import signal
from pathlib import Path
from typing import Iterable

from pipeline import layout
from pipeline.errors import OutputError
from pipeline.io import read_json, remove_tree

PUBLISHED_ENTRIES = layout.PUBLISHED_ENTRIES
JOURNAL_NAME = ".publish-journal.json"  # left by builds before the .builds/ layout; rolled forward once
PREVIOUS_NAME = ".previous"
BUILDS_NAME = ".builds"  # <out>/.builds/<build id>/: one folder per published build
CURRENT_NAME = "current"  # <out>/current -> .builds/<build id>: the one link a publication switches
MIGRATED_ID = "00000000T000000.000000Z-migrated"  # sorts before every real build id
# Builds kept for `corpus rollback` besides the current one. Old builds share the shard cache's hard links,
# so a kept build costs only the files that differ from the current one.
KEEP_BUILDS = 3
# Test hook: the name of a publication step at which the process kills itself (fault-injection tests).
KILL_AT_ENV = "CORPUS_TEST_KILL_AT"


def _step_done(name: str) -> None:
    """Mark a step of publication; ``CORPUS_TEST_KILL_AT=<name>`` SIGKILLs the process right here."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _sync_folder(folder: Path) -> None:
    """fsync a folder so the renames and links made in it survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_build_id(builds: Path) -> str:
    """A sortable, unique name for a build folder: UTC time to the microsecond."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    build_id, n = stamp, 0
    while (builds / build_id).exists():
        n += 1
        build_id = f"{stamp}-{n}"
    return build_id


def published_build(output_dir: Path) -> Path:
    """The folder of the build ``output_dir`` currently publishes (``current`` resolved), or ``output_dir``
    itself for a folder in the old layout. Commands that write into a build (validate, report) write there,
    never through the fixed links."""
    current = Path(output_dir) / CURRENT_NAME
    return current.resolve() if current.is_symlink() else Path(output_dir)


def build_ids(output_dir: Path) -> list[str]:
    """The kept builds, oldest first."""
    builds = Path(output_dir) / BUILDS_NAME
    if not builds.is_dir():
        return []
    return sorted(entry.name for entry in builds.iterdir() if entry.is_dir() and not entry.name.startswith("."))


def current_build_id(output_dir: Path) -> str | None:
    current = Path(output_dir) / CURRENT_NAME
    return Path(os.readlink(current)).name if current.is_symlink() else None


def switch_current(output_dir: Path, build_id: str) -> None:
    """Point ``<out>/current`` at ``.builds/<build_id>`` with one atomic rename of a new link: a reader
    resolves either the old build or the new one, never a mix."""
    link = output_dir / f".{CURRENT_NAME}-{os.getpid()}.tmp"
    if link.is_symlink():
        link.unlink()
    os.symlink(f"{BUILDS_NAME}/{build_id}", link)
    try:
        os.replace(link, output_dir / CURRENT_NAME)
    except IsADirectoryError:
        link.unlink()
        raise OutputError(f"{output_dir / CURRENT_NAME} is a folder, not the build link; move it away") from None
    _sync_folder(output_dir)


def _link_entries(output_dir: Path, names: Iterable[str]) -> None:
    """The fixed user-facing links ``<out>/<name> -> current/<name>``, created once and never swapped (a
    name the current build lacks dangles, which reads as "no such entry")."""
    for name in names:
        entry = output_dir / name
        if entry.is_symlink() or entry.exists():
            continue
        os.symlink(f"{CURRENT_NAME}/{name}", entry)


def publish(staging: Path, output_dir: Path) -> str:
    """Publish a finished build: ``staging`` becomes ``.builds/<build id>`` (one rename, invisible to
    readers), the fixed links get any new entry name, and ``current`` switches to it (one atomic rename).
    A kill at any point leaves the previous build or the new one published, whole. Returns the build id."""
    migrate_layout(output_dir)
    builds = output_dir / BUILDS_NAME
    builds.mkdir(exist_ok=True)
    build_id = new_build_id(builds)
    os.rename(staging, builds / build_id)
    _step_done("moved")
    _link_entries(output_dir, [*PUBLISHED_ENTRIES, *sorted(entry.name for entry in (builds / build_id).iterdir()
                                                             if not entry.name.startswith("."))])
    _step_done("linked")
    switch_current(output_dir, build_id)
    _step_done("switched")
    prune_builds(output_dir)
    _step_done("pruned")
    return build_id


def prune_builds(output_dir: Path, keep: int = KEEP_BUILDS) -> None:
    """Delete all but the newest ``keep`` builds besides the current one."""
    current = current_build_id(output_dir)
    others = [build_id for build_id in build_ids(output_dir) if build_id != current]
    for build_id in others[:max(0, len(others) - keep)]:
        remove_tree(output_dir / BUILDS_NAME / build_id)


def rollback(output_dir: Path, build_id: str | None = None) -> str:
    """Publish an earlier kept build again (default: the newest one older than the current build)."""
    ids = build_ids(output_dir)
    current = current_build_id(output_dir)
    if build_id is None:
        older = [b for b in ids if current is None or b < current]
        if not older:
            raise OutputError(f"no earlier build kept in {output_dir / BUILDS_NAME} to roll back to")
        build_id = older[-1]
    elif build_id not in ids:
        raise OutputError(f"no build {build_id!r} in {output_dir / BUILDS_NAME}; kept: {', '.join(ids) or 'none'}")
    switch_current(output_dir, build_id)
    return build_id


def migrate_layout(output_dir: Path) -> bool:
    """Turn an output folder of the old layout (entries as real folders) into the ``.builds/`` layout once:
    its build becomes ``.builds/<MIGRATED_ID>`` and every entry a fixed link. Idempotent, so a kill half-way
    is finished by the next run. Returns True when there was something to migrate."""
    recover_publication(output_dir)  # a half-done publication of the old kind is rolled forward first
    legacy = [name for name in PUBLISHED_ENTRIES
              if (output_dir / name).exists() and not (output_dir / name).is_symlink()]
    if not legacy:
        return False
    target = output_dir / BUILDS_NAME / MIGRATED_ID
    target.mkdir(parents=True, exist_ok=True)
    if current_build_id(output_dir) is None:
        switch_current(output_dir, MIGRATED_ID)
    for name in legacy:
        os.replace(output_dir / name, target / name)
        _link_entries(output_dir, [name])
    _link_entries(output_dir, PUBLISHED_ENTRIES)
    _sync_folder(output_dir)
    return True


def recover_publication(output_dir: Path) -> bool:
    """Finish a publication that a killed build left half-done. Returns True when there was one."""
    journal_path = output_dir / JOURNAL_NAME
    if not journal_path.is_file():
        return False
    try:
        journal = read_json(journal_path)
    except (OSError, ValueError):
        journal_path.unlink()  # written atomically, so unreadable means foreign: nothing to roll forward
        return False
    staging = output_dir / journal["staging"]
    previous = output_dir / PREVIOUS_NAME
    previous.mkdir(exist_ok=True)
    for name in journal["entries"]:
        new = staging / name
        old = output_dir / name
        if not new.exists():
            continue  # already moved in (or this build has no such entry)
        if (old.exists() or old.is_symlink()) and not (previous / name).exists():
            os.replace(old, previous / name)
        elif old.exists():
            remove_tree(old)
        os.replace(new, old)
    # Entries the new build does not have (e.g. no report yet) must not survive from the old build.
    for name in journal["entries"]:
        if (previous / name).exists() and not (output_dir / name).exists():
            pass  # nothing to restore: the new build intentionally has no such entry
    remove_tree(previous)
    remove_tree(staging)
    journal_path.unlink()
    return True
