"""Region evidence glue of the metadata stage: which texts of a document vote for its locale and how much
(``regions`` resolves the vote). Reads the document and article; changes nothing.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.stage_configs import MetadataConfig
from pipeline.stages.metadata import people, regions
from pipeline.stages.metadata.articles import _Article
from pipeline.stages.metadata.patterns import (
    _BEFORE_PLACE,
    _BREADCRUMB_PATH,
    _DATELINE,
    _FOOTER_LINE,
    _FOOTER_MARKER,
    _HAN_CHARACTER,
    _LEADING_MARKUP,
    _OUTLET_DATELINE,
    _PAGE_TITLE_SEPARATOR,
    _PUBLISHER_LABEL,
    _REPORTED_FROM,
    _SELF_REFERENCE,
    _SELF_REFERENCE_WORDS,
    _SOURCE_LABEL,
    SPACE,
    _width_fold,
)
from pipeline.stages.metadata.title_text import is_heading_line


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

    for (text, weight), evidence in zip(segments, found_by_segment, strict=True):
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
    if "county" in levels and not _names_own_county(body):
        levels.discard("county")  # the only match was 社区委员会 or the like
    if "county" in levels:
        levels |= {"city", "province"}
    if "city" in levels:
        levels.add("province")
    return frozenset(levels)


def _names_own_county(body: str) -> bool:
    """``_SELF_REFERENCE["county"].search(body)``, tried only where one of its words occurs.

    The pattern starts with a look-behind (`社区委员会` is no 区委), so ``re`` tries it at every character of the
    body; a match starts with one of the words, so trying it where they occur finds the same (the look-behind
    still sees the character before). tests/test_regions.py compares both on generated texts.

    >>> _names_own_county("社区委员会开会"), _names_own_county("社区委员会和区委开会")
    (False, True)
    """
    pattern = _SELF_REFERENCE["county"]
    for word in _SELF_REFERENCE_WORDS["county"]:
        at = body.find(word)
        while at >= 0:
            if pattern.match(body, at):
                return True
            at = body.find(word, at + 1)
    return False
