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
