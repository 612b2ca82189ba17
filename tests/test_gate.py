"""The gate: rejects what cannot meet the row-level contract, keeps everything else unchanged."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import Document, Rejection
from pipeline.stage_configs import ValidationConfig
from pipeline.stages.gate import check_document, cjk_share

HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")  # as the suite counts


@settings(max_examples=500)
@given(st.text())
def test_cjk_share_matches_its_definition(text):
    visible = len(text) - len(re.findall(r"\s", text))
    expected = len(HAN.findall(text)) / visible if visible else 0.0
    assert abs(cjk_share(text) - expected) < 1e-12


def test_a_chinese_document_passes_unchanged_and_others_are_rejected_with_reasons():
    config = ValidationConfig()
    speech = Document(source_file="a.txt", source_sha256="0" * 64,
                      text="各级党组织要紧紧围绕中心任务开展创先争优活动。" * 2)
    assert check_document(speech, config) is speech
    short = check_document(speech.with_changes(text="短"), config)
    assert isinstance(short, Rejection) and short.reason == "gate.too_short"
    english = check_document(speech.with_changes(text="A page about trade statistics, with no Chinese."), config)
    assert isinstance(english, Rejection) and english.reason == "gate.not_chinese"


# A party handbook's table of contents, as a PDF-to-text page gives it (sentences written for this test): Chinese
# headings, each with a row of leader dots and a page number. The dots are layout, not another language, yet they
# outnumber the Han characters: counted as text, the Han share of the non-space characters is ~0.2 and the article
# was rejected as `gate.not_chinese`. Runs of leader dots are now left out of the count (quality.han_counts).
TABLE_OF_CONTENTS = "\n\n".join([
    "支部工作手册",
    "第一篇",
    "支部的设置和职责 ............................... (1)",
    "一、支部的设置条件和形式 ............................... (1)",
    "二、支部委员会的任期 ........................... (2)",
    "（一）支部党员大会 ....................................... (3)",
    "（二）谈心谈话 ......................................... (4)",
])


def test_a_table_of_contents_with_leader_dots_is_chinese():
    doc = Document(source_file="a.txt", source_sha256="0" * 64, text=TABLE_OF_CONTENTS)
    assert check_document(doc, ValidationConfig()) is doc


def test_leader_dots_do_not_make_an_english_table_of_contents_chinese():
    text = "\n\n".join(f"Chapter {n}: a heading in English ............................ ({n})" for n in range(1, 8))
    doc = Document(source_file="a.txt", source_sha256="0" * 64, text=text + "\n\n目录")
    rejection = check_document(doc, ValidationConfig())
    assert isinstance(rejection, Rejection) and rejection.reason == "gate.not_chinese"
