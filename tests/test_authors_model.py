"""The author/speaker scorer (pipeline/models/authors.py): candidates, stop list, decisions and their traces.

Sentences here are written for the tests (the dev set stays out of the repository). Retraining from the dev set
is checked by tests/test_models.py.
"""

from __future__ import annotations

import authors_reference as reference
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.document import Document, Removal
from pipeline.models import author_candidates, authors, model_for
from pipeline.stage_configs import MetadataConfig
from pipeline.stages.metadata import extract_metadata, people


def _doc(text: str, removals=()) -> Document:
    return Document(source_file="t.txt", source_sha256="0" * 64, text=text, removals=tuple(removals))


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(c.name, c.kind) for c in authors.candidates(_doc(text))]


@pytest.mark.parametrize("text, name, kind", [
    ("乡村道路修好了\n来源:某某县新闻网 时间:2021-03-02 作者:孔春山\n村民出行更方便了。", "孔春山", "label"),
    ("春耕忙\n(中央社记者吴明德南投3日电)今年春耕提早开始,农民忙着整地。", "吴明德", "reporter"),
    ("义诊进社区\n【吴明德/南投报导】卫生所今天到社区义诊。", "吴明德", "filed_from"),
    ("王立新:在全镇安全生产会议上的讲话\n同志们:今天召开会议。", "王立新", "name_colon_title"),
    ("团拜会举行\n镇长周建国代表镇党委向大家拜年。周建国指出,新的一年任务艰巨。", "周建国", "position_verb"),
    ("稻田里的新变化\n农民今年改种优质稻。\n(孙 立)", "孙立", "closing_credit"),
    ("【标题】= 稻田里的新变化\n【作者】= 孙立明\n【正文】=\n农民今年改种优质稻。", "孙立明", "label"),
])
def test_a_span_anywhere_is_a_candidate(text, name, kind):
    assert (name, kind) in _kinds(text)


@pytest.mark.parametrize("text", [
    "公园开放\n作者:佚名\n公园今天开放。",
    "公园开放\n来源:本网 作者:小编\n公园今天开放。",
    "公园开放\n编辑:李斌\n公园今天开放。",
    "公园开放\n公园今天开放。\n记者 杨波摄",
    "公园开放\n作者:李一老师\n公园今天开放。",
    "公园开放\n主任和其他同志参加。",
])
def test_non_persons_are_never_candidates(text):
    names = {c.name for c in authors.candidates(_doc(text))}
    assert not names & {"佚名", "小编", "李斌", "杨波", "杨波摄", "李一", "和其他"}


def test_a_speech_verb_where_the_given_name_would_start_is_no_name():
    # `特首明发表…`: 明 (tomorrow) after the position word, then 发表; the official named later is the candidate
    text = "特首明发表施政报告\n行政长官王立新于明日下午到议会发表施政报告。"
    names = {name for name, _ in _kinds(text)}
    assert "明发表" not in names and "明发" not in names and "王立新" in names


def test_speech_features_read_the_clause_after_the_name_and_a_salutation():
    text = ("全市工作会议召开\n市委书记王立新作出批示，市长周建国出席会议并讲话。\n"
            "周建国指出，要抓好落实。王立新主持会议，听取了工作报告。")
    rows = dict(authors.features(_doc(text), authors.candidates(_doc(text))))
    assert rows["周建国"]["log_delivering"] > 0 and rows["周建国"]["most_delivering"] == 1.0
    assert rows["王立新"].get("log_delivering", 0.0) == 0.0 and rows["王立新"]["most_delivering"] == 0.0
    for speech in ("在全镇工作会议上的讲话\n镇长  周建国\n各位代表：\n今天召开会议。",
                   "在全镇工作会议上的讲话 镇长周建国 （2021年3月2日） 同志们： 今天召开会议。"):
        rows = dict(authors.features(_doc(speech), authors.candidates(_doc(speech))))
        assert rows["周建国"]["before_salutation"] == 1.0


def test_a_writer_credit_keeps_the_speaker_from_most_delivering():
    text = "会议召开\n市长周建国出席会议并讲话。\n周建国指出，要抓好落实。\n（孙 立）"
    rows = dict(authors.features(_doc(text), authors.candidates(_doc(text))))
    assert rows["周建国"]["log_delivering"] > 0 and rows["周建国"]["most_delivering"] == 0.0


@pytest.mark.parametrize("text, news", [
    ("本报讯 市长周建国今日出席会议。", True),
    ("（记者 孙立）市长周建国今日出席会议。", True),
    ("行政长官周建国明日举行记者会，回答记者提问。", False),
    ("周建国出席记者招待会。", False),
])
def test_a_press_conference_is_no_news_mark(text, news):
    assert bool(authors._NEWS_MARK.search(text)) is news


def test_name_length_follows_how_the_name_recurs():
    # `蔡红针对…` once and `蔡红在…` later: the two-character name, not 蔡红针
    text = "会议召开\n区委书记蔡红针对发言作了点评。\n蔡红在会上指出,要抓好落实。"
    assert ("蔡红", "position_verb") in _kinds(text) or ("蔡红", "position_name") in _kinds(text)
    assert "蔡红针" not in {name for name, _ in _kinds(text)}


def test_candidates_read_removed_bylines():
    doc = _doc("村里修路\n村民出行更方便了。", [Removal("artifacts.header_line", 1, "来源:某某网 作者:孔春山")])
    assert ("孔春山", "label") in [(c.name, c.kind) for c in authors.candidates(doc)]


SHIPPED = model_for(authors.NAME, "")
needs_model = pytest.mark.skipif(SHIPPED is None, reason="no shipped authors model in pipeline/data/models")


@needs_model
def test_reporter_wins_over_the_speaker_he_reports():
    doc = _doc("全县经济工作会议召开\n本报讯(记者 吴明德)昨日,全县经济工作会议召开。县委书记周建国出席会议并讲话。"
               "周建国指出,要稳住经济大盘。")
    choice = authors.choose(doc, SHIPPED)
    assert choice is not None and choice.author == "吴明德" and choice.kind not in authors.SPEAKER_KINDS


@needs_model
def test_a_page_that_names_nobody_gets_nobody():
    doc = _doc("安全生产心得体会\n安全生产是一切工作的前提,我们要时刻绷紧安全这根弦。\n只有人人重视安全,才能避免事故。")
    assert authors.choose(doc, SHIPPED) is None


@needs_model
def test_metadata_traces_the_model_decision_and_the_threshold_turns_it_off():
    text = "乡村道路修好了\n\n村民出行更方便了,大家都很高兴。\n\n来源:某某县新闻网 作者:孔春山"
    out = extract_metadata(_doc(text), MetadataConfig())
    assert out.author == "孔春山"
    traces = [r for r in out.removals if r.rule.startswith("model.author:")]
    assert len(traces) == 1 and 0.45 <= float(traces[0].rule.split(":")[1]) <= 1.0
    assert out.text.count("村民出行更方便了") == 1  # the model sets the field; the text is not cut by it
    strict = extract_metadata(_doc(text), MetadataConfig(author_min_score=1.0))
    assert strict.author is None and not [r for r in strict.removals if r.rule.startswith("model.")]


def test_fit_is_deterministic_and_save_load_round_trips(tmp_path):
    pages = [
        ("a", "乡村道路修好了\n来源:某某网 作者:孔春山\n村民出行更方便了。", "孔春山"),
        ("b", "春耕忙\n(记者 吴明德)今年春耕提早开始。县长周建国指出,要抓好春耕。", "吴明德"),
        ("c", "团拜会举行\n镇长周建国代表镇党委向大家拜年。周建国指出,任务艰巨。", "周建国"),
        ("d", "公园开放\n主任王立新参加。公园今天开放。", None),
    ]
    examples = [e for file, text, who in pages
                for e in authors.examples(_doc(text), {"file": file, "author": who, "speaker": None})]
    assert {e.label for e in examples} == {0, 1}
    first, second = authors.fit(examples), authors.fit(list(reversed(examples)))
    assert first == second
    authors.save(first, tmp_path)
    assert authors.load(tmp_path) == first
    assert not list(tmp_path.glob("*.pkl"))


# Position-word candidates are searched from each position word (`author_candidates._position_matches`), not by
# trying the speech and verb patterns at every character: the result must be exactly the patterns' own `finditer`.
_POSITION_ALPHABET = list("县市镇委副常务书记长主任局部王李张周建国明强同志先生"
                          "在于全会上时的讲话致辞作了代表指出今日，。、:： ")


@settings(max_examples=400, deadline=None)
@example("会上，县委副书记、常务副县长王明同志在全县工作会议上的讲话。镇长李强代表镇党委指出")
@example("市委常委、常务副市长张建国在会上指出，局长周明今日致辞")
@given(st.text(alphabet=_POSITION_ALPHABET, max_size=60))
def test_position_matches_read_as_the_patterns_finditer(text):
    starts = author_candidates._position_word_starts(text)
    for anchored in (author_candidates._SPEECH_ANCHORED, author_candidates._VERB_ANCHORED):
        plain = [(m.span(), m.groupdict()) for m in anchored.pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in author_candidates._position_matches(anchored, text, starts)] == plain


def test_shipped_common_words_are_jiebas_words_that_are_no_names():
    # the extract stands in for jieba's dictionary: the same answer for every key of the dictionary
    import jieba  # a runtime dependency: the shipped list must answer as its dictionary does
    from jieba import posseg

    jieba.initialize()
    frequency, tags = jieba.dt.FREQ, posseg.dt.word_tag_tab
    from_jieba = {w for w, f in frequency.items() if len(w) <= 2 and (f or 0) >= 10 and tags.get(w) != "nr"}
    assert author_candidates.common_words() == from_jieba
    assert {"全县", "时间", "关于", "和平"} <= author_candidates.common_words()
    assert not {"王沪", "张三", ""} & author_candidates.common_words()


# `_line_candidates` scans for `_POSITION_END` only where a position word or one of its extra words is in the
# line: the gate must never skip a line the pattern matches.
_END_ALPHABET = list("县市长委员特首总统理主行政官书记王明李，。 ")


@settings(max_examples=400, deadline=None)
@example("特首李家超致辞")
@example("委员长王明指出")
@example("行政长官崔世安于")
@given(st.text(alphabet=_END_ALPHABET, max_size=30))
def test_position_end_gate_keeps_every_line_the_pattern_matches(text):
    extra_words = author_candidates._POSITION_END_EXTRA
    gated = bool(author_candidates._position_word_starts(text)) or any(w in text for w in extra_words)
    assert gated or author_candidates._POSITION_END.search(text) is None


# `author_candidates._names_listed` looks for a list of names only where one can start: exactly the pattern's own
# search.
_LIST_ALPHABET = list("张李王欧阳司马三四五明强、等同志，的会 ")


@settings(max_examples=500, deadline=None)
@example("会上，张三、李四同志讲了话")
@example("欧阳明、司马强、王五等")
@example("、、张三、欧阳四等")
@given(st.text(alphabet=_LIST_ALPHABET, max_size=40))
def test_names_listed_reads_as_the_patterns_search(text):
    assert author_candidates._names_listed(text) == (reference.LISTED_NAMES.search(text) is not None)


def test_every_position_word_starts_with_a_literal_character():
    # `_POSITION_FIRST` reads the first character of each alternative; a class or group there would be missed
    assert all("\u4e00" <= word[0] <= "\u9fff" for word in people.POSITION_WORDS.split("|"))


@needs_model
def test_the_only_official_a_speech_names_is_its_speaker_but_not_in_a_news_report():
    # one official, named once after a position word and never speaking: the speech's own speaker (a page that
    # is no news report); in a news report the same line is a person the reporter writes about
    speech = _doc("在全县安全生产工作会议上的讲话\n县长周建国\n同志们：\n"
                  "今天召开全县安全生产工作会议，总结去年工作，部署今年任务。\n"
                  "一、充分肯定成绩。去年全县安全生产形势总体平稳。\n二、明确重点任务。要压实责任，抓好隐患排查。")
    choice = authors.choose(speech, SHIPPED)
    assert choice is not None and choice.author == "周建国" and choice.kind == "position_name"
    news = _doc("小镇新风\n本报讯 这几天，镇综合办里不断有人来递交学习心得。\n"
                "镇党委委员周建国经过几夜思考写下一句话。\n"
                "登记表上已写满了句子。")
    assert [c.name for c in authors.candidates(news)] == ["周建国"]
    assert authors.choose(news, SHIPPED) is None
