"""Scraping-artifact removal: the stage that takes site debris out of a page and leaves the content.

What it changes (every change is recorded as a ``Removal`` with a stable rule name from
``pipeline.artifact_rules.RULES`` and the 0-based line number in the text this stage received):

- drops debris LINES: navigation rows and breadcrumbs, login boxes, page header and credit lines, view
  counters, previous/next and related-article blocks, share/QR widgets, copyright/ICP/disclaimer footers,
  ad and jump markers, image captions and image file names, SEO spam titles, a title repeated in the body;
- drops debris SPANS glued into a line: 范文 template sentences, reporter tags (``本网讯(记者 傅长琪)``),
  pinyin ruby (``县长(zhǎng)``), BBCode, SEO titles injected mid-sentence, trailing credits, table-cell
  pipes left by HTML extraction, a table of contents run into the first sentence;
- rejoins a paragraph broken mid-sentence by a page break, a caption or a hard wrap (seed 004 ``纪律松`` +
  ``驰``); numbered and short headings are never merged into the next paragraph;
- moves page-header values into empty fields: ``published_at`` (ISO, time kept when printed),
  ``category`` (栏目), ``source_site`` (来源); moves a series header into ``series`` and a compilation's
  编者按 into ``editor_note``; copies a closing note ``(根据…讲话整理)`` into ``source_note`` (it stays in
  the text).

What it deliberately leaves alone: punctuation and spacing inside kept text (doubled punctuation, width,
space runs are the punctuation stage's job), the title/subtitle/position+name byline lines (the metadata
stage takes them out), datelines such as ``新华社杭州7月31日电``, standfirsts, numbered headings, dated
subtitle lines (``2019年3月2日在…会议上``). When unsure it keeps the text: a sentence of content lost is
worse than a line of debris left. A page that was nothing but debris becomes a Rejection
``artifacts.empty_after_cleaning``. Rules that may delete a whole sentence ending in 。！？ are listed in
``artifact_rules.SENTENCE_RULES`` and each is shown by a test case.

Cross-document repetition (a footer no rule knows) needs counts over many documents, so it is a separate
pure step: ``count_line_hashes`` → ``common_line_hashes`` → ``remove_repeated_lines``; the caller wires
the counting across shards.

The stage runs its passes to a fixpoint (at most ``_MAX_PASSES``), so it is idempotent on its own output.

Speed, without changing any output: a costly pattern runs only when a cheap literal hint proves it may
match (``artifact_rules.literal_hint``; most body lines are prose no rule touches), the span steps' hints
are found in one scan of the line (``_span_hint_kinds``), length limits are tested before patterns, and the
pure per-line rules are cached per config (``_LineMemo``), so the fixpoint's second pass costs little.
tests/test_artifacts.py checks the hints on real and generated lines.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from pipeline import artifact_rules as R
from pipeline.document import Document, Rejection, Removal
from pipeline.fields import names as field_names
from pipeline.stage_configs import ArtifactsConfig

RULES = R.RULES

_LONG_LINE_CHARS = 300  # every line rule but the footer ones has a length limit well below this
_REPORTER_LINE_MAX_CHARS = 60  # a byline is short: "记者 义永华/文 杨波/摄"
_CAPTION_MAX_CHARS = 160  # the longest length limit of a line rule a long sentence can still meet (captions)
_SEPARATORS_ONLY_RE = re.compile(r"[|｜\s>/\-_=*~·•]+")  # "| | |", "> >", "-----": table or nav debris
# Per-line caches (pure functions of the line): a page has tens to hundreds of lines, so a few thousand entries
# cover the second pass of any page and repeated chrome of recent pages; ~2 MB each at most, memory stays flat.
_LINE_CACHE_SIZE = 4096
_MAX_PASSES = 5  # a later pass finds what an earlier one exposed (a site name left alone at the top); real pages settle in 2


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


class _LineMemo:
    """Caches of the pure per-line functions for one config, keyed by the line text alone.

    The fixpoint's second pass sees most lines unchanged, and page chrome repeats across documents; the
    functions are pure in (text, config), so their results are reused. Bounded: memory stays flat.
    """

    def __init__(self, config: ArtifactsConfig):
        cache = functools.lru_cache(maxsize=_LINE_CACHE_SIZE)
        self.header_fields = cache(functools.partial(_header_fields, config=config))
        self.span_edits = cache(functools.partial(_span_edits, config=config, header_fields=self.header_fields))
        self.line_rule = cache(functools.partial(_line_rule, config=config))
        self.footer_line = cache(functools.partial(_footer_line, config=config))
        self.should_join = cache(functools.partial(_should_join, config=config))


_memo_for = functools.lru_cache(maxsize=8)(_LineMemo)  # one memo per config (hashed once per document)


# ------------------------------------------------------------------------------ compiled small patterns
# The small patterns used inline by the helpers below, compiled once (same patterns, same flags: a call
# through re.search(...) would look each up in re's cache on every line).
_DIGITS_RE = re.compile(r"\d+")
_UNCOVERED_RE = re.compile(rb"\x00+")  # runs of uncovered characters in _header_fields_uncached
_HEADER_SEPARATOR_RE = re.compile(r"[:：|｜/]|于\s")  # every match of R.HEADER_KV_RE holds one (its "sep" group)
_OPEN_BRACKET_RE = re.compile(r"[(（【\[]")  # every match of R.REPORTER_BRACKET_RE holds one (a required class)
_DIGIT_RE = re.compile(r"\d")
_PROSE_DATE_RE = re.compile(r"[于在]\s*(?:19|20)\d{2}")
_SENTENCE_RE = re.compile(r"[^。！？!?]*[。！？!?]+[”’\"」』)）]*|[^。！？!?]+$")
_NUMBERING_RE = re.compile(r"[\s\d.．、()（）•·\-]+")
_TABLE_ROW_RE = re.compile(r"(?P<head>[\s|]*)(?P<inner>.*?)(?P<tail>[\s|]*)", re.S)
_TAG_LEAD_RE = re.compile(r"^.*[(（【\[]")
_ROLE_RE = re.compile(R._ROLE)
_TAG_TAIL_RE = re.compile(rf"[{R.HAN}]{{0,8}}(?:报导|报道|摄)$")
_TAG_SPLIT_RE = re.compile(r"[\s、/／　]+")
_MARKUP_RE = re.compile(r"<[A-Za-z/]")
_PREV_NEXT_RE = re.compile(r"上一篇|下一篇|上一页|下一页")
_COMMA_STOP_RE = re.compile(r"[，,。]")
_REPORTER_PUNCT_RE = re.compile(r"[。！？!?，,；;]")
_COMMENTATOR_RE = re.compile(r"(?:本报|本刊|本网|新华社|人民日报)(?:特约)?评论员|新华社记者")
_REPORTER_LEAD_RE = re.compile(rf"^[{R.HAN}]{{0,6}}?(?:{R._ROLE})\s*[:：]?\s*")
_COMMENDATION_RE = re.compile(r"优秀|先进|十佳|模范|最美|金牌|年度")
_REPORTED_TAIL_RE = re.compile(rf"[{R.HAN}]{{0,8}}(?:报导|报道)$")
_ROLE_SUFFIX_RE = re.compile(r"/(?:文|摄|图)$")
_BYLINE_SPLIT_RE = re.compile(r"[\s、/　]+(?![文摄图](?:\s|$))")
_NAME_RE = re.compile(rf"[{R.HAN}·]+")
_TERMINAL_RE = re.compile(r"[。！？!?]")
_HEADING_PUNCT_RE = re.compile(r"[，,。、；;！？!?]")
_HAN_OR_COMMA_END_RE = re.compile(rf"[{R.HAN}，,、]$")
_CLAUSE_PUNCT_RE = re.compile(r"[，,；;。]")
_CONTINUATION_START_RE = re.compile(rf"[{R.HAN}\d“‘《]")
_CLAUSE_COMMA_RE = re.compile(r"[，,、；;]")
_CLAUSE_SPLIT_RE = re.compile(r"[，,、。；;：:！？!?]")
_HAN_RE = re.compile(rf"[{R.HAN}]")
_COUNTER_LEAD_RE = re.compile(r"^(?:人气|点击|浏览|阅读|访问|查看)")
_COUNTER_WORDS_RE = re.compile(r"回复|来自手机|显示全部楼层|阅读模式")
_TITLE_SPLIT_RE = re.compile(r"\s*[-–_|｜]\s*")
_ISSUE_TOKEN_RE = re.compile(r"/?\d{4}[^\s]{0,8}")
_TITLE_BLOCK_RE = re.compile(r"[()（）【】\[\]《》“”:：]|(?:19|20)\d{2}")


# ---------------------------------------------------------------------------------------------- helpers


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


def iso_datetime(date_text: str, clock_text: str | None = None) -> str | None:
    """ISO form of a printed date (and time, kept when printed).

    >>> iso_datetime("2022-11-24", "08:47:00")
    '2022-11-24T08:47:00'
    >>> iso_datetime("2022年12月25日", "07:49")
    '2022-12-25T07:49:00'
    >>> iso_datetime("2019-2-16")
    '2019-02-16'
    >>> iso_datetime("2019-13-45") is None
    True
    """
    numbers = _DIGITS_RE.findall(date_text)
    if len(numbers) < 3:
        return None
    year, month, day = (int(n) for n in numbers[:3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    result = f"{year:04d}-{month:02d}-{day:02d}"
    if clock_text:
        parts = [int(n) for n in _DIGITS_RE.findall(clock_text)] + [0, 0]
        hour, minute, second = parts[:3]
        if hour <= 23 and minute <= 59 and second <= 59:
            result += f"T{hour:02d}:{minute:02d}:{second:02d}"
    return result


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


# ------------------------------------------------------------------------------------ header lines


def header_match(text: str, config: ArtifactsConfig = ArtifactsConfig()) -> dict | None:
    """Fields found if ``text`` is a page header/credit line, else None.

    >>> header_match("时间:2022-11-24 08:47:00")
    {'published_at': '2022-11-24T08:47:00'}
    >>> header_match("栏目: 创先争优学习专题 / 释出于: / 人气:2.64W")
    {'category': '创先争优学习专题'}
    >>> header_match("更新于 2022年12月27日07:40 • 发布于 2022年12月25日07:49")
    {'published_at': '2022-12-25T07:49:00'}
    >>> header_match("资金来源：财政拨款和社会捐助。") is None
    True
    """
    found = _header_fields(text, config)
    if found is None:
        return None
    best: dict[str, tuple[int, str]] = {}
    for name, value, priority in found:
        if name not in best or priority < best[name][0]:
            best[name] = (priority, value)
    return {name: value for name, (priority, value) in best.items()}


def _header_fields(text: str, config: ArtifactsConfig) -> tuple[tuple[str, str, int], ...] | None:
    """(field, value, priority) triples if ``text`` is a header line (publish date 0, bare date 1, update 2)."""
    found = _header_fields_uncached(text, config)
    return None if found is None else tuple(found)


def _header_fields_uncached(text: str, config: ArtifactsConfig) -> list[tuple[str, str, int]] | None:
    """(field, value, priority) triples if ``text`` is a header line (publish date 0, bare date 1, update 2)."""
    line = _strip_table(text)
    if not line or len(line) > config.header_max_chars or _has_sentence_punct(line):
        return None
    covered = bytearray(len(line))  # 1 where a key, value, date, counter or chrome word sits
    keys: list[str] = []
    fields: list[tuple[str, str, int]] = []
    has_iso = has_clock = False

    def cover(start: int, end: int) -> None:
        covered[start:end] = b"\x01" * (end - start)

    # HEADER_KV_RE's separator is one of :：|｜/ or whitespace after 于: a line with neither has no key-value pair
    for match in R.HEADER_KV_RE.finditer(line) if _HEADER_SEPARATOR_RE.search(line) else ():
        key, value = match.group("key"), match.group("value")
        keys.append(key)
        cover(match.start(), match.end())
        if not value:
            continue
        date_match = R.DATETIME_RE.fullmatch(value.strip())
        if key in R.PUBLISH_KEYS + R.UPDATE_KEYS and date_match:
            has_iso = has_iso or bool(R.ISO_DATE_RE.match(value))
            has_clock = has_clock or bool(date_match.group("clock"))
            iso = iso_datetime(date_match.group("date"), date_match.group("clock"))
            if iso:
                fields.append(("published_at", iso, 0 if key in R.PUBLISH_KEYS else 2))
        elif key in R.SOURCE_KEYS:
            fields.append(("source_site", value, 0))
        elif key in R.CATEGORY_KEYS:
            fields.append(("category", value, 0))
    for match in R.DATETIME_RE.finditer(line):
        if 1 in covered[match.start() : match.end()]:
            continue
        cover(match.start(), match.end())
        is_iso = bool(R.ISO_DATE_RE.match(match.group("date")))
        if not is_iso and not match.group("clock"):
            continue  # a bare Chinese date is content more often than chrome
        has_iso = has_iso or is_iso
        has_clock = has_clock or bool(match.group("clock"))
        iso = iso_datetime(match.group("date"), match.group("clock"))
        if iso:
            fields.append(("published_at", iso, 1))
    for pattern in (R.COUNTER_RE, R.SUPPLIED_BY_RE, R.HEADER_CHROME_RE):
        for match in pattern.finditer(line):
            if pattern is not R.HEADER_CHROME_RE or _DIGIT_RE.search(match.group(0)):
                keys.append(match.group(0))  # counters, "…供稿", file info "24.50 KB" / "2页"
            cover(match.start(), match.end())
    # alphanumeric characters left uncovered ([^\W_] is str.isalnum: both are Py_UNICODE_ISALNUM)
    residual = sum(len(_WORD_CHAR_RE.findall(line, run.start(), run.end())) for run in _UNCOVERED_RE.finditer(covered))
    if not (keys or has_iso or has_clock):
        return None
    weak = ("时间", "日期", "发布", "查看", "回复", "评论", "阅读", "记者", "通讯员")
    strong_keys = [k for k in keys if k not in weak]
    if has_clock and residual <= 10 and not _PROSE_DATE_RE.search(line):
        return fields  # "会议于2019年3月2日 9:30在大礼堂召开" is prose without punctuation
    if (strong_keys or has_iso) and residual <= 6:
        return fields
    if keys and residual == 0 and (has_iso or len(keys) >= 2 or line.endswith((":", "："))):
        return fields  # "时间:" alone (forum print view, devset 023), "查看10.1K | 回复0 | …"
    return None


# ---------------------------------------------------------------------------------------- spans


def _sentences(text: str) -> list[str]:
    """Split a line into sentences, each keeping its closing punctuation.

    >>> _sentences("甲。乙!丙")
    ['甲。', '乙!', '丙']
    """
    return _SENTENCE_RE.findall(text)


def _is_only_numbering(text: str) -> bool:
    return not _NUMBERING_RE.sub("", text)


def _sentence_rule(sentence: str) -> str | None:
    # each pattern runs only when its literal hint is present (most sentences of a hit line are clean)
    if _TEMPLATE_HINT_RE.search(sentence) and R.TEMPLATE_RE.search(sentence):
        return "artifacts.template_sentence"
    if _DISCLAIMER_HINT_RE.search(sentence) and R.DISCLAIMER_RE.search(sentence.strip()):
        return "artifacts.disclaimer"
    if _PAYWALL_HINT_RE.search(sentence) and R.PAYWALL_RE.search(sentence):
        return "artifacts.paywall"
    if _SITE_NOTICE_HINT_RE.search(sentence) and R.SITE_NOTICE_RE.search(sentence):
        return "artifacts.site_notice"
    return None


_TEMPLATE_HINT_RE = R.literal_hint(R.TEMPLATE_RE)
_DISCLAIMER_HINT_RE = R.literal_hint(R.DISCLAIMER_RE)
_PAYWALL_HINT_RE = R.literal_hint(R.PAYWALL_RE)
_SITE_NOTICE_HINT_RE = R.literal_hint(R.SITE_NOTICE_RE)


# A credit glued after the last sentence: "…了！！！编辑|禤志杰" (devset 040).
_TRAILING_CREDIT_RE = re.compile(
    rf"(?<=[{R.TERMINAL}”])\s*(?:编辑|责编|责任编辑|校对|审核|编审|摄影)\s*[|｜/:：]\s*[{R.HAN}·]{{2,4}}\s*$"
)
_TRAILING_CREDIT_HINT_RE = re.compile("编辑|责编|校对|审核|编审|摄影")  # 责任编辑 holds 编辑
# A header value glued to the end of a heading: "103年元旦… 发布日期:2014-01-01", "… 来源于：东区办事处".
_GLUED_HEADER_RE = re.compile(
    rf"\s+(?P<kv>(?:{'|'.join(R.PUBLISH_KEYS + R.SOURCE_KEYS)})\s*[:：]\s*(?:{R.DATETIME_RE.pattern}|[^\s:：]{{1,20}}))\s*$"
)
# A caption glued after a sentence: "…75万人次。▲广州日报全媒体图片记者黎旭阳、李妍摄" (devset 040).
_GLUED_CAPTION_RE = re.compile(rf"(?<=[{R.TERMINAL}])\s*[▲△][^▲△\n]{{2,60}}$")
# A photo label glued after a sentence: "…。资料图".
_GLUED_PHOTO_LABEL_RE = re.compile(rf"(?<=[{R.TERMINAL}])\s*(?:资料图|资料图片|图片来源网络)$")


def _literals(pattern: re.Pattern) -> list[str]:
    """The literals of a hint that is an alternation of plain literals ("记者|通讯员|/" -> ["记者", "通讯员", "/"])."""
    from re import _constants as C, _parser as P  # the stdlib's own regex parser, as in literal_hint

    tree = list(P.parse(pattern.pattern, pattern.flags))
    branches = [list(b) for b in tree[0][1][1]] if len(tree) == 1 and tree[0][0] is C.BRANCH else [tree]
    if not all(op is C.LITERAL for branch in branches for op, _ in branch):
        raise ValueError(f"not an alternation of literals: {pattern.pattern}")
    literals = ["".join(chr(argument) for _, argument in branch) for branch in branches]
    if pattern.flags & re.I and any(ch.lower() != ch.upper() for literal in literals for ch in literal):
        raise ValueError(f"a case-insensitive hint with letters: {pattern.pattern}")  # a scan would miss "Ab"
    return literals


# The hints of the span steps by kind, each kind standing for the hint test of one step (see _hinted_span_steps).
_SPAN_HINT_LITERALS = {
    "tone": list(R.PINYIN_TONE_RE.pattern[1:-1]),
    "bbcode": _literals(R.BBCODE_HINT_RE),
    "jump": _literals(R.JUMP_HINT_RE),
    "reporter": _literals(R.REPORTER_BRACKET_HINT_RE),
    "sentence": _literals(R.SENTENCE_RULE_HINT_RE),
    "source": ["源"],
    "credit": _literals(_TRAILING_CREDIT_HINT_RE),
    "caption": ["▲", "△"],
    "photo": ["资料图", "图片来源网络"],
}


def _hidden_kinds() -> dict[str, frozenset]:
    """For each hint literal M, the kinds of every literal that a findall reporting M may have hidden: one
    starting inside M (a substring of M, or one that starts on a suffix of M and runs past its end)."""
    kinds: dict[str, set] = {}
    for kind, literals in _SPAN_HINT_LITERALS.items():
        for literal in literals:
            kinds.setdefault(literal, set()).add(kind)
    hidden = {}
    for m in kinds:
        found = set(kinds[m])
        for other, other_kinds in kinds.items():
            if other in m or any(other.startswith(m[k:]) for k in range(1, len(m))):
                found |= other_kinds
        hidden[m] = frozenset(found)
    return hidden


_SPAN_HINT_KINDS = _hidden_kinds()
# Every span hint literal, longest first. findall reports non-overlapping matches, so a literal can be hidden
# only by a reported match it starts inside of; _SPAN_HINT_KINDS maps each reported literal to those kinds too.
_SPAN_HINT_SCAN_RE = re.compile("|".join(re.escape(x) for x in sorted(_SPAN_HINT_KINDS, key=len, reverse=True)))

# Every hint used by the span steps of _span_edits_uncached, as one alternation of literals (fast to scan).
_SPAN_HINT_RE = _SPAN_HINT_SCAN_RE


def _span_hint_kinds(text: str) -> frozenset:
    """The kinds of span hints that may occur in ``text``: a superset of the kinds that do (never fewer).

    >>> sorted(_span_hint_kinds("(记者 李四)县长(zhǎng)讲话。"))
    ['reporter', 'tone']
    >>> sorted(_span_hint_kinds("…。资料图片来源网络"))  # 图片来源网络 is hidden inside the match 资料图 + 片…
    ['photo', 'source']
    """
    found = set(_SPAN_HINT_SCAN_RE.findall(text))
    if not found:
        return frozenset()
    return frozenset().union(*(_SPAN_HINT_KINDS[literal] for literal in found))


def _replay(state: _State, line: _Line, edits: tuple) -> None:
    """Apply the recorded edits of ``_span_edits`` for ``line``: removals and field offers, in order."""
    for edit in edits:
        if edit[0] == "remove":
            _remove(state, edit[1], line, edit[2])
        else:
            _offer_field(state, edit[1], edit[2], edit[3])


def _span_edits(text: str, config: ArtifactsConfig, header_fields=None) -> tuple[str, tuple]:
    """(new text, edits) for one line: its debris spans removed (cached in ``_LineMemo``). An edit is
    ("remove", rule, text) or ("offer", field, value, priority), replayed in order onto the document's state.
    ``header_fields``: a cached ``_header_fields`` for ``config`` (the memo's), shared with the line rules."""
    edits: list[tuple] = []
    new_text = _span_edits_uncached(text, config, edits, header_fields)
    return new_text, tuple(edits)


def _span_edits_uncached(text: str, config: ArtifactsConfig, edits: list, header_fields=None) -> str:
    # _no_span_can_match, with the hints found kept for _span_steps: one scan of the line for all of them
    # (_span_hint_kinds is empty exactly when _SPAN_HINT_RE does not occur: both hold the same literals)
    kinds = _span_hint_kinds(text)
    if not kinds and R.SENTENCE_PUNCT_RE.search(text) is not None and not text.lstrip().startswith(("|", "《")):
        return text
    return _span_steps(text, config, edits, bool(kinds), header_fields, kinds)


def _no_span_can_match(text: str) -> bool:
    """True if no step of ``_span_steps`` can change ``text`` (most prose lines): each step needs a hint of
    ``_SPAN_HINT_RE``, a line without sentence punctuation (glued header value) or a line opening with a
    table pipe or 《paper》.

    >>> _no_span_can_match("会议强调,要认真贯彻落实。"), _no_span_can_match("县长(zhǎng)讲话。")
    (True, False)
    """
    return (
        R.SENTENCE_PUNCT_RE.search(text) is not None
        and not _SPAN_HINT_RE.search(text)
        and not text.lstrip().startswith(("|", "《"))
    )


def _span_steps(
    text: str, config: ArtifactsConfig, edits: list, hinted: bool = True, header_fields=None, kinds: frozenset | None = None
) -> str:
    """The span steps; ``hinted=False`` says ``_SPAN_HINT_RE`` does not occur in ``text``, which skips every
    step gated by one of its hints. That stays true through the table step: it keeps a substring of the
    text with "\\|" turned into "|", and no hint literal holds "|" or a backslash, so no hint can appear.
    ``kinds``: ``_span_hint_kinds(text)`` if the caller has it (recomputed here if the table step cut the text)."""
    header_fields = header_fields or functools.partial(_header_fields, config=config)
    # table pipes from HTML extraction: "|  | 位置：首页 > 新闻动态 | " (devset 044)
    if text.strip().startswith("|") and text.rstrip().endswith("|"):
        match = _TABLE_ROW_RE.fullmatch(text.replace("\\|", "|"))
        inner = match.group("inner")
        edits.append(("remove", "artifacts.table_markup", (match.group("head") + match.group("tail")).replace(" ", "")))
        text = inner
        kinds = None
        if not text.strip():
            return ""
    if hinted:
        text = _hinted_span_steps(text, edits, kinds)
        if text is None:
            return ""
    # a header value glued to the end of a heading: "103年元旦… 发布日期:2014-01-01", "… 来源于：东区办事处"
    # _GLUED_HEADER_RE needs a colon after its key, so a line without one skips the header test
    stripped = text.strip()
    if (
        stripped
        and ("：" in stripped or ":" in stripped)
        and not _has_sentence_punct(stripped)
        and header_fields(stripped) is None
    ):
        match = _GLUED_HEADER_RE.search(text)
        if match and normalized_line(text[: match.start()]):
            for name, value, priority in header_fields(match.group("kv")) or []:
                edits.append(("offer", name, value, priority))
            edits.append(("remove", "artifacts.header_line", match.group("kv")))
            text = text[: match.start()]
    # source-paper prefix on a title line: "《衢州日报》感恩奋进 …"
    match = R.SOURCE_PREFIX_RE.match(text.strip())
    if match and not _has_sentence_punct(text):
        edits.append(("offer", "source_site", match.group("paper"), 2))
        edits.append(("remove", "artifacts.source_prefix", match.group(0)))
        text = text.strip()[match.end() :]
    return text


def _hinted_span_steps(text: str, edits: list, kinds: frozenset | None = None) -> str | None:
    """The span steps that each need a hint of ``_SPAN_HINT_RE``; None if the line is left empty.

    Each step's hint test is a look-up in ``_span_hint_kinds`` of the current text (one scan instead of one
    search per hint; rescanned whenever a step changed the text). The kinds are a superset of the hints
    present, and every step still runs its own pattern, so a spare kind only costs that pattern's run."""
    scanned, kinds = text, _span_hint_kinds(text) if kinds is None else kinds
    for rule, pattern, kind in (
        ("artifacts.pinyin_ruby", R.PINYIN_RUBY_RE, "tone"),
        ("artifacts.bbcode", R.BBCODE_RE, "bbcode"),
        ("artifacts.jump_marker", R.JUMP_RE, "jump"),
    ):
        if kind in kinds and pattern.search(text):
            for match in pattern.finditer(text):
                edits.append(("remove", rule, match.group(0)))
            text = pattern.sub("", text)
    if text is not scanned:
        scanned, kinds = text, _span_hint_kinds(text)
    # reporter tags in brackets, kept in the removal for the metadata stage; every tag holds an opening bracket
    changed = "reporter" in kinds and _OPEN_BRACKET_RE.search(text) is not None
    while changed:  # removing one tag can make the next one line-initial; loop until none is left
        changed = False
        for match in R.REPORTER_BRACKET_RE.finditer(text):
            if not _reporter_bracket_ok(match.group(0)):
                continue
            edits.append(("remove", "artifacts.reporter_tag", match.group(0).strip()))
            end = match.end()
            if not text[: match.start()].strip():  # a tag opening the line takes the space after it along
                end += len(text[end:]) - len(text[end:].lstrip())
            text = text[: match.start()] + text[end:]
            changed = True
            break
    if text is not scanned:
        scanned, kinds = text, _span_hint_kinds(text)
    # template / disclaimer / paywall sentences, wherever they sit
    sentences = _sentences(text) if "sentence" in kinds else []
    if any(_sentence_rule(s) for s in sentences):
        kept = []
        for sentence in sentences:
            rule = _sentence_rule(sentence)
            if rule:
                edits.append(("remove", rule, sentence.strip()))
            else:
                kept.append(sentence)
        text = "".join(kept)
        if _is_only_numbering(text):
            if text.strip():
                edits.append(("remove", "artifacts.disclaimer", text.strip()))
            return None
    # trailing "(来源：大众日报)" and trailing credits "…了！！！编辑|禤志杰"
    # every source key holds 源 and the pattern ends the line with a closing bracket
    if text is not scanned:
        scanned, kinds = text, _span_hint_kinds(text)
    match = R.TRAILING_SOURCE_RE.search(text) if "source" in kinds and text.rstrip().endswith((")", "）")) else None
    if match and match.start() > 0:
        edits.append(("offer", "source_site", match.group("value"), 1))
        edits.append(("remove", "artifacts.source_prefix", match.group(0).strip()))
        text = text[: match.start()]
    # the cuts below keep a prefix of the text: a prefix holds no hint the text did not, so no rescan
    match = _TRAILING_CREDIT_RE.search(text) if "credit" in kinds else None
    if match:
        edits.append(("remove", "artifacts.header_line", match.group(0).strip()))
        text = text[: match.start()]
    # caption glued after a sentence: "…75万人次。▲广州日报全媒体图片记者黎旭阳、李妍摄" (devset 040)
    match = _GLUED_CAPTION_RE.search(text) if "caption" in kinds else None
    if match and "。" not in match.group(0)[:-1]:
        edits.append(("remove", "artifacts.image_caption", match.group(0).strip()))
        text = text[: match.start()]
    match = _GLUED_PHOTO_LABEL_RE.search(text) if "photo" in kinds else None
    if match:
        edits.append(("remove", "artifacts.image_caption", match.group(0).strip()))
        text = text[: match.start()]
    return text


def _reporter_bracket_ok(tag: str) -> bool:
    """A bracketed tag holds a role and names, nothing else: "(记者 傅长琪)" yes, "(记者节当天,…)" no."""
    inner = _TAG_LEAD_RE.sub("", tag.strip())
    inner = inner.rstrip(")）】]")
    inner = _ROLE_RE.sub(" ", inner)
    inner = _TAG_TAIL_RE.sub("", inner.strip())
    tokens = [t for t in _TAG_SPLIT_RE.split(inner) if t]
    return all(len(t) <= 5 for t in tokens)


def _remove_toc_run(line: _Line, text: str, state: _State) -> str:
    """Drop a table of contents that runs into the first sentence; the text restarts at its first item.

    >>> state = _State(removals=[], fields={})
    >>> _remove_toc_run(_Line(0, ""), "目录 一、总体要求 二、主要任务 一、总体要求 为深入贯彻落实。", state)
    '一、总体要求 为深入贯彻落实。'
    """
    match = R.TOC_RUN_RE.match(text)
    if not match:
        return text
    items = re.findall(
        r"(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章部分节]|[(（][一二三四五六七八九十]+[)）])", match.group("items")
    )
    first = match.group("marker")
    restart = text.find(first, match.start("items") + len(first))
    # the run must hold >= 2 items, and the first marker must come back right after it (the real text)
    if len(items) < 3 or restart < 0 or restart > match.end("items") or items.count(first) < 2:
        return text
    _remove(state, "artifacts.toc_span", line, text[:restart].strip())
    return text[restart:]


# An injected title sits after a comma and ends in a genre word, followed by more text:
# "死亡61人、副市长在全市安全生产工作会议上的讲话受伤213人" (devset 004).
# The comma is matched (not looked behind for) so the scan jumps from comma to comma; the cut uses start("inj").
_SEO_INJECTION_RE = re.compile(rf"[、，,](?P<inj>[{R.HAN}]{{4,30}}?{R.SEO_TITLE_END})(?=[{R.HAN}\d])")
# Cheap test first: most lines hold no genre word at all, and without one the pattern above cannot match.
_SEO_INJECTION_HINT_RE = re.compile(R.SEO_TITLE_END)


@functools.lru_cache(maxsize=_LINE_CACHE_SIZE)  # pure; the fixpoint's second pass repeats lines
def _has_seo_hint(text: str) -> bool:
    return _SEO_INJECTION_HINT_RE.search(text) is not None


@functools.lru_cache(maxsize=256)
def _title_key(title: str) -> str:
    return R.TITLE_TAIL_RE.sub("", normalized_line(title))


def _remove_seo_injection(line: _Line, text: str, state: _State) -> str:
    """Titles of other pages injected mid-sentence: "死亡61人、副市长在全市安全生产工作会议上的讲话受伤213人"."""
    if not state.title or not _has_seo_hint(text):
        return text
    title = _title_key(state.title)
    if len(title) < 4:
        return text
    text, injections = _seo_injections(title, text)
    for injected in injections:
        _remove(state, "artifacts.seo_spam", line, injected)
    return text


@functools.lru_cache(maxsize=_LINE_CACHE_SIZE)  # pure in (title, text); the fixpoint's second pass repeats lines
def _seo_injections(title: str, text: str) -> tuple[str, tuple[str, ...]]:
    """(text without the injected titles, the injected titles in removal order)."""
    injections = []
    for match in list(_SEO_INJECTION_RE.finditer(text))[::-1]:
        injected = match.group("inj")
        following = text[match.end() : match.end() + 2]
        if following[:1] in "的和并中时上" or following in ("精神", "要求", "指出", "强调", "内容", "全文", "要点"):
            continue
        if injected == title or not any(title[i : i + 4] in injected for i in range(len(title) - 3)):
            continue
        injections.append(injected)
        text = text[: match.start("inj")] + text[match.end() :]
    return text, tuple(injections)


# -------------------------------------------------------------------------------- line classes


def _tokens(text: str) -> list[str]:
    return [t for t in R.TOKEN_SPLIT_RE.split(text) if t and t.strip(":：")]


def _chrome_rule(token: str) -> str | None:
    return R.CHROME_WORDS.get(token.strip(":：[]【】+").lower())


def _line_rule(text: str, config: ArtifactsConfig) -> str | None:
    """The debris rule a whole line falls under, or None. Header lines are handled separately."""
    line = _strip_table(text)
    if not line:
        return None
    if _SEPARATORS_ONLY_RE.fullmatch(line):
        return "artifacts.table_markup" if "|" in line else "artifacts.nav_row"
    long_sentence = _is_long_sentence(line, config)
    if len(line) > _LONG_LINE_CHARS:  # a paragraph: only a flattened footer (devset 044) is that long
        if not long_sentence and _is_footer_like(line) and not _has_sentence_punct(line[-40:]):
            return "artifacts.icp" if R.ICP_RE.search(line) else "artifacts.copyright"
        return None
    if long_sentence and len(line) > _CAPTION_MAX_CHARS:
        # prose: every rule below but the bare URL needs a shorter line, no sentence punctuation, a line that
        # is not a long sentence, or an ending that a full stop rules out (image file extension)
        return "artifacts.bare_url" if R.BARE_URL_RE.match(line) else None
    has_punct = _has_sentence_punct(line)
    # whole-line chrome words and chrome rows; sentence punctuation is not a token separator and no chrome
    # word holds any, so a line with it cannot be all chrome (and the token counts below are not needed)
    tokens = _tokens(line) if not has_punct else []
    chrome = [_chrome_rule(t) for t in tokens]
    if tokens and all(chrome):
        return chrome[0] if len(set(chrome)) == 1 else "artifacts.nav_row"
    if not has_punct and len(line) <= config.header_max_chars:
        if R.BREADCRUMB_LEAD_RE.match(line):
            return "artifacts.nav_row"
        if _MARKUP_RE.search(line):
            pass  # markup such as "<contenttitle>…</contenttitle>" is not a breadcrumb
        elif line.startswith((">", "＞", "»")) or len(R.BREADCRUMB_SEP_RE.findall(line)) >= 2:
            segments = [s for s in R.BREADCRUMB_SEP_RE.split(line) if s.strip()]
            if segments and all(len(s.strip()) <= 30 for s in segments):
                return "artifacts.nav_row"
        n_chrome = sum(1 for c in chrome if c)
        others = [t for t, c in zip(tokens, chrome) if not c]
        if len(tokens) >= 2 and n_chrome >= 2 and len(others) <= n_chrome and all(len(t) <= 6 for t in others):
            return "artifacts.nav_row"
        if len(tokens) >= R.MENU_MIN_TOKENS and all(len(t) <= 6 for t in tokens):
            suffixes = Counter(t[-2:] for t in tokens)
            if n_chrome or suffixes.most_common(1)[0][1] >= 3:
                return "artifacts.nav_row"
        if (any(c == "artifacts.login_box" for c in chrome) or R.LOGIN_RE.search(line)) and len(line) <= 30:
            return "artifacts.login_box"
        if R.LABEL_LINE_RE.match(line):
            return "artifacts.header_line"
        if _PREV_NEXT_RE.search(line) and len(line) <= 60:
            return "artifacts.prev_next"
        if R.PAGINATION_RE.match(line):
            return "artifacts.pagination"
        if R.RELATED_HEADLINE_RE.match(line) and len(line.split()) >= R.RELATED_HEADLINE_MIN_PARTS:
            return "artifacts.related"
    # length limits are tested before the patterns: most lines are prose longer than any limit
    if "." in line and R.IMAGE_FILE_RE.match(line):
        return "artifacts.image_file"
    if R.BARE_URL_RE.match(line):
        return "artifacts.bare_url"
    if not long_sentence:
        if _ICP_ANCHOR_RE.search(line) and R.ICP_HINT_RE.search(line) and R.ICP_RE.search(line):
            return "artifacts.icp"
        if (
            len(line) <= 150
            and not line.endswith(("。", "！", "？"))
            and _COPYRIGHT_ANCHOR_RE.search(line)
            and R.COPYRIGHT_RE.search(line)
        ):
            return "artifacts.copyright"
        if _is_spam(line):
            return "artifacts.seo_spam"
    if len(line) <= 30 and R.AD_RE.search(line):
        return "artifacts.ad_marker"
    if len(line) <= 60 and R.SHARE_RE.search(line) and not _COMMA_STOP_RE.search(line):
        return "artifacts.share"
    if len(line) <= 60 and R.WECHAT_MENU_RE.search(line):
        return "artifacts.share"
    # image captions
    if len(line) <= 120 and R.CAPTION_LEAD_RE.match(line):
        return "artifacts.image_caption"
    if len(line) <= 60 and R.PHOTO_SOURCE_RE.match(line):
        return "artifacts.image_caption"
    if len(line) <= 150 and "摄" in line and R.PHOTO_CREDIT_RE.search(line) and not line.endswith(("拍摄", "摄影")):
        return "artifacts.image_caption"  # every photo credit holds 摄
    positions = R.PHOTO_POSITION_RE.findall(line) if len(line) <= _CAPTION_MAX_CHARS else []
    if len(positions) >= 2 and len(line) <= _CAPTION_MAX_CHARS and len(_sentences(line)) <= 2:
        return "artifacts.image_caption"
    if len(positions) == 1 and len(line) <= 80 and len(_sentences(line)) == 1 and line.endswith(("。", "上", "中")):
        return "artifacts.image_caption"
    if len(line) <= 60 and R.SITE_NOTICE_RE.search(line):
        return "artifacts.site_notice"
    return None


# Characters that make poor anchors (frequent in the texts): an anchor is taken from the others when it can.
_FREQUENT_CHARACTERS = (
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然"
    "家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日号网公共工业务展建设"
    "管社济政治文化组织领导全加强推施落重问题市县区省"
    "()（）[]【】《》“”、，。：:,.;；!！?？/|-_ "
)


@functools.lru_cache(maxsize=1)
def _basic_plane() -> str:
    """Every code point of the Basic Multilingual Plane but the surrogates, as one string."""
    return "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))


def _anchor_filter(hint: re.Pattern) -> re.Pattern:
    """One character class that every match of ``hint`` (an alternation of literals) holds a character of.

    One character of each literal (a rare one when there is one), with every character that ``hint``'s flags
    make equal to it: under re.I, "I" also matches "i", "İ" and "ı". Those are found by letting the re module
    match the class over the Basic Multilingual Plane (no code point beyond it lowercases into it, so none
    there can match a character of the class; tests/test_artifacts.py checks every code point). A plain class
    is many times faster to search than an alternation under re.I.

    >>> _anchor_filter(re.compile("ICP|备案号", re.I)).pattern
    '[Iiİı备]'
    """
    from re import _constants as C, _parser as P

    tree = list(P.parse(hint.pattern, hint.flags))
    branches = [list(b) for b in tree[0][1][1]] if len(tree) == 1 and tree[0][0] is C.BRANCH else [tree]
    if not all(op is C.LITERAL for branch in branches for op, _ in branch):
        raise ValueError(f"not an alternation of literals: {hint.pattern}")
    rank = {ch: k for k, ch in enumerate(_FREQUENT_CHARACTERS)}
    # a character not in the list first, else the least frequent of the list
    anchors = {min((chr(code) for _, code in branch), key=lambda ch: (ch in rank, -rank.get(ch, 0))) for branch in branches}
    characters = "[" + "".join(re.escape(ch) for ch in sorted(anchors)) + "]"
    matched = sorted(set(re.compile(characters, hint.flags).findall(_basic_plane())) | anchors)
    return re.compile("[" + "".join(re.escape(ch) for ch in matched) + "]")


_ICP_ANCHOR_RE = _anchor_filter(R.ICP_HINT_RE)  # before ICP_HINT_RE, which every ICP_RE match holds
_COPYRIGHT_ANCHOR_RE = _anchor_filter(R.COPYRIGHT_HINT_RE)  # before COPYRIGHT_RE (its hint's literals, likewise)


def _is_footer_like(line: str) -> bool:
    return bool(
        (_ICP_ANCHOR_RE.search(line) and R.ICP_HINT_RE.search(line) and R.ICP_RE.search(line))
        or (_COPYRIGHT_ANCHOR_RE.search(line) and R.COPYRIGHT_HINT_RE.search(line) and R.COPYRIGHT_RE.search(line))
    )


def _is_spam(line: str) -> bool:
    """A spam title line: no sentence punctuation, a gambling word or two porn-keyword hits."""
    if _has_sentence_punct(line):
        return False
    return bool(R.SPAM_STRONG_RE.search(line)) or len(R.SPAM_RE.findall(line)) >= 2


@functools.lru_cache(maxsize=_LINE_CACHE_SIZE)  # pure in its argument; the fixpoint's second pass repeats lines
def _reporter_line(text: str) -> bool:
    """A byline line of reporters only: "记者 义永华/文 杨波/摄", "记者吴文隆、廖瑞铭台南报导"."""
    line = _strip_table(text)
    if not line or len(line) > _REPORTER_LINE_MAX_CHARS or _REPORTER_PUNCT_RE.search(line):
        return False
    if _COMMENTATOR_RE.fullmatch(line):
        return True
    match = _REPORTER_LEAD_RE.match(line)
    if not match or _COMMENDATION_RE.search(line[: match.end()]):
        return False  # "优秀通讯员：张三 李四" is a commendation list, not a byline
    rest = R.HEADER_KV_RE.sub(" ", line[match.end() :])
    rest = _REPORTED_TAIL_RE.sub("", rest.strip())
    tokens = [_ROLE_SUFFIX_RE.sub("", t) for t in _BYLINE_SPLIT_RE.split(rest) if t]
    return bool(tokens) and all(len(t) <= 4 and _NAME_RE.fullmatch(t) for t in tokens)


# ---------------------------------------------------------------------------------------- passes


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
    if "——" in a or not _HAN_OR_COMMA_END_RE.search(a):
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
    first_clause = _CLAUSE_SPLIT_RE.split(b)[0]
    return bool(
        a[-1] in "，,、"
        or _TERMINAL_RE.search(a)
        or len(a) >= 3 * config.join_min_chars
        or _unclosed(a)
        or len(first_clause) <= 2
    )


def _clean_once(lines: list[_Line], state: _State, doc: Document, config: ArtifactsConfig) -> list[_Line]:
    # 1. spans inside lines
    span_cleaned: list[_Line] = []
    emptied: set[int] = set()  # lines made of debris spans only (already recorded): dropped like ruled lines
    span_edits = state.memo.span_edits if state.memo else functools.partial(_span_edits, config=config)
    for line in lines:
        if line.text in state.span_clean:
            span_cleaned.append(line)
            continue
        new_text, edits = span_edits(line.text)
        if edits:
            _replay(state, line, edits)
        if new_text == line.text:
            if not edits:
                state.span_clean.add(line.text)
            span_cleaned.append(line)  # unchanged (lines are never modified in place)
            continue
        if line.text.strip() and not new_text.strip():
            emptied.add(len(span_cleaned))
            new_text = ""
        span_cleaned.append(_Line(line.number, new_text))
    lines = span_cleaned

    nonblank = [i for i, l in enumerate(lines) if l.text.strip()]
    top = set(nonblank[:15])
    bottom = set(nonblank[-10:])

    # 2. structure: series header, editor's note, closing note
    rules: dict[int, str] = {}
    series_found = doc.series is not None or state.fields.get("series") is not None
    for i in nonblank[:5]:
        match = R.SERIES_RE.match(lines[i].text.strip())
        if match:
            _offer_field(state, "series", match.group("name"), 0)
            rules[i] = "structure.series"
            series_found = True
    for i in nonblank:
        if "编者按" not in lines[i].text:  # EDITOR_NOTE_RE needs it
            continue
        stripped = lines[i].text.strip()
        match = R.EDITOR_NOTE_RE.match(stripped)
        if match and match.end() > 0 and "编者按" in stripped[: match.end()]:
            _offer_field(state, "editor_note", stripped[match.end() :], 0)
            if series_found:
                rules[i] = "structure.editor_note"
            break
    for i in nonblank[-5:]:
        match = R.SOURCE_NOTE_RE.match(_strip_table(lines[i].text))
        if match:
            _offer_field(state, "source_note", match.group("note"), 0)

    # 3. whole-line rules
    memo = state.memo or _LineMemo(config)
    for i in nonblank:
        if i in rules:
            continue
        text = lines[i].text
        rule = memo.line_rule(text)
        # without a "|", _strip_table(text) is text.strip(): a longer line is no header line (None at once)
        # and no reporter line (False at once), so neither cached function needs a call
        long_plain = "|" not in text and len(text.strip()) > max(config.header_max_chars, _REPORTER_LINE_MAX_CHARS)
        if rule is None and not long_plain and (i in top or i in bottom or "|" in text or "｜" in text):
            triples = memo.header_fields(text)
            if triples is not None:
                rule = "artifacts.view_counter" if _is_counter_only(text) else "artifacts.header_line"
                for name, value, priority in triples:
                    _offer_field(state, name, value, priority)
        if rule is None and not long_plain and _reporter_line(text):
            rule = "artifacts.reporter_tag"
        if rule:
            rules[i] = rule

    # 4. context rules
    _context_rules(lines, nonblank, rules, config, memo)

    # 5. title, repeated title, SEO injections
    kept = [i for i in nonblank if i not in rules]
    if state.title is None:
        for i in kept[:3]:
            first_han = _HAN_RE.search(lines[i].text)  # fewer than two Han characters: not a title
            if first_han is None or _HAN_RE.search(lines[i].text, first_han.end()) is None:
                continue
            if _is_heading(lines[i].text, config) or (
                len(lines[i].text.strip()) <= 60 and lines[i].text.strip()[-1:] not in R.TERMINAL
            ):
                state.title = lines[i].text.strip()
                break
    # a heading printed twice near the top: the title (seed 002/003), or a long heading line (devset 022);
    # short lines such as an issuer name ("盐城市人民政府") may legitimately come back as a signature
    title_key = normalized_line(state.title) if state.title else ""
    seen: set[str] = set()
    for i in kept[: config.repeated_title_window]:
        text = lines[i].text.strip()
        if not text or len(text) > 60 or text[-1] in R.TERMINAL:
            continue
        key = _normalized_line_cached(text)
        if not key:
            continue
        if key in seen:
            rules[i] = "artifacts.repeated_title"
        elif key == title_key or len(key) >= 10:
            seen.add(key)
    if state.title:
        for i in kept:
            if i not in rules and _has_seo_hint(lines[i].text):  # the first test of _remove_seo_injection, cached
                new_text = _remove_seo_injection(lines[i], lines[i].text, state)
                if new_text != lines[i].text:
                    lines[i] = _Line(lines[i].number, new_text)
    for i in kept[:5]:
        if i not in rules:
            new_text = _remove_toc_run(lines[i], lines[i].text, state)
            if new_text != lines[i].text:
                lines[i] = _Line(lines[i].number, new_text)

    # 6. emit: drop ruled lines, keep one blank line where a removal left two
    out: list[_Line] = []
    removed_since = False
    for i, line in enumerate(lines):
        if i in emptied:
            removed_since = True
            continue
        if i in rules:
            rule = rules[i]
            _remove(state, rule, line, line.text.strip())
            removed_since = True
            continue
        if not line.text.strip():
            if removed_since and (not out or not out[-1].text.strip()):
                continue
            out.append(line)
            continue
        removed_since = False
        out.append(line)
    while removed_since and out and not out[-1].text.strip():  # blank lines left behind a removed footer
        out.pop()
    return _rejoin(out, state, config)


def _is_counter_only(text: str) -> bool:
    """A header line that only counts views/replies: "浏览量:1 | | | |", "查看10.1K | 回复0 | … |阅读模式".

    >>> _is_counter_only("浏览量:1 | | | |"), _is_counter_only("来源:市城管局   2022-03-10 11:51")
    (True, False)
    """
    line = _strip_table(text)
    if not _COUNTER_LEAD_RE.match(line):
        return False
    rest = R.HEADER_KV_RE.sub("", R.COUNTER_RE.sub("", line))
    rest = R.DATETIME_RE.sub("", _COUNTER_WORDS_RE.sub("", rest))
    return not _HAN_RE.search(rest)


def _footer_line(text: str, config: ArtifactsConfig) -> bool:
    """A contact or site-owner line, debris only inside a footer block (cached in ``_LineMemo``)."""
    return bool(
        R.CONTACT_RE.match(_strip_table(text))
        or (
            R.FOOTER_OWNER_HINT_RE.search(text)
            and R.FOOTER_OWNER_RE.search(text)
            and not _is_long_sentence(text, config)
        )
    )


def _context_rules(
    lines: list[_Line], nonblank: list[int], rules: dict[int, str], config: ArtifactsConfig, memo: "_LineMemo | None" = None
) -> None:
    """Rules that need the neighbouring lines."""
    footer_line = memo.footer_line if memo else functools.partial(_footer_line, config=config)
    position = {i: k for k, i in enumerate(nonblank)}

    def neighbours(i: int) -> list[int]:
        k = position[i]
        return [nonblank[j] for j in (k - 1, k + 1) if 0 <= j < len(nonblank)]

    table_text = {i: _strip_table(lines[i].text) for i in nonblank}  # every check below looks at this form

    def short_plain(i: int) -> bool:
        text = table_text[i]
        return len(text) <= config.short_line_max_chars and not _has_sentence_punct(text) and "、" not in text

    # footer contact/owner lines: a run of them (and other debris) that holds a copyright or ICP line; a run
    # can only hold one if some line already has that rule (the loop adds none of its own), so without one
    # the loop would change nothing
    has_footer_rule = any(rule in ("artifacts.copyright", "artifacts.icp") for rule in rules.values())
    k = 0 if has_footer_rule else len(nonblank)
    while k < len(nonblank):
        run = []
        while k < len(nonblank) and (nonblank[k] in rules or footer_line(lines[nonblank[k]].text)):
            run.append(nonblank[k])
            k += 1
        if not run:
            k += 1
            continue
        contacts = [i for i in run if i not in rules]
        has_footer = any(rules.get(i) in ("artifacts.copyright", "artifacts.icp") for i in run)
        if contacts and has_footer:  # a notice may end with its own contact lines: those are content
            for i in contacts:
                rules[i] = "artifacts.copyright"
        k += 1
    # a key-only header line ("作者:" / "时间:") followed by its value on the next line (forum print view);
    # the loop only starts from a header line (and only adds header lines), so without one it does nothing
    for i in nonblank if "artifacts.header_line" in rules.values() else ():
        if rules.get(i) != "artifacts.header_line":
            continue
        key = table_text[i].rstrip(":：").strip()
        if key in R.CREDIT_KEYS + R.PUBLISH_KEYS + R.UPDATE_KEYS + R.SOURCE_KEYS and position[i] + 1 < len(nonblank):
            j = nonblank[position[i] + 1]
            if j not in rules and short_plain(j) and len(table_text[j]) <= 20:
                rules[j] = "artifacts.header_line"
    # site-name / page-title lines at the top
    nav_like = ("artifacts.nav_row", "artifacts.pagination", "artifacts.login_box", "artifacts.site_notice")
    for k, i in enumerate(nonblank[:4]):
        if i in rules:
            continue
        text = table_text[i]
        if _has_sentence_punct(text) or len(text) > 60 or "——" in text:
            continue  # "开放共享——打造数字经济发展平台" is a title with a dash, not "title - site"
        segments = [s for s in _TITLE_SPLIT_RE.split(text) if s.strip()]
        if len(segments) >= 2 and k < 2 and (R.SITE_SUFFIX_RE.search(segments[-1]) or _is_spam(text)):
            rules[i] = "artifacts.seo_spam" if _is_spam(text) else "artifacts.page_title"
            continue
        words = text.split()
        first, rest_tokens = (words[0], words[1:]) if words else ("", [])
        if not (len(first) <= 16 and len(text) <= 24):
            continue
        if rest_tokens and R.SITE_SUFFIX_RE.search(first):
            # "德育素材网 首页" (002), "当代县域经济网 /2019第十二期" (014)
            if all(_chrome_rule(t) or _ISSUE_TOKEN_RE.fullmatch(t) for t in rest_tokens):
                rules[i] = "artifacts.site_notice"
        elif not rest_tokens and len(first) >= 4 and R.SITE_NAME_ALONE_RE.search(first):
            # "当代县域经济网" followed by pagination bullets (014); a title ending in 网 followed by a header
            # line is left alone ("织密社会保障网" + "时间:…")
            following = nonblank[k + 1] if k + 1 < len(nonblank) else None
            if following is not None and rules.get(following) in nav_like:
                rules[i] = "artifacts.site_notice"
    # a menu block: >= 5 consecutive short plain lines at the very top, before any blank line (devset 020);
    # a title block (title, date, issuer) carries brackets, dates or a colon and stops the run
    run: list[int] = []
    for i in range(len(lines)):
        stripped = lines[i].text.strip()
        if not stripped:
            break
        plain = (
            short_plain(i)
            and len(stripped) <= 12
            and not R.HEADING_RE.match(stripped)
            and not _TITLE_BLOCK_RE.search(stripped)
        )
        if i in rules or plain:
            run.append(i)
        else:
            break
    if len([i for i in run if i not in rules]) >= R.MENU_BLOCK_MIN_LINES and len(run) < len(nonblank):
        for i in run:
            rules.setdefault(i, "artifacts.nav_row")
    # short photo labels next to other short label lines (HTML figcaptions, devset 039)
    short = config.short_line_max_chars
    for i in nonblank:
        # the length test of short_plain first, inline: most lines are longer
        if len(table_text[i]) > short or i in rules or not short_plain(i) or not R.PHOTO_LABEL_RE.search(table_text[i]):
            continue
        if any(short_plain(j) for j in neighbours(i)):
            rules[i] = "artifacts.image_caption"
    # a flattened copy of the following lines at the top (devset 011)
    for k, i in enumerate(nonblank[:3]):
        if i in rules:
            continue
        if len(lines[i].text) < 30:
            continue  # the normalised line is shorter still (normalising only deletes characters)
        # own[0] is the line's first character that normalized_line keeps (_WORD_CHAR_RE), so the cheap
        # first-character test can come before the line is normalised; both tests only skip the line
        first = _WORD_CHAR_RE.search(lines[nonblank[k + 1]].text) if k + 1 < len(nonblank) else None
        own_first = _WORD_CHAR_RE.search(lines[i].text)
        if first is not None and own_first is not None and first.group() != own_first.group():
            continue  # the following text starts with another character: no common prefix at all
        own = _normalized_line_cached(lines[i].text)
        if len(own) < 30:
            continue
        parts, size = [], 0
        for j in nonblank[k + 1 : k + 40]:  # only the first len(own) characters are compared
            if size >= len(own):
                break
            part = _normalized_line_cached(lines[j].text)
            parts.append(part)
            size += len(part)
        following = "".join(parts)
        common = 0
        for a, b in zip(own, following):
            if a != b:
                break
            common += 1
        if common >= 0.8 * len(own):
            rules[i] = "artifacts.flattened_duplicate"


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
            removed = current.text[len(left) :] + "\n" + "".join(l.text + "\n" for l in lines[i:j]) + nxt.text[: len(nxt.text) - len(right)]
            glue = " " if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum() else ""
            state.removals.append(Removal("artifacts.paragraph_rejoin", nxt.number, removed))
            current = _Line(current.number, left + glue + right)
            i = j + 1
        out.append(current)
    return out


# ------------------------------------------------------------------------------------------ stage


def remove_artifacts(doc: Document, config: ArtifactsConfig) -> Document | Rejection:
    """Remove scraping debris from ``doc.text``; every removal is recorded (see the module docstring).

    >>> from pipeline.document import Document
    >>> d = Document(source_file="a.txt", source_sha256="0" * 64,
    ...              text="标题\\n\\n时间:2022-11-24 08:47:00\\n\\n标题\\n\\n正文第一句。")
    >>> out = remove_artifacts(d, ArtifactsConfig())
    >>> out.text, out.published_at
    ('标题\\n\\n正文第一句。', '2022-11-24T08:47:00')
    >>> [r.rule for r in out.removals]
    ['artifacts.header_line', 'artifacts.repeated_title']
    """
    return remove_artifacts_with(doc, config, _line_model(config))


def remove_artifacts_with(doc: Document, config: ArtifactsConfig, model) -> Document | Rejection:
    """``remove_artifacts`` with an explicit line-role model (None: the rules alone); for training folds."""
    lines, state = _rule_pass(doc, config)
    for _ in range(_MAX_PASSES if model is not None else 0):
        # the model's drops can expose what a rule knows (a site name now on top): rules and model to a fixpoint,
        # so the stage stays idempotent on its own output
        dropped = _model_pass(lines, state, doc, config, model)
        if len(dropped) == len(lines):
            break
        lines = _rules_to_fixpoint(dropped, state, doc, config)
    return _finish(doc, lines, state)


def _rule_pass(doc: Document, config: ArtifactsConfig) -> tuple[list[_Line], _State]:
    """The rules, run to a fixpoint: the lines left (numbered as in ``doc.text``) and the state (removals, fields)."""
    lines = [_Line(number, text) for number, text in enumerate(doc.text.split("\n"))]
    state = _State(removals=[], fields={}, memo=_memo_for(config))
    return _rules_to_fixpoint(lines, state, doc, config), state


def _rules_to_fixpoint(lines: list[_Line], state: _State, doc: Document, config: ArtifactsConfig) -> list[_Line]:
    for _ in range(_MAX_PASSES):
        before = [l.text for l in lines]
        lines = _clean_once(lines, state, doc, config)
        if [l.text for l in lines] == before:
            break
    return lines


def rule_pass_view(doc: Document, config: ArtifactsConfig = ArtifactsConfig(), kept_only: bool = True) -> list:
    """What the line-role model sees of ``doc``: one ``lines.LineView`` per non-blank line the rules kept
    (``kept_only=False``: per non-blank input line, the rules' removals marked, for training)."""
    from pipeline.models import lines as line_model

    lines, state = _rule_pass(doc, config)
    return line_model.line_views(doc.text, [(l.number, l.text) for l in lines], state.removals, kept_only)


def _line_model(config: ArtifactsConfig):
    """The shipped (or ``config.model_dir``) line-role model; None when there is none (rules alone)."""
    from pipeline.models import model_for

    return model_for("lines", config.model_dir)


def _model_pass(lines: list[_Line], state: _State, doc: Document, config: ArtifactsConfig, model) -> list[_Line]:
    """Drop the kept lines the line-role model calls debris with a score of at least ``config.model_min_score``.

    Each drop is a ``Removal`` named ``model.<role>:<score>``. Lines the model keeps are left exactly as
    the rules left them."""
    from pipeline.models import lines as line_model

    if not any(0 < len(text) <= line_model.LONG_LINE_CHARS and line_model.may_be_debris(text)
               for text in (l.text.strip() for l in lines)):
        return lines  # short prose and paragraphs only: no run of lines the model would tag (see debris_lines)
    views = line_model.line_views(doc.text, [(l.number, l.text) for l in lines], state.removals)
    if len(views) < config.model_min_lines:
        return lines
    drops = line_model.debris_lines(model, views, config.model_min_score, config.model_max_line_chars)
    if not drops:
        return lines
    out: list[_Line] = []
    dropped_since = False
    for index, line in enumerate(lines):
        decision = drops.get(index)
        if decision is not None:
            role, score = decision
            state.removals.append(Removal(f"model.{role}:{score:.2f}", line.number, line.text.strip()))
            dropped_since = True
            continue
        if not line.text.strip():
            if dropped_since and (not out or not out[-1].text.strip()):
                continue  # keep one blank line where a drop left two
            out.append(line)
            continue
        dropped_since = False
        out.append(line)
    while dropped_since and out and not out[-1].text.strip():
        out.pop()
    return out


# Fields this stage fills from page-header lines (时间:, 来源:, 栏目:, 编者按 …) when still empty (pipeline/fields.py).
HEADER_FIELDS = field_names(filled_by="artifacts")


def _finish(doc: Document, lines: list[_Line], state: _State) -> Document | Rejection:
    text = "\n".join(l.text for l in lines)
    if not _WORD_CHAR_RE.search(text):  # same as "normalized_line(text) is empty", without building it
        return Rejection(
            source_file=doc.source_file,
            reason="artifacts.empty_after_cleaning",
            detail=f"{len(state.removals)} removals left no text; rules: "
            + ", ".join(sorted({r.rule for r in state.removals}))[:400],
            source_line=doc.source_line,
            source_sha256=doc.source_sha256,
            article_index=doc.article_index,
        )
    changes = {}
    for name in HEADER_FIELDS:
        if getattr(doc, name) is None and name in state.fields:
            changes[name] = state.fields[name][1]
    return doc.with_changes(text=text, removals=doc.removals + tuple(state.removals), **changes)  # one copy


# ---------------------------------------------------------------------------- cross-document lines


def line_hash(line: str) -> str:
    """Hash of a normalised line (spaces and punctuation ignored).

    >>> line_hash("版权所有 某某网") == line_hash("版权所有，某某网")
    True
    """
    return hashlib.blake2b(normalized_line(line).encode("utf-8"), digest_size=8).hexdigest()


def _candidate_hashes(text: str, config: ArtifactsConfig) -> list[tuple[int, str, str]]:
    """(line number, line, line_hash) of each candidate line of ``text``: a normalised line of at least
    ``cross_doc_min_line_chars`` characters that is not a long sentence (``_is_long_sentence``).

    The cheap tests come first: most lines are long sentences, and a line shorter than the minimum cannot
    normalise to a longer key (normalising only deletes characters), so neither needs its key built."""
    minimum, longest = config.cross_doc_min_line_chars, config.header_max_chars
    out = []
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if len(stripped) < minimum or (stripped[-1] in R.TERMINAL and len(stripped) > longest):
            continue  # minimum >= 1, so stripped is not empty past the first test
        key = _NOT_WORD_RE.sub("", line)
        if len(key) >= minimum:
            out.append((number, line, hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()))
    return out


def count_line_hashes(texts: Iterable[str], config: ArtifactsConfig = ArtifactsConfig()) -> Counter:
    """How many texts contain each candidate line (counted once per text).

    Candidates: at least ``cross_doc_min_line_chars`` characters, and not a long sentence ending in
    。！？ (a quotation shared by many speeches is content, not a footer).

    >>> c = count_line_hashes(["本站所有文章均来自网络\\n正文甲", "本站所有文章均来自网络\\n正文乙"])
    >>> c[line_hash("本站所有文章均来自网络")]
    2
    """
    counts: Counter = Counter()
    for text in texts:
        counts.update({h for _, _, h in _candidate_hashes(text, config)})
    return counts


def common_line_hashes(counts: Counter, document_count: int, config: ArtifactsConfig = ArtifactsConfig()) -> frozenset:
    """Hashes of lines seen in at least ``cross_doc_min_documents`` and ``cross_doc_min_share`` of documents.

    >>> common_line_hashes(Counter({"a": 5, "b": 4}), 10)
    frozenset({'a'})
    """
    if document_count <= 0:
        return frozenset()
    return frozenset(
        h
        for h, n in counts.items()
        if n >= config.cross_doc_min_documents and n / document_count >= config.cross_doc_min_share
    )


def remove_repeated_lines(doc: Document, config: ArtifactsConfig, common_hashes: frozenset) -> Document:
    """Drop lines whose hash is in ``common_hashes`` (rule ``artifacts.cross_doc_repeat``).

    >>> d = Document(source_file="a", source_sha256="0" * 64, text="正文。\\n本站所有文章均来自网络")
    >>> remove_repeated_lines(d, ArtifactsConfig(), frozenset({line_hash("本站所有文章均来自网络")})).text
    '正文。'
    """
    if not common_hashes:
        return doc
    removed = {number: line for number, line, h in _candidate_hashes(doc.text, config) if h in common_hashes}
    if not removed:
        return doc
    removals = [Removal("artifacts.cross_doc_repeat", number, line.strip()) for number, line in removed.items()]
    kept = [line for number, line in enumerate(doc.text.split("\n")) if number not in removed]
    return doc.with_changes(text="\n".join(kept)).with_removals(removals)
