"""The cross-document pre-pass: every shard's inputs are read once before the build, through the stages
that come before the first corpus-wide stage (script conversion: lines are compared in Simplified), to
count which candidate lines each source repeats. It keeps only those counts (line hashes, cached by shard
key in ``.cache/lines-<key>.json``); the documents are dropped, and the build reads its inputs again.

It converts only what the counts read: a Traditional document's candidate lines and the few long sentences
that can be its content group's key, not its whole text (``_counted_lines``; the counts are the same as
those of the whole converted text, see ``pipeline.stages.script.line_conversion``). Keeping the converted
documents for the build instead (.cache/prepared-<key>, 66f89f7) was dropped when the recipe became one list
of stages (34f6f03): a second copy of the input on disk, which a worker on another machine cannot see.
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
from pipeline.corpus.content_groups import content_group, converted_content_group
from pipeline.corpus.lines import common_lines, source_key
from pipeline.document import Rejection
from pipeline.plan import BuildPlan, Shard
from pipeline.readers import read_units
from pipeline.shard_cache import LINES_KIND, drop_cache_entry, lines_path, prune_cache
from pipeline.stages import STAGES, run_stages, script
from pipeline.stages.artifacts.rules import TERMINAL

# The stages a document goes through before line counting: those before the first corpus-wide stage.
BEFORE_COUNTING = STAGES[:next(index for index, stage in enumerate(STAGES) if stage.corpus_wide)]
# _counted_lines converts only some lines: valid while script conversion is the one stage before counting.
_SCRIPT_ONLY = tuple(stage.function for stage in BEFORE_COUNTING) == (script.normalize_script,)


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


def _counted_lines(document, config: BuildConfig):
    """(document, content group, candidate line hashes) of each document ``document`` becomes through the
    stages before counting: what ``_counted_lines_reference`` returns, converting fewer lines.

    Lines whose conversion keeps their shape (``script.line_conversion``) are read as they are to decide
    whether they count: a candidate line (``artifacts.count_line_hashes``) is converted, a long sentence is
    not (never a candidate) unless it can be the content group's key; reshaped lines are converted first.
    Anything unexpected falls back to the reference, which runs the stage itself (and its rejections).
    """
    if not _SCRIPT_ONLY or not config.script.enabled:
        return _counted_lines_reference(document, config)
    try:
        lines, convert, reshaped = script.line_conversion(document.text, config.script)
        for name in script.TEXT_FIELDS:  # the stage converts these too: a value it cannot convert rejects
            if getattr(document, name):
                script.convert_text(getattr(document, name), config.script)
        if convert is None:  # the stage leaves the text as it is
            return [(document, content_group(document.text, config.artifacts),
                     artifacts.count_line_hashes([document.text], config.artifacts))]
        minimum, longest = config.artifacts.cross_doc_min_line_chars, config.artifacts.header_max_chars
        wanted = [index for index, line in enumerate(lines) if index in reshaped or (
            len(stripped := line.strip()) >= minimum and not (stripped[-1] in TERMINAL and len(stripped) > longest))]
        converted = dict(zip(wanted, convert(wanted), strict=True))
        counted = [converted.get(index, line) for index, line in enumerate(lines)]  # each line in its final shape
        hashes = artifacts.count_line_hashes(["\n".join(counted)], config.artifacts)

        def converted_line(index: int) -> str:
            if index not in converted:
                converted[index] = convert([index])[0]
            return converted[index]

        group = converted_content_group(counted, converted_line, config.artifacts)
    except Exception:  # the stage decides what becomes of a document it cannot convert
        return _counted_lines_reference(document, config)
    return [(document, group, hashes)]


def _counted_lines_reference(document, config: BuildConfig):
    """``_counted_lines`` by the book: the stages before counting on the whole document, then its counts."""
    kept, _ = run_stages(document, config, BEFORE_COUNTING)
    return [(doc, content_group(doc.text, config.artifacts), artifacts.count_line_hashes([doc.text], config.artifacts))
            for doc in kept]


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
        for doc, group, hashes in _counted_lines(item, config):
            source = groups.setdefault(source_key(doc.source_file, doc.url), {})
            source.setdefault(group, set()).update(hashes)
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
