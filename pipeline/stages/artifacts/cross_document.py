"""Lines repeated across many documents of one source: a footer or template no rule knows.

A pure three-step API; the caller wires the counting across shards: ``count_line_hashes`` per document,
``common_line_hashes`` over the totals, ``remove_repeated_lines`` per document. Long sentences ending in
。！？ are never candidates (a quotation shared by many speeches is content).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Iterable

from pipeline.document import Document, Removal
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.text import _NOT_WORD_RE, normalized_line


def line_hash(line: str) -> str:
    """Hash of a normalised line (spaces and punctuation ignored).

    >>> line_hash("版权所有 某某网") == line_hash("版权所有，某某网")
    True
    """
    return hashlib.blake2b(normalized_line(line).encode("utf-8"), digest_size=8).hexdigest()


def _candidate_hashes(text: str, config: ArtifactsConfig) -> list[tuple[int, str, str]]:
    """(line number, line, line_hash) of each candidate line of ``text``: a normalised line of at least
    ``cross_doc_min_line_chars`` characters that is not a long sentence (``_is_long_sentence``).

    The cheap tests come first: most lines are long sentences, and a line shorter than the minimum cannot
    normalise to a longer key (normalising only deletes characters), so neither needs its key built."""
    minimum, longest = config.cross_doc_min_line_chars, config.header_max_chars
    out = []
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if len(stripped) < minimum or (stripped[-1] in R.TERMINAL and len(stripped) > longest):
            continue  # minimum >= 1, so stripped is not empty past the first test
        key = _NOT_WORD_RE.sub("", line)
        if len(key) >= minimum:
            out.append((number, line, hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()))
    return out


def count_line_hashes(texts: Iterable[str], config: ArtifactsConfig = ArtifactsConfig()) -> Counter:
    """How many texts contain each candidate line (counted once per text).

    Candidates: at least ``cross_doc_min_line_chars`` characters, and not a long sentence ending in
    。！？ (a quotation shared by many speeches is content, not a footer).

    >>> c = count_line_hashes(["本站所有文章均来自网络\\n正文甲", "本站所有文章均来自网络\\n正文乙"])
    >>> c[line_hash("本站所有文章均来自网络")]
    2
    """
    counts: Counter = Counter()
    for text in texts:
        counts.update({h for _, _, h in _candidate_hashes(text, config)})
    return counts


def common_line_hashes(counts: Counter, document_count: int, config: ArtifactsConfig = ArtifactsConfig()) -> frozenset:
    """Hashes of lines seen in at least ``cross_doc_min_documents`` and ``cross_doc_min_share`` of documents.

    >>> common_line_hashes(Counter({"a": 5, "b": 4}), 10)
    frozenset({'a'})
    """
    if document_count <= 0:
        return frozenset()
    return frozenset(
        h
        for h, n in counts.items()
        if n >= config.cross_doc_min_documents and n / document_count >= config.cross_doc_min_share
    )


def remove_repeated_lines(doc: Document, config: ArtifactsConfig, common_hashes: frozenset) -> Document:
    """Drop lines whose hash is in ``common_hashes`` (rule ``artifacts.cross_doc_repeat``).

    >>> d = Document(source_file="a", source_sha256="0" * 64, text="正文。\\n本站所有文章均来自网络")
    >>> remove_repeated_lines(d, ArtifactsConfig(), frozenset({line_hash("本站所有文章均来自网络")})).text
    '正文。'
    """
    if not common_hashes:
        return doc
    removed = {number: line for number, line, h in _candidate_hashes(doc.text, config) if h in common_hashes}
    if not removed:
        return doc
    removals = [Removal("artifacts.cross_doc_repeat", number, line.strip()) for number, line in removed.items()]
    kept = [line for number, line in enumerate(doc.text.split("\n")) if number not in removed]
    return doc.with_changes(text="\n".join(kept)).with_removals(removals)
