"""Cross-document lines: a line one source repeats in many of its documents is chrome (a footer, a
copyright row no rule knows), removed by the ``cross_doc`` stage as ``artifacts.cross_doc_repeat``.

The pre-pass (``pipeline.corpus.prepass``) counts candidate line hashes per shard; :func:`common_lines`
merges the counts into the set per source; :func:`remove_common_lines` is the stage. What it leaves alone: a line
of a source's single document, and every line of another source.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.config import BuildConfig
from pipeline.corpus.line_keys import candidate_hashes
from pipeline.document import Document, Removal
from pipeline.stage_configs import ArtifactsConfig


def source_key(source_file: str, url: str | None = None) -> str:
    """The "source" a document belongs to for cross-document repetition: the URL's host, else the top-level
    folder of its file ("" for files directly in the input folder).

    >>> source_key("site-a/2020/x.txt"), source_key("x.txt"), source_key("b.jsonl", "http://www.gov.cn/a")
    ('site-a', '', 'www.gov.cn')
    """
    if url:
        host = urlsplit(url).hostname
        if host:
            return host
    parts = source_file.split("/")
    return parts[0] if len(parts) > 1 else ""


@dataclass(frozen=True)
class CommonLines:
    """Per source, the hashes of lines common enough to be a footer: what the ``cross_doc`` stage removes."""

    by_source: dict  # source -> frozenset of line hashes

    @classmethod
    def from_lists(cls, common: dict[str, list[str]] | None) -> "CommonLines":
        """From :func:`common_lines`' JSON-friendly form (what travels to a shard's step)."""
        return cls({source: frozenset(hashes) for source, hashes in (common or {}).items()})

    def __bool__(self) -> bool:
        return bool(self.by_source)

    def of(self, doc: Document) -> frozenset:
        return self.by_source.get(source_key(doc.source_file, doc.url), frozenset())


def remove_common_lines(doc: Document, config: ArtifactsConfig, common: CommonLines) -> Document:
    """Stage: ``doc`` without the lines its source repeats in many documents.

    >>> from pipeline.stages import artifacts
    >>> line = "本站所有文章均来自网络"
    >>> doc = Document(source_file="site-a/1.txt", source_sha256="0" * 64, text=f"正文。\\n{line}")
    >>> common = CommonLines.from_lists({"site-a": [artifacts.line_hash(line)]})
    >>> remove_common_lines(doc, ArtifactsConfig(), common).text
    '正文。'
    """
    common_hashes = common.of(doc)
    if not common_hashes:
        return doc
    # artifacts.remove_repeated_lines (the reference, tests/test_line_keys.py), with every line's key found at once
    removed = {number: line for number, line, key in candidate_hashes(doc.text, config) if key in common_hashes}
    if not removed:
        return doc
    removals = [Removal("artifacts.cross_doc_repeat", number, line.strip()) for number, line in removed.items()]
    kept = [line for number, line in enumerate(doc.text.split("\n")) if number not in removed]
    return doc.with_changes(text="\n".join(kept)).with_removals(removals)


def common_lines(line_counts: list[dict], config: BuildConfig) -> dict[str, list[str]]:
    """Merge the shards' line counts; per source, the hashes of lines common enough to be a footer."""
    from pipeline.stages import artifacts  # the stage list imports this module: not at import time

    documents: Counter = Counter()
    lines: dict[str, Counter] = {}
    for result in line_counts:
        documents.update(result["documents"])
        for source, counts in result["lines"].items():
            lines.setdefault(source, Counter()).update(counts)
    common = {}
    for source in sorted(documents):
        hashes = artifacts.common_line_hashes(lines.get(source, Counter()), documents[source], config.artifacts)
        if hashes:
            common[source] = sorted(hashes)
    return common


def cross_doc_wanted(config: BuildConfig) -> bool:
    return config.artifacts.enabled and config.artifacts.cross_doc_enabled
