"""Checks on files made outside the GX suite: the documents' Parquet schema (footers only) and the
manifest's checksums. Each gives an ``ExpectationSummary`` with ``in_suite=False`` that joins the report.

What it leaves alone: the files (read only) and the documents' rows (never read here).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable, Sequence

import pyarrow as pa

from pipeline import layout
from pipeline.schema import DOCUMENT_COLUMNS, DOCUMENT_SCHEMA, SCHEMA_VERSION
from pipeline.validation.summary import MAX_EXAMPLES, ExpectationSummary, _short_problem

# Manifest entries under these prefixes are reports rewritten by validation itself, not data to guard.
UNCHECKED_MANIFEST_PREFIXES = (f"{layout.VALIDATION}/",)


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
