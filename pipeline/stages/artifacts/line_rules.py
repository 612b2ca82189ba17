"""The debris rule a whole line falls under by itself (``_line_rule``), without looking at its neighbours.

Navigation rows, login boxes, share widgets, ICP and copyright footers, spam titles, image captions and file
names, bare URLs, reporter-only bylines. Length limits are tested before patterns and costly patterns run
only behind a cheap anchor (``_anchor_filter``): most lines are prose no rule touches. A long sentence ending
in 。！？ is never dropped by a pattern meant for short chrome.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.text import (
    _LINE_CACHE_SIZE,
    _has_sentence_punct,
    _is_long_sentence,
    _sentences,
    _strip_table,
)

_LONG_LINE_CHARS = 300  # every line rule but the footer ones has a length limit well below this
_REPORTER_LINE_MAX_CHARS = 60  # a byline is short: "记者 义永华/文 杨波/摄"
_CAPTION_MAX_CHARS = 160  # the longest length limit of a line rule a long sentence can still meet (captions)
_SEPARATORS_ONLY_RE = re.compile(r"[|｜\s>/\-_=*~·•]+")  # "| | |", "> >", "-----": table or nav debris
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
        rule = _short_chrome_rule(line, tokens, chrome)
        if rule is not None:
            return rule
    return _pattern_rule(line, long_sentence)


def _short_chrome_rule(line: str, tokens: list[str], chrome: list[str | None]) -> str | None:
    """The rules for a short line without sentence punctuation: breadcrumbs, menu rows, login boxes, label
    lines, previous/next links, pagination, related headlines. ``chrome``: each token's chrome rule or None."""
    if R.BREADCRUMB_LEAD_RE.match(line):
        return "artifacts.nav_row"
    if _MARKUP_RE.search(line):
        pass  # markup such as "<contenttitle>…</contenttitle>" is not a breadcrumb
    elif line.startswith((">", "＞", "»")) or len(R.BREADCRUMB_SEP_RE.findall(line)) >= 2:
        segments = [s for s in R.BREADCRUMB_SEP_RE.split(line) if s.strip()]
        if segments and all(len(s.strip()) <= 30 for s in segments):
            return "artifacts.nav_row"
    n_chrome = sum(1 for c in chrome if c)
    others = [t for t, c in zip(tokens, chrome, strict=True) if not c]
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
    return None


def _pattern_rule(line: str, long_sentence: bool) -> str | None:
    """The rules every line up to the caption length meets: file names, URLs, footers, spam, ads, share widgets,
    captions, site notices. Length limits are tested before the patterns: most lines are prose longer than any
    limit."""
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
    caption = _caption_rule(line)
    if caption is not None:
        return caption
    if len(line) <= 60 and R.SITE_NOTICE_RE.search(line):
        return "artifacts.site_notice"
    return None


def _caption_rule(line: str) -> str | None:
    """Image captions: a caption lead (▲, 图为), a photo source, a …摄 credit, (左)/(中)/(右) positions."""
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
    from re import _constants as C
    from re import _parser as P

    tree = list(P.parse(hint.pattern, hint.flags))
    branches = [list(b) for b in tree[0][1][1]] if len(tree) == 1 and tree[0][0] is C.BRANCH else [tree]
    if not all(op is C.LITERAL for branch in branches for op, _ in branch):
        raise ValueError(f"not an alternation of literals: {hint.pattern}")
    rank = {ch: k for k, ch in enumerate(_FREQUENT_CHARACTERS)}
    # a character not in the list first, else the least frequent of the list
    anchors = {min((chr(code) for _, code in branch), key=lambda ch: (ch in rank, -rank.get(ch, 0)))
               for branch in branches}
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
