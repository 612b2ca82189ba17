"""The row-level contract, as the last stage: a document whose output row cannot be stored (a date that is
not a calendar date) or would break a row-level expectation of the validation suite
(``validation.row_failures``) is rejected here, with every broken clause in the detail, so it never reaches
a sink. Only batch-level expectations (unique ids, the row-count band, the Parquet schema) can then stop a
build; they stay with the suite and ``finalize_build``.

What it changes: nothing in the document (it returns it unchanged or rejects it). The checks-table row it
judges is the one the shard's sink writes: ``checks_row`` keeps the last few, so it is computed once. They are
kept by document identity (the stage and then the sink ask for the very same object): hashing a document would
hash every field, its removals one dataclass at a time.
"""

from __future__ import annotations

import functools

from pipeline import validation
from pipeline.document import Document, Rejection
from pipeline.schema import date_problem, document_row
from pipeline.stage_configs import ValidationConfig


class _Same:
    """A document as a cache key by identity (the cache holds the key, so the id is not reused meanwhile)."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document):
        self.doc = doc

    def __hash__(self) -> int:
        return id(self.doc)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Same) and self.doc is other.doc


@functools.lru_cache(maxsize=64)  # the stage and then the sink ask for the same document, one after the other
def _rows(key: _Same, config: ValidationConfig) -> tuple[dict, dict]:
    row = document_row(key.doc)
    return row, validation.check_columns_row(row, config)


def checks_row(doc: Document, config: ValidationConfig) -> dict:
    """The checks-table row of ``doc``'s output row (do not change the returned dict: it is shared).

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="正文" * 20)
    >>> checks_row(doc, ValidationConfig()) is checks_row(doc, ValidationConfig())
    True
    >>> checks_row(doc, ValidationConfig())["text_chars"]
    40
    """
    return _rows(_Same(doc), config)[1]


def output_row(doc: Document, config: ValidationConfig) -> dict:
    """``pipeline.schema.document_row(doc)``, the documents-table row ``checks_row`` was derived from: the sink
    writes this one instead of building it again (do not change the returned dict: it is shared).

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="正文" * 20)
    >>> output_row(doc, ValidationConfig()) == document_row(doc)
    True
    """
    return _rows(_Same(doc), config)[0]


def check_row_contract(doc: Document, config: ValidationConfig) -> Document | Rejection:
    """Stage: ``doc`` unchanged, or its rejection ``metadata.bad_date`` (always checked: such a row cannot be
    written) or ``validation.<first broken expectation>`` (when validation is enabled).

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="正文" * 20, published_at="2022-02-30")
    >>> check_row_contract(doc, ValidationConfig()).reason
    'metadata.bad_date'
    """
    problem = date_problem(doc)  # `2022-02-30` printed on a page: not storable, and not a date to guess
    if problem is not None:
        return Rejection(doc.source_file, "metadata.bad_date", problem, doc.source_line, doc.source_sha256,
                         doc.article_index)
    if not config.enabled:
        return doc
    failures = validation.row_failures(checks_row(doc, config), config, validation.default_not_after())
    if failures:  # a row-level contract broken: this row is quarantined, the batch goes on
        return Rejection(doc.source_file, f"validation.{failures[0][0]}", "; ".join(clause for _, clause in failures),
                         doc.source_line, doc.source_sha256, doc.article_index)
    return doc
