"""Debris spans glued into a kept line: each is cut out and recorded, the rest of the line stays.

Templates, disclaimers and paywall notices as whole sentences; reporter tags in brackets; pinyin ruby,
BBCode and page-jump markers; table-cell pipes left by HTML extraction; a header value, source prefix,
credit or caption glued to a heading or sentence; titles of other pages injected mid-sentence; a table of
contents run into the first sentence. Every step is gated by a cheap literal hint (``_span_hint_kinds``: one
scan of the line for all of them), so most prose lines cost one regex search. Spacing and punctuation of the
text that stays are left as they are.
"""

from __future__ import annotations

import functools
import re

from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.headers import _header_fields
from pipeline.stages.artifacts.text import (
    _LINE_CACHE_SIZE,
    _has_sentence_punct,
    _Line,
    _offer_field,
    _remove,
    _sentences,
    _State,
    normalized_line,
)

# The tail of R.REPORTER_BRACKET_RE up to its role: every match holds one such substring, "(记者 傅长琪" of
# "本网讯(记者 傅长琪)". It opens with a bracket, so a search skips from bracket to bracket, where the whole
# pattern (optional lead groups first) is tried at every position of the line: a line without it is skipped.
_REPORTER_CORE_RE = re.compile(rf"[(（【\[]\s*[^()（）【】\[\]\n。！？，,]{{0,16}}?(?:{R._ROLE})")
# What is left of a line after its template sentences when only numbering remains: "1. ", "(2)", "•"
_NUMBERING_ONLY_RE = re.compile(r"[\s\d.．、()（）•·\-]*")
_TABLE_ROW_RE = re.compile(r"(?P<head>[\s|]*)(?P<inner>.*?)(?P<tail>[\s|]*)", re.S)
_TAG_LEAD_RE = re.compile(r"^.*[(（【\[]")
_ROLE_RE = re.compile(R._ROLE)
_TAG_TAIL_RE = re.compile(rf"[{R.HAN}]{{0,8}}(?:报导|报道|摄)$")
_TAG_SPLIT_RE = re.compile(r"[\s、/／　]+")


def _is_only_numbering(text: str) -> bool:
    """Nothing but numbering, spaces and dots (or nothing): tested where the text starts, no copy made.

    >>> _is_only_numbering(" 1. "), _is_only_numbering(""), _is_only_numbering("1、会议")
    (True, True, False)
    """
    return _NUMBERING_ONLY_RE.fullmatch(text) is not None


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
    rf"\s+(?P<kv>(?:{'|'.join(R.PUBLISH_KEYS + R.SOURCE_KEYS)})\s*[:：]\s*"
    rf"(?:{R.DATETIME_RE.pattern}|[^\s:：]{{1,20}}))\s*$"
)
# A caption glued after a sentence: "…75万人次。▲广州日报全媒体图片记者黎旭阳、李妍摄" (devset 040).
_GLUED_CAPTION_RE = re.compile(rf"(?<=[{R.TERMINAL}])\s*[▲△][^▲△\n]{{2,60}}$")
# A photo label glued after a sentence: "…。资料图".
_GLUED_PHOTO_LABEL_RE = re.compile(rf"(?<=[{R.TERMINAL}])\s*(?:资料图|资料图片|图片来源网络)$")


def _literals(pattern: re.Pattern) -> list[str]:
    """The literals of a hint that is an alternation of plain literals ("记者|通讯员|/" -> ["记者", "通讯员", "/"])."""
    from re import _constants as C  # the stdlib's own regex parser, as in literal_hint
    from re import _parser as P

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


def _span_edits(text: str, config: ArtifactsConfig, header_fields=None) -> tuple[str, tuple, bool]:
    """(new text, edits, settled) for one line: its debris spans removed (cached in ``_LineMemo``). An edit is
    ("remove", rule, text) or ("offer", field, value, priority), replayed in order onto the document's state.
    ``settled``: the new text is proven to be one this function leaves as it is, without edits (it holds no
    span hint, has sentence punctuation and opens with neither a pipe nor 《: the first return below), so the
    fixpoint's next pass need not ask again (``rule_pass._clean_spans``). False only means "not proven".
    ``header_fields``: a cached ``_header_fields`` for ``config`` (the memo's), shared with the line rules."""
    edits: list[tuple] = []
    new_text, settled = _span_edits_uncached(text, config, edits, header_fields)
    return new_text, tuple(edits), settled


def _span_edits_uncached(text: str, config: ArtifactsConfig, edits: list, header_fields=None) -> tuple[str, bool]:
    # _no_span_can_match, with the hints found kept for _span_steps: one scan of the line for all of them
    # (_span_hint_kinds is empty exactly when _SPAN_HINT_RE does not occur: both hold the same literals)
    kinds = _span_hint_kinds(text)
    if not kinds and R.SENTENCE_PUNCT_RE.search(text) is not None and not text.lstrip().startswith(("|", "《")):
        return text, True
    new_text, new_kinds = _span_steps_and_kinds(text, config, edits, bool(kinds), header_fields, kinds)
    # new_kinds is a superset of the hint kinds of new_text: empty means no hint literal in it, so the test
    # above would return new_text as it is
    settled = (not new_kinds and R.SENTENCE_PUNCT_RE.search(new_text) is not None
               and not new_text.lstrip().startswith(("|", "《")))
    return new_text, settled


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
    text: str, config: ArtifactsConfig, edits: list, hinted: bool = True, header_fields=None,
    kinds: frozenset | None = None,
) -> str:
    """The span steps; ``hinted=False`` says ``_SPAN_HINT_RE`` does not occur in ``text``, which skips every
    step gated by one of its hints. That stays true through the table step: it keeps a substring of the
    text with "\\|" turned into "|", and no hint literal holds "|" or a backslash, so no hint can appear.
    ``kinds``: ``_span_hint_kinds(text)`` if the caller has it (recomputed here if the table step cut the text)."""
    return _span_steps_and_kinds(text, config, edits, hinted, header_fields, kinds)[0]


def _span_steps_and_kinds(
    text: str, config: ArtifactsConfig, edits: list, hinted: bool = True, header_fields=None,
    kinds: frozenset | None = None,
) -> tuple[str, frozenset]:
    """``_span_steps``, and a superset of the span hint kinds of the text it returns: empty when ``hinted`` is
    False (no hint appears, see above), else what ``_hinted_span_steps`` last scanned; every cut after that keeps
    a substring of the scanned text, and a substring holds no hint literal the text did not."""
    header_fields = header_fields or functools.partial(_header_fields, config=config)
    # table pipes from HTML extraction: "|  | 位置：首页 > 新闻动态 | " (devset 044)
    if text.strip().startswith("|") and text.rstrip().endswith("|"):
        match = _TABLE_ROW_RE.fullmatch(text.replace("\\|", "|"))
        inner = match.group("inner")
        edits.append(("remove", "artifacts.table_markup", (match.group("head") + match.group("tail")).replace(" ", "")))
        text = inner
        kinds = None
        if not text.strip():
            return "", frozenset()
    final_kinds: frozenset = frozenset()
    if hinted:
        text, final_kinds = _hinted_span_steps(text, edits, kinds)
        if text is None:
            return "", frozenset()
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
    return text, final_kinds


def _hinted_span_steps(text: str, edits: list, kinds: frozenset | None = None) -> tuple[str | None, frozenset]:
    """The span steps that each need a hint of ``_SPAN_HINT_RE``: (text, a superset of its hint kinds); the text
    is None if the line is left empty.

    Each step's hint test is a look-up in ``_span_hint_kinds`` of the current text (one scan instead of one
    search per hint; rescanned whenever a step changed the text). The kinds are a superset of the hints
    present, and every step still runs its own pattern, so a spare kind only costs that pattern's run."""
    scanned, kinds = text, _span_hint_kinds(text) if kinds is None else kinds
    for rule, pattern, kind in (
        ("artifacts.pinyin_ruby", R.PINYIN_RUBY_RE, "tone"),
        ("artifacts.bbcode", R.BBCODE_RE, "bbcode"),
        ("artifacts.jump_marker", R.JUMP_RE, "jump"),
    ):
        if kind in kinds:
            text = _cut_matches(pattern, text, rule, edits)
    if text is not scanned:
        scanned, kinds = text, _span_hint_kinds(text)
    # reporter tags in brackets, kept in the removal for the metadata stage; every tag holds _REPORTER_CORE_RE
    changed = "reporter" in kinds and _REPORTER_CORE_RE.search(text) is not None
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
            return None, frozenset()
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
    return text, kinds  # text is a prefix of the text kinds were last scanned from


def _cut_matches(pattern: re.Pattern, text: str, rule: str, edits: list) -> str:
    """``pattern.sub("", text)``, each match recorded as a removal: one scan of the line (the matches of finditer
    are the ones sub replaces; none of the patterns used here matches the empty string).

    >>> edits = []
    >>> _cut_matches(R.PINYIN_RUBY_RE, "县长(zhǎng)讲话(jiǎng)。", "artifacts.pinyin_ruby", edits), len(edits)
    ('县长讲话。', 2)
    """
    pieces, end = [], 0
    for match in pattern.finditer(text):
        edits.append(("remove", rule, match.group(0)))
        pieces.append(text[end : match.start()])
        end = match.end()
    if not pieces:
        return text
    pieces.append(text[end:])
    return "".join(pieces)


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
        r"(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章部分节]|[(（][一二三四五六七八九十]+[)）])",
        match.group("items"),
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


# The most characters an injection's match can run before its genre word: the comma and 30 Han characters.
_SEO_LEAD_MAX = 31


def _seo_scan_start(text: str) -> int:
    """Where ``_SEO_INJECTION_RE`` can first match: a match's genre word starts at most ``_SEO_LEAD_MAX`` characters
    after the match, and none starts before the first genre word of the line (the pattern looks only forward,
    so scanning from there finds the same matches as scanning the whole line).

    >>> _seo_scan_start("甲" * 50 + "，" + "副市长在全市工作会议上的讲话受伤")
    32
    """
    first = _SEO_INJECTION_HINT_RE.search(text)
    return len(text) if first is None else max(0, first.start() - _SEO_LEAD_MAX)


@functools.lru_cache(maxsize=_LINE_CACHE_SIZE)  # pure in (title, text); the fixpoint's second pass repeats lines
def _seo_injections(title: str, text: str) -> tuple[str, tuple[str, ...]]:
    """(text without the injected titles, the injected titles in removal order)."""
    injections = []
    for match in list(_SEO_INJECTION_RE.finditer(text, _seo_scan_start(text)))[::-1]:
        injected = match.group("inj")
        following = text[match.end() : match.end() + 2]
        if following[:1] in "的和并中时上" or following in ("精神", "要求", "指出", "强调", "内容", "全文", "要点"):
            continue
        if injected == title or not any(title[i : i + 4] in injected for i in range(len(title) - 3)):
            continue
        injections.append(injected)
        text = text[: match.start("inj")] + text[match.end() :]
    return text, tuple(injections)
