"""Validation with Great Expectations: a good batch passes, each broken contract fails by name, Data Docs open.

The suite runs on the compact checks table (no text); checks derived from the text are computed by
``check_row`` and must agree with the plain row functions. Each GX run here is ~1 s (suite of ~30
expectations plus the Data Docs site); GX's import (~4 s) is paid once per session.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import browser
from pipeline.config import config_from_dict
from pipeline.errors import ConfigError, ValidationFailed
from pipeline.schema import DATE_COLUMNS, DOCUMENT_SCHEMA, SCHEMA_VERSION, typed_date
from pipeline.stage_configs import ValidationConfig
from pipeline.stages.quality import _HAN, _classified_points
from pipeline.validation.expectations import check_row, cjk_share, debris_found, traditional_residue
from pipeline.validation import (
    CHECKS_SCHEMA,
    SUITE_NAME,
    build_suite,
    checks_for_rows,
    read_checks,
    row_failures,
    validate_checks,
    validate_documents,
    validate_folder,
)

PARAGRAPHS = [
    "各位代表，过去一年，全县上下坚持以习近平新时代中国特色社会主义思想为指导，经济社会发展取得新成效。",
    "我们要深入推进乡村振兴，持续改善农村人居环境，让广大群众的获得感、幸福感、安全感更加充实。",
    "同志们，法治建设是一项长期任务，必须坚持依法治县，推进严格执法、公正司法、全民守法。",
    "今年是实施十四五规划承上启下的关键之年，做好全年工作意义重大，要统筹发展和安全。",
    "会议强调，要压实安全生产责任，全面排查整治各类风险隐患，坚决遏制重特大事故发生。",
    "要加强干部队伍建设，树立正确用人导向，激励干部担当作为、干事创业，营造风清气正的政治生态。",
]


def good_rows() -> list[dict]:
    rows = []
    for index, text in enumerate(PARAGRAPHS):
        place = [("浙江省", "台州市", None, "331000"), ("浙江省", None, "遂昌县", "331123"),
                 ("海南省", None, "定安县", "469021"), (None, None, None, None)][index % 4]  # fmt: skip
        rows.append(
            {
                "id": f"abc-{index}",
                "source_file": f"{index:03d}.txt",
                "article_index": 0,
                "title": f"在全县工作会议上的讲话（{index}）",
                "province": place[0],
                "city": place[1],
                "county": place[2],
                "region_code": place[3],
                "published_at": ["2022-11-24 08:47:00", "2023-01-05", None][index % 3],
                "original_script": ["simplified", "traditional", "mixed"][index % 3],
                "text": text,
                "char_count": len(text),
                "source_encoding": "utf-8",
                "source_format": "text",
                "source_sha256": hashlib.sha256(text.encode()).hexdigest(),
                "removed_char_count": 0,
            }
        )
    return rows


def frame_of(rows: list[dict]) -> pd.DataFrame:
    """The documents table as the build reads it back from Parquet (ISO date strings typed as the build
    types them: timestamp + precision)."""
    return pa.Table.from_pylist([typed_dates(row) for row in rows], schema=DOCUMENT_SCHEMA).to_pandas()


def typed_dates(row: dict) -> dict:
    row = dict(row)
    for date, precision in DATE_COLUMNS.items():
        if isinstance(row.get(date), str):
            row[date], stated = typed_date(row[date])
            row.setdefault(precision, stated)  # a test may set a wrong precision on purpose
    return row


def test_good_batch_passes_and_writes_results(tmp_path):
    # 6 rows after 12: exactly the 50 % floor of the row-count band
    report = validate_documents(frame_of(good_rows()), ValidationConfig(), tmp_path, previous_row_count=12)
    assert report.success, report.failure_message()
    assert report.failure_message() == ""
    assert report.row_count == 6
    assert report.suite_name == SUITE_NAME and SCHEMA_VERSION in SUITE_NAME
    result_text = (tmp_path / "validation" / "result.json").read_text(encoding="utf-8")
    result = json.loads(result_text)
    assert result["success"] is True
    assert result["suite_name"] == SUITE_NAME
    assert result_text == json.dumps(result, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert report.docs_index == tmp_path / "validation" / "index.html" and report.docs_index.is_file()
    assert report.docs_page.is_file() and report.docs_page.is_relative_to(tmp_path / "validation")
    rows = report.summary_rows()
    # GX's results plus the documents' schema check (column names, done outside GX)
    assert len(rows) == len(report.expectations) == len(result["results"]) + 1
    assert report.expectations[-1].label == "expect_parquet_schema_to_match(documents)"
    assert all(row["success"] is True for row in rows)
    assert {"expectation", "column", "success", "unexpected", "examples"} <= set(rows[0])
    summary = json.loads((tmp_path / "validation" / "summary.json").read_text(encoding="utf-8"))
    assert summary["success"] is True and len(summary["expectations"]) == len(rows)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folders left behind"


def test_suite_covers_the_contract():
    suite = build_suite(ValidationConfig(), previous_row_count=100)
    kinds = {e.expectation_type for e in suite.expectations}
    assert {
        "expect_table_columns_to_match_set",
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_unique",
        "expect_no_traditional_residue",
        "expect_no_debris",
        "expect_cjk_share_at_least",
        "expect_char_count_to_match_text",
        "expect_region_code_consistent",
        "expect_column_values_to_be_iso_dates_not_in_future",
    } <= kinds
    labels = [e.description.split(":")[0] for e in suite.expectations]
    assert len(labels) == len(set(labels)), "two expectations share a label: messages would be ambiguous"
    # checks on derived columns keep the names of the checks on text they stand for
    assert {"expect_column_values_to_match_regex(text)", "expect_column_value_lengths_to_be_between(text)",
            "expect_no_traditional_residue(text)", "expect_no_debris(text)", "expect_cjk_share_at_least(text)",
            "expect_char_count_to_match_text(text,char_count)"} <= set(labels)
    checked = [getattr(e, "column", None) or ",".join(getattr(e, "column_list", None) or ())
               for e in suite.expectations]
    assert "text" not in ",".join(checked).split(","), "the suite must not need the text column"
    assert len(build_suite(ValidationConfig()).expectations) == len(suite.expectations)


def _set(rows, index, **changes):
    rows[index].update(changes)
    return rows


TRADITIONAL = "這是測試，我們要深入推進鄉村振興，持續改善農村人居環境。"
DEBRIS = "时间:2022-11-24 08:47:00\n" + PARAGRAPHS[2]
LATIN = "Lorem ipsum dolor sit amet, consectetur adipiscing elit 会议."

BROKEN = [
    # label, change to the good rows, previous row count, labels that must fail (exactly), text in message
    ("traditional residue", lambda r: _set(r, 0, text=TRADITIONAL, char_count=len(TRADITIONAL)), None,
     {"expect_no_traditional_residue(text)"}, "id abc-0: 這測"),
    ("duplicate id", lambda r: _set(r, 3, id="abc-1"), None,
     {"expect_column_values_to_be_unique(id)"}, "id abc-1"),
    ("empty text", lambda r: _set(r, 4, text="", char_count=0), None,
     {"expect_column_values_to_match_regex(text)", "expect_column_value_lengths_to_be_between(text)",
      "expect_cjk_share_at_least(text)"}, "id abc-4: blank text"),
    ("debris line", lambda r: _set(r, 2, text=DEBRIS, char_count=len(DEBRIS)), None,
     {"expect_no_debris(text)"}, "id abc-2: 时间:"),
    ("row count collapse", lambda r: r, 100,
     {"expect_table_row_count_to_be_between"}, "observed 6, expected 50..1000"),
    ("region code not 6 digits", lambda r: _set(r, 0, region_code="33100"), None,
     {"expect_region_code_consistent(province,city,county,region_code)"},
     "id abc-0: region_code '33100' is not 6 digits"),
    ("char_count mismatch", lambda r: _set(r, 5, char_count=3), None,
     {"expect_char_count_to_match_text(text,char_count)"}, "id abc-5: char_count 3 !="),
    ("future published_at", lambda r: _set(r, 1, published_at="2999-01-01"), None,
     {"expect_column_values_to_be_iso_dates_not_in_future(published_at)"}, "id abc-1: 2999-01-01: in the future"),
]  # fmt: skip


@pytest.mark.parametrize(
    "change, previous, expected, needle", [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_broken_contract_fails_naming_the_expectation(tmp_path, change, previous, expected, needle):
    frame = frame_of(change(good_rows()))
    with pytest.raises(ValidationFailed) as caught:
        validate_documents(frame, ValidationConfig(), tmp_path, previous_row_count=previous)
    message = str(caught.value)
    assert message.startswith("validation failed: ") and "\n" not in message
    assert set(caught.value.failed_expectations) == expected
    for label in expected:
        assert label in message
    assert needle in message
    # results are written before the error is raised
    result = json.loads((tmp_path / "validation" / "result.json").read_text(encoding="utf-8"))
    assert result["success"] is False
    assert (tmp_path / "validation" / "index.html").is_file()
    assert caught.value.report.success is False


def test_several_broken_rows_are_each_named_with_their_row(tmp_path):
    rows = good_rows()
    _set(rows, 0, region_code="321000")  # 浙江省 台州市 with a 江苏 code
    _set(rows, 1, published_at="2999-11-24T08:47:00")
    _set(rows, 2, original_script="klingon")
    _set(rows, 3, region_code="331000")  # a code but no place name
    _set(rows, 4, text=LATIN, char_count=len(LATIN))
    _set(rows, 5, event_date="2022-11-01", event_date_precision="fortnight")
    with pytest.raises(ValidationFailed) as caught:
        validate_documents(frame_of(rows), ValidationConfig(), tmp_path)
    assert set(caught.value.failed_expectations) == {
        "expect_region_code_consistent(province,city,county,region_code)",
        "expect_column_values_to_be_iso_dates_not_in_future(published_at)",
        "expect_column_values_to_be_in_set_or_null(original_script)",
        "expect_cjk_share_at_least(text)",
        "expect_column_values_to_be_in_set_or_null(event_date_precision)",
    }
    message = str(caught.value)
    for needle in [
        "id abc-0: province 浙江省 does not match code prefix 32 (江苏)",
        "id abc-3: region_code without province/city/county",
        "id abc-1: 2999-11-24T08:47:00: in the future",
        "id abc-2: klingon",
        "id abc-4: share 0.04",
        "id abc-5: fortnight",
    ]:
        assert needle in message


ROW_LEVEL = [case for case in BROKEN if case[0] not in ("duplicate id", "row count collapse")]


def row_failure_labels(rows: list[dict]) -> dict[str, set[str]]:
    """id -> labels of the row-level expectations the row breaks (what the build quarantines it for)."""
    found = {}
    for row in checks_for_rows(rows, ValidationConfig()):
        failures = row_failures(row, ValidationConfig())
        if failures:
            found[row["id"]] = {clause.split(": ")[0] for _, clause in failures}
    return found


@pytest.mark.parametrize("change, expected, needle", [(c[1], c[3], c[4]) for c in ROW_LEVEL],
                         ids=[case[0] for case in ROW_LEVEL])
def test_row_failures_name_the_rows_and_expectations_the_suite_fails(change, expected, needle):
    assert row_failure_labels(good_rows()) == {}
    rows = change(good_rows())
    broken_id, why = needle.removeprefix("id ").split(": ", 1)
    assert row_failure_labels(rows) == {broken_id: expected}
    row = next(r for r in checks_for_rows(rows, ValidationConfig()) if r["id"] == broken_id)
    assert any(why in clause for _, clause in row_failures(row, ValidationConfig()))


def test_row_failures_see_each_broken_row_of_a_batch():
    rows = good_rows()
    _set(rows, 0, region_code="321000")
    _set(rows, 1, published_at="2022年11月24日")
    _set(rows, 2, original_script="klingon")
    _set(rows, 4, text=LATIN, char_count=len(LATIN))
    _set(rows, 5, event_date="2022-13-01", source_sha256="not a digest")
    assert row_failure_labels(rows) == {
        "abc-0": {"expect_region_code_consistent(province,city,county,region_code)"},
        "abc-1": {"expect_column_values_to_be_iso_dates_not_in_future(published_at)"},
        "abc-2": {"expect_column_values_to_be_in_set_or_null(original_script)"},
        "abc-4": {"expect_cjk_share_at_least(text)"},
        "abc-5": {"expect_column_values_to_be_iso_dates(event_date)",
                  "expect_column_values_to_match_regex(source_sha256)"},
    }


def test_missing_column_fails_the_schema_expectation(tmp_path):
    frame = frame_of(good_rows()).drop(columns=["url"])
    report = validate_documents(frame, ValidationConfig(), tmp_path, raise_on_failure=False)
    assert not report.success
    failed = {e.label: e for e in report.failed}
    assert list(failed) == ["expect_parquet_schema_to_match(documents)"]
    assert "missing ['url']" in failed["expect_parquet_schema_to_match(documents)"].observed


def test_allowed_exception_is_not_residue(tmp_path):
    # 苧 (t2s: 苧→苎, then stable) is not a Traditional-only character, so it is never residue.
    rows = _set(good_rows(), 0, text=PARAGRAPHS[0] + "苧麻", char_count=len(PARAGRAPHS[0]) + 2)
    assert validate_documents(frame_of(rows), ValidationConfig(traditional_exceptions=()), tmp_path).success
    rows = _set(good_rows(), 0, text=PARAGRAPHS[0] + "發展", char_count=len(PARAGRAPHS[0]) + 2)
    assert validate_documents(frame_of(rows), ValidationConfig(traditional_exceptions=("發",)), tmp_path).success
    with pytest.raises(ValidationFailed, match="expect_no_traditional_residue"):
        validate_documents(frame_of(rows), ValidationConfig(), tmp_path)


def test_names_that_t2s_would_change_are_not_residue(tmp_path):
    # devset 001: a Simplified text naming 罗运乾; t2s would turn the name into 罗运干.
    rows = _set(good_rows(), 0, text=PARAGRAPHS[0] + "罗运乾同志", char_count=len(PARAGRAPHS[0]) + 5)
    assert validate_documents(frame_of(rows), ValidationConfig(), tmp_path).success


def test_config_reads_validation_fields_and_rejects_bad_values():
    config = config_from_dict({"validation": {"debris_patterns": ["广告"], "min_cjk_share": 1, "max_row_ratio": 5}})
    assert config.validation.debris_patterns == ("广告",)
    assert config.validation.min_cjk_share == 1.0
    with pytest.raises(ConfigError, match="invalid regex"):
        config_from_dict({"validation": {"debris_patterns": ["(unclosed"]}})
    with pytest.raises(ConfigError, match="min_row_ratio"):
        config_from_dict({"validation": {"min_row_ratio": 2}})


def _write_built_folder(folder: Path, rows: list[dict]) -> None:
    """A folder laid out like a build: documents/*.parquet plus manifest.json with sha256 per output."""
    (folder / "documents").mkdir(parents=True)
    table = pa.Table.from_pylist([typed_dates(row) for row in rows], schema=DOCUMENT_SCHEMA)
    pq.write_table(table.slice(0, 3), folder / "documents" / "part-00000.parquet")
    pq.write_table(table.slice(3), folder / "documents" / "part-00001.parquet")
    outputs = {
        f"documents/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((folder / "documents").glob("*.parquet"))
    }
    outputs["validation/result.json"] = "0" * 64  # reports are rewritten by validation: never compared
    (folder / "manifest.json").write_text(json.dumps({"outputs": outputs}), encoding="utf-8")


def test_validate_folder_passes_a_good_folder_and_fails_a_tampered_one(tmp_path):
    _write_built_folder(tmp_path, good_rows())
    before = sorted(p.name for p in tmp_path.iterdir())
    report = validate_folder(tmp_path, ValidationConfig(), previous_row_count=6, report_dir=tmp_path / "elsewhere")
    assert report.success, report.failure_message()
    assert report.result_path == tmp_path / "elsewhere" / "validation" / "result.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before + ["elsewhere"])
    assert any(e.name == "manifest_sha256_matches" and e.success for e in report.expectations)

    # edit one row so that the data still meets every expectation: only the manifest can tell
    path = tmp_path / "documents" / "part-00001.parquet"
    table = pq.read_table(path).to_pylist()
    table[0]["title"] = "改过的标题"
    pq.write_table(pa.Table.from_pylist(table, schema=DOCUMENT_SCHEMA), path)
    with pytest.raises(ValidationFailed) as caught:
        validate_folder(tmp_path, ValidationConfig(), previous_row_count=6)
    assert caught.value.failed_expectations == ["manifest_sha256_matches(outputs)"]
    assert "documents/part-00001.parquet: sha256 differs from manifest" in str(caught.value)
    summary = json.loads((tmp_path / "validation" / "summary.json").read_text(encoding="utf-8"))
    assert summary["success"] is False


def test_validate_folder_reports_unreadable_parquet(tmp_path):
    _write_built_folder(tmp_path, good_rows())
    (tmp_path / "documents" / "part-00000.parquet").write_bytes(b"not parquet")
    with pytest.raises(ValidationFailed, match="manifest_sha256_matches.*documents unreadable"):
        validate_folder(tmp_path, ValidationConfig())


@pytest.mark.browser
@pytest.mark.skipif(browser.find_chromium() is None, reason="no chromium on PATH: run .ci/install-browser.sh")
def test_data_docs_open_in_headless_chromium(tmp_path):
    rows = _set(good_rows(), 0, text=TRADITIONAL, char_count=len(TRADITIONAL))
    report = validate_documents(frame_of(rows), ValidationConfig(), tmp_path / "out", raise_on_failure=False)
    assert not report.success

    index_dom = browser.dump_dom(report.docs_index)
    relative_page = report.docs_page.relative_to(report.docs_index.parent).as_posix()
    assert relative_page in index_dom, "index.html does not link this run's validation page"

    page_dom = browser.dump_dom(report.docs_page)
    in_gx = [e for e in report.expectations if e.in_suite]  # the schema check runs outside GX
    assert len(in_gx) == len(report.expectations) - 1
    missing = [e.label for e in in_gx if e.label not in page_dom]
    assert not missing, f"expectations not on the Data Docs page: {missing}"
    assert "這測試" in page_dom  # the failing value (the residue characters) is shown

    png = browser.screenshot(report.docs_page, tmp_path / "data-docs.png")
    assert browser.png_size(png) == (1280, 2000)
    assert png.stat().st_size > 20_000  # a blank 1280x2000 page compresses to a few KB


REMOTE_TAG = re.compile(r'<(?:link|script|img)\b[^>]*\b(?:href|src)="https?://')


@pytest.mark.browser
@pytest.mark.skipif(browser.find_chromium() is None, reason="no chromium on PATH: run .ci/install-browser.sh")
def test_data_docs_are_readable_offline(tmp_path):
    """No page loads anything from a network; in Chromium with every host name unresolvable the index page's
    tables are filled (a row that opens this run's page) and the pages are styled."""
    rows = _set(good_rows(), 0, text=TRADITIONAL, char_count=len(TRADITIONAL))
    report = validate_documents(frame_of(rows), ValidationConfig(), tmp_path / "out", raise_on_failure=False)
    pages = sorted((tmp_path / "out" / "validation").rglob("*.html"))
    assert len(pages) >= 3  # index, the suite, the validation result
    for page in pages:
        assert not REMOTE_TAG.search(page.read_text(encoding="utf-8")), page

    completed = browser._run(["--enable-logging=stderr", "--v=0", "--dump-dom", report.docs_index.resolve().as_uri()])
    log = completed.stderr.decode("utf-8", errors="replace")
    assert "Uncaught" not in log and "ERR_NAME_NOT_RESOLVED" not in log, log[-2000:]
    dom = completed.stdout.decode("utf-8", errors="replace")
    relative_page = report.docs_page.relative_to(report.docs_index.parent).as_posix()
    assert re.search(r'<tr class="clickable-row" data-href="' + re.escape(relative_page) + '"', dom), \
        "the validation results table has no row linking this run's page"

    from PIL import Image

    png = browser.screenshot(report.docs_page, tmp_path / "page.png", width=1280, height=1200)
    with Image.open(png) as image:
        pixels = image.convert("RGB")
        header = sum(count for count, colour in pixels.getcolors(maxcolors=2_000_000) if colour == (0x1D, 0x2D, 0x44))
    assert header > 1280 * 20, "the shipped stylesheet was not applied (no navigation bar colour)"


# -- the checks table -------------------------------------------------------------------------------------

ALPHABET = "这是测试發展們乾苧 \u3000\n\t，。a1時间栏目:：" + "\U00020000"
CONFIG = ValidationConfig()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60) | st.text(max_size=30))
def test_check_row_agrees_with_the_row_functions(text):
    row = check_row(text, CONFIG)
    assert row["text_chars"] == len(text)
    assert row["text_blank"] == (not text.strip())
    assert row["cjk_share"] == pytest.approx(cjk_share(text))
    expected_residue = "".join(dict.fromkeys(traditional_residue(text, CONFIG.traditional_exceptions)))
    assert row["traditional_residue"] == expected_residue[:32]
    assert row["debris"] == (debris_found(text, CONFIG.debris_patterns) or "")


def _debris_by_regex(text: str, patterns) -> str | None:
    """debris_found as it was written: every pattern through re.search, in order."""
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            return match.group(0)
    return None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="本站观点不代表来源a.b|时间:\n -", max_size=30),
       st.lists(st.sampled_from(["不代表本站观点", "本站", "a.b", "a|b", "a-b", "时间 来源", "-", r"(?m)^\s*时间[:：]",
                                 "观点$", "x"]), max_size=4))
def test_debris_found_with_literal_patterns_matches_the_regex_search(text, patterns):
    # plain-literal patterns are looked up with `in` (speed): same answer as the regex search of every pattern
    assert debris_found(text, patterns) == _debris_by_regex(text, patterns)


# Han ideographs as the contract defines them: CJK Unified Ideographs, Extension A, Compatibility Ideographs,
# planes 2-3 (Ext. B-H). Example: "这" and "\U00020000" match; "，" and "2" do not.
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def test_the_han_count_classes_match_the_regexes_for_every_code_point():
    # exhaustive: the vectorised classes behind cjk_share (pipeline.stages.quality.han_counts) must drop exactly what
    # str.isspace calls whitespace and count as Han exactly what HAN matches, surrogates and astral planes included
    every = "".join(map(chr, range(0x110000)))
    points, classes = _classified_points(every)
    kept = set(points.tolist())
    assert [c for c in range(0x110000) if (c in kept) == chr(c).isspace()] == []
    expected = np.array([bool(HAN.fullmatch(chr(point))) for point in points.tolist()])
    assert points[(classes == _HAN) != expected].tolist() == []


def _write_documents(folder: Path, rows: list[dict], schema: pa.Schema = DOCUMENT_SCHEMA) -> list[Path]:
    (folder / "documents").mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([typed_dates(row) for row in rows], schema=schema)
    parts = [folder / "documents" / "part-00000.parquet", folder / "documents" / "part-00001.parquet"]
    pq.write_table(table.slice(0, 3), parts[0])
    pq.write_table(table.slice(3), parts[1])
    return parts


def test_shard_checks_tables_validate_like_the_documents(tmp_path):
    rows = good_rows()
    parts = _write_documents(tmp_path, rows)
    (tmp_path / "checks").mkdir()
    for index, chunk in enumerate((rows[:3], rows[3:])):  # what each shard writes
        table = pa.Table.from_pylist(checks_for_rows([typed_dates(row) for row in chunk], CONFIG), schema=CHECKS_SCHEMA)
        pq.write_table(table, tmp_path / "checks" / f"part-{index:05d}.parquet")
    frame = read_checks(tmp_path)
    assert "text" not in frame.columns and len(frame) == 6
    report = validate_checks(frame, CONFIG, tmp_path, previous_row_count=6, document_parts=parts)
    assert report.success, report.failure_message()
    assert any(e.label == "expect_parquet_schema_to_match(documents)" and e.success for e in report.expectations)


def test_a_documents_part_with_another_schema_fails(tmp_path):
    rows = good_rows()
    wrong = DOCUMENT_SCHEMA.set(DOCUMENT_SCHEMA.get_field_index("char_count"), pa.field("char_count", pa.int32()))
    parts = _write_documents(tmp_path, rows, wrong.remove(wrong.get_field_index("url")))
    frame = read_checks(tmp_path)  # no checks/ folder: an empty checks table
    assert len(frame) == 0
    checks = pd.DataFrame(checks_for_rows([typed_dates(row) for row in rows], CONFIG))
    frame = pd.concat([frame, checks], ignore_index=True)
    report = validate_checks(frame, CONFIG, tmp_path, document_parts=parts, raise_on_failure=False)
    assert [e.label for e in report.failed] == ["expect_parquet_schema_to_match(documents)"]
    assert report.failed[0].unexpected_count == 2
    assert "part-00000.parquet: missing ['url'], char_count is int32, not int64" in report.failure_message()


def test_validate_folder_recomputes_checks_from_the_text(tmp_path):
    rows = _set(good_rows(), 4, text=PARAGRAPHS[4] + "這", char_count=len(PARAGRAPHS[4]) + 1)
    _write_documents(tmp_path, rows)  # no manifest: only the recomputed checks can tell
    with pytest.raises(ValidationFailed) as caught:
        validate_folder(tmp_path, CONFIG)
    assert caught.value.failed_expectations == ["expect_no_traditional_residue(text)"]
    assert "id abc-4: 這" in str(caught.value)


def test_importing_the_package_does_not_import_great_expectations():
    """GX costs ~3 s to import: only pipeline.validation.gx imports it, when a suite is built or preloaded."""
    code = ("import sys, pipeline.validation, pipeline.validation.rows, pipeline.stages.gate; "
            "print(any(name.startswith('great_expectations') for name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "False"


def test_preload_reports_an_import_failure_instead_of_hiding_it(monkeypatch, caplog):
    from pipeline.validation import suite

    monkeypatch.setattr(suite, "GX_MODULE", "pipeline.validation.no_such_module")
    problem = suite.preload()
    assert problem and "ModuleNotFoundError" in problem
    assert "preloading Great Expectations failed" in caplog.text
