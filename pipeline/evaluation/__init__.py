"""Evaluation of the product on the annotated dev set: ``devset`` (where it is, its gold records, the
site-grouped splits) and ``scores`` (the product's reader and stage list run on each page and scored against
the gold records: all pages, held-out folds, report-only).

An evaluation runs exactly the product's readers and stages; it carries no copy of a step and no private helper
of a stage. It reads files and changes nothing in the repository (``corpus train`` writes models, not this).
"""
