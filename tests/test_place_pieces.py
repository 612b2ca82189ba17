"""The place automaton walks only the pieces of text in which a word occurs, and all texts of a document are
searched at once (issue 20): the matches must be exactly those of one walk over each whole text, and those of
pyahocorasick's own ``iter_long`` (the reference). Texts are generated; nothing here is page text."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.stages.metadata import automaton as automaton_module
from pipeline.stages.metadata.automaton import ByteSpelledAutomaton
from pipeline.stages.metadata.regions import gazetteer

# 1-, 2-, 3- and 4-byte characters; in a text, `，`, `x` and `\n` (and any letter no drawn word holds) separate
_ALPHABET = "ab州台市江县ü𠀋"


@settings(max_examples=500, deadline=None)
@given(
    words=st.lists(st.text(alphabet=_ALPHABET, min_size=1, max_size=5), min_size=1, max_size=12, unique=True),
    texts=st.lists(st.text(alphabet=_ALPHABET + "，x\n", max_size=40), min_size=1, max_size=4),
)
def test_pieces_walk_as_the_whole_text(words, texts):
    automaton = ByteSpelledAutomaton({word: word for word in words})
    whole = [list(automaton.plain.iter_long(text)) for text in texts]
    assert [automaton.matches_in_one_walk(text) for text in texts] == whole
    assert [automaton.matches(text) for text in texts] == whole
    assert automaton.matches_in_each(texts) == whole


_SURFACES = sorted(gazetteer().automaton.keys())
# glue: separators (`，`, `的` if no place name holds it), office and street words the guards read, a line break
_GLUE = ["，", "的", "县长", "路", "。", "\n", "a1", "各乡镇和", "𠀋"]


def _place_soup(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 10)):
        word = rng.choice(_SURFACES)
        cut = rng.randint(0, len(word))
        parts.append(rng.choice([word, word[:cut], word[cut:], rng.choice(_GLUE)]))
    return "".join(parts)


def test_gazetteer_pieces_walk_as_the_whole_text():
    """The real gazetteer automaton (~40,000 words, nested names, blockers) on texts glued from its surfaces."""
    spelled = gazetteer()._spelled
    rng = random.Random(20)
    for _ in range(300):
        texts = [_place_soup(rng) for _ in range(rng.randint(1, 5))]
        whole = [list(spelled.plain.iter_long(text)) for text in texts]
        assert [spelled.matches_in_one_walk(text) for text in texts] == whole, texts
        assert spelled.matches_in_each(texts) == whole, texts
        assert gazetteer().find_places_in_each(texts) == [gazetteer().find_places(text) for text in texts], texts


def test_a_separator_is_kept_at_the_end_of_its_piece():
    """Why a piece keeps its closing separator: pyahocorasick fails over to a suffix word (州市 inside 台州市 on the
    way to 台州市区) at a failed transition, not at the end of the text. If this changes, the class docstring does."""
    automaton = ByteSpelledAutomaton({"州市": 1, "台州市区": 2})
    assert list(automaton.plain.iter_long("台州市")) == []
    assert list(automaton.plain.iter_long("台州市，")) == [(2, 1)]
    assert automaton.matches_in_each(["台州市", "台州市，", "台州市，台州市"]) == [[], [(2, 1)], [(2, 1)]]


def test_without_the_occurrence_search_every_text_is_walked_whole(monkeypatch):
    """Where daachorse has no wheel (Linux aarch64) the automaton walks whole texts: the same matches."""
    monkeypatch.setattr(automaton_module, "daachorse", None)
    automaton = ByteSpelledAutomaton({"台州": 1, "台州市": 2, "州市": 3})
    assert automaton._occurrences is None
    assert automaton.matches_in_each(["浙江台州市和州市", "", "州市"]) == [[(4, 2), (7, 3)], [], [(1, 3)]]


def test_a_lone_surrogate_falls_back_to_the_plain_automaton():
    automaton = ByteSpelledAutomaton({"台州": 1})
    assert automaton.matches_in_each(["\ud800台州", "台州"]) == [[(2, 1)], [(1, 1)]]


def test_a_word_with_a_line_break_is_refused():
    with pytest.raises(ValueError, match="line break"):
        ByteSpelledAutomaton({"台\n州": 1})
