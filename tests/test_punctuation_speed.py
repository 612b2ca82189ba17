"""The punctuation stage's speed work of session 8 (issue 20) changes no output: the rewritten module is compared
with ``tests/punctuation_reference.py`` (the module as it was before) on generated text, and each rewritten pattern
with the pattern it replaces.

The alphabet is made of exactly what the rules look at: ASCII and full-width marks, every kind of horizontal space,
ellipsis runs of one to four, stops, parentheses, quotes, line breaks, Han characters, Latin letters and digits, a
radical, a full-width digit, a zero-width space and a combining mark.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

import punctuation_reference as reference
from pipeline.stages import punctuation

SPACES = punctuation._HORIZONTAL_SPACE
ALPHABET = (list("中文国a1 \t\u3000\u00a0\u2002\u202f\n,;:!?.…。，、；：！？()（）\"“”《》•・")
            + ["...", "……", "………", "…… ", "。。", "。。。", "，，", "、、", "；；", "：：", "；，；", "\n\n\n",
               "  ", " \n", "\n ", "⼯", "２", "\u200b", "e\u0301", "\r\n", "𠀀"])
texts = st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join)
# only the plain space: the texts the plain-space forms of the space rules see
plain_space_texts = st.lists(st.sampled_from([c for c in ALPHABET if not any(s in c for s in SPACES[1:])]),
                             max_size=40).map("".join)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_body_text_as_before(text):
    assert punctuation.normalize_punctuation_text(text) == reference.normalize_punctuation_text(text)


@settings(max_examples=600, deadline=None)
@given(texts)
def test_field_text_as_before(text):
    assert punctuation.normalize_field_text(text) == reference.normalize_field_text(text)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_one_pass_as_before(text):
    # a single pass too, so a difference the repeat loop would hide still shows
    assert punctuation._normalize_marks(text) == reference._normalize_marks(text)
    assert punctuation._punctuation_pass(text) == reference._punctuation_pass(text)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_fullwidth_keeps_only_when_nothing_changes(text):
    # _fullwidth_keeps may say "may change" wrongly, never "keeps" wrongly
    if punctuation._fullwidth_keeps(text):
        assert reference._ascii_punct_to_fullwidth(text) == text
    assert punctuation._ascii_punct_to_fullwidth(text) == reference._ascii_punct_to_fullwidth(text)


def test_fullwidth_keeps_says_keeps_on_well_formed_ellipses():
    # the case it exists for: cleaned text whose only ASCII-looking mark is …… (it would otherwise run the callback)
    assert punctuation._fullwidth_keeps("他说……好。\n这些东西……")
    assert not punctuation._fullwidth_keeps("他说……好，等等...")
    assert not punctuation._fullwidth_keeps("他说……… 好")


@settings(max_examples=800, deadline=None)
@given(texts)
def test_callback_free_space_removal_as_the_callbacks(text):
    assert punctuation._SPACE_BETWEEN_CHINESE.sub("", text) == reference._SPACE_IN_CHINESE.sub(
        reference._remove_space_in_chinese, text)
    assert punctuation._SPACE_BEFORE_ASCII_PUNCT_IN_CHINESE.sub("", text) == reference._SPACE_BEFORE_ASCII_PUNCT.sub(
        reference._space_before_ascii_punct, text)
    found = any(mark in text and pattern.search(text) for mark, pattern in punctuation._SPACE_THEN_MARK)
    assert found == bool(reference._SPACE_BEFORE_ASCII_PUNCT.search(text))


@settings(max_examples=800, deadline=None)
@given(plain_space_texts)
def test_plain_space_forms_as_the_class_forms(text):
    assert punctuation._PLAIN_SPACE_BETWEEN_CHINESE.sub("", text) == punctuation._SPACE_BETWEEN_CHINESE.sub("", text)
    assert punctuation._PLAIN_SPACE_RUN.sub(" ", text) == punctuation._SPACE_RUN.sub(" ", text)
    stripped = "\n".join(line.strip(SPACES) for line in text.split("\n"))
    at_edge = text[:1] == " " or text[-1:] == " " or bool(punctuation._PLAIN_SPACE_AT_LINE_EDGE.search(text))
    assert at_edge == (stripped != text)


@settings(max_examples=800, deadline=None)
@given(texts)
def test_literal_start_patterns_match_as_the_plain_ones(text):
    def spans(pattern, string=text):
        return [m.span() for m in pattern.finditer(string)]

    assert spans(punctuation._STOP_RUN) == spans(re.compile("。{2,}"))
    assert spans(punctuation._BLANK_LINES) == spans(re.compile(r"\n{3,}"))
    repeated = text
    for mark, run in punctuation._REPEATED_EACH:
        repeated = run.sub(mark, repeated)
    assert repeated == reference._REPEATED_MARK.sub(r"\1", text)
    assert bool(punctuation._THREE_DOTS.search(text)) == ("..." in text)
    assert bool(punctuation._THREE_STOPS.search(text)) == ("。。。" in text)
