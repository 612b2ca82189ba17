"""Shared patterns and text helpers of the metadata stage (spacing, width folding, the regexes the
heading, date and region steps read). Changes nothing; holds no state.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.lexicon import COLUMN_WORDS, HAN, collapse_spaces
from pipeline.stages.metadata import people

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
# Also an adoption line under a resolution's title:
# `（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）`.
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
_FOOTER_MARKERS = (
    "摄", "版权", "Copyright", "ICP", "备案", "地址", "电话", "邮箱", "主办", "承办", "技术支持", "网络支持",
)
_FOOTER_MARKER = re.compile("|".join(map(re.escape, _FOOTER_MARKERS)))
# The place a reporter files from, at the end of a reporter tag: `记者刘秀敏/台北报导`,
# `记者吴文隆、廖瑞铭台南报导`, `本报北京5月3日电`. The place is the last one right before 报导/报道/电.
# The day alone is common too: `中央社记者叶素萍台北10日电` (CNA), `新华社北京10日电`.
_REPORTED_FROM = re.compile(
    rf"(?P<head>[^\n]{{0,30}}?)(?:(?:\d{{1,2}}月)?\d{{1,2}}日)?(?:报导|报道|电)(?:[】\])）{SPACE}]|$)"
)
# The article's own source line, removed by the artifacts stage: `时间:… 来源:荣成市融媒体中心 浏览次数:`.
_SOURCE_LABEL = re.compile(r"(?:来源|来源于|稿源)[:：|]\s*(?P<source>[^\s|]{2,20})")
# Page structure that names the site's own place, read only when the document itself names no locale (weak
# evidence): a breadcrumb (`首页 / 宿城区 / 正文`), the site name after the headline in the page's <title>
# (`…开幕_海口网`), the publisher cell of a government disclosure table (`发 布 机 构: | 沂水县沙沟镇 |`; its
# labels are often letter-spaced). Footers, copyright, ICP and contact lines are never read: a host's address is
# not the locale of what it hosts (the dev set's 民权县, 淳安县 and 太原 footers).
# A nav row is read only as a path (`首页 >> 新闻动态 >> 牟定动态`, `首页 / 宿城区 / 正文`): a lone menu item
# is a link to anything, a sponsor or another county's office (`云林县政府文化观光处` in a 嘉义县 news site's menu).
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
_COLUMN_LABEL = re.compile(rf"^[{HAN}]{{0,4}}(?:{COLUMN_WORDS})$")
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



# Full-width digits (`２０２２年`) are folded to ASCII before date patterns read them.
_WIDE_DIGIT = re.compile(r"[０-９]")
# A line of digits and symbols only (`2022-03-10`, `***`): never a heading.
_NO_WORDS = re.compile(r"[\d\W_]+")
# One Han character (counted to tell running text from markup: `<url>…</url>` has none).
_HAN_CHARACTER = re.compile(f"[{people.HAN}]")
# A labelled publish time (`更新于 2022-12-26 • 发布于 2022-12-25`): the publish time wins over an update time.
_PUBLISH_LABEL = re.compile(r"(?:发布|发表)[^0-9\n]{0,4}\d")
# A line that is a date and nothing else, as a speech or report prints under its heading: `2020年06月24日`,
# `（2011 年 5 月 13 日）`, `2014.12.25`, `2019年1月14日(星期一)`, `2016-06-17 13:27`, `（二〇一八年十二月二十九日）`.
_NUMERAL = "〇○零一二三四五六七八九十"
_STANDALONE_DATE = re.compile(
    r"^[(（【\[—\-]*\s*(?:"
    r"(?P<a>(?:19|20)\d{2})\s*(?:年\s*(?P<b>\d{1,2})\s*月\s*(?P<c>\d{1,2})\s*日"
    r"|(?P<sep>[-/.])(?P<b2>\d{1,2})(?P=sep)(?P<c2>\d{1,2}))"
    rf"|(?P<ya>[{_NUMERAL}]{{4}})年(?P<ma>[{_NUMERAL}]{{1,2}})月(?P<da>[{_NUMERAL}]{{1,3}})日)"
    r"\s*(?:[(（]?(?:星期|礼拜|周)[一二三四五六日天][)）]?)?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*[)）】\]]?\s*$"
)
# A written-out date: `2019年3月2日`.
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
# Record markup at the start of a line (`<content>中新网太原5月31日电`) is skipped before reading a dateline.
_LEADING_MARKUP = re.compile(r"^\s*(?:<[^>]+>)+")
# What separates a reporter's name from the place after it (`记者刘秀敏/台北报导`, `本报北京5月3日电`).
_BEFORE_PLACE = re.compile(f"[{SPACE}/／、,，:：(（【\\[]|记者|特派员|通讯员|本报|本网|本台|新华社|中新社|中新网|讯")


def _width_fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text) if _WIDE_DIGIT.search(text) else text


_collapse = collapse_spaces
