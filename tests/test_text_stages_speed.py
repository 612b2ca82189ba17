"""The speed work of session 8 (issue 20) on the pii, quality, script and row-contract stages changes no output:
each rewritten piece is compared with the form it replaced (written out here) on generated input.
The punctuation stage has its own file (tests/test_punctuation_speed.py)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import validation
from pipeline.document import Document, Removal
from pipeline.schema import document_row
from pipeline.stage_configs import PiiConfig, ValidationConfig
from pipeline.stages import pii, quality, row_contract, script

_PIECES = st.sampled_from(["联系电话：13812345678", "wf@163.com", "2022-11-24", "第3页", "首页 > 正文", "发展",
                           "QQ：12345678", "11010519491231002X", "\n", " ", "……", "...", "·", "."])
_TEXTS = st.lists(_PIECES, max_size=8).map("".join)


def _old_redact_pii(doc: Document, config: PiiConfig) -> Document:
    """``redact_pii`` as it was: every removal rebuilt, then compared with the originals."""
    text, found = pii.redact_text(doc.text, config)
    removals = tuple(
        removal if removal.rule.startswith("pii.") else Removal(removal.rule, removal.line,
                                                                pii.redact_text(removal.text, config)[0])
        for removal in doc.removals)
    if not found and removals == doc.removals:
        return doc
    return doc.with_changes(text=text, removals=removals).with_removals(
        Removal(f"pii.{kind}", line, pii.PLACEHOLDERS[kind]) for kind, line in found)


@settings(max_examples=500, deadline=None)
@given(_TEXTS, st.lists(st.tuples(st.sampled_from(["artifacts.nav", "pii.phone", "metadata.byline"]), _TEXTS),
                        max_size=5))
def test_pii_stage_as_before(text, removed):
    doc = Document(source_file="a.txt", source_sha256="0" * 64, text=text,
                   removals=tuple(Removal(rule, 0, piece) for rule, piece in removed))
    assert pii.redact_pii(doc) == _old_redact_pii(doc, PiiConfig())


_LEADER_RUN = re.compile(r"([.·・…‥⋯．])\1{2,}")
_QUALITY_TEXT = st.lists(st.sampled_from([*"这是测试發展，。 \u3000\n\tab1:.·・…‥⋯．%\U00020000\ud800", "...", "……",
                                          "………", "····", "・・・", "‥‥‥", "⋯⋯⋯", "．．．"]), max_size=30).map("".join)


@settings(max_examples=800, deadline=None)
@given(_QUALITY_TEXT)
def test_han_counts_as_before(text):
    # the class table read with np.take and the leader-run test guarded by one-character tests, against the
    # plain forms: indexing the table, and the regex itself
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = quality._class_table()[np.minimum(points, 0xFFFF)]
    astral = points >= 0x10000
    classes[astral] = np.where((points[astral] >= 0x20000) & (points[astral] <= 0x3134F), 1, 0)
    leaders = sum(len(run.group()) for run in _LEADER_RUN.finditer(text))
    expected = (int(np.count_nonzero(classes == 1)), len(text) - int(np.count_nonzero(classes == 3)) - leaders)
    assert quality._han_counts.__wrapped__(text) == expected
    assert quality._point_classes(points).tolist() == classes.tolist()


@settings(max_examples=500, deadline=None)
@given(_QUALITY_TEXT)
def test_quality_shares_as_a_plain_count(text):
    visible = [c for c in text if not c.isspace()]
    han = sum(1 for c in visible if quality._class_table()[min(ord(c), 0xFFFF)] == 1 or 0x20000 <= ord(c) <= 0x3134F)
    punctuation = sum(1 for c in visible if ord(c) < 0x10000 and unicodedata.category(c).startswith("P"))
    signals = quality.quality_signals(text, None, 0)
    expected = (None, None) if not visible else (round(han / len(visible), 4), round(punctuation / len(visible), 4))
    assert (signals["cjk_share"], signals["punctuation_share"]) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="發展并后這是测试著乾ab，\n", max_size=40))
def test_script_counts_as_before(text):
    if not text:
        assert script.count_script_chars(text) == (0, 0)
        return
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    counts = np.bincount(script._charset_table()[codes], minlength=3)
    assert script.count_script_chars(text) == (int(counts[1]), int(counts[2]))


def test_checks_row_is_kept_by_identity_and_equal_to_a_fresh_one():
    config = ValidationConfig()
    doc = Document(source_file="a.txt", source_sha256="0" * 64, text="时间:2022\n這是测试" * 3, title="标题",
                   removals=(Removal("artifacts.nav", 0, "首页"),))
    twin = Document(**{name: getattr(doc, name) for name in doc.__dataclass_fields__})  # equal, not the same
    fresh = validation.check_columns_row(document_row(doc), config)
    assert row_contract.checks_row(doc, config) == fresh
    assert row_contract.checks_row(doc, config) is row_contract.checks_row(doc, config)
    assert row_contract.checks_row(twin, config) == fresh
    changed = doc.with_changes(text="正文" * 20)
    assert row_contract.checks_row(changed, config)["text_chars"] == 40


_LINE_START_PATTERNS = (r"(?m)^\s*(时间|栏目|人气)[:：]", r"(?m)^(?<=\n)来源", r"(?m)^ *$", r"(?m)^\s*时间|栏目",
                        r"(?m)^(a|b)+", r"(?m)^")
_DEBRIS_PIECES = ["时间", "栏目", "人气", ":", "：", "\n", " ", "\u3000", "来源", "a", "b", "正文"]
_DEBRIS_TEXT = st.lists(st.sampled_from(_DEBRIS_PIECES), max_size=14).map("".join)


@settings(max_examples=800, deadline=None)
@given(_DEBRIS_TEXT, st.sampled_from(_LINE_START_PATTERNS))
def test_line_start_debris_found_as_a_plain_search(text, pattern):
    # (?m)^… patterns are searched after line breaks (a literal start); the match is the plain search's
    from pipeline.validation import expectations

    match = re.search(pattern, text)
    assert expectations.debris_found(text, [pattern]) == (match.group(0) if match else None)


def test_output_row_is_the_document_row_the_checks_came_from():
    # the sink writes output_row (shared with checks_row, computed once); it must be schema.document_row's row
    config = ValidationConfig()
    doc = Document(source_file="a.txt", source_sha256="0" * 64, text="正文" * 20, published_at="2022-11-24",
                   removals=(Removal("artifacts.nav", 0, "首页"),))
    assert row_contract.output_row(doc, config) == document_row(doc)
    assert row_contract.checks_row(doc, config) == validation.check_columns_row(row_contract.output_row(doc, config),
                                                                                config)
