"""Place matching for the region gazetteer: ``ByteSpelledAutomaton`` gives pyahocorasick's longest matches faster.
Pure lookup; changes nothing.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

import ahocorasick

try:
    import daachorse
except ImportError:  # no wheel for Linux aarch64 (pyproject.toml): every text is walked whole, the same matches
    daachorse = None


class ByteSpelledAutomaton:
    """pyahocorasick's ``iter_long``, walked in UTF-8 bytes over the pieces of text that hold a word: the same matches.

    Two speed-ups, each checked against the plain automaton on generated texts (``tests/test_regions.py``,
    ``tests/test_place_pieces.py``):

    **Spelled in UTF-8 bytes.** pyahocorasick finds a node's child by a linear scan of its children. The gazetteer's
    root has ~2,600 (every first character of a place name), so scanning running text cost ~0.7 µs per character.
    Spelled in UTF-8 bytes (each byte one latin-1 symbol), the root has a dozen children (lead bytes) and no node
    more than 64. The matches are unchanged: lead and continuation bytes are disjoint, so every spelled match
    starts and ends on a character boundary; one character transition becomes 1–4 byte transitions whose
    half-way nodes are never word ends, and a failed transition walks the node's suffixes longest first as before,
    so the same longest match is kept and the scan restarts at the same character. A text that cannot be encoded
    (a lone surrogate) uses the plain automaton.

    **Only the pieces that hold a word.** A *separator*, a character no word contains (`，`, or `的` when no
    place name holds it), has no transition from any node: the walk reaching it settles what came before (emits
    the pending longest match, or fails over to the suffix word it keeps; all end before the separator) and goes
    on after it from the root with nothing pending, as a fresh walk would. So the walk of a text is the walks of
    its pieces one after the other, a piece ending just after a separator (or at the end of the text), and a piece
    in which no word occurs gives nothing. Those are most of running text (~94 % of the characters of the bench
    corpus): a compiled double-array Aho-Corasick (daachorse) lists every occurrence of every word, overlapping
    ones too, ~4× faster per character than the walk, and only the pieces around them are walked, joined into one
    text (each keeps its closing separator, so joined they walk as they do apart). The separator must stay at the
    end of its piece: pyahocorasick 2.3.1 fails over to a suffix word at a failed transition but not at the end of
    the text (words 州市 and 台州市区: `台州市，` gives 州市, `台州市` nothing), so texts joined by a separator
    do *not* walk as they do one by one.

    >>> automaton = ByteSpelledAutomaton({"台州": 1, "台州市": 2, "州市": 3})
    >>> list(automaton.iter_long("浙江台州市和州市")), list(automaton.iter_long("州市")), list(automaton.iter_long("a"))
    ([(4, 2), (7, 3)], [(1, 3)], [])
    """

    def __init__(self, words: dict[str, object]):
        self._words = words
        self._plain: ahocorasick.Automaton | None = None  # built on first use (a fallback; the tests compare)
        self._occurrences = None
        counts = Counter("".join(words))
        # the sort key spells each word in ranks (one code point per rank): the same order as a list of ranks
        rank = {ord(ch): chr(k) for k, ch in enumerate(sorted(counts, key=lambda ch: (-counts[ch], ch)))}
        self.spelled = ahocorasick.Automaton()
        try:
            # frequent characters inserted first come first in each node's child list (found sooner)
            for word in sorted(words, key=lambda w: w.translate(rank)):
                self.spelled.add_word(word.encode("utf-8").decode("latin-1"), words[word])
        except UnicodeEncodeError:
            self.spelled = None  # a word with a lone surrogate: the plain automaton only
            return
        self.spelled.make_automaton()
        if any("\n" in word for word in words):
            raise ValueError("a word holds a line break: texts joined by one would match across it")
        if daachorse is not None and words:
            # where words occur at all; the walk reads only there
            self._occurrences = daachorse.CharwiseDoubleArrayAhoCorasick(list(words))
            word_characters = re.escape("".join(sorted(counts)))
            # a character no word holds (`，` for the gazetteer): the walk restarts cleanly after it
            self._separator = re.compile(f"[^{word_characters}]")
            # all up to and including the last separator (`台州市，温州` -> `台州市，`)
            self._through_last_separator = re.compile(f"(?s:.*)[^{word_characters}]")

    @property
    def plain(self) -> ahocorasick.Automaton:
        """pyahocorasick's automaton over the characters themselves."""
        if self._plain is None:
            plain = ahocorasick.Automaton()
            for word, value in self._words.items():
                plain.add_word(word, value)
            plain.make_automaton()
            self._plain = plain
        return self._plain

    def iter_long(self, text: str):
        """(end index, value) of the longest non-overlapping matches, as ``Automaton.iter_long``."""
        return iter(self.matches(text))

    def matches(self, text: str) -> list[tuple[int, object]]:
        """``iter_long`` as a list, walking only the pieces of ``text`` in which a word occurs (see the class)."""
        return self.matches_in_each([text])[0]

    def matches_in_each(self, texts: list[str]) -> list[list[tuple[int, object]]]:
        """``matches`` of each text: one search for where words occur in all of them, then few walks (``_walks``).

        >>> ByteSpelledAutomaton({"台州": 1, "州市": 2}).matches_in_each(["台州市", "", "温州市", "x"])
        [[(1, 1)], [], [(2, 2)], []]
        """
        if self._occurrences is None:
            return [self.matches_in_one_walk(text) for text in texts]
        joined = "\n".join(texts)  # no word holds "\n" (checked when built): no occurrence spans two texts
        try:
            # non-overlapping, in order: a piece holds an occurrence exactly when it holds one of these (the search
            # enters each piece from its root, a separator having no transition, and reports its first word's end)
            occurrences = self._occurrences.find(joined)
        except UnicodeEncodeError:  # a lone surrogate
            return [list(self.plain.iter_long(text)) for text in texts]
        result: list[list[tuple[int, object]]] = [[] for _ in texts]
        for walk, marks in self._walks(texts, joined, occurrences):
            found = self.matches_in_one_walk(walk)
            if len(marks) == 1:
                _start, k, shift = marks[0]
                result[k].extend((index + shift, value) for index, value in found)
                continue
            starts = [start for start, _k, _shift in marks]
            for index, value in found:
                _start, k, shift = marks[bisect.bisect_right(starts, index) - 1]
                result[k].append((index + shift, value))
        return result

    def _walks(self, texts: list[str], joined: str, occurrences: list[tuple[int, int, int]]):
        """The pieces of ``joined`` (``texts`` joined by "\\n") around ``occurrences``, joined into walks.

        Yields (walk, marks): a mark (start of a piece in the walk, index of its text, shift) says that a match
        ending at ``i`` in the walk, from that piece on, ends at ``i + shift`` in its text. A piece ends after its
        closing separator, so the next piece (of this text or a later one) walks on as a fresh walk would; a text's
        last piece with no separator after its word ends at the end of that text, and so ends its walk (pyahocorasick
        settles a pending suffix word at a separator, not at the end of a text: see the class).
        """
        text_ends = []  # index in ``joined`` of each text's end (its "\n")
        offset = 0
        for text in texts:
            offset += len(text)
            text_ends.append(offset)
            offset += 1
        pieces: list[str] = []
        marks: list[tuple[int, int, int]] = []
        length = walked_to = k = 0  # ``joined`` before ``walked_to`` is in a piece or holds no word
        for start, end, _value in occurrences:
            if start < walked_to:
                continue  # inside the last piece (a word never holds a separator)
            while start > text_ends[k]:
                k += 1
            before = self._through_last_separator.match(joined, walked_to, start)
            piece_start = before.end() if before else walked_to
            after = self._separator.search(joined, end, text_ends[k])  # in this text only
            walked_to = after.end() if after else text_ends[k]
            pieces.append(joined[piece_start:walked_to])
            marks.append((length, k, piece_start - length - (text_ends[k] - len(texts[k]))))
            length += walked_to - piece_start
            if after is None:  # the end of the text ends the walk
                yield "".join(pieces), marks
                pieces, marks, length = [], [], 0
        if pieces:
            yield "".join(pieces), marks

    def matches_in_one_walk(self, text: str) -> list[tuple[int, object]]:
        """``iter_long`` over the whole of ``text`` in one walk of the spelled automaton (the reference)."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = None
        if self.spelled is None or data is None:
            return list(self.plain.iter_long(text))
        if len(data) == len(text):  # ASCII: the spelling is the text
            return list(self.spelled.iter_long(text))
        found = []
        byte_start = char_end = 0
        for end, value in self.spelled.iter_long(data.decode("latin-1")):
            char_end += len(data[byte_start:end + 1].decode("utf-8"))
            byte_start = end + 1
            found.append((char_end - 1, value))
        return found
