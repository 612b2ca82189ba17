"""A compact markdown version of the build report (for a Prefect markdown artifact); writes nothing."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.report.data import collect_report_data, count_text
from pipeline.validation import met_text

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
        f"**{count_text(counts.get('documents'))} documents** from {count_text(counts.get('inputs'))} inputs · "
        f"{count_text(counts.get('quarantined'))} quarantined · {count_text(counts.get('duplicates'))} duplicates · "
        f"{count_text(data.totals.get('chars'))} characters kept, "
        f"{count_text(data.totals.get('removed_chars'))} removed · "
        f"validation {status}",
        "",
        "## Retention funnel",
        "",
        "| stage | count | change |",
        "|---|---:|---|",
    ]
    lines += [f"| {s.stage} | {count_text(s.count)} | {_md(s.note)} |" for s in data.funnel]
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
