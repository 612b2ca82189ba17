"""The output schema: Arrow types for every dataset the build writes, and the document → row mapping.

The first columns are fixed by contract (users' queries depend on them); more columns may be added.
A change of a column's name or type is a schema change: bump ``SCHEMA_VERSION``'s major number.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa

from pipeline.document import Document, Rejection
from pipeline.quality import SIGNAL_DESCRIPTIONS, quality_columns, removed_char_count

# 1.1.0: quality-signal columns added (minor: new columns only, nothing renamed or retyped).
# 2.0.0: published_at and event_date are timestamps (were ISO strings), each with a *_precision column;
#        column descriptions in the Parquet field metadata (major: two columns retyped).
SCHEMA_VERSION = "2.0.0"

# Dates as pages print them are local (China) times of one of these precisions; a timestamp holds the value
# (day precision at 00:00:00), the precision column says how much of it the page stated.
DATE_PRECISIONS = ("year", "month", "day", "minute", "second")
# Millisecond timestamps: what Parquet stores natively (a "s" unit would be converted on every write), and
# what DuckDB, Polars, pandas and Spark read as a date-time with no cast. No time zone: pages state local time.
DATE_TYPE = pa.timestamp("ms")

# Every column of the documents table, declared once: (name, Arrow type, nullable, description). The schema,
# the Parquet field metadata, the dataset card, Croissant and the README's table are derived from it.
DOCUMENT_FIELDS = (
    ("id", pa.string(), False,
     "content id: hash of the source file's (or JSONL line's) content + article index; changes when the "
     "input's bytes change (documents are matched across builds by source_file + article_index + source_line)"),
    ("source_file", pa.string(), False, "path of the input file, relative to the input folder"),
    ("article_index", pa.int32(), False, "0, or the position of the article in a file that holds several"),
    ("title", pa.string(), True, "document title, Simplified, Chinese punctuation"),
    ("subtitle", pa.string(), True, "second heading line, when there is one"),
    ("author", pa.string(), True, "person who wrote or delivered the text (from a byline or speech note)"),
    ("author_position", pa.string(), True, "the author's position as printed"),
    ("province", pa.string(), True, "province-level division of the document's own locale"),
    ("city", pa.string(), True, "prefecture-level city"),
    ("county", pa.string(), True, "county-level division"),
    ("region_code", pa.string(), True, "6-digit GB/T 2260 code of the most specific of province/city/county"),
    ("published_at", DATE_TYPE, True,
     "date or date-time the page states it was published (local time, no time zone; a date alone is at 00:00)"),
    ("published_at_precision", pa.string(), True,
     "how much of published_at the page stated: " + " / ".join(DATE_PRECISIONS)),
    ("original_script", pa.string(), True, "simplified / traditional / mixed (script of the raw text)"),
    ("text", pa.string(), False, "cleaned body text, mainland Simplified, Chinese punctuation"),
    ("char_count", pa.int64(), False, "number of characters in text"),
    ("source_encoding", pa.string(), True, "encoding the input was decoded from (and any mojibake repair)"),
    # -- beyond the fixed contract
    ("speaker", pa.string(), True, "main person speaking, when distinct from the author"),
    ("event_date", DATE_TYPE, True, "date of the event (speech) when the text states it (local time, no time zone)"),
    ("event_date_precision", pa.string(), True,
     "how much of event_date the text stated: " + " / ".join(DATE_PRECISIONS)),
    ("category", pa.string(), True, "site column (栏目)"),
    ("source_site", pa.string(), True, "site or outlet named by a 来源 line"),
    ("series", pa.string(), True, "series header of a compilation (【…专刊之二十五】)"),
    ("editor_note", pa.string(), True, "editor's note (编者按) of a compilation"),
    ("source_note", pa.string(), True, "closing note such as (根据…讲话整理)"),
    ("chars_converted", pa.int64(), True, "characters changed by script conversion"),
    ("script_conversion", pa.string(), True, "OpenCC configuration used, or none"),
    ("source_format", pa.string(), False, "text / html / jsonl / sogou"),
    ("source_line", pa.int64(), True, "1-based line in a JSONL input"),
    ("url", pa.string(), True, "source URL when the input gave one"),
    ("source_sha256", pa.string(), False, "SHA-256 of the input unit"),
    ("raw_char_count", pa.int64(), True, "characters after decoding, before cleaning"),
    ("removed_char_count", pa.int64(), False,
     "characters removed by traced removals (PII placeholders not counted)"),
)

COLUMN_DESCRIPTIONS = {
    **{name: description for name, _type, _nullable, description in DOCUMENT_FIELDS},
    **SIGNAL_DESCRIPTIONS,
}

DOCUMENT_SCHEMA = pa.schema(
    [pa.field(name, type_, nullable=nullable, metadata={"description": description})
     for name, type_, nullable, description in DOCUMENT_FIELDS]
    + quality_columns()
)

DOCUMENT_COLUMNS = tuple(DOCUMENT_SCHEMA.names)
# The typed date columns and the precision column of each.
DATE_COLUMNS = {"published_at": "published_at_precision", "event_date": "event_date_precision"}
PRECISION_COLUMNS = {precision: date for date, precision in DATE_COLUMNS.items()}


def typed_date(value: str | None) -> tuple[dt.datetime | None, str | None]:
    """(timestamp, precision) of an ISO 8601 date or date-time as the stages write it; (None, None) for
    None. Raises ``ValueError`` for text that is not a calendar date.

    >>> typed_date("2022-11-24T08:47:00"), typed_date("2022-11-24")
    ((datetime.datetime(2022, 11, 24, 8, 47), 'second'), (datetime.datetime(2022, 11, 24, 0, 0), 'day'))
    >>> typed_date("2022-11")
    (datetime.datetime(2022, 11, 1, 0, 0), 'month')
    >>> typed_date("2022-02-30")
    Traceback (most recent call last):
    ...
    ValueError: day is out of range for month
    """
    if value is None:
        return None, None
    match = ISO_DATE.fullmatch(value.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 date: {value!r}")
    year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
    hour, minute, second = int(match["hour"] or 0), int(match["minute"] or 0), int(match["second"] or 0)
    stamp = dt.datetime(year, month, day, hour, minute, second)
    if match["second"]:
        precision = "second"
    elif match["minute"]:
        precision = "minute"
    else:
        precision = "day" if match["day"] else "month" if match["month"] else "year"
    return stamp, precision


def iso_text(value: dt.datetime | None, precision: str | None) -> str | None:
    """The ISO 8601 text of a typed date at its precision (the inverse of ``typed_date``).

    >>> iso_text(*typed_date("2022-11-24")), iso_text(*typed_date("2022-11-24T08:47:00")), iso_text(None, None)
    ('2022-11-24', '2022-11-24T08:47:00', None)
    """
    if value is None:
        return None
    pattern = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d", "minute": "%Y-%m-%dT%H:%M"}
    return value.strftime(pattern.get(precision or "second", "%Y-%m-%dT%H:%M:%S"))


# An ISO 8601 date as the stages write it: 2022-11-24, 2022-11-24T08:47:00 (or a space for the T).
ISO_DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
                      r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?)?)?")


def date_problem(doc: Document) -> str | None:
    """Why a date field of ``doc`` cannot be stored as a timestamp (``"published_at 2022-02-30: …"``), or None."""
    for name in DATE_COLUMNS:
        value = getattr(doc, name)
        try:
            typed_date(value)
        except ValueError as error:
            return f"{name} {value}: {error}"
    return None


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


def document_row(doc: Document) -> dict:
    """The output row for ``doc`` (its quality signals included); empty strings in metadata become null
    (unknown is null, never ""); ISO date strings become (timestamp, precision). A date that is not a calendar
    date raises ``ValueError``: check ``date_problem`` first."""
    row = {}
    for name in DOCUMENT_COLUMNS:
        if name == "id":
            value = doc.id
        elif name == "char_count":
            value = len(doc.text)
        elif name == "removed_char_count":
            value = removed_char_count(doc)
        elif name in DATE_COLUMNS:
            value = typed_date(getattr(doc, name))[0]
        elif name in PRECISION_COLUMNS:
            value = typed_date(getattr(doc, PRECISION_COLUMNS[name]))[1]
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
