"""Which article a document is a copy of, so that cross-document line counts see each article once.

Cross-document line removal (``artifacts.cross_doc_repeat``) treats a line as site boilerplate when it
repeats in many documents of one source. Counted per document, the copies of one reposted article (the
same speech on five 范文 pages, or one file saved in GB18030, UTF-16 and UTF-8) make the article's own
short lines — title, byline, headings, paragraphs split mid-sentence — look like a footer, and they are
removed from every copy. Counted once per *content group* they do not: a group holds the documents that
carry the same article.

The key of a group, cheapest first:

- the document's longest long sentence (a line ending in 。！？ and longer than ``header_max_chars``,
  compared without spaces and punctuation): the copies of one article share it even when each site
  wraps it in different chrome (nav rows, header lines, footers), and chrome is short lines, not the
  longest paragraph of a page;
- else (no long sentence: a short or oddly wrapped text) the whole text without spaces and punctuation,
  so exact copies still fall in one group after decoding and line-ending normalisation.

What it leaves alone: it never changes a document and does not decide which copy is kept (deduplication
does that, later). Two different articles that share their longest sentence word for word fall in one
group; their common short lines are then counted once, which can only keep text, never remove it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable

from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts.rules import TERMINAL

# Spaces, punctuation and symbols (and "_"): what line comparison ignores, as artifacts.normalized_line.
# Example: "全县上下, 紧紧抓住。" and "全县上下，紧紧抓住。" compare equal.
_NOT_WORD_RE = re.compile(r"[\W_]+")


def _digest(normalized: str) -> str:
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).hexdigest()


def content_group(text: str, config: ArtifactsConfig | None = None) -> str:
    """The key of the article ``text`` carries: ``"s:"`` + hash of its longest long sentence, or
    ``"t:"`` + hash of the whole text when it has no long sentence.

    >>> article = "这是一篇讲话的正文，" * 10 + "。"
    >>> content_group("某某网首页\\n" + article) == content_group(article + "\\n版权所有 另一网站")
    True
    >>> content_group("短文一行") == content_group("短文，一行"), content_group("短文一行") == content_group("短文二行")
    (True, False)
    """
    config = config or ArtifactsConfig()
    # Longest stripped lines first: a key is never longer than its stripped line, so once a line is shorter
    # than the best key no later line can beat it, and most long sentences never have their key built.
    stripped_lines = sorted((line.strip() for line in text.split("\n")), key=len, reverse=True)
    longest = ""  # normalised; ties go to the greater string, so every copy picks the same line
    for stripped in stripped_lines:
        if len(stripped) <= config.header_max_chars or len(stripped) < len(longest):
            break
        if stripped[-1] in TERMINAL:
            key = _NOT_WORD_RE.sub("", stripped)
            if (len(key), key) > (len(longest), longest):
                longest = key
    if longest:
        return "s:" + _digest(longest)
    return "t:" + _digest(_NOT_WORD_RE.sub("", text))


def converted_content_group(lines: list[str], converted_line: Callable[[int], str],
                            config: ArtifactsConfig | None = None) -> str:
    """``content_group("\\n".join(converted_line(i) for i in range(len(lines))))``, converting only the lines
    that can still be the key.

    ``converted_line(i)`` must keep the shape of ``lines[i]``: the same length and, position by position,
    the same spaces, word characters and sentence ends (``pipeline.stages.script.line_conversion`` says which
    lines of a text do). Then whether a line is a long sentence and its key's length are read on the line
    as it is, and only a line whose key is at least as long as the best so far is converted, to compare keys.

    >>> article = "這是一篇講話的正文，" * 10 + "。"
    >>> from pipeline.stages.script import to_simplified
    >>> lines = ["某某網首頁", article]
    >>> converted_content_group(lines, lambda i: to_simplified(lines[i])) == content_group(to_simplified(article))
    True
    """
    config = config or ArtifactsConfig()
    stripped = [line.strip() for line in lines]
    longest = ""
    for index in sorted(range(len(lines)), key=lambda i: len(stripped[i]), reverse=True):
        line = stripped[index]
        if len(line) <= config.header_max_chars or len(line) < len(longest):
            break
        if line[-1] in TERMINAL and len(_NOT_WORD_RE.sub("", line)) >= len(longest):
            key = _NOT_WORD_RE.sub("", converted_line(index).strip())
            if (len(key), key) > (len(longest), longest):
                longest = key
    if longest:
        return "s:" + _digest(longest)
    return "t:" + _digest(_NOT_WORD_RE.sub("", "\n".join(converted_line(i) for i in range(len(lines)))))
