"""Input formats that need unpacking before the stages: HTML pages, SogouCS-style records, JSONL lines.

Pure functions over decoded text. HTML: the main text is extracted with trafilatura (maintained, offline);
when trafilatura finds almost nothing on a page (broken markup, e.g. a gov.cn page in the dev set), the
page's block-level text is taken instead and left for the artifact stage to clean. The page's ``<title>``
becomes the first line so the metadata stage sees it like a text file's heading. Dates that trafilatura
guesses from page chrome are not used (they are often the page-generation time, not the publication date).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# A trafilatura result shorter than this (characters) is treated as "found nothing": 037 in the dev set
# yields only its navigation row (62 characters) although the page holds a full resolution.
MIN_EXTRACTED_CHARS = 200

# SogouCS news dumps: <doc><url>…</url><docno>…</docno><contenttitle>…</contenttitle><content>…</content></doc>
SOGOU_RECORD = re.compile(
    r"<doc>\s*(?:<url>(?P<url>.*?)</url>)?\s*(?:<docno>(?P<docno>.*?)</docno>)?\s*"
    r"(?:<contenttitle>(?P<title>.*?)</contenttitle>)?\s*<content>(?P<content>.*?)(?:</content>\s*</doc>|\Z)",
    re.DOTALL,
)

# Pages assembled from templates sometimes close </html> after the header include and carry the article
# after it (devset 037, a gov.cn page): parsers then drop everything that follows. Closing tags of html and
# body are removed before parsing; parsers close them at the end anyway.
PREMATURE_CLOSE = re.compile(r"</\s*(?:html|body)\s*>", re.IGNORECASE)

_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "table", "ul", "ol", "dd", "dt", "blockquote", "pre",
)


@dataclass(frozen=True)
class ExtractedPage:
    text: str
    title: str | None
    url: str | None = None
    method: str = "trafilatura"
    published_at: str | None = None  # from a publish-date <meta> the page states, never guessed


@dataclass(frozen=True)
class JsonlRecord:
    text: str
    given_id: str | None
    url: str | None


class BadRecord(ValueError):
    """A JSONL line that is not a usable record; the message is the quarantine detail."""


def looks_like_html(text: str) -> bool:
    """
    >>> looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
    True
    >>> looks_like_html("今天天气很好")
    False
    """
    head = text[:2048].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head and "</" in text)


def _block_text(html: str) -> tuple[str, str | None]:
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return "", None
    title_el = root.find(".//title")
    title = title_el.text_content().strip() if title_el is not None else None
    for bad in root.xpath("//script|//style|//noscript|//head|//iframe|//svg"):
        bad.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    lines = [line.strip() for line in root.text_content().split("\n")]
    return "\n".join(line for line in lines if line), title or None


# Separators between an article title and the site name in <title>:
# "中华人民共和国监察法-纪检", "…的决议__2007年第23号国务院公报_中国政府网", "标题 | 某某网".
TITLE_SEPARATORS = re.compile(r"\s*(?:__?|--?|\s-\s|\||｜|——|_)\s*")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
# A <title> segment that names the site or a column, not the article: "中国地理学会官网", "新闻动态".
SITE_NAME_SEGMENT = re.compile(r"(?:网|官网|网站|门户|首页|频道|新闻中心|新闻动态|动态|资讯|栏目)$")


def _squash(text: str) -> str:
    return _SPACES.sub("", text)


def page_title(html: str) -> str | None:
    """The article's headline: the longest on-page heading that begins the ``<title>``, else the longest
    ``<title>`` segment between site-name separators, else a heading with a title-like class.

    >>> page_title("<html><head><title>在推进会上的讲话_某某网</title></head>"
    ...            "<body><h1>在推进会上的讲话</h1></body></html>")
    '在推进会上的讲话'
    >>> page_title("<html><head><title>中华人民共和国监察法-纪检</title></head><body><p>x</p></body></html>")
    '中华人民共和国监察法'
    """
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    title_el = root.find(".//title")
    title_tag = " ".join(title_el.text_content().split()) if title_el is not None else ""
    squashed_title = _squash(title_tag)
    candidates = []
    titled = []
    for element in root.iter("h1", "h2", "h3", "h4", "div", "p", "span", "strong", "b", "td", "font", "a"):
        text = " ".join(element.text_content().split())
        if not 4 <= len(text) <= 120:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if squashed_title and squashed_title.startswith(_squash(text)):
            candidates.append(text)
        elif element.tag in ("h1", "h2") or "title" in marker:
            titled.append(text)
    if candidates:
        best = max(candidates, key=lambda t: (len(_squash(t)), -candidates.index(t)))
        if len(_squash(best)) >= 6:
            return best
    if title_tag:
        segments = [seg for seg in TITLE_SEPARATORS.split(title_tag) if seg and not SITE_NAME_SEGMENT.search(seg)]
        if segments:
            longest = max(segments, key=len)
            if len(longest) >= 8:
                return longest
    headings = []
    for element in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        text = " ".join(element.text_content().split())
        if 10 <= len(text) <= 100 and not re.search(r"[|/>»]", text) and not SITE_NAME_SEGMENT.search(text) \
                and re.search(r"[\u4e00-\u9fff]", text):
            headings.append(text)
    return max(headings, key=len) if headings else None


# <meta> names under which pages state their own publication time: <meta name="PubDate" content="2019-09-18 06:23">.
# Generation/modification times (Maketime, lastmodifiedtime, firstpublishedtime of a gazette page) are not it.
PUBLISH_META_NAMES = frozenset({"pubdate", "publishdate", "publish_date", "article:published_time", "published_time",
                                "og:published_time", "datepublished"})
_META_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def page_published_at(html: str) -> str | None:
    """ISO date (or date-time) from a publish-date ``<meta>``, or None.

    >>> page_published_at('<html><head><meta name="PubDate" content="2019-09-18 06:23"></head></html>')
    '2019-09-18T06:23:00'
    >>> page_published_at('<html><head><meta name="Maketime" content="2019-03-22 12:28:37"></head></html>') is None
    True
    """
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if name in PUBLISH_META_NAMES:
            match = _META_DATE.search(meta.get("content") or "")
            if match:
                year, month, day, hour, minute, second = match.groups()
                date = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
                if hour is None:
                    return date
                return f"{date}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}"
    return None


def extract_html(html: str) -> ExtractedPage:
    """Main text and title of an HTML page.

    >>> page = extract_html("<html><head><title>标题</title></head><body><p>" + "正文内容。" * 50
    ...                     + "</p></body></html>")
    >>> page.title, page.text[:5]
    ('标题', '正文内容。')
    """
    import trafilatura

    html = PREMATURE_CLOSE.sub("", html)
    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_recall=True,
    )
    text, title, url = "", None, None
    if extracted is not None:
        data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
        text = data.get("text") or ""
        title = data.get("title") or None
        url = data.get("url") or None
    title = page_title(html) or title
    published = page_published_at(html)
    if len(text.strip()) >= MIN_EXTRACTED_CHARS:
        return ExtractedPage(text=text, title=title, url=url, method="trafilatura", published_at=published)
    fallback, fallback_title = _block_text(html)
    return ExtractedPage(text=fallback, title=title or fallback_title, url=url, method="html-blocks",
                         published_at=published)


def page_as_text(page: ExtractedPage) -> str:
    """The text the stages see: the title as the first line (unless the body already starts with it)."""
    if page.title:
        head = _squash(page.text[: len(page.title) * 2 + 20])
        if not head.startswith(_squash(page.title)):
            return f"{page.title.strip()}\n\n{page.text}"
    return page.text


def split_sogou_records(text: str) -> list[ExtractedPage] | None:
    """SogouCS-style ``<doc>`` records in a text file, or None when the text is not in that format.

    >>> recs = split_sogou_records("<doc>\\n<url>http://x</url>\\n<contenttitle>题</contenttitle>\\n<content>文</content>\\n</doc>")
    >>> [(r.title, r.text, r.url) for r in recs]
    [('题', '文', 'http://x')]
    """
    if not text.lstrip().startswith("<doc>") or "<content>" not in text:
        return None
    records = []
    for match in SOGOU_RECORD.finditer(text):
        records.append(
            ExtractedPage(
                text=(match.group("content") or "").strip(),
                title=(match.group("title") or "").strip() or None,
                url=(match.group("url") or "").strip() or None,
                method="sogou",
            )
        )
    return records or None


def parse_jsonl_line(line: str) -> JsonlRecord:
    """One JSONL line as a record: ``{"text": str, "id"?: str|int, "url"?: str}``.

    >>> parse_jsonl_line('{"id": 7, "text": "正文"}')
    JsonlRecord(text='正文', given_id='7', url=None)
    >>> parse_jsonl_line('{"txt": 1}')
    Traceback (most recent call last):
    ...
    pipeline.readers.formats.BadRecord: no "text" string field
    """
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadRecord(f"not valid JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(data, dict):
        raise BadRecord(f"a JSON {type(data).__name__}, not an object")
    text = data.get("text")
    if not isinstance(text, str):
        raise BadRecord('no "text" string field')
    given_id = data.get("id")
    if given_id is not None and not isinstance(given_id, (str, int)):
        raise BadRecord('"id" must be a string or an integer')
    url = data.get("url")
    if url is not None and not isinstance(url, str):
        raise BadRecord('"url" must be a string')
    return JsonlRecord(text=text, given_id=None if given_id is None else str(given_id), url=url)
