"""Tests for pipeline.stages.artifacts: golden cases (tests/cases/artifacts.json), whole seed documents, the safety
rule, traceability of removals, cross-document repetition, and properties (hypothesis)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.stages.artifacts import rules as artifact_rules
from pipeline.models.lines import DEBRIS_ROLES
from pipeline.stages.artifacts import (
    RULES,
    common_line_hashes,
    count_line_hashes,
    line_hash,
    remove_artifacts,
    remove_repeated_lines,
)
from pipeline.document import Document, Rejection
from conftest import DEVSET
from pipeline.config import BuildConfig
from pipeline.evaluation.devset import read_page, read_pages
from pipeline.stage_configs import ArtifactsConfig

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((ROOT / "tests" / "cases" / "artifacts.json").read_text(encoding="utf-8"))
CONFIG = ArtifactsConfig()
T2S = opencc.OpenCC("t2s")


def make_doc(text: str, **fields) -> Document:
    return Document(source_file="case.txt", source_sha256="0" * 64, text=text, **fields)


def clean(text: str, **fields):
    return remove_artifacts(make_doc(text, **fields), CONFIG)


def case_params(kind: str):
    params = []
    for case in CASES:
        if case["kind"] != kind:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=case["comment"])] if case.get("known_failure") else []
        params.append(pytest.param(case, id=case["label"], marks=marks))
    return params


def test_cases_file_is_well_formed():
    labels = [case["label"] for case in CASES]
    assert len(labels) == len(set(labels))
    assert all({"label", "kind", "input", "expected", "comment"} <= set(case) for case in CASES)
    negatives = [c for c in CASES if c["kind"] == "text" and c["input"] == c["expected"]]
    assert len(negatives) >= 15  # text that must not change is at least as important as debris


@pytest.mark.parametrize("case", case_params("text"))
def test_text_case(case):
    result = clean(case["input"], **case.get("input_fields", {}))
    assert isinstance(result, Document)
    assert result.text == case["expected"]
    for name, value in case.get("expected_fields", {}).items():
        assert getattr(result, name) == value, name
    rules = {r.rule for r in result.removals}
    for rule in case.get("expected_rules", []):
        assert rule in rules
    if case["input"] == case["expected"]:
        assert [r for r in result.removals if r.rule != "artifacts.paragraph_rejoin"] == []


def _seed(path: str) -> Document:
    raw = (ROOT / path).read_text(encoding="utf-8")
    return make_doc(T2S.convert(raw))


@pytest.mark.parametrize("case", case_params("document"))
def test_seed_document(case):
    result = remove_artifacts(_seed(case["input"]), CONFIG)
    assert isinstance(result, Document)
    expected = case["expected"]
    for fragment in expected["gone"]:
        assert fragment not in result.text, fragment
    for fragment in expected["kept"]:
        assert fragment in result.text, fragment
    for fragment in expected["once"]:
        assert result.text.count(fragment) == 1, fragment
    for name, value in expected["fields"].items():
        assert getattr(result, name) == value, name


def test_seed_003_with_unreversed_taiwan_phrase():
    # whatever the script stage does with 釋出於, the header line goes
    raw = (ROOT / "data/raw/003_a3a12308e45e43ec.txt").read_text(encoding="utf-8")
    for variant in (T2S.convert(raw), T2S.convert(raw).replace("释出于", "发布于")):
        result = remove_artifacts(make_doc(variant), CONFIG)
        assert "人气" not in result.text and result.category == "创先争优学习专题"


def test_reporter_tag_removal_keeps_the_name_for_metadata():
    result = clean("本网讯(记者 傅长琪)5月25日下午,县委农村工作会议召开。")
    tags = [r for r in result.removals if r.rule == "artifacts.reporter_tag"]
    assert [t.text for t in tags] == ["本网讯(记者 傅长琪)"]
    assert tags[0].line == 0


def test_empty_after_cleaning_is_rejected():
    result = clean("首页\n当前位置：首页 > 新闻中心\nCopyright © 2020 某某网 版权所有\n京ICP备05070218号")
    assert isinstance(result, Rejection)
    assert result.reason == "artifacts.empty_after_cleaning"
    assert "artifacts.nav_row" in result.detail


def test_input_document_is_not_mutated():
    doc = make_doc("标题\n\n时间:2022-11-24 08:47:00\n\n正文。")
    remove_artifacts(doc, CONFIG)
    assert doc.text == "标题\n\n时间:2022-11-24 08:47:00\n\n正文。" and doc.removals == ()


# ------------------------------------------------------------------ real pages: safety and traceability


def _real_pages() -> list[tuple[str, str]]:
    pages = []
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        pages.append((path.name, T2S.convert(path.read_text(encoding="utf-8"))))
    # The dev set lives outside the repository; its pages are read by the product's reader (HTML extraction).
    for page in read_pages(DEVSET) if DEVSET else []:
        for item in read_page(DEVSET, page.file, BuildConfig()):
            if isinstance(item, Document):
                pages.append((page.file, T2S.convert(item.text)))
    return pages


REAL_PAGES = _real_pages()
REAL_RESULTS = [(name, text, remove_artifacts(make_doc(text), CONFIG)) for name, text in REAL_PAGES]


def test_rule_names_are_listed():
    used = {r.rule for _, _, result in REAL_RESULTS if isinstance(result, Document) for r in result.removals}
    # the line-role model's drops are named model.<role>:<score> (pipeline/models/lines.py), not listed rules
    model_rules = {name for name in used if name.startswith("model.")}
    for name in model_rules:
        role, score = name[len("model."):].split(":")
        assert role in DEBRIS_ROLES and 0.0 <= float(score) <= 1.0, name
    assert used - model_rules <= set(RULES)
    assert all(name.startswith(("artifacts.", "structure.")) and RULES[name] for name in RULES)


def test_no_rule_deletes_a_long_sentence_unless_allowed():
    """Acceptance: a sentence ending in 。！？ longer than a header line goes only under a rule a test covers."""
    offenders = []
    for name, _, result in REAL_RESULTS:
        if not isinstance(result, Document):
            continue
        for removal in result.removals:
            text = removal.text.strip()
            if text and text[-1] in "。！？" and len(text) > CONFIG.header_max_chars:
                if removal.rule not in artifact_rules.SENTENCE_RULES:
                    offenders.append((name, removal.rule, text[:40]))
    assert offenders == []


def test_removals_point_at_their_input_line():
    for name, text, result in REAL_RESULTS:
        if not isinstance(result, Document):
            continue
        lines = text.split("\n")
        for removal in result.removals:
            assert 0 <= removal.line < len(lines), (name, removal)
            if removal.rule == "artifacts.paragraph_rejoin":
                assert removal.text.strip() == ""
                continue
            source = lines[removal.line]
            missing = set(removal.text) - set(source) - set(" \u3000\t|\\")
            assert not missing, (name, removal.rule, removal.line, removal.text[:40])


def test_real_pages_lose_no_more_than_debris():
    # cleaning never adds text and keeps most of a real page (the largest share removed is a footer-heavy page)
    for name, text, result in REAL_RESULTS:
        if isinstance(result, Rejection):
            assert name.startswith("037_"), name  # trafilatura extracts only the nav of 037 (ingest's problem)
            continue
        assert len(result.text) <= len(text)
        assert len(result.text) >= 0.4 * len(text), name


def test_real_pages_are_idempotent():
    for name, _, result in REAL_RESULTS:
        if isinstance(result, Document):
            again = remove_artifacts(result, CONFIG)
            assert again.text == result.text, name


# ----------------------------------------------------------------------------- cross-document lines


def test_cross_document_repeated_footer_is_removed():
    footer = "本站部分文章来自网络,如有侵权请联系删除"
    texts = [f"第{i}篇正文的内容各不相同。\n{footer}" for i in range(10)]
    counts = count_line_hashes(texts, CONFIG)
    common = common_line_hashes(counts, len(texts), CONFIG)
    assert line_hash(footer) in common
    result = remove_repeated_lines(make_doc(texts[3]), CONFIG, common)
    assert result.text == "第3篇正文的内容各不相同。"
    assert [(r.rule, r.line, r.text) for r in result.removals] == [("artifacts.cross_doc_repeat", 1, footer)]


def test_cross_document_thresholds():
    texts = ["共同的一行文字在这里\n甲。"] * 4 + ["别的内容完全不同的\n乙。"] * 96
    counts = count_line_hashes(texts, CONFIG)
    assert counts[line_hash("共同的一行文字在这里")] == 4
    # 4 documents < cross_doc_min_documents (5): not common
    assert common_line_hashes(counts, len(texts), CONFIG) == frozenset({line_hash("别的内容完全不同的")})
    # a share below cross_doc_min_share is not common either
    assert common_line_hashes(Counter({"x": 6}), 1000, CONFIG) == frozenset()


def test_cross_document_ignores_long_sentences_and_short_lines():
    quote = ("绿水青山就是金山银山,我们要坚定不移走生态优先、绿色发展之路,"
             "把生态优势转化为发展优势,让群众共享发展成果。") * 2
    counts = count_line_hashes([quote + "\n短行"] * 20, CONFIG)
    assert counts == Counter()


def test_remove_repeated_lines_without_hashes_is_identity():
    doc = make_doc("正文。")
    assert remove_repeated_lines(doc, CONFIG, frozenset()) is doc


def test_config_rejects_bad_values():
    with pytest.raises(ValueError):
        ArtifactsConfig(cross_doc_min_share=0.0)
    with pytest.raises(ValueError):
        ArtifactsConfig(header_max_chars=0)


# ---------------------------------------------------------------------------------------- properties

FRAGMENTS = [
    "首页", " > ", "时间:2022-11-24 08:47:00", "来源:", "本网讯(记者 张三)", "县长(zhǎng)", "[color=#000]",
    "。", "，", ",", "\n", "\n\n", "一、", "(中)", "▲", "摄", "编者按：", "【专刊之一】", "版权所有", "ICP备",
    "县委召开会议", "纪律松", "驰", "同志们:", "(根据张三讲话整理)", "|", "  ", "\u3000", "本站小编为你精心准备了",
    "相关阅读", "上一篇", "2.jpg", "激情", "买球", "——", "、", "?", "有些干部作风涣散,工作效率不高,",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)))
def test_properties_never_crash_never_lengthen_idempotent(text):
    result = clean(text)
    if isinstance(result, Rejection):
        assert result.reason == "artifacts.empty_after_cleaning"
        return
    assert len(result.text) <= len(text)
    again = remove_artifacts(result, CONFIG)
    assert isinstance(again, Document)
    assert again.text == result.text


def test_doctests_cover_public_helpers():
    from pipeline.stages import artifacts

    for name in ("normalized_line", "iso_datetime", "header_match", "line_hash", "count_line_hashes",
                 "common_line_hashes", "remove_repeated_lines", "remove_artifacts"):
        assert ">>>" in (getattr(artifacts, name).__doc__ or ""), name


def test_rules_table_mentions_each_family_of_the_brief():
    for name in ("nav_row", "template_sentence", "header_line", "prev_next", "related", "share", "copyright", "icp",
                 "disclaimer", "repeated_title", "image_caption", "image_file", "reporter_tag", "seo_spam",
                 "pinyin_ruby", "bbcode", "ad_marker", "jump_marker", "login_box", "view_counter", "cross_doc_repeat"):
        assert f"artifacts.{name}" in RULES
    assert not any(re.search(r"\s$", description) for description in RULES.values())


# ------------------------------------------------------------------------------ prefilters (throughput)
# The stage skips a costly pattern when a cheap hint proves it cannot match. These tests check the proofs on
# real lines and on generated text: a pattern edited without its hint fails here, not silently in production.

HINTED_PATTERNS = [
    (name, pattern, artifact_rules.literal_hint(pattern))
    for name, pattern in vars(artifact_rules).items()
    if isinstance(pattern, re.Pattern) and not name.endswith("HINT_RE") and artifact_rules.literal_hint(pattern)
]
HINT_LITERALS = sorted({lit for _, _, hint in HINTED_PATTERNS for lit in hint.pattern.replace("\\", "").split("|")})


def _real_lines() -> list[str]:
    lines = [line for _, text, _ in REAL_RESULTS for line in text.split("\n")]
    return lines + [line for case in CASES for line in case["input"].split("\n")]


def test_literal_hints_cover_the_patterns_that_need_them():
    names = {name for name, _, _ in HINTED_PATTERNS}
    assert {"TEMPLATE_RE", "DISCLAIMER_RE", "PAYWALL_RE", "SITE_NOTICE_RE", "ICP_RE", "COPYRIGHT_RE"} <= names
    assert artifact_rules.literal_hint(artifact_rules.REPORTER_BRACKET_RE) is None  # no literal in every branch


def _assert_hints_hold(line: str) -> None:
    for name, pattern, hint in HINTED_PATTERNS:
        if pattern.search(line):
            assert hint.search(line), (name, line)


def _assert_fast_path_sound(line: str) -> None:
    from pipeline.stages.artifacts import spans

    if spans._no_span_can_match(line):
        edits: list = []
        assert spans._span_steps(line, CONFIG, edits) == line and edits == [], line


def test_prefilters_are_sound_on_real_lines():
    lines = _real_lines()
    assert len(lines) > 1000
    for line in lines:
        _assert_hints_hold(line)
        _assert_fast_path_sound(line)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS + HINT_LITERALS), max_size=12).map("".join))
def test_prefilters_are_sound_on_generated_lines(text):
    for line in text.split("\n"):
        _assert_hints_hold(line)
        _assert_fast_path_sound(line)


def test_anchor_filters_cover_every_code_point():
    # _line_rule searches a plain character class before a case-insensitive hint: every literal of the hint
    # holds a character of the class, and the class already holds every character the hint's flags make
    # equal to one of its own (checked over all code points, surrogates and astral planes included)
    from pipeline.stages.artifacts import line_rules

    everything = "".join(map(chr, range(0x110000)))
    for hint, anchor in (
        (artifact_rules.ICP_HINT_RE, line_rules._ICP_ANCHOR_RE),
        (artifact_rules.COPYRIGHT_HINT_RE, line_rules._COPYRIGHT_ANCHOR_RE),
    ):
        for literal in hint.pattern.replace("\\", "").split("|"):
            assert anchor.search(literal), literal
        folded = re.compile(anchor.pattern, hint.flags)
        assert set(folded.findall(everything)) == set(anchor.findall(everything)), hint.pattern


def test_line_memo_keeps_configs_apart():
    # the per-line caches are keyed by config: a stricter config interleaved with the default one must
    # neither see nor leave cached decisions
    text = "标题\n\n时间:2022-11-24 08:47:00\n\n正文第一句。"
    strict = ArtifactsConfig(header_max_chars=10)
    first = clean(text)
    other = remove_artifacts(make_doc(text), strict)
    again = clean(text)
    assert first.published_at == again.published_at == "2022-11-24T08:47:00"
    assert first.text == again.text == "标题\n\n正文第一句。"
    assert other.published_at is None and "时间:2022-11-24 08:47:00" in other.text
    assert first.removals == again.removals


def test_no_chrome_word_holds_sentence_punctuation():
    # _line_rule skips tokenising a line with sentence punctuation: such a line can be all chrome only if a
    # chrome word held that punctuation
    assert not [w for w in artifact_rules.CHROME_WORDS if artifact_rules.SENTENCE_PUNCT_RE.search(w)]
