"""The comparison keys of a text's lines, all at once: what cross-document line counting and removal compare.

A line's key is the line without spaces, punctuation and symbols (``[\\W_]+`` removed, as
``pipeline.stages.artifacts.text.normalized_line`` and ``pipeline.corpus.content_groups`` do): "版权所有, 某某网"
and "版权所有 某某网" share the key "版权所有某某网". ``line_keys`` finds the keys of every line of a text with one
numpy table look-up over its code points (~15 ns a character) instead of one regex substitution per line
(~60 ns a character on this corpus's punctuation-dense lines); texts with a character outside the Basic
Multilingual Plane take the regex path. Same keys either way (tests/test_line_keys.py compares them).

``candidate_hashes`` is ``artifacts.cross_document._candidate_hashes`` with the keys of its candidate lines found
in one ``line_keys`` call (not the whole text's: long sentences, never candidates, are most of a page): the lines
that cross-document counting counts and the ``cross_doc`` stage may remove.

What it changes: nothing (pure functions of a text). What it leaves alone: which lines count and which are
removed (the rules of ``artifacts.cross_document``, which remain the reference).
"""

from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

from pipeline.stage_configs import ArtifactsConfig

# What a key leaves out: spaces, punctuation and symbols (and "_", a word character to Python), as
# artifacts.text._NOT_WORD_RE. Example: "全县上下, 紧紧抓住。" and "全县上下，紧紧抓住。" share "全县上下紧紧抓住".
NOT_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=1)
def _kept_table() -> np.ndarray:
    """bool over the Basic Multilingual Plane: the characters a key keeps, plus the line break (which a key
    never holds: it only separates the lines' keys). Built once per process from ``NOT_WORD`` itself (~20 ms)."""
    table = np.zeros(0x10000, dtype=bool)
    for code in range(0x10000):
        if not 0xD800 <= code <= 0xDFFF:  # lone surrogates: texts that hold one take the regex path
            table[code] = NOT_WORD.fullmatch(chr(code)) is None
    table[ord("\n")] = True
    return table


def line_keys(text: str) -> list[str]:
    """``[NOT_WORD.sub("", line) for line in text.split("\\n")]``, computed over the whole text at once.

    >>> line_keys("版权所有, 某某网\\n\\n正文_第一段。")
    ['版权所有某某网', '', '正文第一段']
    """
    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:  # a lone surrogate
        return [NOT_WORD.sub("", line) for line in text.split("\n")]
    if len(codes) and int(codes.max()) > 0xFFFF:
        return [NOT_WORD.sub("", line) for line in text.split("\n")]
    return codes[_kept_table().take(codes)].tobytes().decode("utf-32-le").split("\n")  # take: ~15 % faster than []


def key_hash(key: str) -> str:
    """The hash cross-document counting compares: ``artifacts.line_hash`` of a line whose key is ``key``.

    >>> from pipeline.stages.artifacts import line_hash
    >>> key_hash("版权所有某某网") == line_hash("版权所有, 某某网")
    True
    """
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def candidate_hashes(text: str, config: ArtifactsConfig) -> list[tuple[int, str, str]]:
    """(line number, line, key hash) of each candidate line of ``text``: ``_candidate_hashes`` of
    ``pipeline.stages.artifacts.cross_document`` (at least ``cross_doc_min_line_chars`` characters in the key,
    not a long sentence ending in 。！？), their keys found by one ``line_keys`` call.

    >>> [number for number, _, _ in candidate_hashes("本站所有文章均来自网络\\n短行\\n" + "长句" * 50 + "。",
    ...                                               ArtifactsConfig())]
    [0]
    """
    from pipeline.stages.artifacts.rules import TERMINAL  # the stage list imports this module: not at import time

    minimum, longest = config.cross_doc_min_line_chars, config.header_max_chars
    picked = []  # (line number, line) of the lines long enough that are not long sentences
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if len(stripped) >= minimum and not (stripped[-1] in TERMINAL and len(stripped) > longest):
            picked.append((number, line))  # minimum >= 1, so stripped is not empty past the first test
    if not picked:
        return []
    keys = line_keys("\n".join(line for _, line in picked))  # only these: long sentences are most of a text
    return [(number, line, key_hash(key)) for (number, line), key in zip(picked, keys, strict=True)
            if len(key) >= minimum]
