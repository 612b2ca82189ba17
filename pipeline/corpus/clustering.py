"""Exact and near duplicates across all shards, from their signature tables only (``find_duplicates``):
exact clusters by the hash of the normalised text, near ones by LSH candidates verified on the signatures,
closed with union-find; one document per cluster is kept (most non-null metadata, then the earliest source
file and article index, then the id) and every other member is a ``Duplicate`` of it.

What it changes: nothing but a temporary folder of spilled band hashes and signatures, removed on return.
What it leaves alone: documents (it never sees a text, and drops nothing: ``pipeline.corpus.duplicates``
leaves the returned ``Duplicate`` records out of the staged parts).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pyarrow as pa

from pipeline import io
from pipeline.corpus.lsh import _similar_pairs
from pipeline.errors import ContractError
from pipeline.stage_configs import DedupConfig

DUPLICATE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("duplicate_of", pa.string(), nullable=False),
        pa.field("similarity", pa.float64(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # "exact" | "near"
    ]
)


@dataclass(frozen=True, order=True)
class Duplicate:
    """A document left out because it duplicates ``duplicate_of`` (the kept copy of its cluster)."""

    id: str
    duplicate_of: str
    similarity: float  # estimated Jaccard similarity to the kept copy (1.0 for exact duplicates)
    kind: str  # "exact" (same normalised text) | "near"


class _UnionFind:
    def __init__(self, size: int):
        self.parent = np.arange(size)

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def union(self, left: int, right: int) -> None:
        left, right = self.find(left), self.find(right)
        if left != right:
            # The smaller index becomes the root: the result does not depend on the order of unions.
            if right < left:
                left, right = right, left
            self.parent[right] = left

    def roots(self) -> np.ndarray:
        """The root of every item, by pointer jumping in numpy (a Python ``find`` per item costs ~1 s per
        million documents)."""
        parent = self.parent.copy()
        while True:
            grand = parent[parent]
            if (grand == parent).all():
                return parent
            parent = grand


def _groups_of_equal(keys: np.ndarray) -> list[np.ndarray]:
    """Index arrays of the runs of equal values in ``keys`` (only runs of two or more)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    boundaries = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(keys)]))
    return [order[s:e] for s, e in zip(starts, ends, strict=True) if e - s > 1]


def string_array(column: pa.ChunkedArray) -> np.ndarray:
    """A string column as a numpy bytes array (UTF-8): a few bytes per row instead of a Python object each,
    and bytes sort like the strings they encode (UTF-8 keeps code-point order)."""
    return np.array([value.encode() for value in column.to_pylist()], dtype=bytes)


class _SpilledSignatures:
    """Band hashes and full signatures of every row, spilled to files in a temporary folder while the
    tables are read once, so clustering a million documents holds ~0.2 KB per document in memory (ids,
    exact hashes, the signatures' low bytes) instead of ~0.85 KB plus copies. Band ``b`` is one file (read
    whole, 8 bytes per document); full signature rows are read through a memory map opened per run of 8,192
    distinct rows and closed again, so those pages never accumulate in the process.
    """

    ROWS_PER_MAP = 8192  # rows fetched per memory map: at most 8192 pages (32 MiB) resident at a time

    def __init__(self, folder: Path, config: DedupConfig):
        self.folder, self.config, self.rows = Path(folder), config, 0
        self._bands = [open(self.folder / f"band-{b:03d}.u64", "wb") for b in range(config.bands)]
        self._signatures = open(self.folder / "signatures.u32", "wb")

    def append(self, bands: np.ndarray, signatures: np.ndarray) -> None:
        for band, handle in enumerate(self._bands):
            handle.write(np.ascontiguousarray(bands[:, band]).tobytes())
        self._signatures.write(np.ascontiguousarray(signatures).tobytes())
        self.rows += len(signatures)

    def close_writers(self) -> None:
        for handle in (*self._bands, self._signatures):
            handle.close()

    def band(self, band: int, rows: np.ndarray) -> np.ndarray:
        return np.fromfile(self.folder / f"band-{band:03d}.u64", dtype=np.uint64)[rows]

    def signature_rows(self, rows: np.ndarray) -> np.ndarray:
        if self.rows == 0:
            return np.empty((0, self.config.num_perm), dtype=np.uint32)
        wanted, positions = np.unique(rows, return_inverse=True)
        result = np.empty((len(wanted), self.config.num_perm), dtype=np.uint32)
        for start in range(0, len(wanted), self.ROWS_PER_MAP):
            # mapped pages count as the process's memory while the map is open: a bounded run of rows each time
            mapped = np.memmap(self.folder / "signatures.u32", dtype=np.uint32, mode="r",
                               shape=(self.rows, self.config.num_perm))
            try:
                result[start:start + self.ROWS_PER_MAP] = mapped[wanted[start:start + self.ROWS_PER_MAP]]
            finally:
                del mapped
        return result[positions.reshape(-1)]


def find_duplicates(signature_tables: Iterable[pa.Table], config: DedupConfig = DedupConfig(),
                    work_dir: Path | None = None) -> list[Duplicate]:
    """Duplicates across all shards, from their signature tables only.

    1. Exact: documents with the same ``exact_hash`` form one cluster.
    2. Near: one representative per exact cluster; pairs sharing an LSH band are candidates; a candidate pair
       whose estimated similarity is ``>= config.threshold`` is joined (union-find, so clusters are closed
       transitively).
    3. Keep rule, per cluster: most non-null metadata fields, then the smallest order key (earliest source
       file and article index), then the smallest id. Every other member is a ``Duplicate`` of the kept one,
       with its estimated similarity to it and kind "exact" (same normalised text) or "near".

    Documents without a single letter or digit (empty after normalisation) are never duplicates: there is
    nothing to compare, and validation judges them. The result is sorted by id and does not depend on the
    order of the tables or of their rows.

    >>> from pipeline.corpus.shard_signatures import order_key, signature_table
    >>> cfg = DedupConfig()
    >>> text = "各位代表：现在我代表市人民政府向大会报告工作，请予审议。过去一年全市经济运行稳中有进。"
    >>> shard_a = signature_table(["a-0"], [text], [0], [order_key("a.txt", 0)], cfg)
    >>> shard_b = signature_table(["b-0"], [text.replace("。", ".")], [3], [order_key("b.txt", 0)], cfg)
    >>> find_duplicates([shard_a, shard_b], cfg)
    [Duplicate(id='a-0', duplicate_of='b-0', similarity=1.0, kind='exact')]
    """
    tables = [table for table in signature_tables if table.num_rows]
    return find_duplicates_in(lambda columns: (table.select(columns) for table in tables),
                              [table.schema for table in tables], config, work_dir)


def find_duplicates_in(read: Callable[[list[str]], Iterable[pa.Table]], schemas: Sequence[pa.Schema],
                       config: DedupConfig = DedupConfig(), work_dir: Path | None = None) -> list[Duplicate]:
    """:func:`find_duplicates` over tables that ``read(columns)`` yields (the same tables, rows and order on
    every call; e.g. each shard's signature part read from disk with only those columns), so no more than
    one shard's table is in memory at a time. Band hashes and signatures are spilled to a temporary folder
    under ``work_dir`` (the system's temporary folder when None) for the time of the call.
    """
    for schema in schemas:
        metadata = schema.metadata or {}
        for key in ("num_perm", "bands", "rows", "ngram", "seed"):
            stored = metadata.get(key.encode())
            if stored is not None and int(stored) != getattr(config, key):
                raise ContractError(f"signature table made with {key}={int(stored)}, but the config says "
                                    f"{getattr(config, key)}: rebuild the shards' signatures with one config")
    if not schemas:
        return []
    with tempfile.TemporaryDirectory(prefix=".dedup-", dir=work_dir) as folder:
        spill = _SpilledSignatures(Path(folder), config)
        ids, exact, metadata_counts, empty, low_bytes = [], [], [], [], []
        try:
            for table in read(["id", "exact_hash", "metadata_count", "empty", "bands", "signature"]):
                count = table.num_rows
                ids.append(string_array(table.column("id")))
                exact.append(string_array(table.column("exact_hash")))
                metadata_counts.append(table.column("metadata_count").to_numpy())
                empty.append(table.column("empty").to_numpy(zero_copy_only=False))
                signatures = (table.column("signature").combine_chunks().flatten().to_numpy()
                              .reshape(count, config.num_perm))
                low_bytes.append((signatures & 0xFF).astype(np.uint8))
                spill.append(table.column("bands").combine_chunks().flatten().to_numpy()
                             .reshape(count, config.bands), signatures)
        finally:
            spill.close_writers()
        if not ids:
            return []
        # From here on, index i is the i-th document in id order (the file row is ``order[i]``).
        ids_in_files = np.concatenate(ids)
        order = np.argsort(ids_in_files, kind="stable")
        ids = ids_in_files[order]
        del ids_in_files
        if len(ids) > 1 and (ids[1:] == ids[:-1]).any():
            repeated = sorted({value.decode() for value in ids[1:][ids[1:] == ids[:-1]]})
            raise ContractError(f"the same document id in several signature rows: {', '.join(repeated[:5])}")
        exact = np.concatenate(exact)[order]
        metadata_counts = np.concatenate(metadata_counts)[order]
        empty = np.concatenate(empty)[order]
        low_bytes = np.concatenate(low_bytes)[order]
        io.release_freed_memory()  # the parts just concatenated

        def full_rows(indices: np.ndarray) -> np.ndarray:
            return spill.signature_rows(order[indices])

        return _cluster(ids, exact, metadata_counts, empty, low_bytes, order,
                        lambda band, rows: spill.band(band, order[rows]), full_rows,
                        lambda indices: _gather_strings(read, "order_key", order[indices]), config)


def _gather_strings(read: Callable[[list[str]], Iterable[pa.Table]], column: str, rows: np.ndarray) -> np.ndarray:
    """Values of ``column`` at file rows ``rows`` (positions in the concatenation of ``read``'s tables)."""
    wanted = np.unique(rows)
    values: dict[int, str] = {}
    offset = 0
    for table in read([column]):
        inside = wanted[(wanted >= offset) & (wanted < offset + table.num_rows)]
        if len(inside):
            picked = table.column(column).take(pa.array(inside - offset)).to_pylist()
            values.update(zip(inside.tolist(), picked, strict=True))
        offset += table.num_rows
    return np.array([values[row] for row in rows.tolist()], dtype=object)


def _cluster(ids, exact, metadata_counts, empty, low_bytes, order, band_keys, full_rows, order_keys_of,
             config: DedupConfig) -> list[Duplicate]:
    count = len(ids)
    clusters = _UnionFind(count)
    # 1. exact clusters; the representative is the smallest index (= smallest id).
    _, exact_codes = np.unique(exact, return_inverse=True)
    exact_codes = exact_codes.astype(np.int64)
    representative = np.ones(count, dtype=bool)
    exact_codes[empty] = -1 - np.flatnonzero(empty)  # no letters or digits at all: nothing to compare
    for group in _groups_of_equal(exact_codes):
        first = group.min()
        for member in group:
            clusters.union(first, member)
            if member != first:
                representative[member] = False
    # 2. near clusters among representatives with n-grams.
    candidates_index = np.flatnonzero(representative & ~empty & config.near_duplicates)
    if len(candidates_index):
        pairs = _similar_pairs(lambda band: band_keys(band, candidates_index), config.bands,
                               low_bytes[candidates_index], lambda rows: full_rows(candidates_index[rows]),
                               config.threshold, config.max_bucket_pairs_group)
        for left, right in candidates_index[pairs].tolist():
            clusters.union(left, right)
    # 3. keep rule per cluster.
    roots = clusters.roots()
    groups = _groups_of_equal(roots)
    if not groups:
        return []
    members = np.concatenate(groups)
    order_keys = dict(zip(members.tolist(), order_keys_of(members).tolist(), strict=True))
    duplicates: list[tuple[int, int, str]] = []
    for group in groups:
        keeper = min(group.tolist(), key=lambda i: (-int(metadata_counts[i]), order_keys[i], ids[i]))
        for member in group.tolist():
            if member != keeper:
                duplicates.append((member, keeper, "exact" if exact[member] == exact[keeper] else "near"))
    near = np.array([(member, keeper) for member, keeper, kind in duplicates if kind == "near"],
                    dtype=np.int64).reshape(-1, 2)
    similarity = {}
    if len(near):
        left, right = full_rows(near[:, 0]), full_rows(near[:, 1])
        agreeing = np.count_nonzero(left == right, axis=1) / config.num_perm
        similarity = dict(zip(map(tuple, near.tolist()), agreeing.tolist(), strict=True))
    return sorted(
        Duplicate(ids[member].decode(), ids[keeper].decode(),
                  1.0 if kind == "exact" else round(similarity[(member, keeper)], 4), kind)
        for member, keeper, kind in duplicates
    )


def duplicates_table(duplicates: Sequence[Duplicate]) -> pa.Table:
    """The rows of ``duplicates/part-NNNNN.parquet`` (schema :data:`DUPLICATE_SCHEMA`).

    >>> duplicates_table([Duplicate("a-0", "b-0", 1.0, "exact")]).num_rows
    1
    """
    return pa.Table.from_pylist(
        [{"id": d.id, "duplicate_of": d.duplicate_of, "similarity": d.similarity, "kind": d.kind}
         for d in duplicates],
        schema=DUPLICATE_SCHEMA,
    )
