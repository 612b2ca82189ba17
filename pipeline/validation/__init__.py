"""Batch validation of the documents table with Great Expectations (GX 1.x), from a compact checks table.

What it does: the suite runs over the *checks table*, one small row per document: the documents table's
columns that an expectation reads (ids, counts, place names, dates, labels) plus values derived from the
text in the shard that wrote it (``pipeline.validation.expectations.check_row``: length, blank, Traditional residue,
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

Modules: ``checks_table`` (the compact table and its columns), ``rows`` (row-level failures the build
quarantines), ``expectations`` (the plain row-level checks, no GX), ``gx`` (the custom GX expectation classes;
importing it imports GX, ~3 s, so only ``suite`` imports it, lazily), ``suite`` (building and running the
suite, writing ``validation/``), ``summary`` (the report as plain data), ``file_checks`` (Parquet schema and
manifest checks outside GX), ``folder`` (re-validating a built folder). Importing this package stays cheap.
"""

from __future__ import annotations

from pipeline.validation.checks_table import (
    CATEGORICAL_COLUMNS,
    CHECKS_COLUMNS,
    CHECKS_DIRNAME,
    CHECKS_SCHEMA,
    COPIED_COLUMNS,
    DERIVED_COLUMNS,
    RECHECK_BATCH_ROWS,
    check_columns_row,
    checks_for_rows,
    checks_from_frame,
    checks_table,
    checks_to_frame,
    read_checks,
    recompute_checks,
)
from pipeline.validation.file_checks import (
    UNCHECKED_MANIFEST_PREFIXES,
    check_frame_columns,
    check_manifest,
    check_parquet_schema,
)
from pipeline.validation.folder import document_parts, read_documents, validate_folder
from pipeline.validation.rows import REQUIRED_COLUMNS, SHA256_HEX, SOURCE_FORMATS, default_not_after, row_failures
from pipeline.validation.suite import (
    OFFLINE_ASSETS,
    SUITE_NAME,
    VALIDATION_DIRNAME,
    build_suite,
    make_docs_offline,
    preload,
    row_count_band,
    validate_checks,
    validate_documents,
)
from pipeline.validation.summary import (
    MAX_EXAMPLES,
    MAX_VALUE_CHARS,
    TEXT_CHECK_NAMES,
    ExpectationSummary,
    ValidationReport,
    met_text,
)

__all__ = [
    "CATEGORICAL_COLUMNS", "CHECKS_COLUMNS", "CHECKS_DIRNAME", "CHECKS_SCHEMA", "COPIED_COLUMNS", "DERIVED_COLUMNS",
    "RECHECK_BATCH_ROWS", "check_columns_row", "checks_for_rows", "checks_from_frame", "checks_table",
    "checks_to_frame", "read_checks", "recompute_checks",
    "UNCHECKED_MANIFEST_PREFIXES", "check_frame_columns", "check_manifest", "check_parquet_schema",
    "document_parts", "read_documents", "validate_folder",
    "REQUIRED_COLUMNS", "SHA256_HEX", "SOURCE_FORMATS", "default_not_after", "row_failures",
    "OFFLINE_ASSETS", "SUITE_NAME", "VALIDATION_DIRNAME", "build_suite", "make_docs_offline", "preload",
    "row_count_band", "validate_checks", "validate_documents",
    "MAX_EXAMPLES", "MAX_VALUE_CHARS", "TEXT_CHECK_NAMES", "ExpectationSummary", "ValidationReport", "met_text",
]  # fmt: skip
