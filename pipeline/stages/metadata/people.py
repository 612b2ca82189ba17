"""Person names in bylines, reporter tags, speech notes and speaker phrases.

Every name must start with a surname from ``pipeline/data/surnames.txt`` and sit between clear delimiters
(a run of spaces, a bracket, ``/``, ``、``, 报道, 在 …): a name whose end is not delimited is left alone rather
than guessed. Editors (编辑/责编/编审), photographers (摄/图片记者) and organisations (本报评论员, 本刊编辑部)
are never returned as authors. Spaced names (``胡  侠``, ``栗 俊 昌``) are joined. Nothing here reads names
from running text except the speaker phrases (``县委书记张壮雄出席会议并讲话``), which need a position before
and a speech verb after the name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from pipeline.lexicon import HAN, SPACE, SPACE_RUN


@functools.lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Single and compound surnames shipped in ``pipeline/data/surnames.txt``.

    >>> {"王", "欧阳", "栗"} <= surnames()
    True
    """
    text = resources.files("pipeline").joinpath("data", "surnames.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=1)
def _surname_pattern() -> str:
    compound = sorted((s for s in surnames() if len(s) > 1), key=len, reverse=True)
    single = "".join(sorted(s for s in surnames() if len(s) == 1))
    return "(?:" + "|".join(compound) + f"|[{single}])"


def surname_pattern() -> str:
    """A regex alternation matching one surname (compound surnames first).

    >>> bool(re.fullmatch(surname_pattern(), "欧阳")), bool(re.fullmatch(surname_pattern(), "的"))
    (True, False)
    """
    return _surname_pattern()


# Characters that never occur inside a person's name in these texts but do in organisations and roles
# (本报评论员, 医技药剂党支部, 本刊编辑部): a candidate containing one is not a name.
_NOT_IN_NAME = set("局委部办处厅院校会社报刊网站台组队室科股所员们等和与及的了在是记者")

# Position words a byline's position ends with (中共台州市委常委、组织部长 / 市城管局党组书记、局长 /
# 香港特区第六任行政长官).
POSITION_WORDS = (
    r"书记|常委|部长|局长|厅长|处长|科长|县长|市长|区长|省长|镇长|乡长|州长|旗长|主任|主席|委员|理事长|会长|"
    r"院长|校长|行长|董事长|经理|组长|秘书长|政委|司令员|署长|司长|检察长|庭长|所长|站长|队长|巡视员|调研员|"
    r"长官|议员|社长|总编辑|主编|特派员|记者|通讯员|党组成员|负责人|常务副[^\s，,]{1,4}长"
)
# The same as one group. A pattern that adds words of its own lists them after `POSITION_WORDS` in one flat
# alternation (`re` then skips ahead by the words' first characters; nested in a group, it tries every index).
POSITION_SUFFIX = f"(?:{POSITION_WORDS})"

# Roles that are never authors (编辑 李斌, 责编|陈梦莹, 杨波/摄, 图片记者黎旭阳).
_NOT_AUTHOR_ROLE = re.compile(r"编辑|责编|编审|校对|摄影|图片|摄像|美编|审核")

# Collective bylines that name no person (013 本报评论员, 014 作者:本刊编辑部): removed, no author.
ORGANISATION_BYLINE = re.compile(
    rf"^[{SPACE}]*(?:本报|本刊|本台|本网|特约|新华社|人民日报)?(?:评论员|编辑部|记者|通讯员|评论员文章)[{SPACE}]*$"
)


# The shape of a person's name: 2–4 Han characters (`马晓晖`, `欧阳修`), 2–3 for a name alone on a line.
_NAME_SHAPE = re.compile(f"[{HAN}]{{2,4}}")
_PLAIN_NAME = re.compile(f"[{HAN}]{{2,3}}")
# A TV-script tag before a position (`【同期】香港特区第六任行政长官`).
_TV_TAG = re.compile(r"^【[^】]{1,6}】")
# A prefix before 记者 that is an outlet, not a title (`中新网记者`, `本报讯记者`).
_OUTLET_CHARACTER = re.compile(r"[讯电报网社]")
# The date of the event in a speech note (`在2010年7月9日全县…推进会上`).
_EVENT_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


@dataclass(frozen=True)
class Byline:
    author: str
    position: str | None = None


def join_name(spaced: str) -> str:
    """A name with its inner spaces removed.

    >>> join_name("胡  侠"), join_name("栗 俊 昌")
    ('胡侠', '栗俊昌')
    """
    return SPACE_RUN.sub("", spaced)


def is_person_name(name: str) -> bool:
    """True for 2–4 Han characters that start with a known surname and contain no organisation character.

    >>> is_person_name("马晓晖"), is_person_name("欧阳修"), is_person_name("评论员"), is_person_name("发现")
    (True, True, False, False)
    """
    if not _NAME_SHAPE.fullmatch(name) or any(ch in _NOT_IN_NAME for ch in name[1:]):
        return False
    compound = name[:2] in surnames() and len(name) >= 3
    if compound:
        return True
    return name[0] in surnames() and len(name) <= 3


def _clean_position(position: str) -> str | None:
    position = SPACE_RUN.sub("", position).strip("：:，,（(【[")
    return position or None


@functools.lru_cache(maxsize=1)
def _byline_line() -> re.Pattern:
    # `中共台州市委常委、组织部长  马晓晖`, `市城管局党组书记、局长  杜  宇`: position, a space run, a name
    # that may itself be spaced. The position has no sentence punctuation.
    return re.compile(
        rf"^[{SPACE}]*(?P<position>[^{SPACE}，。；！？,;!?:：]"
        rf"[^，。；！？,;!?]{{0,40}}?{POSITION_SUFFIX})[{SPACE}]+"
        rf"(?P<name>[{HAN}](?:[{SPACE}]*[{HAN}]){{1,3}})[{SPACE}]*$"
    )


# A line holding only a spaced name (栗 俊 昌, 胡  侠).
_SPACED_NAME_LINE = re.compile(rf"^[{SPACE}]*(?P<name>[{HAN}](?:[{SPACE}]+[{HAN}]){{1,3}})[{SPACE}]*$")


def _may_end_with_name(line: str) -> bool:
    """False when no byline pattern here can match ``line``: they all end with a Han character, then spaces.

    The byline, spaced-name and glued-byline patterns end ``[HAN][SPACE]*$`` (``$`` also before a final
    newline) and hold a space run between the position and the name or inside the name. A line ending with
    punctuation (most body lines) or holding no space is rejected without running them.

    >>> _may_end_with_name("市城管局党组书记、局长  杜  宇 "), _may_end_with_name("我县全面启动创先争优活动。")
    (True, False)
    """
    end = (line[:-1] if line.endswith("\n") else line).rstrip(SPACE)
    if not end or not "\u4e00" <= end[-1] <= "\u9fff":
        return False
    return " " in line or "\u3000" in line or "\t" in line or "\u00a0" in line


def parse_byline_line(line: str) -> Byline | None:
    """A whole line that is a byline: position + spaces + name, or a spaced name alone.

    >>> parse_byline_line("中共台州市委常委、组织部长  马晓晖")
    Byline(author='马晓晖', position='中共台州市委常委、组织部长')
    >>> parse_byline_line("栗 俊 昌")
    Byline(author='栗俊昌', position=None)
    >>> parse_byline_line("突出实践性  增强实效性") is None
    True
    """
    if not _may_end_with_name(line):
        return None
    match = _byline_line().match(line)
    if match:
        name = join_name(match["name"])
        position = _clean_position(match["position"])
        if is_person_name(name) and position and not _NOT_AUTHOR_ROLE.search(position):
            return Byline(name, position)
        return None
    match = _SPACED_NAME_LINE.match(line)
    if match:
        name = join_name(match["name"])
        if is_person_name(name):
            return Byline(name, None)
    return None


def is_plain_name_line(line: str) -> str | None:
    """A line that is only a 2–3 character name (``张忠惠``); the caller decides if its place makes it a byline."""
    stripped = line.strip(SPACE)
    return stripped if _PLAIN_NAME.fullmatch(stripped) and is_person_name(stripped) else None


# The end of a heading that a byline was glued to: a document-type word or closing punctuation
# (015 `…综合执法工作报告市城管局党组书记、局长  杜  宇`, 026 `…全文来了！【同期】香港特区…长官 李家超`).
_HEADING_END = re.compile(r"(?:报告|讲话|发言|致辞|总结|体会|意见|通知|决定|方案|[！!？?】」》)])")


# A byline glued to the end of a heading: position, a space run, a (spaced) name, at the end of the line
# (`…工作报告市城管局党组书记、局长  杜  宇`).
_GLUED_BYLINE = re.compile(
    rf"(?P<position>[^{SPACE}，。；,;]{{2,40}}?{POSITION_SUFFIX})[{SPACE}]+"
    rf"(?P<name>[{HAN}](?:[{SPACE}]*[{HAN}]){{1,3}})[{SPACE}]*$"
)


def split_glued_byline(line: str) -> tuple[str, Byline] | None:
    """Split a heading line whose end is a byline into (heading, byline).

    >>> split_glued_byline("2022年城市管理和综合执法工作报告市城管局党组书记、局长  杜  宇")
    ('2022年城市管理和综合执法工作报告', Byline(author='杜宇', position='市城管局党组书记、局长'))
    """
    match = _GLUED_BYLINE.search(line) if _may_end_with_name(line) else None
    if not match:
        return None
    name = join_name(match["name"])
    if not is_person_name(name):
        return None
    head = line[: match.start("position")]
    position = match["position"]
    ends = list(_HEADING_END.finditer(position))
    # the position starts after the last heading end inside the candidate (报告|市城管局…)
    cut = 0
    for end in ends:
        if end.end() < len(position) - 2:
            cut = end.end()
    head += position[:cut]
    position = _TV_TAG.sub("", position[cut:])  # 【同期】 is a TV-script tag
    if not head.strip(SPACE) or _NOT_AUTHOR_ROLE.search(position):
        return None
    return head.rstrip(SPACE), Byline(name, _clean_position(position))


@functools.lru_cache(maxsize=1)
def _reporter_pattern() -> re.Pattern:
    # `(记者 傅长琪)`, `【嘉云特派员陈信利/嘉义县报导】`, `记者刘秀敏/台北报导`, `本报记者　张忠德`,
    # `全媒体记者:王勃 陶然`, `记者吴文隆、廖瑞铭台南报导`: a reporter role, optional separator, a name, and a
    # delimiter after it (so 记者发现… or 记者李晓萌今天… never yield a guessed name).
    return re.compile(
        rf"(?P<prefix>(?<=[【\[(（])[{HAN}]{{1,4}}|(?:全媒体|融媒体|首席|特约|实习|驻站|本报|本网|本台|本刊))?"
        rf"(?P<role>记者|特派员|通讯员)[{SPACE}:：]*"
        rf"(?P<name>{_surname_pattern()}[{HAN}]{{1,2}})"
        rf"(?=[{SPACE}/／、,，)）】\]]|报道|报导|摄|实习生|通讯员|发自|$|{_BROKEN_AFTER_NAME}"
        # `(中央社记者叶素萍台北10日电)`: a dateline (place, day, 电) right after the name
        rf"|[{HAN}]{{2,6}}?\d{{1,2}}日电)"
    )


# A decoding-damage marker right after a bylined name (devset 047 `本报记者　张忠德?１颈ㄍㄑ对薄…`: GBK bytes
# shifted by one): `?`/U+FFFD followed by more damage never continues a name, so the name is delimited.
_BROKEN_AFTER_NAME = r"[?？\ufffd](?![\u4e00-\u9fff]{2})"


# The role words of a reporter tag, and the longest prefix before one (`【嘉云` + 特派员: a bracket's 1–4 Han
# characters; `全媒体`, `本报` are shorter).
_REPORTER_ROLES = ("记者", "特派员", "通讯员")
_REPORTER_PREFIX_LONGEST = 4


def _reporter_matches(text: str):
    """Exactly ``_reporter_pattern().finditer(text)``, tried only where a match can start.

    A match is a prefix of up to ``_REPORTER_PREFIX_LONGEST`` characters, a role word and what follows; so it
    starts at most that far before a role word, and trying those indexes in order from where the last match ended
    finds what ``finditer`` finds. Searched from every character, the optional prefix cost ~5 % of the author
    scorer. ``tests/test_people.py`` compares the two on generated texts.

    >>> [m["name"] for m in _reporter_matches("本网讯(记者 傅长琪)，记者发现 【嘉云特派员陈信利/嘉义县报导】")]
    ['傅长琪', '陈信利']
    """
    pattern = _reporter_pattern()
    roles = sorted(at for role in _REPORTER_ROLES for at in _occurrences(text, role))
    tried = 0  # every index before this was tried or is inside a match found
    for role in roles:
        start = max(tried, role - _REPORTER_PREFIX_LONGEST)
        while start <= role:
            match = pattern.match(text, start)
            if match is None:
                start += 1
                continue
            yield match
            start = match.end()
        tried = max(tried, start)


def _occurrences(text: str, word: str) -> list[int]:
    """Every index ``word`` starts at in ``text``."""
    found, at = [], text.find(word)
    while at != -1:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def find_reporter(text: str) -> Byline | None:
    """The first reporter named in a tag (author = first reporter; co-authors are ignored).

    >>> find_reporter("本网讯(记者 傅长琪)")
    Byline(author='傅长琪', position='记者')
    >>> find_reporter("【嘉云特派员陈信利/嘉义县报导】")
    Byline(author='陈信利', position='嘉云特派员')
    >>> find_reporter("记者 义永华/文 杨波/摄")
    Byline(author='义永华', position='记者')
    >>> find_reporter("(中央社记者叶素萍台北10日电)")
    Byline(author='叶素萍', position='记者')
    >>> find_reporter("许多句子引起了记者的关注") is None
    True
    """
    if "记者" not in text and "特派员" not in text and "通讯员" not in text:
        return None  # the role word is required by the pattern
    for match in _reporter_matches(text):
        name = match["name"]
        after = text[match.end():match.end() + 2]
        if after.startswith("摄") or after.startswith("/摄") or not is_person_name(name):
            continue
        prefix = match["prefix"] or ""
        if prefix in ("本报", "本网", "本台", "本刊") or _OUTLET_CHARACTER.search(prefix):
            prefix = ""
        position = prefix + match["role"]
        if _NOT_AUTHOR_ROLE.search(position):
            continue
        return Byline(name, position)
    return None


@functools.lru_cache(maxsize=1)
def _credit_pattern() -> re.Pattern:
    # `(文/图 刘玺东 易赛楠)`, `文/张三`: a writer credit without a role word.
    return re.compile(
        rf"(?:^|[（(【\[{SPACE}])(?:(?:文/图|文图|撰文)(?:[{SPACE}]*[/／:：][{SPACE}]*|[{SPACE}]+)|文[/／:：])"
        rf"(?P<name>{_surname_pattern()}[{HAN}]{{1,2}})(?=[{SPACE}/／、,，)）】\]]|$)"
    )


def find_writer_credit(text: str) -> Byline | None:
    """
    >>> find_writer_credit("(文/图 刘玺东 易赛楠)")
    Byline(author='刘玺东', position=None)
    """
    if "文" not in text:
        return None  # every credit word (文/, 文图, 撰文) holds 文
    for match in _credit_pattern().finditer(text):
        if is_person_name(match["name"]):
            return Byline(match["name"], None)
    return None


@functools.lru_cache(maxsize=1)
def _transcript_intro_pattern() -> re.Pattern:
    # `以下为署理行政长官唐英年于六月二日就…会见新闻界的谈话全文(中文部分):`, `以下是行政长官李家超今日在…的致辞：`
    # (government press releases): the transcript that follows is this person's own words.
    return re.compile(
        rf"^[{SPACE}]*(?:以下|下面)(?:为|是)(?P<position>[^，。,；;\s]{{2,30}}?{POSITION_SUFFIX})"
        rf"(?P<name>{_surname_pattern()}[{HAN}]{{1,2}})(?:先生|女士|同志)?"
        r"(?:今日|今天|昨日|昨天|日前|于|在|就|出席|接受)[^。！？]{0,150}?"
        r"的(?:讲话|谈话|致辞|致词|发言|演辞|演讲|声明|答问|开场发言)(?:全文|内容|实录|摘要)?"
    )


def find_transcript_speaker(text: str) -> Byline | None:
    """The speaker a transcript's intro line names: the text is that person's statement, so they are its author.

    >>> find_transcript_speaker("以下为署理行政长官唐英年于六月二日就国务院批准"
    ...                         "有关人事安排会见新闻界的谈话全文(中文部分):")
    Byline(author='唐英年', position='署理行政长官')
    >>> find_transcript_speaker("以下为记者整理的部分问答内容：") is None
    True
    """
    for line in text.split("\n"):
        match = _transcript_intro_pattern().match(line)
        if match and is_person_name(match["name"]):
            return Byline(match["name"], _clean_position(match["position"]))
    return None


@functools.lru_cache(maxsize=1)
def _closing_credit_pattern() -> re.Pattern:
    # `…南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）` and `。（张巨峰 李明）`: a news report's writer
    # credited in brackets after its last sentence (provincial papers and their portals).
    return re.compile(
        rf"[。！？!?”」][{SPACE}]*[（(](?P<name>{_surname_pattern()}[{HAN}]{{1,2}})"
        rf"(?:[{SPACE}、,，]+[{HAN}]{{2,3}}){{0,3}}(?<![摄图])[)）][{SPACE}]*$"  # `（刘通摄）` is a photo credit
    )


def find_closing_credit(text: str) -> Byline | None:
    """The writer credited in brackets at the very end of a report.

    >>> find_closing_credit("南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）")
    Byline(author='张巨峰', position=None)
    >>> find_closing_credit("活动现场。（刘通摄）") is None, find_closing_credit("全文完。（完）") is None
    (True, True)
    """
    match = _closing_credit_pattern().search(text.rstrip())
    if match and is_person_name(match["name"]):
        return Byline(match["name"], None)
    return None


@dataclass(frozen=True)
class SpeechNote:
    author: str
    position: str | None
    date: str | None  # the raw date text if the note states one


@functools.lru_cache(maxsize=1)
def _speech_note_pattern() -> re.Pattern:
    # `（根据定安县委副书记张忠惠在…上的讲话整理）`
    return re.compile(
        rf"根据(?P<position>[^，。,；\s]{{2,30}}?{POSITION_SUFFIX})"
        rf"(?P<name>{_surname_pattern()}[{HAN}]{{1,2}})(?:同志)?在(?P<event>[^。；]{{0,80}}?)"
        r"(?:上|时|期间)的(?:讲话|发言|报告|致辞|辅导报告|党课)"
    )


def parse_speech_note(text: str) -> SpeechNote | None:
    """
    >>> parse_speech_note("(根据定安县委副书记张忠惠在2010年7月9日全县创先争优活动推进会上的讲话整理)")
    SpeechNote(author='张忠惠', position='定安县委副书记', date='2010年7月9日')
    """
    for match in _speech_note_pattern().finditer(text):
        name = match["name"]
        if not is_person_name(name):
            continue
        date = _EVENT_DATE.search(match["event"])
        return SpeechNote(name, _clean_position(match["position"]), date.group(0) if date else None)
    return None


@functools.lru_cache(maxsize=1)
def _speaker_pattern() -> re.Pattern:
    # `县委书记张壮雄出席会议并讲话`, `县委副书记、县长董毓民作政府工作报告`, `山西省委书记袁纯清在…上表示`
    return re.compile(
        # The position, `(?:[省市县区州镇乡旗](?:委副?书记|长)|特首|行政长官|总统|主席)`, is written with one
        # character class first and a look-behind telling the alternatives apart (the classes are disjoint): the
        # same matches, but `re` then skips ahead to the next of these characters instead of trying every
        # alternative at every position of the body (about twice as fast; tests/test_people.py compares the two).
        r"[省市县区州镇乡旗特行总主](?:(?<=[省市县区州镇乡旗])(?:委副?书记|长)|(?<=特)首|(?<=行)政长官|(?<=总)统|(?<=主)席)"
        rf"(?P<name>{_surname_pattern()}[{HAN}]{{1,2}})"
        r"(?=出席|主持|作|发表|在会上|在.{0,30}?(?:上|时)(?:表示|讲话|指出|强调|致辞)|讲话|强调|指出|致辞|宣誓)"
    )


def find_speaker(text: str) -> str | None:
    """The person a report presents as speaking (position before the name, speech verb after it).

    >>> find_speaker("会上,县委书记张壮雄出席会议并讲话。")
    '张壮雄'
    >>> find_speaker("县委书记孙颖也做出了书面专题部署") is None
    True
    """
    for match in _speaker_pattern().finditer(text):
        if is_person_name(match["name"]):
            return match["name"]
    return None
