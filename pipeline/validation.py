"""Batch validation of the documents table with Great Expectations (GX 1.x), from a compact checks table.

What it does: the suite runs over the *checks table*, one small row per document: the documents table's
columns that an expectation reads (ids, counts, place names, dates, labels) plus values derived from the
text in the shard that wrote it (``pipeline.expectations.check_row``: length, blank, Traditional residue,
debris found, Han share). ``text`` itself, and the free-text fields no expectation reads (title, notes,
author ...), never reach the suite, so validating a million documents holds ~0.2 GB, not ~9 GB of text.
The documents table's own columns and types are checked on the Parquet schema of every part file (no
rows read). Outputs: the GX validation result (``validation/result.json``), a per-expectation summary
(``validation/summary.json``) and the Data Docs HTML site (``validation/index.html``) in the folder given;
``ValidationFailed`` names every failed expectation, after they are written.

Checks on derived columns keep the name of the check on ``text`` they stand for (``expect_no_debris(text)``
runs on column ``debris``; ``expect_column_values_to_match_regex(text)``, "not blank", runs as
``text_blank`` in {False}): messages and Data Docs name them as users know them, and each description says
which checks-table column was actually tested.

What it leaves alone: it never changes, drops or quarantines a document. ``row_failures`` says which
row-level expectations one row breaks; the build quarantines such rows in their shard
(``validation.<expectation>``), before the suite runs. A failed expectation here fails the whole batch, and
the caller decides not to publish: on a build that is a batch-level one (columns and schema, row-count
band, unique ids), or a row-level check that the shards' quarantine missed.

GX is imported only inside functions (the import costs ~3 s): importing this module stays cheap.
The row-level logic of the custom expectations lives in ``pipeline.expectations`` (plain functions).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import pyarrow as pa

from pipeline import expectations as checks, io, layout
from pipeline.errors import ValidationFailed
from pipeline.schema import (
    DATE_COLUMNS,
    DATE_PRECISIONS,
    DOCUMENT_COLUMNS,
    DOCUMENT_SCHEMA,
    SCHEMA_VERSION,
    iso_text,
)
from pipeline.stage_configs import ValidationConfig

if TYPE_CHECKING:
    import pandas as pd

# Versioned with the schema: a result file always says which contract it checked.
SUITE_NAME = f"documents-schema-{SCHEMA_VERSION}"
# Folder (inside the output folder) that receives result.json, summary.json and the Data Docs site.
VALIDATION_DIRNAME = layout.VALIDATION
# Examples kept per failed expectation: enough to find the rows, short enough for a one-line error.
MAX_EXAMPLES = 3
# Values in the failure message are cut to this many characters (a text value can be 30 000 characters).
MAX_VALUE_CHARS = 30
# source_format values the ingest stage writes (pipeline/document.py).
SOURCE_FORMATS = ("text", "html", "jsonl", "sogou")
# Manifest entries under these prefixes are reports rewritten by validation itself, not data to guard.
UNCHECKED_MANIFEST_PREFIXES = (f"{VALIDATION_DIRNAME}/",)
# Folder (inside a build) of the per-shard checks tables, one part file per shard like documents/.
CHECKS_DIRNAME = layout.CHECKS
# Rows read at a time when validate_folder recomputes the checks from documents/*.parquet: ~10 kB of text
# each, so a batch holds ~10 MB of text whatever the part file's size.
RECHECK_BATCH_ROWS = 1_000

# What source_sha256 holds: a SHA-256 digest in lower-case hex, e.g. "e3b0c442…b855" (64 digits).
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# Documents-table columns copied into the checks table: those an expectation reads. Left out: ``text``
# (replaced by the derived columns below) and the free-text fields title, subtitle, author, author_position,
# speaker, category, source_site, series, editor_note, source_note, url, source_encoding, script_conversion:
# no expectation reads their values, their type is checked on the Parquet schema, and titles and notes
# alone would double the table's size.
COPIED_COLUMNS = (
    "id", "source_file", "article_index", "province", "city", "county", "region_code", "published_at",
    "published_at_precision", "event_date", "event_date_precision", "original_script", "source_format", "source_sha256", "char_count", "chars_converted",
    "source_line", "raw_char_count", "removed_char_count",
)  # fmt: skip
# Columns computed from ``text`` by ``pipeline.expectations.check_row`` (one row per document).
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
CATEGORICAL_COLUMNS = ("source_file", "province", "city", "county", "published_at_precision",
                       "event_date_precision", "original_script", "source_format")  # fmt: skip
# How a check on a checks-table column is named for users: as the check on ``text`` it stands for.
# Key: (GX expectation type, checks-table column); value: (name shown, column shown).
TEXT_CHECK_NAMES = {
    ("expect_column_values_to_be_in_set", "text_blank"): ("expect_column_values_to_match_regex", "text"),
    ("expect_column_values_to_be_between", "text_chars"): ("expect_column_value_lengths_to_be_between", "text"),
    ("expect_no_traditional_residue", "traditional_residue"): ("expect_no_traditional_residue", "text"),
    ("expect_no_debris", "debris"): ("expect_no_debris", "text"),
    ("expect_cjk_share_at_least", "cjk_share"): ("expect_cjk_share_at_least", "text"),
    ("expect_char_count_to_match_text", "text_chars,char_count"):
        ("expect_char_count_to_match_text", "text,char_count"),
}  # fmt: skip


@dataclass(frozen=True)
class ExpectationSummary:
    """One expectation's outcome, in plain data (also used for the manifest integrity check)."""

    name: str  # GX expectation type, e.g. "expect_no_traditional_residue"
    column: str | None  # column, or "a,b" for multi-column expectations, None for table-level ones
    success: bool
    description: str
    unexpected_count: int | None = None  # rows that failed (map expectations only)
    element_count: int | None = None  # rows looked at (map expectations only)
    observed: str | None = None  # observed value (table-level and type expectations)
    examples: tuple[str, ...] = ()  # "id <id>: <why>" for the first failing rows
    # False for the checks made outside the GX suite (Parquet schema, manifest checksums): they are not on the
    # Data Docs page, so every count says "N expectations" for the suite and "M file checks" for these.
    in_suite: bool = True

    @property
    def label(self) -> str:
        """``name(column)``, the way failures are named in messages.

        >>> ExpectationSummary("expect_column_values_to_be_unique", "id", True, "").label
        'expect_column_values_to_be_unique(id)'
        """
        return f"{self.name}({self.column})" if self.column else self.name

    def failure_text(self) -> str:
        """One clause for the failure message.

        >>> ExpectationSummary("expect_no_debris", "text", False, "", 1, 6, None, ("id a-0: 时间:",)).failure_text()
        'expect_no_debris(text): 1 of 6 rows (id a-0: 时间:)'
        """
        if self.unexpected_count is not None:
            text = f"{self.label}: {self.unexpected_count} of {self.element_count} rows"
        else:
            text = f"{self.label}: observed {self.observed}"
        return f"{text} ({'; '.join(self.examples)})" if self.examples else text

    def as_row(self) -> dict:
        return {
            "expectation": self.name,
            "column": self.column or "",
            "success": self.success,
            "unexpected": "" if self.unexpected_count is None else self.unexpected_count,
            "rows": "" if self.element_count is None else self.element_count,
            "observed": self.observed or "",
            "examples": "; ".join(self.examples),
            "description": self.description,
            "in_suite": self.in_suite,
        }


def met_text(rows: Sequence[dict]) -> str:
    """``"27 of 27 expectations met, 1 of 2 file checks passed"`` from summary rows (``as_row``).

    >>> met_text([{"success": True, "in_suite": True}, {"success": False, "in_suite": False}])
    '1 of 1 expectations met, 0 of 1 file checks passed'
    """
    suite = [row for row in rows if row.get("in_suite", True)]
    files = [row for row in rows if not row.get("in_suite", True)]
    text = f"{sum(1 for row in suite if row['success'])} of {len(suite)} expectations met"
    if files:
        text += f", {sum(1 for row in files if row['success'])} of {len(files)} file checks passed"
    return text


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of one validation run. ``summary_rows()`` is ready for a Prefect table artifact."""

    success: bool
    suite_name: str
    row_count: int
    expectations: tuple[ExpectationSummary, ...]
    result_path: Path | None = None  # validation/result.json
    docs_index: Path | None = None  # validation/index.html (Data Docs entry point)
    docs_page: Path | None = None  # the Data Docs page of this run's validation result
    seconds: float = 0.0

    @property
    def failed(self) -> tuple[ExpectationSummary, ...]:
        return tuple(e for e in self.expectations if not e.success)

    def failure_message(self) -> str:
        """One line naming every failed expectation ("" when the suite passed)."""
        if self.success:
            return ""
        return "validation failed: " + "; ".join(e.failure_text() for e in self.failed)

    def count_text(self) -> str:
        """How many expectations of the suite (the Data Docs page lists exactly these) and how many file checks
        outside it were met: the same words in ``corpus validate``, the report and the build log."""
        return met_text([e.as_row() for e in self.expectations])

    def summary_rows(self) -> list[dict]:
        """One dict per expectation, failed ones first (then in suite order); plain str/int/bool values."""
        ordered = sorted(self.expectations, key=lambda e: e.success)
        return [e.as_row() for e in ordered]


# -- the checks table ---------------------------------------------------------------------------------------


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
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
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


def _schema_problems(schema: pa.Schema) -> list[str]:
    """How a documents Parquet schema differs from ``DOCUMENT_SCHEMA`` (names, types, required-ness)."""
    problems = []
    missing = [name for name in DOCUMENT_COLUMNS if name not in schema.names]
    extra = [name for name in schema.names if name not in DOCUMENT_SCHEMA.names]
    if missing:
        problems.append(f"missing {missing}")
    if extra:
        problems.append(f"unexpected {extra}")
    for field in DOCUMENT_SCHEMA:
        if field.name not in schema.names:
            continue
        found = schema.field(field.name)
        if found.type != field.type:
            problems.append(f"{field.name} is {found.type}, not {field.type}")
        elif found.nullable and not field.nullable:
            problems.append(f"{field.name} is nullable, not required")
    return problems


def check_parquet_schema(parts: Sequence[str | Path]) -> ExpectationSummary:
    """Every documents part file has the columns, types and required columns of ``DOCUMENT_SCHEMA``.

    Reads only the Parquet footers. One example per file that differs.
    """
    import pyarrow.parquet as pq

    problems = []
    for part in parts:
        try:
            found = _schema_problems(pq.read_schema(part))
        except (OSError, pa.ArrowException) as error:
            found = [f"unreadable: {error}"]
        if found:
            problems.append(f"{Path(part).name}: {', '.join(found)}")
    return ExpectationSummary(
        name="expect_parquet_schema_to_match",
        column="documents",
        success=not problems,
        description=(f"expect_parquet_schema_to_match(documents): every documents part file has the columns, "
                     f"types and required columns of schema {SCHEMA_VERSION}"),  # fmt: skip
        unexpected_count=len(problems),
        element_count=len(parts),
        examples=tuple(_short_problem(p) for p in problems[:MAX_EXAMPLES]),
        in_suite=False,
    )


def check_frame_columns(columns: Iterable[str]) -> ExpectationSummary:
    """A documents frame has exactly the columns of ``DOCUMENT_SCHEMA`` (in-memory stand-in for the
    Parquet schema check: a pandas frame's dtypes do not tell its Arrow types).

    >>> check_frame_columns([c for c in DOCUMENT_COLUMNS if c != "url"]).observed
    "missing ['url'], unexpected none"
    """
    columns = list(columns)
    missing = [c for c in DOCUMENT_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in DOCUMENT_COLUMNS]
    return ExpectationSummary(
        name="expect_parquet_schema_to_match",
        column="documents",
        success=not missing and not extra,
        description=f"expect_parquet_schema_to_match(documents): the columns are exactly those of schema "
        f"{SCHEMA_VERSION} (in-memory frame: names only)",
        observed=f"missing {missing or 'none'}, unexpected {extra or 'none'}",
        in_suite=False,
    )


def _short_problem(text: str) -> str:
    """Schema problems name columns and types: allow more than a cell value, still one line."""
    return text if len(text) <= 200 else text[:199] + "…"


# -- the suite ---------------------------------------------------------------------------------------------


def preload() -> None:
    """Import GX's modules ahead of use (~7 s of imports), e.g. in a background thread of a process that is
    only waiting for shard workers: validation then starts at once. Errors are left to the real import."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # as in _gx: must be set before the import
    try:
        import great_expectations  # noqa: F401
        import great_expectations.checkpoint  # noqa: F401
    except Exception:  # validation imports again and reports the problem where it belongs
        pass


@functools.lru_cache(maxsize=None)
def _gx() -> types.SimpleNamespace:
    """Import GX (once, ~3 s) and define the custom expectations; return both as a namespace."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # offline machines; must be set before the import
    import great_expectations as gx
    import great_expectations.expectations as gxe
    import numpy as np
    import pandas as pd
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.execution_engine import pandas_execution_engine
    from great_expectations.expectations.expectation import ColumnMapExpectation, MulticolumnMapExpectation
    from great_expectations.expectations.metrics.map_metric_provider import (
        ColumnMapMetricProvider,
        MulticolumnMapMetricProvider,
        column_condition_partial,
    )
    from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
        multicolumn_condition_partial,
    )

    # GX fingerprints every DataFrame under 1 GB by hashing all its values (pd.util.hash_pandas_object), only
    # to print the hash in result.json: +130-290 MB and ~1 s for 1M checks rows, more than the suite itself.
    # The build's manifest already holds a sha256 of every output, so the fingerprint is switched off.
    pandas_execution_engine.HASH_THRESHOLD = 0
    multicolumn_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    class ColumnValuesWithoutTraditionalResidue(ColumnMapMetricProvider):
        condition_metric_name = "column_values.without_traditional_residue"
        condition_value_keys = ("allowed_exceptions",)

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, allowed_exceptions=(), **kwargs):
            allowed = frozenset(allowed_exceptions or ())
            clean = column.astype(str) == ""
            if not clean.all():  # the few rows with residue: their characters may all be allowed
                clean[~clean] = column[~clean].map(lambda residue: not set(residue) - allowed)
            return clean

    # Null-tolerant versions of two built-in checks, for columns that are partly null. GX's own null filter
    # copies the whole table (every column) once per metric when a column has some nulls: +200 MB per
    # expectation at 1M rows. These test ``isna() | condition`` on the column alone.
    class ColumnValuesInSetOrNull(ColumnMapMetricProvider):
        condition_metric_name = "column_values.in_set_or_null"
        condition_value_keys = ("value_set",)
        filter_column_isnull = False

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, value_set=(), **kwargs):
            return column.isna() | column.isin(list(value_set))

    class ExpectColumnValuesToBeInSetOrNull(ColumnMapExpectation):
        """Each value is null or one of value_set."""

        value_set: list
        map_metric = "column_values.in_set_or_null"
        success_keys = ("mostly", "value_set")

    class ColumnValuesAtLeastOrNull(ColumnMapMetricProvider):
        condition_metric_name = "column_values.at_least_or_null"
        condition_value_keys = ("min_value",)
        filter_column_isnull = False

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, min_value=0, **kwargs):
            return column.isna() | (column >= min_value)

    class ExpectColumnValuesToBeAtLeastOrNull(ColumnMapExpectation):
        """Each value is null or at least min_value."""

        min_value: float
        map_metric = "column_values.at_least_or_null"
        success_keys = ("mostly", "min_value")

    class ExpectNoTraditionalResidue(ColumnMapExpectation):
        """Column of Traditional residue per document (``check_row``): empty, or allowed characters only."""

        allowed_exceptions: list[str] = []
        map_metric = "column_values.without_traditional_residue"
        success_keys = ("mostly", "allowed_exceptions")

    class ColumnValuesWithoutDebris(ColumnMapMetricProvider):
        condition_metric_name = "column_values.without_debris"

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, **kwargs):
            return column.astype(str) == ""

    class ExpectNoDebris(ColumnMapExpectation):
        """Column of debris found per document (``check_row``, the configured patterns): empty."""

        map_metric = "column_values.without_debris"
        success_keys = ("mostly",)

    class ColumnValuesCjkShareAtLeast(ColumnMapMetricProvider):
        condition_metric_name = "column_values.cjk_share_at_least"
        condition_value_keys = ("min_share",)

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, min_share=0.0, **kwargs):
            return column >= min_share

    class ExpectCjkShareAtLeast(ColumnMapExpectation):
        """Column of Han shares (among non-space characters, ``check_row``): each at least min_share."""

        min_share: float
        map_metric = "column_values.cjk_share_at_least"
        success_keys = ("mostly", "min_share")

    class ColumnValuesIsoDates(ColumnMapMetricProvider):
        condition_metric_name = "column_values.iso_dates_not_after"
        condition_value_keys = ("not_after",)
        # Nulls are fine and handled below: GX's own null filter copies the whole table (all columns) once
        # per metric when a column has some nulls, as published_at has.
        filter_column_isnull = False

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, not_after=None, **kwargs):
            # Once per distinct value: a million documents carry far fewer distinct dates.
            valid = np.ones(len(column), dtype=bool)
            present = column.notna().to_numpy()
            if present.any():
                values = column[present]
                verdicts = {value: checks.iso_date_problem(_date_text(value), not_after) is None
                            for value in values.unique()}
                valid[present] = values.map(verdicts).astype(bool).to_numpy()
            return pd.Series(valid, index=column.index)

    class ExpectColumnValuesToBeIsoDates(ColumnMapExpectation):
        """Values (nulls aside) are ISO 8601 dates or date-times."""

        not_after: str | None = None
        map_metric = "column_values.iso_dates_not_after"
        success_keys = ("mostly", "not_after")

    class ExpectColumnValuesToBeIsoDatesNotInFuture(ColumnMapExpectation):
        """Values (nulls aside) are ISO 8601 dates or date-times, none after not_after."""

        not_after: str
        map_metric = "column_values.iso_dates_not_after"
        success_keys = ("mostly", "not_after")

    class RegionCodeConsistent(MulticolumnMapMetricProvider):
        condition_metric_name = "multicolumn_values.region_code_consistent"
        condition_domain_keys = multicolumn_domain_keys

        @multicolumn_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column_list, **kwargs):
            names = ["province", "city", "county", "region_code"]
            places = column_list[names]
            # Once per distinct place (a few thousand for a million rows). Both calls number the distinct
            # rows in order of first appearance, nulls included.
            group = places.groupby(names, dropna=False, observed=True, sort=False).ngroup().to_numpy()
            distinct = places.drop_duplicates().itertuples(index=False, name=None)
            verdicts = np.array([checks.region_problem(*map(_none_if_missing, row)) is None for row in distinct])
            return pd.Series(verdicts[group], index=column_list.index, dtype=bool)

    class ExpectRegionCodeConsistent(MulticolumnMapExpectation):
        """region_code is null iff province, city and county are all null, and fits them when set."""

        ignore_row_if: str = "never"
        map_metric = "multicolumn_values.region_code_consistent"

    class CharCountMatchesText(MulticolumnMapMetricProvider):
        condition_metric_name = "multicolumn_values.char_count_matches_text"
        condition_domain_keys = multicolumn_domain_keys

        @multicolumn_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column_list, **kwargs):
            return column_list["text_chars"] == column_list["char_count"]

    class ExpectCharCountToMatchText(MulticolumnMapExpectation):
        """char_count == text_chars (len(text), from ``check_row``) for every row."""

        ignore_row_if: str = "never"
        map_metric = "multicolumn_values.char_count_matches_text"

    return types.SimpleNamespace(
        gx=gx,
        gxe=gxe,
        UpdateDataDocsAction=UpdateDataDocsAction,
        RunIdentifier=RunIdentifier,
        ProgressBarsConfig=ProgressBarsConfig,
        ExpectColumnValuesToBeInSetOrNull=ExpectColumnValuesToBeInSetOrNull,
        ExpectColumnValuesToBeAtLeastOrNull=ExpectColumnValuesToBeAtLeastOrNull,
        ExpectNoTraditionalResidue=ExpectNoTraditionalResidue,
        ExpectNoDebris=ExpectNoDebris,
        ExpectCjkShareAtLeast=ExpectCjkShareAtLeast,
        ExpectColumnValuesToBeIsoDates=ExpectColumnValuesToBeIsoDates,
        ExpectColumnValuesToBeIsoDatesNotInFuture=ExpectColumnValuesToBeIsoDatesNotInFuture,
        ExpectRegionCodeConsistent=ExpectRegionCodeConsistent,
        ExpectCharCountToMatchText=ExpectCharCountToMatchText,
    )


def _none_if_missing(value):
    """pandas gives NaN/None/pd.NA for nulls; the row checks want None."""
    if value is None:
        return None
    try:
        return None if value != value else value  # NaN and NA are not equal to themselves
    except TypeError:  # pd.NA comparisons raise in boolean context
        return None


def _region_problem(row) -> str | None:
    return checks.region_problem(
        _none_if_missing(row["province"]),
        _none_if_missing(row["city"]),
        _none_if_missing(row["county"]),
        _none_if_missing(row["region_code"]),
    )


def _checked_column(kwargs: dict) -> str | None:
    """The checks-table column (or "a,b" columns) an expectation's kwargs name; ``None`` for table-level."""
    return kwargs.get("column") or (",".join(kwargs["column_list"]) if kwargs.get("column_list") else None)


def _shown_name(expectation_type: str, kwargs: dict) -> tuple[str, str | None]:
    """(name, column) users see: a check on a derived column is named as the check on ``text`` it stands for.

    >>> _shown_name("expect_column_values_to_be_in_set", {"column": "text_blank", "value_set": [False]})
    ('expect_column_values_to_match_regex', 'text')
    >>> _shown_name("expect_column_values_to_be_unique", {"column": "id"})
    ('expect_column_values_to_be_unique', 'id')
    """
    column = _checked_column(kwargs)
    return TEXT_CHECK_NAMES.get((expectation_type, column), (expectation_type, column))


def _label(expectation_type: str, kwargs: dict) -> str:
    name, column = _shown_name(expectation_type, kwargs)
    return f"{name}({column})" if column else name


def default_not_after() -> str:
    """The latest ``published_at`` date accepted: tomorrow in UTC, so a page dated today in China (UTC+8)
    is never "in the future"."""
    return (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)).isoformat()


# Checks-table columns that must never be null (the documents table's non-nullable columns).
REQUIRED_COLUMNS = tuple(name for name in COPIED_COLUMNS if not DOCUMENT_SCHEMA.field(name).nullable)


def row_failures(row: dict, config: ValidationConfig, not_after: str | None = None) -> list[tuple[str, str]]:
    """The row-level expectations of the suite that one checks-table row breaks, as (name, clause) pairs,
    in suite order; ``[]`` when the row meets all of them.

    Row-level: every expectation that judges one row by itself (nulls, counts, text checks, labels, region,
    dates). The batch-level ones — column set and Parquet schema, row-count band, unique ids, accounting —
    need the whole batch and stay with the suite and the contract checks. A build quarantines a row that
    breaks any of these as ``validation.<name>`` (``pipeline.row_contract``), so one leftover line is a row-level
    outcome, and the suite's own row-level expectations then hold by construction on what is published.

    >>> text = "时间:2022-11-24\\n" + "正文的内容。" * 4
    >>> row = check_columns_row({"id": "a-0", "source_file": "a.txt", "article_index": 0, "char_count": len(text),
    ...     "text": text, "source_format": "text", "source_sha256": "0" * 64, "removed_char_count": 0},
    ...     ValidationConfig())
    >>> row_failures(row, ValidationConfig(), not_after="2030-01-01")
    [('expect_no_debris', 'expect_no_debris(text): 时间:')]
    >>> row_failures(dict(row, debris="", char_count=3), ValidationConfig(), not_after="2030-01-01")
    [('expect_char_count_to_match_text', 'expect_char_count_to_match_text(text,char_count): char_count 3 != 38')]
    """
    not_after = not_after or default_not_after()
    failures: list[tuple[str, str]] = []

    def fail(name: str, column: str, why: str) -> None:
        failures.append((name, f"{name}({column}): {why}"))

    for name in REQUIRED_COLUMNS:
        if row.get(name) is None:
            fail("expect_column_values_to_not_be_null", name, "null")
    for name in ("chars_converted", "source_line", "raw_char_count"):
        if row.get(name) is not None and row[name] < 0:
            fail("expect_column_values_to_be_at_least_or_null", name, str(row[name]))
    if row.get("removed_char_count") is not None and row["removed_char_count"] < 0:
        fail("expect_column_values_to_be_between", "removed_char_count", str(row["removed_char_count"]))
    if row["text_blank"]:
        fail("expect_column_values_to_match_regex", "text", "blank text")
    if row["text_chars"] < config.min_text_chars:
        fail("expect_column_value_lengths_to_be_between", "text", f"{row['text_chars']} characters")
    residue = "".join(c for c in row["traditional_residue"] if c not in config.traditional_exceptions)
    if residue:
        fail("expect_no_traditional_residue", "text", residue)
    if row["debris"]:
        fail("expect_no_debris", "text", _short(row["debris"]))
    if row["cjk_share"] < config.min_cjk_share:
        fail("expect_cjk_share_at_least", "text", f"share {row['cjk_share']:.2f}")
    if row.get("char_count") != row["text_chars"]:
        fail("expect_char_count_to_match_text", "text,char_count", f"char_count {row.get('char_count')} != "
                                                                   f"{row['text_chars']}")
    if row.get("article_index") is not None and row["article_index"] < 0:
        fail("expect_column_values_to_be_between", "article_index", str(row["article_index"]))
    if row.get("original_script") is not None and row["original_script"] not in config.original_script_values:
        fail("expect_column_values_to_be_in_set_or_null", "original_script", _short(row["original_script"]))
    if row.get("source_format") is not None and row["source_format"] not in SOURCE_FORMATS:
        fail("expect_column_values_to_be_in_set", "source_format", _short(row["source_format"]))
    if row.get("source_sha256") is not None and not SHA256_HEX.fullmatch(row["source_sha256"]):
        fail("expect_column_values_to_match_regex", "source_sha256", _short(row["source_sha256"]))
    region = checks.region_problem(row.get("province"), row.get("city"), row.get("county"), row.get("region_code"))
    if region:
        fail("expect_region_code_consistent", "province,city,county,region_code", region)
    for name, bound in (("published_at", not_after), ("event_date", None)):
        text = _date_text(row[name]) if row.get(name) is not None else None  # typed dates, as the suite reads them
        problem = checks.iso_date_problem(text, bound) if text is not None else None
        if problem:
            fail("expect_column_values_to_be_iso_dates" + ("_not_in_future" if bound else ""), name,
                 f"{_short(text)}: {problem}")
    for precision in DATE_COLUMNS.values():
        if row.get(precision) is not None and row[precision] not in DATE_PRECISIONS:
            fail("expect_column_values_to_be_in_set_or_null", precision, _short(str(row[precision])))
    return failures


def row_count_band(previous_row_count: int | None, config: ValidationConfig) -> tuple[int, int | None]:
    """(min, max) rows accepted for this build; at least one row, always.

    >>> row_count_band(100, ValidationConfig())
    (50, 1000)
    >>> row_count_band(None, ValidationConfig())
    (1, None)
    """
    if previous_row_count is None:
        return 1, None
    low = max(1, math.ceil(previous_row_count * config.min_row_ratio))
    high = max(low, math.floor(previous_row_count * config.max_row_ratio))
    return low, high


def build_suite(config: ValidationConfig, previous_row_count: int | None = None, *, not_after: str | None = None):
    """The GX ``ExpectationSuite`` for the checks table (``CHECKS_SCHEMA``; not yet added to a context).

    ``not_after`` (ISO date) bounds ``published_at``; default: tomorrow in UTC, so a page dated today in
    China (UTC+8) is never "in the future". Each expectation's description starts with its label
    ``name(column)``, so Data Docs, the summary and the error message name it the same way; a check that
    runs on a derived column says so in brackets at the end.
    """
    g = _gx()
    gxe = g.gxe
    if not_after is None:
        not_after = default_not_after()
    low, high = row_count_band(previous_row_count, config)
    band = f"{low}..{high if high is not None else '∞'}"
    band_reason = (
        f"within {config.min_row_ratio:g}x..{config.max_row_ratio:g}x of the previous build's {previous_row_count} rows"
        if previous_row_count is not None
        else "no previous build: at least one row"
    )
    specs: list[tuple[type, dict, str]] = [
        (gxe.ExpectTableColumnsToMatchSet, {"column_set": list(CHECKS_COLUMNS), "exact_match": True},
         f"the checks table has the columns of schema {SCHEMA_VERSION}'s checks"),
        (gxe.ExpectTableRowCountToBeBetween, {"min_value": low, "max_value": high},
         f"row count {band}: {band_reason}"),
    ]  # fmt: skip
    for name in COPIED_COLUMNS:
        if not DOCUMENT_SCHEMA.field(name).nullable:
            specs.append((gxe.ExpectColumnValuesToNotBeNull, {"column": name}, "required column, never null"))
    for name in ("chars_converted", "source_line", "raw_char_count"):
        specs.append((g.ExpectColumnValuesToBeAtLeastOrNull, {"column": name, "min_value": 0},
                      "null, or a count or line number: not negative"))  # fmt: skip
    specs.append((gxe.ExpectColumnValuesToBeBetween, {"column": "removed_char_count", "min_value": 0},
                  "a count: not negative"))  # fmt: skip
    specs += [
        (gxe.ExpectColumnValuesToBeUnique, {"column": "id"}, "one row per document id"),
        (gxe.ExpectColumnValuesToBeInSet, {"column": "text_blank", "value_set": [False]},
         "text is not empty or blank"),
        (gxe.ExpectColumnValuesToBeBetween, {"column": "text_chars", "min_value": config.min_text_chars},
         f"text has at least {config.min_text_chars} characters"),
        (g.ExpectNoTraditionalResidue,
         {"column": "traditional_residue", "allowed_exceptions": list(config.traditional_exceptions)},
         "OpenCC t2s(text) == text: no Traditional character left"),
        (g.ExpectNoDebris, {"column": "debris"},
         f"none of the {len(config.debris_patterns)} known debris patterns is left"),
        (g.ExpectCjkShareAtLeast, {"column": "cjk_share", "min_share": config.min_cjk_share},
         f"Han characters are at least {config.min_cjk_share:.0%} of the non-space characters"),
        (g.ExpectCharCountToMatchText, {"column_list": ["text_chars", "char_count"]}, "char_count == len(text)"),
        (gxe.ExpectColumnValuesToBeBetween, {"column": "article_index", "min_value": 0}, "not negative"),
        (g.ExpectColumnValuesToBeInSetOrNull,
         {"column": "original_script", "value_set": list(config.original_script_values)},
         f"null or one of {', '.join(config.original_script_values)}"),
        (gxe.ExpectColumnValuesToBeInSet, {"column": "source_format", "value_set": list(SOURCE_FORMATS)},
         f"one of {', '.join(SOURCE_FORMATS)}"),
        (gxe.ExpectColumnValuesToMatchRegex, {"column": "source_sha256", "regex": SHA256_HEX.pattern},
         "64 lower-case hex digits"),
        (g.ExpectRegionCodeConsistent, {"column_list": ["province", "city", "county", "region_code"]},
         "code set iff a place name is set; a 6-digit GB/T 2260 code whose level and province prefix fit the names"),
        (g.ExpectColumnValuesToBeIsoDatesNotInFuture, {"column": "published_at", "not_after": not_after},
         f"null or an ISO 8601 date / date-time, not after {not_after}"),
        (g.ExpectColumnValuesToBeIsoDates, {"column": "event_date"}, "null or an ISO 8601 date / date-time"),
    ]  # fmt: skip
    for date, precision in DATE_COLUMNS.items():
        specs.append((g.ExpectColumnValuesToBeInSetOrNull, {"column": precision, "value_set": list(DATE_PRECISIONS)},
                      f"null or one of {', '.join(DATE_PRECISIONS)} (how much of {date} was stated)"))
    expectations = []
    for cls, kwargs, reason in specs:
        label = _label(cls.expectation_type, kwargs)
        actual = f"{cls.expectation_type}({_checked_column(kwargs)})"
        where = f" [checks table: {actual}]" if not label == actual and _checked_column(kwargs) else ""
        expectations.append(cls(**kwargs, description=f"{label}: {reason}{where}"))
    return g.gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations)


# -- running it --------------------------------------------------------------------------------------------


def _short(value) -> str:
    text = str(value).replace("\n", "⏎")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _date_text(value) -> str:
    """A date value of the checks table as ISO text: timestamps (typed date columns) and strings alike.

    >>> _date_text(dt.datetime(2022, 11, 24, 8, 47)), _date_text("2022-11-24")
    ('2022-11-24T08:47:00', '2022-11-24')
    """
    return value if isinstance(value, str) else value.isoformat()


def _why(expectation_type: str, kwargs: dict, row) -> str:
    """What is wrong with ``row`` (of the checks table) for the given expectation, for the message."""
    column = _checked_column(kwargs)
    if expectation_type == "expect_no_traditional_residue":
        allowed = set(kwargs.get("allowed_exceptions", ()))
        return "".join(c for c in row["traditional_residue"] if c not in allowed)
    if expectation_type == "expect_no_debris":
        return _short(row["debris"])
    if expectation_type == "expect_cjk_share_at_least":
        return f"share {row['cjk_share']:.2f}"
    if expectation_type == "expect_char_count_to_match_text":
        return f"char_count {row['char_count']} != {row['text_chars']}"
    if column == "text_blank":
        return "blank text"
    if column == "text_chars":
        return f"{row['text_chars']} characters"
    if expectation_type == "expect_region_code_consistent":
        return _region_problem(row) or ""
    if expectation_type.startswith("expect_column_values_to_be_iso_dates"):
        value = row[column]
        stated = value if isinstance(value, str) else iso_text(value, row.get(DATE_COLUMNS.get(column, ""), None))
        return f"{_short(stated)}: {checks.iso_date_problem(_date_text(value), kwargs.get('not_after'))}"
    return _short(row[column]) if column and column != "id" else ""


def _examples(frame: pd.DataFrame, expectation_type: str, kwargs: dict, result: dict) -> tuple[str, ...]:
    index_list = result.get("partial_unexpected_index_list") or []
    examples = []
    for entry in index_list:
        if len(examples) >= MAX_EXAMPLES:
            break
        if isinstance(entry, dict) and "id" in entry:
            row_id = entry["id"]
            matches = frame.index[frame["id"] == row_id] if row_id is not None else frame.index[frame["id"].isna()]
            why = _why(expectation_type, kwargs, frame.loc[matches[0]]) if len(matches) else ""
        else:  # no id column to name rows by: fall back to the row position
            row_id, why = f"row {entry}", ""
        text = f"id {row_id}: {why}" if why else f"id {row_id}"
        if text not in examples:
            examples.append(text)
    if not examples and result.get("partial_unexpected_list"):
        examples = [_short(v) for v in result["partial_unexpected_list"][:MAX_EXAMPLES]]
    return tuple(examples)


def _summarise(frame: pd.DataFrame, expectation_result) -> ExpectationSummary:
    config = expectation_result.expectation_config
    kwargs = dict(config.kwargs)
    result = dict(expectation_result.result or {})
    exception = (expectation_result.exception_info or {}).get("exception_message")
    name, column = _shown_name(config.type, kwargs)
    observed = result.get("observed_value")
    if exception:
        observed = f"error: {exception}"
    elif isinstance(observed, list):
        observed = ",".join(str(v) for v in observed)
    examples = () if expectation_result.success else _examples(frame, config.type, kwargs, result)
    if config.type == "expect_table_columns_to_match_set" and expectation_result.success:
        observed = f"{len(frame.columns)} columns"
    elif config.type == "expect_table_columns_to_match_set":
        present = set(frame.columns)
        missing = [c for c in CHECKS_COLUMNS if c not in present]
        extra = [c for c in frame.columns if c not in CHECKS_COLUMNS]
        observed = f"missing {missing or 'none'}, unexpected {extra or 'none'}"
    if config.type == "expect_table_row_count_to_be_between":
        high = kwargs.get("max_value")
        observed = f"{observed}, expected {kwargs.get('min_value')}..{high if high is not None else '∞'}"
    has_counts = "unexpected_count" in result and not exception
    return ExpectationSummary(
        name=name,
        column=column,
        success=bool(expectation_result.success),
        description=config.description or "",
        unexpected_count=result.get("unexpected_count") if has_counts else None,
        element_count=result.get("element_count") if has_counts else None,
        observed=None if observed is None else str(observed),
        examples=examples,
    )


def _run_checkpoint(frame: pd.DataFrame, suite, project_dir: Path):
    """Run ``suite`` on ``frame`` in a file context at ``project_dir``; return (GX result, Data Docs dir)."""
    g = _gx()
    context = g.gx.get_context(mode="file", project_root_dir=str(project_dir))
    context.variables.progress_bars = g.ProgressBarsConfig(globally=False)
    suite = context.suites.add(suite)
    asset = context.data_sources.add_pandas("corpus").add_dataframe_asset("documents")
    batch_definition = asset.add_batch_definition_whole_dataframe("whole_table")
    definition = context.validation_definitions.add(
        g.gx.ValidationDefinition(name="documents", data=batch_definition, suite=suite)
    )
    # No index query (a list of every failing row index, per expectation): the summary names rows by id.
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 20, "return_unexpected_index_query": False}
    if "id" in frame.columns:  # name failing rows by id rather than by position
        result_format["unexpected_index_column_names"] = ["id"]
    checkpoint = context.checkpoints.add(
        g.gx.Checkpoint(
            name="documents",
            validation_definitions=[definition],
            actions=[g.UpdateDataDocsAction(name="data_docs")],
            result_format=result_format,
        )
    )
    checkpoint_result = checkpoint.run(
        batch_parameters={"dataframe": frame}, run_id=g.RunIdentifier(run_name=SUITE_NAME)
    )
    (validation_result,) = checkpoint_result.run_results.values()
    docs_dir = project_dir / "gx" / "uncommitted" / "data_docs" / "local_site"
    return validation_result, docs_dir


# Data Docs pages load Bootstrap, jQuery, bootstrap-table, Vega and Font Awesome from CDNs; offline they are
# unstyled and the index page's tables (filled in by bootstrap-table) stay empty. Those tags are removed and
# this stylesheet and script (a few Bootstrap classes; the jQuery calls the pages make) are inlined instead.
OFFLINE_ASSETS = Path(__file__).resolve().parent / "data" / "datadocs"
# `<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/…/bootstrap.min.css"/>`, `<script
# src="https://code.jquery.com/jquery-3.7.1.min.js"></script>`, `<img src="https://great-expectations-web-assets…">`
REMOTE_ASSET = re.compile(r'<link\b[^>]*\bhref="https?://[^"]*"[^>]*>'
                          r'|<script\b[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>'
                          r'|<img\b[^>]*\bsrc="https?://[^"]*"[^>]*>')


def make_docs_offline(site: Path) -> None:
    """Rewrite every page of a Data Docs site so it reads offline: remote stylesheets, scripts and images
    removed, the shipped stand-ins (``OFFLINE_ASSETS``) inlined into ``<head>``. Links stay links."""
    css = (OFFLINE_ASSETS / "offline.css").read_text(encoding="utf-8")
    js = (OFFLINE_ASSETS / "offline.js").read_text(encoding="utf-8")
    inline = f"<style>{css}</style>\n<script>{js}</script>\n</head>"
    for page in site.rglob("*.html"):
        text = REMOTE_ASSET.sub("", page.read_text(encoding="utf-8"))
        page.write_text(text.replace("</head>", inline, 1), encoding="utf-8")


def _replace_dir(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, replacing what was there (old copy removed only after the swap)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


def _write_json(path: Path, data) -> None:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, default=str)
    path.write_text(text + "\n", encoding="utf-8")


def validate_checks(
    checks_frame: pd.DataFrame,
    config: ValidationConfig,
    output_dir: str | Path,
    previous_row_count: int | None = None,
    *,
    document_parts: Sequence[str | Path] = (),
    extra_checks: Sequence[ExpectationSummary] = (),
    raise_on_failure: bool = True,
) -> ValidationReport:
    """Run the suite on the checks table; write ``output_dir/validation/``; raise if anything failed.

    ``checks_frame``: one row per document, columns ``CHECKS_SCHEMA`` (``read_checks`` gives it).
    ``document_parts``: the documents/*.parquet files, whose Parquet schema is checked against
    ``DOCUMENT_SCHEMA`` (no rows read). ``extra_checks`` (e.g. the manifest integrity check) join the
    report and the message. Results are written before ``ValidationFailed`` is raised; the error carries
    the report as ``.report``.
    """
    extra = tuple(extra_checks)
    if document_parts:
        extra = (check_parquet_schema(document_parts),) + extra
    return _validate(checks_frame, config, Path(output_dir), previous_row_count, extra, raise_on_failure)


def _validate(frame, config, output_dir: Path, previous_row_count, extra_checks, raise_on_failure) -> ValidationReport:
    started = time.perf_counter()
    output_dir.mkdir(parents=True, exist_ok=True)
    suite = build_suite(config, previous_row_count)
    target = output_dir / VALIDATION_DIRNAME
    staging = Path(tempfile.mkdtemp(prefix=f".{VALIDATION_DIRNAME}.tmp-", dir=output_dir))
    try:
        with tempfile.TemporaryDirectory(prefix="gx-") as project_dir:
            result, docs_dir = _run_checkpoint(frame, suite, Path(project_dir))
            shutil.copytree(docs_dir, staging, dirs_exist_ok=True)
            make_docs_offline(staging)
        summaries = tuple(_summarise(frame, r) for r in result.results) + tuple(extra_checks)
        _write_json(staging / "result.json", result.to_json_dict())
        success = bool(result.success) and all(c.success for c in extra_checks)
        _write_json(
            staging / "summary.json",
            {
                "suite": SUITE_NAME,
                "success": success,
                "rows": len(frame),
                "expectations": [s.as_row() for s in summaries],
            },
        )
        _replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pages = sorted((target / "validations").rglob("*.html"))
    report = ValidationReport(
        success=success,
        suite_name=SUITE_NAME,
        row_count=len(frame),
        expectations=summaries,
        result_path=target / "result.json",
        docs_index=target / "index.html",
        docs_page=pages[-1] if pages else None,
        seconds=time.perf_counter() - started,
    )
    if not success and raise_on_failure:
        error = ValidationFailed(report.failure_message(), [e.label for e in report.failed])
        error.report = report
        raise error
    return report


def validate_documents(
    frame: pd.DataFrame,
    config: ValidationConfig,
    output_dir: str | Path,
    previous_row_count: int | None = None,
    *,
    extra_checks: Sequence[ExpectationSummary] = (),
    raise_on_failure: bool = True,
) -> ValidationReport:
    """Validate a documents table held in memory (small batches, tests): checks computed, then the suite.

    ``frame`` is the table as ``pyarrow.Table.to_pandas()`` gives it (schema ``DOCUMENT_SCHEMA``). Its
    column names are checked against the schema in place of the Parquet schema check.
    """
    checks_frame = checks_to_frame(checks_table(checks_from_frame(frame, config)))
    schema_check = check_frame_columns(frame.columns)
    return _validate(checks_frame, config, Path(output_dir), previous_row_count,
                     (schema_check,) + tuple(extra_checks), raise_on_failure)  # fmt: skip


# -- re-validating a built folder --------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_manifest(output_dir: str | Path) -> ExpectationSummary | None:
    """Compare files with the sha256 in ``output_dir/manifest.json`` (key ``outputs``); ``None`` if absent.

    Entries under ``validation/`` are skipped: validation rewrites them.
    """
    output_dir = Path(output_dir)
    manifest_path = output_dir / "manifest.json"
    if not manifest_path.is_file():
        return None
    try:
        outputs = json.loads(manifest_path.read_text(encoding="utf-8")).get("outputs")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as error:
        return ExpectationSummary("manifest_sha256_matches", "outputs", False, "manifest.json is readable",
                                  observed=f"unreadable manifest.json: {error}", in_suite=False)  # fmt: skip
    if not isinstance(outputs, dict):
        return None
    problems = []
    checked = 0
    for relative, expected in sorted(outputs.items()):
        if relative.startswith(UNCHECKED_MANIFEST_PREFIXES):
            continue
        checked += 1
        path = output_dir / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif _sha256_file(path) != expected:
            problems.append(f"{relative}: sha256 differs from manifest")
    return ExpectationSummary(
        name="manifest_sha256_matches",
        column="outputs",
        success=not problems,
        description="manifest_sha256_matches(outputs): every output file has the sha256 manifest.json records",
        unexpected_count=len(problems),
        element_count=checked,
        examples=tuple(problems[:MAX_EXAMPLES]),
        in_suite=False,
    )


def read_documents(output_dir: str | Path) -> pd.DataFrame:
    """The whole documents table of a built folder (``documents/*.parquet``), text included.

    For small folders and the old build path only: it holds every text in memory. Validation of a build
    uses ``read_checks`` (the shards' checks tables) or ``recompute_checks`` (one part file at a time).
    """
    import pyarrow.parquet as pq

    files = document_parts(output_dir)
    if not files:
        return DOCUMENT_SCHEMA.empty_table().to_pandas()
    tables = [pq.read_table(f) for f in files]  # each file alone: no hive partition columns added
    return pa.concat_tables(tables, promote_options="permissive").to_pandas()


def document_parts(output_dir: str | Path) -> list[Path]:
    """The documents part files of a built folder, in name order."""
    return layout.BuildFolders(output_dir).document_parts()


def recompute_checks(parts: Sequence[str | Path], config: ValidationConfig) -> pa.Table:
    """The checks table computed again from documents part files, ``RECHECK_BATCH_ROWS`` rows at a time:
    only one batch of text is in memory, whatever the number of documents."""
    import pyarrow.parquet as pq

    tables = []
    for part in parts:
        parquet = pq.ParquetFile(part)
        columns = [name for name in COPIED_COLUMNS + ("text",) if name in parquet.schema_arrow.names]  # missing: schema check says so
        for batch in parquet.iter_batches(batch_size=RECHECK_BATCH_ROWS, columns=columns):
            tables.append(checks_table(checks_for_rows(batch.to_pylist(), config)))
    return pa.concat_tables(tables) if tables else CHECKS_SCHEMA.empty_table()


def validate_folder(
    output_dir: str | Path,
    config: ValidationConfig,
    previous_row_count: int | None = None,
    *,
    report_dir: str | Path | None = None,
    raise_on_failure: bool = True,
) -> ValidationReport:
    """Re-validate a built folder: manifest integrity, the documents' Parquet schema, then the suite on
    checks recomputed from the documents themselves (a tampered text is caught; the published
    ``checks/`` tables are not trusted), one part file at a time.

    Results go to ``report_dir/validation/`` (default: ``output_dir``, replacing its reports; pass another
    folder for a release, which must never change).
    """
    output_dir = Path(output_dir)
    integrity = check_manifest(output_dir)
    extra = (integrity,) if integrity is not None else ()
    parts = document_parts(output_dir)
    try:
        table = recompute_checks(parts, config)
    except (OSError, pa.ArrowException) as error:
        clauses = [e.failure_text() for e in extra if not e.success]
        clauses.append(f"documents unreadable: {error}")
        raise ValidationFailed("validation failed: " + "; ".join(clauses), ["read_documents"]) from error
    return validate_checks(
        checks_to_frame(table),
        config,
        output_dir if report_dir is None else Path(report_dir),
        previous_row_count,
        document_parts=parts,
        extra_checks=extra,
        raise_on_failure=raise_on_failure,
    )
