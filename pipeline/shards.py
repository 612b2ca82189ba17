"""One shard of a build: read its inputs, push every document through ``STAGES``, and let the sinks write
the shard's part files into the staging folder (documents with their JSONL twin, removals, quarantine,
dedup signatures, validation checks). Returns a small summary (counts only; documents never leave the
shard). An unchanged shard is linked from the shard cache instead (``pipeline.shard_cache``).

Sinks only write: every per-document decision is a stage. The one check left here needs the shard, not the
document: a second copy of the same content in one shard is quarantined (``ingest.duplicate_content``).
"""

from __future__ import annotations

import time
from pathlib import Path

from pipeline import io, validation, writers
from pipeline.config import BuildConfig
from pipeline.corpus import dedup
from pipeline.corpus.lines import CommonLines
from pipeline.document import Document, Rejection
from pipeline.manifest import ShardSummary
from pipeline.plan import STAGING_NAME, Shard
from pipeline.readers import read_units
from pipeline.stages.row_contract import checks_row, output_row
from pipeline.schema import DOCUMENT_SCHEMA, REMOVAL_SCHEMA, rejection_row, removal_rows
from pipeline.shard_cache import cache_shard, reuse_shard, shard_files
from pipeline.stages import run_stages

DEDUP_BATCH = 256  # documents per vectorised signature batch: bounded memory, numpy overhead amortised


class ShardSinks:
    """The part files of one shard, written as documents and rejections arrive; counts go to ``summary``."""

    def __init__(self, staging_dir: Path, shard: Shard, config: BuildConfig, summary: ShardSummary):
        self.config, self.summary = config, summary
        output = config.output
        name = shard.name
        self.documents = writers.open_part(staging_dir, writers.DOCUMENTS, name, DOCUMENT_SCHEMA, output)
        self.removals = writers.open_part(staging_dir, writers.REMOVALS, name, REMOVAL_SCHEMA, output)
        self.quarantine = writers.open_part(staging_dir, writers.QUARANTINE, name, None, output)
        self.signatures = writers.open_part(staging_dir, writers.SIGNATURES, name,
                                            dedup.signature_schema(config.dedup), output)
        self.checks = writers.open_part(staging_dir, writers.CHECKS, name, validation.CHECKS_SCHEMA, output)
        self.seen_ids: set[str] = set()
        self.pending: list[Document] = []  # signatures are computed in vectorised batches

    @property
    def writers(self) -> tuple:
        return self.documents, self.removals, self.quarantine, self.signatures, self.checks

    def reject(self, rejection: Rejection) -> None:
        self.summary.quarantined_by_reason[rejection.reason] += 1
        self.quarantine.write(rejection_row(rejection))

    def keep(self, doc: Document) -> None:
        """Write a document that came through every stage (a second copy in this shard is quarantined)."""
        if doc.id in self.seen_ids:
            # The same content twice in one shard (e.g. repeated JSONL records): one copy is kept.
            self.reject(Rejection(doc.source_file, "ingest.duplicate_content", f"same content as document {doc.id}",
                                  doc.source_line, doc.source_sha256, doc.article_index))
            return
        self.seen_ids.add(doc.id)
        self.documents.write(output_row(doc, self.config.validation))  # the row the row contract judged
        self.checks.write(checks_row(doc, self.config.validation))
        self.summary.documents += 1
        if self.config.dedup.enabled:
            self.pending.append(doc)
            if len(self.pending) >= DEDUP_BATCH:
                self.flush_signatures()
        self.summary.scripts[doc.original_script or "unknown"] += 1
        for row in removal_rows(doc):
            self.removals.write(row)
            self.summary.removals_by_rule[row["rule"]] += 1

    def flush_signatures(self) -> None:
        if not self.pending:
            return
        started = time.perf_counter()
        pending, config = self.pending, self.config.dedup
        table = dedup.signature_table([d.id for d in pending], [d.text for d in pending],
                                      [dedup.metadata_count(d) for d in pending],
                                      [dedup.order_key(d.source_file, d.article_index) for d in pending], config)
        self.signatures.write_table(table)
        pending.clear()
        timings = self.summary.stage_seconds
        timings["dedup_signatures"] = timings.get("dedup_signatures", 0.0) + time.perf_counter() - started

    def close(self) -> None:
        self.flush_signatures()
        for writer in self.writers:
            writer.close()

    def abort(self) -> None:
        for writer in self.writers:
            writer.abort()


def build_shard(shard: Shard, input_dir: Path, staging_dir: Path, config: BuildConfig,
                input_hashes: dict | None = None, common: dict[str, list[str]] | None = None) -> ShardSummary:
    """Process one shard end to end and write its part files into ``staging_dir``.

    ``common``: the cross-document line set (``pipeline.corpus.lines.common_lines``) for the ``cross_doc``
    stage. A row that breaks a row-level expectation is rejected by the ``row_contract`` stage, so it never
    reaches ``documents/``: only batch-level expectations can stop a build.
    """
    input_dir, staging_dir = Path(input_dir), Path(staging_dir)
    summary = ShardSummary(index=shard.index)
    corpus = CommonLines.from_lists(common)
    timings = summary.stage_seconds
    sinks = ShardSinks(staging_dir, shard, config, summary)
    try:
        for item in read_units(shard.units, input_dir, config, input_hashes, timings):
            summary.inputs += 1
            if isinstance(item, Rejection):
                sinks.reject(item)
                continue
            summary.encodings[item.source_encoding or "unknown"] += 1
            kept, rejected = run_stages(item, config, timings=timings, corpus=corpus)
            summary.articles_added_by_split += len(kept) + len(rejected) - 1
            for rejection in rejected:
                sinks.reject(rejection)
            for doc in kept:
                sinks.keep(doc)
    except BaseException:
        sinks.abort()
        raise
    sinks.close()
    summary.files.update(shard_files(staging_dir, shard))
    return summary


def build_or_reuse_shard(shard: Shard, input_dir: Path, output_dir: Path, config: BuildConfig,
                         input_hashes: dict | None = None, common: dict[str, list[str]] | None = None
                         ) -> ShardSummary:
    """Reuse the cached output of an unchanged shard, or build it (and cache it)."""
    io.use_system_allocator()  # a worker's first step: see io.use_system_allocator
    staging_dir = Path(output_dir) / STAGING_NAME
    reused = reuse_shard(shard, Path(output_dir), staging_dir)
    if reused is None:
        reused = build_shard(shard, input_dir, staging_dir, config, input_hashes, common)
        cache_shard(Path(output_dir), shard, staging_dir, reused)
    return reused
