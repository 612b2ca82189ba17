"""Title line tests and cleaning: what a heading line looks like, a title cleaned of column tags and site
tails, a wrapped official title joined, a cut title completed. Pure functions on strings; change nothing.
"""

from __future__ import annotations

import functools
import re

from pipeline.stages.metadata import people
from pipeline.stages.metadata.patterns import (
    _ANY_PUNCT,
    _CHROME,
    _DATE_LINE,
    _DOCUMENT_TITLE,
    _HAN_CHARACTER,
    _NO_WORDS,
    _NON_HEADING_END,
    _ORIGINAL_TITLE,
    _SENTENCE_PUNCT,
    _TITLE_HEAD,
    _TITLE_TAIL,
    _TRUNCATED_TITLE,
    SPACE,
    _collapse,
)


def is_heading_line(line: str, max_chars: int = 60) -> bool:
    """A short line without sentence punctuation or terminal comma/full stop, that is not page chrome.

    >>> is_heading_line("突出实践性  增强实效性"), is_heading_line("同志们:"), is_heading_line("时间:2022-11-24")
    (True, False, False)
    """
    text = _collapse(line)
    if not text or len(text) > max_chars or _SENTENCE_PUNCT.search(text) or _NON_HEADING_END.search(text):
        return False
    if _CHROME.search(text) or _DATE_LINE.match(text) or _NO_WORDS.fullmatch(text):
        return False
    tokens = text.split(" ")
    if len(tokens) >= 4 and all(len(t) <= 4 for t in tokens):
        return False  # a navigation row (网站首页 工作范例 办公范例 …)
    return True


# Labels and counters in front of a title: `标题：`, `本文标题:`, `主题: ` (a forum thread), `文件名称 | `
# (a government file table), `篇一:` / `第1篇 ` (a compilation), `(25篇)`, `[嘉宾文论] ` (a forum column).
_TITLE_LABEL = re.compile(
    rf"^(?:(?:本文|文章|文件)?(?:标题|题目|名称)|主题)[{SPACE}]*[:：|][{SPACE}]*"
    rf"|^(?:篇[一二三四五六七八九十\d]{{1,3}}|第[一二三四五六七八九十\d]{{1,3}}篇)(?:[:：][{SPACE}]*|[{SPACE}]+)"
    rf"|^[(（【\[]\d{{1,3}}篇[)）】\]][{SPACE}]*"
    rf"|^\[[^\]]{{2,6}}\][{SPACE}]*"
)
# A date (and weekday) in front of a title: `2019年1月14日(星期一) 2019年法律年度开启典礼…`.
_TITLE_DATE_HEAD = re.compile(rf"^\d{{4}}年\d{{1,2}}月\d{{1,2}}日(?:[(（]星期[一二三四五六日天][)）])?[{SPACE}]+")
# A speaker's name in front of a speech title: `徐结强:在市八届人大五次会议上…的讲话` (checked against the
# surname list, so `山西省委书记：…` and `党课讲稿：…` keep their head).
_NAME_HEAD = re.compile(rf"^(?P<name>[{people.HAN}]{{2,3}})[:：][{SPACE}]*(?=[{people.HAN}“\"《「])")
# A column word the site prints twice, once as a prefix: `党课讲稿 党课讲稿:中国共产党的精神力量`.
_DOUBLED_HEAD = re.compile(rf"^(?P<word>[^{SPACE}]{{2,8}})[{SPACE}]+(?=(?P=word))")
# File-site and edition tails: `…讲话稿Word下载.docx`, `…讲话全文.docx`, `…(只有中文)`, `…(附中英文)`,
# `…(中文译本)`, `…(全文1896字)`, `…(岳办发〔2017〕2号)` (the document number), `…范文`, `…7篇`.
_FILE_TAIL = re.compile(
    r"(?:Word下载|全文)?\.(?:docx?|pdf|txt|pptx?|wps)$"
    r"|[(（](?:只有中文|附中英文|中英文|中文译本|全文\d*字?|[^()（）]{1,10}〔\d{4}〕\d{1,4}号)[)）]$"
    r"|(?<=[\u4e00-\u9fff]{4})(?:范文|\d{1,2}篇)$"
)
# A site name after a separator with spaces: `… -- 宝应信息港0514.cc!`, `… | 某某新闻网`, a trailing ` |`.
_SITE_TAIL = re.compile(
    rf"[{SPACE}]+(?:--|—+|-|\||_)[{SPACE}]*[^{SPACE}|_]{{2,20}}?(?:网|站|港|频道|在线|\.(?:cc|com|cn|net|org|hk|tw)!?)$"
    rf"|[{SPACE}]*[|｜]+$"
    rf"|(?:[\[【(（]组?图[\]】)）])?_[\u4e00-\u9fff]{{2,10}}$"
)
# A column tag and what follows it at the end of a headline: `…致辞全文来了! 【同期】特区行政长官 某某`.
_TAG_TAIL = re.compile(rf"[{SPACE}]+【(?:同期|视频|图文|原创|转载|独家|直播|专题)】.*$")
# Anti-scraping noise after a forum title: `…说理技巧解读8 [; o H! @9 B! f& ?# \` (ASCII, mostly symbols).
_NOISE_TAIL = re.compile(r"(?<=[\u4e00-\u9fff])[\x21-\x7e]?(?:[ ]+[\x21-\x7e]{1,3}){4,}[ ]*$")
# A bullet between Han characters is a middle dot (`重庆•西南大学` = `重庆·西南大学`).
_HAN_BULLET = re.compile(r"(?<=[\u4e00-\u9fff])[•・](?=[\u4e00-\u9fff])")


def clean_title(title: str) -> str | None:
    """Strip site/compilation decoration and collapse inner spaces: column tags (`【通用三篇】`, `(2篇)`,
    `[嘉宾文论]`), labels (`标题：`, `主题:`, `篇一:`), a speaker's name (`徐结强:`), a source paper
    (`《衢州日报》`), a leading date, file-site and edition tails (`Word下载.docx`, `(只有中文)`) and site names
    after a separator (`_范文网`, ` -- 宝应信息港0514.cc!`). Leaves alone a head that is part of the title
    (`山西省委书记：…`, `党课讲稿：…`, `【不忘初心 牢记使命】…`).

    >>> clean_title("市长安全生产讲话【通用三篇】"), clean_title("《衢州日报》感恩奋进  实干争先")
    ('市长安全生产讲话', '感恩奋进 实干争先')
    >>> clean_title("主题: 再致全县父老乡亲的一封信"), clean_title("领导干部大会上市长讲话稿Word下载.docx")
    ('再致全县父老乡亲的一封信', '领导干部大会上市长讲话稿')
    >>> clean_title("防汛抗灾工作部署 -- 宝应信息港0514.cc!"), clean_title("山西省委书记：煤老板将淡出历史舞台")
    ('防汛抗灾工作部署', '山西省委书记：煤老板将淡出历史舞台')
    """
    return _cleaned_title(title)


# A page cleans the same heading line several times (the rules' title, the ranker's candidate, the title printed
# again): a pure function of the line, so it is cleaned once. Bounded: a page has a few dozen heading lines.
@functools.lru_cache(maxsize=1024)
def _cleaned_title(title: str) -> str | None:
    text = _HAN_BULLET.sub("·", _collapse(title))
    for _ in range(3):
        new = _TITLE_LABEL.sub("", _TITLE_DATE_HEAD.sub("", _DOUBLED_HEAD.sub("", text)))
        name = _NAME_HEAD.match(new)
        if name and people.is_person_name(name["name"]):
            new = new[name.end():]
        new = _TITLE_TAIL.sub("", _TITLE_HEAD.sub("", _NOISE_TAIL.sub("", _TAG_TAIL.sub("", new))))
        new = _SITE_TAIL.sub("", _FILE_TAIL.sub("", new)).strip()
        if new == text:
            break
        text = new
    return text or None


def _may_repeat(line: str, title: str) -> bool:
    """False when ``clean_title(line) == title`` is impossible: a word of the title is missing from the line.

    ``clean_title`` only collapses space runs and cuts a head and a tail, so each space-free part of the title
    is a substring of the line itself (a cheap test before cleaning every long body line of the heading zone).

    >>> _may_repeat("安全生产  警钟长鸣【通用三篇】", "安全生产 警钟长鸣")
    True
    >>> _may_repeat("同志们：今天我们召开会议", "安全生产")
    False
    """
    if "•" in line or "・" in line:
        line = _HAN_BULLET.sub("·", line)
    for part in title.split(" "):
        if part not in line:
            return False
    return True



def is_long_title(line: str, max_chars: int = 100) -> bool:
    """A long heading with no punctuation at all (a thread title with spaces between its phrases).

    >>> is_long_title("赖清德总统伉俪偕同萧美琴副总统 在台南福尔摩沙游艇酒店以国晏款待 各国贵宾 "
    ...               "感谢大家远道而来 带给台湾人民坚定的友谊")
    True
    >>> is_long_title("今年安全生产月的主题是安全责任重在落实 一起起安全生产事故在不停地呼唤着我们的责任，血的教训")
    False
    """
    text = _collapse(line)
    if not text or len(text) > max_chars or _ANY_PUNCT.search(text) or _CHROME.search(text):
        return False
    return len(_HAN_CHARACTER.findall(text)) >= 0.8 * len(text.replace(" ", ""))


def _joined_document_title(lines: list[tuple[int, str]], start: int) -> tuple[str, list[int]] | None:
    """An official title wrapped over 2–3 adjacent lines (…委员会 / 关于…及 / 调整…的决议)."""
    parts, indices = [_collapse(lines[start][1])], [start]
    if _DOCUMENT_TITLE.search(parts[0]):
        return None
    for k in range(start + 1, min(start + 3, len(lines))):
        text = _collapse(lines[k][1])
        if not text or not is_heading_line(text):
            return None
        parts.append(text)
        indices.append(k)
        if _DOCUMENT_TITLE.search("".join(parts)):
            return "".join(parts), indices
    return None



def _spaced_prefix_end(text: str, heading: str) -> int | None:
    """Where ``text`` stops repeating ``heading`` (a collapsed line: its single spaces match any space run).

    Same as matching ``[SPACE]*`` + the heading with each space as ``[SPACE]+``, without compiling a pattern per
    document (each heading is a new pattern, and compiling it cost more than the rest of the stage).

    >>> _spaced_prefix_end("  安全生产  警钟长鸣   王新平", "安全生产 警钟长鸣")
    12
    >>> _spaced_prefix_end("安全 生产", "安全生产") is None
    True
    """
    if not heading:
        return 0  # `[SPACE]*` then the name's own `[SPACE]+`
    position = len(text) - len(text.lstrip(SPACE))
    for k, token in enumerate(heading.split(" ")):
        if k:
            after = len(text) - len(text[position:].lstrip(SPACE))
            if after == position:
                return None
            position = after
        if not text.startswith(token, position):
            return None
        position += len(token)
    return position



def _completed_title(truncated: str, lines: list[str]) -> str | None:
    """The full title a page quotes (`本文原标题：《…》`) when the heading was cut with an ellipsis.

    >>> _completed_title("定了！南沙邮轮母港即将开通！地铁直达+无敌免...",
    ...                  ["本文原标题：《定了！南沙邮轮母港即将开通！地铁直达+无敌免税城......》搭地铁"])
    '定了！南沙邮轮母港即将开通！地铁直达+无敌免税城......'
    """
    stem = _TRUNCATED_TITLE.sub("", truncated)
    for line in lines:
        for match in _ORIGINAL_TITLE.finditer(line):
            full = clean_title(match["title"])
            if full and len(stem) >= 4 and full.startswith(stem) and len(full) > len(stem):
                return full
    return None
