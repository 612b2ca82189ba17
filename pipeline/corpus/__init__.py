"""What needs the whole input, not one document: lines one source repeats across its documents
(``lines``, counted by a pre-pass over every shard: ``prepass``), which article a document is a copy of
(``content_groups``), and exact and near duplicates across shards (``dedup`` finds them from signatures,
``duplicates`` leaves them out of the staged parts).
"""
