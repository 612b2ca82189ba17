"""Row-level failures: which of the suite's row-level expectations one checks-table row breaks.

The build quarantines such a row in its shard (``validation.<expectation>``) before the suite runs, so the
suite's own row-level expectations hold by construction on what is published. What it leaves alone: the
row; batch-level expectations (columns, row-count band, unique ids) stay with the suite.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.schema import DATE_COLUMNS, DATE_PRECISIONS, DOCUMENT_SCHEMA
from pipeline.stage_configs import ValidationConfig
from pipeline.validation import expectations as checks
from pipeline.validation.checks_table import COPIED_COLUMNS, _date_text, _none_if_missing, check_columns_row  # noqa: F401
from pipeline.validation.summary import _short

# source_format values the ingest stage writes (pipeline/readers; declared in pipeline/fields.py).
SOURCE_FORMATS = ("text", "html", "jsonl", "sogou")

# What source_sha256 holds: a SHA-256 digest in lower-case hex, e.g. "e3b0c442…b855" (64 digits).
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")



def _region_problem(row) -> str | None:
    return checks.region_problem(
        _none_if_missing(row["province"]),
        _none_if_missing(row["city"]),
        _none_if_missing(row["county"]),
        _none_if_missing(row["region_code"]),
    )


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
    breaks any of these as ``validation.<name>`` (``pipeline.stages.row_contract``), so one leftover line is a row-level
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
