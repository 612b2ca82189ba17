"""The checks table: one small row per document with the columns the suite reads, so that validating a
million documents holds ~0.2 GB, not ~9 GB of text.

What it does: copies the documents-table columns an expectation reads (``COPIED_COLUMNS``, declared in
``pipeline/fields.py``) and adds values derived from ``text`` (``expectations.check_row``: length, blank,
Traditional residue, debris found, Han share); reads the per-shard tables back as the pandas frame the suite
runs on; recomputes them from documents part files. What it leaves alone: documents, and every judgement
(``pipeline.validation.rows`` and ``.suite`` decide).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import pyarrow as pa

from pipeline import fields, io, layout
from pipeline.schema import DOCUMENT_SCHEMA
from pipeline.stage_configs import ValidationConfig
from pipeline.validation import expectations as checks

if TYPE_CHECKING:
    import pandas as pd

# Folder (inside a build) of the per-shard checks tables, one part file per shard like documents/.
CHECKS_DIRNAME = layout.CHECKS
# Rows read at a time when validate_folder recomputes the checks from documents/*.parquet: ~10 kB of text
# each, so a batch holds ~10 MB of text whatever the part file's size.
RECHECK_BATCH_ROWS = 1_000

# Documents-table columns copied into the checks table: those an expectation reads. Left out: ``text``
# (replaced by the derived columns below) and the free-text fields title, subtitle, author, author_position,
# speaker, category, source_site, series, editor_note, source_note, url, source_encoding, script_conversion:
# no expectation reads their values, their type is checked on the Parquet schema, and titles and notes
# alone would double the table's size.
# The list is derived from pipeline/fields.py (``checks_position``), in the checks table's column order.
COPIED_COLUMNS = fields.checks_columns()
# Columns computed from ``text`` by ``pipeline.validation.expectations.check_row`` (one row per document).
DERIVED_COLUMNS = ("text_chars", "text_blank", "traditional_residue", "debris", "cjk_share")
CHECKS_SCHEMA = pa.schema(
    [DOCUMENT_SCHEMA.field(name) for name in COPIED_COLUMNS]
    + [
        pa.field("text_chars", pa.int64(), nullable=False),  # len(text)
        pa.field("text_blank", pa.bool_(), nullable=False),  # text is empty or whitespace only (or null)
        pa.field("traditional_residue", pa.string(), nullable=False),  # distinct residue characters, "" if none
        pa.field("debris", pa.string(), nullable=False),  # first debris pattern's match, "" if none
        pa.field("cjk_share", pa.float64(), nullable=False),  # Han share of the non-space characters
    ]
)
CHECKS_COLUMNS = tuple(CHECKS_SCHEMA.names)
# Low-cardinality string columns read as pandas categoricals: 1M rows of "浙江省" cost 1M small codes.
# (source_file is shared by every document of a JSONL input.)
CATEGORICAL_COLUMNS = fields.names(fields.CATEGORICAL)


def check_columns_row(document_row: dict, config: ValidationConfig) -> dict:
    """The checks-table row of one documents-table row (as ``pipeline.schema.document_row`` makes it).

    >>> row = check_columns_row({"id": "a-0", "text": "这是測試", "char_count": 4}, ValidationConfig())
    >>> row["id"], row["text_chars"], row["traditional_residue"], row["province"]
    ('a-0', 4, '測試', None)
    """
    row = {name: document_row.get(name) for name in COPIED_COLUMNS}
    text = document_row.get("text")
    row.update(checks.check_row(text if isinstance(text, str) else "", config))
    return row


def checks_for_rows(rows: Iterable[dict], config: ValidationConfig) -> list[dict]:
    """Checks-table rows for documents-table rows: what a shard writes to ``checks/part-NNNNN.parquet``.

    >>> [r["text_blank"] for r in checks_for_rows([{"text": "正文"}, {"text": " "}], ValidationConfig())]
    [False, True]
    """
    return [check_columns_row(row, config) for row in rows]


def checks_table(rows: Iterable[dict]) -> pa.Table:
    """Checks rows as an Arrow table of ``CHECKS_SCHEMA``."""
    return pa.Table.from_pylist(list(rows), schema=CHECKS_SCHEMA)


def checks_to_frame(table: pa.Table) -> pd.DataFrame:
    """The pandas frame the suite runs on: low-cardinality strings as categoricals, others Arrow-backed.

    >>> frame = checks_to_frame(checks_table(checks_for_rows([{"id": "a-0", "province": "浙江省", "text": "正文"}],
    ...                                                      ValidationConfig())))
    >>> str(frame["province"].dtype), str(frame["id"].dtype), bool(frame["text_blank"][0])
    ('category', 'str', False)
    """
    present = [name for name in CATEGORICAL_COLUMNS if name in table.column_names]
    frame = table.to_pandas(categories=present, self_destruct=True, split_blocks=True)
    del table
    # Arrow's allocator (mimalloc) keeps the pages of the Parquet decoding and of the table just converted:
    # ~2x the frame's size at 1M rows (measured: RSS 821 MB -> 369 MB after this call).
    io.release_freed_memory()
    return frame


def checks_from_frame(frame: pd.DataFrame, config: ValidationConfig) -> list[dict]:
    """Checks rows for a documents frame (``pyarrow.Table.to_pandas()`` of ``DOCUMENT_SCHEMA``).

    Columns missing from ``frame`` become nulls (the column-set check reports them); pandas nulls
    (NaN, NA) become ``None`` and whole floats in integer columns become ints.
    """
    columns = {}
    for name in COPIED_COLUMNS + ("text",):
        if name not in frame.columns:
            columns[name] = [None] * len(frame)
            continue
        values = [_none_if_missing(v) for v in frame[name].tolist()]
        if name in COPIED_COLUMNS and pa.types.is_integer(CHECKS_SCHEMA.field(name).type):
            values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
        columns[name] = values
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    return checks_for_rows(rows, config)


def read_checks(output_dir: str | Path) -> pd.DataFrame:
    """The checks table of a build (``checks/*.parquet``, one part per shard), as the suite runs on it."""
    import pyarrow.parquet as pq

    files = layout.BuildFolders(output_dir).parts(CHECKS_DIRNAME)
    if not files:
        return checks_to_frame(CHECKS_SCHEMA.empty_table())
    frame = checks_to_frame(pa.concat_tables([pq.read_table(f, schema=CHECKS_SCHEMA) for f in files]))
    io.release_freed_memory()  # now that the concatenated table is gone, too
    return frame


def recompute_checks(parts: Sequence[str | Path], config: ValidationConfig) -> pa.Table:
    """The checks table computed again from documents part files, ``RECHECK_BATCH_ROWS`` rows at a time:
    only one batch of text is in memory, whatever the number of documents."""
    import pyarrow.parquet as pq

    tables = []
    for part in parts:
        parquet = pq.ParquetFile(part)
        # A missing column is left out here: the schema check reports it.
        columns = [name for name in COPIED_COLUMNS + ("text",) if name in parquet.schema_arrow.names]
        for batch in parquet.iter_batches(batch_size=RECHECK_BATCH_ROWS, columns=columns):
            tables.append(checks_table(checks_for_rows(batch.to_pylist(), config)))
    return pa.concat_tables(tables) if tables else CHECKS_SCHEMA.empty_table()


def _none_if_missing(value):
    """pandas gives NaN/None/pd.NA for nulls; the row checks want None."""
    if value is None:
        return None
    try:
        return None if value != value else value  # NaN and NA are not equal to themselves
    except TypeError:  # pd.NA comparisons raise in boolean context
        return None


def _date_text(value) -> str:
    """A date value of the checks table as ISO text: timestamps (typed date columns) and strings alike.

    >>> import datetime as dt
    >>> _date_text(dt.datetime(2022, 11, 24, 8, 47)), _date_text("2022-11-24")
    ('2022-11-24T08:47:00', '2022-11-24')
    """
    return value if isinstance(value, str) else value.isoformat()
