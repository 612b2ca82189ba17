"""The output schema: Arrow types for every dataset the build writes, and the document → row mapping.

The documents table's columns are declared in ``pipeline.fields``; this module makes the Arrow schema of
them and turns a ``Document`` into a row. The first columns are fixed by contract (users' queries depend on
them); more columns may be added. A change of a column's name or type is a schema change: bump
``SCHEMA_VERSION``'s major number.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa

from pipeline import fields
from pipeline.document import Document, Rejection
from pipeline.fields import DATE_PRECISIONS  # noqa: F401  (re-exported: validation and tests import it here)

# 1.1.0: quality-signal columns added (minor: new columns only, nothing renamed or retyped).
# 2.0.0: published_at and event_date are timestamps (were ISO strings), each with a *_precision column;
#        column descriptions in the Parquet field metadata (major: two columns retyped).
SCHEMA_VERSION = "2.0.0"

# Every column of the documents table is declared once, in pipeline/fields.py (name, type, description, who
# fills it); the schema, its Parquet field metadata and the column descriptions are derived from there.
COLUMN_DESCRIPTIONS = {field.name: field.description for field in fields.FIELDS}
DOCUMENT_SCHEMA = fields.arrow_schema()

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
            # imported here: pipeline.stages loads every stage, and the gate stage imports pipeline.validation,
            # which imports this module (a module-level import would be a cycle when schema is imported first)
            from pipeline.stages.quality import removed_char_count  # noqa: PLC0415

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
