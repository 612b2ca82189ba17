"""Exact and near-duplicate detection over compact per-shard summaries (hashes and MinHash signatures).

What it does: each shard turns its documents into one small table (``signature_table``: id, a hash of the
normalised text, LSH band hashes, the MinHash signature, and what the keep rule needs). The finalize step
reads those tables only (``find_duplicates``): it never sees a text. Exact duplicates share the hash of the
normalised text; near duplicates share at least one LSH band and are then verified by the Jaccard
similarity estimated from their signatures; clusters are closed with union-find and one document per
cluster is kept (most non-null metadata, then the earliest source file and article index, then the id).

What it leaves alone: documents themselves (nothing is dropped here: the build writes the returned
``Duplicate`` records to ``duplicates/part-NNNNN.parquet`` and leaves them out of ``documents/``), and
documents that only share boilerplate (a 范文 template sentence and a footer are a small share of the
character n-grams of a real document, far below the similarity threshold).

MinHash variant: one-permutation hashing with rotation densification (Li, Owen & Zhang 2012; Shrivastava &
Li 2014). Every character n-gram is hashed once (a polynomial over code points, mixed with a 64-bit
finaliser); the hash's top bits pick one of ``num_perm`` bins, the minimum of the low bits in each bin is the
bin's value; an empty bin copies the next non-empty bin to its right (a per-distance offset keeps copies
apart). The probability that two signatures agree in a bin estimates the Jaccard similarity of the n-gram
sets like classic MinHash with ``num_perm`` permutations, but costs one hash per n-gram instead of
``num_perm`` (measured in bench/bench_dedup.py: classic 128-permutation MinHash in numpy ran at 6–10 MB/s,
this at 50–90 MB/s on one core).
"""

from __future__ import annotations

import functools
import math
import hashlib
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pyarrow as pa

from pipeline import fields, io
from pipeline.errors import ContractError
from pipeline.stage_configs import DedupConfig

# Everything that is not a letter or digit carries no content for duplicate detection: two copies of a speech
# that differ only in "，" vs "," or in line breaks are the same text. \W is whitespace, punctuation and
# symbols ("：", "，", "【", "©", "\u3000"); "_" is a word character in Python, so it is listed too.
_NOT_CONTENT = re.compile(r"[\W_]+")

# 64-bit odd multipliers for the n-gram polynomial and the murmur3 fmix64 finaliser.
_POLY_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_FMIX_1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT_33 = np.uint64(33)
_MASK_64 = (1 << 64) - 1

DUPLICATE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("duplicate_of", pa.string(), nullable=False),
        pa.field("similarity", pa.float64(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # "exact" | "near"
    ]
)

# Metadata fields counted by the keep rule: the copy that carries the most of them is kept (pipeline/fields.py).
METADATA_FIELDS = fields.names(fields.DEDUP_METADATA)


_SPECIAL = 0xFFFFFFFF  # in the fold table: a character the fast path cannot fold (needs real NFKC)


@functools.lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """uint32 table over the Basic Multilingual Plane: the code point a character becomes in the normalised
    text, 0 if it is dropped (not a letter or digit), or ``_SPECIAL`` if NFKC or lower-casing would change it
    in a way the table cannot say in one code point (ligatures ﬁ, circled numbers ①, Hangul jamo that
    compose). Full-width ASCII and A–Z fold here. Built once per process (~0.1 s)."""
    table = np.zeros(0x10000, dtype=np.uint32)
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if _NOT_CONTENT.fullmatch(char):
            continue
        folded = unicodedata.normalize("NFKC", char).lower()
        if 0x1100 <= code <= 0x11FF or 0xA960 <= code <= 0xA97F or 0xD7B0 <= code <= 0xD7FF:
            table[code] = _SPECIAL  # Hangul jamo: NFKC composes a sequence of them into one syllable
        elif code == 0x03A3:
            table[code] = _SPECIAL  # Σ: str.lower() writes σ or final ς depending on the next character
        elif len(folded) == 1 and not _NOT_CONTENT.fullmatch(folded):
            table[code] = ord(folded)
        else:
            table[code] = _SPECIAL
    return table


def _slow_normalize(text: str) -> str:
    kept = _NOT_CONTENT.sub("", text)
    kept = _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", kept))
    return kept.lower()


def content_points(text: str) -> np.ndarray:
    """Code points (uint32) of :func:`normalize_for_dedup` of ``text``, computed with one numpy table
    look-up (~150 MB/s) instead of a regex and NFKC (~15–60 MB/s); texts with rare characters that need
    real NFKC (ligatures, circled numbers, characters outside the BMP) take the string path. Same result.

    >>> content_points("Ａb，1").tolist() == [ord(c) for c in "ab1"]
    True
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if len(points) and int(points.max()) > 0xFFFF:
        return np.frombuffer(_slow_normalize(text).encode("utf-32-le"), dtype=np.uint32)
    mapped = _fold_table()[points]
    mapped = mapped[mapped != 0]
    if len(mapped) and int(mapped.max()) == _SPECIAL:
        return np.frombuffer(_slow_normalize(text).encode("utf-32-le"), dtype=np.uint32)
    return mapped


def normalize_for_dedup(text: str) -> str:
    """The text as compared for duplicates: NFKC, lower-case, no whitespace, punctuation or symbols.

    Only used for hashing, so NFKC's folding of full-width forms (ＡＢＣ → abc, １ → 1) is wanted here.

    >>> normalize_for_dedup("各位代表：\\n  Ａbc，２０２２年！")
    '各位代表abc2022年'
    >>> normalize_for_dedup("各位代表:abc,2022年!")
    '各位代表abc2022年'
    >>> normalize_for_dedup("ﬁ①㈠") == "fi1一"
    True
    """
    return content_points(text).tobytes().decode("utf-32-le")


def exact_hash(text: str) -> str:
    """Hex BLAKE2b-128 of the normalised text (its UTF-32 code points): equal for copies that differ only in
    spacing or punctuation.

    >>> exact_hash("第一，加强领导。") == exact_hash("第一, 加强领导.")
    True
    >>> len(exact_hash(""))
    32
    """
    return _points_hash(content_points(text))


def _points_hash(points: np.ndarray) -> str:
    return hashlib.blake2b(points.astype("<u4", copy=False).tobytes(), digest_size=16).hexdigest()


def _fmix64(values: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finaliser (in place on ``values``, which it returns): spreads every input bit."""
    values ^= values >> _SHIFT_33
    values *= _FMIX_1
    values ^= values >> _SHIFT_33
    values *= _FMIX_2
    values ^= values >> _SHIFT_33
    return values


def ngram_hashes(points: np.ndarray, ngram: int, seed: int) -> np.ndarray:
    """64-bit hashes of every character ``ngram`` of normalised code points (:func:`content_points`); a
    text shorter than ``ngram`` is one n-gram, an empty one has none. Vectorised: ``ngram`` multiply-adds over
    the code points, then one finaliser pass.

    >>> ngram_hashes(content_points("abcdef"), 5, 1).shape, ngram_hashes(content_points("abc"), 5, 1).shape
    ((2,), (1,))
    >>> hashes = ngram_hashes(content_points("abcdeabcde"), 5, 1); bool(hashes[0] == hashes[5])
    True
    """
    if len(points) == 0:
        return np.empty(0, dtype=np.uint64)
    points = points.astype(np.uint64)
    width = min(ngram, len(points))
    count = len(points) - width + 1
    with np.errstate(over="ignore"):
        hashes = np.full(count, (seed * 0x2545F4914F6CDD1D + width) & _MASK_64, dtype=np.uint64)
        for offset in range(width):
            hashes *= _POLY_MULTIPLIER
            hashes += points[offset:offset + count]
        return _fmix64(hashes)


def signature_from_hashes(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """One-permutation MinHash signature (``num_perm`` uint32 values) of a set of 64-bit hashes.

    ``num_perm`` must be a power of two: the top log2(num_perm) bits pick the bin. An empty set gives the
    all-ones signature, which :func:`find_duplicates` never pairs.

    >>> signature_from_hashes(np.array([1, 2, 3], dtype=np.uint64), 4).dtype
    dtype('uint32')
    >>> bool((signature_from_hashes(np.empty(0, dtype=np.uint64), 4) == 0xFFFFFFFF).all())
    True
    """
    if len(hashes) == 0:
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    bits = num_perm.bit_length() - 1
    # Top bits pick the bin; the low 32 bits are the value (the top bits only repeat the bin number).
    bins = (hashes >> np.uint64(64 - bits)).astype(np.intp)
    values = np.full(num_perm, 1 << 32, dtype=np.uint64)  # above any 32-bit value: marks an empty bin
    np.minimum.at(values, bins, hashes & np.uint64(0xFFFFFFFF))
    filled = values != (1 << 32)
    if not filled.all():
        # Rotation densification: an empty bin takes the next filled bin to its right (circularly), plus an
        # offset per distance so that copies from different distances do not collide by accident.
        filled_index = np.flatnonzero(filled)
        index = np.arange(num_perm)
        nxt = np.searchsorted(filled_index, index)
        wrap = nxt == len(filled_index)
        source = filled_index[np.where(wrap, 0, nxt)]
        distance = (source - index) % num_perm
        with np.errstate(over="ignore"):
            offset = (distance.astype(np.uint64) * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF)
            values = np.where(filled, values, (values[source] + offset) & np.uint64(0xFFFFFFFF))
    return values.astype(np.uint32)


def minhash_signature(text: str, config: DedupConfig = DedupConfig()) -> np.ndarray:
    """MinHash signature (``config.num_perm`` uint32 values) of the text's character n-grams, after
    :func:`normalize_for_dedup`. Deterministic: the same text and config give the same signature on any
    machine.

    >>> a = minhash_signature("全面推进依法治省，加快建设法治浙江。" * 3)
    >>> b = minhash_signature("全面推进依法治省, 加快建设法治浙江." * 3)
    >>> a.shape, a.dtype, bool((a == b).all())
    ((128,), dtype('uint32'), True)
    """
    hashes = ngram_hashes(content_points(text), config.ngram, config.seed)
    return signature_from_hashes(hashes, config.num_perm)


def estimated_similarity(left: np.ndarray, right: np.ndarray) -> float:
    """Share of signature positions that agree: the MinHash estimate of the Jaccard similarity.

    >>> estimated_similarity(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 0]))
    0.5
    """
    return float(np.mean(np.asarray(left) == np.asarray(right)))


def band_layout(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) for LSH with ``bands * rows <= num_perm``: the layout whose S-curve
    ``P(candidate | s) = 1 - (1 - s**rows)**bands`` minimises missed pairs above ``threshold`` plus false
    candidates below it, with misses weighted 4x (a false candidate only costs one signature comparison, a
    miss loses a duplicate). Integrated numerically on a grid of 200 points (the datasketch approach).

    >>> band_layout(0.5, 128)
    (32, 4)
    >>> bands, rows = band_layout(0.8, 128); bands * rows <= 128
    True
    """
    grid = np.linspace(0.0, 1.0, 201)
    best = None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        probability = 1.0 - (1.0 - grid ** rows) ** bands
        false_candidates = np.trapezoid(np.where(grid < threshold, probability, 0.0), grid)
        misses = np.trapezoid(np.where(grid >= threshold, 1.0 - probability, 0.0), grid)
        cost = false_candidates + 4.0 * misses
        if best is None or cost < best[0] - 1e-12:
            best = (cost, bands, rows)
    return best[1], best[2]


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that two documents of Jaccard ``similarity`` share at least one band.

    >>> round(candidate_probability(0.5, 32, 4), 3)
    0.873
    """
    return 1.0 - (1.0 - similarity ** rows) ** bands


def _band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(documents × bands) uint64: each band's ``rows`` signature values folded into one 64-bit hash."""
    count = signatures.shape[0]
    result = np.zeros((count, bands), dtype=np.uint64)
    values = signatures[:, : bands * rows].astype(np.uint64).reshape(count, bands, rows)
    with np.errstate(over="ignore"):
        for row in range(rows):
            result = result * _POLY_MULTIPLIER + values[:, :, row]
        result = _fmix64(result + np.arange(bands, dtype=np.uint64))
    return result


def metadata_count(doc) -> int:
    """Number of non-null metadata fields of a ``Document`` (what the keep rule prefers most).

    >>> from pipeline.document import Document
    >>> metadata_count(Document(source_file="a.txt", source_sha256="0" * 64, text="x", title="T", author=""))
    1
    """
    return sum(1 for name in METADATA_FIELDS if getattr(doc, name, None) not in (None, ""))


def order_key(source_file: str, article_index: int) -> str:
    """Sort key for "earliest": source file path, then article index (zero-padded so strings sort right).

    >>> order_key("a/b.txt", 2) < order_key("a/b.txt", 10) < order_key("a/c.txt", 0)
    True
    """
    return f"{source_file}\x00{article_index:010d}"


def signature_schema(config: DedupConfig) -> pa.Schema:
    """Schema of a per-shard summary written by :func:`signature_table`."""
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("exact_hash", pa.string(), nullable=False),
            pa.field("metadata_count", pa.int32(), nullable=False),
            pa.field("order_key", pa.string(), nullable=False),
            pa.field("empty", pa.bool_(), nullable=False),  # no n-grams: never a near duplicate
            pa.field("bands", pa.list_(pa.uint64(), config.bands), nullable=False),
            pa.field("signature", pa.list_(pa.uint32(), config.num_perm), nullable=False),
        ],
        metadata={"num_perm": str(config.num_perm), "bands": str(config.bands), "rows": str(config.rows),
                  "ngram": str(config.ngram), "seed": str(config.seed)},
    )


def signature_table(ids: Sequence[str], texts: Sequence[str], metadata_counts: Sequence[int],
                    order_keys: Sequence[str], config: DedupConfig = DedupConfig()) -> pa.Table:
    """The per-shard summary that :func:`find_duplicates` works from: one row per document, ~0.8 KB each
    (128 signature values + band hashes), whatever the text length.

    >>> table = signature_table(["a-0", "b-0"], ["同一篇讲话。", "同一篇讲话"], [1, 0],
    ...                         [order_key("a.txt", 0), order_key("b.txt", 0)])
    >>> hashes = table.column("exact_hash").to_pylist(); table.num_rows, hashes[0] == hashes[1]
    (2, True)
    """
    count = len(ids)
    if not (len(texts) == len(metadata_counts) == len(order_keys) == count):
        raise ValueError("ids, texts, metadata_counts and order_keys must have the same length")
    signatures = np.empty((count, config.num_perm), dtype=np.uint32)
    hashes = []
    empty = np.zeros(count, dtype=bool)
    for index, text in enumerate(texts):
        points = content_points(text)
        hashes.append(_points_hash(points))
        ngrams = ngram_hashes(points, config.ngram, config.seed)
        empty[index] = len(ngrams) == 0
        signatures[index] = signature_from_hashes(ngrams, config.num_perm)
    bands = _band_hashes(signatures, config.bands, config.rows)
    schema = signature_schema(config)
    return pa.Table.from_arrays(
        [
            pa.array(list(ids), pa.string()),
            pa.array(hashes, pa.string()),
            pa.array(list(metadata_counts), pa.int32()),
            pa.array(list(order_keys), pa.string()),
            pa.array(empty),
            pa.FixedSizeListArray.from_arrays(pa.array(bands.reshape(-1), pa.uint64()), config.bands),
            pa.FixedSizeListArray.from_arrays(pa.array(signatures.reshape(-1), pa.uint32()), config.num_perm),
        ],
        schema=schema,
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
    return [order[s:e] for s, e in zip(starts, ends) if e - s > 1]


def _bucket_pairs(keys: np.ndarray, max_group: int) -> np.ndarray:
    """(k × 2) int64 array of index pairs (i < j) with equal ``keys`` (one band's hashes).

    >>> _bucket_pairs(np.array([5, 7, 5, 5, 6], dtype=np.uint64), 64).tolist()
    [[0, 2], [2, 3], [0, 3]]
    """
    blocks = list(_bucket_pair_blocks(keys, max_group))
    return np.concatenate(blocks) if blocks else np.empty((0, 2), dtype=np.int64)


def _bucket_pair_blocks(keys: np.ndarray, max_group: int):
    """The pairs of :func:`_bucket_pairs`, one block per distance, so that memory holds one block at a time.

    Vectorised: after sorting, members of one bucket are neighbours, so pairs are (position p, position
    p + d) inside the same bucket for d = 1, 2, …; a bucket larger than ``max_group`` (many copies of one
    template page) only contributes the pairs up to that distance, which still chain all its members
    (union-find joins every verified link). A block holds at most one pair per document.
    """
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same_as_next = ordered[1:] == ordered[:-1]
    if not same_as_next.any():
        return
    run_id = np.concatenate(([0], np.cumsum(~same_as_next)))
    distance = 1
    while distance < max_group and distance < len(keys):
        inside = run_id[distance:] == run_id[:-distance]
        if not inside.any():
            return
        left = order[:-distance][inside]
        right = order[distance:][inside]
        yield np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1).astype(np.int64)
        distance += 1


def _similar_pairs(band_keys: Callable[[int], np.ndarray], band_count: int, low_bytes: np.ndarray,
                   full_rows: Callable[[np.ndarray], np.ndarray], threshold: float, max_group: int) -> np.ndarray:
    """Distinct pairs (i < j) that share a band and whose signatures agree in ``>= threshold`` of positions.

    Band by band (``band_keys(b)`` gives band ``b``'s hashes), so memory stays bounded however many
    candidates there are. Each band's candidates are first checked on the low 8 bits of every signature
    value (``low_bytes``, a quarter of the memory; agreement on 8 bits is never lower than on 32, so nothing
    is lost), the survivors on the full values, fetched with ``full_rows(indices)``. On a corpus whose
    unrelated documents share sentences (the synthetic benchmark: 10 M candidate pairs at 100k documents)
    this is what keeps clustering in seconds.
    """
    needed = math.ceil(threshold * low_bytes.shape[1] - 1e-9)  # agreeing positions, as an integer
    rough_check = _rough_check(low_bytes, needed)
    rows = low_bytes.shape[0]
    del low_bytes  # the rough check holds its own halves
    found = np.empty(0, dtype=np.int64)  # pairs verified so far, as sorted codes i * rows + j
    for band in range(band_count):
        for pairs in _bucket_pair_blocks(band_keys(band), max_group):
            for start in range(0, len(pairs), 100_000):  # ~40 MB of temporaries per block
                block = pairs[start:start + 100_000]
                block = block[rough_check(block[:, 0], block[:, 1])]
                if not len(block):
                    continue
                # a similar pair shares most bands: verified once, not fetched again from disk in each band
                if len(found):
                    codes = block[:, 0] * rows + block[:, 1]
                    block = block[found[np.minimum(np.searchsorted(found, codes), len(found) - 1)] != codes]
                if len(block):
                    left, right = full_rows(block[:, 0]), full_rows(block[:, 1])
                    similar = block[np.count_nonzero(left == right, axis=1) >= needed]
                    # two sorted runs of distinct codes (a block holds a pair once): a stable sort merges them
                    found = np.sort(np.concatenate((found, similar[:, 0] * rows + similar[:, 1])), kind="stable")
    return np.stack(np.divmod(found, rows), axis=1).astype(np.int64)


def _rough_check(low_bytes: np.ndarray, needed: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``passes(left, right)``: per pair of rows of ``low_bytes``, whether they hold equal bytes in at least
    ``needed`` positions.

    Rows of a multiple of 16 bytes are compared on their first half first: a pair that already disagrees
    there in more positions than a whole row may cannot pass whatever its second half holds, and most
    candidates (unrelated pages that share a few sentences) stop there, on half the memory reads. The halves
    are kept as two arrays so that each gather reads whole rows.
    """
    width = low_bytes.shape[1]
    if width % 16:
        count = _agreeing_bytes_counter(low_bytes)
        return lambda left, right: count(left, right) >= needed
    half = width // 2
    head = _agreeing_bytes_counter(np.ascontiguousarray(low_bytes[:, :half]))
    tail = _agreeing_bytes_counter(np.ascontiguousarray(low_bytes[:, half:]))

    def passes(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        first = head(left, right)
        open_ = np.flatnonzero(first + (width - half) >= needed)  # may still reach `needed`
        result = np.zeros(len(left), dtype=bool)
        result[open_[first[open_] + tail(left[open_], right[open_]) >= needed]] = True
        return result

    return passes


_LOW_7_BITS = np.uint64(0x7F7F7F7F7F7F7F7F)
_EVERY_BYTE = np.uint64(0x0101010101010101)


def _agreeing_bytes_counter(low_bytes: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``count(left, right)``: per pair of rows of ``low_bytes``, how many positions hold equal bytes.

    Rows of a multiple of 8 bytes (fewer than 256) are compared 8 bytes at a time (a synthetic corpus whose
    pages share sentences gives billions of candidate pairs at a million documents, so this is clustering's
    inner loop): in ``x = a ^ b`` a byte is zero exactly where the bytes agree; ``(x & 0x7F…) + 0x7F…`` sets
    a byte's top bit when its low seven bits are not all zero (no carry leaves a byte), ``| x`` when its top
    bit is set, so the complement's top bits, shifted to the bottom, mark the zero bytes with a 1 in their
    byte. Summing a row's words adds those marks lane by lane (at most 31 words: no lane overflows), and
    multiplying by 0x0101… adds the eight lanes into the top byte. Rows are gathered with ``np.take``
    (several times faster than fancy indexing here).

    >>> rows = np.array([[1, 2, 3, 4, 5, 6, 7, 8], [1, 0, 3, 0, 5, 0, 7, 0]], dtype=np.uint8)
    >>> _agreeing_bytes_counter(rows)(np.array([0, 0]), np.array([1, 0])).tolist()
    [4, 8]
    """
    if low_bytes.shape[1] % 8 or low_bytes.shape[1] >= 256:
        return lambda left, right: np.count_nonzero(low_bytes[left] == low_bytes[right], axis=1)
    words = np.ascontiguousarray(low_bytes).view(np.uint64)

    def count(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        x = np.take(words, left, axis=0)
        x ^= np.take(words, right, axis=0)
        marks = x & _LOW_7_BITS
        marks += _LOW_7_BITS
        marks |= x
        marks |= _LOW_7_BITS
        np.invert(marks, out=marks)
        marks >>= np.uint64(7)
        return ((marks.sum(axis=1, dtype=np.uint64) * _EVERY_BYTE) >> np.uint64(56)).astype(np.int64)

    return count


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
            values.update(zip(inside.tolist(), picked))
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
    order_keys = dict(zip(members.tolist(), order_keys_of(members).tolist()))
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
        similarity = dict(zip(map(tuple, near.tolist()), agreeing.tolist()))
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
