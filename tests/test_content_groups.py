"""content_group: which article a document carries (pipeline.corpus.content_groups).

The function scans lines longest first and stops early; these tests hold it to the plain definition (every
line looked at, the longest normalised long sentence wins, ties to the greater string), including the
edge cases the early stop could get wrong: ties in length, long lines that do not end a sentence, and
lines whose normalised key is much shorter than the line.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.corpus.content_groups import _NOT_WORD_RE, _digest, content_group
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts.rules import TERMINAL


def plain_content_group(text: str, config: ArtifactsConfig) -> str:
    """The definition, line by line in text order: what content_group must always return."""
    longest = ""
    for line in text.split("\n"):
        stripped = line.strip()
        if len(stripped) > config.header_max_chars and stripped[-1] in TERMINAL:
            key = _NOT_WORD_RE.sub("", stripped)
            if (len(key), key) > (len(longest), longest):
                longest = key
    return "s:" + _digest(longest) if longest else "t:" + _digest(_NOT_WORD_RE.sub("", text))


SMALL = ArtifactsConfig(header_max_chars=4)  # short lines count as long sentences, so examples stay small


def test_a_tie_in_length_goes_to_the_greater_key_whatever_the_line_order():
    first, second = "甲乙丙丁戊己。", "甲乙丙丁戊庚。"  # same length, second is greater
    for text in (f"{first}\n{second}", f"{second}\n{first}"):
        assert content_group(text, SMALL) == "s:" + _digest("甲乙丙丁戊庚")


def test_a_long_line_full_of_punctuation_loses_to_a_shorter_line_with_more_words():
    padded = "甲，，，，，，，，，，，，乙。"  # 15 characters, key 甲乙
    plain = "丙丁戊己庚辛。"  # 7 characters, key of 6
    assert content_group(f"{padded}\n{plain}", SMALL) == "s:" + _digest("丙丁戊己庚辛")


def test_a_longer_line_that_does_not_end_a_sentence_is_not_the_key():
    assert content_group("这一行很长但是没有句号结尾\n短句结束了。", SMALL) == "s:" + _digest("短句结束了")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="甲乙丙，。！ \u3000a?", max_size=14), max_size=8))
def test_content_group_is_the_plain_definition(lines):
    text = "\n".join(lines)
    assert content_group(text, SMALL) == plain_content_group(text, SMALL)
    assert content_group(text) == plain_content_group(text, ArtifactsConfig())
