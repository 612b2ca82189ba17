"""The output schema: Arrow types for every dataset the build writes, and the document → row mapping.

The first columns are fixed by contract (users' queries depend on them); more columns may be added.
A change of a column's name or type is a schema change: bump ``SCHEMA_VERSION``'s major number.
"""

from __future__ import annotations

import pyarrow as pa

from pipeline.document import Document, Rejection
from pipeline.quality import SIGNAL_DESCRIPTIONS, quality_columns, removed_char_count

# 1.1.0: quality-signal columns added (minor: new columns only, nothing renamed or retyped).
SCHEMA_VERSION = "1.1.0"

DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("article_index", pa.int32(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("author", pa.string()),
        pa.field("author_position", pa.string()),
        pa.field("province", pa.string()),
        pa.field("city", pa.string()),
        pa.field("county", pa.string()),
        pa.field("region_code", pa.string()),
        pa.field("published_at", pa.string()),
        pa.field("original_script", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("char_count", pa.int64(), nullable=False),
        pa.field("source_encoding", pa.string()),
        # -- beyond the fixed contract
        pa.field("speaker", pa.string()),
        pa.field("event_date", pa.string()),
        pa.field("category", pa.string()),
        pa.field("source_site", pa.string()),
        pa.field("series", pa.string()),
        pa.field("editor_note", pa.string()),
        pa.field("source_note", pa.string()),
        pa.field("chars_converted", pa.int64()),
        pa.field("script_conversion", pa.string()),
        pa.field("source_format", pa.string(), nullable=False),
        pa.field("source_line", pa.int64()),
        pa.field("url", pa.string()),
        pa.field("source_sha256", pa.string(), nullable=False),
        pa.field("raw_char_count", pa.int64()),
        pa.field("removed_char_count", pa.int64(), nullable=False),
        *quality_columns(),
    ]
)

DOCUMENT_COLUMNS = tuple(DOCUMENT_SCHEMA.names)

COLUMN_DESCRIPTIONS = {
    "id": "stable id: hash of the source file's (or JSONL line's) content + article index",
    "source_file": "path of the input file, relative to the input folder",
    "article_index": "0, or the position of the article in a file that holds several",
    "title": "document title, Simplified, Chinese punctuation",
    "subtitle": "second heading line, when there is one",
    "author": "person who wrote or delivered the text (from a byline or speech note)",
    "author_position": "the author's position as printed",
    "province": "province-level division of the document's own locale",
    "city": "prefecture-level city",
    "county": "county-level division",
    "region_code": "6-digit GB/T 2260 code of the most specific of province/city/county",
    "published_at": "ISO 8601 date or date-time the page states it was published",
    "original_script": "simplified | traditional | mixed (script of the raw text)",
    "text": "cleaned body text, mainland Simplified, Chinese punctuation",
    "char_count": "number of characters in text",
    "source_encoding": "encoding the input was decoded from",
    "speaker": "main person speaking, when distinct from the author",
    "event_date": "date of the event (speech) when the text states it",
    "category": "site column (栏目)",
    "source_site": "site or outlet named by a 来源 line",
    "series": "series header of a compilation (【…专刊之二十五】)",
    "editor_note": "editor's note (编者按) of a compilation",
    "source_note": "closing note such as (根据…讲话整理)",
    "chars_converted": "characters changed by script conversion",
    "script_conversion": "OpenCC configuration used, or none",
    "source_format": "text | html | jsonl",
    "source_line": "1-based line in a JSONL input",
    "url": "source URL when the input gave one",
    "source_sha256": "SHA-256 of the input unit",
    "raw_char_count": "characters after decoding, before cleaning",
    "removed_char_count": "characters removed by traced removals (PII placeholders not counted)",
    **SIGNAL_DESCRIPTIONS,
}

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string(), nullable=False),
        pa.field("source_line", pa.int64()),
        pa.field("source_sha256", pa.string()),
        pa.field("article_index", pa.int32()),
    ]
)

REMOVAL_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("line", pa.int32(), nullable=False),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
    ]
)


def document_row(doc: Document, signals: dict | None = None) -> dict:
    """The output row for ``doc`` (with its quality ``signals``); empty strings in metadata become null
    (unknown is null, never "")."""
    row = {}
    signals = signals or {}
    for name in DOCUMENT_COLUMNS:
        if name == "id":
            value = doc.id
        elif name == "char_count":
            value = len(doc.text)
        elif name == "removed_char_count":
            value = removed_char_count(doc)
        elif name in SIGNAL_DESCRIPTIONS:
            value = signals.get(name)
        else:
            value = getattr(doc, name)
        if isinstance(value, str) and value == "" and name != "text":
            value = None
        row[name] = value
    return row


def rejection_row(rejection: Rejection) -> dict:
    return {name: getattr(rejection, name) for name in QUARANTINE_SCHEMA.names}


def removal_rows(doc: Document) -> list[dict]:
    return [
        {"id": doc.id, "source_file": doc.source_file, "line": r.line, "rule": r.rule, "text": r.text}
        for r in doc.removals
    ]
