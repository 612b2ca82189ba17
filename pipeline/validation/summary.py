"""What a validation run reports, as plain data: one ``ExpectationSummary`` per expectation (or file check)
and the ``ValidationReport`` of a run, plus how a check is named for users.

What it leaves alone: it runs nothing and imports no GX; ``pipeline.validation.suite`` fills these in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

# Examples kept per failed expectation: enough to find the rows, short enough for a one-line error.
MAX_EXAMPLES = 3
# Values in the failure message are cut to this many characters (a text value can be 30 000 characters).
MAX_VALUE_CHARS = 30

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


def _short(value) -> str:
    text = str(value).replace("\n", "⏎")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _short_problem(text: str) -> str:
    """Schema problems name columns and types: allow more than a cell value, still one line."""
    return text if len(text) <= 200 else text[:199] + "…"
