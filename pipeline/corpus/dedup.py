"""Exact and near-duplicate detection over compact per-shard summaries (hashes and MinHash signatures): the
public face of the modules that do the work, so callers import one name.

What it does: each shard turns its documents into one small table (``signature_table``: id, a hash of the
normalised text, LSH band hashes, the MinHash signature, and what the keep rule needs). The finalize step
reads those tables only (``find_duplicates``): it never sees a text. Exact duplicates share the hash of the
normalised text; near duplicates share at least one LSH band and are then verified by the Jaccard
similarity estimated from their signatures; clusters are closed with union-find and one document per
cluster is kept (most non-null metadata, then the earliest source file and article index, then the id).

Where each part lives: ``minhash`` (normalised text, exact hash, n-gram hashes, one-permutation MinHash
signatures), ``lsh`` (band layout, band hashes, candidate pairs and their verification), ``shard_signatures``
(the per-shard table and the keep rule's inputs), ``clustering`` (union-find, keep rule, ``Duplicate``).

What it leaves alone: documents themselves (nothing is dropped here: the build writes the returned
``Duplicate`` records to ``duplicates/part-NNNNN.parquet`` and leaves them out of ``documents/``), and
documents that only share boilerplate (a 范文 template sentence and a footer are a small share of the
character n-grams of a real document, far below the similarity threshold).
"""

from __future__ import annotations

from pipeline.corpus.clustering import (
    DUPLICATE_SCHEMA, Duplicate, duplicates_table, find_duplicates, find_duplicates_in, string_array,
)
from pipeline.corpus.clustering import _SpilledSignatures as _SpilledSignatures  # reached by tests
from pipeline.corpus.lsh import band_layout, candidate_probability
from pipeline.corpus.minhash import (
    content_points, estimated_similarity, exact_hash, minhash_signature, ngram_hashes, normalize_for_dedup,
    signature_from_hashes,
)
from pipeline.corpus.minhash import _slow_normalize as _slow_normalize  # reached by tests
from pipeline.corpus.shard_signatures import (
    METADATA_FIELDS, metadata_count, order_key, signature_schema, signature_table,
)
from pipeline.stage_configs import DedupConfig

__all__ = [
    "DUPLICATE_SCHEMA", "METADATA_FIELDS", "DedupConfig", "Duplicate", "band_layout", "candidate_probability",
    "content_points", "duplicates_table", "estimated_similarity", "exact_hash", "find_duplicates",
    "find_duplicates_in", "metadata_count", "minhash_signature", "ngram_hashes", "normalize_for_dedup",
    "order_key", "signature_from_hashes", "signature_schema", "signature_table", "string_array",
]
