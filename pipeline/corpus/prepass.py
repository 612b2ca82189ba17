"""The cross-document pre-pass: every shard's inputs are read once before the build, through the stages
that come before the first corpus-wide stage (script conversion: lines are compared in Simplified), to
count which candidate lines each source repeats. It keeps only those counts (line hashes, cached by shard
key in ``.cache/lines-<key>.json``); the documents are dropped, and the build reads its inputs again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from pathlib import Path

from pipeline import io
from pipeline.stages import artifacts
from pipeline.config import BuildConfig
from pipeline.corpus.content_groups import content_group
from pipeline.corpus.lines import common_lines, source_key
from pipeline.document import Rejection
from pipeline.plan import BuildPlan, Shard
from pipeline.readers import read_units
from pipeline.shard_cache import LINES_KIND, drop_cache_entry, lines_path, prune_cache
from pipeline.stages import STAGES, run_stages

# The stages a document goes through before line counting: those before the first corpus-wide stage.
BEFORE_COUNTING = STAGES[:next(index for index, stage in enumerate(STAGES) if stage.corpus_wide)]


def _cached_counts(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        cached = io.read_verified_json(path, LINES_KIND)
        if isinstance(cached, dict) and isinstance(cached.get("documents"), dict) \
                and isinstance(cached.get("lines"), dict):
            return cached
        raise io.CacheDamaged("not line counts")
    except io.CacheDamaged as damage:
        drop_cache_entry(path, str(damage))
    return None


def count_shard_lines(shard: Shard, input_dir: Path, output_dir: Path, config: BuildConfig) -> dict:
    """Pre-pass for cross-document repetition: per source, how many articles contain each candidate line.

    Counted once per content group (``pipeline.corpus.content_groups``), not per document: the copies of one
    reposted article (other encodings, other site chrome) count as one, so the article's own lines never
    look like a footer. ``documents`` is the number of groups per source. Shards are counted apart, so a
    group whose copies land in k shards still counts k times (k <= the copies); merging groups across
    shards would need every group's line set in the merge, which does not scale with the corpus.

    Compact by design: only line hashes seen in at least two groups of the shard are returned (a footer
    repeats in most documents of a shard; a line seen once per shard cannot reach the thresholds on
    realistic shards of thousands of documents). Cached under ``.cache/`` by shard key, so an unchanged
    shard costs nothing.
    """
    io.use_system_allocator()  # a worker's first step: see io.use_system_allocator
    cache = lines_path(output_dir, shard.key)
    if shard.key and (cached := _cached_counts(cache)) is not None:
        return cached
    groups: dict[str, dict[str, set]] = {}  # source -> content group -> candidate line hashes of its copies
    for item in read_units(shard.units, Path(input_dir), config, None, {}):
        if isinstance(item, Rejection):
            continue
        kept, _ = run_stages(item, config, BEFORE_COUNTING)
        for doc in kept:
            source = groups.setdefault(source_key(doc.source_file, doc.url), {})
            source.setdefault(content_group(doc.text, config.artifacts), set()).update(
                artifacts.count_line_hashes([doc.text], config.artifacts))
    lines = {source: Counter(h for hashes in by_group.values() for h in hashes) for source, by_group in groups.items()}
    result = {"documents": {source: len(by_group) for source, by_group in sorted(groups.items())},
              "lines": {source: {h: n for h, n in sorted(counter.items()) if n >= 2}
                        for source, counter in sorted(lines.items())}}
    if shard.key:
        io.write_verified_json(cache, LINES_KIND, result)
    return result


def with_common_lines(plan: BuildPlan, common: dict[str, list[str]]) -> BuildPlan:
    """The plan with shard keys that also cover the cross-document line set (it changes every shard's output)."""
    digest = hashlib.sha256(json.dumps(common, sort_keys=True).encode()).hexdigest()
    shards = tuple(dataclasses.replace(s, key=hashlib.sha256(f"{s.key}:{digest}".encode()).hexdigest())
                   for s in plan.shards)
    return dataclasses.replace(plan, shards=shards)


def apply_common_lines(plan: BuildPlan, line_counts: list[dict], config: BuildConfig):
    """(plan with keys covering the common lines, common lines) from the shards' pre-pass results."""
    prune_cache(plan, {shard.key for shard in plan.shards})
    common = common_lines(line_counts, config)
    return with_common_lines(plan, common), common
