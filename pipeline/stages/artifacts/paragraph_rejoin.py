"""Paragraphs broken mid-sentence (a page break, a caption, a hard wrap) joined back into one line.

Only the line break and the blank lines inside the sentence are removed (``artifacts.paragraph_rejoin``);
no text is deleted. Headings, numbered items and lines that end a sentence are never joined.
"""

from __future__ import annotations

import functools
import re

from pipeline.document import Removal
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.text import _Line, _State

_TERMINAL_RE = re.compile(r"[。！？!?]")
_HEADING_PUNCT_RE = re.compile(r"[，,。、；;！？!?]")
_HAN_OR_COMMA_END_RE = re.compile(rf"[{R.HAN}，,、]$")
_CLAUSE_PUNCT_RE = re.compile(r"[，,；;。]")
_CONTINUATION_START_RE = re.compile(rf"[{R.HAN}\d“‘《]")
_CLAUSE_COMMA_RE = re.compile(r"[，,、；;]")
_CLAUSE_SPLIT_RE = re.compile(r"[，,、。；;：:！？!?]")


def _is_heading(text: str, config: ArtifactsConfig) -> bool:
    line = text.strip()
    if not line:
        return False
    if R.HEADING_RE.match(line):
        return not _TERMINAL_RE.search(line) and len(line) <= 60
    return len(line) <= config.short_line_max_chars and not _HEADING_PUNCT_RE.search(line)


def _unclosed(text: str) -> bool:
    """An opening quote or bracket without its closing partner: the sentence goes on."""
    return any(text.count(a) > text.count(b) for a, b in ("“”", "《》", "（）", "()", "「」"))


_JOIN_CLOSERS = R.LINE_CLOSERS + "—…"  # an upper line ending in one of these is never joined


def _should_join(upper: str, lower: str, config: ArtifactsConfig) -> bool:
    """Does ``upper`` stop mid-sentence and ``lower`` carry the same sentence on?

    A heading is never joined: a numbered heading, a short line without a full stop, a dash heading.
    Evidence of a break is required: ``upper`` ends in a comma, holds a full stop before its open tail, is
    long, leaves a quote/bracket open, or ``lower`` starts with a one- or two-character clause ("驰,有的…").
    """
    a = upper.strip()
    if len(a) < config.join_min_chars or a[-1] in _JOIN_CLOSERS:
        return False  # most lines end a sentence: decided before the lower line is even looked at
    b = lower.strip()
    if R.HEADING_RE.match(a) and not _TERMINAL_RE.search(a):
        return False
    # a is stripped: "$" can only match at its end, so the last character decides (no scan of the line)
    if "——" in a or not _HAN_OR_COMMA_END_RE.search(a[-1]):
        return False  # "壮美画卷徐徐铺展——…" (devset 036) is a heading
    if not (_CLAUSE_PUNCT_RE.search(a) or _unclosed(a)):
        return False  # "中共台州市委常委、组织部长  马晓晖" (seed 000) is a byline, not prose
    open_part = _TERMINAL_RE.split(a)[-1]
    if len(open_part) < 6 and a[-1] not in "，,、":
        return False  # "…。资料图" / "…。问题来了": a label after a finished sentence
    if not b or R.HEADING_RE.match(b) or not _CONTINUATION_START_RE.match(b):
        return False
    if not (_TERMINAL_RE.search(b) or (len(b) >= config.join_min_chars and _CLAUSE_COMMA_RE.search(b))):
        return False
    first_mark = _CLAUSE_SPLIT_RE.search(b)  # where split(b)[0] ends, without splitting the whole line
    first_clause = b if first_mark is None else b[: first_mark.start()]
    return bool(
        a[-1] in "，,、"
        or _TERMINAL_RE.search(a)
        or len(a) >= 3 * config.join_min_chars
        or _unclosed(a)
        or len(first_clause) <= 2
    )


def _rejoin(lines: list[_Line], state: _State, config: ArtifactsConfig) -> list[_Line]:
    """Join a line that stops mid-sentence with the next text line (blank lines between are dropped)."""
    should_join = state.memo.should_join if state.memo else functools.partial(_should_join, config=config)
    out: list[_Line] = []
    blank = [not line.text.strip() for line in lines]  # each line's test, done once
    count = len(lines)
    i = 0
    while i < count:
        current = lines[i]
        i += 1
        if blank[i - 1]:
            out.append(current)  # a blank line never takes the next one (joined lines are never blank)
            continue
        while True:
            upper = current.text.strip()
            if len(upper) < config.join_min_chars or upper[-1] in _JOIN_CLOSERS:
                break  # _should_join's first test (it looks at the upper line alone), without the cached call
            j = i
            while j < count and blank[j]:
                j += 1
            if j >= count or not should_join(current.text, lines[j].text):
                break
            nxt = lines[j]
            left = current.text.rstrip()
            right = nxt.text.lstrip()
            removed = (current.text[len(left) :] + "\n" + "".join(line.text + "\n" for line in lines[i:j])
                       + nxt.text[: len(nxt.text) - len(right)])
            ascii_pair = left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum()
            glue = " " if ascii_pair else ""
            state.removals.append(Removal("artifacts.paragraph_rejoin", nxt.number, removed))
            current = _Line(current.number, left + glue + right)
            i = j + 1
        out.append(current)
    return out
