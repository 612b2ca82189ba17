"""Locality-sensitive hashing over MinHash signatures: the band layout for a similarity threshold, each
document's band hashes, the candidate pairs that share a band, and their verification on the signatures
(a rough check on the low byte of every value, then the full values).

What it changes: nothing; it returns index pairs. What it leaves alone: signatures themselves (``minhash``),
clusters and the keep rule (``clustering``).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from pipeline.corpus.minhash import _POLY_MULTIPLIER, _fmix64

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
    run_id = np.concatenate(([0], np.cumsum(~same_as_next)))
    # Sorted positions p whose bucket still holds p + distance. A pair at distance d + 1 implies one at d,
    # so each step only re-checks the survivors of the last: the work follows the pairs made, not
    # len(keys) x max_group (most buckets hold one or two documents).
    starts = np.flatnonzero(same_as_next)
    distance = 1
    while distance < max_group and len(starts):
        left = order[starts]
        right = order[starts + distance]
        yield np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1).astype(np.int64)
        distance += 1
        starts = starts[starts + distance < len(keys)]
        starts = starts[run_id[starts + distance] == run_id[starts]]


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
    # The first half can only reject a pair when the second half cannot make up the difference alone
    # (needed > width / 2); at lower thresholds (0.3 of 128 positions: 39) every pair would read both halves.
    if width % 16 or needed <= width - width // 2:
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
