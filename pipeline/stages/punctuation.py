"""Punctuation and whitespace normalisation: the ``punctuation`` stage (after metadata).

The last text stage changes PUNCTUATION and WHITESPACE only (see
``normalize_punctuation_text``): NFC, full-width letters/digits to half-width, Kangxi radicals to ordinary
ideographs, zero-width characters removed, ASCII punctuation next to Chinese text to GB/T 15834 forms,
doubled punctuation reduced, spaces between Chinese characters removed, blank-line runs collapsed. It leaves
numbers (1.5, 1,000, 08:47:00, 2022-11-24), URLs, e-mail addresses and English text as they are, and never
applies NFKC to the whole text (NFKC turns ，；：（） into ASCII). For speed, patterns start with one
literal or character class (so the regex engine skips between candidates), a rule whose pattern needs a
character the text lacks is not run (or whose effect is provably nil, ``_fullwidth_keeps``), and a mark
between two Han characters and spaces in Chinese context are replaced without a Python callback; the tests
pin each fast form to the plain form it replaces (tests/punctuation_reference.py keeps the module as it was
before session 8).

It runs after the metadata stage on purpose: the byline parser needs the original runs of spaces.
Its config is the ``[script]`` section (``ScriptConfig``).
"""

from __future__ import annotations

import re
import unicodedata

from pipeline import fields
from pipeline.document import Document
from pipeline.stage_configs import ScriptConfig

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Chinese punctuation that makes its neighbourhood "Chinese context" too (。after a Latin word).
_CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕…—·"
_CONTEXT = _HAN + _CJK_PUNCT

_HORIZONTAL_SPACE = " \t\u00a0\u3000\u2002\u2003\u2009\u202f"

# Zero-width characters: scraping debris, invisible in the text (U+200B in 党的建\u200b设).
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Full-width Latin letters and digits (２０２２年, ＡＢＣ) to ASCII; full-width punctuation is kept.
_FULLWIDTH_ALNUM = {code: code - 0xFEE0 for code in
                    [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
# Kangxi radicals (U+2F00–U+2FDF) and CJK radical supplement forms that look like ideographs (⼯ for 工)
# come from PDF copy-paste; NFKC of the single character gives the ordinary ideograph.
_RADICALS = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0x2E80, 0x2FE0)
             if unicodedata.normalize("NFKC", chr(code)) != chr(code)}
_CHAR_MAP = {**_ZERO_WIDTH, **_FULLWIDTH_ALNUM, **_RADICALS}
# Bullets and katakana dots used as the GB/T 15834 interpunct between Han characters: 重庆•西南大学 →
# 重庆·西南大学 (devset 039), 马丁・路德 → 马丁·路德. A bullet opening a list line is left alone.
_INTERPUNCT_MARKS = "\u2022\u30fb\u2027\u22c5"
# Written to start with the mark (the look-behind after it checks the character before): the regex engine then
# jumps from mark to mark instead of trying the look-behind at every position (10x faster on a long page).
_INTERPUNCT = re.compile(f"[{_INTERPUNCT_MARKS}](?<=[\u4e00-\u9fff][{_INTERPUNCT_MARKS}])(?=[\u4e00-\u9fff])")
_CHAR_MAP_STRINGS = {chr(code): value or "" for code, value in
                     {k: (chr(v) if isinstance(v, int) else v) for k, v in _CHAR_MAP.items()}.items()}
_CHAR_MAP_PATTERN = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_CHAR_MAP)) + "]")

# Candidate ASCII punctuation with the spaces around it: 時間:2022 → 时间：2022, 發展, 改革 → 发展，改革.
# Written so that every alternative starts with one literal character (\.\.\.\.* is \.{3,}, ……* is …+):
# the regex engine then jumps between candidate characters instead of trying every position.
_ASCII_PUNCT = re.compile(f"(?:\\.\\.\\.\\.*|……*|。。。。*|,|;|:|!|\\?)[{_HORIZONTAL_SPACE}]*")
# The common case, decided without a Python callback: a mark (and spaces) between two characters of Chinese
# context that no _ASCII_PUNCT match can hold (Han, and Chinese punctuation but … and 。, which ellipsis runs
# hold): 发展,改革 → 发展，改革, ”,要 → ”，要. Neither neighbour can belong to another match, so replacing these
# first changes no other match nor the neighbours another match is decided on.
_UNMATCHED_CONTEXT = _HAN + _CJK_PUNCT.replace("…", "").replace("。", "")
_MARK_IN_CONTEXT = tuple(
    (mark, full, re.compile(f"{re.escape(mark)}(?<=[{_UNMATCHED_CONTEXT}]{re.escape(mark)})[{_HORIZONTAL_SPACE}]*"
                            f"(?=[{_UNMATCHED_CONTEXT}])"))
    for mark, full in {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}.items()
)
# Spaces before a mark are handled apart so the pattern above starts with the mark (fast scanning): the spaces in
# 发展 ,改革 go (a Chinese character before the run). Removed without a Python callback: a run is matched whole
# from its first space (inside a run the look-behind sees a space, which is not Chinese context).
_SPACE_BEFORE_ASCII_PUNCT_IN_CHINESE = re.compile(
    f"[{_HORIZONTAL_SPACE}](?<=[{_CONTEXT}][{_HORIZONTAL_SPACE}])[{_HORIZONTAL_SPACE}]*(?=[,;:!?])")
# Presence test for it, one pattern per mark: a space directly before it (发展 ,改革). Each starts with its literal
# mark, which the regex engine finds faster than a class of marks or of spaces.
_SPACE_THEN_MARK = tuple((mark, re.compile(f"{re.escape(mark)}(?<=[{_HORIZONTAL_SPACE}]{re.escape(mark)})"))
                         for mark in ",;:!?")
# Used as a test only. Same hits as [,;:!?.…][，；：！？…]|[，；：！？…][ \t]*[,;:!?.…], written to start
# with one character class (fast scanning).
_ASCII_BESIDE_FULLWIDTH = re.compile(
    r"[,;:!?.…，；：！？](?:(?<=[,;:!?.…])[，；：！？…]|(?<=[，；：！？…])[ \t]*[,;:!?.…])"
)
_FULLWIDTH_OF = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
# What _ASCII_PUNCT can change (see _fullwidth_keeps): an ASCII mark (发展,改革) or an ellipsis run (等等...).
_ASCII_MARKS = tuple(_FULLWIDTH_OF)
# Parenthesised span on one line: (30日) → （30日）, (蘇文傑攝) → （苏文杰摄）; (ASCII) between English stays.
_PAREN_SPAN = re.compile(r"\(([^()\n]{0,200})\)")
_LONE_PAREN = re.compile(r"[()]")
# Straight double quotes, paired per line: 绝不搞"两张皮" → 绝不搞“两张皮”.
_QUOTED = re.compile(r'"([^"\n]{0,500})"')
# Doubled punctuation left by scraping (devset 032: 身影,, / 的,。): a run of ，、 before a stronger mark
# or repeated ，、；： collapse to one; 。。 (two, not an ellipsis) to one.
_DOUBLED_BEFORE_STOP = re.compile(r"[，、][，、]*(?=[。！？；：])")
# Pre-filter for it: every hit starts with ，or 、 directly followed by one of ，、。！？；：, so a text where
# neither pattern below matches has no hit. A pattern that starts with one literal character is scanned
# about three times faster than one starting with a class of frequent characters (，、).
_DOUBLED_CANDIDATES = (re.compile("，[，、。！？；：]"), re.compile("、[，、。！？；：]"))
# Repeated ，、；： collapse to one (，，， → ，), one literal pattern per mark: a run of one mark never touches a run
# of another, so this gives the text of the single class pattern ([，、；：])\1+ (a literal start scans ~5x faster).
_REPEATED_EACH = tuple((mark, re.compile(f"{mark}{mark}+")) for mark in "，、；：")
_STOP_RUN = re.compile("。。+")  # written with a literal start: "。{2,}" is scanned 20x slower
# Spaces between two Chinese characters / Chinese punctuation: 东 极 镇 → 东极镇 (scraping debris). Removed without
# a Python callback, a run matched whole from its first space as in _SPACE_BEFORE_ASCII_PUNCT_IN_CHINESE.
_SPACE_BETWEEN_CHINESE = re.compile(
    f"[{_HORIZONTAL_SPACE}](?<=[{_CONTEXT}][{_HORIZONTAL_SPACE}])[{_HORIZONTAL_SPACE}]*(?=[{_CONTEXT}])")
_SPACE_RUN = re.compile(f"[{_HORIZONTAL_SPACE}][{_HORIZONTAL_SPACE}]*")
# Horizontal spaces other than the plain one (tab, NBSP, U+3000 …), tested one by one with ``in`` (faster than a
# class): a text without any takes the plain-space forms of the space rules below.
_UNUSUAL_SPACES = "\t\u00a0\u3000\u2002\u2003\u2009\u202f"
# After one pass, an ASCII mark still touching Chinese punctuation may now be in Chinese context (::“):
# only then is another pass worth its cost. Used as a test only: it finds a hit exactly when
# [,;:!?()"…][ \t]*[CJK]|[CJK][ \t]*[,;:!?()"….] does. Each hit of the second alternative is found at its
# ASCII mark (no space: the look-behind sees the CJK mark) or at its first space; so the pattern starts with
# ASCII marks and spaces, rare in cleaned Chinese text, instead of the frequent ，。 (2.5x faster scanning).
_NEEDS_ANOTHER_PASS = re.compile(
    f"[,;:!?()\"…. \t](?:(?<=[,;:!?()\"…])[ \t]*[{_CJK_PUNCT}]"
    f"|(?<=[{_CJK_PUNCT}][,;:!?()\"….])|(?<=[{_CJK_PUNCT}][ \t])[ \t]*[,;:!?()\"….])"
)
_BLANK_LINES = re.compile("\n\n\n+")  # literal start ("\\n{3,}" has none: 10x slower)
# An ellipsis followed by a space (好……　的): _ASCII_PUNCT takes the space with it (see _fullwidth_keeps).
_ELLIPSIS_BEFORE_SPACE = re.compile(f"…[{_HORIZONTAL_SPACE}]")
# Literal searches for what _ASCII_PUNCT needs (等等... / 好。。。): a compiled literal scans faster than ``in``
# with a needle of two or more characters, which CPython searches for more slowly than a single one.
_THREE_DOTS = re.compile(r"\.\.\.")
_THREE_STOPS = re.compile("。。。")
# Where a text's only horizontal space is the plain space (most texts), the space rules have literal forms that
# start with the space (5x faster than a class of spaces): 东 极 镇 → 东极镇, "a  b" → "a b", " 行首 " → "行首".
_PLAIN_SPACE_BETWEEN_CHINESE = re.compile(f" (?<=[{_CONTEXT}] ) *(?=[{_CONTEXT}])")
_PLAIN_SPACE_RUN = re.compile("  +")
_PLAIN_SPACE_AT_LINE_EDGE = re.compile(" (?:(?<=\n )|(?=\n))")
# Fields: every whitespace run (line breaks too) is one space, none next to Chinese punctuation.
_FIELD_SPACE = re.compile(f"[\\s{_HORIZONTAL_SPACE}]+")
_SPACE_AT_CJK_PUNCT = re.compile(f" (?=[{_CJK_PUNCT}])|(?<=[{_CJK_PUNCT}]) ")
_CONTEXT_CHAR = re.compile(f"[{_CONTEXT}]")
_HAN_CHAR = re.compile(f"[{_HAN}]")


_CJK_PUNCT_SET = frozenset(_CJK_PUNCT)


def _is_context(char: str) -> bool:
    """Han character or Chinese punctuation (the empty string, outside the text, is not)."""
    if not char:
        return False
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3134F or char in _CJK_PUNCT_SET)


def _reduce_stop_run(match: re.Match) -> str:
    return "。" if len(match.group()) == 2 else match.group()  # 3+ is an ellipsis written with 。


def _map_char(match: re.Match) -> str:
    return _CHAR_MAP_STRINGS[match.group()]


def _replace_ascii_punct(match: re.Match) -> str:
    text = match.string
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    mark = match.group().rstrip(_HORIZONTAL_SPACE)
    if not (_is_context(before) or _is_context(after)):
        return match.group()
    if mark[0] in ".…。":
        return "……"
    if before.isdigit() and after.isdigit():  # not reachable with a Han neighbour; kept for clarity
        return match.group()
    return _FULLWIDTH_OF[mark]


def _replace_paren_span(match: re.Match) -> str:
    text, inner = match.string, match.group(1)
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    if _HAN_CHAR.search(inner) or _is_context(before) or _is_context(after):
        return f"（{inner}）"
    return match.group()


def _replace_lone_paren(match: re.Match) -> str:
    text, char = match.string, match.group()
    neighbour = text[match.end()] if char == "(" and match.end() < len(text) else (
        text[match.start() - 1] if char == ")" and match.start() > 0 else "")
    if _is_context(neighbour):
        return "（" if char == "(" else "）"
    return char


def _replace_quoted(match: re.Match) -> str:
    text, inner = match.string, match.group(1)
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    if _HAN_CHAR.search(inner) or _is_context(before) or _is_context(after):
        return f"“{inner}”"
    return match.group()


def _normalize_marks(text: str) -> str:
    """Characters and punctuation (everything except whitespace collapsing).

    Each rule first asks whether a character it needs is in the text at all (``in`` with one character is a
    fast scan; most rules find nothing in a text the pass has already cleaned, which the second pass sees)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _CHAR_MAP_PATTERN.search(text):  # few hits per document: substituting them beats str.translate
        text = _CHAR_MAP_PATTERN.sub(_map_char, text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(mark in text for mark in _INTERPUNCT_MARKS):
        text = _INTERPUNCT.sub("·", text)
    # no rule below turns a character into an ASCII mark
    if any(mark in text and pattern.search(text) for mark, pattern in _SPACE_THEN_MARK):
        text = _SPACE_BEFORE_ASCII_PUNCT_IN_CHINESE.sub("", text)
    if not _fullwidth_keeps(text):
        text = _ascii_punct_to_fullwidth(text)
        # A mark decided before its neighbour turned full-width (::“ → :：“) gets a second look.
        while not _fullwidth_keeps(text) and _ASCII_BESIDE_FULLWIDTH.search(text):
            converted = _ascii_punct_to_fullwidth(text)
            if converted == text:
                break
            text = converted
    if "(" in text or ")" in text:
        text = _PAREN_SPAN.sub(_replace_paren_span, text)
        if "(" in text or ")" in text:  # a span left as it is (between English words), or a lone parenthesis
            text = _LONE_PAREN.sub(_replace_lone_paren, text)
    if '"' in text:
        text = _QUOTED.sub(_replace_quoted, text)
    doubled = any(pattern.search(text) for pattern in _DOUBLED_CANDIDATES)  # also finds every ，， and 、、
    if doubled:
        text = _DOUBLED_BEFORE_STOP.sub("", text)
    # removing a doubled run never makes a new ，， or 、、 (a run goes whole), but may make ；； or ：： (；，；)
    for mark, run in _REPEATED_EACH:
        if doubled if mark in "，、" else mark in text:
            text = run.sub(mark, text)
    return _STOP_RUN.sub(_reduce_stop_run, text)  # a literal pattern: as fast as a test for 。。


def _fullwidth_keeps(text: str) -> bool:
    """True only when ``_ascii_punct_to_fullwidth(text) == text`` for certain (False: it may change the text).

    With no ASCII mark, no ``...`` and no ``。。。``, _ASCII_PUNCT can only match runs of …; a run of exactly two
    with no space after it (好……的) is replaced by …… or kept, the same text either way. A run of two is
    recognised by counting: with no run of three, every run has one or two, and the number of … equals twice
    the number of …… pairs only when every run has two.

    >>> _fullwidth_keeps("好……的"), _fullwidth_keeps("好…的"), _fullwidth_keeps("好,的")
    (True, False, False)
    """
    if any(mark in text for mark in _ASCII_MARKS) or ("." in text and _THREE_DOTS.search(text)):
        return False
    if "…" in text and ("………" in text or text.count("…") != 2 * text.count("……")
                        or _ELLIPSIS_BEFORE_SPACE.search(text)):
        return False
    return not _THREE_STOPS.search(text)


def _ascii_punct_to_fullwidth(text: str) -> str:
    """``_ASCII_PUNCT`` decided by ``_replace_ascii_punct``; marks between two Chinese characters go first, and
    the callback pass is skipped when what is left cannot change (``_fullwidth_keeps``)."""
    for mark, full, pattern in _MARK_IN_CONTEXT:
        if mark in text:
            text = pattern.sub(full, text)
    if _fullwidth_keeps(text):
        return text
    return _ASCII_PUNCT.sub(_replace_ascii_punct, text)


def normalize_punctuation_text(text: str) -> str:
    """Body text: GB/T 15834 punctuation in Chinese context, whitespace collapsed.

    Whitespace decisions: NBSP, U+3000 and tabs count as spaces; spaces between two Chinese characters or
    Chinese punctuation are removed (scraping debris; the byline was parsed before this stage); other
    runs become one space; lines are stripped at both ends (the U+3000 paragraph indent goes); runs of
    blank lines become one blank line; leading and trailing blank lines go.

    >>> normalize_punctuation_text('時間:2022-11-24 08:47:00,人氣:2.64W, 共1,000人(約1.5%)')
    '時間：2022-11-24 08:47:00，人氣：2.64W，共1,000人（約1.5%）'
    >>> normalize_punctuation_text('绝不搞"两张皮"...见 https://www.gov.cn/a?b=1, 或 a@b.cn')
    '绝不搞“两张皮”……见 https://www.gov.cn/a?b=1，或 a@b.cn'
    >>> normalize_punctuation_text('\u3000\u3000东 极 镇,,很好,。\\n\\n\\n\\nHello, world!  ')
    '东极镇，很好。\\n\\nHello, world!'
    """
    # Rules see each other's output (a mark turned full-width makes its neighbour Chinese context), so
    # repeat until nothing changes: clean text costs one extra pass, at most three in all.
    text = _punctuation_pass(text)
    for _ in range(2):
        if not _NEEDS_ANOTHER_PASS.search(text):
            break
        normalized = _punctuation_pass(text)
        if normalized == text:
            break
        text = normalized
    return text


def _punctuation_pass(text: str) -> str:
    text = _normalize_marks(text)
    if any(space in text for space in _UNUSUAL_SPACES):
        text = _SPACE_BETWEEN_CHINESE.sub("", text)
        text = _SPACE_RUN.sub(" ", text)  # the text holds an unusual space: something to change
        text = "\n".join(line.strip(_HORIZONTAL_SPACE) for line in text.split("\n"))
    elif " " in text:  # the same three steps where the plain space is the only horizontal space
        text = _PLAIN_SPACE_RUN.sub(" ", _PLAIN_SPACE_BETWEEN_CHINESE.sub("", text))
        if text[:1] == " " or text[-1:] == " " or _PLAIN_SPACE_AT_LINE_EDGE.search(text):
            text = "\n".join(line.strip(_HORIZONTAL_SPACE) for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip("\n")


def normalize_field_text(text: str) -> str:
    """Title-like field: same punctuation rules; any whitespace run (line breaks too) becomes ONE space.

    >>> normalize_field_text('突出实践性  增强实效性\\u3000(讲话)')
    '突出实践性 增强实效性（讲话）'
    """
    for _ in range(3):
        normalized = _SPACE_AT_CJK_PUNCT.sub("", _FIELD_SPACE.sub(" ", _normalize_marks(text)).strip())
        if normalized == text:
            break
        text = normalized
    return text


# One-line fields: any whitespace run becomes one space. Multi-paragraph fields get the body-text rules.
PUNCTUATION_FIELDS = fields.names(fields.ONE_LINE)
PUNCTUATION_PARAGRAPH_FIELDS = fields.names(fields.PARAGRAPHS)


def normalize_punctuation(doc: Document, config: ScriptConfig) -> Document:
    """Stage: ``normalize_punctuation_text`` on the text, ``normalize_field_text`` on title-like fields."""
    changes = {}
    text = normalize_punctuation_text(doc.text)
    if text != doc.text:
        changes["text"] = text
    for field_name in PUNCTUATION_FIELDS + PUNCTUATION_PARAGRAPH_FIELDS:
        value = getattr(doc, field_name)
        if value is None:
            continue
        if field_name in PUNCTUATION_FIELDS:
            normalized = normalize_field_text(value)
        else:
            normalized = normalize_punctuation_text(value)
        if normalized != value:
            changes[field_name] = normalized or None
    return doc.with_changes(**changes) if changes else doc
