"""The suite's custom Great Expectations classes (metric providers and expectations), at module level.

Importing this module imports GX (~3 s), so only ``pipeline.validation.suite`` imports it, inside the
functions that run the suite (``suite.gx_module()``); importing ``pipeline.validation`` stays cheap. The
row-level logic lives in ``pipeline.validation.expectations`` (plain functions, no GX); these classes only
apply it to a pandas column. What it changes in GX: the DataFrame fingerprint is switched off (see below).
What it leaves alone: everything else of GX's configuration.
"""

from __future__ import annotations

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # offline machines; must be set before the import

import great_expectations as gx  # noqa: E402, F401  (used by suite)
import great_expectations.expectations as gxe  # noqa: E402, F401  (used by suite)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.checkpoint import UpdateDataDocsAction  # noqa: E402, F401  (used by suite)
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402, F401  (used by suite)
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402, F401  (used by suite)
from great_expectations.execution_engine import PandasExecutionEngine  # noqa: E402
from great_expectations.execution_engine import pandas_execution_engine  # noqa: E402
from great_expectations.expectations.expectation import ColumnMapExpectation, MulticolumnMapExpectation  # noqa: E402
from great_expectations.expectations.metrics.map_metric_provider import (  # noqa: E402
    ColumnMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (  # noqa: E402
    multicolumn_condition_partial,
)

from pipeline.validation import expectations as checks  # noqa: E402
from pipeline.validation.checks_table import _date_text, _none_if_missing  # noqa: E402


# GX fingerprints every DataFrame under 1 GB by hashing all its values (pd.util.hash_pandas_object), only
# to print the hash in result.json: +130-290 MB and ~1 s for 1M checks rows, more than the suite itself.
# The build's manifest already holds a sha256 of every output, so the fingerprint is switched off.
pandas_execution_engine.HASH_THRESHOLD = 0
MULTICOLUMN_DOMAIN_KEYS = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")


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
    condition_domain_keys = MULTICOLUMN_DOMAIN_KEYS

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
    condition_domain_keys = MULTICOLUMN_DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        return column_list["text_chars"] == column_list["char_count"]


class ExpectCharCountToMatchText(MulticolumnMapExpectation):
    """char_count == text_chars (len(text), from ``check_row``) for every row."""

    ignore_row_if: str = "never"
    map_metric = "multicolumn_values.char_count_matches_text"
