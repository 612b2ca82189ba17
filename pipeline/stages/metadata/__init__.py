"""Metadata extraction stage: split multi-article files; title, subtitle, author, region, dates, source note.

Changes: a file holding several articles (title + byline blocks, seed 000) becomes one document per article
(``article_index`` 0, 1 …; series/editor note fields are copied to each). Title, subtitle and byline lines
(and a byline glued to the end of a heading) are taken out of ``text`` into fields and recorded as removals
(``metadata.title`` / ``metadata.subtitle`` / ``metadata.byline``); a closing source note (（根据…讲话整理）,
（来源：…）) goes to ``source_note`` (``metadata.source_note``). Fields already set by earlier stages
(``published_at`` from a page header) are kept. Lines above the headline that are page structure are removed
too: a column label (``metadata.column_label``: 社会广角 named in the breadcrumb, 焦点新闻, a ``话题 - 名字``
topic header) and, when the page printed its headline twice, short lines above it (``metadata.above_title``).
A bracketed writer credit closing a report (``。（张巨峰）``) leaves the text as ``metadata.byline``.

Evidence used, strongest first: title (a headline repeated on the page wins; an official title wrapped over
lines is joined; a title cut with ``...`` is completed from ``原标题：《…》``), author (byline, reporter tag,
writer credit, name after a repeated title, closing credit, a transcript intro ``以下为<职务><姓名>…的谈话全文``,
speech note), region (byline organisation, title, dateline, an outlet's ``中山文明网讯``, 来源, a reporter's
``…/台北报导``, then the body; self-references 我县/我区/区委/本港/特区政府 let a place named once count; only when
none of these names a place, the page's breadcrumb path, the site name in its ``<title>`` or a disclosure table's
发布机构; letter-spaced text is read unspaced;
places visited, visitors' home places, universities, enumerations and a single cited paragraph count little
or nothing), dates (page time, e-paper issue tag ``…报20240110期``, a date/adoption line under the title).

Leaves alone: punctuation and spacing of the body (the punctuation stage runs after this one); body lines
that only mention people or places; debris lines (the artifacts stage's job) other than the ones whose value
becomes a field here. A name is only taken from a byline, a reporter tag, a writer credit or a speech note,
never from running text (胡锦涛, 卫留成 in the body stay out); when unsure, the field stays None.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from pipeline import models
from pipeline.document import Document, Removal
from pipeline.models import titles
from pipeline.stages.metadata import people, regions
from pipeline.stage_configs import MetadataConfig

SPACE = people.SPACE

# Sentence punctuation: a line containing it inside is running text, not a heading.
_SENTENCE_PUNCT = re.compile(r"[。；;]|[，,].*[，,]")
# Heading lines end without these (a title may end with ！, as in 040 `定了！…`).
_NON_HEADING_END = re.compile(r"[。；;，,：:、]$")
# Navigation rows and page chrome that may still be in the text when the artifacts stage did not run:
# `当前位置: > 阅览室 >`, `网站首页 工作范例 办公范例 …`, `来源:市城管局   2022-03-10 11:51`, e-paper `第03版`.
_CHROME = re.compile(
    r"[>|»]|首页|当前位置|您的位置|来源[:：]|时间[:：]|发布|浏览|点击|阅读量|人气|栏目[:：]|作者[:：]|编辑[:：]|"
    r"分享到|打印|字号|https?://|www\.|\.com|ICP|版权|Copyright|©|第[A-Z]?\d{1,3}版"
)
# Date-only or occasion lines under a heading: `(2019年3月31日)`, `2019年3月2日在浮山县…会议上`.
# Also an adoption line under a resolution's title: `（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）`.
_DATE_LINE = re.compile(
    r"^[(（]?[—\-]*(?P<date>\d{4}年\d{1,2}月\d{1,2}日)[)）]?"
    r"(?:在.{0,60}上|[^()（）。，,]{0,60}?(?:通过|批准|修订|修正|公布|印发))?[)）]?$"
)
# Title tails that are site or compilation decoration, not part of the title:
# `市长安全生产讲话【通用三篇】`, `…心得体会范文(2篇)`, `…(人民观察)`, `…_范文网`, `…-XX网`.
_TITLE_TAIL = re.compile(
    r"(?:[_|\-－—]+[^_|\-－—]{1,15}(?:网|站|频道|范文|文库)$"
    r"|[【\[(（][^】\])）]{0,10}(?:篇|通用|精选|范文|合集|最新|推荐|观察|汇编|大全|整理)[^】\])）]{0,4}[】\])）]$"
    r"|[【\[(（]\d+[】\])）]$|篇\d+$|【[^】]{1,4}】$"
    r"|(?<=[\u4e00-\u9fff]{6})[_|\-－][\u4e00-\u9fff]{1,8}$)"
)
# An occasion line above a speech title: `在全县处级领导…结业仪式上的讲话` (devset 011).
_OCCASION_LINE = re.compile(r"^在.{2,60}(?:会|式|典礼|班|仪式)上的(?:讲话|发言|致辞|报告|主持词)$")
# SogouCS-style records: `<contenttitle>山西省委书记：煤老板将淡出历史舞台</contenttitle>`.
_RECORD_TAG = re.compile(r"^\s*</?[a-z]+>(?:.*</[a-z]+>)?\s*$")
_CONTENT_TITLE = re.compile(r"^\s*<contenttitle>(?P<title>.*)</contenttitle>\s*$")
# Title heads that are a column tag or a source paper: `【卷首语】`, `《衢州日报》`.
_TITLE_HEAD = re.compile(r"^(?:【(?:卷首语|同期|原创|转载|独家|视频|图文)】|《[^》]{2,8}(?:日报|晚报|报|杂志)》)")
# 范文-site template sentences that name the topic (seed 001 `本站小编为你精心准备了围绕推进争先创优座谈会
# 发言参考范文,愿这些范文…`; devset 035 `范文社小编为你整理了…`).
_TEMPLATE_TOPIC = re.compile(
    r"(?:小编|本站|编辑)[^，,。]{0,20}?(?:围绕|关于|有关)(?P<topic>[^，,。]{2,40}?)(?:的)?(?:参考)?(?:范文|文章|范例)"
)
# `收藏《述职报告的写作》` left by a 范文 site (devset 003).
_COLLECT_TITLE = re.compile(r"收藏《(?P<topic>[^》]{2,60})》")
# Closing source notes: `(根据定安县委副书记张忠惠在…上的讲话整理)`, `（来源：大众日报）`.
_SOURCE_NOTE_LINE = re.compile(r"^[(（](?:根据|来源[:：]|本文来源|转自|摘自|原载)[^()（）]{2,120}[)）]$")
# Page times still in the text: `时间:2022-11-24 08:47:00`, `发布日期:2020-07-21`, `2020-05-27 08:34:55来源:`,
# `发布:2019/12/01 22:21`, `• 2022-03-29 发布`, `发布于 2022-12-25`.
_PAGE_TIME = re.compile(
    r"(?:(?:发布|发表|更新|时间|日期|发布时间|发布日期|发表日期|发布于)[^0-9\n]{0,4}"
    r"(?P<a>\d{2,4})[-/年.](?P<b>\d{1,2})[-/月.](?P<c>\d{1,2})日?"
    r"|(?P<d>\d{4})[-/](?P<e>\d{1,2})[-/](?P<f>\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?[^\n]{0,3}(?:发布|来源|$))"
)
# Self-references that confirm a level of the region found elsewhere (never evidence alone).
_SELF_REFERENCE_WORDS = {
    # Hong Kong and Macau speak of themselves as 本港/全港 and 特区政府 (the SAR government)
    "province": ("我省", "全省", "本省", "本港", "全港", "特区政府"),
    "city": ("我市", "全市", "本市"),
    # a city district speaks of itself as 我区/全区 and of its party committee as 区委 (as a county does of 县委)
    "county": ("我县", "全县", "本县", "我区", "全区", "区委"),
}
# 区委 inside 社区委员会, 园区委员会, 景区委员会 is a neighbourhood's or a park's committee, not a district's.
_OTHER_COMMITTEE = "(?<![社园景校片])"
_SELF_REFERENCE = {
    level: re.compile("|".join(_OTHER_COMMITTEE + word if word == "区委" else word for word in words))
    for level, words in _SELF_REFERENCE_WORDS.items()
}
# Lines that belong to the host site rather than the document: footers, contact blocks, photo credits.
# 主办/承办 only as a label (`主办单位：…`): `本次会议由…主办，…承办` is a body sentence (devset 039).
_FOOTER_LINE = re.compile(
    r"版权|Copyright|ICP|备案|地址[:：]|电话[:：]|邮箱|(?:主办|承办)(?:单位)?[:：]|技术支持|网络支持|摄$|摄[)）]"
)
# Every alternative of _FOOTER_LINE holds one of these literally: a line with none of them is not a footer
# (one search for the literal alternation is ~5x cheaper than _FOOTER_LINE, ~2.5x cheaper than 12 `in` tests).
_FOOTER_MARKERS = ("摄", "版权", "Copyright", "ICP", "备案", "地址", "电话", "邮箱", "主办", "承办", "技术支持", "网络支持")
_FOOTER_MARKER = re.compile("|".join(map(re.escape, _FOOTER_MARKERS)))
# The place a reporter files from, at the end of a reporter tag: `记者刘秀敏/台北报导`,
# `记者吴文隆、廖瑞铭台南报导`, `本报北京5月3日电`. The place is the last one right before 报导/报道/电.
# The day alone is common too: `中央社记者叶素萍台北10日电` (CNA), `新华社北京10日电`.
_REPORTED_FROM = re.compile(rf"(?P<head>[^\n]{{0,30}}?)(?:(?:\d{{1,2}}月)?\d{{1,2}}日)?(?:报导|报道|电)(?:[】\])）{SPACE}]|$)")
# The article's own source line, removed by the artifacts stage: `时间:… 来源:荣成市融媒体中心 浏览次数:`.
_SOURCE_LABEL = re.compile(r"(?:来源|来源于|稿源)[:：|]\s*(?P<source>[^\s|]{2,20})")
# Page structure that names the site's own place, read only when the document itself names no locale (weak
# evidence): a breadcrumb (`首页 / 宿城区 / 正文`), the site name after the headline in the page's <title>
# (`…开幕_海口网`), the publisher cell of a government disclosure table (`发 布 机 构: | 沂水县沙沟镇 |`; its
# labels are often letter-spaced). Footers, copyright, ICP and contact lines are never read: a host's address is
# not the locale of what it hosts (the dev set's 民权县, 淳安县 and 太原 footers).
# A nav row is read only as a path (`首页 >> 新闻动态 >> 牟定动态`, `首页 / 宿城区 / 正文`): a lone menu item is a link to
# anything, a sponsor or another county's office (`云林县政府文化观光处` in a 嘉义县 news site's menu).
_BREADCRUMB_PATH = re.compile(rf"[{SPACE}]*(?:>+|»|/|-|当前位置|您的位置)[{SPACE}]*")
_PUBLISHER_LABEL = re.compile(
    rf"(?:发[{SPACE}]*布[{SPACE}]*机[{SPACE}]*构|发文机关|发布单位)[{SPACE}]*[:：][{SPACE}|]*(?P<publisher>[^{SPACE}|]{{2,20}})"
)
# The separator between a page <title>'s headline and the column / site names after it (`标题_栏目_某某网`).
_PAGE_TITLE_SEPARATOR = re.compile(rf"[{SPACE}]*[_|｜\-－—–]+[{SPACE}]*")
# A dateline at the start of a report: `中新网太原5月31日电`, `新华社杭州7月31日电`.
# The month may be left out (`（中央社记者管瑞平苗栗县8日电）`).
_DATELINE = re.compile(r"^[^，,。]{0,12}?(?P<place>[\u4e00-\u9fff]{2,6}?)(?:\d{1,2}月)?\d{1,2}日电")
# A local outlet's dateline at the start of a report: `中山文明网讯`, `滁州网讯`, `红网湘潭县分站1月22日讯`; the
# outlet is named after the place it reports from (`本网讯` names none).
_OUTLET_DATELINE = re.compile(r"^(?P<outlet>[\u4e00-\u9fff]{2,12}?)(?:\d{1,2}月\d{1,2}日)?讯")


# Breadcrumb and header rows split into their parts (`当前位置: > 阅览室 > 社会广角 >`, `焦点新闻   2022-12-26`):
# a heading line equal to one of them is the page's column, not the article's title.
_LABEL_SPLIT = re.compile(rf"[>»|/\-－—_:：{SPACE}]+|\d[\d\-/.: ]*")
# Column names by their last word (`焦点新闻`, `时政要闻`, `工作动态`): a label when a headline follows.
_COLUMN_LABEL = re.compile(r"^[\u4e00-\u9fff]{0,4}(?:新闻|要闻|动态|快讯|资讯|头条|公告|聚焦|视点|专题|广角|话题)$")
# A topic header above the government headline, with a web-title separator (`迎接新的特首 - 曾荫权`).
_TOPIC_SEPARATOR = re.compile(rf"[{SPACE}][-–—|][{SPACE}]")
# A long heading must carry no punctuation at all (a forum thread title; devset 025).
_ANY_PUNCT = re.compile(r"[，,。；;：:、“”\"'（）()【】《》_|<>/\\\[\]]")
# An official-document title wrapped over lines (devset 037 `全国人民代表大会常务委员会` / `关于批准…及` /
# `调整…限额的决议`): the joined lines read `…关于…的<document type>`.
_DOCUMENT_TITLE = re.compile(
    r"关于.{2,80}的(?:决议|决定|通知|通报|意见|办法|规定|条例|公告|批复|报告|方案|纲要|细则|函)$"
)
# A flattened blog/BBCode page repeats the title with the author's name after it (devset 031
# `安全生产警钟长鸣 安全责任重在落实   王新平   今年安全生产月的主题是…`): title, space run, name, space run.
_NAME_AFTER_TITLE = re.compile(rf"[{SPACE}]+(?P<name>[{people.HAN}]{{2,3}})[{SPACE}]{{2,}}(?=[{people.HAN}“\"「])")
# A truncated title (`…地铁直达+无敌免...`) and the full one the page quotes (`本文原标题：《…》`).
_TRUNCATED_TITLE = re.compile(r"(?:\.{2,}|…+|。。+)$")
_ORIGINAL_TITLE = re.compile(rf"原标题[:：]?[{SPACE}]*[《「“]?(?P<title>[^》」”\n]{{4,120}})[》」”]")
# An e-paper issue tag in a breadcrumb or header (`当前位置:齐河报20240110期 >> 第A1版:要闻`,
# `2024年01月10日 第A1版`): the issue date is the publication date.
_ISSUE_DATE = re.compile(
    r"(?P<a>(?:19|20)\d{2})(?P<b>[01]\d)(?P<c>[0-3]\d)期"
    r"|(?P<d>(?:19|20)\d{2})年(?P<e>\d{1,2})月(?P<f>\d{1,2})日[^\n]{0,12}?第[^\n]{1,5}版"
)


@dataclass
class _Article:
    lines: list[tuple[int, str]]  # (line number in the received text, line)
    title: str | None = None
    subtitle: str | None = None
    byline: people.Byline | None = None
    heading_date: str | None = None
    heading_line: str | None = None  # the date/occasion line under the heading (2019年3月2日在浮山县…会议上)
    title_ranked: bool = False  # the title ranker decided (its "none" stands: no fallback title is made up)


# Full-width digits (`２０２２年`) are folded to ASCII before date patterns read them.
_WIDE_DIGIT = re.compile(r"[０-９]")
# A run of spaces (half-width, tab, U+3000, NBSP): `胡  侠`, `标题   王新平` collapse to one space.
_SPACE_RUN = re.compile(f"[{SPACE}]+")
# A line of digits and symbols only (`2022-03-10`, `***`): never a heading.
_NO_WORDS = re.compile(r"[\d\W_]+")
# One Han character (counted to tell running text from markup: `<url>…</url>` has none).
_HAN_CHARACTER = re.compile(f"[{people.HAN}]")
# A labelled publish time (`更新于 2022-12-26 • 发布于 2022-12-25`): the publish time wins over an update time.
_PUBLISH_LABEL = re.compile(r"(?:发布|发表)[^0-9\n]{0,4}\d")
# A written-out date: `2019年3月2日`.
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
# Record markup at the start of a line (`<content>中新网太原5月31日电`) is skipped before reading a dateline.
_LEADING_MARKUP = re.compile(r"^\s*(?:<[^>]+>)+")
# What separates a reporter's name from the place after it (`记者刘秀敏/台北报导`, `本报北京5月3日电`).
_BEFORE_PLACE = re.compile(f"[{SPACE}/／、,，:：(（【\\[]|记者|特派员|通讯员|本报|本网|本台|新华社|中新社|中新网|讯")


def _width_fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text) if _WIDE_DIGIT.search(text) else text


def _collapse(text: str) -> str:
    return _SPACE_RUN.sub(" ", text).strip()


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

    >>> _may_repeat("安全生产  警钟长鸣【通用三篇】", "安全生产 警钟长鸣"), _may_repeat("同志们：今天我们召开会议", "安全生产")
    (True, False)
    """
    if "•" in line or "・" in line:
        line = _HAN_BULLET.sub("·", line)
    return all(part in line for part in title.split(" "))


def _byline_at(line: str) -> people.Byline | None:
    return people.parse_byline_line(line)


def _nonblank(lines: list[tuple[int, str]], start: int, limit: int) -> list[int]:
    """Indices of the first ``limit`` non-blank lines from ``start`` (stops there: callers want a few lines of a
    heading zone, not every line of a long document)."""
    return list(itertools.islice((i for i in range(start, len(lines)) if lines[i][1].strip(SPACE)), limit))


def _article_starts(lines: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """(first heading index, byline index) of each title + byline block."""
    blocks = []
    for index, (_number, line) in enumerate(lines):
        byline = _byline_at(line)
        if not byline or byline.position is None:
            continue
        previous = [i for i in range(max(0, index - 6), index) if lines[i][1].strip(SPACE)]
        heads = []
        for i in reversed(previous):
            if is_heading_line(lines[i][1]) and len(heads) < 2:
                heads.insert(0, i)
            else:
                break
        if heads:
            blocks.append((heads[0], index))
    return blocks


def _split_articles(lines: list[tuple[int, str]]) -> list[_Article]:
    blocks = _article_starts(lines)
    if len(blocks) < 2:
        return [_Article(lines)]
    articles = []
    for k, (start, _byline) in enumerate(blocks):
        end = blocks[k + 1][0] if k + 1 < len(blocks) else len(lines)
        begin = 0 if k == 0 else start  # text before the first article stays with it
        articles.append(_Article(lines[begin:end]))
    return articles


@dataclass(frozen=True)
class _PageHints:
    """What earlier stages removed from the page that tells a column label from the headline."""

    labels: frozenset[str] = frozenset()  # breadcrumb/header parts and the category (社会广角, 焦点新闻)
    repeated_titles: frozenset[str] = frozenset()  # headlines the page printed twice (artifacts.repeated_title)
    removals: tuple[Removal, ...] = ()  # what earlier stages removed (breadcrumbs, template sentences): title candidates
    is_html: bool = False  # an HTML page's first line is its <title>/<h1> headline (pipeline.readers.formats)


def _page_hints(doc: Document) -> _PageHints:
    labels = {_collapse(doc.category)} if doc.category else set()
    repeated = set()
    for removal in doc.removals:
        if removal.rule.endswith(("nav_row", "header_line", "breadcrumb")):
            labels.update(part for part in _LABEL_SPLIT.split(removal.text) if 2 <= len(part) <= 8)
        elif removal.rule.endswith("repeated_title"):
            repeated.add(_collapse(removal.text))
    return _PageHints(frozenset(labels), frozenset(repeated), doc.removals, doc.source_format == "html")


def _is_label(text: str, hints: _PageHints) -> bool:
    """A column label (`社会广角`, `焦点新闻`): named in the page's breadcrumb/header, or a column-shaped word."""
    text = _collapse(text)
    return len(text) <= 8 and (text in hints.labels or bool(_COLUMN_LABEL.match(text)))


def is_long_title(line: str, max_chars: int = 100) -> bool:
    """A long heading with no punctuation at all (a thread title with spaces between its phrases).

    >>> is_long_title("赖清德总统伉俪偕同萧美琴副总统 在台南福尔摩沙游艇酒店以国晏款待 各国贵宾 感谢大家远道而来 带给台湾人民坚定的友谊")
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


def _read_heading(article: _Article, removals: list[Removal], config: MetadataConfig,
                  hints: _PageHints = _PageHints(), ranker=None) -> None:
    """Title, subtitle and byline of an article's heading zone, by the rules; then the title ranker (when a
    model is shipped or ``ranker`` is given) confirms the rules' title or replaces it (``_rank_title``)."""
    lines = article.lines
    indices = _nonblank(lines, 0, config.heading_zone_lines)
    used: set[int] = set()
    heads: list[int] = []
    # a headline the page printed twice is the title: lines above it (column, advert) are not
    anchor = next((p for p, i in enumerate(indices) if _collapse(lines[i][1]) in hints.repeated_titles),
                  None) if hints.repeated_titles else None
    if anchor:
        for i in indices[:anchor]:
            if len(_collapse(lines[i][1])) <= config.chrome_line_chars:
                removals.append(Removal("metadata.above_title", lines[i][0], lines[i][1]))
                used.add(i)
        indices = indices[anchor:]
    byline_index = None
    for position, i in enumerate(indices):
        text = lines[i][1]
        byline = _byline_at(text)
        if heads and people.ORGANISATION_BYLINE.match(text):
            removals.append(Removal("metadata.byline", lines[i][0], text))
            used.add(i)  # 本报评论员: a byline that names no person
            break
        if byline and heads and people.split_glued_byline(text):
            heads.append(i)  # `…工作报告市城管局党组书记、局长  杜  宇`: a heading with its byline glued on
            break
        if byline and (heads or byline.position):
            byline_index = i
            article.byline = byline
            break
        content_title = _CONTENT_TITLE.match(text)
        if content_title and not heads:
            heads.append(i)
            continue
        if _RECORD_TAG.match(text):
            continue  # <doc>, <url>…</url>: record markup, not a heading
        if is_heading_line(text) or (not heads and is_long_title(text, config.long_title_chars)):
            following = indices[position + 1: position + 2]
            next_line = _collapse(lines[following[0]][1]) if following else ""
            headline_follows = bool(next_line) and (is_heading_line(next_line) or is_long_title(next_line)) and not (
                # `政府工作报告` / `——在县人代会上` / `县长 栗俊昌`: a subtitle, occasion or byline follows a title
                next_line.startswith(("——", "--")) or _OCCASION_LINE.match(next_line)
                or people.parse_byline_line(lines[following[0]][1]) or next_line.startswith("在"))
            short_label = len(_collapse(text)) <= 3 and not people.parse_byline_line(text)
            if not heads and short_label and not headline_follows:
                continue  # a section label (国内, 要闻) above the headline
            if not heads and headline_follows and (short_label or _is_label(text, hints)):
                removals.append(Removal("metadata.column_label", lines[i][0], lines[i][1]))
                used.add(i)
                continue  # a column (荃话题, or named in the page's breadcrumb: 社会广角, 焦点新闻) above the headline
            if heads and len(heads) == 1 and _OCCASION_LINE.match(_collapse(lines[heads[0]][1])):
                heads = [i]  # the occasion line stays in the text; the next heading is the title
                continue
            if (heads and len(heads) == 1 and _TOPIC_SEPARATOR.search(lines[heads[0]][1])
                    and not _TOPIC_SEPARATOR.search(text) and not _DOCUMENT_TITLE.search(_collapse(lines[heads[0]][1]))):
                removals.append(Removal("metadata.column_label", lines[heads[0]][0], lines[heads[0]][1]))
                used.add(heads[0])
                heads = [i]  # `迎接新的特首 - 曾荫权` / `政府就…谈话内容`: a topic header above the headline
                continue
            if len(heads) < 2:
                heads.append(i)
                continue
            break
        # (the cheap tests first: _CHROME.search over a long body line is the costly one)
        if byline_index is None and len(_collapse(text)) <= config.chrome_line_chars and _CHROME.search(text):
            heads = []  # a column label above a breadcrumb is not the title (社会广角 / 当前位置: >)
            continue
        break  # body text starts
    if heads:
        title_index = heads[0]
        raw_title = lines[title_index][1]
        content_title = _CONTENT_TITLE.match(raw_title)
        if content_title:
            raw_title = content_title["title"]
        joined = _joined_document_title(lines, title_index)
        if joined:
            raw_title = joined[0]
            for k in joined[1][1:]:
                removals.append(Removal("metadata.title", lines[k][0], lines[k][1]))
                used.add(k)
            heads = [title_index]
        glued = people.split_glued_byline(raw_title)
        if glued and byline_index is None:
            head_text, article.byline = glued
            removals.append(Removal("metadata.byline", lines[title_index][0], raw_title[len(head_text):].strip(SPACE)))
            raw_title = head_text
        article.title = clean_title(raw_title)
        removals.append(Removal("metadata.title", lines[title_index][0], lines[title_index][1]))
        used.add(title_index)
        if len(heads) > 1:
            second = heads[1]
            text = lines[second][1]
            follows = _nonblank(lines, second + 1, 1)
            next_line = lines[follows[0]][1] if follows else ""
            glued = people.split_glued_byline(text) if article.byline is None else None
            if _collapse(text) == _collapse(lines[title_index][1]):
                removals.append(Removal("metadata.title", lines[second][0], text))
                used.add(second)
            elif glued:
                # `2022年…工作报告市城管局党组书记、局长  杜  宇`: the heading stays, the byline goes
                head_text, article.byline = glued
                removals.append(Removal("metadata.byline", lines[second][0], text[len(head_text):].strip(SPACE)))
                lines[second] = (lines[second][0], head_text)
            elif byline_index is not None or _DATE_LINE.match(_collapse(next_line)) or text.lstrip(SPACE).startswith(("——", "--")):
                article.subtitle = clean_title(text.lstrip(SPACE).lstrip("—-"))
                removals.append(Removal("metadata.subtitle", lines[second][0], text))
                used.add(second)
    if byline_index is not None:
        removals.append(Removal("metadata.byline", lines[byline_index][0], lines[byline_index][1]))
        used.add(byline_index)
    if heads and article.byline is None and article.title:
        _take_name_after_repeated_title(article, lines[heads[0]][1], _nonblank(lines, heads[-1] + 1, 1), removals)
    # date or occasion line and a name-only byline right under the heading (017: 日期在…会议上 / 栗 俊 昌)
    after = _nonblank(lines, (max(used | set(heads)) + 1) if used or heads else 0, 3)
    for i in after:
        text = _collapse(lines[i][1])
        date = _DATE_LINE.match(text)
        if date:
            article.heading_date = date["date"]
            article.heading_line = text
            continue
        if article.byline is None and heads and (people.parse_byline_line(lines[i][1]) or people.is_plain_name_line(lines[i][1])):
            parsed = people.parse_byline_line(lines[i][1])
            article.byline = parsed or people.Byline(people.is_plain_name_line(lines[i][1]), None)
            removals.append(Removal("metadata.byline", lines[i][0], lines[i][1]))
            used.add(i)
        elif people.ORGANISATION_BYLINE.match(lines[i][1]):
            removals.append(Removal("metadata.byline", lines[i][0], lines[i][1]))
            used.add(i)
        break
    ranker = ranker or _title_model(config)
    if ranker is not None:
        heads = _rank_title(article, ranker, removals, used, heads, config, hints)
    # the title repeated further down (范文 pages: title / time / 导语 / title again)
    if article.title:
        for i in _nonblank(lines, 0, config.heading_zone_lines + 4):
            if (i not in used and i > (heads[0] if heads else -1) and _may_repeat(lines[i][1], article.title)
                    and clean_title(lines[i][1]) == article.title):
                removals.append(Removal("metadata.title", lines[i][0], lines[i][1]))
                used.add(i)
    article.lines = [(n, t) for k, (n, t) in enumerate(lines) if k not in used]


def _title_model(config: MetadataConfig):
    """The shipped (or configured) title ranker; None when there is none: the rules decide alone."""
    return models.model_for(titles.NAME, config.model_dir)


# Rules that take the heading's title and subtitle lines out of the text; undone when the ranker disagrees.
_HEADING_RULES = ("metadata.title", "metadata.subtitle")


def _rank_title(article: _Article, ranker, removals: list[Removal], used: set[int], heads: list[int],
                config: MetadataConfig, hints: _PageHints) -> list[int]:
    """Let the title ranker pick the article's title among the top region's lines, the breadcrumb tail and a
    template sentence's topic, or none below ``config.title_min_score`` (``config.title_rules_min_score`` for
    the rules' own title).

    When it picks the rules' title, the rules' removals stand (``metadata.title``). Otherwise the lines the
    rules took as title and subtitle go back into the text (no body text is lost to a wrong rule), the chosen
    line is taken out as ``model.title:<score>``, and the title is the chosen text (or None). Returns the heads
    the rest of ``_read_heading`` uses (the chosen line, or none).
    """
    lines = article.lines
    page = titles.read_page([t for _n, t in lines], hints.removals, titles.title_key(article.title), hints.is_html)
    found = titles.candidates(page, _TITLE_RULES)
    best, score = ranker.choose(found)
    article.title_ranked = True
    agrees = best is not None and titles.title_key(best.text) == page.rules_title
    chosen = best if best is not None and score >= (config.title_rules_min_score if agrees else config.title_min_score) else None
    if chosen is not None and agrees:
        return heads
    numbers = {lines[k][0]: k for k in used}
    taken = [r for r in removals if r.rule in _HEADING_RULES and r.line in numbers]
    for removal in taken:
        removals.remove(removal)
        used.discard(numbers[removal.line])
    article.title, article.subtitle = (chosen.text if chosen else None), None
    if chosen is None or chosen.line is None:
        return []
    if chosen.line not in used:
        removals.append(Removal(f"model.title:{score:.2f}", lines[chosen.line][0], lines[chosen.line][1]))
        used.add(chosen.line)
    return [chosen.line]


def _is_byline_text(line: str) -> bool:
    return people.parse_byline_line(line) is not None or people.is_plain_name_line(line) is not None


def _joined_title_at(lines: list[str], start: int) -> str | None:
    joined = _joined_document_title(list(enumerate(lines)), start)
    return joined[0] if joined else None


# What the ranker borrows from this stage, so a candidate's text is exactly the title the stage would set.
_TITLE_RULES = titles.StageRules(clean_title, _is_byline_text, _TEMPLATE_TOPIC, _COLLECT_TITLE, _joined_title_at)


class _CandidateCollector:
    """A ranker that decides nothing: it keeps the candidates it is shown (training examples)."""

    def __init__(self):
        self.found: list = []

    def choose(self, found):
        self.found = found
        return None, 0.0


def title_candidates(doc: Document, config: MetadataConfig = MetadataConfig()) -> list:
    """The title candidates of ``doc``'s first article, with their features, exactly as the stage ranks them
    (for ``pipeline.models.titles.examples``)."""
    article = _split_articles(list(enumerate(doc.text.split("\n"))))[0]
    collector = _CandidateCollector()
    _read_heading(article, [], config, _page_hints(doc), collector)
    return collector.found


def _spaced_prefix_end(text: str, heading: str) -> int | None:
    """Where ``text`` stops repeating ``heading`` (a collapsed line: its single spaces match any space run).

    Same as matching ``[SPACE]*`` + the heading with each space as ``[SPACE]+``, without compiling a pattern per
    document (each heading is a new pattern, and compiling it cost more than the rest of the stage).

    >>> _spaced_prefix_end("  安全生产  警钟长鸣   王新平", "安全生产 警钟长鸣"), _spaced_prefix_end("安全 生产", "安全生产")
    (12, None)
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


def _take_name_after_repeated_title(article: _Article, title_line: str, following: list[int],
                                    removals: list[Removal]) -> None:
    """`标题   王新平   正文…`: the title repeated with the writer's name after it (a flattened blog page)."""
    if not following:
        return
    number, text = article.lines[following[0]]
    end = _spaced_prefix_end(text, _collapse(title_line))
    match = _NAME_AFTER_TITLE.match(text, end) if end is not None else None
    if match and people.is_person_name(match["name"]):
        article.byline = people.Byline(match["name"], None)
        removals.append(Removal("metadata.byline", number, text[: match.end()]))
        article.lines[following[0]] = (number, text[match.end():])


def _completed_title(truncated: str, lines: list[str]) -> str | None:
    """The full title a page quotes (`本文原标题：《…》`) when the heading was cut with an ellipsis.

    >>> _completed_title("定了！南沙邮轮母港即将开通！地铁直达+无敌免...", ["本文原标题：《定了！南沙邮轮母港即将开通！地铁直达+无敌免税城......》搭地铁"])
    '定了！南沙邮轮母港即将开通！地铁直达+无敌免税城......'
    """
    stem = _TRUNCATED_TITLE.sub("", truncated)
    for line in lines:
        for match in _ORIGINAL_TITLE.finditer(line):
            full = clean_title(match["title"])
            if full and len(stem) >= 4 and full.startswith(stem) and len(full) > len(stem):
                return full
    return None


def issue_date(text: str) -> str | None:
    """The issue date of an e-paper page from its edition tag.

    >>> issue_date("当前位置:齐河报20240110期 >> 第A1版:要闻"), issue_date("2012年12月26日 星期三 第03版")
    ('2024-01-10', '2012-12-26')
    >>> issue_date("共收到论文20240110篇") is None
    True
    """
    match = _ISSUE_DATE.search(_width_fold(text))
    if not match:
        return None
    if match["a"]:
        return _iso_date(match["a"], match["b"], match["c"])
    return _iso_date(match["d"], match["e"], match["f"])


def _iso_date(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if y < 200:
        y += 1911  # ROC year (103年 = 2014)
    if not (1949 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def page_time(text: str) -> str | None:
    """An ISO date from a stated page time.

    >>> page_time("时间:2022-11-24 08:47:00"), page_time("发布日期:103年1月1日"), page_time("2020-05-27 08:34:55来源: 遂昌新闻网")
    ('2022-11-24', '2014-01-01', '2020-05-27')
    """
    folded = _width_fold(text)
    labelled = _PUBLISH_LABEL.search(folded)  # `更新于 … • 发布于 …`: the publish time wins
    match = _PAGE_TIME.search(folded, labelled.start() if labelled else 0) or _PAGE_TIME.search(folded)
    if not match:
        return None
    if match["a"]:
        return _iso_date(match["a"], match["b"], match["c"])
    return _iso_date(match["d"], match["e"], match["f"])


def chinese_date(text: str) -> str | None:
    """
    >>> chinese_date("2019年3月2日")
    '2019-03-02'
    """
    match = _CHINESE_DATE.search(_width_fold(text))
    return _iso_date(*match.groups()) if match else None


def _region_segments(doc: Document, article: _Article, body_lines: list[str], config: MetadataConfig):
    segments = []
    if article.title:
        segments.append((article.title, config.title_weight))
    if article.subtitle:
        segments.append((article.subtitle, config.title_weight))
    if article.byline and article.byline.position:
        segments.append((article.byline.position, config.byline_weight))
    if article.heading_line:
        segments.append((article.heading_line, config.title_weight))
    for removal in doc.removals:
        source = _SOURCE_LABEL.search(removal.text)
        if source and removal.rule.startswith("artifacts."):
            outlet = regions.gazetteer().outlet_place(source["source"])  # `来源:中山日报`: 中山 read whole
            segments.append((outlet or source["source"], config.title_weight))
        if removal.rule.endswith("reporter_tag"):
            place = reported_from(removal.text)
            if place:
                segments.append((place, config.title_weight))
    # letter-spaced text (`律 政 司 司 长`: a whole page, or a table's labels) is read with its spacing removed
    segments = [(regions.without_letter_spacing(text), weight) for text, weight in segments]
    filled = [regions.without_letter_spacing(line) for line in body_lines if line.strip(SPACE)]
    for index, line in enumerate(filled):
        if _FOOTER_MARKER.search(line) and _FOOTER_LINE.search(line):
            continue
        weight = config.body_weight
        # `电` is the only character whose NFKC form holds 电 (tests/test_metadata.py scans every code point; 电 is
        # never composed from others), so a line without it cannot read `…日电` after markup removal and width
        # folding: skip that work
        if index < 6 and "电" in line:
            dateline = _DATELINE.match(_width_fold(_LEADING_MARKUP.sub("", line).strip(SPACE)))
            if dateline:
                segments.append((dateline["place"], config.title_weight))
        if index < 6 and "讯" in line:
            outlet = _OUTLET_DATELINE.match(_LEADING_MARKUP.sub("", line).strip(SPACE))
            place = regions.gazetteer().outlet_place(outlet["outlet"]) if outlet else None
            if place:
                segments.append((place, config.title_weight))
        segments.append((line, weight))
    return segments


def _weak_region_segments(doc: Document, config: MetadataConfig) -> list[tuple[str, float]]:
    """The site's own place from page structure the earlier stages removed (see ``_PUBLISHER_LABEL``).

    Each segment weighs as a title: read alone (the fallback votes on these segments only), one clear
    mention is enough, and a breadcrumb or <title> naming several places is still split by the vote.
    """
    segments = []
    for removal in doc.removals:
        publisher = _PUBLISHER_LABEL.search(removal.text) if "发" in removal.text else None
        if publisher:
            segments.append((publisher["publisher"], config.title_weight))
        elif removal.rule == "artifacts.page_title":
            parts = _PAGE_TITLE_SEPARATOR.split(removal.text.strip(SPACE))
            if len(parts) > 1:  # the headline is the article's own (read as its title); the rest is the site's
                segments.append(("\n".join(parts[1:]), config.title_weight))
        elif removal.rule == "artifacts.nav_row" and _BREADCRUMB_PATH.search(removal.text):
            segments.append((removal.text, config.title_weight))
    return segments


def reported_from(tag: str) -> str | None:
    """The place a reporter tag says the report was filed from.

    >>> reported_from("记者刘秀敏/台北报导"), reported_from("记者吴文隆、廖瑞铭台南报导"), reported_from("记者 王勃")
    ('台北', '台南', None)
    >>> reported_from("记者李江山报道"), reported_from("本报北京5月3日电")
    (None, '北京')
    """
    match = _REPORTED_FROM.search(tag)
    if not match:
        return None
    head = match["head"]
    places = [m for m in regions.gazetteer().find_places(head) if m.end == len(head)]
    if not places:
        return None
    place = places[-1]
    # `记者刘秀敏/台北报导`: a separator before the place; `廖瑞铭台南报导`: a whole name before it. In
    # `记者李江山报道` the "place" 江山 is the end of the reporter's name.
    before = _BEFORE_PLACE.split(head[: place.start])[-1]
    if before and not people.is_person_name(before):
        return None
    return place.surface


def _only_one_body_paragraph(segments: list[tuple[str, float]], found_by_segment: list[list[regions.Evidence]],
                             region: regions.Region, config: MetadataConfig) -> bool:
    """True when the region rests on body text alone and every mention of its province sits in one paragraph.

    A document's own locale is named in its heading, byline, dateline or source, or recurs through the text
    (我县…, several paragraphs); a place named in a single paragraph of an essay is an example it cites.
    """
    province = region.province or region.city or region.county
    paragraphs = 0
    def is_inside(d: regions.Division) -> bool:
        return ((d.province if d.province != "台湾省" else None) == region.province
                and (region.province is not None or d.name in (region.city, region.county) or d.city == region.city))

    for (text, weight), evidence in zip(segments, found_by_segment):
        # a weak short name elsewhere (`惠民`, `同心`: ordinary words too) is no other place named in the paragraph
        found = [d for item in evidence for d in item.match.divisions
                 if not regions.is_weak_evidence(item, config.title_weight) or is_inside(d)]
        inside = [d for d in found if is_inside(d)]
        if len(inside) == len(found) and any(p.search(text) for p in _SELF_REFERENCE.values()):
            return False  # 我县/全市 in a paragraph that names no other place: the text speaks of its own locale
        if not inside:
            continue
        if weight > config.body_weight or is_heading_line(text):
            return False  # a heading/byline/dateline zone, or an occasion line in the body (`在山西河津…会议上`)
        paragraphs += 1
    body_paragraphs = sum(  # running-text lines (record markup such as <url>…</url> is not a paragraph)
        1 for text, weight in segments if weight <= config.body_weight and len(_HAN_CHARACTER.findall(text)) >= 20
    )
    # a record flattened into one or two lines (SogouCS) has no paragraphs to compare
    return paragraphs < 2 and body_paragraphs >= config.example_min_paragraphs and province is not None


def _confirmed_levels(body: str) -> frozenset[str]:
    levels = {level for level, words in _SELF_REFERENCE_WORDS.items() if any(map(body.__contains__, words))}
    if "county" in levels and not _SELF_REFERENCE["county"].search(body):
        levels.discard("county")  # the only match was 社区委员会 or the like
    if "county" in levels:
        levels |= {"city", "province"}
    if "city" in levels:
        levels.add("province")
    return frozenset(levels)


def _learned_person(choice, byline: people.Byline | None, speaker: str | None,
                    removals: list[Removal]) -> tuple[people.Byline | None, str | None]:
    """The author and speaker once the scorer has judged the page (``choice`` is its best person or False).

    A byline the rules read stays (certain); otherwise the scorer decides: a writer's span (作者：, 记者, a name
    line) makes the author, a speaker's span (position + name + speech verb, a speech title) the speaker, and
    below the threshold the page names nobody (a speaker the rules guessed from one sentence is dropped). Each
    decision is traced as ``model.author`` / ``model.speaker`` with its score; the text is left as it is.
    """
    from pipeline.models import authors

    if byline is not None:
        return byline, speaker
    if not choice:
        return None, None
    role = "speaker" if choice.kind in authors.SPEAKER_KINDS else "author"
    removals.append(Removal(f"model.{role}:{choice.score:.3f}", choice.line, ""))
    if role == "speaker":
        return None, choice.author
    return people.Byline(choice.author, choice.position), speaker


def _learned_choice(doc: Document, config: MetadataConfig):
    """The author scorer's best person on ``doc`` (None below the threshold), or None when no model is shipped."""
    from pipeline.models import authors, model_for

    model = model_for(authors.NAME, config.model_dir)
    if model is None:
        return None
    return authors.choose(doc, model, config.author_min_score) or False


def _finish(doc: Document, article: _Article, index: int, removals: list[Removal], config: MetadataConfig,
            learned=None) -> Document:
    body_lines = [t for _n, t in article.lines]
    changes: dict = {"article_index": index}
    removal_texts = [r.text for r in doc.removals]

    title = article.title
    if title is None and not article.title_ranked:
        for text in [r.text for r in doc.removals if r.rule.endswith("template_sentence")] + body_lines[:2]:
            match = _TEMPLATE_TOPIC.search(text)
            if match:
                title = clean_title(match["topic"])
                if text in body_lines[:2]:
                    at = body_lines.index(text)
                    removals.append(Removal("metadata.title", article.lines[at][0], text))
                    article.lines.pop(at)
                    body_lines.pop(at)
                break
    if title is None and not article.title_ranked:
        for text in removal_texts + body_lines[-3:]:
            match = _COLLECT_TITLE.search(text)
            if match:
                title = clean_title(match["topic"])
                break
    if title and _TRUNCATED_TITLE.search(title):
        title = _completed_title(title, body_lines[: config.heading_zone_lines]) or title
    if title and doc.title is None:
        changes["title"] = title
    if article.subtitle and doc.subtitle is None:
        changes["subtitle"] = article.subtitle

    # source note: a closing bracketed line
    note = None
    for k in range(len(article.lines) - 1, max(-1, len(article.lines) - 4), -1):
        text = article.lines[k][1].strip(SPACE)
        if _SOURCE_NOTE_LINE.match(text):
            note = text
            removals.append(Removal("metadata.source_note", article.lines[k][0], article.lines[k][1]))
            article.lines.pop(k)
            break
    body_lines = [t for _n, t in article.lines]
    body = "\n".join(body_lines)
    if note and doc.source_note is None:
        changes["source_note"] = note.strip("()（）")

    # author
    byline = article.byline
    speech = people.parse_speech_note(note or "") or people.parse_speech_note("\n".join(body_lines[-5:]))
    if byline is None:
        tags = [r.text for r in doc.removals if r.rule.endswith("reporter_tag")]
        filled = [t for t in body_lines if t.strip(SPACE)]
        head = "\n".join(filled[: config.reporter_zone_lines])
        tail = "\n".join(filled[-config.reporter_zone_lines:])
        for text in tags + [head, tail]:
            byline = people.find_reporter(text) or people.find_writer_credit(text)
            if byline:
                break
    transcript = people.find_transcript_speaker(
        "\n".join([t for t in body_lines if t.strip(SPACE)][: config.reporter_zone_lines]))
    if byline is None and transcript:
        byline = transcript  # `以下为署理行政长官唐英年…的谈话全文`: the statement is the speaker's own text
    if byline is None and article.lines:
        last = max((k for k, (_n, t) in enumerate(article.lines) if t.strip(SPACE)), default=None)
        credit = people.find_closing_credit(article.lines[last][1]) if last is not None else None
        if credit:
            byline = credit
            number, text = article.lines[last]
            cut = max(text.rfind("（"), text.rfind("("))
            removals.append(Removal("metadata.byline", number, text[cut:]))
            article.lines[last] = (number, text[:cut])
            body_lines = [t for _n, t in article.lines]
            body = "\n".join(body_lines)
    if byline is None and speech:
        byline = people.Byline(speech.author, speech.position)
    if byline and doc.author is None:
        changes["author"] = byline.author
        position = byline.position
        if position is None and speech and speech.author == byline.author:
            position = speech.position
        changes["author_position"] = position
    speaker = people.find_speaker(body) or (transcript.author if transcript else None)
    if learned is not None:
        byline, speaker = _learned_person(learned, byline, speaker, removals)
        if byline and doc.author is None and "author" not in changes:
            changes.update(author=byline.author, author_position=byline.position)
    if speaker and doc.speaker is None:
        changes["speaker"] = speaker

    # dates
    if doc.published_at is None:
        published = None
        for text in removal_texts + body_lines[: config.heading_zone_lines]:
            if len(text) <= config.page_time_line_chars:
                published = page_time(text) or issue_date(text)
                if published:
                    break
        event = chinese_date(speech.date) if speech and speech.date else None
        heading = chinese_date(article.heading_date) if article.heading_date else None
        changes["published_at"] = published or heading
        if doc.event_date is None and (event or heading):
            changes["event_date"] = event or heading

    # region
    segments = _region_segments(doc, article, body_lines, config)
    found_by_segment = regions.evidence_by_segment(segments)
    evidence = [item for found in found_by_segment for item in found]
    confirmed = _confirmed_levels(regions.without_letter_spacing(body))
    region = regions.resolve_region(
        evidence, confirmed, min_share=config.region_min_share,
        min_weight=config.region_min_weight,
        strong_weight=config.title_weight,
    )
    if region.province and _only_one_body_paragraph(segments, found_by_segment, region, config):
        region = regions.Region()  # `四川百万人口大县资中县突出县域特色…`: an example cited in one paragraph
    if region == regions.Region():
        weak = regions.collect_evidence(_weak_region_segments(doc, config))
        if weak:  # nothing in the document names a locale: the page's breadcrumb, site name or publisher may
            region = regions.resolve_region(weak, confirmed, min_share=config.region_min_share,
                                            min_weight=config.region_min_weight, strong_weight=config.title_weight)
    if doc.province is None and doc.city is None and doc.county is None:
        changes.update(province=region.province, city=region.city, county=region.county, region_code=region.region_code)

    text = "\n".join(body_lines).strip("\n")
    # one copy: the same as with_changes(...).with_removals(removals)
    return doc.with_changes(text=text, removals=doc.removals + tuple(removals), **changes)


def extract_metadata(doc: Document, config: MetadataConfig) -> Document | list[Document]:
    """Split ``doc`` into its articles and fill title/subtitle/author/region/date fields.

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64,
    ...                text="争创一流工作业绩 推动定安科学发展\\n\\n中共定安县委副书记 张忠惠\\n\\n我县全面启动创先争优活动。")
    >>> out = extract_metadata(doc, MetadataConfig())
    >>> out.title, out.author, out.author_position, out.province, out.city, out.county, out.text
    ('争创一流工作业绩 推动定安科学发展', '张忠惠', '中共定安县委副书记', '海南省', None, '定安县', '我县全面启动创先争优活动。')
    """
    lines = list(enumerate(doc.text.split("\n")))
    articles = _split_articles(lines)
    hints = _page_hints(doc)
    results = []
    for index, article in enumerate(articles):
        removals: list[Removal] = []
        _read_heading(article, removals, config, hints)
        # one article: the author scorer reads the whole page (a multi-article file keeps its byline rules)
        learned = _learned_choice(doc, config) if len(articles) == 1 else None
        results.append(_finish(doc, article, doc.article_index + index if len(articles) == 1 else index, removals, config,
                               learned))
    return results[0] if len(results) == 1 else results
