"""Line roles: a linear-chain CRF over the lines the artifact rules kept, to drop the debris lines they miss.

The rules stay first (they are certain: ICP numbers, URLs, header lines, template sentences …). This model
looks at every non-blank line the rules left and labels it with one role:

- ``body``: running text, headings, anything that is content;
- ``title``: the document's title line (kept: the metadata stage takes it);
- ``byline``: a line naming the author (kept: the metadata stage takes it);
- ``meta``: page meta debris (dates and clocks of the page, 来源/作者/编辑 lines, counters);
- ``chrome``: site chrome (navigation, site names, share/login/app prompts, related articles, footers, ads,
  captions, template sentences, forum junk).

``meta`` and ``chrome`` lines whose probability reaches ``ArtifactsConfig.model_min_score`` are dropped by
``pipeline.stages.artifacts`` as ``model.<role>:<score>``. Left alone whatever the score: long lines, numbered
headings and sentences with noise glued to their start (``reads_as_content``): debris inside them is a span.

Features (each justified by pages of several sites; all cheap: one pass of a few compiled patterns per line,
nothing quadratic, no segmentation), of the line and, prefixed ``-1:``/``+1:``, of its neighbours:
position from the top and from the bottom (bucketed), length, Han share, punctuation and digit profile, a
final full stop, date / clock / weekday patterns, lexicons (chrome words of ``artifacts.rules.CHROME_WORDS``,
header keys, genre words such as 讲话/致辞/心得体会, position words such as 书记/局长, app/share/login/related
words, site service words such as 验证码/客服/留言/会员, site-name suffixes), the line's repetition on the
page, and its character overlap with the first kept line (a stand-in for the page's ``<title>``).

Speed: a line longer than ``LONG_LINE_CHARS`` is never labelled; it only separates the runs of short lines
the CRF labels (its neighbours see ``long``), and a run of prose lines only (``may_be_debris``) is not
tagged at all. On the benchmark corpus this keeps the stage within ~1.3x of the rules alone
(bench/RESULTS.md).

Training labels are weak, from the dev set's gold (``examples``): a line holding a ``must_remove`` string
that covers most of the line is ``meta`` (it has a date, clock or header key) or ``chrome``; a line
equal to the gold title is ``title``; a short line naming the gold author is ``byline``; everything else
is ``body``. A line where a ``must_remove`` string is only a small part is ``body`` (its debris is a span:
the rules' job).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pipeline.stages.artifacts import rules as R

NAME = "lines"
STAGE = "artifacts"
MODEL_FILE = "lines.crfsuite"
CARD_FILE = "lines.json"
DEBRIS_ROLES = ("meta", "chrome")
ROLES = ("body", "title", "byline") + DEBRIS_ROLES
FEATURE_VERSION = 4  # bump when the features change: a model trained on other features is refused

# Training: L-BFGS with L1 + L2 (crfsuite's defaults for c1/c2 are 0 and 1); fixed iterations, deterministic.
TRAIN_PARAMS = {"c1": 0.05, "c2": 0.5, "max_iterations": 150, "feature.possible_transitions": True}
# A must_remove string that covers at least this share of a line's characters makes the line debris.
DEBRIS_COVER_SHARE = 0.5
# A byline is short: "记者 张三 通讯员 李四" fits; a longer line naming the author is text about them.
BYLINE_MAX_CHARS = 40
# A kept line longer than this is text (a paragraph, with debris spans at most: the rules' work): the model
# never labels it, and it separates the runs of short lines the CRF labels, so a page of long paragraphs
# costs next to nothing. Debris lines are short: of the dev set's must_remove lines, none is longer.
LONG_LINE_CHARS = 150
# A prose line (``may_be_debris``): a clause of this many characters, this share of them Han
PROSE_MIN_CHARS = 12
PROSE_MIN_HAN_SHARE = 0.6

_NOT_WORD_RE = re.compile(r"[\W_]+")
_HAN_RUN_RE = re.compile(rf"[{R.HAN}]+")  # counted as len(text) - len(sub("", text)): no list of matches
_DIGIT_RUN_RE = re.compile(r"\d+")
_LATIN_RUN_RE = re.compile(r"[A-Za-z]+")
_SPACE_RUN_RE = re.compile(r"\s{2,}|\u3000")
_CLAUSE_RE = re.compile(r"[，,、；;]")
# "2024-10-28", "2019/12/01", "2022年12月25日": the page's dates (ISO ones are chrome far more often)
_ISO_DATE_RE = R.ISO_DATE_RE
_CJK_DATE_RE = re.compile(R.CJK_DATE)
_CLOCK_RE = re.compile(R.CLOCK)
# "星期三", "周五", "礼拜一": a page clock line ("2024年5月8日 星期三", several government sites)
_WEEKDAY_RE = re.compile(r"星期[一二三四五六日天]|礼拜[一二三四五六日天]|周[一二三四五六日](?![年期])")
_HEADER_KEY_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(set(R.ALL_HEADER_KEYS), key=len, reverse=True)) + r"|浏览|阅读|点击|责编|编辑"
)
# Genre words of speech / 范文 titles: "…在全县工作会议上的讲话", "…心得体会"
_GENRE_RE = re.compile(r"讲话|发言|致辞|心得体会|报告|总结|主持词|党课|演讲|述职|体会|方案|意见|通知|决定|范文")
# Position words: "县委书记", "局长"; in bylines and titles of speeches
_POSITION_RE = re.compile(r"书记|县长|市长|省长|区长|镇长|乡长|局长|主任|主席|部长|厅长|处长|院长|校长|委员|常委")
# App prompts, share, login, comments, related lists: chrome vocabulary seen on many sites
_APP_RE = re.compile(r"APP|App|app|客户端|下载|扫码|二维码|关注|公众号|微信|微博|小程序|打开")
_RELATED_RE = re.compile(r"相关|推荐|热门|热点|猜你|阅读排行|排行|精选|专题|更多|上一|下一|下载|查看|点击|收藏|评论|"
                         r"分享|登录|注册|举报|返回")
# "Copyright", "COPYRIGHT", "icp": spelled-out case classes (a re.I pattern is twice as slow on Han text)
_FOOTER_RE = re.compile(r"版权|所有|主办|承办|技术支持|联系|电话|地址|邮编|备案|"
                        r"[Cc][Oo][Pp][Yy][Rr][Ii][Gg][Hh][Tt]|©|[Ii][Cc][Pp]")
# "中山文明网", "县融媒体中心新闻": a site or channel name ends like this
_SITE_SUFFIXES = ("网", "网站", "论坛", "平台", "门户", "频道", "在线", "文库", "电台", "社区", "资讯", "新闻", "日报",
                  "晚报", "报")
# Site service words: login, captcha, loading, customer service, member and comment widgets ("输入验证码",
# "正在加载", "在线客服", "发表留言", "开通会员"); on the dev set such lines were left on six sites
_SERVICE_RE = re.compile(r"验证码|加载|客服|订阅|留言|足迹|复制|会员|VIP|Vip|vip|注册|登[录陆]|收藏|打印|字号|浏览器")
_SEPARATOR_RE = re.compile(r"[|｜>＞»/•·]")
_MASK_RE = re.compile(r"[Xx×＊*☆]{2,}")

# Faster tests that answer as a search of the patterns above does (tests/test_artifacts_speed.py compares them on
# generated and dev-set lines): _FOOTER_RE, _SPACE_RUN_RE, _CLOCK_RE and _MASK_RE open with a repeat or with a
# branch that opens with a class, which ``re`` tries at every position; these open with literals, a literal test
# or a fixed pair, 1.7-3.7x faster on the bench corpus's short lines.
# _FOOTER_RE's literal branches ("版权所有"), and the others ("Copyright", "ICP"), each holding a C or c
_FOOTER_WORD_RE = re.compile(r"版权|所有|主办|承办|技术支持|联系|电话|地址|邮编|备案|©")
_FOOTER_LATIN_RE = re.compile(r"[Cc][Oo][Pp][Yy][Rr][Ii][Gg][Hh][Tt]|[Ii][Cc][Pp]")
_SPACE_PAIR_RE = re.compile(r"\s\s")  # "a  b": a run of two or more spaces holds a pair
_MASK_PAIR_RE = re.compile(r"[Xx×＊*☆]{2}")  # "XX年": a run of two or more holds a pair


def _has_footer_word(text: str) -> bool:
    """``_FOOTER_RE.search(text)`` as a bool: "版权所有", "Copyright 2024", "ICP备"."""
    return _FOOTER_WORD_RE.search(text) is not None or (
        ("C" in text or "c" in text) and _FOOTER_LATIN_RE.search(text) is not None)


def _has_space_run(text: str) -> bool:
    """``_SPACE_RUN_RE.search(text)`` as a bool: two whitespace characters in a row, or an ideographic space."""
    return "\u3000" in text or _SPACE_PAIR_RE.search(text) is not None


def _has_clock(text: str) -> bool:
    """``_CLOCK_RE.search(text)`` as a bool: "08:47"; every clock holds a colon."""
    return (":" in text or "：" in text) and _CLOCK_RE.search(text) is not None


def _has_mask(text: str) -> bool:
    """``_MASK_RE.search(text)`` as a bool: "20XX年"."""
    return _MASK_PAIR_RE.search(text) is not None


# A numbered heading: an ordinal, then Han text. "一、总体要求", "(三)学习制度 ........ (5)" (a table of
# contents entry), "3、工作措施", "第二章 组织生活"; searched, not matched, because anti-scraping noise may be glued
# before it ("w2 T& c一、总体要求"). Held-out folds dropped such headings as chrome when their neighbours were noise or
# dot leaders (three sites); a heading is content, so the model never drops one (``reads_as_content``).
_ORDINAL_HEADING_RE = re.compile(
    rf"(?:^|[^{R.HAN}])(?:[一二三四五六七八九十]{{1,3}}[、.．]|[(（][一二三四五六七八九十\d]{{1,2}}[)）]|\d{{1,2}}[、．]|"
    rf"第[一二三四五六七八九十\d]{{1,3}}[章节部分篇])\s*[{R.HAN}]{{2}}"
)
# The first Han character or opening quote of a line: what follows it is the line's text once noise glued to
# its start is set aside ("k7 W; e2 R& 今天，我就调研工作谈三点体会。" -> "今天，我就调研工作谈三点体会。").
_TEXT_START_RE = re.compile(rf"[{R.HAN}“‘《（(]")


class LineView(NamedTuple):
    """One non-blank input line of a page, with what the model may know of its context (a named tuple:
    every line of every page of a build makes one)."""

    index: int  # position in the kept line list (blank lines included); -1 if the rules removed the line
    number: int  # line number in the text the artifacts stage received
    text: str  # as the rules left it (span debris cut out); the input line if the rules removed it
    rank: int  # 0-based among the page's non-blank input lines
    count: int  # non-blank input lines on the page
    rule: str  # rule family that removed this line ("" if kept): a training label, never a feature
    repeats: int  # other short lines with the same normalised text (0 for a long line: never computed)
    key: str  # the text without spaces and punctuation ("" for a long line: never computed)
    first_key: str  # that of the first kept line ("" for the first kept line itself), a stand-in for <title>

    @property
    def first_overlap(self) -> float:
        """Share of this line's characters found in the first kept line (computed only for the lines tagged)."""
        if not self.key or not self.first_key:
            return 0.0
        return sum(map(_char_set(self.first_key).__contains__, self.key)) / len(self.key)

    @property
    def long(self) -> bool:
        """A line the model never labels (see ``LONG_LINE_CHARS``)."""
        return len(self.text) > LONG_LINE_CHARS


def line_views(input_text: str, kept: list[tuple[int, str]], removals, kept_only: bool = True) -> list[LineView]:
    """The model's view of a page: every non-blank input line, ``kept`` = (input line number, text) of the
    lines the rules kept, in order; ``removals`` = the rules' removals (rule, line number).

    The per-line work (normalised keys, overlap with the first line) is done for short lines only: long
    lines are never labelled, they only separate the segments the CRF labels.

    >>> from pipeline.document import Removal
    >>> views = line_views("首页\\n标题\\n正文。", [(1, "标题"), (2, "正文。")],
    ...                    [Removal("artifacts.nav_row", 0, "首页")], False)
    >>> [(v.index, v.rule) for v in views]
    [(-1, 'nav_row'), (0, ''), (1, '')]
    """
    if kept_only:  # what the model sees at run time: the page as the rules left it
        indexes, numbers, texts = [], [], []
        for index, (number, text) in enumerate(kept):
            stripped = text.strip()
            if stripped:
                indexes.append(index)
                numbers.append(number)
                texts.append(stripped)
        rules = [""] * len(numbers)
    else:
        indexes, numbers, texts, rules = _input_lines(input_text, kept, removals)
    keys = [_NOT_WORD_RE.sub("", text) if len(text) <= LONG_LINE_CHARS else "" for text in texts]
    key_counts: dict[str, int] = {}
    for key in keys:
        key_counts[key] = key_counts.get(key, 0) + 1
    first_kept = next((k for k, rule in enumerate(rules) if not rule), None)
    first_key = (keys[first_kept] or _NOT_WORD_RE.sub("", texts[first_kept])) if first_kept is not None else ""
    views = []
    for rank, (index, number, text, key, rule) in enumerate(zip(indexes, numbers, texts, keys, rules, strict=True)):
        views.append(
            LineView(
                index=index,
                number=number,
                text=text,
                rank=rank,
                count=len(numbers),
                rule=rule,
                repeats=key_counts[key] - 1 if key else 0,
                key=key,
                first_key=first_key if rank != first_kept else "",
            )
        )
    return views


def _input_lines(input_text: str, kept: list[tuple[int, str]], removals) -> tuple[list, list, list, list]:
    """(kept index or -1, line number, text, rule family or "") of every non-blank input line (for training)."""
    input_lines = input_text.split("\n")
    kept_at = {number: (index, text) for index, (number, text) in enumerate(kept) if text.strip()}
    line_rules: dict[int, str] = {}
    for removal in removals:
        if removal.line in kept_at:
            continue  # a span rule inside a kept line
        family = removal.rule.split(".", 1)[-1].split(":", 1)[0]
        if family == "paragraph_rejoin":  # joined into the line above: its own text, kept
            kept_at.setdefault(removal.line, (-1, input_lines[removal.line] if removal.line < len(input_lines) else ""))
        else:
            line_rules.setdefault(removal.line, family)
    indexes, numbers, texts, rules = [], [], [], []
    for number, line in enumerate(input_lines):
        if not line.strip():
            continue
        index, text = kept_at.get(number, (-1, ""))
        indexes.append(index)
        numbers.append(number)
        texts.append(text.strip() if index >= 0 and text.strip() else line.strip())
        rules.append("" if number in kept_at else line_rules.get(number, "rule"))
    return indexes, numbers, texts, rules


@functools.lru_cache(maxsize=64)
def _char_set(text: str) -> frozenset:
    return frozenset(text)


def _bucket(value: float, edges: tuple) -> int:
    """Index of the first edge ``value`` is below (len(edges) if none)."""
    return bisect.bisect_right(edges, value)


_LEN_EDGES = (4, 8, 13, 20, 30, 45, 70, 110)
_HAN_SHARE_EDGES = (0.2, 0.5, 0.7, 0.85, 0.95)
_DIGIT_SHARE_EDGES = (0.01, 0.1, 0.25, 0.5)
_LATIN_SHARE_EDGES = (0.01, 0.2, 0.5)
_CLAUSE_EDGES = (1, 2, 4)
_TOKEN_EDGES = (2, 3, 5, 8)
_FLAG_PATTERNS = (  # (feature, bound search or match, or a test answering as one): a pattern pass each
    ("iso_date", _ISO_DATE_RE.search),
    ("cjk_date", _CJK_DATE_RE.search),
    ("clock", _has_clock),
    ("weekday", _WEEKDAY_RE.search),
    ("header_key", _HEADER_KEY_RE.search),
    ("genre", _GENRE_RE.search),
    ("position", _POSITION_RE.search),
    ("app", _APP_RE.search),
    ("related", _RELATED_RE.search),
    ("footer", _has_footer_word),
    ("separator", _SEPARATOR_RE.search),
    ("space_run", _has_space_run),
    ("heading", R.HEADING_RE.match),
    ("mask", _has_mask),
    ("service", _SERVICE_RE.search),
    ("sentence_punct", R.SENTENCE_PUNCT_RE.search),
)
_BRACKET_LEADS = frozenset("【[［(（<《「")


def _end_kind(last: str) -> str:
    if last in R.TERMINAL:
        return "end=stop"
    if last in R.LINE_CLOSERS:
        return "end=closer"
    if "\u3400" <= last <= "\u9fff":
        return "end=han"
    return "end=digit" if last.isdigit() else "end=other"


@functools.lru_cache(maxsize=4096)  # pure; a site's chrome lines recur on its pages, and a page is seen again
def _own_features(text: str) -> tuple[str, ...]:  # after a drop (rules and model run to a fixpoint)
    """Features of one short line alone (the neighbours get a prefixed copy of these)."""
    length = len(text)
    han = length - len(_HAN_RUN_RE.sub("", text))
    digits = length - len(_DIGIT_RUN_RE.sub("", text))
    latin = length - len(_LATIN_RUN_RE.sub("", text))
    features = [
        f"len={_bucket(length, _LEN_EDGES)}",
        f"han={_bucket(han / length, _HAN_SHARE_EDGES)}",
        f"digit={_bucket(digits / length, _DIGIT_SHARE_EDGES)}",
        f"latin={_bucket(latin / length, _LATIN_SHARE_EDGES)}",
        f"clauses={_bucket(len(_CLAUSE_RE.findall(text)), _CLAUSE_EDGES)}",
        _end_kind(text[-1]),
    ]
    features.extend(name for name, test in _FLAG_PATTERNS if test(text))
    if text.endswith(_SITE_SUFFIXES):
        features.append("site_suffix")
    if text[0] in _BRACKET_LEADS:
        features.append("bracket_lead")
    tokens = [t for t in R.TOKEN_SPLIT_RE.split(text) if t]
    chrome = sum(1 for t in tokens if R.CHROME_WORDS.get(t.strip(":：[]【】+").lower()))
    if chrome:
        features.append(f"chrome_words={min(chrome, 3)}")
        if chrome == len(tokens):
            features.append("all_chrome")
    features.append(f"tokens={_bucket(len(tokens), _TOKEN_EDGES)}")
    return tuple(features)


def _context_features(view: LineView) -> list[str]:
    """Features of the line's place on the page."""
    features = [
        "bias",
        f"top={_bucket(view.rank, (1, 2, 3, 5, 8, 12, 20))}",
        f"bottom={_bucket(view.count - 1 - view.rank, (1, 2, 3, 5, 8))}",
        f"relpos={5 * view.rank // view.count}",
    ]
    if view.rank:
        features.append(f"overlap_first={_bucket(view.first_overlap, (0.01, 0.5, 0.8, 0.99))}")
    if view.repeats:
        features.append("repeated")
    return features


def may_be_debris(text: str) -> bool:
    """False for a line that reads as prose: at least ``PROSE_MIN_CHARS`` characters, mostly Han, a clause
    mark inside, and no chrome, share, app, footer or header word. A run of short lines holding only such
    lines is not tagged at all: a cheap test that spares the CRF most short paragraphs. On the dev set no
    such line scores above 0.54 as debris (the threshold is 0.9); the template and notice sentences all hold
    one of those words, and forum garbage (``G- k; W% a%``) is not mostly Han, so they stay in reach.

    >>> may_be_debris("县林业部门技术人员现场讲解栽植要点，确保苗木成活。"), may_be_debris("相关推荐")
    (False, True)
    >>> may_be_debris("本站文章均来自网友上传，如有侵权请联系删除。"), may_be_debris("x; k% a; W% Q+ z; 9 ^")
    (True, True)
    """
    length = len(text)
    if length < PROSE_MIN_CHARS or not _CLAUSE_RE.search(text):
        return True
    if length - len(_HAN_RUN_RE.sub("", text)) < PROSE_MIN_HAN_SHARE * length:
        return True
    return bool(_RELATED_RE.search(text) or _APP_RE.search(text) or _has_footer_word(text)
                or _HEADER_KEY_RE.search(text))


# The runtime asks twice per page (the stage's "anything to tag?" test, then per segment in ``debris_lines``)
may_be_debris_cached = functools.lru_cache(maxsize=4096)(may_be_debris)


def reads_as_content(text: str) -> bool:
    """True for a line the model must never drop whatever its neighbours: a numbered heading without chrome
    vocabulary (``_ORDINAL_HEADING_RE``), or a line whose text after noise glued to its start reads as prose
    (``may_be_debris`` is False for it). Debris glued into such a line is a span: the rules' job, not a reason
    to drop the sentence with it. A line that starts as text is left to the model (template sentences read as
    prose and are debris), as is a heading that names chrome ("1、点击【政务公开】查看更多").

    >>> reads_as_content("一、总体要求"), reads_as_content("(三)学习制度 ............ (5)")
    (True, True)
    >>> reads_as_content("k7 W; e2 R& 今天，我就调研工作谈三点体会，供大家参考。")
    True
    >>> reads_as_content("1、点击【政务公开】查看更多"), reads_as_content("相关推荐"), reads_as_content("q3 K; z& p1 ]")
    (False, False, False)
    """
    if _ORDINAL_HEADING_RE.search(text):
        return not (_RELATED_RE.search(text) or _APP_RE.search(text) or _has_footer_word(text)
                    or _HEADER_KEY_RE.search(text))
    start = _TEXT_START_RE.search(text)
    return bool(start) and start.start() > 0 and not may_be_debris(text[start.start():])


def segments(views: list[LineView]) -> list[tuple[int, int]]:
    """(start, stop) of each run of short lines: the sequences the CRF labels (long lines separate them)."""
    out = []
    start = None
    for k, view in enumerate(views):
        if view.long:
            if start is not None:
                out.append((start, k))
                start = None
        elif start is None:
            start = k
    if start is not None:
        out.append((start, len(views)))
    return out


def segment_features(views: list[LineView], start: int, stop: int) -> list[list[str]]:
    """Feature lists of the short lines ``views[start:stop]``: own + context + the neighbours' own, prefixed
    (a neighbour that is a long line is only ``long``; none at the page's edge is ``none``)."""
    own = [_own_features(view.text) for view in views[start:stop]]
    before = ["-1:long"] if start > 0 else ["-1:none"]
    after = ["+1:long"] if stop < len(views) else ["+1:none"]
    out = []
    for k in range(len(own)):
        features = [*own[k], *_context_features(views[start + k])]
        features += ["-1:" + name for name in own[k - 1]] if k else before
        features += ["+1:" + name for name in own[k + 1]] if k + 1 < len(own) else after
        out.append(features)
    return out


# ------------------------------------------------------------------------------------------ weak labels


def _key(text: str) -> str:
    return _NOT_WORD_RE.sub("", text)


_META_RULES = frozenset({"header_line", "view_counter", "source_prefix"})


def weak_labels(views: list[LineView], gold: dict, convert=lambda s: s) -> list[str]:
    """One role per line from the gold (see the module docstring); ``convert`` is the script stage's converter.

    >>> views = line_views("首页 新闻\\n标题甲\\n记者 张三\\n正文。",
    ...                    [(0, "首页 新闻"), (1, "标题甲"), (2, "记者 张三"), (3, "正文。")], [])
    >>> weak_labels(views, {"title": "标题甲", "author": "张三", "must_remove": ["首页 新闻"]})
    ['chrome', 'title', 'byline', 'body']
    """
    removes = [convert(item) for item in gold.get("must_remove") or [] if item and item.strip()]
    title_key = _key(gold.get("title") or "")
    author = gold.get("author") or ""
    labels = []
    for view in views:
        text = view.text
        text_key = _key(text)
        covered = 0
        for item in removes:
            if item in text or item.strip() in text:
                covered = max(covered, len(_key(item)))
        if view.rule:  # the rules removed it: trusted as debris (they are the certain part)
            labels.append("byline" if view.rule == "reporter_tag" else "meta" if view.rule in _META_RULES else "chrome")
        elif text_key and covered >= DEBRIS_COVER_SHARE * len(text_key):
            is_meta = bool(_HEADER_KEY_RE.search(text) or _ISO_DATE_RE.search(text) or _CLOCK_RE.search(text)
                           or _CJK_DATE_RE.search(text))
            labels.append("meta" if is_meta else "chrome")
        elif title_key and text_key and (text_key == title_key
                                         or (title_key in text_key and len(title_key) >= 0.7 * len(text_key))):
            labels.append("title")
        elif author and len(text) <= BYLINE_MAX_CHARS and author in _SPACE_RUN_RE.sub("", text).replace(" ", ""):
            labels.append("byline")
        else:
            labels.append("body")
    return labels


def examples(document, gold: dict) -> list:
    """Training examples of one dev page: [(feature lists, roles)], one per run of short lines.

    ``document`` is the document as the artifacts stage receives it (Simplified script); the gold's
    ``must_remove`` strings are converted with the script stage's converter before matching. Two views of
    the page: every input line (the rules' debris labelled too, for more debris to learn from), and the
    lines the rules keep (what the model sees at run time). A line checked by eye in ``LABELS_PATH`` (same
    page, line number and hash) takes its role from there."""
    from pipeline.stages.artifacts import rule_pass_view
    from pipeline.stages.script import to_simplified

    stored = stored_labels().get((gold.get("file", ""), document.article_index or 0), {})
    input_lines = document.text.split("\n")
    checked = {line: role for line, (digest, role, source) in stored.items()
               if source == "checked" and line < len(input_lines) and digest == input_line_hash(input_lines[line])}
    out = []
    for views in rule_pass_view(document, kept_only=False), rule_pass_view(document, kept_only=True):
        labels = [checked.get(view.number, label)
                  for view, label in zip(views, weak_labels(views, gold, to_simplified), strict=True)]
        for start, stop in segments(views):
            out.append((segment_features(views, start, stop), labels[start:stop]))
    return out


# ------------------------------------------------------------------------------------------ stored labels

# The weak labels as reviewable data: one row per non-blank input line of each dev page, holding no page
# text (file, article, line number, hash of the line, role, source). ``source`` is ``weak`` (as
# ``weak_labels`` gives it: tools/line_labels.py regenerates these) or ``checked`` (looked at by eye, its
# role corrected where needed: training takes the role from the file). Not in the model folder: ``corpus
# train`` empties that.
LABELS_PATH = Path(__file__).resolve().parent.parent / "data" / "line_labels.tsv"
LABEL_COLUMNS = ("file", "article", "line", "hash", "role", "source")
LABEL_SOURCES = ("weak", "checked")


def input_line_hash(text: str) -> str:
    """Hash of a line without spaces and punctuation: identifies a line in the labels file, not its text.

    >>> input_line_hash("首页 新闻") == input_line_hash("首页，新闻")
    True
    """
    return hashlib.blake2b(_key(text).encode("utf-8"), digest_size=8).hexdigest()


def label_rows(document, gold: dict) -> list[tuple[str, int, int, str, str, str]]:
    """The weak labels of every non-blank input line of one dev page, as rows of the labels file."""
    from pipeline.stages.artifacts import rule_pass_view
    from pipeline.stages.script import to_simplified

    views = rule_pass_view(document, kept_only=False)
    input_lines = document.text.split("\n")
    return [(gold["file"], document.article_index or 0, view.number, input_line_hash(input_lines[view.number]), role,
             "weak") for view, role in zip(views, weak_labels(views, gold, to_simplified), strict=True)]


def dev_documents(devset_dir: Path):
    """(page, document as the artifacts stage receives it) for every tuning page of the dev set."""
    from pipeline.config import BuildConfig
    from pipeline.evaluation.devset import read_pages, tuning_pages
    from pipeline.models.training import documents_entering

    config = BuildConfig()
    for page in sorted(tuning_pages(read_pages(devset_dir)), key=lambda p: p.file):
        for document in documents_entering(devset_dir, page, config, STAGE):
            yield page, document


def dev_label_rows(devset_dir: Path) -> list[tuple[str, int, int, str, str, str]]:
    """The labels file as ``tools/line_labels.py`` writes it: weak rows of the dev set's tuning pages, with
    the rows of ``LABELS_PATH`` checked by eye carried over (same page, line and hash)."""
    checked = {row[:4]: row for row in read_labels() if row[5] == "checked"} if LABELS_PATH.is_file() else {}
    return [checked.get(row[:4], row) for page, document in dev_documents(devset_dir)
            for row in label_rows(document, page.gold)]


def read_labels(path: Path = LABELS_PATH) -> list[tuple[str, int, int, str, str, str]]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
        if number == 0 or not line.strip():
            continue  # the header
        file, article, line_number, digest, role, source = line.split("\t")
        rows.append((file, int(article), int(line_number), digest, role, source))
    return rows


def write_labels(rows: list, path: Path = LABELS_PATH) -> None:
    lines = ["\t".join(LABEL_COLUMNS)] + ["\t".join(str(x) for x in row) for row in sorted(rows)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


@functools.lru_cache(maxsize=1)
def stored_labels() -> dict[tuple[str, int], dict[int, tuple[str, str, str]]]:
    """{(file, article): {line number: (hash, role, source)}} from ``LABELS_PATH`` (empty if it is missing)."""
    out: dict[tuple[str, int], dict[int, tuple[str, str, str]]] = {}
    if not LABELS_PATH.is_file():
        return out
    for file, article, line, digest, role, source in read_labels(LABELS_PATH):
        out.setdefault((file, article), {})[line] = (digest, role, source)
    return out


# ------------------------------------------------------------------------------------------ the model


@dataclass
class LineModel:
    """A trained CRF (crfsuite's own model file, held as bytes) and its card."""

    data: bytes
    card: dict
    _tagger: object = None

    def tagger(self):
        if self._tagger is None:
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            with tempfile.NamedTemporaryFile(suffix=".crfsuite") as handle:  # open() maps the file: read now
                handle.write(self.data)
                handle.flush()
                tagger.open(handle.name)
                tagger.labels()  # forces the model in before the file goes
            self._tagger = tagger
        return self._tagger


def fit(examples: list) -> LineModel:
    """Train the CRF on ``examples`` (deterministic: fixed parameters, examples in the order given)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    pages = 0
    for features, labels in examples:
        trainer.append(features, labels)
        pages += 1
    trainer.set_params(TRAIN_PARAMS)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / MODEL_FILE
        trainer.train(str(path))
        data = path.read_bytes()
    card = {"name": NAME, "feature_version": FEATURE_VERSION, "roles": list(ROLES), "sequences": pages,
            "train_params": TRAIN_PARAMS}
    return LineModel(data=data, card=card)


def save(model: LineModel, folder: Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FILE).write_bytes(model.data)
    (folder / CARD_FILE).write_text(json.dumps(model.card, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")


def load(folder: Path) -> LineModel:
    folder = Path(folder)
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    if card.get("feature_version") != FEATURE_VERSION:
        raise ValueError(f"{folder / CARD_FILE}: feature_version {card.get('feature_version')} != "
                         f"{FEATURE_VERSION}; retrain")
    return LineModel(data=(folder / MODEL_FILE).read_bytes(), card=card)


def role_scores(model: LineModel, features: list[list[str]]) -> list[dict[str, float]]:
    """Marginal probability of each role, per line of one segment."""
    tagger = model.tagger()
    tagger.set(features)
    labels = tagger.labels()
    return [{label: tagger.marginal(label, k) for label in labels} for k in range(len(features))]


def debris_scores(model: LineModel, features: list[list[str]], positions: list[int]) -> list[dict[str, float]]:
    """``role_scores`` of the debris roles only, at ``positions`` of one segment (0.0 for a role the model lacks):
    the same marginals, without asking for the three other roles at every line (``debris_lines`` reads no other).
    """
    tagger = model.tagger()
    tagger.set(features)
    labels = set(tagger.labels())
    marginal = tagger.marginal
    return [{role: marginal(role, k) if role in labels else 0.0 for role in DEBRIS_ROLES} for k in positions]


def debris_lines(model: LineModel, views: list[LineView], min_score: float,
                 max_chars: int = LONG_LINE_CHARS) -> dict[int, tuple[str, float]]:
    """{kept-line index: (role, score)} for the lines to drop: debris probability ≥ ``min_score``; a line
    longer than ``max_chars`` (at most ``LONG_LINE_CHARS``) is text with debris spans at most, never dropped,
    nor is a numbered heading or a sentence with noise glued to its start (``reads_as_content``); nothing is
    dropped if the drops would take the page's last sentence."""
    out = {}
    for start, stop in segments(views):
        if not any(may_be_debris_cached(view.text) for view in views[start:stop]):
            continue  # a run of prose lines: nothing for the model to find
        # the lines a drop may fall on; the others are only context (the CRF still sees their features)
        candidates = [k for k, view in enumerate(views[start:stop])
                      if not (view.index < 0 or len(view.text) > max_chars or R.CONTACT_RE.match(view.text))]
        # removed by the rules already, or a contact line (debris only inside a footer: the rules decide those
        # by their neighbours): never dropped, so their scores are not read, nor is the segment tagged without one
        if not candidates:
            continue
        for k, scores in zip(candidates, debris_scores(model, segment_features(views, start, stop), candidates),
                             strict=True):
            view = views[start + k]
            score = sum(scores[role] for role in DEBRIS_ROLES)
            if score >= min_score and score > 0.0 and not reads_as_content(view.text):
                role = max(DEBRIS_ROLES, key=scores.__getitem__)
                out[view.index] = (role, math.floor(score * 100) / 100)
    sentences = [view.index for view in views if view.index >= 0 and (view.long or view.text[-1] in R.TERMINAL)]
    if out and sentences and all(index in out for index in sentences):
        return {}  # the drops would take the page's last sentence: the model misread the page (a notice's one
        # sentence above its contact block), so it keeps what the rules kept
    return out
