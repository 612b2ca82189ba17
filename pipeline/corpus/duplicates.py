"""Leaving duplicates out of a staged build: identical copies (the same id in an earlier shard) and the exact
and near duplicates ``pipeline.corpus.dedup`` finds across shards from the signature parts. Each part's
``duplicates/`` table lists what was left out of it and why; its documents (Parquet and JSONL), removals and
checks are rewritten without them. The shard cache keeps the parts from before this step.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipeline import io, layout, writers
from pipeline.config import BuildConfig
from pipeline.corpus import dedup
from pipeline.errors import ContractError
from pipeline.plan import BuildPlan


def find_duplicate_drops(plan: BuildPlan, config: BuildConfig) -> dict[str, list[dedup.Duplicate]]:
    """Per staged part (its stem), the documents to leave out: identical copies (the same id in an earlier
    shard) and exact and near duplicates across shards, found from the signature parts only — one part's
    table in memory at a time, band hashes and signatures spilled to a temporary folder in staging.

    Raises ``ContractError`` when one id stands for two different texts (ids hash the content, so the batch
    is broken).
    """
    staging = plan.staging_dir
    parts = layout.BuildFolders(staging).parts(layout.SIGNATURES)
    ids, hashes = [], []
    for part in parts:
        table = io.read_parquet_table(part, ["id", "exact_hash"])
        ids.append(dedup.string_array(table.column("id")))
        hashes.append(dedup.string_array(table.column("exact_hash")))
    copies = _identical_copies(ids, hashes)
    del hashes
    io.release_freed_memory()  # the tables read part by part
    keep = [~mask for mask in copies]

    def read(columns: list[str]):
        for part, mask in zip(parts, keep, strict=True):
            table = io.read_parquet_table(part, columns)
            yield table if mask.all() else table.filter(pa.array(mask))

    found = dedup.find_duplicates_in(read, [io.read_parquet_schema(part) for part in parts], config.dedup,
                                     work_dir=staging)
    found_ids = np.array([d.id.encode() for d in found], dtype=bytes)
    drops = {}
    for part, part_ids, mask, copy in zip(parts, ids, keep, copies, strict=True):
        inside = set(part_ids[mask][np.isin(part_ids[mask], found_ids)].tolist()) if len(found_ids) else set()
        duplicates = [d for d in found if d.id.encode() in inside]
        duplicates += [dedup.Duplicate(doc_id, doc_id, 1.0, "identical")
                       for doc_id in (value.decode() for value in part_ids[copy])]
        drops[part.stem] = duplicates
    return drops


def _identical_copies(ids: list[np.ndarray], hashes: list[np.ndarray]) -> list[np.ndarray]:
    """Per part, a mask of the rows whose id already occurs in an earlier row (earlier part, or earlier in
    the same part): the same content read twice, since ids hash the content. Raises ``ContractError`` when
    the texts differ (their exact hashes do)."""
    sizes = [len(part) for part in ids]
    if not sum(sizes):
        return [np.zeros(0, dtype=bool) for _ in ids]
    every_id, every_hash = np.concatenate(ids), np.concatenate(hashes)
    order = np.argsort(every_id, kind="stable")  # equal ids stay in part and row order
    ordered = every_id[order]
    starts_run = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    first = order[np.flatnonzero(starts_run)[np.cumsum(starts_run) - 1]]  # first occurrence of each row's id
    copy = np.zeros(len(every_id), dtype=bool)
    copy[order] = order != first
    differs = copy & (every_hash != every_hash[first[np.argsort(order)]])
    if differs.any():
        doc_id = min(every_id[differs]).decode()
        raise ContractError(f"contract failed: expect_column_values_to_be_unique(id): id {doc_id} is "
                            f"used by two different documents")
    return np.split(copy, np.cumsum(sizes)[:-1])


def drop_duplicates(staging: Path, part_stem: str, duplicates: list[dedup.Duplicate], config: BuildConfig) -> dict:
    """Write one part's ``duplicates/`` table and leave its duplicates out of its documents (Parquet and
    JSONL), removals and checks. One part's work, independent of the others (the flow runs them in
    parallel). Returns the number of dropped documents by kind."""
    io.use_system_allocator()  # a worker's first step: see io.use_system_allocator
    writers.write_part(staging, writers.DUPLICATES, part_stem, dedup.duplicates_table(duplicates), config.output)
    if not duplicates:
        return {}
    drop = {d.id for d in duplicates}
    for dataset in (writers.DOCUMENTS, writers.REMOVALS, writers.CHECKS):
        writers.filter_part(staging, dataset, part_stem, drop, config.output)
    return dict(Counter(d.kind for d in duplicates))


def remove_duplicates(plan: BuildPlan, config: BuildConfig, drop_parts=None) -> dict[str, int]:
    """Find exact and near duplicates across shards from their signature parts only, drop them from the
    staged documents and removals, and list them in ``duplicates/part-NNNNN.parquet``.

    ``drop_parts(calls)`` runs :func:`drop_duplicates` over a list of argument tuples and returns the results
    in order (the recipe passes its runner's map, so parts are rewritten in parallel; default: one after the
    other here). Returns the number of dropped documents by kind. The shard cache keeps the pre-dedup parts
    (hard links to the files replaced here), so a reused shard is deduplicated again against the whole new
    input.
    """
    drops = find_duplicate_drops(plan, config)
    calls = [(plan.staging_dir, stem, duplicates, config) for stem, duplicates in drops.items()]
    results = drop_parts(calls) if drop_parts else [drop_duplicates(*call) for call in calls]
    kinds: Counter = Counter()
    for result in results:
        kinds.update(result)
    return dict(kinds)
