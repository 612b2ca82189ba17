"""The author scorer's candidate search: every span of a page that may name its author or speaker.

Reads a page line by line (and the lines the earlier stages removed) for the patterns of
:mod:`pipeline.models.authors`' evidence kinds (:data:`KINDS`): a writer label (``作者：X``), a reporter tag
(``记者X``), a filing place (``X/南投报导``), a byline or a name alone on a heading or signature line, a name
before a date, a speech title opening with a name, a position word before a name (``县长X在…上的讲话``,
``镇长X代表…``), a closing credit; and :func:`candidates` lists each span as a :class:`Candidate`. Non-persons
are dropped here (:data:`STOP_NAMES`, a surname first, no editor/photographer/persona around the span, no common
word, ``pipeline/data/words/``). Also :func:`_names_listed`, whether a page lists people by name
(``张三、李四等``).

Most lines can yield nothing: each pattern runs only where a cheap exact prefilter (a word, a character, a
position word before a surname) says it can match, and the name checks are remembered; tests/test_authors_speed.py
and tests/test_authors_model.py compare every shortcut with the plain pattern or the code it replaced.

Changes nothing: the document is only read. Leaves alone: how candidates are scored and which one names the
page (:mod:`pipeline.models.authors`); names in running text with no pattern around them.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import itertools
import re
from dataclasses import dataclass
from importlib import resources

from pipeline.document import Document
from pipeline.stages.metadata import people

HAN = people.HAN
SPACE = people.SPACE
_SURNAME = people.surname_pattern
# A name may be printed with spaces between its characters (`胡  侠`, `栗 俊 昌`).
_SPACED = rf"[{HAN}](?:[{SPACE}]?[{HAN}]){{1,3}}"
# What may follow a name in a labelled or reporter byline: a delimiter, the end, or a report word.
_AFTER = rf"(?=[{SPACE}/／、,，.。;；)）】\]|｜]|报道|报导|摄|实习生|通讯员|记者|发自|$)"

# Kinds of evidence, one pattern each. Every pattern constant names an example it matches.
# `作者：孔春山`, `作者:王新平 来源:…`, `（撰稿：李明）`, `文/张三`, `执笔人：王五`: a writer label and a name.
_LABEL = re.compile(
    rf"(?:作者|作\u3000者|撰稿人?|撰文|执笔人?|供稿|文字|^文|[（(【\[{SPACE}]文)[】\]]?[{SPACE}]*[:：/／|｜=][{SPACE}]*"
    rf"(?P<name>{_SPACED}){_AFTER}"
)
# `【記者石振賢/南投報導】` after t2s `石振贤/南投报导`, `段峰 滨州报道`: a name before a filing place.
_FILED_FROM = re.compile(
    rf"(?P<name>[{HAN}]{{2,3}})[{SPACE}]*[/／][{SPACE}]*[{HAN}]{{2,8}}(?:报导|报道)"
)
# `高建军2020-01-01`, `王明 2021年3月2日`: a name right before a date (a flattened byline + date line).
_NAME_DATE = re.compile(
    rf"(?<![{HAN}])(?P<name>[{HAN}]{{2,3}})[{SPACE}]*(?:19|20)\d{{2}}(?:[-./年])\d{{1,2}}"
    rf"|(?P<glued>[{HAN}]{{2,3}})[{SPACE}]*(?:19|20)\d{{2}}-\d{{1,2}}-\d{{1,2}}"
)
# What both forms of `_NAME_DATE` need (`2020-`, `2021年`): a cheap scan before the pattern tries every character.
_YEAR = re.compile(r"(?:19|20)\d{2}[-./年]")
# `徐结强：在市八届人大五次会议上当选市长后的讲话`: a speech title that opens with the speaker's name.
_NAME_COLON_TITLE = re.compile(
    rf"^[{SPACE}]*(?P<name>[{HAN}]{{2,3}})(?:同志)?[{SPACE}]*[:：][{SPACE}]*[^\n]{{0,60}}"
    r"(?:讲话|致辞|发言|报告|贺词|致词|演讲|党课|主持词|表态|述职)"
)
# `县长王明在全县…会议上的讲话`, `市委书记张三同志在…上的讲话`: a position and a name in a speech title. Written as a
# prefix and the part from the position word on (`_SPEECH_TAIL`), so `_position_matches` can try the pattern only
# where that part matches (see there): tried at every character, the lazy prefix cost more than the rest of the stage.
_SPEECH_PREFIX = rf"[^{SPACE}，。；,;:：]{{1,30}}?"
_SPEECH_AFTER_NAME = (rf"(?:同志)?[{SPACE}]*(?:在|于)[^\n。]{{0,60}}?(?:上|时)的"
                      r"(?:讲话|致辞|发言|报告|致词|演讲|主持词|党课)")
_POSITION_NAME_SPEECH = re.compile(
    rf"(?P<position>{_SPEECH_PREFIX}{people.POSITION_SUFFIX})[{SPACE}]*(?P<name>{_SPACED}){_SPEECH_AFTER_NAME}"
)
# `书记王明在全县…上的讲话` (from `县委书记王明在全县…上的讲话`): the speech pattern from its position word on.
_SPEECH_TAIL = re.compile(rf"{people.POSITION_SUFFIX}[{SPACE}]*{_SPACED}{_SPEECH_AFTER_NAME}")
# What an official named in the body does next (`…代表…`, `…作了报告`, `…强调`, `…今日…致辞`).
_ACTION_VERBS = ("代表|出席|主持|作了?|做了?|发表|在会上|讲话|强调|指出|致辞|致词|宣誓|表示|今日|今天|昨日|"
                 "说|要求|提出|宣读|宣布|介绍|汇报|述职|首先|传达")
# `镇长石朝富同志代表镇党委、政府作了…致辞`, `局长王明今日…致辞`: position + name + a speech verb in the body.
_VERB_NAME = rf"(?P<name>{_SURNAME()}[{HAN}]{{1,2}}?)(?:同志|先生|女士)?(?={_ACTION_VERBS})"
_POSITION_NAME_VERB = re.compile(rf"(?P<position>(?:[{HAN}]{{0,12}}?){people.POSITION_SUFFIX}){_VERB_NAME}")
# `局长王明今日…` (from `市教育局局长王明今日…`): the verb pattern from its position word on.
_VERB_TAIL = re.compile(rf"{people.POSITION_SUFFIX}{_VERB_NAME}")
# Where a position word starts (`县长` in `县长王明…`); `常务副县长` also holds `县长` two characters later.
_POSITION_WORD = re.compile(people.POSITION_SUFFIX)
# The characters a position word starts with (every alternative of `people.POSITION_WORDS` starts with a literal).
_POSITION_FIRST = frozenset(word[0] for word in people.POSITION_WORDS.split("|"))
_VERB_HINT = re.compile(_ACTION_VERBS)
# The end of a position word anywhere (`区委书记蔡红针对…`, `特首李家超致辞`, `行政长官崔世安于…`, `市长何雄所作`): the
# name right after it is read by `_name_at`, which settles 2 or 3 characters by how the name recurs.
_POSITION_END_EXTRA = ("特首", "总统", "总理", "主委", "委员长", "行政长官")
_POSITION_END = re.compile(rf"(?:{people.POSITION_WORDS}|{'|'.join(_POSITION_END_EXTRA)})[{SPACE}]{{0,2}}")
# `_POSITION_END` without its spaces, as one flat alternation (`行政长官` in `行政长官崔世安`): see `_position_spans`.
_POSITION_OR_EXTRA = re.compile(rf"{people.POSITION_WORDS}|{'|'.join(_POSITION_END_EXTRA)}")
# Words a person's name is followed by when the person speaks or acts (`岑浩辉首先代表…`, `金更华在讲话中…`).
_SPEECH_VERBS = ("指出", "表示", "强调", "称", "说", "续指", "首先", "在讲话", "在会上", "在报告", "发表", "认为",
                 "要求", "代表", "致辞", "讲话", "作了", "做了", "主持", "出席", "直言", "提出", "希望", "宣布",
                 "所作", "作《", "作出")
# Characters that end a 2-character name when they follow it (`李永在…` is 李永 + 在, `王建，…`).
_AFTER_SHORT_NAME = set("在于对就向为和与及的是等、，,。；;：:（(（)）【】 \u3000同先女所作率")
# Surnames that are far more often a conjunction or preposition right after a position word (`主任和其他…`).
_CONJUNCTION = set("和与及由对把被从")
# A closing credit on its own line, maybe spaced (`(闻 泽)`, `（张三）`).
_BRACKETED_NAME_LINE = re.compile(rf"^[{SPACE}]*[（(](?P<name>{_SPACED})[)）][{SPACE}]*$")
# A name alone on a line, maybe spaced (`张玥`, `栗 俊 昌`): under a title or as a closing signature.
_NAME_ONLY = re.compile(rf"^[{SPACE}]*(?P<name>{_SPACED})[{SPACE}]*$")

# Stop list: spans that look like names but name nobody. `佚名`, `未知`, `本网`, `小编`, `管理员`…
STOP_NAMES = frozenset(
    ["佚名", "未知", "本网", "本站", "小编", "管理员", "网友", "匿名", "编辑", "责编", "本报", "本刊", "记者", "通讯员",
     "作者", "来源", "admin", "站长", "楼主", "游客", "会员", "用户", "官方", "综合", "转载", "原创", "整理"]
)
# Before a name: an editor or photographer role (`编辑：李斌`, `责编|陈梦莹`, `摄影 王五`): not an author.
_NOT_AUTHOR_BEFORE = re.compile(
    r"(?:编辑|责编|编审|校对|审核|审校|摄影|摄像|图片|美编|监制|制作|排版|责任编辑)[^\n]{0,3}$"
)
# After a name: a persona or photo credit (`李一老师`, `杨波/摄`, `王五摄`).
_NOT_AUTHOR_AFTER = re.compile(rf"^[{SPACE}]*(?:老师|/摄|／摄|摄|供图|图\b|制图)")
# A speech or reflection word in a title (`…会议上的讲话`, `学习心得体会`): a speech page, a name glued before a date.
_SPEECH_WORD = re.compile(r"讲话|致辞|发言|报告|贺词|致词|演讲|党课|主持词|表态|述职|心得|体会")

KINDS = ("label", "reporter", "filed_from", "byline_line", "glued_byline", "name_line", "name_date",
         "name_colon_title", "position_speech", "position_verb", "position_name", "transcript", "speech_note",
         "closing_credit", "rule_speaker")
# Kinds that name a speaker rather than a writer: they fill ``speaker`` too.
SPEAKER_KINDS = frozenset({"name_colon_title", "position_speech", "position_verb", "position_name", "transcript",
                           "speech_note", "rule_speaker"})


@dataclass(frozen=True)
class Candidate:
    name: str
    position: str | None
    kind: str
    line: int  # index of the line in the text (-1: found in an earlier stage's removal)
    span: str  # the text the candidate was read from (for the trace)


# The name checks below depend on the name alone and the same names recur on a page and across pages: remembered.
_NAMES_REMEMBERED = 4096


@functools.lru_cache(maxsize=_NAMES_REMEMBERED)
def _clean_name(raw: str) -> str:
    return people.join_name(raw)


@functools.lru_cache(maxsize=_NAMES_REMEMBERED)
def _plausible_name(name: str) -> bool:
    """Stop list, surname check, no photo credit, conjunction or dictionary word: what needs the name only."""
    if name in STOP_NAMES or not people.is_person_name(name) or name.endswith("摄") or name[0] in _CONJUNCTION:
        return False  # `新华社记者 徐昱摄`: a photo credit glued to the name; `和其他`: a conjunction
    return not _starts_with_word(name)  # `关闭`, `全县`, `时间`: a dictionary word, not a name


def _admissible(name: str, line: str, start: int, end: int) -> bool:
    """Stop list, surname check, and no editor/photographer/persona around the span."""
    if not _plausible_name(name):
        return False
    if _NOT_AUTHOR_BEFORE.search(line[max(0, start - 8):start]):
        return False
    return not _NOT_AUTHOR_AFTER.match(line[end:end + 3])


@functools.lru_cache(maxsize=_NAMES_REMEMBERED)
def _position(text: str | None) -> str | None:
    if not text:
        return None
    text = people.join_name(text).strip("：:，,（(【[")
    text = _OUTLET_PREFIX.sub("", text)
    return text or None


# An outlet's dateline word before a reporter's position (`本报讯记者`): not part of the position.
_OUTLET_PREFIX = re.compile(r"^(?:本网讯|本报讯|讯|本报|本网|本台)")
# What a position may not hold when read back from its end (`会上，县委书记` → 县委书记; `、` joins two posts).
_NOT_IN_POSITION = re.compile(rf"[^{HAN}、]")


@functools.lru_cache(maxsize=512)
def _count(page: str, word: str) -> int:
    """``page.count(word)``, remembered: the same names are counted after every position word of a page."""
    return page.count(word)


def _name_at(text: str, start: int, page: str) -> str | None:
    """The name starting at ``start``: 3 characters (4 with a compound surname) unless the shorter form recurs
    on its own on the page or the next character ends a name (`蔡红针对` / `蔡红在会上` → 蔡红).

    >>> _name_at("区委书记蔡红针对发言作了点评", 4, "区委书记蔡红针对发言作了点评。蔡红在会上指出")
    '蔡红'
    >>> _name_at("县长李永军在作报告", 2, "县长李永军在作报告")
    '李永军'
    """
    return _name_in(text[start:start + 4], page)


@functools.lru_cache(maxsize=256)
def _name_in(chars: str, page: str) -> str | None:
    """``_name_at`` from the (up to) 4 characters it reads: an official is named after many position words of a
    page, so the page's answers are remembered."""
    extra = 1 if chars[:2] in people.surnames() else 0
    if not extra and chars[:1] not in people.surnames():
        return None  # neither form can be a name: both would start with this character, not a surname
    if chars[1 + extra:].startswith(_SPEECH_VERBS):
        return None  # `特首明发表…` (明, tomorrow, then 发表): a speech verb where the given name would start
    short, long = chars[:2 + extra], chars[:3 + extra]
    if (len(long) == len(short) + 1 and "\u4e00" <= long[-1] <= "\u9fff" and long[-1] not in _AFTER_SHORT_NAME
            and people.is_person_name(long) and _count(page, long) >= _count(page, short)):
        return long
    return short if len(short) == 2 + extra and people.is_person_name(short) else None


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words of one or two characters that are common words, not names (``pipeline/data/words/``).

    The entries of jieba's dictionary with frequency >= 10 not tagged ``nr`` (``tools/extract_common_words.py``);
    shipped as an extract because loading jieba's whole dictionary costs ~1 s per process for this one lookup.

    >>> {"全县", "时间", "关于"} <= common_words(), "王沪" in common_words()
    (True, False)
    """
    raw = resources.files("pipeline").joinpath("data", "words", "common_words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(raw).decode("utf-8").split("\n")) - {""}


def _starts_with_word(name: str) -> bool:
    """The first two characters are a common word that is not a name (`和平`, `全县`, `时间`, `关于`, `宣誓`).

    >>> _starts_with_word("全县"), _starts_with_word("王沪宁")
    (True, False)
    """
    return name[:2] in common_words()



def _position_word_starts(line: str) -> list[int]:
    """Every index where a position word starts, overlapping ones included (`常务副县长`: 县长 two after 常务副…长).

    >>> _position_word_starts("常务副县长王明、镇长李强")
    [0, 3, 8]
    """
    return _position_spans(line)[0]


def _position_spans(line: str) -> tuple[list[int], list[tuple[int, int]]]:
    """``_position_word_starts(line)`` and the spans of ``_POSITION_END.finditer(line)``, from one scan.

    `_POSITION_END` is a position word or an extra word (`_POSITION_OR_EXTRA`, one flat alternation: `re` skips
    ahead by first characters, which it does not inside `_POSITION_END`'s group), then up to 2 spaces; no word starts
    with a space, so its matches are those of the flat alternation with their spaces. Where no extra word was
    chosen, those matches are `_POSITION_WORD`'s too; a line where one was (`行政长官` hides `长官`) is scanned again
    for the words. tests/test_authors_speed.py compares both results with the plain scans.

    >>> _position_spans("常务副县长  王明、特首李强")
    ([0, 3], [(0, 7), (10, 12)])
    """
    words = [match.span() for match in _POSITION_OR_EXTRA.finditer(line)]
    if not words:
        return [], []
    ends = []
    for start, end in words:
        stop = min(len(line), end + 2)
        while end < stop and line[end] in SPACE:
            end += 1
        ends.append((start, end))
    if any(line[start:end] in _POSITION_END_EXTRA for start, end in words):
        words = [match.span() for match in _POSITION_WORD.finditer(line)]
    starts = []
    for start, end in words:
        starts.append(start)
        if end - start > 1:
            starts.extend(at for at in range(start + 1, end)
                          if line[at] in _POSITION_FIRST and _POSITION_WORD.match(line, at))
    return starts, ends


@dataclass(frozen=True)
class _Anchored:
    """A pattern ``prefix + tail`` whose prefix is ``shortest``–``longest`` characters that ``allowed`` accepts."""

    pattern: re.Pattern
    tail: re.Pattern  # the pattern from its position word on, without groups
    excluded: str  # characters the prefix may not hold ("" with ``han_only``)
    han_only: bool
    shortest: int
    longest: int

    def allowed(self, character: str) -> bool:
        if self.han_only:
            return "\u4e00" <= character <= "\u9fff"
        return character not in self.excluded


_SPEECH_ANCHORED = _Anchored(_POSITION_NAME_SPEECH, _SPEECH_TAIL, SPACE + "，。；,;:：", False, 1, 30)
_VERB_ANCHORED = _Anchored(_POSITION_NAME_VERB, _VERB_TAIL, "", True, 0, 12)


def _position_matches(anchored: _Anchored, line: str, starts: list[int]) -> list[re.Match]:
    """Exactly ``anchored.pattern.finditer(line)``, tried only where a match can start.

    A match starts ``shortest``–``longest`` allowed characters before a position word (``starts``) from which the
    tail matches, and the pattern matches at every such index; so the leftmost of them at or after the previous
    match's end is where ``finditer`` would find its next match, and ``pattern.match`` there returns the same
    match (tests/test_authors_model.py compares the two on generated lines).

    >>> [m["name"] for m in _position_matches(_VERB_ANCHORED, "会上，县委书记王明强调", [5])]
    ['王明']
    """
    windows = []
    for start in starts:
        if not anchored.tail.match(line, start):
            continue
        low = start
        while low > 0 and start - low < anchored.longest and anchored.allowed(line[low - 1]):
            low -= 1
        if low <= start - anchored.shortest:
            windows.append((low, start - anchored.shortest))
    found: list[re.Match] = []
    at = 0
    while True:
        first = min((max(low, at) for low, high in windows if max(low, at) <= high), default=None)
        if first is None:
            return found
        match = anchored.pattern.match(line, first)
        if match is None:  # not expected (see above); stepping on keeps the result that of `finditer`
            at = first + 1
            continue
        found.append(match)
        at = match.end()


def _line_candidates(index: int, line: str, top: bool, bottom: bool, page: str = "",
                     removed: bool = False, named_after_position: bool | None = None) -> list[Candidate]:
    """The candidates of one line (``top``/``bottom``: in the page's heading or signature zone; ``removed``: a line
    an earlier stage removed; ``named_after_position``: whether `_POSITION_THEN_NAME` is in the line, None: look).

    Each pattern runs only on a line holding a word or character every match of it holds (the `in` tests, the
    ``_HINT`` patterns, `_POSITION_THEN_NAME`); tests/test_authors_speed.py checks each against its pattern on
    generated lines and compares the whole function with the one it replaced (tests/authors_reference.py)."""
    found: list[Candidate] = []

    def add(name: str, position: str | None, kind: str, start: int, end: int) -> None:
        name = _clean_name(name)
        if _admissible(name, line, start, end):
            found.append(Candidate(name, _position(position), kind, index, line[max(0, start - 12):end + 4]))

    if "记者" in line or "通讯员" in line or "特派员" in line:
        byline = people.find_reporter(line)
        if byline:
            at = line.find(byline.author)
            add(byline.author, byline.position, "reporter", at, at + len(byline.author))
    if ":" in line or "：" in line or "/" in line or "／" in line or "|" in line or "=" in line:
        if _LABEL_HINT.search(line):
            for match in _LABEL.finditer(line):
                add(match["name"], None, "label", match.start("name"), match.end("name"))
        if top:
            for match in _NAME_COLON_TITLE.finditer(line):
                add(match["name"], None, "name_colon_title", match.start("name"), match.end("name"))
    if ("报导" in line or "报道" in line) and ("/" in line or "／" in line):
        for match in _FILED_FROM.finditer(line):
            add(match["name"], None, "filed_from", match.start("name"), match.end("name"))
    if top or bottom:
        _zone_candidates(line, top, add)
    year = _YEAR.search(line) if top and not removed else None  # a removed page header holds the site's name
    if year:
        for match in _NAME_DATE.finditer(line, _earliest_name_date(line, year.start())):
            group = "name" if match["name"] else "glued"
            start = match.start(group)
            # `贺词高建军2020-01-01`: a name glued after a heading word; `公文搜网 2021-…` is not one
            if start == 0 or not "\u4e00" <= line[start - 1] <= "\u9fff" or _SPEECH_WORD.search(line[start - 2:start]):
                add(match[group], None, "name_date", start, match.end(group))
    if named_after_position is None:
        named_after_position = _POSITION_THEN_NAME.search(line) is not None
    starts, ends = _position_spans(line) if named_after_position else ((), ())
    if starts and ("在" in line or "于" in line) and _SPEECH_WORD.search(line):
        for match in _position_matches(_SPEECH_ANCHORED, line, starts):
            add(match["name"], match["position"], "position_speech", match.start("name"), match.end("name"))
    if starts and _VERB_HINT.search(line):
        for match in _position_matches(_VERB_ANCHORED, line, starts):
            add(match["name"], match["position"], "position_verb", match.start("name"), match.end("name"))
    for start, end in ends:
        name = _name_at(line, end, page or line)
        if name and not name.startswith(_SPEECH_VERBS):
            head = _NOT_IN_POSITION.split(line[max(0, start - 14):end])[-1]
            add(name, head, "position_name", end, end + len(name))
    if "(" in line or "（" in line:  # `(闻 泽)` closes a report; also a credit line kept above a caption
        match = _BRACKETED_NAME_LINE.match(line)
        if match:
            add(match["name"], None, "closing_credit", match.start("name"), match.end("name"))
    return found


# What every `_LABEL` match holds: the label word's last character (`作者` 者, `撰稿人` 人, `执笔` 笔, `文字` 字,
# `文/` 文), maybe a closing bracket, spaces and the separator (`作者：`, `【文】/`). Scanned for by its first
# character, it rules out most lines `_LABEL` would try at every character (its `^文` stops `re` skipping ahead).
_LABEL_HINT = re.compile(rf"[者稿人文笔字][】\]]?[{SPACE}]*[:：/／|｜=]")


def _zone_candidates(line: str, top: bool, add) -> None:
    """A heading or signature line's candidates: a whole-line byline, a name alone, a byline glued to a heading."""
    if not _ends_with_han(line):
        return  # `县长  王明`, `栗 俊 昌`, `…报告市城管局党组书记、局长  杜  宇`: all end with a name
    byline = people.parse_byline_line(line)
    if byline:
        at = line.find(byline.author[0])
        add(byline.author, byline.position, "byline_line", max(at, 0), len(line.rstrip()))
    elif _NAME_ONLY.match(line):
        match = _NAME_ONLY.match(line)
        add(match["name"], None, "name_line", match.start("name"), match.end("name"))
    glued = people.split_glued_byline(line) if top else None
    if glued:
        add(glued[1].author, glued[1].position, "glued_byline", len(glued[0]), len(line.rstrip()))


def _earliest_name_date(line: str, year: int) -> int:
    """Where the first `_NAME_DATE` match of ``line`` can start at the earliest, ``year`` being the first `_YEAR`.

    Every match ends with a `_YEAR` match after a name and spaces; the name and the spaces hold no digit, so that
    year is the first one (``year``) or the match starts after it. Tried from every character of a long heading
    line, the pattern cost more than the rest of the line's candidates.

    >>> _earliest_name_date("会议纪要 高建军  2020-01-01", 10)
    5
    """
    at = year
    while at > 0 and line[at - 1] in SPACE:
        at -= 1
    return max(0, at - 3)


# What every position candidate holds (`县长王明`, `特首 李家超`, `市委书记  胡  侠`): a position word or an extra word,
# maybe spaces, and the first character of a surname. The speech, verb and position-name spans all put a name that
# starts with a surname (`_admissible`) right after a position word and spaces; the lookahead tries every word and
# length at each character, so a line without it holds no such span. Four lines in five of a page have a position
# word (`会长`, `主任`), one in five has one before a surname.
_POSITION_THEN_NAME = re.compile(
    rf"(?:{people.POSITION_WORDS}|{'|'.join(_POSITION_END_EXTRA)})"
    rf"(?=[{SPACE}]*[{''.join(sorted({surname[0] for surname in people.surnames()}))}])"
)


def _lines_holding(pattern: re.Pattern, text: str, lines: list[str]) -> set[int]:
    """The indexes of the ``lines`` of ``text`` (``text.split("\\n")``) that hold a match of ``pattern``: one scan
    of the page (``pattern`` must not match across a line break; each line is searched from its start).

    >>> sorted(_lines_holding(_POSITION_THEN_NAME, "县长王明\\n主任委员会\\n会上，特首 李强致辞",
    ...                       ["县长王明", "主任委员会", "会上，特首 李强致辞"]))
    [0, 2]
    """
    holding: set[int] = set()
    next_line = list(itertools.accumulate(len(line) + 1 for line in lines))  # where the line after each starts
    match = pattern.search(text)
    while match is not None:
        index = bisect.bisect_right(next_line, match.start())
        holding.add(index)
        if index + 1 >= len(lines):
            break
        match = pattern.search(text, next_line[index])
    return holding


# What the label, title and filing patterns of `_line_candidates` need, one of them on every line they run on: a
# separator (`作者：`, `文/`, `|`, `/南投报导`, and `=` of a database record's field `【作者】= 王五`, which `_LABEL`
# accepts). A reporter tag needs one too, or has its role word (a position word) before spaces and a surname
# (`记者 王明`: `_POSITION_THEN_NAME`). Looked for with `in`: a page-wide regex scan for them cost twice as much.
_TRIGGER_WORDS = (":", "：", "/", "／", "|", "=")
# A line opening with a bracket (`（张三）`, `(闻 泽)`): where `_BRACKETED_NAME_LINE` starts.
_BRACKET_OPENING = re.compile(rf"[{SPACE}]*[(（]")


def _ends_with_han(line: str) -> bool:
    """The line (before a final newline) ends with a Han character and spaces: every zone pattern's end
    (`_NAME_ONLY`, `people.parse_byline_line`, `people.split_glued_byline` end `[HAN][SPACE]*$`)."""
    end = (line[:-1] if line.endswith("\n") else line).rstrip(SPACE)
    return bool(end) and "\u4e00" <= end[-1] <= "\u9fff"


# Two Han characters, maybe apart (`(记者 张三)`; `(qū)` has none): every candidate's name is two to four Han
# characters of its line with only spaces taken out (`_admissible`), so a removed line without two yields nobody.
# Half the removed lines are pinyin rubies and paragraph joins.
_TWO_HAN = re.compile(rf"[{HAN}][^{HAN}]*[{HAN}]")


def _may_yield(line: str, top: bool, bottom: bool, removed: bool = False) -> bool:
    """Whether a line not holding `_POSITION_THEN_NAME` can yield a candidate: it holds one of `_TRIGGER_WORDS`, or
    it is a heading or signature line ending with a name, a heading line holding a year (`_NAME_DATE`; not on a
    removed line) or a line opening with a bracket. tests/test_authors_speed.py checks that no other line yields."""
    return (any(map(line.__contains__, _TRIGGER_WORDS)) or (top or bottom) and _ends_with_han(line)
            or top and not removed and _YEAR.search(line) is not None or _BRACKET_OPENING.match(line) is not None)


@functools.lru_cache(maxsize=4096)
def _removed_line_may_yield(text: str) -> bool:
    """``_may_yield`` for a removed line (read as a heading line), or `_POSITION_THEN_NAME` in it, and two Han
    characters (`_TWO_HAN`). Removed lines recur across pages (a site's header, `(qū)`): remembered."""
    if _TWO_HAN.search(text) is None:
        return False
    return _POSITION_THEN_NAME.search(text) is not None or _may_yield(text, True, False, removed=True)


def candidates(document: Document, zone: int = 8) -> list[Candidate]:
    """Every author/speaker span on the page, in page order (then the earlier stages' removals).

    ``zone`` is how many non-blank lines count as the top (title, byline) and the bottom (signature) of the page.

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64,
    ...                text="平凡的一天\\n来源:某某网 作者:孔春山\\n正文第一段写了一些事情。")
    >>> [(c.name, c.kind) for c in candidates(doc)]
    [('孔春山', 'label')]
    """
    lines = document.text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip(SPACE)]
    top = set(filled[:zone])
    bottom = set(filled[-3:])
    found: list[Candidate] = []
    named = _lines_holding(_POSITION_THEN_NAME, document.text, lines)
    for i in filled:
        if i in named or _may_yield(lines[i], i in top, i in bottom):
            found.extend(_line_candidates(i, lines[i], i in top, i in bottom, document.text, False, i in named))
    for removal in document.removals:
        # lines the rules and the line model dropped (a byline the line model calls meta is still a byline)
        if removal.rule.startswith(("artifacts.", "script.", "model.")) and _removed_line_may_yield(removal.text):
            found.extend(_line_candidates(-1, removal.text, True, False, document.text, removed=True))
    note = "\n".join(lines[i] for i in filled[-5:])
    speech = people.parse_speech_note(note)
    if speech:
        found.append(Candidate(speech.author, speech.position, "speech_note", filled[-1], speech.author))
    transcript = people.find_transcript_speaker("\n".join(lines[i] for i in filled[:zone]))
    if transcript:
        found.append(Candidate(transcript.author, transcript.position, "transcript", -1, transcript.author))
    if filled:
        credit = people.find_closing_credit(lines[filled[-1]])
        if credit:
            found.append(Candidate(credit.author, None, "closing_credit", filled[-1], credit.author))
    speaker = people.find_speaker(document.text)
    if speaker:
        found.append(Candidate(speaker, None, "rule_speaker", -1, speaker))
    return found



# People listed by name (`王五、赵六等领导`, `张三、李四同志`): names no position word introduces, so no candidate
# counts them; two or more surname-led names joined by `、` and closed by 等 or 同志 (the pattern as one regex is
# ``LISTED_NAMES`` in tests/authors_reference.py, the reference ``_names_listed`` is compared with).
# A list's last `、` (`、李四等`, `、李四同志`): the one before a surname-led name closed by 等 or 同志. Found by its
# literal `、`, which `re` skips to, instead of by the surname alternation tried at every character.
_LISTED_LAST_JOIN = re.compile(rf"、(?={_SURNAME()}[{HAN}]{{1,2}}(?:等|同志))")
# A name and the `、` after it (`张三、`): the name before a list's last `、`.
_NAME_AND_JOIN = re.compile(rf"{_SURNAME()}[{HAN}]{{1,2}}、")
_LONGEST_SURNAME = max(map(len, people.surnames()))


def _names_listed(text: str) -> bool:
    """Whether ``text`` lists two or more people by name, found from the list's last `、`.

    Every list ends with two names (`李四、王五等` ends `张三、李四、王五等`), and two names are a list: so a list
    is a `、` with a name before it and a name and 等/同志 after it. The name before it starts 2 to
    ``_LONGEST_SURNAME + 2`` characters earlier and, being Han only, reaches no other `、`. Searched from every
    character, the surname alternation cost ~5 % of the metadata stage. ``tests/test_authors_model.py`` compares
    the two on generated texts.

    >>> _names_listed("会上，张三、李四同志讲了话"), _names_listed("教育、卫生等部门")
    (True, False)
    """
    for join in _LISTED_LAST_JOIN.finditer(text):
        at = join.start()
        for start in range(max(0, at - _LONGEST_SURNAME - 2), at - 1):
            name = _NAME_AND_JOIN.match(text, start)
            if name is not None and name.end() == at + 1:
                return True
    return False
