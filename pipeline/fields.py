"""Every column of the documents table, declared once: ``FIELDS``.

One ``Field`` per output column, in output order: name, Arrow type, nullable, description, the stages that
fill it, and the lists it belongs to (``flags``, ``checks_position``). Everything else that names columns is
derived from this table, never kept by hand beside it:

- ``pipeline.schema``: ``DOCUMENT_SCHEMA`` (with each description in the Parquet field metadata) and
  ``COLUMN_DESCRIPTIONS`` (the dataset card and Croissant read these);
- ``pipeline.corpus.dedup.METADATA_FIELDS`` (flag ``DEDUP_METADATA``);
- ``pipeline.stages.script.TEXT_FIELDS`` (``RUNNING_TEXT``), ``pipeline.stages.punctuation``'s
  ``PUNCTUATION_FIELDS`` (``ONE_LINE``) and ``PUNCTUATION_PARAGRAPH_FIELDS`` (``PARAGRAPHS``);
- ``pipeline.validation``'s ``COPIED_COLUMNS`` (``checks_position``) and ``CATEGORICAL_COLUMNS``
  (``CATEGORICAL``);
- the fields the artifacts stage fills from page-header lines (``"artifacts"`` in ``filled_by``);
- ``pipeline.stages.quality.SIGNALS`` and ``SIGNAL_DESCRIPTIONS`` (``"quality"`` in ``filled_by``);
- the README's "Columns of `documents`" table (``markdown_table``; ``python -m pipeline.fields README.md``
  rewrites it, ``tests/test_fields.py`` fails when it drifts).

- the column attributes of ``pipeline.document.Document`` (every field not filled by ``"row"``), with the
  in-memory type ``python_type`` gives and the default ``document_default`` gives.

What it leaves alone: values. Nothing here reads or changes a document; a stage still sets the attribute of
``pipeline.document.Document`` it fills. It imports nothing from ``pipeline``, so every module may import it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import MISSING, dataclass
from pathlib import Path

import pyarrow as pa

# Flags: the hand-kept lists a field belongs to.
# Metadata counted by dedup's keep rule: of two duplicates, the copy that carries more of these is kept.
DEDUP_METADATA = "dedup_metadata"
# Running text that may already be set when the script stage runs: converted to Simplified like the body.
RUNNING_TEXT = "running_text"
# One-line text (a title): punctuation normalised, any whitespace run becomes one space.
ONE_LINE = "one_line"
# Multi-paragraph text (an editor's note): punctuation normalised with the body-text rules.
PARAGRAPHS = "paragraphs"
# Low-cardinality string read as a pandas categorical by validation: 1M rows of "浙江省" cost 1M small codes.
CATEGORICAL = "categorical"
FLAGS = frozenset({DEDUP_METADATA, RUNNING_TEXT, ONE_LINE, PARAGRAPHS, CATEGORICAL})

# Who fills a field: "ingest" (the reader), a stage name of ``pipeline.stages.STAGES``, "quality" (the
# quality signals), or "row" (computed when the output row is made: id, counts, date precisions).
FILLERS = frozenset({"ingest", "script", "artifacts", "metadata", "punctuation", "pii", "quality", "row"})

# Dates as pages print them are local (China) times of one of these precisions; a timestamp holds the value
# (day precision at 00:00:00), the precision column says how much of it the page stated.
DATE_PRECISIONS = ("year", "month", "day", "minute", "second")
# Millisecond timestamps: what Parquet stores natively (a "s" unit would be converted on every write), and
# what DuckDB, Polars, pandas and Spark read as a date-time with no cast. No time zone: pages state local time.
DATE_TYPE = pa.timestamp("ms")


@dataclass(frozen=True)
class Field:
    """One column of the documents table."""

    name: str
    type: pa.DataType
    nullable: bool
    description: str  # written into the Parquet field metadata: changing it changes the output bytes
    filled_by: tuple[str, ...]  # see FILLERS
    flags: frozenset[str] = frozenset()  # see FLAGS
    # Position in the validation checks table (its column order is part of its bytes); None: not copied there
    # (no expectation reads the value; its type is still checked on the Parquet schema).
    checks_position: int | None = None
    # Default of the ``Document`` attribute of a non-nullable field (None: no default, every document is built
    # with it); a nullable field's attribute defaults to None (unknown).
    default: object = None


def _field(name, type_, nullable, description, filled_by, *flags, checks=None, default=None) -> Field:
    return Field(name, type_, nullable, description, tuple(filled_by.split()), frozenset(flags), checks, default)


STRING, INT32, INT64, FLOAT64 = pa.string(), pa.int32(), pa.int64(), pa.float64()
_PRECISIONS = " / ".join(DATE_PRECISIONS)
# The Python type a column's value has on a ``Document``. Dates travel through the stages as the ISO text the
# page stated ("2023-05-06" or "2023-05-06 09:30"); the row is where they become a timestamp plus a precision.
PYTHON_TYPES: dict[pa.DataType, type] = {STRING: str, INT32: int, INT64: int, FLOAT64: float, DATE_TYPE: str}

# The first columns are fixed by contract (users' queries depend on them); more columns may be added at the
# end of a group. A change of a column's name or type is a schema change (``schema.SCHEMA_VERSION``).
FIELDS: tuple[Field, ...] = (
    _field("id", STRING, False,
           "content id: hash of the source file's (or JSONL line's) content + article index; changes when the "
           "input's bytes change (documents are matched across builds by source_file + article_index + "
           "source_line)", "row", checks=0),
    # source_file uses "/" separators on every platform; source_sha256 hashes the file's bytes, or the JSONL line.
    _field("source_file", STRING, False, "path of the input file, relative to the input folder", "ingest",
           CATEGORICAL, checks=1),
    _field("article_index", INT32, False, "0, or the position of the article in a file that holds several",
           "ingest metadata", checks=2, default=0),
    _field("title", STRING, True, "document title, Simplified, Chinese punctuation", "metadata",
           DEDUP_METADATA, RUNNING_TEXT, ONE_LINE),
    _field("subtitle", STRING, True, "second heading line, when there is one", "metadata",
           DEDUP_METADATA, RUNNING_TEXT, ONE_LINE),
    _field("author", STRING, True, "person who wrote or delivered the text (from a byline or speech note)",
           "metadata", DEDUP_METADATA, RUNNING_TEXT),
    _field("author_position", STRING, True, "the author's position as printed", "metadata",
           DEDUP_METADATA, RUNNING_TEXT, ONE_LINE),
    _field("province", STRING, True, "province-level division of the document's own locale", "metadata",
           DEDUP_METADATA, CATEGORICAL, checks=3),
    _field("city", STRING, True, "prefecture-level city", "metadata", DEDUP_METADATA, CATEGORICAL, checks=4),
    _field("county", STRING, True, "county-level division", "metadata", DEDUP_METADATA, CATEGORICAL, checks=5),
    _field("region_code", STRING, True, "6-digit GB/T 2260 code of the most specific of province/city/county",
           "metadata", DEDUP_METADATA, checks=6),
    _field("published_at", DATE_TYPE, True,
           "date or date-time the page states it was published (local time, no time zone; a date alone is at "
           "00:00)", "ingest artifacts metadata", DEDUP_METADATA, checks=7),
    _field("published_at_precision", STRING, True, "how much of published_at the page stated: " + _PRECISIONS,
           "row", CATEGORICAL, checks=8),
    _field("original_script", STRING, True, "simplified / traditional / mixed (script of the raw text)",
           "script", CATEGORICAL, checks=11),
    _field("text", STRING, False, "cleaned body text, mainland Simplified, Chinese punctuation",
           "ingest"),  # and rewritten by every stage
    _field("char_count", INT64, False, "number of characters in text", "row", checks=14),
    _field("source_encoding", STRING, True, "encoding the input was decoded from (and any mojibake repair)",
           "ingest"),
    # -- beyond the fixed contract
    _field("speaker", STRING, True, "main person speaking, when distinct from the author", "metadata",
           DEDUP_METADATA, RUNNING_TEXT),
    _field("event_date", DATE_TYPE, True,
           "date of the event (speech) when the text states it (local time, no time zone)", "metadata",
           DEDUP_METADATA, checks=9),
    _field("event_date_precision", STRING, True, "how much of event_date the text stated: " + _PRECISIONS,
           "row", CATEGORICAL, checks=10),
    _field("category", STRING, True, "site column (栏目)", "artifacts", DEDUP_METADATA, RUNNING_TEXT),
    _field("source_site", STRING, True, "site or outlet named by a 来源 line", "artifacts",
           DEDUP_METADATA, RUNNING_TEXT),
    _field("series", STRING, True, "series header of a compilation (【…专刊之二十五】)", "artifacts",
           DEDUP_METADATA, RUNNING_TEXT, ONE_LINE),
    _field("editor_note", STRING, True, "editor's note (编者按) of a compilation", "artifacts",
           DEDUP_METADATA, RUNNING_TEXT, PARAGRAPHS),
    _field("source_note", STRING, True, "closing note such as (根据…讲话整理)", "artifacts metadata",
           DEDUP_METADATA, RUNNING_TEXT, PARAGRAPHS),
    _field("chars_converted", INT64, True, "characters changed by script conversion", "script", checks=15),
    _field("script_conversion", STRING, True, "OpenCC configuration used, or none", "script"),
    _field("source_format", STRING, False, "text / html / jsonl / sogou", "ingest", CATEGORICAL, checks=12,
           default="text"),
    _field("source_line", INT64, True, "1-based line in a JSONL input", "ingest", checks=16),
    _field("url", STRING, True, "source URL when the input gave one", "ingest"),
    _field("source_sha256", STRING, False, "SHA-256 of the input unit", "ingest", checks=13),
    _field("raw_char_count", INT64, True, "characters after decoding, before cleaning", "ingest", checks=17),
    _field("removed_char_count", INT64, False,
           "characters removed by traced removals (PII placeholders not counted)", "row", checks=18),
    # -- quality signals (pipeline/stages/quality.py): measured on the cleaned text, filtered only when configured
    _field("cjk_share", FLOAT64, True,
           "share of Han characters among non-whitespace characters (null for an empty text)", "quality"),
    _field("punctuation_share", FLOAT64, True,
           "share of punctuation (Unicode P*) among non-whitespace characters", "quality"),
    _field("mean_line_length", FLOAT64, True,
           "mean characters per non-blank line (leading and trailing spaces not counted)", "quality"),
    _field("mean_paragraph_length", FLOAT64, True,
           "mean characters per paragraph (blocks separated by blank lines; a text without blank lines has one "
           "paragraph per line)", "quality"),
    _field("repeated_line_ratio", FLOAT64, True,
           "share of non-blank lines that repeat an earlier line of the document", "quality"),
    _field("repeated_ngram_ratio", FLOAT64, True,
           "share of non-whitespace characters inside a 10-character n-gram that occurs more than once in the "
           "document", "quality"),
    _field("removed_share", FLOAT64, True,
           "characters removed as debris (traced removals, PII placeholders excluded) / raw characters", "quality"),
)

BY_NAME = {field.name: field for field in FIELDS}


def names(flag: str | None = None, *, filled_by: str | None = None,
          declared: tuple[Field, ...] = FIELDS) -> tuple[str, ...]:
    """Names of the ``declared`` fields (in output order) that carry ``flag`` and/or are filled by ``filled_by``.

    >>> names(PARAGRAPHS)
    ('editor_note', 'source_note')
    >>> names(filled_by="quality")[:2]
    ('cjk_share', 'punctuation_share')
    """
    if flag is not None and flag not in FLAGS:
        raise ValueError(f"unknown flag {flag!r}; known: {sorted(FLAGS)}")
    if filled_by is not None and filled_by not in FILLERS:
        raise ValueError(f"unknown filler {filled_by!r}; known: {sorted(FILLERS)}")
    return tuple(field.name for field in declared
                 if (flag is None or flag in field.flags) and (filled_by is None or filled_by in field.filled_by))


def document_fields(declared: tuple[Field, ...] = FIELDS) -> tuple[Field, ...]:
    """The ``declared`` fields that are attributes of ``pipeline.document.Document``: all but those computed when
    the output row is made (``"row"`` in ``filled_by``), in output order.

    >>> [field.name for field in document_fields()][:3]
    ['source_file', 'article_index', 'title']
    """
    return tuple(field for field in declared if "row" not in field.filled_by)


def python_type(field: Field):
    """The type of the field's ``Document`` attribute: ``PYTHON_TYPES`` of its Arrow type, ``| None`` when nullable.

    >>> python_type(BY_NAME["published_at"]), python_type(BY_NAME["text"])
    (str | None, <class 'str'>)
    """
    base = PYTHON_TYPES[field.type]
    return base | None if field.nullable else base


def document_default(field: Field) -> object:
    """The default of the field's ``Document`` attribute: None when nullable, else ``field.default`` (MISSING
    when that is None: no default, the reader must give it).

    >>> document_default(BY_NAME["title"]), document_default(BY_NAME["source_format"])
    (None, 'text')
    """
    if field.nullable:
        return None
    return MISSING if field.default is None else field.default


def checks_columns() -> tuple[str, ...]:
    """The documents-table columns copied into the validation checks table, in that table's column order.

    >>> checks_columns()[:4]
    ('id', 'source_file', 'article_index', 'province')
    """
    copied = [field for field in FIELDS if field.checks_position is not None]
    return tuple(field.name for field in sorted(copied, key=lambda field: field.checks_position))


def arrow_field(field: Field) -> pa.Field:
    """The Arrow field of a declared field, its description in the field metadata."""
    return pa.field(field.name, field.type, nullable=field.nullable, metadata={"description": field.description})


def arrow_schema(declared: tuple[Field, ...] = FIELDS) -> pa.Schema:
    """The Arrow schema of the documents table: one field per ``declared`` field, in order
    (``pipeline.schema.DOCUMENT_SCHEMA``).

    >>> arrow_schema().names[:3]
    ['id', 'source_file', 'article_index']
    """
    return pa.schema([arrow_field(field) for field in declared])


# -- the README table --------------------------------------------------------------------------------------

README_START = "<!-- columns: generated from pipeline/fields.py by `python -m pipeline.fields README.md` -->"
README_END = "<!-- end of columns -->"
# The table between the two markers (possibly empty).
_README_SECTION = re.compile(re.escape(README_START) + r"\n(.*?)\n?" + re.escape(README_END), re.S)


def markdown_table(declared: tuple[Field, ...] = FIELDS) -> str:
    """The README's table of the documents columns: one row per ``declared`` field.

    >>> markdown_table().splitlines()[10]
    '| `city` | string | metadata | prefecture-level city |'
    """
    rows = ["| column | type | filled by | meaning |", "|---|---|---|---|"]
    for field in declared:
        description = field.description.replace("|", "\\|")
        type_name = "float64" if field.type == FLOAT64 else str(field.type)  # pyarrow prints float64 as "double"
        rows.append(f"| `{field.name}` | {type_name} | {', '.join(field.filled_by)} | {description} |")
    return "\n".join(rows)


def readme_section(readme: str) -> str | None:
    """The text between the README's column-table markers, or None when a marker is missing."""
    match = _README_SECTION.search(readme)
    return match.group(1) if match else None


def with_readme_table(readme: str) -> str:
    """``readme`` with the column table between the markers replaced by ``markdown_table()``."""
    if readme_section(readme) is None:
        raise ValueError(f"README has no column-table markers ({README_START!r} … {README_END!r})")
    return _README_SECTION.sub(lambda _: f"{README_START}\n{markdown_table()}\n{README_END}", readme)


if __name__ == "__main__":  # python -m pipeline.fields README.md: rewrite the README's column table
    for path in map(Path, sys.argv[1:]):
        path.write_text(with_readme_table(path.read_text(encoding="utf-8")), encoding="utf-8")
