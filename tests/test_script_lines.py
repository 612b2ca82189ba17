"""Line-by-line conversion for the line-count pre-pass (pipeline.stages.script.line_conversion) and the pre-pass
that converts only the lines it counts (pipeline.corpus.prepass._counted_lines).

The pre-pass's counts must be exactly those of the whole converted text. That rests on two facts about the
OpenCC configurations, both checked here: converting a text line by line gives its converted lines (no
dictionary key holds a line break), and outside the Taiwan-phrase list every dictionary entry keeps the
length and, position by position, the character classes the counts read (spaces, word characters, 。！？!?).
The multi-character entries of the packaged OpenCC dictionaries were checked when this was written (every key
of TSPhrases, TWVariantsRevPhrases, HKVariantsRevPhrases through a one-dictionary configuration: 1,915 keys,
none changes a length or class); the tests below scan every code point and the project's own lists, and hold
the whole pre-pass to the reference on generated documents and on the dev set.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEVSET, needs_devset
from pipeline.config import BuildConfig
from pipeline.corpus import prepass
from pipeline.corpus.content_groups import content_group, converted_content_group
from pipeline.document import Document, Rejection
from pipeline.stage_configs import ArtifactsConfig, ScriptConfig
from pipeline.stages import script
from pipeline.stages.artifacts.rules import TERMINAL

_WORD = re.compile(r"[^\W_]")


def shape(text: str) -> list[str]:
    """Per position: space, sentence end, word character or other (what the line counts read)."""
    return ["s" if c.isspace() else "t" if c in TERMINAL else "w" if _WORD.match(c) else "o" for c in text]


CONVERTERS = {"custom": script.to_simplified, "custom+tw": script.to_simplified_tw, "t2s": script.plain_t2s}


def test_every_code_point_keeps_its_shape_under_every_configuration():
    # One code point per line: a dictionary key would have to hold a line break to join two of them.
    points = [chr(c) for c in range(0x110000) if not (0xD800 <= c <= 0xDFFF) and c != 0x0A]
    text = "\n".join(points)
    for name, convert in CONVERTERS.items():
        converted = convert(text).split("\n")
        assert len(converted) == len(points), name
        changed = [(p, c) for p, c in zip(points, converted, strict=True) if p != c]
        assert changed, name  # the scan reaches the dictionaries
        bad = [(p, c) for p, c in changed if len(c) != 1 or shape(p) != shape(c)]
        assert not bad, (name, bad[:5])


def test_the_projects_own_lists_keep_shape_except_the_taiwan_phrases_which_only_shorten():
    for key, value in script._variant_exception_pairs():
        assert shape(key) == shape(value), (key, value)
    for key, value in script.tw_phrase_pairs():
        assert len(value) <= len(key) and "\n" not in key + value and set(shape(key + value)) <= {"w"}, (key, value)


# Characters and pieces that exercise every path: Traditional-only and Simplified-only characters, 著 in both
# readings, Taiwan phrases (one identity entry), the mainland markers that switch the Taiwan list on, a CJK
# compatibility ideograph (OpenCC normalises it first), spaces, sentence ends, punctuation and line breaks.
PIECES = ["發展", "隨著", "跟著", "著名", "原著", "网络", "并", "后", "乾隆", "網際網路", "釋出", "排程", "物件",
          "程式化", "黨中央", "黨委", "縣委", "﨑", "A", "1", " ", "\u3000", "。", "！", "?", "，", "、", "\n",
          "這是一段很長的正文內容", "这是一段很长的正文内容", "本站所有文章均來自網絡"]
SIMPLIFIED_ONLY = {"网络", "并", "这是一段很长的正文内容"}
# Mixed text is rarely Traditional enough (share >= 0.97) for the whole-document paths: draw those apart.
texts = st.one_of(st.lists(st.sampled_from(PIECES), max_size=120).map("".join),
                  st.lists(st.sampled_from([p for p in PIECES if p not in SIMPLIFIED_ONLY]), max_size=120).map("".join))


@settings(max_examples=300, deadline=None)
@given(texts, st.booleans())
def test_line_conversion_gives_the_converted_text_line_by_line_and_keeps_shape_where_it_says(text, tw_reversal):
    config = ScriptConfig(tw_phrase_reversal=tw_reversal)
    lines, convert, reshaped = script.line_conversion(text, config)
    converted = convert(range(len(lines))) if convert else lines
    if convert:  # one line at a time gives the same lines
        assert [convert([index])[0] for index in range(len(lines))] == converted
    assert "\n".join(converted) == script.convert_text(text, config)[0]
    for index, (line, after) in enumerate(zip(lines, converted, strict=True)):
        if index not in reshaped:
            assert shape(line) == shape(after), (line, after)


def test_a_taiwan_converted_document_marks_only_lines_with_a_taiwan_phrase_as_reshaped():
    text = "黨中央要求各級黨委建立排程制度\n網際網路\n隨著時代發展"
    lines, convert, reshaped = script.line_conversion(text)
    assert sorted(reshaped) == [0, 1] and convert([1]) == ["互联网"]
    lines, convert, reshaped = script.line_conversion(text + "﨑")  # normalised first: every line may change
    assert reshaped == {0, 1, 2}


SMALL = ArtifactsConfig(header_max_chars=6, cross_doc_min_line_chars=3)  # short examples reach every branch


@settings(max_examples=300, deadline=None)
@given(texts)
def test_the_content_group_of_converted_lines_is_that_of_the_converted_text(text):
    lines, convert, reshaped = script.line_conversion(text)
    convert = convert or (lambda indices: [lines[index] for index in indices])
    counted = [convert([index])[0] if index in reshaped else line for index, line in enumerate(lines)]

    def converted_line(index):
        return convert([index])[0]

    for config in (SMALL, ArtifactsConfig()):
        assert converted_content_group(counted, converted_line, config) == \
            content_group(script.convert_text(text)[0], config)


def counts(document: Document, config: BuildConfig, counted) -> list:
    return [(doc.source_file, group, sorted(hashes)) for doc, group, hashes in counted(document, config)]


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from([BuildConfig(), BuildConfig(artifacts=SMALL),
                               BuildConfig(script=ScriptConfig(tw_phrase_reversal=False), artifacts=SMALL)]))
def test_the_pre_pass_counts_what_the_reference_counts(text, config):
    document = Document(source_file="site/a.txt", source_sha256="0" * 64, text=text)
    assert counts(document, config, prepass._counted_lines) == \
        counts(document, config, prepass._counted_lines_reference)


def test_a_line_that_is_a_long_sentence_only_before_the_taiwan_phrases_are_reversed_is_counted():
    # "排程網際網路。" has 7 characters, a long sentence under SMALL (never counted); converted, "调度互联网。"
    # has 6 and is a candidate line.
    text = "黨中央要求各級黨委建立制度\n排程網際網路。"
    document = Document(source_file="site/a.txt", source_sha256="0" * 64, text=text)
    config = BuildConfig(artifacts=SMALL)
    expected = counts(document, config, prepass._counted_lines_reference)
    assert len(expected[0][2]) == 2  # both lines counted
    assert counts(document, config, prepass._counted_lines) == expected


def test_a_document_the_script_stage_rejects_is_not_counted_either_way():
    document = Document(source_file="site/a.txt", source_sha256="0" * 64, text="發展\ud800")  # lone surrogate
    assert prepass._counted_lines(document, BuildConfig()) == []
    assert prepass._counted_lines_reference(document, BuildConfig()) == []


@needs_devset
def test_the_pre_pass_counts_every_dev_set_page_as_the_reference_does():
    from pipeline.evaluation.devset import read_page, read_pages

    config = BuildConfig()
    seen = 0
    for page in read_pages(DEVSET):
        for item in read_page(DEVSET, page.file, config):
            if isinstance(item, Rejection):
                continue
            seen += 1
            for small in (config, BuildConfig(artifacts=SMALL)):
                assert counts(item, small, prepass._counted_lines) == \
                    counts(item, small, prepass._counted_lines_reference), page.file
    assert seen >= 100
