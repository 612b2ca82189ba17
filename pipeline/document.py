"""The one record type that travels through the stages, and the rejection a stage may return instead.

A ``Document`` is immutable: a stage returns a new one made with ``dataclasses.replace`` (or
``Document.with_changes``), never edits its input. Unknown metadata is ``None``, never ``""``.

``Document``'s column attributes are not written here: they are generated from ``pipeline.fields.FIELDS`` (one
declaration per column: name, type, default), so a new column is declared once. Only the attributes that are
not columns (``given_id``, ``removals``) and the methods are written here.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import MISSING, dataclass, field
from typing import Union

from pipeline import fields


@dataclass(frozen=True)
class Removal:
    """One piece of text a stage took out of a document, kept so every removal can be audited.

    ``line`` is the 0-based line number in the text the stage received; ``-1`` when the removal is a span
    that is not tied to one line.
    """

    rule: str
    line: int
    text: str


class _DocumentMethods:
    """What a ``Document`` computes and how it is copied; its attributes are made by ``document_class`` below."""

    __slots__ = ()

    @property
    def id(self) -> str:
        """Content id: the hash of the source unit's content plus the article index. It changes when the
        input's bytes change; a document's lineage across builds is ``source_file`` + ``article_index``
        (+ ``source_line``), which the release changelog matches on.

        >>> Document(source_file="a.txt", source_sha256="ab" * 32, text="x").id
        'abababababababababababab-0'
        """
        return f"{self.source_sha256[:24]}-{self.article_index}"

    def with_changes(self, **changes) -> "Document":
        """A copy with ``changes`` applied (the input is left untouched).

        >>> Document(source_file="a.txt", source_sha256="0" * 64, text="x").with_changes(title="T").title
        'T'
        """
        return _copy_with(self, changes)

    def with_removals(self, removals) -> "Document":
        """A copy with ``removals`` appended to the audit trail."""
        return _copy_with(self, {"removals": self.removals + tuple(removals)})


def _copy_with(doc, changes: dict):
    """``dataclasses.replace(doc, **changes)`` without its per-field ``__init__`` call (~40 µs for ~40 fields, a
    few times per document and stage): the generated class has no ``__post_init__`` and no field that is left out
    of ``__init__``, so copying the attribute dict and updating it gives the same object. A name that is no
    field goes through ``dataclasses.replace`` and fails there as it always did."""
    cls = type(doc)
    if not changes.keys() <= cls._init_field_names:
        return dataclasses.replace(doc, **changes)
    copy = object.__new__(cls)
    attributes = copy.__dict__  # a frozen dataclass blocks setattr, not its own attribute dict
    attributes.update(doc.__dict__)
    attributes.update(changes)
    return copy


# Attributes of a document that are not output columns: the "id" a JSONL record supplied (kept for reference
# only; the output id is the content id) and the removal trace (written to removals/, one row per removal).
_NOT_COLUMNS = (
    ("given_id", str | None, None),
    ("removals", tuple[Removal, ...], field(default_factory=tuple)),
)


def document_class(columns) -> type:
    """A frozen, keyword-only dataclass named ``Document`` with one attribute per column of ``columns`` (declared
    ``Field``s, typed by ``fields.python_type`` and defaulted by ``fields.document_default``), then the attributes
    that are not columns. ``Document`` below is this class for ``fields.document_fields()``; the tests build it
    for a declaration with one more field.

    >>> [f.name for f in dataclasses.fields(document_class(fields.document_fields()[:2]))]
    ['source_file', 'article_index', 'given_id', 'removals']
    """
    specs = []
    for column in columns:
        default = fields.document_default(column)
        spec = (column.name, fields.python_type(column))
        specs.append(spec if default is MISSING else spec + (default,))
    doc = ("A document (or one article of a multi-article file) on its way through the stages.\n\n"
           "Its column attributes are those of ``pipeline.fields.document_fields()``; unknown metadata is None.")
    cls = dataclasses.make_dataclass("Document", specs + list(_NOT_COLUMNS), bases=(_DocumentMethods,),
                                     frozen=True, kw_only=True, namespace={"__doc__": doc})
    cls.__module__ = __name__
    # what ``_copy_with`` may set directly: every field is an ``__init__`` field and nothing runs after __init__
    if hasattr(cls, "__post_init__") or not all(f.init for f in dataclasses.fields(cls)):
        raise TypeError("Document copies assume plain __init__ fields (see _copy_with)")
    cls._init_field_names = frozenset(f.name for f in dataclasses.fields(cls))
    return cls


# The column attributes are generated from ``pipeline.fields.FIELDS`` (declare a column there, not here), in
# output order; they are keyword-only, so no caller depends on that order. Bound at module level under its own
# name, so a document pickles (process pools) like an instance of any class.
Document = document_class(fields.document_fields())


@dataclass(frozen=True)
class Rejection:
    """A document a stage refused: it goes to quarantine with ``reason`` = ``"<stage>.<why>"``."""

    source_file: str
    reason: str
    detail: str
    source_line: int | None = None
    source_sha256: str | None = None
    article_index: int | None = None


StageResult = Union[Document, Rejection, list]
"""What a stage returns: one document, a rejection, or a list of documents (a file split into articles)."""


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``.

    >>> sha256_hex(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()
