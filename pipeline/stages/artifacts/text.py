"""The line record, the per-document state of a rule pass and the small text tests every part shares.

Nothing here changes a document: ``_offer_field`` and ``_remove`` only record a field candidate or a
removal on the pass state, which the stage applies at the end.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.document import Removal
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R

if TYPE_CHECKING:
    from pipeline.stages.artifacts.rule_pass import _LineMemo


# Per-line caches (pure functions of the line): a page has tens to hundreds of lines, so a few thousand entries
# cover the second pass of any page and repeated chrome of recent pages; ~2 MB each at most, memory stays flat.
_LINE_CACHE_SIZE = 4096


@dataclass(slots=True)  # one per line and pass: slots make them smaller and their fields faster to read
class _Line:
    number: int  # 0-based line number in the text the stage received
    text: str


@dataclass
class _State:
    removals: list
    fields: dict
    title: str | None = None
    memo: "_LineMemo | None" = None  # per-config caches of the pure per-line rules (see _LineMemo)
    span_clean: set = field(default_factory=set)  # line texts the span step leaves as they are (next pass: skip)
    line_facts: dict = field(default_factory=dict)  # line text -> what the whole-line rules found (rule_pass)


_SENTENCE_RE = re.compile(r"[^。！？!?]*[。！？!?]+[”’\"」』)）]*|[^。！？!?]+$")
_HAN_RE = re.compile(rf"[{R.HAN}]")
_NOT_WORD_RE = re.compile(r"[\W_]+")  # spaces, punctuation, symbols (and "_", which \w would keep)
_WORD_CHAR_RE = re.compile(r"[^\W_]")  # a character normalized_line keeps


def normalized_line(text: str) -> str:
    """The line without whitespace, punctuation or symbols, for comparing lines.

    >>> normalized_line(" 创先争优心得体会:如何创怎样争 ")
    '创先争优心得体会如何创怎样争'
    """
    return _NOT_WORD_RE.sub("", text)


# the title window and the flattened-copy check normalise the same top lines on every pass
_normalized_line_cached = functools.lru_cache(maxsize=_LINE_CACHE_SIZE)(normalized_line)


def _has_sentence_punct(text: str) -> bool:
    return bool(R.SENTENCE_PUNCT_RE.search(text))


def _is_long_sentence(text: str, config: ArtifactsConfig) -> bool:
    stripped = text.strip()
    return bool(stripped) and stripped[-1] in R.TERMINAL and len(stripped) > config.header_max_chars


def _strip_table(text: str) -> str:
    """``| 来源: \\| 发布时间: 2018-05-17 |`` -> ``来源: | 发布时间: 2018-05-17`` (shape only, for matching)."""
    if "|" not in text:  # most lines: the replace and the pipe strip would change nothing
        return text.strip()
    return text.replace("\\|", "|").strip().strip("|").strip()


def _offer_field(state: _State, name: str, value: str | None, priority: int) -> None:
    """Keep the best candidate per field (lower priority number wins; first seen wins a tie)."""
    if not value:
        return
    value = value.strip()
    if not value:
        return
    current = state.fields.get(name)
    if current is None or priority < current[0]:
        state.fields[name] = (priority, value)


def _remove(state: _State, rule: str, line: _Line, text: str) -> None:
    if text:
        state.removals.append(Removal(rule, line.number, text))


def _sentences(text: str) -> list[str]:
    """Split a line into sentences, each keeping its closing punctuation.

    >>> _sentences("甲。乙!丙")
    ['甲。', '乙!', '丙']
    """
    return _SENTENCE_RE.findall(text)
