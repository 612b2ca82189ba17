"""Title ranker: the title of a page as one choice among its candidates, or none.

Candidates (``candidates``): the short non-blank lines of the top region of an article (the first
``TOP_LINES``; an HTML page's headline from ``<title>``/``<h1>`` is its first line, put there by the reader),
the tail of a breadcrumb and a headline the artifacts stage removed as printed twice, and the topic named by a
范文 template sentence (``本站小编为你整理了关于…的范文``), and the heads of a document site's flattened first
long line that end in a genre word (``glued_heads``: ``1/5某市新年贺词某市2030年新年贺词王某2030-01-01…``). Each
candidate is the text ``metadata.clean_title`` makes of it (column tags, ``标题：`` prefixes, ``《…报》`` heads
and site-name tails cut).

Features (``FEATURES``, all cheap: regex searches on at most ``TOP_LINES`` short lines, one bigram set of the
first body paragraph, one substring scan of the removals per candidate; nothing quadratic in the page):
position among the non-blank lines, distance to the first body line, length, heading shape (no sentence
punctuation), chrome/date/advert/site words, genre words (讲话/发言/致辞/心得体会/报告/主持词 …) and news
verbs (召开/举行 …), byline and name-only lines, repetition of the text elsewhere on the page or in the
removals, membership in the breadcrumb, overlap of its character bigrams with the first body paragraph, what the
neighbouring lines are (a page-time or source line right under a headline), numbered section headings, image
captions, an organisation's name alone (a letterhead or banner), a line opening with a date or ``在…``, and
whether today's rules (``metadata._read_heading``) chose the same text (``rules_choice``; their choice of a line
that looks like page furniture, an advert/chrome/date/site/Latin word or under 5 characters, is
``rules_choice_furniture`` and is no agreement), a menu's list item and a line without a Han character.

Vetoes (``VETO_FEATURES``): a candidate that is a caption, a bracketed remark, a byline, a line ending like a
salutation or a clause, a numbered section heading, a letterhead, a list item, a line without a
Han character, the last line of the top region (a footer under the body) or page furniture (at most 8
characters with a chrome or advert word: `服务专线`, `打开APP`; or words of both lexicons) or a label of fewer
than 4 characters (`评论`, `目录`) is never ranked (no
gold title of the tuning pages is one; each marks wrong winners on several sites). It stays in the candidate
list, so its features are still traced and tested.

Model: logistic regression (scikit-learn at training time only) over those features, one example per
candidate, labelled 1 when the cleaned candidate equals the gold title (NFKC, spaces removed, as
``eval_metadata`` compares); a second, small regression (``ACCEPTANCE_FEATURES``, the winner's ranking logit and
its margin over the runner-up or over an even chance, whichever is higher) says how likely the winner is the
title. At inference the best-scoring candidate wins if that probability reaches ``MetadataConfig.title_min_score``;
otherwise the page has no title. Inference is plain Python over a weight table read from ``titles.json``:
deterministic, CPU only.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline import lexicon
from pipeline.document import Document

NAME = "titles"
STAGE = "metadata"
MODEL_FILE = "titles.json"
# The top region: titles sit above the body, but under a breadcrumb, a banner, a clock line, an app prompt or
# a whole menu (a news portal's list of 15 media names above the headline).
TOP_LINES = 20
# Longer lines are running text (the longest dev-set title is 70 characters, a forum thread title).
MAX_CANDIDATE_CHARS = 100
# Clauses joined by two or more commas over 40 characters are running text: no dev-set title of any site is
# that (the longest with commas has 37 characters, a speech title with an honorific list).
RUNNING_TEXT_MIN_CHARS = 40
# (a comma after a Latin letter separates post-nominals, `资深大律师, GBS, JP致辞全文`, not clauses)
_CLAUSE_COMMA = re.compile(r"(?<![A-Za-z])[，,]")
# The first body line: a long line, or a sentence (with sentence punctuation: 20 characters, or a full stop).
_BODY_MIN_CHARS = 60
# The first body paragraph, for the bigram overlap with a candidate.
_BODY_HEAD_CHARS = 300

SPACE = lexicon.SPACE
# Sentence punctuation inside a line: `。` `；` or two commas.
_SENTENCE = re.compile(r"[。；;!?！？]|[，,].*[，,]")
_COMMA = re.compile(r"[，,]")
# A full stop or semicolon, full- or half-width (punctuation is normalised after this stage: `要点;措施;成效`):
# a line holding one is a sentence or a keyword list, never a title (`;` after a letter or digit may end an HTML
# entity left in a heading, `&quot;`).
_FULL_STOP = re.compile(r"[。；]|(?<![A-Za-z0-9]);")
# A line ending like running text or a label: `同志们：`, `…，`.
_OPEN_END = re.compile(r"[。；;，,：:、]$")
# Dates and clock times: `2022-11-24`, `2022年3月2日`, `08:47`, `星期三`. Written as its first character then the rest
# of `\d{4}[-年/.]\d{1,2}|\d{1,2}:\d{2}|星期[一二三四五六日天]|周[一二三四五六日]|今天是` (the same matches): a leading
# character class lets `re` skip to the positions that can start a match (5x faster over a long body line; the
# equivalence is tested in tests/test_title_speed.py).
_DATE = re.compile(
    r"[\d星周今](?:(?<=\d)(?:\d{3}[-年/.]\d{1,2}|\d?:\d{2})|(?<=星)期[一二三四五六日天]|(?<=周)[一二三四五六日]|(?<=今)天是)"
)
# A line that is one bracketed remark: `(相关资料图)`, `（编辑：某某）`.
_BRACKETED = re.compile(r"^[(（\[【].*[)）\]】]$")
# Page chrome words: breadcrumb, page info, share and print widgets, URLs. (Every alternative starts with a literal
# character, `>|\||»` rather than `[>|»]`: `re` then skips to the positions that can start a match, 6x faster.)
_CHROME = re.compile(
    r">|\||»|首页|当前位置|您的位置|来源|时间[:：]|发布|浏览|点击|阅读|人气|栏目|作者|编辑|责编|分享|打印|字号|"
    r"https?://|www\.|\.com|\.cn|ICP|版权|Copyright|©|第[A-Z]?\d{1,3}版|返回|上一篇|下一篇"
    # a document site's file facts and copy button: `- 页数：10`, `字数：3000`, `正文复制`
    r"|页数|字数|页码|复制"
)
# Advert and app prompts, login and membership: `下载APP`, `扫码关注公众号`, `VIP会员免费下载`.
# Site greetings and service lines: `您好,欢迎访问…`, `服务专线`, `… logo`. (`l(?i:ogo)|L(?i:ogo)` is `(?i:logo)` with a
# literal first character, for the same reason as in ``_CHROME``.)
_ADVERT = re.compile(
    r"下载|APP|App|客户端|登录|登陆|注册|会员|VIP|扫码|关注|微信|公众号|广告|热线|免费|搜索|导航|订阅|收藏|"
    r"欢迎|您好|l(?i:ogo)|L(?i:ogo)|专线|客服|联系我们|期号|Flash|Player"
    # a widget's state or a prompt: `加载中……`, `请输入验证码`, `请点击此处联系`
    r"|加载中|验证码|请点击"
)
# A list item of a menu or a link list: `- 机关建设`, `• 某某日报`, `■ 纪检监察` (no dev-set title starts with one).
_LIST_ITEM = re.compile(r"^[-•·●◆■□▪*+](?:\s|$)")
# No dev title is shorter than this (the shortest: `新春贺信`); 36 shorter candidates on 24 tuning pages are labels.
_TITLE_MIN_CHARS = 4
# A candidate of at most this many characters with a chrome or advert word is page furniture, never a title.
_FURNITURE_MAX_CHARS = 8
# A speech's occasion line (`在全县…会议上的讲话`): a title by itself, or the line under the real title.
_OCCASION = re.compile(r"^在.{2,60}上的(?:讲话|发言|致辞|报告|主持词|表态发言)")
# Genre words of the documents this corpus collects (a title names what the text is).
_GENRE = re.compile(
    r"讲话|发言|致辞|心得|体会|报告|主持词|总结|贺词|贺信|讲稿|党课|述职"
    r"|通知|决议|决定|意见|方案|演说|声明|公告|一封信"
)
# News headline verbs (`…会议召开`, `…隆重开幕`).
_NEWS_VERB = re.compile(r"召开|举行|开幕|闭幕|启动|部署|调研|视察|出席|会见|发表|宣誓|就职|强调|要求")
# A site or column name at the end (`…范文网`, `…频道`).
_SITE_END = re.compile(r"(?:网|站|频道|首页|门户|论坛|社区|文库|之家|在线|报)$")
# Column words (`焦点新闻`, `工作动态`).
_COLUMN = re.compile(rf"^[{lexicon.HAN}]{{0,4}}(?:{lexicon.COLUMN_WORDS}|栏目|文章|范文|推荐|热门|排行)$")
# A numbered section heading of the body (`一、工作回顾`, `（二）主要做法`, `3. 下一步打算`): the body has begun.
_ENUMERATED = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]"
    r"|\d{1,2}[、.．](?!\d))"
)
# An image caption or its placeholder: `（相关资料图）`, `某某在会上讲话。（资料图片）`, `图为…`, `记者 某某 摄`.
_CAPTION = re.compile(r"资料图|图片|^图为|[(（]图[)）]|摄$|[(（]摄[)）]|配图")
# An organisation's name alone (a site banner or a letterhead): `某某县人民政府`, `某某市委员会`.
_ORGANISATION = re.compile(r"^[\u4e00-\u9fff]{2,16}(?:人民政府|委员会|人民代表大会|办公室|办公厅|政府|党委|局|厅)$")
# A line that starts with a date or an occasion (`2030年3月1日在…`, `在县人代会上`): the line under a title.
_DATE_HEAD = re.compile(r"^(?:\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}|在)")
# Bracket tags and book-title marks.
_BRACKET = re.compile(r"[【】\[\]]")
_HAN = re.compile(f"[{lexicon.HAN}]")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[A-Za-z]")
# The separators of a breadcrumb path (`首页 > 新闻中心 > 时政 > 标题`): its last part may be the title.
_CRUMB_ARROW = re.compile(r"[>»›]+")
# A document site's flattened first lines glue the title to what follows it (`1/5某市新年贺词某某2030-01-01…`,
# `县长在全县工作会议上的讲话编者按：本文…`): a head of such a line that ends in a genre word is a candidate.
_GLUED_END = re.compile(
    r"(?:讲话|贺词|主持词|致辞|发言|报告|心得体会|总结|讲稿|述职报告|决议|决定|实施方案)(?:稿|全文)?"
)
# A glued head starts where the line starts, after a run of digits and symbols (a page counter `1/5`, a file
# number, a masked date `201X/X/XX`; digits alone are part of the title: `2030年`) or where the previous glued
# head ended (the title printed twice); never inside a sentence.
_GLUED_BREAK = re.compile(r"[0-9A-Za-z/\-.:_×*#]+")
# A glued head begins with a Han character or an opening quote or book-title mark (not `》…`, a clause's tail).
_GLUED_FIRST = re.compile(r"[\u4e00-\u9fff“《]")
# Punctuation inside a glued head: it is a clause of running text, not a title.
_GLUED_PUNCT = re.compile(r"[，,。；;：:、！!？?]")
# The lines of the top region searched for glued heads, and how far into each (a title is at the head).
_GLUED_LINES = 3
_GLUED_HEAD_CHARS = 160
# A glued head starts near the line's start: a file site prints the title, a counter, the title again, then text.
_GLUED_MAX_START = 60
SOURCES = ("line", "joined", "breadcrumb", "removed_title", "template", "collect", "glued")


@dataclass(frozen=True)
class StageRules:
    """What the ranker borrows from the metadata stage (so a candidate's text is the title the stage sets)."""

    clean_title: Callable[[str], str | None]  # metadata.clean_title
    is_byline: Callable[[str], bool]  # a byline or a name-only line
    template_topic: re.Pattern  # a 范文 template sentence naming the topic (group "topic")
    collect_title: re.Pattern  # a 范文 site's `收藏《…》` link naming the page (group "topic")
    joined_title: Callable[[list[str], int], str | None]  # an official title wrapped over lines, from a line


def title_key(text: str | None) -> str | None:
    """A title without its spaces, for comparing candidates with each other and with the rules' title."""
    return None if text is None else "".join(text.split())


_collapse = lexicon.collapse_spaces


@dataclass(frozen=True)
class Candidate:
    """A title the page could have: its cleaned ``text``, where it comes from, and its features."""

    text: str
    source: str  # one of SOURCES
    line: int | None  # index into the article's lines (None: not a line of the text)
    features: tuple[tuple[str, float], ...]


def _bigrams(text: str) -> set[str]:
    return {text[k: k + 2] for k in range(len(text) - 1)}


def glued_heads(line: str) -> list[str]:
    """Heads of a flattened line that end in a genre word, each from the nearest start before it: the line's
    start, the end of a run of digits and symbols (a page counter, a file number, a masked date) or the end of
    the previous head.

    >>> glued_heads("1/5某市新年贺词某市2030年新年贺词王某2030-01-01今年的日历翻去最后一页，新年来了。")
    ['某市新年贺词', '某市2030年新年贺词']
    >>> glued_heads("编号:123某县秋季植树工作会议上的主持词同志们：现在开会。")
    ['某县秋季植树工作会议上的主持词']
    """
    found = []
    head = line[:_GLUED_HEAD_CHARS]
    starts = {0, *(m.end() for m in _GLUED_BREAK.finditer(head) if not m.group().isdigit())}  # (`2030年` is no break)
    for match in _GLUED_END.finditer(head):
        begin = max((k for k in starts if k < match.start()), default=None)
        starts.add(match.end())
        piece = head[begin:match.end()] if begin is not None and begin <= _GLUED_MAX_START else ""
        balanced = piece.count("《") == piece.count("》")
        if 6 <= len(piece) <= 50 and _GLUED_FIRST.match(piece) and balanced and not _GLUED_PUNCT.search(piece):
            found.append(piece)
    return found


def _is_furniture(text: str, size: int, chrome: bool | None = None, advert: bool | None = None) -> bool:
    """Page furniture (see the ``furniture`` feature); ``chrome``/``advert``: the searches when the caller has them."""
    chrome = bool(_CHROME.search(text)) if chrome is None else chrome
    advert = bool(_ADVERT.search(text)) if advert is None else advert
    if chrome and (advert or _DATE.search(text)):  # two kinds of furniture: a prompt, or a page's date line
        return True
    if size <= _FURNITURE_MAX_CHARS and (chrome or advert):
        return True
    if not chrome:
        return False
    # the artifacts stage's own test for a page header line (imported here: the stages package imports this module)
    from pipeline.stages.artifacts.headers import header_match  # noqa: PLC0415

    return header_match(text) is not None


def _line_shape(raw: str, cleaned: str, text: str | None = None) -> dict[str, float]:
    """Features of the text itself (``text``: ``raw`` with its spaces collapsed, when the caller has it)."""
    text = _collapse(raw) if text is None else text
    size = len(cleaned.replace(" ", ""))
    han = len(_HAN.findall(cleaned))
    chrome, advert = bool(_CHROME.search(text)), bool(_ADVERT.search(text))
    return {
        "len_lt5": float(size < 5),
        "len_lt4": float(size < _TITLE_MIN_CHARS),  # `评论`, `目录`, `二维码`, `星期三`: a label, not a title
        "len_5_8": float(5 <= size <= 8),
        "len_9_30": float(9 <= size <= 30),
        "len_31_50": float(31 <= size <= 50),
        "len_gt50": float(size > 50),
        "han_share": han / size if size else 0.0,
        "no_han": float(not han),
        "digit_share": len(_DIGIT.findall(cleaned)) / size if size else 0.0,
        "latin": float(bool(_LATIN.search(cleaned))),
        "latin_share": len(_LATIN.findall(cleaned)) / size if size else 0.0,
        "bracketed": float(bool(_BRACKETED.match(text))),
        "list_item": float(bool(_LIST_ITEM.match(text))),
        "sentence": float(bool(_SENTENCE.search(text))),
        "comma": float(bool(_COMMA.search(text))),
        "open_end": float(bool(_OPEN_END.search(text))),
        "chrome": float(chrome),
        "date": float(bool(_DATE.search(text))),
        "advert": float(advert),
        "genre": float(bool(_GENRE.search(cleaned))),
        "news_verb": float(bool(_NEWS_VERB.search(cleaned))),
        "site_end": float(bool(_SITE_END.search(cleaned))),
        "column": float(bool(_COLUMN.match(cleaned))),
        "occasion": float(bool(_OCCASION.match(cleaned))),
        "enumerated": float(bool(_ENUMERATED.match(text))),
        "caption": float(bool(_CAPTION.search(text))),
        "organisation": float(bool(_ORGANISATION.match(cleaned))),
        "date_head": float(bool(_DATE_HEAD.match(text)) and not _OCCASION.match(cleaned)),
        "bracket": float(bool(_BRACKET.search(text))),
        "cleaned": float(title_key(cleaned) != title_key(text)),
        "spaces": min(text.count(" "), 4) / 4,
        # page furniture: a short line with a chrome or advert word (`服务专线`, `阅读全文`, `打开APP`, `返回栏目`,
        # `请输入验证码`), a line with words of both lexicons (`请点击此处登录，阅读全文`) or a chrome word and a date
        # (`时间:2022-08-04 点击:`), or a page header line as the artifacts stage reads one (`发布日期：103年1月1日`)
        "furniture": float(_is_furniture(text, size, chrome, advert)),
    }


@dataclass(frozen=True)
class Page:
    """What the candidates of one article are judged against (computed once per article)."""

    lines: list[str]
    top: list[int]  # indices of the top region's non-blank lines
    top_texts: tuple[str, ...]  # those lines with their spaces collapsed (once per page: every step reads them)
    body_rank: int  # rank (in ``top``) of the first body line, len(top) when none is there
    body_head: str  # the first body paragraph, without spaces
    removal_texts: tuple[str, ...]
    removal_blob: str  # every removal, without spaces, one a line (one substring search per candidate)
    crumbs: tuple[str, ...]  # breadcrumb/nav/header texts removed by the artifacts stage
    crumb_blob: str
    titles_removed: tuple[str, ...]  # headlines the artifacts stage removed (the page's <title>, printed twice)
    rules_title: str | None  # the title today's rules chose, without spaces
    is_html: bool


def read_page(lines: list[str], removals, rules_title: str | None, is_html: bool) -> Page:
    """The page context of an article: its lines, the removals made before, and the rules' title."""
    top: list[int] = []
    for index, line in enumerate(lines):
        if line.strip(SPACE):
            top.append(index)
            if len(top) >= TOP_LINES:
                break
    top_texts = tuple(_collapse(lines[index]) for index in top)
    body_rank = len(top)
    for rank, text in enumerate(top_texts):
        if len(text) >= _BODY_MIN_CHARS or (_SENTENCE.search(text) and (len(text) >= 20 or text.endswith("。"))):
            body_rank = rank
            break
    body_start = top[body_rank] if body_rank < len(top) else None
    body_head = ""
    if body_start is not None:
        body_head = "".join(lines[body_start: body_start + 4])[:_BODY_HEAD_CHARS]
    texts = tuple(r.text for r in removals)
    crumbs = tuple(r.text for r in removals if r.rule.endswith(("nav_row", "breadcrumb", "header_line")))
    removed = tuple(r.text for r in removals if r.rule.endswith(("page_title", "repeated_title")))
    return Page(lines, top, top_texts, body_rank, title_key(body_head) or "", texts, _blob(texts), crumbs,
                _blob(crumbs), removed, rules_title, is_html)


def _blob(texts: tuple[str, ...]) -> str:
    return "\n".join(title_key(text) or "" for text in texts)


def _context(page: Page, cleaned: str, rank: int | None) -> dict[str, float]:
    """Features of a candidate's place on the page."""
    key = title_key(cleaned) or ""
    grams = _bigrams(key)
    overlap = sum(1 for gram in grams if gram in page.body_head) / len(grams) if grams else 0.0
    features = {
        "body_overlap": overlap,
        "in_removals": float(bool(key) and key in page.removal_blob),
        "in_crumbs": float(bool(key) and key in page.crumb_blob),
        "rules_choice": float(page.rules_title is not None and key == page.rules_title),
        "rules_none": float(page.rules_title is None),
    }
    if rank is None:
        return features
    distance = page.body_rank - rank
    # another top line holding the text once its spaces are removed (a line without the text's first or last
    # character cannot: most lines are ruled out without removing their spaces)
    repeats = False
    if key:
        first, last = key[0], key[-1]
        for other, index in enumerate(page.top):
            line = page.lines[index]
            if other != rank and first in line and last in line and key in title_key(line):
                repeats = True
                break
    features.update({
        "pos0": float(rank == 0),
        "pos1": float(rank == 1),
        "pos2": float(rank == 2),
        "pos3_5": float(3 <= rank <= 5),
        "pos6_plus": float(rank >= 6),
        "html_first": float(page.is_html and rank == 0),
        "body_next": float(distance == 1),
        "body_2_3": float(2 <= distance <= 3),
        "body_far": float(distance >= 4),
        "after_body": float(distance <= 0),
        "no_body": float(page.body_rank == len(page.top)),
        "repeated": float(repeats),
    })
    for name, offset in (("next", 1), ("prev", -1)):
        other = rank + offset
        text = page.top_texts[other] if 0 <= other < len(page.top) else ""
        features[f"{name}_meta"] = float(bool(text) and bool(_DATE.search(text) or _CHROME.search(text)))
        features[f"{name}_blank"] = float(not text)
        features[f"{name}_heading"] = float(bool(text) and len(text) <= 40 and not _SENTENCE.search(text)
                                            and not _OPEN_END.search(text) and not _CHROME.search(text))
    return features


# Shape features that mark page furniture: the rules' choice of such a line (a banner `您好,欢迎访问…`, a service
# line `服务专线`, a site name with a clock `某某网 今天是`) is not the evidence their choice of a headline is.
_FURNITURE = ("advert", "chrome", "date", "site_end", "latin", "len_lt5")


def _sparse(features: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """The non-zero features, by name (a candidate has a dozen of the ~60); the rules' choice of a furniture-like
    line counts as ``rules_choice_furniture``, not ``rules_choice``."""
    if features.get("rules_choice") and any(features.get(name) for name in _FURNITURE):
        features = {**features, "rules_choice": 0.0, "rules_choice_furniture": 1.0}
    return tuple(sorted((name, value) for name, value in features.items() if value))


def _named_topics(texts: tuple[str, ...], pattern: re.Pattern) -> list[str]:
    """The ``topic`` that ``pattern`` finds in each of ``texts``, in order (a template sentence's or a collect link's).

    One search over the texts joined comes first: ``pattern`` has no anchor or lookaround, so a text it matches makes
    the joined texts match too, and most pages (no such text) are done with one search instead of one per removal.
    """
    if not texts or pattern.search("\n".join(texts)) is None:
        return []
    return [match["topic"] for match in map(pattern.search, texts) if match]


def candidates(page: Page, rules: StageRules) -> list[Candidate]:
    """The candidates of an article: the top region's short lines in page order, then the titles that are not
    a line of the text (an official title wrapped over lines, a breadcrumb tail, a title the artifacts stage
    removed as the page's <title> or as printed twice, a template sentence's topic)."""
    found: list[Candidate] = []
    seen_first_heading = False
    extra: list[tuple[str, str, int | None]] = []
    for rank, index in enumerate(page.top):
        raw = page.lines[index]
        text = page.top_texts[rank]
        if len(text) < 2 or len(text) > MAX_CANDIDATE_CHARS or _FULL_STOP.search(text):
            continue  # (no title of the dev set holds a 。 or ；: such a line is running text)
        if len(text) >= RUNNING_TEXT_MIN_CHARS and len(_CLAUSE_COMMA.findall(text)) >= 2:
            continue  # a long line of comma-joined clauses is a sentence whose full stop the page lost
        cleaned = rules.clean_title(raw)
        if not cleaned or len(cleaned.replace(" ", "")) < 2:
            continue
        features = {"src_line": 1.0, **_line_shape(raw, cleaned, text), **_context(page, cleaned, rank)}
        heading = not (features["sentence"] or features["open_end"] or features["chrome"])
        features["first_heading"] = float(heading and not seen_first_heading)
        seen_first_heading = seen_first_heading or heading
        features["byline"] = float(rules.is_byline(raw))
        following = page.top[rank + 1] if rank + 1 < len(page.top) else None
        features["next_byline"] = float(following is not None and rules.is_byline(page.lines[following]))
        found.append(Candidate(cleaned, "line", index, _sparse(features)))
        if heading and rank < 4 and not features["column"]:  # (a column label never starts a wrapped title)
            joined = rules.joined_title(page.lines, index)
            if joined:
                extra.append(("joined", joined, rank))
    long_ranks = [rank for rank, text in enumerate(page.top_texts[:_GLUED_LINES]) if len(text) > MAX_CANDIDATE_CHARS]
    # only the first long line, and only when it is the first body line: the flattened text starts there; after a
    # sentence the body has begun and a genre word is running text (`…主席王某主持闭幕会并讲话。` / `王某在讲话中说`)
    if long_ranks and long_ranks[0] <= page.body_rank:
        extra.extend(("glued", head, None) for head in glued_heads(page.top_texts[long_ranks[0]]))
    for crumb in page.crumbs:
        if not _CRUMB_ARROW.search(crumb):
            continue  # a page-info or keyword row, not a path (its parts were never the title on the dev set)
        tail = _CRUMB_ARROW.split(crumb)[-1].strip(SPACE)
        if len(tail) >= 4:
            extra.append(("breadcrumb", tail, None))
    for text in page.titles_removed:
        extra.append(("removed_title", text, None))
    extra.extend(("template", topic, None) for topic in _named_topics(page.removal_texts, rules.template_topic))
    for index in page.top[:2]:
        match = rules.template_topic.search(page.lines[index])
        if match:
            extra.append(("template", match["topic"], None))
    extra.extend(("collect", topic, None)
                 for topic in _named_topics(page.removal_texts + tuple(page.lines[-3:]), rules.collect_title))
    known = {title_key(c.text) for c in found}
    for source, raw, rank in extra:
        cleaned = rules.clean_title(raw)
        if not cleaned or len(cleaned) > MAX_CANDIDATE_CHARS or title_key(cleaned) in known:
            continue
        known.add(title_key(cleaned))
        features = {f"src_{source}": 1.0, **_line_shape(raw, cleaned), **_context(page, cleaned, rank)}
        found.append(Candidate(cleaned, source, None, _sparse(features)))
    return found


FEATURES = tuple(sorted({
    "src_line", "src_joined", "src_glued", "src_breadcrumb", "src_removed_title", "src_template",
    "no_han", "len_lt5", "len_5_8", "len_9_30", "len_31_50", "len_gt50", "han_share", "digit_share", "latin",
    "sentence", "comma", "open_end", "chrome", "date", "advert", "genre", "news_verb", "site_end", "column", "bracket",
    "cleaned", "spaces", "latin_share", "bracketed", "list_item", "src_collect", "body_overlap", "in_removals",
    "in_crumbs",
    "rules_choice", "rules_choice_furniture", "rules_none",
    "pos0", "pos1", "pos2", "pos3_5", "pos6_plus", "html_first", "body_next", "body_2_3", "body_far",
    "after_body", "no_body", "repeated", "next_meta", "next_blank", "prev_meta", "prev_blank", "occasion",
    "next_heading", "prev_heading",
    "first_heading", "byline", "next_byline", "enumerated", "caption", "organisation", "date_head",
    "furniture", "len_lt4",
}))


# Features that rule a candidate out (it is never ranked, never the title): on the tuning pages no gold title
# has them and each marks wrong candidates on several sites (a caption `（相关资料图）`, a byline, a line ending like
# a salutation `各位来宾：`, a section heading `一、…`, a letterhead `某某县人民政府`,
# a menu's list item `- 机关建设`, a line without a Han character: a clock `17.06.2016 13:27`, an image tag; the
# last line of the top region, `next_blank`: 0 titles, 40 wrong candidates on 39 sites, a footer or a widget; a line
# of at most 8 characters with a chrome or advert word, or a chrome word with an advert word or a date, `furniture`:
# 0 titles, 18 wrong candidates on 15 tuning pages; fewer than 4 characters, `len_lt4`: 0 titles, 36 wrong
# candidates on 24 tuning pages).
# The candidate stays in the list (its features are traced and tested); ``choose`` and ``fit`` skip it. A column
# word stays rankable: alone above the body it is the page's only heading (tests/cases/metadata.json).
VETO_FEATURES = ("bracketed", "caption", "byline", "open_end", "enumerated", "organisation", "list_item",
                 "no_han", "next_blank", "furniture", "len_lt4")


# (as a set for ``is_vetoed``: one hash per feature instead of a scan of the tuple; derived, so a veto added to the
# tuple is in it)
_VETO_SET = frozenset(VETO_FEATURES)


def is_vetoed(features) -> bool:
    """True when one of ``VETO_FEATURES`` is set in ``features`` (a candidate's sparse pairs)."""
    return any(name in _VETO_SET for name, _value in features)


def vector(candidate: Candidate) -> list[float]:
    values = dict(candidate.features)
    return [values.get(name, 0.0) for name in FEATURES]


def _logit(weights: dict[str, float], intercept: float, features) -> float:
    return intercept + sum(weights.get(name, 0.0) * value for name, value in features)


def _sigmoid(total: float) -> float:
    return 1.0 / (1.0 + math.exp(-total)) if total > -30 else 0.0


# How far the best candidate ranks ahead of the next one (in logits, capped): a clear winner is more often the
# title than the best of several look-alikes. A feature of the acceptance regression only.
_MARGIN_CAP = 4.0
# A lone candidate's rival is an even chance (logit 0): its margin is its own logit, not the cap (a single footer
# line under the body must not look like a clear winner).
_LONE_RIVAL = 0.0


def _rival(scores: list[float], best: int) -> float:
    """The logit the winner's margin is measured from: the runner-up's, but never below an even chance (the best
    of several junk lines, `请点击…联系老师` over a footer, is no clear winner; as a lone candidate)."""
    return max([_LONE_RIVAL, *(v for k, v in enumerate(scores) if k != best)])


# The best candidate's ranking logit, capped the same way (a feature of the acceptance regression only): how
# title-like the winner is by itself, not only against its rivals.
_SCORE_CAP = 4.0
ACCEPTANCE_EXTRA = ("margin", "rank_score")


# The candidate features the acceptance regression reads besides its two scores: the ranker already weighs them
# all, and ~100 pages cannot fit a second regression over ~60 features (it invented titles on held-out folds).
ACCEPTANCE_FEATURES = ("rules_choice", "rules_none", "src_line", "chrome", "advert", "sentence", "byline", "caption",
                       "enumerated", "organisation", "in_removals", "genre", "news_verb", "pos0", "pos1")
# (as a set for ``_acceptance_features``, as ``_VETO_SET``)
_ACCEPTANCE_SET = frozenset(ACCEPTANCE_FEATURES)


def _acceptance_features(features, margin: float, score: float) -> tuple:
    kept = tuple((name, value) for name, value in features if name in _ACCEPTANCE_SET)
    return (*kept, ("margin", min(margin, _MARGIN_CAP) / _MARGIN_CAP),
            ("rank_score", max(-_SCORE_CAP, min(score, _SCORE_CAP)) / _SCORE_CAP))


@dataclass(frozen=True)
class TitleModel:
    """Two logistic regressions: ``rank`` orders the candidates of a page (trained on the pages whose title is
    among their candidates), ``accept`` says how likely the best one is the title (a few of the candidate's
    features, its ranking logit and its margin over the runner-up; trained on every page, those without a title
    too)."""

    rank: dict[str, float]
    rank_intercept: float
    accept: dict[str, float]
    accept_intercept: float
    trained_on: int = 0  # pages

    def choose(self, found: list[Candidate]) -> tuple[Candidate | None, float]:
        """The best-ranked candidate (the first in page order on a tie) and its acceptance score."""
        found = [candidate for candidate in found if not is_vetoed(candidate.features)]
        if not found:
            return None, 0.0
        scores = [_logit(self.rank, self.rank_intercept, candidate.features) for candidate in found]
        best = max(range(len(scores)), key=lambda k: (scores[k], -k))
        margin = scores[best] - _rival(scores, best)
        features = _acceptance_features(found[best].features, margin, scores[best])
        return found[best], _sigmoid(_logit(self.accept, self.accept_intercept, features))


# -- training (``pipeline.models.title_training``; imported only by ``corpus train``) ----------------------


def examples(document: Document, gold: dict) -> list:
    """Training examples of one dev page (see ``title_training.examples``)."""
    from pipeline.models import title_training  # noqa: PLC0415 - training only

    return title_training.examples(document, gold)


def fit(items: list) -> TitleModel:
    """The ranking and acceptance regressions (see ``title_training.fit``)."""
    from pipeline.models import title_training  # noqa: PLC0415 - training only

    return title_training.fit(items)


def save(model: TitleModel, folder: Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"name": NAME, "features": list(FEATURES), "rank": model.rank, "rank_intercept": model.rank_intercept,
               "accept": model.accept, "accept_intercept": model.accept_intercept,
               "trained_on_pages": model.trained_on}
    (folder / MODEL_FILE).write_text(json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                     encoding="utf-8")


def load(folder: Path) -> TitleModel:
    payload = json.loads((Path(folder) / MODEL_FILE).read_text(encoding="utf-8"))
    return TitleModel(dict(payload["rank"]), float(payload["rank_intercept"]), dict(payload["accept"]),
                      float(payload["accept_intercept"]), int(payload.get("trained_on_pages", 0)))
