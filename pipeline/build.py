"""A build, in three plain-Python steps that any orchestrator can call:

1. ``plan_build``: check folders and config, find and hash inputs, group them into shards.
2. ``build_shard``: read a shard's inputs, run every document through the stages, write the shard's part
   files into the staging folder, return a small summary (counts only; documents never leave the shard).
3. ``finalize_build``: check the batch contract across shards, validate, write the manifest, publish.

The Prefect flow in ``flows/`` maps step 2 over shards; nothing here imports Prefect.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import logging
import time
from urllib.parse import urlsplit
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipeline import __version__, dedup, io, layout, publication, validation, writers
from pipeline.config import BuildConfig
from pipeline.content_groups import content_group
from pipeline.decoding import Decoded, decode_bytes
from pipeline.document import Document, Rejection, Removal, sha256_hex
from pipeline.errors import ContractError
from pipeline.formats import (
    BadRecord,
    extract_html,
    looks_like_html,
    page_as_text,
    parse_jsonl_line,
    split_sogou_records,
)
from pipeline.schema import (
    DOCUMENT_SCHEMA,
    QUARANTINE_SCHEMA,
    REMOVAL_SCHEMA,
    SCHEMA_VERSION,
    date_problem,
    document_row,
    rejection_row,
    removal_rows,
)
from pipeline.stages import STAGES, quality, run_stages

STAGING_NAME = ".staging"
DEDUP_BATCH = 256  # documents per vectorised signature batch: bounded memory, numpy overhead amortised
CACHE_NAME = ".cache"  # per-shard line counts of the cross-document pre-pass, keyed by shard key
# What the cross-document pre-pass runs before counting lines (they are compared in Simplified); the build
# starts after these when it reads the pre-pass's prepared documents.
PREPASS_STAGES = tuple(stage for stage in STAGES if stage.name == "script")

# Packages whose versions decide output bytes or behaviour; recorded in every manifest.
RECORDED_PACKAGES = (
    "opencc", "pyarrow", "pandas", "jieba", "trafilatura", "charset-normalizer", "great-expectations",
    "prefect", "lxml",
)


@dataclass(frozen=True)
class Unit:
    """One piece of input: a whole file, or a byte range of a JSONL file."""

    relative_path: str
    kind: str  # "text" | "html" | "jsonl"
    size: int
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Shard:
    index: int
    units: tuple[Unit, ...]
    # Hash of everything that decides the shard's output bytes: its inputs' content, the code and the config.
    key: str = ""
    # Key of the cross-document pre-pass that read this shard; its documents, already through the script
    # stage, wait in .cache/prepared-<key>.jsonl so the build does not read and convert them twice.
    prepared: str = ""

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def to_dict(self) -> dict:
        return {"index": self.index, "key": self.key, "prepared": self.prepared,
                "units": [dataclasses.asdict(u) for u in self.units]}

    @classmethod
    def from_dict(cls, data: dict) -> "Shard":
        return cls(index=data["index"], units=tuple(Unit(**u) for u in data["units"]), key=data.get("key", ""),
                   prepared=data.get("prepared", ""))


@dataclass(frozen=True)
class BuildPlan:
    input_dir: Path
    output_dir: Path
    shards: tuple[Shard, ...]
    input_hashes: dict  # relative path -> sha256
    skipped: tuple  # SkippedFile
    duplicate_files: tuple  # (relative path, duplicate of)
    previous_manifest: dict = field(default_factory=dict)  # the published build's manifest ({} if none)

    @property
    def staging_dir(self) -> Path:
        return self.output_dir / STAGING_NAME

    @property
    def previous_documents(self) -> int | None:
        """Document count of the published build, for the validation row-count band."""
        return self.previous_manifest.get("counts", {}).get("documents")


@dataclass
class ShardSummary:
    index: int
    inputs: int = 0
    documents: int = 0
    articles_added_by_split: int = 0
    quarantined_by_reason: Counter = field(default_factory=Counter)
    removals_by_rule: Counter = field(default_factory=Counter)
    encodings: Counter = field(default_factory=Counter)
    scripts: Counter = field(default_factory=Counter)
    reused: bool = False
    files: dict = field(default_factory=dict)  # relative output path -> sha256
    stage_seconds: dict = field(default_factory=dict)  # stage name (and "ingest", "write") -> seconds

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "reused": self.reused,
            "files": dict(sorted(self.files.items())),
            "inputs": self.inputs,
            "documents": self.documents,
            "articles_added_by_split": self.articles_added_by_split,
            "quarantined_by_reason": dict(sorted(self.quarantined_by_reason.items())),
            "removals_by_rule": dict(sorted(self.removals_by_rule.items())),
            "encodings": dict(sorted(self.encodings.items())),
            "scripts": dict(sorted(self.scripts.items())),
            "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
        }


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """SHA-256 over the library's source and data files: a change of code or rules changes it."""
    package_dir = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".tmp"}:
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(io.sha256_file(path).encode())
    return digest.hexdigest()


def shard_key(units: list, input_hashes: dict, config: BuildConfig) -> str:
    digest = hashlib.sha256()
    digest.update(code_hash().encode())
    digest.update(config.config_hash().encode())
    for unit in units:
        digest.update(f"{unit.relative_path}\0{input_hashes.get(unit.relative_path)}\0{unit.start}\0{unit.end}\n"
                      .encode())
    return digest.hexdigest()


def _previous_manifest(output_dir: Path) -> dict:
    manifest_path = output_dir / "manifest.json"
    if not manifest_path.is_file():
        return {}
    try:
        return io.read_json(manifest_path)
    except (OSError, ValueError):
        return {}  # an unreadable previous manifest only means nothing is reused


def plan_build(input_dir: Path, output_dir: Path, config: BuildConfig) -> BuildPlan:
    """Check the folders, find and hash every input, group inputs into shards."""
    input_dir = Path(input_dir)
    output_dir = Path(output_dir)
    io.check_build_folders(input_dir, output_dir)
    publication.migrate_layout(output_dir)  # an output folder of the old layout becomes .builds/ + links, once
    ingest = config.ingest
    found, skipped = io.discover_files(input_dir, ingest.text_suffixes, ingest.html_suffixes, ingest.jsonl_suffixes,
                                       ingest.follow_symlinks_outside)
    hashes: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    duplicates: list[tuple[str, str]] = []
    units: list[Unit] = []
    for item in found:
        digest = io.sha256_file(input_dir / item.relative_path)
        hashes[item.relative_path] = digest
        if config.dedup.drop_identical_files and digest in first_by_hash and item.size > 0:
            duplicates.append((item.relative_path, first_by_hash[digest]))
            continue
        first_by_hash.setdefault(digest, item.relative_path)
        if item.kind == "jsonl" and item.size > config.output.shard_target_bytes:
            for start, end in io.jsonl_split_points(input_dir / item.relative_path, config.output.shard_target_bytes):
                units.append(Unit(item.relative_path, "jsonl", end - start, start, end))
        else:
            units.append(Unit(item.relative_path, item.kind, item.size, 0, item.size))
    shards: list[Shard] = []
    current: list[Unit] = []
    current_bytes = 0
    groups: list[list[Unit]] = []
    for unit in units:
        if current and current_bytes + unit.size > config.output.shard_target_bytes:
            groups.append(current)
            current, current_bytes = [], 0
        current.append(unit)
        current_bytes += unit.size
    if current or not groups:
        groups.append(current)
    shards = [Shard(index, tuple(group), shard_key(group, hashes, config)) for index, group in enumerate(groups)]
    return BuildPlan(input_dir, output_dir, tuple(shards), hashes, tuple(skipped), tuple(duplicates),
                     _previous_manifest(output_dir))


def _reject(unit: Unit, reason: str, detail: str, line: int | None = None, digest: str | None = None) -> Rejection:
    return Rejection(source_file=unit.relative_path, reason=reason, detail=detail, source_line=line,
                     source_sha256=digest)


def _documents_from_text(unit: Unit, text: str, encoding: str, digest: str, config: BuildConfig):
    """Documents (or rejections) from one decoded file: plain text, an HTML page or SogouCS records."""
    too_long = max((len(line) for line in text.split("\n")), default=0)
    if too_long > config.ingest.max_line_chars:
        return [_reject(unit, "ingest.line_too_long",
                        f"a line of {too_long} characters exceeds max_line_chars={config.ingest.max_line_chars}",
                        digest=digest)]
    if unit.kind == "html" or looks_like_html(text):
        page = extract_html(text)
        body = page_as_text(page)
        if not body.strip():
            return [_reject(unit, "ingest.html_no_text", f"no text found in the page ({page.method})", digest=digest)]
        return [Document(source_file=unit.relative_path, source_sha256=digest, text=body, source_encoding=encoding,
                         source_format="html", url=page.url, raw_char_count=len(body),
                         published_at=page.published_at)]
    records = split_sogou_records(text)
    if records:
        documents = []
        for index, record in enumerate(records):
            body = page_as_text(record)
            record_digest = digest if len(records) == 1 else sha256_hex(f"{digest}:{index}".encode())
            documents.append(Document(source_file=unit.relative_path, source_sha256=record_digest, text=body,
                                      source_encoding=encoding, source_format="sogou", url=record.url,
                                      raw_char_count=len(body)))
        return documents
    return [Document(source_file=unit.relative_path, source_sha256=digest, text=text, source_encoding=encoding,
                     source_format="text", raw_char_count=len(text))]


def read_unit(input_dir: Path, unit: Unit, config: BuildConfig, file_hash: str | None):
    """Yield the documents and rejections of one unit (a file, or a byte range of a JSONL file)."""
    path = input_dir / unit.relative_path
    if not config.ingest.follow_symlinks_outside and not io.is_inside(path, input_dir):
        # Discovery skipped such links; this catches one swapped in after planning.
        yield _reject(unit, io.OUTSIDE_INPUT, "the file's real path is outside the input folder", digest=file_hash)
        return
    if unit.kind == "jsonl":
        yield from _read_jsonl_unit(path, unit, config)
        return
    if unit.size > config.ingest.max_file_bytes:
        yield _reject(unit, "ingest.too_large",
                      f"{unit.size} bytes exceeds max_file_bytes={config.ingest.max_file_bytes}", digest=file_hash)
        return
    try:
        data = io.read_bytes(path)
    except OSError as error:
        yield _reject(unit, "ingest.unreadable", str(error.strerror or error), digest=file_hash)
        return
    digest = file_hash or sha256_hex(data)
    decoded = decode_bytes(data)
    if not isinstance(decoded, Decoded):
        yield _reject(unit, f"ingest.{decoded.reason}", decoded.detail, digest=digest)
        return
    yield from _documents_from_text(unit, decoded.text, decoded.encoding, digest, config)


def _read_jsonl_unit(path: Path, unit: Unit, config: BuildConfig):
    for line_number, raw in io.iter_jsonl_lines(path, unit.start, unit.end, config.ingest.max_file_bytes):
        if isinstance(raw, io.OversizeLine) or len(raw) > config.ingest.max_file_bytes:
            yield _reject(unit, "ingest.too_large", f"record of {len(raw)} bytes exceeds max_file_bytes", line_number)
            continue
        if not raw.strip():
            continue  # blank lines between records are layout, not records
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield _reject(unit, "ingest.bad_jsonl", f"line is not UTF-8: {error.reason} at byte {error.start}",
                          line_number)
            continue
        try:
            record = parse_jsonl_line(line)
        except BadRecord as error:
            yield _reject(unit, "ingest.bad_jsonl", str(error), line_number)
            continue
        digest = sha256_hex(record.text.encode("utf-8"))
        text = record.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        if not text.strip():
            yield _reject(unit, "ingest.empty", "record text is empty or whitespace", line_number, digest)
            continue
        too_long = max(len(part) for part in text.split("\n"))
        if too_long > config.ingest.max_line_chars:
            yield _reject(unit, "ingest.line_too_long",
                          f"a line of {too_long} characters exceeds max_line_chars", line_number, digest)
            continue
        yield Document(source_file=unit.relative_path, source_sha256=digest, text=text, source_encoding="utf-8",
                       source_format="jsonl", source_line=line_number, url=record.url, given_id=record.given_id,
                       raw_char_count=len(text))


SHARD_CACHE = "shards"  # .cache/shards/<shard key>/: hard links to a finished shard's files + summary.json


@contextlib.contextmanager
def staging_removed_on_failure(output_dir: Path):
    """Delete the staging folder when the build fails (a full disk gets its space back, nothing half-built
    stays), except on a broken contract or a failed validation: that staging folder is kept for
    inspection (its Data Docs say what failed) and the next build deletes it."""
    try:
        yield
    except ContractError:
        raise
    except BaseException:
        io.remove_tree(Path(output_dir) / STAGING_NAME)
        raise


def prepare_staging(plan: BuildPlan) -> None:
    """Start from an empty staging folder. Whatever an interrupted build left there is deleted; the shards
    it finished are resumed from the shard cache, not from staging."""
    io.remove_tree(plan.staging_dir)
    plan.staging_dir.mkdir(parents=True)


def _shard_cache(output_dir: Path, shard: Shard) -> Path:
    return Path(output_dir) / CACHE_NAME / SHARD_CACHE / shard.key


def _cache_shard(output_dir: Path, shard: Shard, staging_dir: Path, summary: "ShardSummary") -> None:
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


def _summary_from_entry(shard: Shard, data: dict, files: dict) -> "ShardSummary":
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


def source_key(source_file: str, url: str | None = None) -> str:
    """The "source" a document belongs to for cross-document repetition: the URL's host, else the top-level
    folder of its file ("" for files directly in the input folder).

    >>> source_key("site-a/2020/x.txt"), source_key("x.txt"), source_key("b.jsonl", "http://www.gov.cn/a")
    ('site-a', '', 'www.gov.cn')
    """
    if url:
        host = urlsplit(url).hostname
        if host:
            return host
    parts = source_file.split("/")
    return parts[0] if len(parts) > 1 else ""


def prepared_path(output_dir: Path, key: str) -> Path:
    """Where the pre-pass leaves a shard's documents after the script stage (see ``Shard.prepared``)."""
    return Path(output_dir) / CACHE_NAME / f"prepared-{key}.jsonl"


PREPARED_KIND = "corpus-prepared-items"  # kind of a pre-pass's stream of items (io.VerifiedJsonlWriter)
LINES_KIND = "corpus-line-counts"  # kind of a pre-pass's cached line counts
SHARD_SUMMARY_KIND = "corpus-shard-summary"  # kind of a cached shard's summary.json

cache_log = logging.getLogger("pipeline.cache")


def drop_cache_entry(path: Path, why: str) -> None:
    """A cache entry that cannot be trusted is deleted with one warning line; the caller recomputes it.
    The build never fails because of its cache."""
    cache_log.warning("cache entry %s dropped (%s); recomputing it", path, why)
    io.remove_tree(path)


def item_record(item) -> dict:
    """A pre-pass item (document, rejection, or the stage seconds) as a plain JSON record."""
    if isinstance(item, Document):
        return {"document": dataclasses.asdict(item)}
    if isinstance(item, Rejection):
        return {"rejection": dataclasses.asdict(item)}
    return {"timings": item}


def record_item(record: dict):
    """The inverse of ``item_record``."""
    if "document" in record:
        fields = dict(record["document"])
        fields["removals"] = tuple(Removal(**removal) for removal in fields.get("removals", ()))
        return Document(**fields)
    if "rejection" in record:
        return Rejection(**record["rejection"])
    return record["timings"]


def count_shard_lines(shard: Shard, input_dir: Path, output_dir: Path, config: BuildConfig) -> dict:
    """Pre-pass for cross-document repetition: per source, how many articles contain each candidate line.

    Counted once per content group (``pipeline.content_groups``), not per document: the copies of one
    reposted article (other encodings, other site chrome) count as one, so the article's own lines never
    look like a footer. ``documents`` is the number of groups per source. Shards are counted apart, so a
    group whose copies land in k shards still counts k times (k <= the copies); merging groups across
    shards would need every group's line set in the merge, which does not scale with the corpus.

    Compact by design: only line hashes seen in at least two groups of the shard are returned (a footer
    repeats in most documents of a shard; a line seen once per shard cannot reach the thresholds on
    realistic shards of thousands of documents). Cached under ``.cache/`` by shard key, so an unchanged
    shard costs nothing.

    The pre-pass has to read every document and run the script stage anyway (lines are compared in
    Simplified), so it keeps what it made: every input item after the script stage, in input order, in
    ``prepared_path(output_dir, shard.key)``, which ``build_shard`` reads instead of the input.
    """
    from pipeline.stages import artifacts

    cache = Path(output_dir) / CACHE_NAME / f"lines-{shard.key}.json"
    if shard.key and cache.is_file():
        try:
            cached = io.read_verified_json(cache, LINES_KIND)
            if isinstance(cached, dict) and isinstance(cached.get("documents"), dict) \
                    and isinstance(cached.get("lines"), dict):
                return cached
            raise io.CacheDamaged("not line counts")
        except io.CacheDamaged as damage:
            drop_cache_entry(cache, str(damage))
    groups: dict[str, dict[str, set]] = {}  # source -> content group -> candidate line hashes of its copies
    timings: dict[str, float] = {}
    prepared = io.VerifiedJsonlWriter(prepared_path(output_dir, shard.key), PREPARED_KIND) if shard.key else None
    try:
        for item in _timed_items(shard, Path(input_dir), config, None, timings):
            if isinstance(item, Rejection):
                if prepared:
                    prepared.write(item_record(item))
                continue
            kept, rejected = run_stages(item, config, PREPASS_STAGES, timings)
            for outcome in (*rejected, *kept):
                if prepared:
                    prepared.write(item_record(outcome))
            for doc in kept:
                source = groups.setdefault(source_key(doc.source_file, doc.url), {})
                source.setdefault(content_group(doc.text, config.artifacts), set()).update(
                    artifacts.count_line_hashes([doc.text], config.artifacts))
        if prepared:
            prepared.write(item_record(timings))  # the last record: what reading and converting cost, for the manifest
    except BaseException:
        if prepared:
            prepared.abort()
        raise
    if prepared:
        prepared.close()
    lines = {source: Counter(h for hashes in by_group.values() for h in hashes) for source, by_group in groups.items()}
    result = {"documents": {source: len(by_group) for source, by_group in sorted(groups.items())},
              "lines": {source: {h: n for h, n in sorted(counter.items()) if n >= 2}
                        for source, counter in sorted(lines.items())}}
    if shard.key:
        io.write_verified_json(cache, LINES_KIND, result)
    return result


def _timed_items(shard: Shard, input_dir: Path, config: BuildConfig, input_hashes: dict | None, timings: dict):
    """The shard's documents and ingest rejections, in input order; reading time goes to ``timings["ingest"]``."""
    for unit in shard.units:
        file_hash = (input_hashes or {}).get(unit.relative_path) if unit.kind != "jsonl" else None
        items = read_unit(input_dir, unit, config, file_hash)
        while True:
            started = time.perf_counter()
            item = next(items, None)
            timings["ingest"] = timings.get("ingest", 0.0) + time.perf_counter() - started
            if item is None:
                break
            yield item


def _prepared_items(path: Path, timings: dict):
    """The items a pre-pass left in ``path``, adding its recorded stage seconds to ``timings``."""
    for record in io.read_verified_jsonl(path):
        item = record_item(record)
        if isinstance(item, dict):
            for name, seconds in item.items():
                timings[name] = timings.get(name, 0.0) + seconds
        else:
            yield item


def common_lines(line_counts: list[dict], config: BuildConfig) -> dict[str, list[str]]:
    """Merge the shards' line counts; per source, the hashes of lines common enough to be a footer."""
    from pipeline.stages import artifacts

    documents: Counter = Counter()
    lines: dict[str, Counter] = {}
    for result in line_counts:
        documents.update(result["documents"])
        for source, counts in result["lines"].items():
            lines.setdefault(source, Counter()).update(counts)
    common = {}
    for source in sorted(documents):
        hashes = artifacts.common_line_hashes(lines.get(source, Counter()), documents[source], config.artifacts)
        if hashes:
            common[source] = sorted(hashes)
    return common


def with_common_lines(plan: BuildPlan, common: dict[str, list[str]]) -> BuildPlan:
    """The plan with shard keys that also cover the cross-document line set (it changes every shard's output)."""
    digest = hashlib.sha256(json.dumps(common, sort_keys=True).encode()).hexdigest()
    shards = tuple(dataclasses.replace(s, key=hashlib.sha256(f"{s.key}:{digest}".encode()).hexdigest(),
                                       prepared=s.key)
                   for s in plan.shards)
    return dataclasses.replace(plan, shards=shards)


def cross_doc_wanted(config: BuildConfig) -> bool:
    return config.artifacts.enabled and config.artifacts.cross_doc_enabled


def apply_common_lines(plan: BuildPlan, line_counts: list[dict], config: BuildConfig):
    """(plan with keys covering the common lines, common lines) from the shards' pre-pass results."""
    prune_cache(plan, {shard.key for shard in plan.shards})
    common = common_lines(line_counts, config)
    return with_common_lines(plan, common), common


def prune_cache(plan: BuildPlan, line_keys: set[str]) -> None:
    """Drop cached line counts and prepared documents of shards that are no longer in the plan."""
    cache = plan.output_dir / CACHE_NAME
    if cache.is_dir():
        wanted = {f"{prefix}{key}{suffix}" for key in line_keys
                  for prefix, suffix in (("lines-", ".json"), ("prepared-", ".jsonl"))}
        for path in cache.iterdir():  # anything else at the top (a planted pickle, a stale entry) goes
            if path.name != SHARD_CACHE and path.name not in wanted:
                io.remove_tree(path)


def stages_for(common: dict[str, list[str]] | None) -> tuple:
    """The stage list, with cross-document line removal after script conversion when there is anything to remove."""
    if not common:
        return STAGES
    from pipeline.stages import Stage, artifacts

    sets = {source: frozenset(hashes) for source, hashes in common.items()}

    def remove_common_lines(doc: Document, config) -> Document:
        return artifacts.remove_repeated_lines(doc, config, sets.get(source_key(doc.source_file, doc.url),
                                                                        frozenset()))

    position = next((i + 1 for i, stage in enumerate(STAGES) if stage.name == "script"), 0)
    return STAGES[:position] + (Stage("cross_doc", remove_common_lines, "artifacts"),) + STAGES[position:]


def build_or_reuse_shard(shard: Shard, input_dir: Path, output_dir: Path, config: BuildConfig,
                         input_hashes: dict | None = None, common: dict[str, list[str]] | None = None
                         ) -> ShardSummary:
    """Reuse the cached output of an unchanged shard, or build it (and cache it)."""
    staging_dir = Path(output_dir) / STAGING_NAME
    prepared = prepared_path(output_dir, shard.prepared) if shard.prepared else None
    reused = reuse_shard(shard, Path(output_dir), staging_dir)
    if reused is None:
        usable = prepared is not None and prepared.is_file()
        if usable:
            try:
                io.check_verified_jsonl(prepared, PREPARED_KIND)
            except io.CacheDamaged as damage:
                drop_cache_entry(prepared, str(damage))  # the shard reads its input again instead
                usable = False
        reused = build_shard(shard, input_dir, staging_dir, config, input_hashes, common,
                             prepared if usable else None)
        _cache_shard(Path(output_dir), shard, staging_dir, reused)
    if prepared:
        prepared.unlink(missing_ok=True)  # used (or not needed): the shard cache now holds the result
    return reused


def build_shard(shard: Shard, input_dir: Path, staging_dir: Path, config: BuildConfig,
                input_hashes: dict | None = None, common: dict[str, list[str]] | None = None,
                prepared: Path | None = None) -> ShardSummary:
    """Process one shard end to end and write its part files into ``staging_dir``.

    With ``prepared`` (the pre-pass's stream of the shard's items after the script stage), documents come
    from there and start at the next stage; the output is the same as reading the input again.

    A document row that breaks a row-level expectation of the validation suite
    (``validation.row_failures``) is quarantined here as ``validation.<expectation>``, with every broken
    clause in the detail, and never reaches ``documents/``: only batch-level expectations can stop a build.
    """
    input_dir, staging_dir = Path(input_dir), Path(staging_dir)
    summary = ShardSummary(index=shard.index)
    stages = stages_for(common)
    timings = summary.stage_seconds
    if prepared is not None:
        items = _prepared_items(prepared, timings)
        stages = tuple(stage for stage in stages if stage not in PREPASS_STAGES)
    else:
        items = _timed_items(shard, input_dir, config, input_hashes, timings)
    documents = writers.open_part(staging_dir, writers.DOCUMENTS, shard.name, DOCUMENT_SCHEMA, config.output)
    removals = writers.open_part(staging_dir, writers.REMOVALS, shard.name, REMOVAL_SCHEMA, config.output)
    quarantine = writers.open_part(staging_dir, writers.QUARANTINE, shard.name, None, config.output)
    signatures = writers.open_part(staging_dir, writers.SIGNATURES, shard.name,
                                   dedup.signature_schema(config.dedup), config.output)
    checks = writers.open_part(staging_dir, writers.CHECKS, shard.name, validation.CHECKS_SCHEMA, config.output)
    parts = (documents, removals, quarantine, signatures, checks)
    pending: list[Document] = []  # signatures are computed in vectorised batches

    def flush_signatures():
        if pending:
            started = time.perf_counter()
            table = dedup.signature_table([d.id for d in pending], [d.text for d in pending],
                                          [dedup.metadata_count(d) for d in pending],
                                          [dedup.order_key(d.source_file, d.article_index) for d in pending],
                                          config.dedup)
            for row in table.to_pylist():
                signatures.write(row)
            pending.clear()
            timings["dedup_signatures"] = timings.get("dedup_signatures", 0.0) + time.perf_counter() - started

    validate_rows = config.validation.enabled
    not_after = validation.default_not_after()  # published_at after this is "in the future"
    try:
        seen_ids: set[str] = set()
        for item in items:
            summary.inputs += 1
            if isinstance(item, Rejection):
                summary.quarantined_by_reason[item.reason] += 1
                quarantine.write(rejection_row(item))
                continue
            summary.encodings[item.source_encoding or "unknown"] += 1
            kept, rejected = run_stages(item, config, stages, timings)
            summary.articles_added_by_split += len(kept) + len(rejected) - 1
            for rejection in rejected:
                summary.quarantined_by_reason[rejection.reason] += 1
                quarantine.write(rejection_row(rejection))
            for doc in kept:
                if doc.id in seen_ids:
                    # The same content twice in one shard (e.g. repeated JSONL records): one copy is kept.
                    summary.quarantined_by_reason["ingest.duplicate_content"] += 1
                    quarantine.write(rejection_row(Rejection(doc.source_file, "ingest.duplicate_content",
                                                             f"same content as document {doc.id}",
                                                             doc.source_line, doc.source_sha256,
                                                             doc.article_index)))
                    continue
                started = time.perf_counter()
                signals = (quality.signals_for(doc, config.quality) if config.quality.enabled
                           else dict.fromkeys(quality.SIGNALS))
                rejection = quality.quality_rejection(doc, signals, config.quality)
                timings["quality"] = timings.get("quality", 0.0) + time.perf_counter() - started
                if rejection is None and (problem := date_problem(doc)) is not None:
                    # `2022-02-30` printed on a page: not storable as a timestamp, and not a date to guess
                    rejection = Rejection(doc.source_file, "metadata.bad_date", problem, doc.source_line,
                                          doc.source_sha256, doc.article_index)
                if rejection is not None:
                    summary.quarantined_by_reason[rejection.reason] += 1
                    quarantine.write(rejection_row(rejection))
                    continue
                row = document_row(doc, signals)
                check = validation.check_columns_row(row, config.validation)
                failures = validation.row_failures(check, config.validation, not_after) if validate_rows else []
                if failures:  # a row-level contract broken: this row is quarantined, the batch goes on
                    reason = f"validation.{failures[0][0]}"
                    summary.quarantined_by_reason[reason] += 1
                    quarantine.write(rejection_row(Rejection(doc.source_file, reason,
                                                             "; ".join(clause for _, clause in failures),
                                                             doc.source_line, doc.source_sha256,
                                                             doc.article_index)))
                    continue
                seen_ids.add(doc.id)
                documents.write(row)
                checks.write(check)
                summary.documents += 1
                if config.dedup.enabled:
                    pending.append(doc)
                    if len(pending) >= DEDUP_BATCH:
                        flush_signatures()
                summary.scripts[doc.original_script or "unknown"] += 1
                for row in removal_rows(doc):
                    removals.write(row)
                    summary.removals_by_rule[row["rule"]] += 1
        flush_signatures()
    except BaseException:
        for writer in parts:
            writer.abort()
        raise
    for writer in parts:
        writer.close()
    for folder, suffix in writers.SHARD_FILES:
        path = staging_dir / folder / f"{shard.name}{suffix}"
        if path.is_file():
            summary.files[f"{folder}/{path.name}"] = io.sha256_file(path)
    return summary


def package_versions() -> dict[str, str]:
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def merge_summaries(summaries: list[ShardSummary | dict]) -> dict:
    totals = {"inputs": 0, "documents": 0, "articles_added_by_split": 0}
    quarantined: Counter = Counter()
    removals: Counter = Counter()
    encodings: Counter = Counter()
    scripts: Counter = Counter()
    for summary in summaries:
        data = summary.to_dict() if isinstance(summary, ShardSummary) else summary
        for key in totals:
            totals[key] += data[key]
        quarantined.update(data["quarantined_by_reason"])
        removals.update(data["removals_by_rule"])
        encodings.update(data["encodings"])
        scripts.update(data["scripts"])
    totals["quarantined"] = sum(quarantined.values())
    totals["quarantined_by_reason"] = dict(sorted(quarantined.items()))
    totals["removals_by_rule"] = dict(sorted(removals.items()))
    totals["source_encodings"] = dict(sorted(encodings.items()))
    totals["original_scripts"] = dict(sorted(scripts.items()))
    return totals


def stage_seconds(summaries: list[dict]) -> dict[str, float]:
    """Seconds per stage, summed over the shards computed in this build (reused shards cost nothing)."""
    total: Counter = Counter()
    for data in summaries:
        total.update(data.get("stage_seconds", {}))
    return {name: round(seconds, 3) for name, seconds in sorted(total.items())}


def check_batch_contract(staging_dir: Path) -> None:
    """Fail loudly on a batch that breaks the contract across shards (duplicate ids)."""
    ids = io.read_parquet_column(layout.BuildFolders(staging_dir).document_parts(), "id")
    counts = Counter(ids)
    duplicated = [doc_id for doc_id, count in counts.items() if count > 1]
    if duplicated:
        raise ContractError(f"contract failed: expect_column_values_to_be_unique(id): {len(duplicated)} ids occur "
                            f"in more than one shard ({', '.join(sorted(duplicated)[:5])})")


def validate_staging(staging: Path, config: BuildConfig, previous_documents: int | None) -> dict:
    """Run the Great Expectations suite over the staged documents; raises ``ValidationFailed``.

    Results (JSON and Data Docs) are written to ``staging/validation`` in either case.
    """
    report = validation.validate_checks(validation.read_checks(staging), config.validation, staging,
                                        previous_row_count=previous_documents,
                                        document_parts=validation.document_parts(staging))
    return {"success": report.success, "suite": report.suite_name, "rows": report.row_count,
            "expectations": report.summary_rows(), "data_docs": "validation/index.html"}


def finalize_build(plan: BuildPlan, summaries: list, config: BuildConfig, code_version: str | None = None,
                   publish: bool = True, drop_parts=None, phase_seconds: dict | None = None) -> dict:
    """Check the batch, validate it, write the manifest, and publish the staging folder.

    ``phase_seconds``: wall seconds of the caller's phases so far (planning, pre-pass, shards); the
    manifest records them with deduplication's and validation's, to show where a build's time goes.

    If the contract check or the validation suite fails, the error is raised before publication: the
    staging folder stays where it is for inspection and the published output is left untouched.
    """
    staging = plan.staging_dir
    summary_dicts = [s.to_dict() if isinstance(s, ShardSummary) else s for s in summaries]
    totals = merge_summaries(summary_dicts)
    phases = dict(phase_seconds or {})
    started = time.perf_counter()
    if config.dedup.enabled:
        dropped = remove_duplicates(plan, config, drop_parts)  # also checks that ids are unique once copies are gone
    else:
        check_batch_contract(staging)
        dropped = {}
    totals["documents"] -= sum(dropped.values())
    totals["duplicates_by_kind"] = dict(sorted(dropped.items()))
    totals["duplicates"] = len(plan.duplicate_files) + sum(dropped.values())
    totals["inputs"] += len(plan.duplicate_files)
    totals["skipped_files"] = len(plan.skipped)
    accounted = totals["documents"] + totals["quarantined"] + totals["duplicates"]
    holds = totals["inputs"] + totals["articles_added_by_split"] == accounted
    if not holds:
        raise ContractError(
            f"accounting does not add up: inputs {totals['inputs']} + split articles "
            f"{totals['articles_added_by_split']} != documents {totals['documents']} + quarantined "
            f"{totals['quarantined']} + duplicates {totals['duplicates']}")
    phases["deduplication"] = time.perf_counter() - started
    validation_summary = None
    started = time.perf_counter()
    if config.validation.enabled:
        validation_summary = validate_staging(staging, config, plan.previous_documents)
    phases["validation"] = time.perf_counter() - started
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": __version__,
        "code_version": code_version,
        "stages": [stage.name for stage in STAGES],
        "config": config.to_dict(),
        "config_hash": config.config_hash(),
        "packages": package_versions(),
        "counts": totals,
        "accounting": {
            "equation": "inputs + articles_added_by_split = documents + quarantined + duplicates",
            "holds": holds,
        },
        "inputs": dict(sorted(plan.input_hashes.items())),
        "skipped": [{"path": s.relative_path, "reason": s.reason} for s in plan.skipped],
        "duplicate_files": [{"path": path, "duplicate_of": original} for path, original in plan.duplicate_files],
        "shards": [
            {"name": shard.name, "key": shard.key, "units": len(shard.units), "reused": summary["reused"],
             "summary": summary}
            for shard, summary in zip(plan.shards, summary_dicts)
        ],
        "code_hash": code_hash(),
        "stage_seconds": stage_seconds(summary_dicts),
        "phase_seconds": {name: round(seconds, 3) for name, seconds in phases.items()},
        "validation": validation_summary,
        "outputs": io.hash_outputs(staging),
    }
    io.write_json(staging / "manifest.json", manifest)
    from pipeline.report import render_report

    render_report(staging, plan.previous_manifest or None, folder_name=plan.output_dir.resolve().name)
    if publish:
        publication.publish(staging, plan.output_dir)
        prune_shard_cache(plan)
    return manifest


def find_duplicate_drops(plan: BuildPlan, config: BuildConfig) -> dict[str, list[dedup.Duplicate]]:
    """Per staged part (its stem), the documents to leave out: identical copies (the same id in an earlier
    shard) and exact and near duplicates across shards, found from the signature parts only — one part's
    table in memory at a time, band hashes and signatures spilled to a temporary folder in staging.

    Raises ``ContractError`` when one id stands for two different texts (ids hash the content, so the batch
    is broken).
    """
    staging = plan.staging_dir
    parts = layout.BuildFolders(staging).parts(layout.SIGNATURES)
    ids, hashes = [], []
    for part in parts:
        table = io.read_parquet_table(part, ["id", "exact_hash"])
        ids.append(dedup.string_array(table.column("id")))
        hashes.append(dedup.string_array(table.column("exact_hash")))
    copies = _identical_copies(ids, hashes)
    del hashes
    io.release_freed_memory()  # the tables read part by part
    keep = [~mask for mask in copies]

    def read(columns: list[str]):
        for part, mask in zip(parts, keep):
            table = io.read_parquet_table(part, columns)
            yield table if mask.all() else table.filter(pa.array(mask))

    found = dedup.find_duplicates_in(read, [io.read_parquet_schema(part) for part in parts], config.dedup,
                                     work_dir=staging)
    found_ids = np.array([d.id.encode() for d in found], dtype=bytes)
    drops = {}
    for part, part_ids, mask, copy in zip(parts, ids, keep, copies):
        inside = set(part_ids[mask][np.isin(part_ids[mask], found_ids)].tolist()) if len(found_ids) else set()
        duplicates = [d for d in found if d.id.encode() in inside]
        duplicates += [dedup.Duplicate(doc_id, doc_id, 1.0, "identical")
                       for doc_id in (value.decode() for value in part_ids[copy])]
        drops[part.stem] = duplicates
    return drops


def _identical_copies(ids: list[np.ndarray], hashes: list[np.ndarray]) -> list[np.ndarray]:
    """Per part, a mask of the rows whose id already occurs in an earlier row (earlier part, or earlier in
    the same part): the same content read twice, since ids hash the content. Raises ``ContractError`` when
    the texts differ (their exact hashes do)."""
    sizes = [len(part) for part in ids]
    if not sum(sizes):
        return [np.zeros(0, dtype=bool) for _ in ids]
    every_id, every_hash = np.concatenate(ids), np.concatenate(hashes)
    order = np.argsort(every_id, kind="stable")  # equal ids stay in part and row order
    ordered = every_id[order]
    starts_run = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    first = order[np.flatnonzero(starts_run)[np.cumsum(starts_run) - 1]]  # first occurrence of each row's id
    copy = np.zeros(len(every_id), dtype=bool)
    copy[order] = order != first
    differs = copy & (every_hash != every_hash[first[np.argsort(order)]])
    if differs.any():
        doc_id = min(every_id[differs]).decode()
        raise ContractError(f"contract failed: expect_column_values_to_be_unique(id): id {doc_id} is "
                            f"used by two different documents")
    return np.split(copy, np.cumsum(sizes)[:-1])


def drop_duplicates(staging: Path, part_stem: str, duplicates: list[dedup.Duplicate], config: BuildConfig) -> dict:
    """Write one part's ``duplicates/`` table and leave its duplicates out of its documents (Parquet and
    JSONL), removals and checks. One part's work, independent of the others (the flow runs them in
    parallel). Returns the number of dropped documents by kind."""
    writers.write_part(staging, writers.DUPLICATES, part_stem, dedup.duplicates_table(duplicates), config.output)
    if not duplicates:
        return {}
    drop = {d.id for d in duplicates}
    for dataset in (writers.DOCUMENTS, writers.REMOVALS, writers.CHECKS):
        writers.filter_part(staging, dataset, part_stem, drop, config.output)
    return dict(Counter(d.kind for d in duplicates))


def remove_duplicates(plan: BuildPlan, config: BuildConfig, drop_parts=None) -> dict[str, int]:
    """Find exact and near duplicates across shards from their signature parts only, drop them from the
    staged documents and removals, and list them in ``duplicates/part-NNNNN.parquet``.

    ``drop_parts(calls)`` runs :func:`drop_duplicates` over a list of argument tuples and returns the results
    in order (the flow passes one that submits a task per part; default: one after the other here). Returns the number of dropped documents by kind. The
    shard cache keeps the pre-dedup parts (hard links to the files replaced here), so a reused shard is
    deduplicated again against the whole new input.
    """
    drops = find_duplicate_drops(plan, config)
    calls = [(plan.staging_dir, stem, duplicates, config) for stem, duplicates in drops.items()]
    results = drop_parts(calls) if drop_parts else [drop_duplicates(*call) for call in calls]
    kinds: Counter = Counter()
    for result in results:
        kinds.update(result)
    return dict(kinds)


def discard_prepared(plan: BuildPlan) -> None:
    """Delete the pre-pass's prepared documents of every shard (when the build stops before using them)."""
    for shard in plan.shards:
        if shard.prepared:
            prepared_path(plan.output_dir, shard.prepared).unlink(missing_ok=True)


def unchanged_build(plan: BuildPlan, config: BuildConfig) -> dict | None:
    """The published manifest, when the published build is exactly what this plan would produce.

    Same shard keys (inputs, code, config and cross-document lines), same skipped and duplicate files, and
    every published output still matching its recorded hash: then there is nothing to do, not even
    deduplication, validation or the report. Returns None otherwise.
    """
    previous = plan.previous_manifest
    if not previous or previous.get("config_hash") != config.config_hash() or previous.get("code_hash") != code_hash():
        return None
    if [entry.get("key") for entry in previous.get("shards", [])] != [shard.key for shard in plan.shards]:
        return None
    if previous.get("inputs") != dict(sorted(plan.input_hashes.items())):
        return None
    if previous.get("skipped") != [{"path": s.relative_path, "reason": s.reason} for s in plan.skipped]:
        return None
    for relative, digest in previous.get("outputs", {}).items():
        path = plan.output_dir / relative
        if not path.is_file() or io.sha256_file(path) != digest:
            return None
    result = dict(previous)
    result["shards"] = [dict(entry, reused=True) for entry in previous["shards"]]
    result["unchanged"] = True
    return result


def build_locally(input_dir: Path, output_dir: Path, config: BuildConfig) -> dict:
    """The whole build in this process, without an orchestrator (notebooks, tests, other schedulers)."""
    io.check_build_folders(Path(input_dir), Path(output_dir))
    with io.output_lock(Path(output_dir)):
        phases = {}
        started = time.perf_counter()
        plan = plan_build(Path(input_dir), Path(output_dir), config)
        phases["plan"] = time.perf_counter() - started
        common = None
        if cross_doc_wanted(config):
            started = time.perf_counter()
            counts = [count_shard_lines(shard, plan.input_dir, plan.output_dir, config) for shard in plan.shards]
            plan, common = apply_common_lines(plan, counts, config)
            phases["count_lines"] = time.perf_counter() - started
        unchanged = unchanged_build(plan, config)
        if unchanged is not None:
            discard_prepared(plan)
            return unchanged
        started = time.perf_counter()
        with staging_removed_on_failure(plan.output_dir):
            prepare_staging(plan)
            summaries = [
                build_or_reuse_shard(shard, plan.input_dir, plan.output_dir, config, plan.input_hashes, common)
                for shard in plan.shards
            ]
            phases["shards"] = time.perf_counter() - started
            return finalize_build(plan, summaries, config, phase_seconds=phases)
