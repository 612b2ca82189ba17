"""PII redaction: golden cases (true PII and look-alikes that must stay), the stage's trace, properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import DEVSET, needs_devset
from pipeline.document import Document, Removal
from pipeline.stages.pii import PLACEHOLDERS, is_valid_id_number, passes_luhn, pii_counts, redact_pii, redact_text
from pipeline.stage_configs import PiiConfig

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "cases" / "pii.json").read_text(encoding="utf-8"))


def _doc(text: str, **fields) -> Document:
    return Document(source_file="a.txt", source_sha256="0" * 64, text=text, **fields)


def _params(cases):
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        yield pytest.param(case, id=case["label"], marks=marks)


def test_cases_hold_both_true_pii_and_look_alikes():
    changed = [case for case in CASES if case["input"] != case["expected"]]
    unchanged = [case for case in CASES if case["input"] == case["expected"]]
    assert len(changed) >= 20 and len(unchanged) >= 20
    assert {p for p in PLACEHOLDERS.values()} <= {p for case in changed for p in PLACEHOLDERS.values()
                                                   if p in case["expected"]}


@pytest.mark.parametrize("case", _params(CASES))
def test_golden_case(case):
    assert redact_text(case["input"])[0] == case["expected"], case["comment"]


def test_stage_traces_counts_but_never_the_pii():
    text = "联系人：王芳\n手机：13812345678\n身份证11010519491231002X，邮箱wf@163.com，QQ：12345678"
    doc = redact_pii(_doc(text, author="王芳", title="关于13812345678的通知"))
    assert doc.text == "联系人：王芳\n手机：<PHONE>\n身份证<ID>，邮箱<EMAIL>，QQ：<QQ>"
    assert doc.removals == (Removal("pii.phone", 1, "<PHONE>"), Removal("pii.id", 2, "<ID>"),
                            Removal("pii.email", 2, "<EMAIL>"), Removal("pii.qq", 2, "<QQ>"))
    assert pii_counts(doc) == {"phone": 1, "id": 1, "email": 1, "qq": 1}
    for secret in ("13812345678", "11010519491231002X", "wf@163.com", "12345678"):
        assert all(secret not in removal.text for removal in doc.removals)
    assert doc.author == "王芳" and doc.title == "关于13812345678的通知"  # metadata fields are not touched


def test_earlier_removal_traces_are_redacted_but_not_counted():
    footer = Removal("artifacts.footer", 12, "地址：民权县人民路中段1号 电话：0370-8550006 邮箱:mqwsgw@163.com")
    doc = redact_pii(_doc("正文没有联系方式。", removals=(footer,)))
    assert doc.text == "正文没有联系方式。"
    assert doc.removals == (Removal("artifacts.footer", 12, "地址：民权县人民路中段1号 电话：<PHONE> 邮箱:<EMAIL>"),)
    assert pii_counts(doc) == {}
    assert redact_pii(doc) is doc  # idempotent: nothing left to change


def test_document_without_pii_is_returned_as_is():
    doc = _doc("全年地区生产总值15500亿元，同比增长5.5%。浙委办发〔2010〕12号。")
    assert redact_pii(doc) is doc


def test_each_type_can_be_switched_off():
    text = "电话0571-87654321，手机13812345678，QQ：12345678"
    assert redact_text(text, PiiConfig(landlines=False))[0] == "电话0571-87654321，手机<PHONE>，QQ：<QQ>"
    assert redact_text(text, PiiConfig(phones=False, qq_numbers=False))[0] == \
        "电话<PHONE>，手机13812345678，QQ：12345678"


def test_checksums():
    assert is_valid_id_number("440304199512084565")
    assert not is_valid_id_number("440304199512084566")
    assert passes_luhn("4367421234567896") and not passes_luhn("4367421234567897")


@needs_devset
def test_real_contact_footers_in_the_dev_set_are_redacted():
    text = (DEVSET / "raw").glob("005_*.txt")
    raw = next(text).read_text(encoding="utf-8")
    redacted, found = redact_text(raw)
    assert {kind for kind, _ in found} == {"phone", "email", "qq"}
    assert "mqwsgw@163.com" not in redacted and "83028366" not in redacted


_PII_LIKE = st.sampled_from(["13812345678", "138 1234 5678", "0571-87654321", "11010519491231002X",
                             "6222021234567890128", "QQ：12345678", "wf@163.com", "2022-11-24", "15500亿元",
                             "+86", "0", "1", "-", " ", "@", "\n", "。", "元", "x", "X", "QQ", "〔2010〕12号"])
_TEXTS = st.lists(_PII_LIKE | st.text(alphabet="0123456789 -+@.xX元万号QQ：\n各位代表abc", max_size=12),
                  max_size=12).map("".join) | st.text(max_size=80)


@settings(max_examples=1000, deadline=None)
@given(_TEXTS)
def test_redaction_never_crashes_and_is_idempotent(text):
    once, _ = redact_text(text)
    twice, found = redact_text(once)
    assert twice == once and found == []


@settings(max_examples=300, deadline=None)
@given(_TEXTS.filter(lambda t: "@" not in t))
def test_redaction_never_lengthens_text_without_email(text):
    # Every numeric placeholder is shorter than what it replaces (an e-mail can be as short as "a@b.cn").
    assert len(redact_text(text)[0]) <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",), blacklist_characters="@")))
def test_text_without_digits_or_at_sign_is_untouched(text):
    assert redact_text(text) == (text, [])


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_searching_only_around_digits_finds_what_a_full_scan_finds(text):
    from unittest import mock

    from pipeline.stages import pii

    windowed = pii._find(text, PiiConfig())
    with mock.patch.object(pii, "_windows", lambda t: [(0, len(t))] if t else []):
        assert pii._find(text, PiiConfig()) == windowed
