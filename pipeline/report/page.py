"""``report.html``: the build report as one self-contained, offline page.

The page has no script, no external stylesheet, font or image: charts are matplotlib SVG inlined in the HTML
(``pipeline.report.charts``), styles are one ``<style>`` block. The same folder gives the same bytes.
Changes: ``report.html`` in the folder it renders (written under a temporary name, then renamed). Leaves alone
every other file of the build.
"""

from __future__ import annotations

import html
from pathlib import Path

from pipeline.report import charts
from pipeline.report.data import UNKNOWN, Group, ReportData, collect_report_data, count_text, rule_families
from pipeline.validation import met_text

REPORT_NAME = "report.html"
# Source files listed per diff category (new / vanished / changed); the rest is counted.
DIFF_FILES_SHOWN = 20

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
        ("Inputs", count_text(counts.get("inputs")), ""),
        ("Documents", count_text(counts.get("documents")), ""),
        ("Quarantined", count_text(counts.get("quarantined")), "bad" if counts.get("quarantined") else ""),
        ("Duplicates", count_text(counts.get("duplicates")), ""),
        ("Characters kept", count_text(data.totals.get("chars")), ""),
        ("Characters removed", Markup(count_text(removed) + share), ""),
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
    rows = "".join(f"<tr><td>{_e(s.stage)}</td><td class=num>{count_text(s.count)}</td><td>{_e(s.note)}</td></tr>"
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
        published = doc["published_at"].date().isoformat() if doc["published_at"] else "—"
        rows.append(
            f"<tr><td><code>{_e(doc['id'])}</code></td><td>{_e(doc['title']) or '—'}"
            f'<div class="from">{_e(doc["source_file"])}</div></td><td>{_e(doc["author"]) or "—"}</td>'
            f"<td>{_e(doc['province']) or '—'}</td><td>{_e(published)}</td>"
            f"<td>{_e(doc['original_script'])}</td><td class=num>{count_text(doc['raw_char_count'])}</td>"
            f"<td class=num>{count_text(doc['char_count'])}</td><td class=num>{count_text(doc['removals'])}</td></tr>")
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
    families = rule_families(groups)  # one bar per rule, not per score of a learned component
    figure = _chart("removals", lambda: charts.bar_chart(
        "removals", [name for name, _ in families], [count for _, count in families],
        colors=[_rule_color(name) for name, _ in families], width=charts.NARROW_FIGURE_WIDTH),
        "nothing was removed from any document")
    legend = " ".join(f'<span class="swatch" style="background:{color}"></span>{_e(stage)}'
                      for stage, color in charts.RULE_STAGE_COLORS.items())
    rows = "".join(
        f'<tr><td class="rule"><span class="swatch" style="background:{_rule_color(g.name)}"></span>{_e(g.name)}</td>'
        f"<td class=num>{count_text(g.count)}</td><td class=num>{count_text(g.chars)}</td>"
        f"<td>{_examples_html(g)}</td></tr>"
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
    rows = "".join(f'<tr><td class="rule">{_e(g.name)}</td><td class=num>{count_text(g.count)}</td>'
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
             f"<td>{count_text(data.chars_converted)}</td></tr></table>")
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
