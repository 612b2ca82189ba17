"""Regenerate ``pipeline/data/words/common_words.txt.gz``: the two-character words the author scorer reads as
"a common word, not a name" (``pipeline.models.author_candidates._starts_with_word``).

The set is every entry of jieba's dictionary (MIT; jieba 0.42.1 ``dict.txt``) of at most two characters with a
frequency of 10 or more whose part of speech is not ``nr`` (person name): ``全县``, ``时间``, ``关于`` are in it,
``王沪宁`` is not (``tests/test_authors_model.py`` compares the shipped set with jieba when jieba is installed).
Shipping the extract saves loading jieba's whole dictionary (~1 s per worker process) for one set lookup::

    python tools/extract_common_words.py
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pipeline" / "data" / "words" / "common_words.txt.gz"


def common_words() -> list[str]:
    """jieba's words of one or two characters, frequency >= 10, not tagged ``nr``, sorted."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    frequency, tags = jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab
    return sorted(w for w, f in frequency.items() if len(w) <= 2 and (f or 0) >= 10 and tags.get(w) != "nr")


def main() -> None:
    text = "".join(word + "\n" for word in common_words()).encode("utf-8")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress(text, mtime=0))  # mtime 0: the same bytes on every run
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
