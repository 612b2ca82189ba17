"""Batch validation of the documents table with Great Expectations (GX 1.x).

What it does: runs an expectation suite, built in code and versioned with the output schema, over the whole
documents table; writes the GX validation result (``validation/result.json``), a per-expectation summary
(``validation/summary.json``) and the Data Docs HTML site (``validation/index.html``) into the folder it is
given; raises ``ValidationFailed`` naming every failed expectation, after writing them.

What it leaves alone: it never changes, drops or quarantines a document. Bad single documents are the
stages' business (they are quarantined before the suite runs); a failed expectation here fails the whole
batch, and the caller decides not to publish.

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
import shutil
import tempfile
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from pipeline import expectations as checks
from pipeline.errors import ValidationFailed
from pipeline.schema import DOCUMENT_COLUMNS, DOCUMENT_SCHEMA, SCHEMA_VERSION
from pipeline.stage_configs import ValidationConfig

if TYPE_CHECKING:
    import pandas as pd

# Versioned with the schema: a result file always says which contract it checked.
SUITE_NAME = f"documents-schema-{SCHEMA_VERSION}"
# Folder (inside the output folder) that receives result.json, summary.json and the Data Docs site.
VALIDATION_DIRNAME = "validation"
# Examples kept per failed expectation: enough to find the rows, short enough for a one-line error.
MAX_EXAMPLES = 3
# Values in the failure message are cut to this many characters (a text value can be 30 000 characters).
MAX_VALUE_CHARS = 30
# source_format values the ingest stage writes (pipeline/document.py).
SOURCE_FORMATS = ("text", "html", "jsonl", "sogou")
# Manifest entries under these prefixes are reports rewritten by validation itself, not data to guard.
UNCHECKED_MANIFEST_PREFIXES = (f"{VALIDATION_DIRNAME}/",)


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
        }


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

    def summary_rows(self) -> list[dict]:
        """One dict per expectation, failed ones first (then in suite order); plain str/int/bool values."""
        ordered = sorted(self.expectations, key=lambda e: e.success)
        return [e.as_row() for e in ordered]


# -- the suite ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _gx() -> types.SimpleNamespace:
    """Import GX (once, ~3 s) and define the custom expectations; return both as a namespace."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # offline machines; must be set before the import
    import great_expectations as gx
    import great_expectations.expectations as gxe
    import pandas as pd
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import ColumnMapExpectation, MulticolumnMapExpectation
    from great_expectations.expectations.metrics.map_metric_provider import (
        ColumnMapMetricProvider,
        MulticolumnMapMetricProvider,
        column_condition_partial,
    )
    from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
        multicolumn_condition_partial,
    )

    multicolumn_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    class ColumnValuesWithoutTraditionalResidue(ColumnMapMetricProvider):
        condition_metric_name = "column_values.without_traditional_residue"
        condition_value_keys = ("allowed_exceptions",)

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, allowed_exceptions=(), **kwargs):
            allowed = frozenset(allowed_exceptions or ())
            return column.map(lambda text: not checks.traditional_residue(text, allowed))

    class ExpectNoTraditionalResidue(ColumnMapExpectation):
        """OpenCC t2s(text) == text: no Traditional character is left after script normalisation."""

        allowed_exceptions: list[str] = []
        map_metric = "column_values.without_traditional_residue"
        success_keys = ("mostly", "allowed_exceptions")

    class ColumnValuesWithoutDebris(ColumnMapMetricProvider):
        condition_metric_name = "column_values.without_debris"
        condition_value_keys = ("patterns",)

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, patterns=(), **kwargs):
            return column.map(lambda text: checks.debris_found(text, tuple(patterns)) is None)

    class ExpectNoDebris(ColumnMapExpectation):
        """No known scraping debris (site template phrases, page header lines) left in the text."""

        patterns: list[str]
        map_metric = "column_values.without_debris"
        success_keys = ("mostly", "patterns")

    class ColumnValuesCjkShareAtLeast(ColumnMapMetricProvider):
        condition_metric_name = "column_values.cjk_share_at_least"
        condition_value_keys = ("min_share",)

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, min_share=0.0, **kwargs):
            return column.map(lambda text: checks.cjk_share(text) >= min_share)

    class ExpectCjkShareAtLeast(ColumnMapExpectation):
        """The share of Han characters among non-space characters is at least min_share."""

        min_share: float
        map_metric = "column_values.cjk_share_at_least"
        success_keys = ("mostly", "min_share")

    class ColumnValuesIsoDates(ColumnMapMetricProvider):
        condition_metric_name = "column_values.iso_dates_not_after"
        condition_value_keys = ("not_after",)

        @column_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column, not_after=None, **kwargs):
            return column.map(lambda value: checks.iso_date_problem(value, not_after) is None)

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
            columns = [column_list[name].tolist() for name in ("province", "city", "county", "region_code")]
            consistent = [checks.region_problem(*map(_none_if_missing, row)) is None for row in zip(*columns)]
            return pd.Series(consistent, index=column_list.index, dtype=bool)

    class ExpectRegionCodeConsistent(MulticolumnMapExpectation):
        """region_code is null iff province, city and county are all null, and fits them when set."""

        ignore_row_if: str = "never"
        map_metric = "multicolumn_values.region_code_consistent"

    class CharCountMatchesText(MulticolumnMapMetricProvider):
        condition_metric_name = "multicolumn_values.char_count_matches_text"
        condition_domain_keys = multicolumn_domain_keys

        @multicolumn_condition_partial(engine=PandasExecutionEngine)
        def _pandas(cls, column_list, **kwargs):
            return column_list["text"].str.len() == column_list["char_count"]

    class ExpectCharCountToMatchText(MulticolumnMapExpectation):
        """char_count == len(text) for every row."""

        ignore_row_if: str = "never"
        map_metric = "multicolumn_values.char_count_matches_text"

    return types.SimpleNamespace(
        gx=gx,
        gxe=gxe,
        UpdateDataDocsAction=UpdateDataDocsAction,
        RunIdentifier=RunIdentifier,
        ProgressBarsConfig=ProgressBarsConfig,
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


def _type_name(arrow_type: pa.DataType) -> str | None:
    """The pandas dtype name a column has after ``pyarrow.Table.to_pandas()`` (pandas 3 strings: "str")."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "str"
    if pa.types.is_integer(arrow_type):
        return str(arrow_type)  # "int32", "int64"
    return None


def _label(expectation_type: str, kwargs: dict) -> str:
    column = kwargs.get("column") or ",".join(kwargs.get("column_list", ()))
    return f"{expectation_type}({column})" if column else expectation_type


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
    """The GX ``ExpectationSuite`` for the documents table (not yet added to a context).

    ``not_after`` (ISO date) bounds ``published_at``; default: tomorrow in UTC, so a page dated today in
    China (UTC+8) is never "in the future". Each expectation's description starts with its label
    ``name(column)``, so Data Docs, the summary and the error message name it the same way.
    """
    g = _gx()
    gxe = g.gxe
    if not_after is None:
        not_after = (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)).isoformat()
    low, high = row_count_band(previous_row_count, config)
    band = f"{low}..{high if high is not None else '∞'}"
    band_reason = (
        f"within {config.min_row_ratio:g}x..{config.max_row_ratio:g}x of the previous build's {previous_row_count} rows"
        if previous_row_count is not None
        else "no previous build: at least one row"
    )
    specs: list[tuple[type, dict, str]] = [
        (gxe.ExpectTableColumnsToMatchSet, {"column_set": list(DOCUMENT_COLUMNS), "exact_match": True},
         f"the columns are exactly those of schema {SCHEMA_VERSION}"),
        (gxe.ExpectTableRowCountToBeBetween, {"min_value": low, "max_value": high},
         f"row count {band}: {band_reason}"),
    ]  # fmt: skip
    for field in DOCUMENT_SCHEMA:
        type_name = _type_name(field.type)
        if not field.nullable:
            specs.append((gxe.ExpectColumnValuesToNotBeNull, {"column": field.name}, "required column, never null"))
        if type_name == "str" or (type_name and not field.nullable):
            specs.append((gxe.ExpectColumnValuesToBeOfType, {"column": field.name, "type_": type_name},
                          f"{field.type} in the schema"))  # fmt: skip
        elif type_name:  # a nullable integer reads back as float64 when it has nulls: check the values instead
            specs.append((gxe.ExpectColumnValuesToBeBetween, {"column": field.name, "min_value": 0},
                          "a count or line number: not negative"))  # fmt: skip
    specs += [
        (gxe.ExpectColumnValuesToBeUnique, {"column": "id"}, "one row per document id"),
        (gxe.ExpectColumnValuesToMatchRegex, {"column": "text", "regex": r"\S"}, "text is not empty or blank"),
        (gxe.ExpectColumnValueLengthsToBeBetween, {"column": "text", "min_value": config.min_text_chars},
         f"text has at least {config.min_text_chars} characters"),
        (g.ExpectNoTraditionalResidue, {"column": "text", "allowed_exceptions": list(config.traditional_exceptions)},
         "OpenCC t2s(text) == text: no Traditional character left"),
        (g.ExpectNoDebris, {"column": "text", "patterns": list(config.debris_patterns)},
         f"none of the {len(config.debris_patterns)} known debris patterns is left"),
        (g.ExpectCjkShareAtLeast, {"column": "text", "min_share": config.min_cjk_share},
         f"Han characters are at least {config.min_cjk_share:.0%} of the non-space characters"),
        (g.ExpectCharCountToMatchText, {"column_list": ["text", "char_count"]}, "char_count == len(text)"),
        (gxe.ExpectColumnValuesToBeBetween, {"column": "article_index", "min_value": 0}, "not negative"),
        (gxe.ExpectColumnValuesToBeInSet,
         {"column": "original_script", "value_set": list(config.original_script_values)},
         f"one of {', '.join(config.original_script_values)} (or null)"),
        (gxe.ExpectColumnValuesToBeInSet, {"column": "source_format", "value_set": list(SOURCE_FORMATS)},
         f"one of {', '.join(SOURCE_FORMATS)}"),
        (gxe.ExpectColumnValuesToMatchRegex, {"column": "source_sha256", "regex": r"^[0-9a-f]{64}$"},
         "64 lower-case hex digits"),
        (gxe.ExpectColumnValuesToMatchRegex, {"column": "region_code", "regex": r"^\d{6}$"},
         "null or a 6-digit GB/T 2260 code"),
        (g.ExpectRegionCodeConsistent, {"column_list": ["province", "city", "county", "region_code"]},
         "code set iff a place name is set; its level and province prefix fit the names"),
        (g.ExpectColumnValuesToBeIsoDatesNotInFuture, {"column": "published_at", "not_after": not_after},
         f"null or an ISO 8601 date / date-time, not after {not_after}"),
        (g.ExpectColumnValuesToBeIsoDates, {"column": "event_date"}, "null or an ISO 8601 date / date-time"),
    ]  # fmt: skip
    expectations = [
        cls(**kwargs, description=f"{_label(cls.expectation_type, kwargs)}: {reason}") for cls, kwargs, reason in specs
    ]
    return g.gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations)


# -- running it --------------------------------------------------------------------------------------------


def _short(value) -> str:
    text = str(value).replace("\n", "⏎")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _why(expectation_type: str, kwargs: dict, row) -> str:
    """What is wrong with ``row`` for the given expectation, for the examples in the message."""
    if expectation_type == "expect_no_traditional_residue":
        return checks.traditional_residue(row["text"], frozenset(kwargs.get("allowed_exceptions", ())))
    if expectation_type == "expect_no_debris":
        return _short(checks.debris_found(row["text"], tuple(kwargs["patterns"])))
    if expectation_type == "expect_cjk_share_at_least":
        return f"share {checks.cjk_share(row['text']):.2f}"
    if expectation_type == "expect_char_count_to_match_text":
        return f"char_count {row['char_count']} != {len(row['text'])}"
    if expectation_type == "expect_region_code_consistent":
        return _region_problem(row) or ""
    if expectation_type.startswith("expect_column_values_to_be_iso_dates"):
        value = row[kwargs["column"]]
        return f"{_short(value)}: {checks.iso_date_problem(value, kwargs.get('not_after'))}"
    if expectation_type == "expect_column_value_lengths_to_be_between":
        return f"{len(row[kwargs['column']])} characters"
    column = kwargs.get("column")
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
    column = kwargs.get("column") or (",".join(kwargs["column_list"]) if kwargs.get("column_list") else None)
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
        missing = [c for c in DOCUMENT_COLUMNS if c not in present]
        extra = [c for c in frame.columns if c not in DOCUMENT_COLUMNS]
        observed = f"missing {missing or 'none'}, unexpected {extra or 'none'}"
    if config.type == "expect_table_row_count_to_be_between":
        high = kwargs.get("max_value")
        observed = f"{observed}, expected {kwargs.get('min_value')}..{high if high is not None else '∞'}"
    has_counts = "unexpected_count" in result and not exception
    return ExpectationSummary(
        name=config.type,
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
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
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


def validate_documents(
    frame: pd.DataFrame,
    config: ValidationConfig,
    output_dir: str | Path,
    previous_row_count: int | None = None,
    *,
    extra_checks: tuple[ExpectationSummary, ...] = (),
    raise_on_failure: bool = True,
) -> ValidationReport:
    """Validate the documents table ``frame``; write ``output_dir/validation/``; raise if the suite failed.

    ``frame`` is the table as ``pyarrow.Table.to_pandas()`` gives it (schema ``DOCUMENT_SCHEMA``; pandas 3
    ``str`` columns). ``extra_checks`` (e.g. the manifest integrity check) join the report and the message.
    Results are written before ``ValidationFailed`` is raised; the error carries the report as ``.report``.
    """
    started = time.perf_counter()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    suite = build_suite(config, previous_row_count)
    target = output_dir / VALIDATION_DIRNAME
    staging = Path(tempfile.mkdtemp(prefix=f".{VALIDATION_DIRNAME}.tmp-", dir=output_dir))
    try:
        with tempfile.TemporaryDirectory(prefix="gx-") as project_dir:
            result, docs_dir = _run_checkpoint(frame, suite, Path(project_dir))
            shutil.copytree(docs_dir, staging, dirs_exist_ok=True)
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
                                  observed=f"unreadable manifest.json: {error}")  # fmt: skip
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
    )


def read_documents(output_dir: str | Path) -> pd.DataFrame:
    """The documents table of a built folder (``documents/**/*.parquet``), as the suite expects it."""
    import pyarrow.parquet as pq

    files = sorted((Path(output_dir) / "documents").rglob("*.parquet"))
    if not files:
        return DOCUMENT_SCHEMA.empty_table().to_pandas()
    tables = [pq.read_table(f) for f in files]  # each file alone: no hive partition columns added
    return pa.concat_tables(tables, promote_options="permissive").to_pandas()


def validate_folder(
    output_dir: str | Path,
    config: ValidationConfig,
    previous_row_count: int | None = None,
    *,
    report_dir: str | Path | None = None,
    raise_on_failure: bool = True,
) -> ValidationReport:
    """Re-validate a built folder: manifest integrity, then the suite.

    Results go to ``report_dir/validation/`` (default: ``output_dir``, replacing its reports; pass another
    folder for a release, which must never change).
    """
    output_dir = Path(output_dir)
    integrity = check_manifest(output_dir)
    extra = (integrity,) if integrity is not None else ()
    try:
        frame = read_documents(output_dir)
    except (OSError, pa.ArrowException) as error:
        clauses = [e.failure_text() for e in extra if not e.success]
        clauses.append(f"documents unreadable: {error}")
        raise ValidationFailed("validation failed: " + "; ".join(clauses), ["read_documents"]) from error
    return validate_documents(
        frame,
        config,
        output_dir if report_dir is None else Path(report_dir),
        previous_row_count,
        extra_checks=extra,
        raise_on_failure=raise_on_failure,
    )
