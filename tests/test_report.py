"""The build report: every section and chart present, charts carry data, the page is offline and deterministic,
and it renders in headless Chromium with the same script that makes the README screenshot."""

from __future__ import annotations

import dataclasses
import html
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

import browser
from conftest import RAW, ROOT
from pipeline.build import build_locally
from pipeline.config import BuildConfig
from pipeline.errors import PipelineError
from pipeline.report import CHART_NAMES, SECTIONS, render_report, report_markdown
from pipeline.stage_configs import ValidationConfig

# Builds other than the seed fixture skip Great Expectations: the report, not the suite, is under test here.
NO_VALIDATION = dataclasses.replace(BuildConfig(), validation=ValidationConfig(enabled=False))


class Page(HTMLParser):
    """The parts of report.html the tests look at: sections, charts, table rows, links, scripts."""

    def __init__(self, text: str):
        super().__init__()
        self.sections: list[str] = []
        self.figures: dict[str, str] = {}  # chart name -> "svg" | "no-data"
        self.svg_charts: list[str] = []  # data-chart of every <svg>
        self.marks: Counter = Counter()  # chart name -> elements with id "<chart>-mark-<n>"
        self.rows: Counter = Counter()  # section id -> <tr> inside it (header row included)
        self.links: list[str] = []
        self.tags: Counter = Counter()
        self._section: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags[tag] += 1
        if tag == "section":
            self._section = attributes.get("id")
            self.sections.append(self._section)
        if tag == "figure" and "chart" in (attributes.get("class") or ""):
            self.figures[attributes["data-chart"]] = "svg"
        if tag == "p" and "no-data" in (attributes.get("class") or "") and "data-chart" in attributes:
            self.figures[attributes["data-chart"]] = "no-data"
        if tag == "svg":
            self.svg_charts.append(attributes.get("data-chart"))
        mark = re.fullmatch(r"(\w+)-mark-\d+", attributes.get("id") or "")
        if mark:
            self.marks[mark.group(1)] += 1
        if tag == "tr" and self._section:
            self.rows[self._section] += 1
        for name in ("src", "href", "xlink:href"):
            if name in attributes:
                self.links.append(attributes[name])


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory) -> Path:
    """The seed build with the project's stages and validation, as `corpus build` makes it."""
    output = tmp_path_factory.mktemp("report") / "seed-out"
    build_locally(RAW, output, BuildConfig())
    return output


@pytest.fixture(scope="module")
def seed_report(seed_build) -> tuple[Path, Page, dict]:
    report = render_report(seed_build)
    manifest = json.loads((seed_build / "manifest.json").read_text(encoding="utf-8"))
    return report, Page(report.read_text(encoding="utf-8")), manifest


def test_report_is_written_into_the_build_folder_with_every_section(seed_build, seed_report):
    report, page, _ = seed_report
    assert report == seed_build / "report.html"
    assert page.sections == [section_id for section_id, _ in SECTIONS]


def test_every_chart_is_an_inline_svg_with_data_or_says_no_data(seed_report):
    _, page, manifest = seed_report
    assert set(page.figures) == set(CHART_NAMES)
    for name, kind in page.figures.items():
        if kind == "svg":
            assert name in page.svg_charts
            assert page.marks[name] > 0, f"chart {name} is an empty axis"
    # The seed build has documents, removals and dated, located, attributed documents: those charts have data.
    for name in ("funnel", "removals", "scripts", "provinces", "years", "lengths", "authors"):
        assert page.figures[name] == "svg", name
    assert page.marks["funnel"] == 5  # inputs, decoded, cleaned, deduplicated, validated
    # one bar per rule: a learned component's scored names (model.title:0.82) share their rule's bar
    assert page.marks["removals"] == len({rule.split(":")[0] for rule in manifest["counts"]["removals_by_rule"]})
    assert page.figures["quarantine"] == ("svg" if manifest["counts"]["quarantined"] else "no-data")


def test_seed_report_shows_the_six_documents_their_removals_and_scripts_before_after(seed_build, seed_report):
    report, page, manifest = seed_report
    text = report.read_text(encoding="utf-8")
    documents = duckdb.sql(f"select id, title from read_parquet('{seed_build}/documents/*.parquet')").fetchall()
    assert len(documents) == 6
    assert page.rows["documents"] == 1 + 6  # header + one row per document
    for doc_id, title in documents:
        assert doc_id in text
        if title:
            assert title in text
    by_rule = manifest["counts"]["removals_by_rule"]
    assert by_rule, "the seed build removes debris lines; an empty list means the stages are not wired"
    assert page.rows["removals"] == 1 + len(by_rule)
    for rule, count in by_rule.items():
        assert re.search(rf"{re.escape(rule)}</td><td class=num>{count:,}</td>", text), rule
    scripts = manifest["counts"]["original_scripts"]
    assert scripts.get("traditional"), "the seed has Traditional-script files"
    before = ", ".join(f"{script} {count:,}" for script, count in sorted(scripts.items()))
    assert f"<td>before</td><td>{before}</td>" in text
    assert "<td>after</td><td>simplified 6</td>" in text


def test_removal_examples_are_real_removed_text(seed_build, seed_report):
    report, _, _ = seed_report
    text = report.read_text(encoding="utf-8")
    removed = duckdb.sql(f"select rule, text from read_parquet('{seed_build}/removals/*.parquet')").fetchall()
    snippets = re.findall(r'<span class="snippet">([^<]*)</span>', text)
    assert snippets
    removed_texts = [t for _, t in removed]
    for snippet in snippets:
        snippet = html.unescape(snippet)
        if snippet.endswith("(line breaks)"):
            continue
        head = snippet.rstrip("…").replace("↵", "\n")
        assert any(head in original for original in removed_texts), snippet


def test_validation_section_links_the_data_docs(seed_build, seed_report):
    _, page, manifest = seed_report
    assert manifest["validation"]["success"] is True
    assert (seed_build / "validation" / "index.html").is_file()
    assert "validation/index.html" in page.links
    # the suite's expectations (those the Data Docs page lists) and the checks outside GX, counted apart
    expectations = sum(1 for row in manifest["validation"]["expectations"] if row["in_suite"])
    outside = len(manifest["validation"]["expectations"]) - expectations
    assert (f"{expectations} of {expectations} expectations met, {outside} of {outside} file checks passed"
            in (seed_build / "report.html").read_text("utf-8"))


def test_report_is_self_contained_no_script_no_external_url(seed_report):
    report, page, _ = seed_report
    text = report.read_text(encoding="utf-8")
    assert page.tags["script"] == 0 and page.tags["link"] == 0 and page.tags["img"] == 0
    for link in page.links:
        assert link.startswith("#") or not re.match(r"(?i)([a-z]+:|//)", link), link
    assert not re.search(r"(?i)url\(\s*['\"]?(https?:|//)|@import", text)


def test_same_build_gives_the_same_report_bytes(seed_build, seed_report):
    report, _, _ = seed_report
    first = report.read_bytes()
    assert render_report(seed_build).read_bytes() == first


def test_an_empty_build_shows_no_data_notes_not_empty_axes(tmp_path):
    (tmp_path / "raw").mkdir()
    build_locally(tmp_path / "raw", tmp_path / "out", NO_VALIDATION)
    page = Page(render_report(tmp_path / "out").read_text(encoding="utf-8"))
    assert page.figures == {name: "no-data" for name in CHART_NAMES}
    assert page.tags["svg"] == 0
    assert "Validation was not run" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_quarantine_reasons_examples_and_the_diff_against_the_previous_build(seed_dir, tmp_path):
    previous = build_locally(seed_dir, tmp_path / "out", NO_VALIDATION)
    (seed_dir / "empty.txt").write_bytes(b"")
    (seed_dir / "random.txt").write_bytes(os.urandom(4096))
    (seed_dir / "copy.txt").write_bytes((seed_dir / "002_875649bcf166c00f.txt").read_bytes())
    vanished = sorted(seed_dir.glob("*.txt"))[0]
    vanished.unlink()
    manifest = build_locally(seed_dir, tmp_path / "out", NO_VALIDATION)
    text = render_report(tmp_path / "out", previous_manifest=previous).read_text(encoding="utf-8")
    page = Page(text)
    reasons = manifest["counts"]["quarantined_by_reason"]
    assert "ingest.empty" in reasons
    assert page.figures["quarantine"] == "svg" and page.marks["quarantine"] == len(reasons)
    for reason, count in reasons.items():
        assert f'{reason}</td><td class=num>{count:,}</td>' in text
    assert 'title="empty.txt"' in text  # the example names its file
    funnel = re.findall(r"<tr><td>(\w+)</td><td class=num>([\d,—]+)</td>", text)[:5]
    counts = manifest["counts"]
    ingest_lost = sum(n for r, n in reasons.items() if r.startswith("ingest."))
    assert funnel == [("inputs", str(counts["inputs"])),
                      ("decoded", str(counts["inputs"] - ingest_lost)),
                      ("cleaned", str(counts["documents"] + counts["duplicates"])),
                      ("deduplicated", str(counts["documents"])), ("validated", "—")]
    assert "<td>new</td><td class=num>3</td>" in text
    for name in ("empty.txt", "random.txt", "copy.txt"):
        assert f"<code>{name}</code>" in text
    assert f"<td>vanished</td><td class=num>1</td><td><code>{vanished.name}</code>" in text
    delta = manifest["counts"]["documents"] - previous["counts"]["documents"]
    assert (f"<tr><td>documents</td><td class=num>{previous['counts']['documents']}</td><td class=num>"
            f"{manifest['counts']['documents']}</td><td class='num {'down' if delta < 0 else 'up' if delta else ''}'>"
            f"{delta:+}</td>") in text
    markdown = report_markdown(tmp_path / "out", previous_manifest=previous)
    assert "source files: 3 new, 1 vanished, 0 changed" in markdown


def test_markdown_report_has_the_funnel_rules_and_scripts(seed_build, seed_report):
    _, _, manifest = seed_report
    markdown = report_markdown(seed_build)
    counts = manifest["counts"]
    assert f"| inputs | {counts['inputs']} |" in markdown
    assert f"| deduplicated | {counts['documents']} |" in markdown
    for rule, count in counts["removals_by_rule"].items():
        assert f"| {rule} | {count:,} |" in markdown
    assert "- after: simplified 6" in markdown
    assert "Suite passed" in markdown


def test_a_folder_without_manifest_is_a_one_line_error(tmp_path):
    with pytest.raises(PipelineError, match="no manifest.json"):
        render_report(tmp_path)


def _load_screenshot_tool():
    spec = importlib.util.spec_from_file_location("screenshot_report", ROOT / "tools" / "screenshot_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.browser
@pytest.mark.skipif(browser.find_chromium() is None, reason="no chromium on PATH: run .ci/install-browser.sh")
def test_report_renders_in_headless_chromium_without_console_errors(seed_build, tmp_path):
    tool = _load_screenshot_tool()  # the script that makes docs/report.png
    png = tool.screenshot_report(seed_build, tmp_path / "report.png", width=1280, height=1600)
    assert browser.png_size(png) == (1280, 1600)
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("RGB").resize((160, 200)).getcolors(maxcolors=100_000)
    assert len(colours) > 200, "the screenshot is (nearly) blank"
    completed = browser._run(["--enable-logging=stderr", "--v=0", "--dump-dom",
                              (seed_build / "report.html").resolve().as_uri()])
    log = completed.stderr.decode("utf-8", errors="replace")
    assert "Uncaught" not in log and "ERROR:CONSOLE" not in log
    dom = Page(completed.stdout.decode("utf-8", errors="replace"))
    assert sorted(name for name, kind in dom.figures.items() if kind == "svg") == sorted(
        name for name in dom.svg_charts if name)
    assert all(dom.marks[name] > 0 for name, kind in dom.figures.items() if kind == "svg")
    assert dom.sections == [section_id for section_id, _ in SECTIONS]


def test_report_data_docs_and_validate_agree_on_the_expectations(tmp_path):
    """The report (as the build wrote it), the Data Docs page and `corpus validate` count the same expectations
    of the suite; the checks made outside GX are counted apart, as file checks. The header names the output
    folder, not the staging folder the report was rendered in."""
    out = tmp_path / "my-corpus"
    manifest = build_locally(RAW, out, BuildConfig())
    in_suite = [row for row in manifest["validation"]["expectations"] if row["in_suite"]]
    suite_size = len(json.loads((out / "validation" / "result.json").read_text(encoding="utf-8"))["results"])
    assert len(in_suite) == suite_size > 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "folder <b>my-corpus</b>" in report and ".staging" not in report
    assert f"{suite_size} of {suite_size} expectations met, 1 of 1 file checks passed" in report
    pages = list((out / "validation" / "validations").rglob("*.html"))
    assert len(pages) == 1
    evaluated = re.search(r"Evaluated Expectations</div></td><td[^>]*><div[^>]*>(\d+)<",
                          pages[0].read_text(encoding="utf-8"))
    assert evaluated and int(evaluated.group(1)) == suite_size
    result = subprocess.run([sys.executable, "-m", "flows.cli", "validate", str(out)], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"{suite_size} of {suite_size} expectations met, 2 of 2 file checks passed" in result.stdout
