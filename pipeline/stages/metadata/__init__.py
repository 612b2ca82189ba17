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
A line among the article's top lines that is a date alone (``2020年06月24日``) leaves the text as
``metadata.date_line`` (its date is ``published_at`` when nothing else dates the page).

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

from pipeline.document import Document, Removal
from pipeline.stage_configs import MetadataConfig
from pipeline.stages.metadata import people, regions
from pipeline.stages.metadata.articles import _page_hints, _split_articles
from pipeline.stages.metadata.dates import chinese_date, issue_date, page_time
from pipeline.stages.metadata.fields import _finish, _learned_choice
from pipeline.stages.metadata.heading import _read_heading, title_candidates
from pipeline.stages.metadata.patterns import _NAME_AFTER_TITLE, SPACE, _collapse
from pipeline.stages.metadata.places import reported_from
from pipeline.stages.metadata.title_text import _spaced_prefix_end, clean_title, is_heading_line, is_long_title

# What other modules and tests reach as ``metadata.<name>`` (pipeline.models.titles, tests/test_metadata.py).
__all__ = [
    "SPACE",
    "_NAME_AFTER_TITLE",
    "_collapse",
    "_read_heading",
    "_spaced_prefix_end",
    "chinese_date",
    "clean_title",
    "extract_metadata",
    "is_heading_line",
    "is_long_title",
    "issue_date",
    "page_time",
    "people",
    "regions",
    "reported_from",
    "title_candidates",
]


def extract_metadata(doc: Document, config: MetadataConfig) -> Document | list[Document]:
    """Split ``doc`` into its articles and fill title/subtitle/author/region/date fields.

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64,
    ...                text="争创一流工作业绩 推动定安科学发展\\n\\n中共定安县委副书记 张忠惠\\n\\n"
    ...                     "我县全面启动创先争优活动。")
    >>> out = extract_metadata(doc, MetadataConfig())
    >>> out.title, out.author, out.author_position, out.province, out.city, out.county
    ('争创一流工作业绩 推动定安科学发展', '张忠惠', '中共定安县委副书记', '海南省', None, '定安县')
    >>> out.text
    '我县全面启动创先争优活动。'
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
        number = doc.article_index + index if len(articles) == 1 else index
        results.append(_finish(doc, article, number, removals, config, learned))
    return results[0] if len(results) == 1 else results
