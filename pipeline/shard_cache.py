"""The build's cache under ``<output>/.cache``: a finished shard's files (hard links) and summary, keyed by
the shard key, so an unchanged shard is linked into staging instead of computed; and the pre-pass's line
counts (``lines-<key>.json``). Every entry is data checked on reading (``io.read_verified_json``): an entry
that cannot be trusted is deleted with one warning line and recomputed; the build never fails because of
its cache, and nothing in it is ever unpickled.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from pathlib import Path

from pipeline import io, writers
from pipeline.manifest import ShardSummary
from pipeline.plan import CACHE_NAME, BuildPlan, Shard



SHARD_CACHE = "shards"  # .cache/shards/<shard key>/: hard links to a finished shard's files + summary.json


LINES_KIND = "corpus-line-counts"  # kind of a pre-pass's cached line counts
SHARD_SUMMARY_KIND = "corpus-shard-summary"  # kind of a cached shard's summary.json

cache_log = logging.getLogger("pipeline.cache")


def drop_cache_entry(path: Path, why: str) -> None:
    """A cache entry that cannot be trusted is deleted with one warning line; the caller recomputes it.
    The build never fails because of its cache."""
    cache_log.warning("cache entry %s dropped (%s); recomputing it", path, why)
    io.remove_tree(path)


def lines_path(output_dir: Path, key: str) -> Path:
    """Where the pre-pass keeps a shard's line counts."""
    return Path(output_dir) / CACHE_NAME / f"lines-{key}.json"


def shard_files(staging_dir: Path, shard: Shard) -> dict:
    """Relative path -> sha256 of every file ``shard`` wrote into ``staging_dir``."""
    files = {}
    for folder, suffix in writers.SHARD_FILES:
        path = Path(staging_dir) / folder / f"{shard.name}{suffix}"
        if path.is_file():
            files[f"{folder}/{path.name}"] = io.sha256_file(path)
    return files


def _shard_cache(output_dir: Path, shard: Shard) -> Path:
    return Path(output_dir) / CACHE_NAME / SHARD_CACHE / shard.key


def cache_shard(output_dir: Path, shard: Shard, staging_dir: Path, summary: ShardSummary) -> None:
    """Keep a finished shard's files (hard links, no copy) and summary, keyed by the shard key."""
    cache = _shard_cache(output_dir, shard)
    io.remove_tree(cache)
    cache.mkdir(parents=True)
    hashes = {}
    for folder, suffix in writers.SHARD_FILES:
        path = staging_dir / folder / f"{shard.name}{suffix}"
        if path.is_file():
            io.link_or_copy(path, cache / f"{folder}{suffix}")
            hashes[f"{folder}{suffix}"] = summary.files[f"{folder}/{path.name}"]
    io.write_verified_json(cache / "summary.json", SHARD_SUMMARY_KIND,
                           {"key": shard.key, "summary": summary.to_dict(), "files": hashes})


def _summary_from_entry(shard: Shard, data: dict, files: dict) -> ShardSummary:
    return ShardSummary(index=shard.index, inputs=data["inputs"], documents=data["documents"],
                        articles_added_by_split=data["articles_added_by_split"],
                        quarantined_by_reason=Counter(data["quarantined_by_reason"]),
                        removals_by_rule=Counter(data["removals_by_rule"]),
                        encodings=Counter(data["encodings"]), scripts=Counter(data["scripts"]),
                        reused=True, files=dict(files))  # no stage_seconds: nothing was computed


def reuse_shard(shard: Shard, output_dir: Path, staging_dir: Path) -> ShardSummary | None:
    """The summary of an unchanged shard whose files are in the shard cache (linked into staging), or None
    when it must be computed: no cache entry for its key, or a cached file missing or altered since."""
    if not shard.key:
        return None
    cache = _shard_cache(output_dir, shard)
    if not (cache / "summary.json").is_file():
        return None
    try:
        entry = io.read_verified_json(cache / "summary.json", SHARD_SUMMARY_KIND)
        if not isinstance(entry, dict) or entry.get("key") != shard.key or not isinstance(entry.get("files"), dict):
            raise io.CacheDamaged("not this shard's summary")
        expected = {f"{folder}{suffix}" for folder, suffix in writers.SHARD_FILES}
        for name, digest in entry["files"].items():
            if name not in expected:  # a name is joined to paths below: only the known ones
                raise io.CacheDamaged(f"unknown file {name!r}")
            if not (cache / name).is_file() or (cache / name).is_symlink() or io.sha256_file(cache / name) != digest:
                raise io.CacheDamaged(f"{name} is missing or altered")
        summary = _summary_from_entry(shard, entry["summary"], {})
    except io.CacheDamaged as damage:
        drop_cache_entry(cache, str(damage))
        return None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        drop_cache_entry(cache, f"malformed summary: {type(error).__name__}")
        return None
    files = {}
    for name, digest in entry["files"].items():
        folder, _, suffix = name.partition(".")
        target = staging_dir / folder / f"{shard.name}.{suffix}"
        io.link_or_copy(cache / name, target)
        files[f"{folder}/{target.name}"] = digest
    return dataclasses.replace(summary, files=files)


def prune_shard_cache(plan: BuildPlan) -> None:
    """After a successful build, forget cached shards that are no longer part of the input."""
    root = plan.output_dir / CACHE_NAME / SHARD_CACHE
    keys = {shard.key for shard in plan.shards}
    if root.is_dir():
        for entry in root.iterdir():
            if entry.name not in keys:
                io.remove_tree(entry)


def prune_cache(plan: BuildPlan, line_keys: set[str]) -> None:
    """Drop cached line counts of shards that are no longer in the plan, and anything unknown at the top of
    the cache (a planted pickle, the prepared documents of an older version): never opened, only deleted."""
    cache = plan.output_dir / CACHE_NAME
    if cache.is_dir():
        wanted = {lines_path(plan.output_dir, key).name for key in line_keys}
        for path in cache.iterdir():
            if path.name != SHARD_CACHE and path.name not in wanted:
                io.remove_tree(path)
