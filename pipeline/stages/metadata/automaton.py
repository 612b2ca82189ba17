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
        """``matches`` of each text; one search for the words' occurrences in all of them (a text with none is done).

        >>> ByteSpelledAutomaton({"台州": 1, "州市": 2}).matches_in_each(["台州市", "", "温州市", "x"])
        [[(1, 1)], [], [(2, 2)], []]
        """
        if self._occurrences is None:
            return [self.matches_in_one_walk(text) for text in texts]
        joined = "\n".join(texts)  # no word holds "\n" (checked when built): no occurrence spans two texts
        try:
            occurrences = sorted(self._occurrences.find_overlapping(joined))
        except UnicodeEncodeError:  # a lone surrogate
            return [list(self.plain.iter_long(text)) for text in texts]
        result: list[list[tuple[int, object]]] = [[] for _ in texts]
        if not occurrences:
            return result
        offset = 0  # of text ``k`` in ``joined``
        first = 0  # its first occurrence
        for k, text in enumerate(texts):
            end = offset + len(text)
            last = bisect.bisect_left(occurrences, (end + 1,), first)  # occurrences start before the "\n"
            if last > first:
                result[k] = self._walk_pieces(text, [(s - offset, e - offset) for s, e, _ in occurrences[first:last]])
            first = last
            offset = end + 1
        return result

    def _walk_pieces(self, text: str, occurrences: list[tuple[int, int]]) -> list[tuple[int, object]]:
        """The walk of ``text`` over the pieces around ``occurrences`` (all of them, sorted by start), joined."""
        pieces: list[str] = []
        shifts: list[int] = []  # per piece: its index in ``text`` less its index in the joined pieces
        starts: list[int] = []  # per piece: its index in the joined pieces
        joined_length = walked_to = 0  # ``text`` before ``walked_to`` is in a piece or holds no word
        for start, end in occurrences:
            if start < walked_to:
                continue  # inside the last piece (a word never holds a separator)
            before = self._through_last_separator.match(text, walked_to, start)
            piece_start = before.end() if before else walked_to
            after = self._separator.search(text, end)
            walked_to = after.end() if after else len(text)
            pieces.append(text[piece_start:walked_to])
            starts.append(joined_length)
            shifts.append(piece_start - joined_length)
            joined_length += walked_to - piece_start
        found = self.matches_in_one_walk("".join(pieces))
        if len(pieces) == 1:
            return [(index + shifts[0], value) for index, value in found]
        return [(index + shifts[bisect.bisect_right(starts, index) - 1], value) for index, value in found]

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
