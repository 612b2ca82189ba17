"""People helpers: rewrites made for speed must read exactly as the plain patterns they replace (issue 8)."""

from __future__ import annotations

import re

from hypothesis import example, given, settings, strategies as st

from pipeline.stages.metadata import people

# The speaker pattern's position as first written; `_speaker_pattern` puts one character class first instead.
_PLAIN_POSITION = r"(?:[省市县区州镇乡旗](?:委副?书记|长)|特首|行政长官|总统|主席)"


def _plain_speaker_pattern() -> re.Pattern:
    fast = people._speaker_pattern().pattern
    position = fast[: fast.index("(?P<name>")]
    return re.compile(_PLAIN_POSITION + fast[len(position):])


@settings(max_examples=500, deadline=None)
@example("会上,县委书记张壮雄出席会议并讲话。特首曾荫权致辞,行政长官李家超讲话,县长王明强调,州委副书记张强指出")
@given(st.text(alphabet=list("省市县区州镇乡旗特行总主委副书记长首政官统席张王李壮雄明强"
                             "出席讲话致辞在会上时指出作,。 "),
               max_size=40))
def test_speaker_pattern_reads_as_the_plain_one(text):
    plain = [(m.span(), m["name"]) for m in _plain_speaker_pattern().finditer(text)]
    assert [(m.span(), m["name"]) for m in people._speaker_pattern().finditer(text)] == plain


@settings(max_examples=600, deadline=None)
@example("本网讯(记者 傅长琪)，记者发现 【嘉云特派员陈信利/嘉义县报导】")
@example("全媒体记者:王勃 陶然 (中央社记者叶素萍台北10日电) 本报记者　张忠德?１颈")
@example("记者记者王明 【特派员李强摄】")
@example("【南投县府特派员陈信利/嘉义县报导】")  # the longest prefix: a bracket's four Han characters
@given(st.lists(st.sampled_from(["记者", "特派员", "通讯员", "本报", "全媒体", "【", "】", "(", "（", ")", "/", "嘉云",
                                 "王", "李", "明", "强", "欧阳", "修", "中央社", "台北", "10日电", "报道", "摄", "?",
                                 "\ufffd", " ", "\u3000", ":", "、", "发现", "图片"]), max_size=16).map("".join))
def test_reporter_matches_read_as_the_patterns_finditer(text):
    plain = [(m.span(), m.groupdict()) for m in people._reporter_pattern().finditer(text)]
    assert [(m.span(), m.groupdict()) for m in people._reporter_matches(text)] == plain
