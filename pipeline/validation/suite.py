"""The GX suite over the checks table: building it, running it in a file context, and writing
``validation/`` (result.json, summary.json, the Data Docs site made readable offline).

GX is imported only inside functions (``gx_module``; the import costs ~3 s): importing this module stays
cheap. What it leaves alone: documents and the checks table; a failed expectation raises
``ValidationFailed`` after the reports are written, and the caller decides not to publish.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
import types
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from pipeline import layout
from pipeline.errors import ValidationFailed
from pipeline.schema import DATE_COLUMNS, DATE_PRECISIONS, DOCUMENT_SCHEMA, SCHEMA_VERSION, iso_text
from pipeline.stage_configs import ValidationConfig
from pipeline.validation import expectations as checks
from pipeline.validation.checks_table import (
    CHECKS_COLUMNS,
    COPIED_COLUMNS,
    _date_text,
    checks_from_frame,
    checks_table,
    checks_to_frame,
)
from pipeline.validation.file_checks import check_frame_columns, check_parquet_schema
from pipeline.validation.rows import SHA256_HEX, SOURCE_FORMATS, _region_problem, default_not_after
from pipeline.validation.summary import (
    MAX_EXAMPLES,
    ExpectationSummary,
    ValidationReport,
    _checked_column,
    _label,
    _short,
    _shown_name,
)

if TYPE_CHECKING:
    import pandas as pd

# Versioned with the schema: a result file always says which contract it checked.
SUITE_NAME = f"documents-schema-{SCHEMA_VERSION}"
# Folder (inside the output folder) that receives result.json, summary.json and the Data Docs site.
VALIDATION_DIRNAME = layout.VALIDATION
GX_MODULE = "pipeline.validation.gx"  # the custom expectation classes; importing it imports GX

log = logging.getLogger(__name__)


def gx_module() -> types.ModuleType:
    """``pipeline.validation.gx``, imported on first use (GX itself takes ~3 s to import)."""
    return importlib.import_module(GX_MODULE)


def preload() -> str | None:
    """Import GX and the suite's expectation classes ahead of use (~7 s of imports), e.g. in a background
    thread of a process that is only waiting for shard workers: validation then starts at once.

    Returns None, or the import error as text, logged as a warning: a broken GX install must not stop a build
    that may not validate at all; validation imports again and fails where it belongs, with the same error.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # as in pipeline.validation.gx: set before the import
    try:
        gx_module()
        importlib.import_module("great_expectations.checkpoint")
    except Exception as error:  # any import-time failure of a third-party package: reported, not hidden
        problem = f"{type(error).__name__}: {error}"
        log.warning("preloading Great Expectations failed (validation will import it again): %s", problem)
        return problem
    return None


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
    g = gx_module()
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
    g = gx_module()
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
OFFLINE_ASSETS = Path(__file__).resolve().parent.parent / "data" / "datadocs"
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
