"""The per-shard summary that duplicate detection works from (``signature_table``): per document its id, the
hash of its normalised text, LSH band hashes, MinHash signature, and what the keep rule needs (the number of
non-null metadata fields and an order key for "earliest").

What it changes: nothing; it builds an Arrow table that the shard writes. What it leaves alone: the texts
(they are not in the table) and the finding of duplicates (``clustering``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa

from pipeline import fields
from pipeline.corpus.lsh import _band_hashes
from pipeline.corpus.minhash import _points_hash, content_points, ngram_hashes, signature_from_hashes
from pipeline.stage_configs import DedupConfig

# Metadata fields counted by the keep rule: the copy that carries the most of them is kept (pipeline/fields.py).
METADATA_FIELDS = fields.names(fields.DEDUP_METADATA)


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
