"""The punctuation stage's text functions as they were before the speed work of issue 20 (session 8): the reference
the rewritten ``pipeline.stages.punctuation`` is compared with (tests/test_punctuation_speed.py). Not used by the
product.

Copied unchanged from ``pipeline/stages/punctuation.py`` (main b23e5eb): every pattern and helper, so a later edit
of the product's patterns cannot change the reference.
"""

from __future__ import annotations

import re
import unicodedata


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
# The common case, decided without a Python callback: a mark (and spaces) between two Han characters.
# Neither neighbour can belong to another match, so replacing these first changes no other decision.
_HAN_MARK_HAN = tuple(
    (mark, full, re.compile(f"{re.escape(mark)}(?<=[{_HAN}]{re.escape(mark)})[{_HORIZONTAL_SPACE}]*(?=[{_HAN}])"))
    for mark, full in {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}.items()
)
# Spaces before a mark are handled apart so the pattern above starts with the mark (fast scanning).
_SPACE_BEFORE_ASCII_PUNCT = re.compile(f"[{_HORIZONTAL_SPACE}][{_HORIZONTAL_SPACE}]*(?=[,;:!?])")
# Used as a test only. Same hits as [,;:!?.…][，；：！？…]|[，；：！？…][ \t]*[,;:!?.…], written to start
# with one character class (fast scanning).
_ASCII_BESIDE_FULLWIDTH = re.compile(
    r"[,;:!?.…，；：！？](?:(?<=[,;:!?.…])[，；：！？…]|(?<=[，；：！？…])[ \t]*[,;:!?.…])"
)
_FULLWIDTH_OF = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
# Presence tests before the mark rules: _SPACE_BEFORE_ASCII_PUNCT needs an ASCII mark, _ASCII_PUNCT an ASCII
# mark or the start of one of its ellipsis runs (... / … / 。。。), as in 发展,改革 or 等等...
_ASCII_MARKS = tuple(_FULLWIDTH_OF)
_ELLIPSIS_RUNS = ("...", "…", "。。。")
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
_REPEATED_MARK = re.compile(r"([，、；：])\1+")
_STOP_RUN = re.compile(r"。{2,}")
# Spaces between two Chinese characters / Chinese punctuation: 东 极 镇 → 东极镇 (scraping debris).
_SPACE_IN_CHINESE = re.compile(f"[{_HORIZONTAL_SPACE}][{_HORIZONTAL_SPACE}]*(?=[{_CONTEXT}])")
_SPACE_RUN = re.compile(f"[{_HORIZONTAL_SPACE}][{_HORIZONTAL_SPACE}]*")
# A space run needs collapsing if it holds two plain spaces ("  " test) or any other horizontal space.
_UNUSUAL_SPACE = re.compile("[\t\u00a0\u3000\u2002\u2003\u2009\u202f]")
# After one pass, an ASCII mark still touching Chinese punctuation may now be in Chinese context (::“):
# only then is another pass worth its cost. Used as a test only: it finds a hit exactly when
# [,;:!?()"…][ \t]*[CJK]|[CJK][ \t]*[,;:!?()"….] does. Each hit of the second alternative is found at its
# ASCII mark (no space: the look-behind sees the CJK mark) or at its first space; so the pattern starts with
# ASCII marks and spaces, rare in cleaned Chinese text, instead of the frequent ，。 (2.5x faster scanning).
_NEEDS_ANOTHER_PASS = re.compile(
    f"[,;:!?()\"…. \t](?:(?<=[,;:!?()\"…])[ \t]*[{_CJK_PUNCT}]"
    f"|(?<=[{_CJK_PUNCT}][,;:!?()\"….])|(?<=[{_CJK_PUNCT}][ \t])[ \t]*[,;:!?()\"….])"
)
_BLANK_LINES = re.compile(r"\n{3,}")
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


def _remove_space_in_chinese(match: re.Match) -> str:
    start = match.start()
    return "" if start > 0 and _is_context(match.string[start - 1]) else match.group()


def _space_before_ascii_punct(match: re.Match) -> str:
    start = match.start()
    return "" if start > 0 and _is_context(match.string[start - 1]) else match.group()


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

    Each rule first asks whether a character it needs is in the text at all (``in`` is a fast substring scan;
    most rules find nothing in a text the pass has already cleaned, which the second pass sees)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _CHAR_MAP_PATTERN.search(text):  # few hits per document: substituting them beats str.translate
        text = _CHAR_MAP_PATTERN.sub(_map_char, text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(mark in text for mark in _INTERPUNCT_MARKS):
        text = _INTERPUNCT.sub("·", text)
    has_ascii_mark = any(mark in text for mark in _ASCII_MARKS)  # no rule below turns a character into one
    if has_ascii_mark and _SPACE_BEFORE_ASCII_PUNCT.search(text):
        text = _SPACE_BEFORE_ASCII_PUNCT.sub(_space_before_ascii_punct, text)
    if has_ascii_mark or any(run in text for run in _ELLIPSIS_RUNS):  # what _ASCII_PUNCT needs
        text = _ascii_punct_to_fullwidth(text)
        # A mark decided before its neighbour turned full-width (::“ → :：“) gets a second look.
        while _ASCII_BESIDE_FULLWIDTH.search(text):
            converted = _ascii_punct_to_fullwidth(text)
            if converted == text:
                break
            text = converted
    if "(" in text or ")" in text:
        text = _PAREN_SPAN.sub(_replace_paren_span, text)
        text = _LONE_PAREN.sub(_replace_lone_paren, text)
    if '"' in text:
        text = _QUOTED.sub(_replace_quoted, text)
    doubled = any(pattern.search(text) for pattern in _DOUBLED_CANDIDATES)  # also finds every ，， and 、、
    if doubled:
        text = _DOUBLED_BEFORE_STOP.sub("", text)
    # what _REPEATED_MARK needs; removing a doubled run never makes a new ，， or 、、 (a run goes whole), but
    # may make ；； or ：： (；，；)
    if doubled or "；；" in text or "：：" in text:
        text = _REPEATED_MARK.sub(r"\1", text)
    if "。。" in text:
        text = _STOP_RUN.sub(_reduce_stop_run, text)
    return text


def _ascii_punct_to_fullwidth(text: str) -> str:
    """``_ASCII_PUNCT`` decided by ``_replace_ascii_punct``; marks between two Han characters go first."""
    for mark, full, pattern in _HAN_MARK_HAN:
        if mark in text:
            text = pattern.sub(full, text)
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
    if any(space in text for space in _HORIZONTAL_SPACE):  # each step below needs one (most cleaned texts: none)
        text = _SPACE_IN_CHINESE.sub(_remove_space_in_chinese, text)
        if "  " in text or _UNUSUAL_SPACE.search(text):  # a run of two or more, or one unusual space
            text = _SPACE_RUN.sub(" ", text)
        text = "\n".join(line.strip(_HORIZONTAL_SPACE) for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n")


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
