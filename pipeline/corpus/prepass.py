"""The cross-document pre-pass: every shard's inputs are read once before the build, through the stages
that come before the first corpus-wide stage (script conversion: lines are compared in Simplified), to
count which candidate lines each source repeats. It keeps only those counts (line hashes, cached by shard
key in ``.cache/lines-<key>.json``); the documents are dropped, and the build reads its inputs again.

It converts only what the counts read: a Traditional document's candidate lines and the few long sentences
that can be its content group's key, not its whole text (``_counted_lines``; the counts are the same as
those of the whole converted text, see ``pipeline.stages.script.line_conversion``). Keeping the converted
documents for the build instead (.cache/prepared-<key>, 66f89f7) was dropped when the recipe became one list
of stages (34f6f03): a second copy of the input on disk, which a worker on another machine cannot see.

It reads only what the counts need: a JSONL record's source, URL and text (``readers.read_texts``: the reader's
checks, without the record's SHA-256 and ``Document``), and it finds the keys of all of a text's lines at once
(``pipeline.corpus.line_keys``), stripping each line once for both the candidate lines and the group's key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Callable

from pipeline import io
from pipeline.stages import artifacts
from pipeline.config import BuildConfig
from pipeline.corpus.content_groups import content_group
from pipeline.corpus.line_keys import NOT_WORD, key_hash, line_keys
from pipeline.corpus.lines import common_lines, source_key
from pipeline.document import Document, sha256_hex
from pipeline.plan import BuildPlan, Shard
from pipeline.readers import read_texts
from pipeline.stage_configs import ArtifactsConfig
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


def _group_and_hashes(text: str, lines: list[str], converted_lines: Callable[[list[int]], list[str]] | None,
                      config: ArtifactsConfig) -> tuple[str, set[str]]:
    """(content group, candidate line hashes) of the text ``text`` (whose lines are ``lines``) becomes: what
    ``content_group`` / ``converted_content_group`` and ``artifacts.count_line_hashes`` give, in one pass over
    the lines, with every line's key found at once (``line_keys``).

    ``text`` is the counted text in its final shape but for its long sentences: a long sentence is never a
    candidate and is converted only when it can be the group's key (``converted_lines(indices)`` gives those
    lines converted; None: the text is not converted). The candidate rule is
    ``artifacts.cross_document._candidate_hashes``'s, the key rule ``content_groups``'s;
    tests/test_script_lines.py holds both to them.
    """
    minimum, longest = config.cross_doc_min_line_chars, config.header_max_chars
    keys = line_keys(text)
    hashes: set[str] = set()
    sentences = []  # (stripped length, index) of the long sentences: candidates for the group's key
    for index, line in enumerate(lines):
        stripped = line.strip()
        size = len(stripped)
        if size > longest and stripped[-1] in TERMINAL:  # longest >= 1: stripped is not empty
            sentences.append((size, index))
        elif size >= minimum and len(keys[index]) >= minimum:
            hashes.add(key_hash(keys[index]))
    return _group_key(keys, sentences, converted_lines), hashes


def _group_key(keys: list[str], sentences: list[tuple[int, int]], converted_lines) -> str:
    """``converted_content_group`` given the lines' keys and long sentences found by ``_group_and_hashes``."""
    best = ""  # normalised; ties go to the greater string, as content_group
    for size, index in sorted(sentences, key=lambda item: item[0], reverse=True):  # stable: text order in ties
        if size < len(best):
            break  # a key is never longer than its stripped line
        key = keys[index]  # conversion keeps a long sentence's key length (line_conversion)
        if len(key) < len(best):
            continue
        if converted_lines is not None:
            key = NOT_WORD.sub("", converted_lines([index])[0])
        if (len(key), key) > (len(best), best):
            best = key
    if best:
        return "s:" + key_hash(best)
    if converted_lines is None:  # no long sentence: the whole text's key, the lines' keys end to end
        return "t:" + key_hash("".join(keys))
    return "t:" + key_hash(NOT_WORD.sub("", "\n".join(converted_lines(list(range(len(keys)))))))


def _counted_lines(item, config: BuildConfig):
    """(item, content group, candidate line hashes) of each document ``item`` (a ``Document`` or a
    ``readers.RecordText``) becomes through the stages before counting: what ``_counted_lines_reference``
    returns, converting fewer lines.

    Lines whose conversion keeps their shape (``script.line_conversion``) are read as they are to decide
    whether they count: a candidate line (``artifacts.count_line_hashes``) is converted, a long sentence is
    not (never a candidate) unless it can be the content group's key; reshaped lines are converted first.
    Anything unexpected falls back to the reference, which runs the stage itself (and its rejections).
    """
    if not _SCRIPT_ONLY or not config.script.enabled:
        return _counted_lines_reference(_as_document(item), config)
    try:
        lines, convert, reshaped = script.line_conversion(item.text, config.script)
        for name in script.TEXT_FIELDS:  # the stage converts these too: a value it cannot convert rejects
            if getattr(item, name, None):  # a RecordText has none
                script.convert_text(getattr(item, name), config.script)
        if convert is None:  # the stage leaves the text as it is
            group, hashes = _group_and_hashes(item.text, lines, None, config.artifacts)
        else:
            group, hashes = _converted_group_and_hashes(lines, convert, reshaped, config.artifacts)
    except Exception:  # the stage decides what becomes of a document it cannot convert
        return _counted_lines_reference(_as_document(item), config)
    return [(item, group, hashes)]


def _converted_group_and_hashes(lines: list[str], convert, reshaped: set[int],
                                config: ArtifactsConfig) -> tuple[str, set[str]]:
    """``_group_and_hashes`` of a converted text: the lines that can be candidates (by their shape, which
    conversion keeps outside ``reshaped``) and the reshaped ones are converted in one call, the rest only
    when ``_group_key`` asks for them."""
    minimum, longest = config.cross_doc_min_line_chars, config.header_max_chars
    wanted = [index for index, line in enumerate(lines) if index in reshaped or (
        len(stripped := line.strip()) >= minimum and not (stripped[-1] in TERMINAL and len(stripped) > longest))]
    converted = dict(zip(wanted, convert(wanted), strict=True))
    counted = [converted.get(index, line) for index, line in enumerate(lines)]  # each line in its final shape

    def converted_lines(indices: list[int]) -> list[str]:
        missing = [index for index in indices if index not in converted]
        converted.update(zip(missing, convert(missing), strict=True))
        return [converted[index] for index in indices]

    return _group_and_hashes("\n".join(counted), counted, converted_lines, config)


def _as_document(item) -> Document:
    """A ``Document`` of ``item`` for the reference (a ``RecordText`` only when it has to run): the reader's,
    but for the hash, taken of the cleaned text (the stages before counting never read it)."""
    if isinstance(item, Document):
        return item
    return Document(source_file=item.source_file, source_sha256=sha256_hex(item.text.encode("utf-8")),
                    text=item.text, source_encoding="utf-8", source_format="jsonl", source_line=item.source_line,
                    url=item.url, raw_char_count=len(item.text))


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
    for item in read_texts(shard.units, Path(input_dir), config):
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
