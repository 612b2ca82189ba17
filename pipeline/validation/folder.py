"""Re-validating a built folder: manifest integrity, the documents' Parquet schema, then the suite on checks
recomputed from the documents themselves (the published ``checks/`` tables are not trusted).

What it leaves alone: the folder's data; only ``validation/`` (or the ``report_dir`` given) is rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from pipeline import layout
from pipeline.errors import ValidationFailed
from pipeline.schema import DOCUMENT_SCHEMA
from pipeline.stage_configs import ValidationConfig
from pipeline.validation.checks_table import checks_to_frame, recompute_checks
from pipeline.validation.file_checks import check_manifest
from pipeline.validation.suite import validate_checks
from pipeline.validation.summary import ValidationReport

if TYPE_CHECKING:
    import pandas as pd


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
