"""The build report: ``report.html`` (self-contained, offline) and a compact markdown twin.

Reads a build output folder (``manifest.json``, ``documents/``, ``removals/``, ``quarantine/``, ``validation/``)
and writes ``report.html`` next to them. Counts come from the manifest; distributions come from the Parquet
files through DuckDB with only the columns they need (never the ``text`` column of documents), and examples
are capped per rule/reason, so the report stays cheap for a large build.

The page has no script, no external stylesheet, font or image: charts are matplotlib SVG inlined in the HTML
(see ``pipeline.charts``), styles are one ``<style>`` block. The same folder gives the same bytes: nothing
in the page depends on the clock, the machine or the absolute path of the folder.

It deliberately does not judge the build (validation does) and does not read previous builds from disk: the
caller passes the previous manifest for the diff.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import charts, layout
from pipeline.errors import PipelineError
from pipeline.validation import met_text

REPORT_NAME = "report.html"
# Examples shown per removal rule and per quarantine reason: enough to recognise the pattern at a glance.
EXAMPLES_PER_RULE = 3
# Example snippets are cut to this many characters (an editor note or a flattened duplicate can be 1 000+).
EXAMPLE_CHARS = 90
# Bars in the province and author charts; the rest is summed into one "other" bar.
TOP_PROVINCES = 20
TOP_AUTHORS = 15
# Rows of the documents table: all of a small build, a sample of a big one (the Parquet is the real listing).
DOCUMENT_ROWS = 50
# Source files listed per diff category (new / vanished / changed); the rest is counted.
DIFF_FILES_SHOWN = 20
# Stages of the retention funnel, in order (labels of the funnel chart and of the markdown table).
FUNNEL_STAGES = ("inputs", "decoded", "cleaned", "deduplicated", "validated")
# Counts compared in the diff against the previous build, in display order.
DIFF_COUNTS = ("inputs", "documents", "quarantined", "duplicates", "skipped_files", "articles_added_by_split")
# Quarantine reason of a second copy of the same content inside one shard: a deduplication, not an ingest failure.
DUPLICATE_CONTENT_REASON = "ingest.duplicate_content"
UNKNOWN = "unknown"


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
            documents = [dict(zip(names, row)) for row in cursor.fetchall()]
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


# -- HTML --------------------------------------------------------------------------------------------------

# Sections in page order: (id, heading). Tests and the table of contents use the same list.
SECTIONS = (
    ("funnel", "Retention funnel"),
    ("scripts", "Script mix"),
    ("removals", "Removals by rule"),
    ("quarantine", "Quarantine by reason"),
    ("validation", "Validation"),
    ("provinces", "Documents by province"),
    ("years", "Documents by year"),
    ("lengths", "Document lengths"),
    ("authors", "Top authors"),
    ("documents", "Documents"),
    ("diff", "Changes since the previous build"),
)
# Every chart of the page: a data test checks each one is an SVG with marks or a "no data" note.
CHART_NAMES = ("funnel", "removals", "quarantine", "scripts", "provinces", "years", "lengths", "authors")

CSS = """
:root { --ink: #1d2433; --muted: #5b6579; --line: #e3e7ee; --bg: #f6f7fb; --card: #fff;
  --primary: %(primary)s; --removed: %(removed)s; --accent: %(accent)s; --good: %(good)s; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
  "PingFang SC", "Microsoft YaHei", sans-serif; }
header { background: var(--ink); color: #fff; padding: 22px 32px 26px; }
header h1 { margin: 0 0 2px; font-size: 22px; font-weight: 650; letter-spacing: .2px; }
header .sub { color: #aab3c5; font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-top: 18px; }
.card { background: rgba(255,255,255,.07); border-radius: 8px; padding: 10px 14px; }
.card .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .value small { font-size: 13px; font-weight: 500; color: #aab3c5; margin-left: 4px; }
.card .label { color: #aab3c5; font-size: 12px; text-transform: uppercase; letter-spacing: .6px; }
.card.bad .value { color: #ff8f9c; } .card.ok .value { color: #9fe0b8; }
nav { padding: 10px 32px; background: #fff; border-bottom: 1px solid var(--line); font-size: 13px; }
nav { display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav a { color: var(--primary); text-decoration: none; white-space: nowrap; }
main { padding: 20px 32px 40px; display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 20px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px;
  min-width: 0; }
section.wide { grid-column: 1 / -1; }
.split { display: grid; grid-template-columns: minmax(0, 4fr) minmax(0, 7fr); gap: 24px; align-items: start; }
h2 { font-size: 16px; margin: 0 0 4px; }
p.lead { color: var(--muted); margin: 0 0 10px; font-size: 13px; }
figure.chart { margin: 0; }
figure.chart svg { width: 100%%; height: auto; display: block; }
.no-data { color: var(--muted); background: var(--bg); border: 1px dashed var(--line); border-radius: 8px;
  padding: 18px; text-align: center; margin: 6px 0; }
table { border-collapse: collapse; width: 100%%; font-size: 13px; margin-top: 8px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
table.fixed { table-layout: fixed; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { overflow-wrap: anywhere; }
code { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; background: var(--bg);
  padding: 1px 5px; border-radius: 4px; }
.rule { font-weight: 600; white-space: nowrap; }
.swatch { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 6px; }
ul.examples { margin: 0; padding-left: 0; list-style: none; }
ul.examples li { color: #39435a; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%%; }
ul.examples.wrap li { white-space: normal; }
ul.examples .snippet::before { content: "“"; color: var(--muted); }
ul.examples .snippet::after { content: "”"; color: var(--muted); }
.from { color: var(--muted); font-size: 11px; margin-left: 4px; }
.pass { color: #2e7d4f; font-weight: 600; } .fail { color: var(--removed); font-weight: 600; }
.up { color: #2e7d4f; } .down { color: var(--removed); }
footer { color: var(--muted); font-size: 12px; padding: 0 32px 30px; }
""" % charts.COLORS


class Markup(str):
    """A string that is already HTML: ``_e`` leaves it alone."""


def _e(value) -> str:
    if isinstance(value, Markup):
        return value
    return html.escape("" if value is None else str(value), quote=True)


def _n(value) -> str:
    return "—" if value is None else f"{int(value):,}"


def _chart(name: str, draw, note: str) -> str:
    """``draw()`` as a figure, or the "no data" note when there is nothing to draw."""
    try:
        svg = draw()
    except charts.NoData:
        return f'<p class="no-data" data-chart="{name}">No data: {_e(note)}</p>'
    return f'<figure class="chart" data-chart="{name}">{svg}</figure>'


def _section(section_id: str, body: str, lead: str = "", wide: bool = False) -> str:
    heading = dict(SECTIONS)[section_id]
    lead_html = f'<p class="lead">{lead}</p>' if lead else ""
    css = ' class="wide"' if wide else ""
    return f'<section id="{section_id}"{css}><h2>{_e(heading)}</h2>{lead_html}{body}</section>'


def _rule_color(rule: str) -> str:
    return charts.RULE_STAGE_COLORS.get(rule.split(".", 1)[0], charts.COLORS["muted"])


def _header(data: ReportData) -> str:
    counts = data.counts
    manifest = data.manifest
    validation = data.validation
    if validation is None:
        status, status_class = "not run", ""
    else:
        status, status_class = ("passed", "ok") if validation["success"] else ("failed", "bad")
    removed = data.totals.get("removed_chars", 0)
    raw = data.totals.get("raw_chars", 0)
    share = f"<small>{100 * removed / raw:.1f} %</small>" if raw else ""
    cards = [
        ("Inputs", _n(counts.get("inputs")), ""),
        ("Documents", _n(counts.get("documents")), ""),
        ("Quarantined", _n(counts.get("quarantined")), "bad" if counts.get("quarantined") else ""),
        ("Duplicates", _n(counts.get("duplicates")), ""),
        ("Characters kept", _n(data.totals.get("chars")), ""),
        ("Characters removed", Markup(_n(removed) + share), ""),
        ("Validation", status, status_class),
    ]
    card_html = "".join(f'<div class="card {cls}"><div class="value">{_e(value)}</div>'
                        f'<div class="label">{_e(label)}</div></div>' for label, value, cls in cards)
    sub = (f"folder <b>{_e(data.folder_name)}</b> · pipeline {_e(manifest.get('pipeline_version'))} · "
           f"schema {_e(manifest.get('schema_version'))} · code {_e((manifest.get('code_hash') or '')[:12])} · "
           f"config {_e((manifest.get('config_hash') or '')[:12])}")
    return (f'<header><h1>Corpus build report</h1><div class="sub">{sub}</div>'
            f'<div class="cards">{card_html}</div></header>')


def _funnel_section(data: ReportData) -> str:
    steps = list(data.funnel)
    inputs = steps[0].count or 0
    labels = [s.stage for s in steps]
    values = [s.count or 0 for s in steps]
    value_labels = [("not run" if s.count is None else
                     f"{s.count:,}" + (f" ({100 * s.count / inputs:.0f} %)" if inputs else "")) for s in steps]
    colors = [charts.COLORS["primary"] if s.count is not None else charts.COLORS["muted"] for s in steps]
    if steps[-1].count == 0 and data.validation is not None:
        colors[-1] = charts.COLORS["removed"]
    figure = _chart("funnel", lambda: charts.bar_chart("funnel", labels if inputs else [], values, colors=colors,
                                                       value_labels=value_labels), "the build had no inputs")
    rows = "".join(f"<tr><td>{_e(s.stage)}</td><td class=num>{_n(s.count)}</td><td>{_e(s.note)}</td></tr>"
                   for s in steps)
    accounting = data.manifest.get("accounting", {})
    lead = (f"Inputs + split articles = documents + quarantined + duplicates: "
            f"{'holds' if accounting.get('holds') else 'does not hold'}.")
    return _section("funnel", figure + f"<table><tr><th>stage</th><th class=num>count</th><th>change</th></tr>"
                                       f"{rows}</table>", lead)


def _documents_section(data: ReportData) -> str:
    total = int(data.counts.get("documents", len(data.documents)))
    if not data.documents:
        return _section("documents", '<p class="no-data">No documents in this build.</p>', wide=True)
    rows = []
    for doc in data.documents:
        rows.append(
            f"<tr><td><code>{_e(doc['id'])}</code></td><td>{_e(doc['title']) or '—'}"
            f'<div class="from">{_e(doc["source_file"])}</div></td><td>{_e(doc["author"]) or "—"}</td>'
            f"<td>{_e(doc['province']) or '—'}</td><td>{_e(doc['published_at'].date().isoformat() if doc['published_at'] else '—')}</td>"
            f"<td>{_e(doc['original_script'])}</td><td class=num>{_n(doc['raw_char_count'])}</td>"
            f"<td class=num>{_n(doc['char_count'])}</td><td class=num>{_n(doc['removals'])}</td></tr>")
    shown = f"all {total:,}" if total <= len(data.documents) else f"the first {len(data.documents):,} of {total:,}"
    lead = (f"Showing {shown} documents (by source file). <code>corpus inspect ID</code> prints one document with "
            "its metadata and removals.")
    table = ("<table><tr><th>id</th><th>title / source</th><th>author</th><th>province</th><th>published</th>"
             "<th>script before</th><th class=num>raw chars</th><th class=num>clean chars</th>"
             f"<th class=num>removals</th></tr>{''.join(rows)}</table>")
    return _section("documents", table, lead, wide=True)


def _examples_html(group: Group, wrap: bool = False) -> str:
    if not group.examples:
        return ""
    items = "".join(f'<li title="{_e(ex.source_file)}"><span class="snippet">{_e(ex.text)}</span>'
                    f"{f'<span class=from>×{ex.repeats}</span>' if ex.repeats > 1 else ''}</li>"
                    for ex in group.examples)
    return f'<ul class="examples{" wrap" if wrap else ""}">{items}</ul>'


def _removals_section(data: ReportData) -> str:
    groups = data.removals
    figure = _chart("removals", lambda: charts.bar_chart(
        "removals", [g.name for g in groups], [g.count for g in groups], colors=[_rule_color(g.name) for g in groups],
        width=charts.NARROW_FIGURE_WIDTH),
        "nothing was removed from any document")
    legend = " ".join(f'<span class="swatch" style="background:{color}"></span>{_e(stage)}'
                      for stage, color in charts.RULE_STAGE_COLORS.items())
    rows = "".join(
        f'<tr><td class="rule"><span class="swatch" style="background:{_rule_color(g.name)}"></span>{_e(g.name)}</td>'
        f"<td class=num>{_n(g.count)}</td><td class=num>{_n(g.chars)}</td><td>{_examples_html(g)}</td></tr>"
        for g in groups)
    table = (f'<table class="fixed"><colgroup><col style="width:34%"><col style="width:11%">'
             f'<col style="width:9%"><col></colgroup>'
             f"<tr><th>rule</th><th class=num>removals</th><th class=num>chars</th>"
             f"<th>most frequent examples (hover: source file)</th></tr>{rows}</table>") if groups else ""
    total = sum(g.count for g in groups)
    lead = (f"{total:,} removals under {len(groups)} rules. Colour = stage: {legend}. "
            "Metadata and structure rules move text into fields rather than drop it.")
    return _section("removals", f'<div class="split"><div>{figure}</div><div>{table}</div></div>', lead, wide=True)


def _quarantine_section(data: ReportData) -> str:
    groups = data.quarantine
    figure = _chart("quarantine", lambda: charts.bar_chart(
        "quarantine", [g.name for g in groups], [g.count for g in groups],
        colors=[charts.COLORS["removed"]] * len(groups)), "no input was quarantined")
    rows = "".join(f'<tr><td class="rule">{_e(g.name)}</td><td class=num>{_n(g.count)}</td>'
                   f"<td>{_examples_html(g, wrap=True)}</td></tr>" for g in groups)
    table = (f'<table class="fixed"><colgroup><col style="width:36%"><col style="width:12%"><col></colgroup>'
             f"<tr><th>reason</th><th class=num>count</th><th>first examples (hover: source file)</th></tr>"
             f"{rows}</table>") if groups else ""
    lead = "Inputs and articles set aside with a reason; <code>quarantine/*.jsonl</code> lists every one."
    return _section("quarantine", figure + table, lead)


def _scripts_section(data: ReportData) -> str:
    rows = {}
    if data.scripts_before:
        rows["before"] = data.scripts_before
    if data.scripts_after:
        rows["after"] = data.scripts_after
    figure = _chart("scripts", lambda: charts.stacked_bar_chart("scripts", rows if "before" in rows else {},
                                                                charts.SCRIPT_COLORS), "no documents")
    before = ", ".join(f"{script} {count:,}" for script, count in data.scripts_before.items()) or "—"
    after = ", ".join(f"{script} {count:,}" for script, count in data.scripts_after.items()) or "—"
    table = (f"<table><tr><th></th><th>documents by script</th></tr><tr><td>before</td><td>{_e(before)}</td></tr>"
             f"<tr><td>after</td><td>{_e(after)}</td></tr><tr><td>characters converted</td>"
             f"<td>{_n(data.chars_converted)}</td></tr></table>")
    lead = "Script of the raw text, and of the output (always mainland Simplified)."
    return _section("scripts", figure + table, lead)


def _provinces_section(data: ReportData) -> str:
    pairs = data.provinces
    colors = [charts.COLORS["muted"] if name == UNKNOWN or name.startswith("other (") else charts.COLORS["primary"]
              for name, _ in pairs]
    figure = _chart("provinces", lambda: charts.bar_chart("provinces", [p for p, _ in pairs],
                                                         [n for _, n in pairs], colors=colors), "no documents")
    return _section("provinces", figure, "Province-level division of each document's locale (grey: not found).")


def _years_section(data: ReportData) -> str:
    figure = _chart("years", lambda: charts.column_chart("years", [y for y, _ in data.years],
                                                         [n for _, n in data.years]),
                    "no document states a publication date")
    lead = f"Year of <code>published_at</code>; {data.documents_without_year:,} documents state no date."
    return _section("years", figure, lead)


def _lengths_section(data: ReportData) -> str:
    series = {"raw": data.raw_lengths, "clean": data.clean_lengths}
    figure = _chart("lengths", lambda: charts.histogram_chart(
        "lengths", series, {"raw": charts.COLORS["accent"], "clean": charts.COLORS["primary"]}), "no documents")
    lead = "Characters per document after decoding (raw) and after cleaning (clean)."
    if data.clean_lengths:
        ordered = sorted(data.clean_lengths)
        lead += f" Clean median {ordered[len(ordered) // 2]:,}, shortest {ordered[0]:,}, longest {ordered[-1]:,}."
    return _section("lengths", figure, lead)


def _authors_section(data: ReportData) -> str:
    pairs = data.authors
    figure = _chart("authors", lambda: charts.bar_chart("authors", [a for a, _ in pairs], [n for _, n in pairs],
                                                       colors=[charts.COLORS["good"]] * len(pairs)),
                    "no document names an author")
    lead = f"Documents per author; {data.documents_without_author:,} documents name no author."
    return _section("authors", figure, lead)


def _validation_section(data: ReportData) -> str:
    validation = data.validation
    link = (f' <a href="{_e(data.validation_docs)}">Open the Data Docs</a>.' if data.validation_docs else "")
    if validation is None:
        return _section("validation", f'<p class="no-data">Validation was not run for this build.{link}</p>')
    expectations = validation["expectations"]
    failed = [e for e in expectations if not e["success"]]
    verdict = ('<span class="pass">passed</span>' if validation["success"] else '<span class="fail">failed</span>')
    lead = f"Suite {verdict}: {met_text(expectations)}.{link}"
    rows = "".join(f"<tr><td>{_e(e['name'])}</td><td>{_e(e['column'])}</td><td class=num>"
                   f"{_e(e['unexpected_count'] if e['unexpected_count'] not in (None, '') else '—')}</td></tr>"
                   for e in failed)
    table = (f"<table><tr><th>failed expectation</th><th>column</th><th class=num>rows</th></tr>{rows}</table>"
             if rows else '<p class="lead">Every expectation was met.</p>')
    return _section("validation", table, lead)


def _file_list(title: str, files: tuple[str, ...]) -> str:
    if not files:
        return f"<tr><td>{_e(title)}</td><td class=num>0</td><td>—</td></tr>"
    shown = ", ".join(f"<code>{_e(f)}</code>" for f in files[:DIFF_FILES_SHOWN])
    more = f" and {len(files) - DIFF_FILES_SHOWN:,} more" if len(files) > DIFF_FILES_SHOWN else ""
    return f"<tr><td>{_e(title)}</td><td class=num>{len(files):,}</td><td>{shown}{more}</td></tr>"


def _diff_section(data: ReportData) -> str:
    diff = data.diff
    if diff is None:
        return _section("diff", '<p class="no-data">No previous build to compare with.</p>', wide=True)
    rows = []
    for name, before, now in diff.counts:
        delta = now - before
        css = "up" if delta > 0 else "down" if delta < 0 else ""
        rows.append(f"<tr><td>{_e(name)}</td><td class=num>{before:,}</td><td class=num>{now:,}</td>"
                    f"<td class='num {css}'>{delta:+,}</td></tr>")
    counts = ("<table><tr><th>count</th><th class=num>previous</th><th class=num>now</th><th class=num>change</th>"
              f"</tr>{''.join(rows)}</table>")
    sources = ("<table><tr><th>source files</th><th class=num>files</th><th>paths</th></tr>"
               + _file_list("new", diff.new_sources) + _file_list("vanished", diff.vanished_sources)
               + _file_list("changed content", diff.changed_sources) + "</table>")
    lead = (f"Code {'changed' if diff.code_changed else 'unchanged'}, configuration "
            f"{'changed' if diff.config_changed else 'unchanged'} since the previous build.")
    return _section("diff", counts + sources, lead, wide=True)


def report_html(data: ReportData) -> str:
    """The whole page as one string (no I/O)."""
    toc = "".join(f'<a href="#{section_id}">{_e(heading)}</a>' for section_id, heading in SECTIONS)
    body = "".join([
        _funnel_section(data), _scripts_section(data), _removals_section(data), _quarantine_section(data),
        _validation_section(data), _provinces_section(data), _years_section(data), _lengths_section(data),
        _authors_section(data), _documents_section(data), _diff_section(data),
    ])
    footer = (f"Generated from <code>manifest.json</code> and the Parquet files of this folder. Stages: "
              f"{_e(' → '.join(data.manifest.get('stages', [])))}.")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Corpus build report · {_e(data.folder_name)}</title><style>{CSS}</style></head><body>"
            f"{_header(data)}<nav>{toc}</nav><main>{body}</main><footer>{footer}</footer></body></html>\n")


def render_report(output_dir: Path, previous_manifest: dict | None = None, folder_name: str | None = None) -> Path:
    """Write ``output_dir/report.html`` for the build in ``output_dir``; return its path (``folder_name``: see
    ``collect_report_data``)."""
    output_dir = Path(output_dir)
    page = report_html(collect_report_data(output_dir, previous_manifest, folder_name))
    target = output_dir / REPORT_NAME
    temporary = target.with_name(f".{REPORT_NAME}.tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(target)
    return target


# -- markdown ----------------------------------------------------------------------------------------------


def _md(value) -> str:
    """A table cell: pipes escaped, line breaks flattened.

    >>> _md("a|b\\nc")
    'a\\\\|b c'
    """
    return re.sub(r"\s*\n\s*", " ", str(value)).replace("|", "\\|")


def report_markdown(output_dir: Path, previous_manifest: dict | None = None) -> str:
    """A compact markdown version of the report (for a Prefect markdown artifact)."""
    data = collect_report_data(Path(output_dir), previous_manifest)
    counts = data.counts
    validation = data.validation
    status = "not run" if validation is None else ("passed" if validation["success"] else "failed")
    lines = [
        f"# Corpus build report · {data.folder_name}",
        "",
        f"**{_n(counts.get('documents'))} documents** from {_n(counts.get('inputs'))} inputs · "
        f"{_n(counts.get('quarantined'))} quarantined · {_n(counts.get('duplicates'))} duplicates · "
        f"{_n(data.totals.get('chars'))} characters kept, {_n(data.totals.get('removed_chars'))} removed · "
        f"validation {status}",
        "",
        "## Retention funnel",
        "",
        "| stage | count | change |",
        "|---|---:|---|",
    ]
    lines += [f"| {s.stage} | {_n(s.count)} | {_md(s.note)} |" for s in data.funnel]
    lines += ["", "## Removals by rule", ""]
    if data.removals:
        lines += ["| rule | removals | example |", "|---|---:|---|"]
        lines += [f"| {g.name} | {g.count:,} | {_md(g.examples[0].text) if g.examples else ''} |"
                  for g in data.removals]
    else:
        lines.append("Nothing was removed.")
    lines += ["", "## Quarantine by reason", ""]
    if data.quarantine:
        lines += ["| reason | count | example |", "|---|---:|---|"]
        for group in data.quarantine:
            example = f"{group.examples[0].source_file}: {group.examples[0].text}" if group.examples else ""
            lines.append(f"| {group.name} | {group.count:,} | {_md(example)} |")
    else:
        lines.append("No input was quarantined.")
    before = ", ".join(f"{k} {v:,}" for k, v in data.scripts_before.items()) or "—"
    after = ", ".join(f"{k} {v:,}" for k, v in data.scripts_after.items()) or "—"
    lines += ["", "## Script mix", "", f"- before: {before}", f"- after: {after}",
              f"- characters converted: {data.chars_converted:,}"]
    if validation is not None:
        failed = [e for e in validation["expectations"] if not e["success"]]
        lines += ["", "## Validation", "", f"Suite {status}: {met_text(validation['expectations'])}."]
        lines += [f"- failed: {e['name']}({e['column']})" for e in failed]
    if data.diff is not None:
        diff = data.diff
        changed = [(name, before_n, now) for name, before_n, now in diff.counts if before_n != now]
        lines += ["", "## Changes since the previous build", ""]
        lines += [f"- {name}: {before_n:,} → {now:,} ({now - before_n:+,})" for name, before_n, now in changed] \
            or ["- counts unchanged"]
        lines.append(f"- source files: {len(diff.new_sources)} new, {len(diff.vanished_sources)} vanished, "
                     f"{len(diff.changed_sources)} changed")
    return "\n".join(lines) + "\n"
