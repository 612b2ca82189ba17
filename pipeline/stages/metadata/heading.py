"""Heading zone of an article: title, subtitle, byline, column labels above the headline, the date line
under it. Changes the article's fields, the removals and the article's lines; the body is left alone.
"""

from __future__ import annotations

from pipeline.document import Document, Removal
from pipeline.stage_configs import MetadataConfig
from pipeline.stages.metadata import people
from pipeline.stages.metadata.articles import (
    _Article,
    _byline_at,
    _is_label,
    _nonblank,
    _page_hints,
    _PageHints,
    _split_articles,
)
from pipeline.stages.metadata.patterns import (
    _CHROME,
    _CONTENT_TITLE,
    _DATE_LINE,
    _DOCUMENT_TITLE,
    _NAME_AFTER_TITLE,
    _OCCASION_LINE,
    _RECORD_TAG,
    _TOPIC_SEPARATOR,
    SPACE,
    _collapse,
)
from pipeline.stages.metadata.ranking import _rank_title, _title_model
from pipeline.stages.metadata.title_text import (
    _joined_document_title,
    _may_repeat,
    _spaced_prefix_end,
    clean_title,
    is_heading_line,
    is_long_title,
)


# A page with no hints (the default of ``_read_heading``): frozen, so one instance serves every call.
_NO_HINTS = _PageHints()


def _read_heading(article: _Article, removals: list[Removal], config: MetadataConfig,
                  hints: _PageHints = _NO_HINTS, ranker=None) -> None:
    """Title, subtitle and byline of an article's heading zone, by the rules; then the title ranker (when a
    model is shipped or ``ranker`` is given) confirms the rules' title or replaces it (``_rank_title``).
    Steps, in order: lines above a headline printed twice, the heading scan, the title and subtitle lines, the
    byline, the lines under the heading, the ranker, the title repeated further down."""
    lines = article.lines
    used: set[int] = set()
    indices = _above_repeated_title(lines, _nonblank(lines, 0, config.heading_zone_lines), removals, used, config,
                                    hints)
    heads, byline_index = _scan_heading(article, indices, removals, used, config, hints)
    if heads:
        heads = _take_title(article, heads, byline_index, removals, used)
    if byline_index is not None:
        removals.append(Removal("metadata.byline", lines[byline_index][0], lines[byline_index][1]))
        used.add(byline_index)
    if heads and article.byline is None and article.title:
        _take_name_after_repeated_title(article, lines[heads[0]][1], _nonblank(lines, heads[-1] + 1, 1), removals)
    _read_under_heading(article, heads, removals, used)
    ranker = ranker or _title_model(config)
    if ranker is not None:
        heads = _rank_title(article, ranker, removals, used, heads, config, hints)
    _drop_repeated_title(article, heads, removals, used, config)
    article.lines = [(n, t) for k, (n, t) in enumerate(lines) if k not in used]


def _above_repeated_title(lines: list[tuple[int, str]], indices: list[int], removals: list[Removal], used: set[int],
                          config: MetadataConfig, hints: _PageHints) -> list[int]:
    """The heading-zone ``indices`` from a headline the page printed twice on; the short lines above it go as
    ``metadata.above_title``."""
    # a headline the page printed twice is the title: lines above it (column, advert) are not
    anchor = next((p for p, i in enumerate(indices) if _collapse(lines[i][1]) in hints.repeated_titles),
                  None) if hints.repeated_titles else None
    if anchor:
        for i in indices[:anchor]:
            if len(_collapse(lines[i][1])) <= config.chrome_line_chars:
                removals.append(Removal("metadata.above_title", lines[i][0], lines[i][1]))
                used.add(i)
        indices = indices[anchor:]
    return indices


def _scan_heading(article: _Article, indices: list[int], removals: list[Removal], used: set[int],
                  config: MetadataConfig, hints: _PageHints) -> tuple[list[int], int | None]:
    """The heading lines (title, then subtitle) and the byline line of the heading zone; column labels, a topic
    header and an organisation byline met on the way go to ``removals``; a byline read sets ``article.byline``."""
    lines = article.lines
    heads: list[int] = []
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
                    and not _TOPIC_SEPARATOR.search(text)
                    and not _DOCUMENT_TITLE.search(_collapse(lines[heads[0]][1]))):
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
    return heads, byline_index


def _take_title(article: _Article, heads: list[int], byline_index: int | None, removals: list[Removal],
                used: set[int]) -> list[int]:
    """Title (a wrapped official title joined, a glued byline cut off) and subtitle from the heading lines;
    returns the heads the rest of ``_read_heading`` uses."""
    lines = article.lines
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
        elif (byline_index is not None or _DATE_LINE.match(_collapse(next_line))
              or text.lstrip(SPACE).startswith(("——", "--"))):
            article.subtitle = clean_title(text.lstrip(SPACE).lstrip("—-"))
            removals.append(Removal("metadata.subtitle", lines[second][0], text))
            used.add(second)
    return heads


def _read_under_heading(article: _Article, heads: list[int], removals: list[Removal], used: set[int]) -> None:
    """A date or occasion line and a name-only byline right under the heading."""
    lines = article.lines
    # date or occasion line and a name-only byline right under the heading (017: 日期在…会议上 / 栗 俊 昌)
    after = _nonblank(lines, (max(used | set(heads)) + 1) if used or heads else 0, 3)
    for i in after:
        text = _collapse(lines[i][1])
        date = _DATE_LINE.match(text)
        if date:
            article.heading_date = date["date"]
            article.heading_line = text
            continue
        if article.byline is None and heads and (people.parse_byline_line(lines[i][1])
                                                 or people.is_plain_name_line(lines[i][1])):
            parsed = people.parse_byline_line(lines[i][1])
            article.byline = parsed or people.Byline(people.is_plain_name_line(lines[i][1]), None)
            removals.append(Removal("metadata.byline", lines[i][0], lines[i][1]))
            used.add(i)
        elif people.ORGANISATION_BYLINE.match(lines[i][1]):
            removals.append(Removal("metadata.byline", lines[i][0], lines[i][1]))
            used.add(i)
        break


def _drop_repeated_title(article: _Article, heads: list[int], removals: list[Removal], used: set[int],
                         config: MetadataConfig) -> None:
    """The title printed again further down the heading zone goes too."""
    lines = article.lines
    # the title repeated further down (范文 pages: title / time / 导语 / title again)
    if article.title:
        for i in _nonblank(lines, 0, config.heading_zone_lines + 4):
            if (i not in used and i > (heads[0] if heads else -1) and _may_repeat(lines[i][1], article.title)
                    and clean_title(lines[i][1]) == article.title):
                removals.append(Removal("metadata.title", lines[i][0], lines[i][1]))
                used.add(i)



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
