"""The one record type that travels through the stages, and the rejection a stage may return instead.

A ``Document`` is immutable: a stage returns a new one made with ``dataclasses.replace`` (or
``Document.with_changes``), never edits its input. Unknown metadata is ``None``, never ``""``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Removal:
    """One piece of text a stage took out of a document, kept so every removal can be audited.

    ``line`` is the 0-based line number in the text the stage received; ``-1`` when the removal is a span
    that is not tied to one line.
    """

    rule: str
    line: int
    text: str


@dataclass(frozen=True)
class Document:
    """A document (or one article of a multi-article file) on its way through the stages."""

    # -- identity and provenance
    source_file: str  # path relative to the input folder, with "/" separators
    source_sha256: str  # hash of the input unit (file bytes, or the JSONL line) the document came from
    text: str
    article_index: int = 0
    source_encoding: str | None = None
    source_format: str = "text"  # "text" | "html" | "jsonl"
    source_line: int | None = None  # 1-based line number for documents read from JSONL
    url: str | None = None
    given_id: str | None = None  # an "id" supplied by a JSONL record, kept for reference

    # -- metadata
    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    author_position: str | None = None
    speaker: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    region_code: str | None = None
    published_at: str | None = None
    event_date: str | None = None
    category: str | None = None
    source_site: str | None = None
    series: str | None = None
    editor_note: str | None = None
    source_note: str | None = None

    # -- script normalisation
    original_script: str | None = None
    chars_converted: int | None = None
    script_conversion: str | None = None

    # -- audit trail
    raw_char_count: int | None = None  # characters after decoding, before any stage
    removals: tuple[Removal, ...] = field(default_factory=tuple)

    # -- quality signals (``pipeline.stages.quality``; None until the quality stage measures them, or when it is off)
    cjk_share: float | None = None
    punctuation_share: float | None = None
    mean_line_length: float | None = None
    mean_paragraph_length: float | None = None
    repeated_line_ratio: float | None = None
    repeated_ngram_ratio: float | None = None
    removed_share: float | None = None

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
        """A copy with ``changes`` applied (the input is left untouched)."""
        return dataclasses.replace(self, **changes)

    def with_removals(self, removals) -> "Document":
        """A copy with ``removals`` appended to the audit trail."""
        return dataclasses.replace(self, removals=self.removals + tuple(removals))


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
