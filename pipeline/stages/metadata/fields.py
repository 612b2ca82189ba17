"""Document fields from an article once its heading is read: fallback title, source note, author and
speaker (rules, then the author scorer), dates, region. Changes the article's lines and the removals list.
"""

from __future__ import annotations

from pipeline.document import Document, Removal
from pipeline.stage_configs import MetadataConfig
from pipeline.stages.metadata import people, regions
from pipeline.stages.metadata.articles import _Article
from pipeline.stages.metadata.dates import chinese_date, issue_date, page_time, standalone_date
from pipeline.stages.metadata.patterns import (
    _COLLECT_TITLE,
    _SOURCE_NOTE_LINE,
    _TEMPLATE_TOPIC,
    _TRUNCATED_TITLE,
    SPACE,
)
from pipeline.stages.metadata.places import (
    _confirmed_levels,
    _only_one_body_paragraph,
    _region_segments,
    _weak_region_segments,
)
from pipeline.stages.metadata.title_text import _completed_title, clean_title


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
    """The document of one article: fallback title, source note, author and speaker, dates and region (a step
    each, below); the lines read into fields leave the text."""
    changes: dict = {"article_index": index}
    removal_texts = [r.text for r in doc.removals]
    title = _fallback_title(doc, article, removals, removal_texts, config)
    if title and doc.title is None:
        changes["title"] = title
    if article.subtitle and doc.subtitle is None:
        changes["subtitle"] = article.subtitle
    note = _take_source_note(article, removals)
    if note and doc.source_note is None:
        changes["source_note"] = note.strip("()（）")
    speech = _author_and_speaker(doc, article, removals, config, note, learned, changes)
    if doc.published_at is None:
        changes.update(_dates(doc, article, speech, removal_texts, removals, config))
    body_lines = [t for _n, t in article.lines]  # (after ``_dates`` took a date line out)
    region = _region(doc, article, body_lines, config)
    if doc.province is None and doc.city is None and doc.county is None:
        changes.update(province=region.province, city=region.city, county=region.county, region_code=region.region_code)

    text = "\n".join(body_lines).strip("\n")
    # one copy: the same as with_changes(...).with_removals(removals)
    return doc.with_changes(text=text, removals=doc.removals + tuple(removals), **changes)


def _fallback_title(doc: Document, article: _Article, removals: list[Removal], removal_texts: list[str],
                    config: MetadataConfig) -> str | None:
    """The heading's title, else (when the ranker did not decide) a template sentence's or a collect link's topic;
    a title cut with an ellipsis is completed from ``原标题``."""
    body_lines = [t for _n, t in article.lines]
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
    return title


def _take_source_note(article: _Article, removals: list[Removal]) -> str | None:
    """A closing bracketed source note (（根据…讲话整理）), taken out of the article's lines."""
    note = None
    for k in range(len(article.lines) - 1, max(-1, len(article.lines) - 4), -1):
        text = article.lines[k][1].strip(SPACE)
        if _SOURCE_NOTE_LINE.match(text):
            note = text
            removals.append(Removal("metadata.source_note", article.lines[k][0], article.lines[k][1]))
            article.lines.pop(k)
            break
    return note


def _author_and_speaker(doc: Document, article: _Article, removals: list[Removal], config: MetadataConfig,
                        note: str | None, learned, changes: dict):
    """Author (byline, reporter tag, writer credit, transcript intro, closing credit, speech note; then the
    author scorer) and speaker into ``changes``; returns the speech note read (its date is the event date)."""
    body_lines = [t for _n, t in article.lines]
    body = "\n".join(body_lines)
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
    return speech


def _dates(doc: Document, article: _Article, speech, removal_texts: list[str], removals: list[Removal],
           config: MetadataConfig) -> dict:
    """``published_at`` (page time or issue date among the removed lines and the article's top lines, else the
    heading date, else a top line that is a date and nothing else, which then leaves the text as
    ``metadata.date_line``) and ``event_date``."""
    changes: dict = {}
    top = [t for _n, t in article.lines[: config.heading_zone_lines]]
    published = None
    for text in removal_texts + top:
        if len(text) <= config.page_time_line_chars:
            published = page_time(text) or issue_date(text)
            if published:
                break
    event = chinese_date(speech.date) if speech and speech.date else None
    heading = chinese_date(article.heading_date) if article.heading_date else None
    taken = _take_date_line(article, top, removals)
    if not (published or heading):
        heading = taken
    changes["published_at"] = published or heading
    if doc.event_date is None and (event or heading):
        changes["event_date"] = event or heading
    return changes


def _take_date_line(article: _Article, top: list[str], removals: list[Removal]) -> str | None:
    """The date of the first of the ``top`` lines that is a date alone (`2020年06月24日` under a name line), taken
    out of the article's lines: a date line is page metadata, as a byline is (the dev set's gold removes such lines
    on ten sites and keeps none; an occasion line, `2019年3月2日在…会议上`, is no date alone and stays)."""
    for k, text in enumerate(top):
        date = standalone_date(text)
        if date:
            removals.append(Removal("metadata.date_line", article.lines[k][0], article.lines[k][1]))
            article.lines.pop(k)
            return date
    return None


def _region(doc: Document, article: _Article, body_lines: list[str], config: MetadataConfig) -> regions.Region:
    """The document's region from its evidence; the page structure's weak evidence when nothing else names one."""
    body = "\n".join(body_lines)
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
    return region
