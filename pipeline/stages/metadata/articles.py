"""Article split of the metadata stage: a file holding several title + byline blocks becomes one
``_Article`` per block; ``_PageHints``: what earlier stages removed that tells a column label from the
headline. Changes nothing in the lines themselves.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from pipeline.document import Document, Removal
from pipeline.stages.metadata import people
from pipeline.stages.metadata.patterns import _COLUMN_LABEL, _LABEL_SPLIT, SPACE, _collapse
from pipeline.stages.metadata.title_text import is_heading_line


@dataclass
class _Article:
    lines: list[tuple[int, str]]  # (line number in the received text, line)
    title: str | None = None
    subtitle: str | None = None
    byline: people.Byline | None = None
    heading_date: str | None = None
    heading_line: str | None = None  # the date/occasion line under the heading (2019年3月2日在浮山县…会议上)
    title_ranked: bool = False  # the title ranker decided (its "none" stands: no fallback title is made up)



def _byline_at(line: str) -> people.Byline | None:
    return people.parse_byline_line(line)


def _nonblank(lines: list[tuple[int, str]], start: int, limit: int) -> list[int]:
    """Indices of the first ``limit`` non-blank lines from ``start`` (stops there: callers want a few lines of a
    heading zone, not every line of a long document)."""
    if limit <= 0:
        return list(itertools.islice((), limit))  # (as islice: [] for 0, its error for a negative limit)
    found = []
    for i in range(start, len(lines)):
        if lines[i][1].strip(SPACE):
            found.append(i)
            if len(found) == limit:
                break
    return found


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
    # what earlier stages removed (breadcrumbs, template sentences): title candidates
    removals: tuple[Removal, ...] = ()
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
