"""What the build report shows, gathered from a build output folder (no rendering, no writing).

Reads ``manifest.json``, ``documents/``, ``removals/``, ``quarantine/`` and ``validation/``. Counts come from the
manifest; distributions come from the Parquet files through DuckDB with only the columns they need (never the
``text`` column of documents), and examples are capped per rule/reason, so the report stays cheap for a large
build. Nothing here depends on the clock, the machine or the absolute path of the folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import layout
from pipeline.errors import PipelineError

# Examples shown per removal rule and per quarantine reason: enough to recognise the pattern at a glance.
EXAMPLES_PER_RULE = 3
# Example snippets are cut to this many characters (an editor note or a flattened duplicate can be 1 000+).
EXAMPLE_CHARS = 90
# Bars in the province and author charts; the rest is summed into one "other" bar.
TOP_PROVINCES = 20
TOP_AUTHORS = 15
# Rows of the documents table: all of a small build, a sample of a big one (the Parquet is the real listing).
DOCUMENT_ROWS = 50
# Stages of the retention funnel, in order (labels of the funnel chart and of the markdown table).
FUNNEL_STAGES = ("inputs", "decoded", "cleaned", "deduplicated", "validated")
# Counts compared in the diff against the previous build, in display order.
DIFF_COUNTS = ("inputs", "documents", "quarantined", "duplicates", "skipped_files", "articles_added_by_split")
# Quarantine reason of a second copy of the same content inside one shard: a deduplication, not an ingest failure.
DUPLICATE_CONTENT_REASON = "ingest.duplicate_content"
UNKNOWN = "unknown"


def rule_family(rule: str) -> str:
    """The rule a removal name belongs to, without the score a learned component appends to its decisions.

    >>> rule_family("model.speaker:0.912"), rule_family("artifacts.nav_row")
    ('model.speaker', 'artifacts.nav_row')
    """
    return rule.split(":", 1)[0]


def rule_families(groups) -> tuple[tuple[str, int], ...]:
    """(family, removals) over ``groups`` (removal :class:`Group` s), most removals first, then by name: the
    chart's bars. A learned component writes one rule name per score (``model.title:0.82``), hundreds in a
    large build; a bar per score is unreadable and costs the report seconds of text layout.

    >>> rule_families([Group("model.title:0.82", 2, None, ()), Group("artifacts.icp", 3, None, ()),
    ...                Group("model.title:0.9", 2, None, ())])
    (('model.title', 4), ('artifacts.icp', 3))
    """
    totals: dict[str, int] = {}
    for group in groups:
        totals[rule_family(group.name)] = totals.get(rule_family(group.name), 0) + group.count
    return tuple(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    count: int | None  # None: the stage did not run (validation not run)
    note: str


@dataclass(frozen=True)
class Example:
    source_file: str
    text: str
    repeats: int = 1  # how often this exact text was removed under the rule


@dataclass(frozen=True)
class Group:
    """A removal rule or a quarantine reason: its count, characters (removals only) and a few examples."""

    name: str
    count: int
    chars: int | None
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Diff:
    counts: tuple[tuple[str, int, int], ...]  # (name, previous, current)
    new_sources: tuple[str, ...]
    vanished_sources: tuple[str, ...]
    changed_sources: tuple[str, ...]
    config_changed: bool
    code_changed: bool


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, gathered once; both renderers (HTML, markdown) read only this."""

    folder_name: str
    manifest: dict
    funnel: tuple[FunnelStep, ...]
    removals: tuple[Group, ...]
    quarantine: tuple[Group, ...]
    scripts_before: dict
    scripts_after: dict
    chars_converted: int
    provinces: tuple[tuple[str, int], ...]
    years: tuple[tuple[str, int], ...]
    documents_without_year: int
    clean_lengths: tuple[int, ...]
    raw_lengths: tuple[int, ...]
    authors: tuple[tuple[str, int], ...]
    documents_without_author: int
    documents: tuple[dict, ...]
    validation: dict | None
    validation_docs: str | None  # relative link to the Data Docs, when they exist
    diff: Diff | None
    totals: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict:
        return self.manifest.get("counts", {})


# -- gathering ---------------------------------------------------------------------------------------------


def _read_manifest(output_dir: Path) -> dict:
    path = output_dir / "manifest.json"
    if not path.is_file():
        raise PipelineError(f"no manifest.json in {output_dir}: is it a build output folder? (run `corpus build`)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise PipelineError(f"unreadable manifest.json in {output_dir}: {error}") from None


def _parquet_files(output_dir: Path, folder: str) -> list[str]:
    return [str(path) for path in sorted((output_dir / folder).rglob("*.parquet"))]


def _connect():
    import duckdb  # local: only the report and inspect need it

    return duckdb.connect(":memory:")


def funnel_steps(counts: dict, validation: dict | None) -> tuple[FunnelStep, ...]:
    """The retention funnel from the manifest counts.

    decoded = inputs − ingest quarantine; cleaned = decoded + split articles − stage quarantine (documents
    before deduplication); deduplicated = documents; validated = documents when validation passed.

    >>> steps = funnel_steps({"inputs": 10, "documents": 7, "articles_added_by_split": 1, "duplicates": 1,
    ...                       "quarantined_by_reason": {"ingest.not_text": 2, "artifacts.empty": 1}}, None)
    >>> [(s.stage, s.count) for s in steps]
    [('inputs', 10), ('decoded', 8), ('cleaned', 8), ('deduplicated', 7), ('validated', None)]
    """
    reasons = counts.get("quarantined_by_reason", {}) or {}
    inputs = int(counts.get("inputs", 0))
    documents = int(counts.get("documents", 0))
    split = int(counts.get("articles_added_by_split", 0))
    duplicates = int(counts.get("duplicates", 0)) + int(reasons.get(DUPLICATE_CONTENT_REASON, 0))
    ingest_lost = sum(n for r, n in reasons.items() if r.startswith("ingest.") and r != DUPLICATE_CONTENT_REASON)
    stage_lost = sum(n for r, n in reasons.items() if not r.startswith("ingest."))
    # Identical files are dropped before reading: they leave at deduplication, not at decoding.
    decoded = inputs - ingest_lost
    cleaned = decoded + split - stage_lost
    steps = [
        FunnelStep("inputs", inputs, "files and JSONL records found"),
        FunnelStep("decoded", decoded, f"−{ingest_lost} quarantined while reading"),
        FunnelStep("cleaned", cleaned, f"+{split} articles split out, −{stage_lost} quarantined by stages"),
        FunnelStep("deduplicated", documents, f"−{duplicates} duplicates"),
    ]
    if validation is None:
        steps.append(FunnelStep("validated", None, "validation not run"))
    elif validation.get("success"):
        steps.append(FunnelStep("validated", documents, "suite passed"))
    else:
        steps.append(FunnelStep("validated", 0, "suite failed: nothing validated"))
    return tuple(steps)


def _clip(text: str, limit: int = EXAMPLE_CHARS) -> str:
    r"""A removed snippet made readable: line breaks shown as ↵, whitespace-only text named, long text cut.

    >>> _clip("\n\n")
    '↵↵ (line breaks)'
    >>> _clip("abc", 2)
    'a…'
    """
    if text.strip() == "":
        if "\n" in text:
            return text.replace("\n", "↵").replace(" ", "␣").replace("\u3000", "␣") + " (line breaks)"
        return f"{len(text)} spaces"
    text = text.replace("\n", "↵")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _removal_groups(connection, files: list[str], by_rule: dict) -> tuple[Group, ...]:
    if not files:
        return tuple(Group(rule, int(n), None, ()) for rule, n in sorted(by_rule.items()))
    source = "read_parquet($files)"
    totals = {rule: (count, chars) for rule, count, chars in connection.execute(
        f"select rule, count(*), sum(length(text)) from {source} group by rule", {"files": files}).fetchall()}
    rows = connection.execute(
        f"""
        select rule, text, source_file, repeats from (
            select rule, text, min(source_file) as source_file, count(*) as repeats,
                   row_number() over (partition by rule order by count(*) desc, min(source_file), text) as rank
            from {source} group by rule, text)
        where rank <= {EXAMPLES_PER_RULE} order by rule, rank
        """, {"files": files}).fetchall()
    examples: dict[str, list[Example]] = {}
    for rule, text, source_file, repeats in rows:
        examples.setdefault(rule, []).append(Example(source_file, _clip(text), int(repeats)))
    names = sorted(set(totals) | set(by_rule), key=lambda r: (-totals.get(r, (by_rule.get(r, 0), 0))[0], r))
    return tuple(Group(rule, int(totals.get(rule, (by_rule.get(rule, 0), None))[0]),
                       int(totals[rule][1]) if rule in totals else None, tuple(examples.get(rule, ())))
                 for rule in names)


def _quarantine_groups(output_dir: Path, by_reason: dict) -> tuple[Group, ...]:
    """Quarantine reasons with their first examples, streaming the JSONL files (never loaded whole)."""
    counts: dict[str, int] = {}
    examples: dict[str, list[Example]] = {}
    for path in layout.BuildFolders(output_dir).parts(layout.QUARANTINE, ".jsonl"):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                reason = row.get("reason") or UNKNOWN
                counts[reason] = counts.get(reason, 0) + 1
                if len(examples.setdefault(reason, [])) < EXAMPLES_PER_RULE:
                    location = row.get("source_file", "?")
                    if row.get("source_line") is not None:
                        location += f":{row['source_line']}"
                    examples[reason].append(Example(location, _clip(str(row.get("detail", "")))))
    # Manifest counts are authoritative (the files may have been pruned); files fill in when it has none.
    merged = {**counts, **{reason: int(n) for reason, n in by_reason.items()}}
    names = sorted(merged, key=lambda r: (-merged[r], r))
    return tuple(Group(reason, merged[reason], None, tuple(examples.get(reason, ()))) for reason in names)


def _top(pairs: list[tuple[str, int]], limit: int) -> tuple[tuple[str, int], ...]:
    """The ``limit`` largest pairs (ties by name), the rest summed into ``other (k)``.

    >>> _top([("a", 1), ("b", 3), ("c", 1)], 2)
    (('b', 3), ('a', 1), ('other (1)', 1))
    """
    ordered = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
    head, tail = ordered[:limit], ordered[limit:]
    if tail:
        head.append((f"other ({len(tail)})", sum(n for _, n in tail)))
    return tuple(head)


def _validation(output_dir: Path, manifest: dict) -> tuple[dict | None, str | None]:
    """The validation summary (manifest first, then ``validation/summary.json``) and the Data Docs link."""
    summary = manifest.get("validation")
    summary_file = output_dir / "validation" / "summary.json"
    if summary is None and summary_file.is_file():
        try:
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            summary = None
    docs = "validation/index.html" if (output_dir / "validation" / "index.html").is_file() else None
    if summary is not None:
        expectations = []
        for item in summary.get("expectations", []):  # two shapes: manifest rows and summary.json rows
            expectations.append({
                "name": item.get("name") or item.get("expectation") or "?",
                "column": item.get("column") or "",
                "success": bool(item.get("success")),
                "unexpected_count": item.get("unexpected_count", item.get("unexpected")),
                "in_suite": item.get("in_suite", True),
            })
        summary = {"success": bool(summary.get("success")), "expectations": expectations}
    return summary, docs


def build_diff(manifest: dict, previous: dict) -> Diff:
    """Counts, sources and versions of this build against ``previous`` (a manifest).

    >>> d = build_diff({"counts": {"documents": 6}, "inputs": {"a": "1", "b": "2"}},
    ...                {"counts": {"documents": 5}, "inputs": {"a": "0", "c": "3"}})
    >>> d.counts[1], d.new_sources, d.vanished_sources, d.changed_sources
    (('documents', 5, 6), ('b',), ('c',), ('a',))
    """
    now, before = manifest.get("counts", {}), previous.get("counts", {})
    counts = [(name, int(before.get(name, 0) or 0), int(now.get(name, 0) or 0)) for name in DIFF_COUNTS]
    for key, prefix in (("removals_by_rule", "removed: "), ("quarantined_by_reason", "quarantined: ")):
        rules_now, rules_before = now.get(key, {}) or {}, before.get(key, {}) or {}
        for rule in sorted(set(rules_now) | set(rules_before)):
            if rules_now.get(rule, 0) != rules_before.get(rule, 0):
                counts.append((prefix + rule, int(rules_before.get(rule, 0)), int(rules_now.get(rule, 0))))
    inputs_now, inputs_before = manifest.get("inputs", {}) or {}, previous.get("inputs", {}) or {}
    return Diff(
        counts=tuple(counts),
        new_sources=tuple(sorted(set(inputs_now) - set(inputs_before))),
        vanished_sources=tuple(sorted(set(inputs_before) - set(inputs_now))),
        changed_sources=tuple(sorted(p for p in set(inputs_now) & set(inputs_before)
                                     if inputs_now[p] != inputs_before[p])),
        config_changed=manifest.get("config_hash") != previous.get("config_hash"),
        code_changed=manifest.get("code_hash") != previous.get("code_hash"),
    )


def _document_distributions(connection, documents_files: list[str], removal_files: list[str]) -> tuple:
    """Provinces, years, authors, lengths, the documents table's rows, (no year, no author, converted) counts
    and character totals, from the documents parts (never their ``text`` column)."""
    params = {"files": documents_files}
    source = "read_parquet($files)"
    provinces = connection.execute(
        f"select coalesce(province, '{UNKNOWN}'), count(*) from {source} group by 1", params).fetchall()
    years = connection.execute(
        f"select cast(year(published_at) as varchar), count(*) from {source} "
        "where published_at is not null group by 1 order by 1", params).fetchall()
    no_year, no_author, converted, chars, raw_chars, removed_chars = connection.execute(
        f"select count(*) filter (where published_at is null), "
        f"count(*) filter (where author is null), coalesce(sum(chars_converted), 0), "
        f"coalesce(sum(char_count), 0), coalesce(sum(raw_char_count), 0), "
        f"coalesce(sum(removed_char_count), 0) from {source}", params).fetchone()
    totals = {"chars": int(chars), "raw_chars": int(raw_chars), "removed_chars": int(removed_chars)}
    authors = connection.execute(
        f"select author, count(*) from {source} where author is not null group by 1", params).fetchall()
    lengths = connection.execute(
        f"select char_count, raw_char_count from {source} order by id", params).fetchall()
    removal_counts = "0"
    join = ""
    if removal_files:
        join = ("left join (select id, count(*) as n from read_parquet($removal_files) group by id) r "
                "using (id)")
        params = {**params, "removal_files": removal_files}
        removal_counts = "coalesce(r.n, 0)"
    cursor = connection.execute(
        f"select id, source_file, article_index, title, author, province, published_at, original_script,"
        f" char_count, raw_char_count, {removal_counts} as removals from {source} d {join}"
        f" order by source_file, article_index, id limit {DOCUMENT_ROWS}", params)
    names = [column[0] for column in cursor.description]
    documents = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return provinces, years, authors, lengths, documents, (no_year, no_author, converted), totals


def collect_report_data(output_dir: Path, previous_manifest: dict | None = None,
                        folder_name: str | None = None) -> ReportData:
    """Read the build folder once and gather everything the report shows.

    ``folder_name``: the name the header shows, when ``output_dir`` is not where users find the build (a
    build is rendered in its staging folder before it is published); default: ``output_dir``'s name.
    """
    output_dir = Path(output_dir)
    manifest = _read_manifest(output_dir)
    counts = manifest.get("counts", {})
    validation, validation_docs = _validation(output_dir, manifest)
    documents_files = _parquet_files(output_dir, layout.DOCUMENTS)
    removal_files = _parquet_files(output_dir, layout.REMOVALS)
    connection = _connect()
    try:
        removals = _removal_groups(connection, removal_files, counts.get("removals_by_rule", {}) or {})
        provinces, years, authors, lengths, documents = [], [], [], [], []
        no_year = no_author = converted = 0
        totals = {"chars": 0, "raw_chars": 0, "removed_chars": 0}
        if documents_files:
            provinces, years, authors, lengths, documents, (no_year, no_author, converted), totals = \
                _document_distributions(connection, documents_files, removal_files)
    finally:
        connection.close()
    year_counts = dict(years)
    if year_counts:  # a continuous axis: years with no document show as empty columns, not as a gap
        first, last = int(min(year_counts)), int(max(year_counts))
        years = [(str(y), int(year_counts.get(str(y), 0))) for y in range(first, last + 1)]
    document_count = int(counts.get("documents", len(lengths)))
    return ReportData(
        folder_name=folder_name or output_dir.resolve().name,
        manifest=manifest,
        funnel=funnel_steps(counts, validation),
        removals=removals,
        quarantine=_quarantine_groups(output_dir, counts.get("quarantined_by_reason", {}) or {}),
        scripts_before=dict(sorted((counts.get("original_scripts") or {}).items())),
        scripts_after={"simplified": document_count} if document_count else {},
        chars_converted=int(converted),
        provinces=_top([(p, int(n)) for p, n in provinces], TOP_PROVINCES),
        years=tuple(years),
        documents_without_year=int(no_year),
        clean_lengths=tuple(int(c) for c, _ in lengths if c is not None),
        raw_lengths=tuple(int(r) for _, r in lengths if r is not None),
        authors=_top([(a, int(n)) for a, n in authors], TOP_AUTHORS),
        documents_without_author=int(no_author),
        documents=tuple(documents),
        validation=validation,
        validation_docs=validation_docs,
        diff=build_diff(manifest, previous_manifest) if previous_manifest is not None else None,
        totals=totals,
    )


def count_text(value) -> str:
    """A count for people: thousands separated, a dash when unknown.

    >>> count_text(12345), count_text(None)
    ('12,345', '—')
    """
    return "—" if value is None else f"{int(value):,}"
