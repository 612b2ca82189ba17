"""MinHash signatures of texts for duplicate detection: the normalised text (``content_points``,
``normalize_for_dedup``), its exact hash, the hashes of its character n-grams, and their one-permutation
MinHash signature.

What it changes: nothing; pure functions of a text and a ``DedupConfig``. What it leaves alone: banding, pairing
and the keep rule (``lsh``, ``clustering``); the per-shard table (``shard_signatures``).

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
import hashlib
import re
import unicodedata

import numpy as np

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
