"""The end of a build: check the batch contract across shards, leave out duplicates, check the accounting,
validate, write the manifest and report, and publish the staging folder atomically (``publication.publish``).

A broken contract or a failed validation raises before publication: the staging folder stays for
inspection and the published output is left untouched. Any other failure deletes the staging folder.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from pathlib import Path

from pipeline import io, layout, publication, validation
from pipeline.config import BuildConfig
from pipeline.corpus.duplicates import remove_duplicates
from pipeline.errors import ContractError
from pipeline.manifest import ShardSummary, build_manifest, merge_summaries
from pipeline.plan import STAGING_NAME, BuildPlan
from pipeline.shard_cache import prune_shard_cache


@contextlib.contextmanager
def staging_removed_on_failure(output_dir: Path):
    """Delete the staging folder when the build fails (a full disk gets its space back, nothing half-built
    stays), except on a broken contract or a failed validation: that staging folder is kept for
    inspection (its Data Docs say what failed) and the next build deletes it."""
    try:
        yield
    except ContractError:
        raise
    except BaseException:
        io.remove_tree(Path(output_dir) / STAGING_NAME)
        raise


def prepare_staging(plan: BuildPlan) -> None:
    """Start from an empty staging folder. Whatever an interrupted build left there is deleted; the shards
    it finished are resumed from the shard cache, not from staging."""
    io.remove_tree(plan.staging_dir)
    plan.staging_dir.mkdir(parents=True)


def check_batch_contract(staging_dir: Path) -> None:
    """Fail loudly on a batch that breaks the contract across shards (duplicate ids)."""
    ids = io.read_parquet_column(layout.BuildFolders(staging_dir).document_parts(), "id")
    counts = Counter(ids)
    duplicated = [doc_id for doc_id, count in counts.items() if count > 1]
    if duplicated:
        raise ContractError(f"contract failed: expect_column_values_to_be_unique(id): {len(duplicated)} ids occur "
                            f"in more than one shard ({', '.join(sorted(duplicated)[:5])})")


def validate_staging(staging: Path, config: BuildConfig, previous_documents: int | None) -> dict:
    """Run the Great Expectations suite over the staged documents; raises ``ValidationFailed``.

    Results (JSON and Data Docs) are written to ``staging/validation`` in either case.
    """
    report = validation.validate_checks(validation.read_checks(staging), config.validation, staging,
                                        previous_row_count=previous_documents,
                                        document_parts=validation.document_parts(staging))
    return {"success": report.success, "suite": report.suite_name, "rows": report.row_count,
            "expectations": report.summary_rows(), "data_docs": "validation/index.html"}


def _counted_totals(plan: BuildPlan, summaries: list[dict], config: BuildConfig, drop_parts) -> dict:
    """The shards' totals once duplicates are left out, with the accounting equation checked."""
    staging = plan.staging_dir
    totals = merge_summaries(summaries)
    if config.dedup.enabled:
        dropped = remove_duplicates(plan, config, drop_parts)  # also checks that ids are unique once copies are gone
    else:
        check_batch_contract(staging)
        dropped = {}
    totals["documents"] -= sum(dropped.values())
    totals["duplicates_by_kind"] = dict(sorted(dropped.items()))
    totals["duplicates"] = len(plan.duplicate_files) + sum(dropped.values())
    totals["inputs"] += len(plan.duplicate_files)
    totals["skipped_files"] = len(plan.skipped)
    accounted = totals["documents"] + totals["quarantined"] + totals["duplicates"]
    if totals["inputs"] + totals["articles_added_by_split"] != accounted:
        raise ContractError(
            f"accounting does not add up: inputs {totals['inputs']} + split articles "
            f"{totals['articles_added_by_split']} != documents {totals['documents']} + quarantined "
            f"{totals['quarantined']} + duplicates {totals['duplicates']}")
    return totals


def finalize_build(plan: BuildPlan, summaries: list, config: BuildConfig, code_version: str | None = None,
                   publish: bool = True, drop_parts=None, phase_seconds: dict | None = None) -> dict:
    """Check the batch, validate it, write the manifest, and publish the staging folder.

    ``phase_seconds``: wall seconds of the caller's phases so far (planning, pre-pass, shards); the
    manifest records them with deduplication's and validation's, to show where a build's time goes.
    ``drop_parts``: see ``pipeline.corpus.duplicates.remove_duplicates``.

    If the contract check or the validation suite fails, the error is raised before publication: the
    staging folder stays where it is for inspection and the published output is left untouched.
    """
    staging = plan.staging_dir
    summary_dicts = [s.to_dict() if isinstance(s, ShardSummary) else s for s in summaries]
    phases = dict(phase_seconds or {})
    started = time.perf_counter()
    totals = _counted_totals(plan, summary_dicts, config, drop_parts)
    phases["deduplication"] = time.perf_counter() - started
    validation_summary = None
    started = time.perf_counter()
    if config.validation.enabled:
        validation_summary = validate_staging(staging, config, plan.previous_documents)
    phases["validation"] = time.perf_counter() - started
    manifest = build_manifest(plan, summary_dicts, totals, config, code_version, phases, validation_summary)
    io.write_json(staging / "manifest.json", manifest)
    from pipeline.report import render_report

    render_report(staging, plan.previous_manifest or None, folder_name=plan.output_dir.resolve().name)
    if publish:
        publication.publish(staging, plan.output_dir)
        prune_shard_cache(plan)
    return manifest
