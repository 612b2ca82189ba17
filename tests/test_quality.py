"""Quality signals: values on hand-made texts and real files, columns, optional filters, properties."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.config import config_from_dict
from pipeline.document import Document, Removal
from pipeline.errors import ConfigError
from pipeline.stage_configs import QualityConfig, ValidationConfig
from pipeline.stages import quality
from pipeline.stages.gate import cjk_share
from pipeline.stages.quality import (
    SIGNALS, quality_columns, quality_rejection, quality_signals, repeated_ngram_ratio, signals_for,
)
from pipeline.validation.expectations import check_row

ROOT = Path(__file__).resolve().parents[1]


def _doc(text: str, **fields) -> Document:
    return Document(source_file="a.txt", source_sha256="0" * 64, text=text, **fields)


def test_columns_match_signals_and_are_nullable_floats():
    fields = quality_columns()
    assert [f.name for f in fields] == list(SIGNALS)
    assert all(f.type == pa.float64() and f.nullable for f in fields)
    assert all(f.metadata[b"description"] for f in fields)


def test_shares_on_a_hand_counted_text():
    text = "第一，加强领导。\nGDP增长5%。"  # non-space: 8 + 8 = 16; Han 6 + 2 = 8; punctuation ，。%。 = 4
    signals = quality_signals(text, raw_char_count=20, removed_char_count=4)
    assert signals["cjk_share"] == 0.5
    assert signals["punctuation_share"] == 0.25  # "%" is Unicode punctuation (Po), like ，and 。
    assert signals["mean_line_length"] == 8.0
    assert signals["removed_share"] == 0.2


def test_han_outside_the_basic_plane_counts_as_han():
    assert quality_signals("𠀀𠀁a", 3, 0)["cjk_share"] == round(2 / 3, 4)  # CJK Extension B


def test_percent_sign_counts_as_punctuation():
    assert quality_signals("50%", 3, 0)["punctuation_share"] == round(1 / 3, 4)


def test_paragraphs_are_blank_line_blocks_or_lines():
    with_blank_lines = "甲乙丙\n丁戊\n\n己庚辛壬"
    assert quality_signals(with_blank_lines, None, 0)["mean_paragraph_length"] == 4.5  # 5 and 4
    assert quality_signals("甲乙丙\n丁戊", None, 0)["mean_paragraph_length"] == 2.5  # one per line


def test_repeated_lines_and_ngrams():
    text = "责任编辑：张伟\n全面推进依法治省，加快建设法治浙江。\n责任编辑：张伟\n责任编辑：张伟"
    signals = quality_signals(text, None, 0)
    assert signals["repeated_line_ratio"] == 0.5  # 2 of 4 lines repeat an earlier one
    # Only the three copies of the 7-character line repeat, and 7 < 10: an n-gram of 10 needs neighbours.
    assert signals["repeated_ngram_ratio"] == round(quality._slow_ratio(text.replace("\n", ""), 10), 4)
    assert repeated_ngram_ratio("为人民服务" * 3) == 1.0
    assert repeated_ngram_ratio("一二三四五六七八九") == 0.0  # shorter than one n-gram


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["全面推进依法治省", "加快建设法治浙江", "。", "\n", "为人民服务", "a", "1"]),
                max_size=30).map("".join))
def test_vectorised_repeated_ngram_ratio_equals_the_plain_python_reference(text):
    compact = "".join(text.split())
    expected = None if not compact else (0.0 if len(compact) < 10 else quality._slow_ratio(compact, 10))
    assert repeated_ngram_ratio(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.integers(0, 400), st.integers(0, 50))
def test_signals_never_crash_and_shares_stay_in_range(text, raw, removed):
    signals = quality_signals(text, raw or None, removed)
    assert set(signals) == set(SIGNALS)
    for name in ("cjk_share", "punctuation_share", "repeated_line_ratio", "repeated_ngram_ratio"):
        assert signals[name] is None or 0.0 <= signals[name] <= 1.0


def test_empty_text_gives_null_signals_not_zero_division():
    signals = quality_signals("", None, 0)
    assert signals["cjk_share"] is None and signals["mean_line_length"] is None
    assert signals["removed_share"] is None


def test_signals_for_excludes_pii_placeholders_from_removed_share():
    doc = _doc("正文内容。", raw_char_count=100,
               removals=(Removal("artifacts.nav", 0, "x" * 10), Removal("pii.phone", 3, "<PHONE>")))
    assert signals_for(doc)["removed_share"] == 0.1


def test_no_filter_by_default():
    doc = _doc("abc 123 ！！！！", raw_char_count=1000, removals=(Removal("artifacts.x", 0, "y" * 900),))
    assert quality_rejection(doc, signals_for(doc), QualityConfig()) is None


@pytest.mark.parametrize("config, reason", [
    (QualityConfig(min_mean_paragraph_length=20), "quality.mean_paragraph_length"),
    (QualityConfig(max_removed_share=0.5), "quality.removed_share"),
    (QualityConfig(max_repeated_line_ratio=0.2), "quality.repeated_line_ratio"),
    (QualityConfig(min_mean_line_length=20), "quality.mean_line_length"),
])
def test_configured_threshold_rejects_with_reason(config, reason):
    doc = _doc("abc\nabc\nabc", raw_char_count=100, removals=(Removal("artifacts.x", 0, "y" * 90),))
    rejection = quality_rejection(doc, signals_for(doc), config)
    assert rejection is not None and rejection.reason == reason
    assert rejection.source_file == "a.txt" and rejection.detail


def test_a_good_document_passes_strict_thresholds():
    raw = (ROOT / "data" / "raw").glob("000_*.txt")
    text = next(raw).read_text(encoding="utf-8")
    doc = _doc(text, raw_char_count=len(text))
    config = QualityConfig(max_punctuation_share=0.2, min_mean_line_length=20,
                           max_repeated_line_ratio=0.1, max_repeated_ngram_ratio=0.3, max_removed_share=0.5)
    signals = signals_for(doc)
    assert quality_rejection(doc, signals, config) is None, signals
    assert signals["cjk_share"] >= 0.7  # the Han share's threshold is validation.min_cjk_share (the gate)


@pytest.mark.parametrize("bad", [dict(max_punctuation_share=1.5), dict(max_removed_share=-0.1),
                                 dict(min_mean_line_length=-1), dict(repeated_ngram_chars=1)])
def test_bad_quality_config_fails_at_construction(bad):
    with pytest.raises(ValueError):
        QualityConfig(**bad)


def test_the_han_share_threshold_is_one_key_in_validation():
    with pytest.raises(ConfigError, match=r"unknown key \[quality\] min_cjk_share; it is now \[validation\]"):
        config_from_dict({"quality": {"min_cjk_share": 0.5}})
    assert config_from_dict({"validation": {"min_cjk_share": 0.5}}).validation.min_cjk_share == 0.5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="这是测试發展，。 \u3000\n\tab1:\U00020000", max_size=40) | st.text(max_size=30))
def test_signal_gate_and_checks_share_one_han_count(text):
    """One calculation: the cjk_share column is the gate's and the checks table's share, rounded (null when
    there is no non-whitespace character, where the gate and the checks say 0.0)."""
    han, visible = quality.han_counts(text)
    share = han / visible if visible else 0.0
    signal = quality.quality_signals(text, len(text), 0)["cjk_share"]
    assert signal == (round(share, 4) if visible else None)
    assert cjk_share(text) == share == check_row(text, ValidationConfig())["cjk_share"]


def test_a_lone_surrogate_counts_as_other_not_as_an_error():
    # "\ud800" reaches the text from a JSONL escape; the signal must not fail on it (the gate never did)
    assert quality.han_counts("这\ud800") == (1, 2)
    assert quality.quality_signals("这\ud800", 2, 0)["cjk_share"] == 0.5
