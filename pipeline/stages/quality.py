"""Per-document quality signals (measured, not filtered by default) and optional threshold filters.

What it computes, from the cleaned text and the removal trace: the share of Han characters and of
punctuation, the mean line and paragraph length, the share of lines that repeat an earlier line, the share
of characters inside repeated 10-character n-grams (copy-paste and template repetition), and the share of
raw characters removed as debris. They become extra output columns (:func:`quality_columns`,
:func:`signals_for`) that users filter on.

As a stage (:func:`measure_quality`) it writes the signals onto the record's signal fields and changes
nothing else: text, metadata and the removal trace are left alone. A filter only applies when a threshold is
set in ``QualityConfig`` (all are ``None`` by default), and then the stage returns the ``Rejection`` (reason
``quality.<signal>``, from :func:`quality_rejection`) that the build sends to quarantine.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pyarrow as pa

from pipeline import fields
from pipeline.document import Document, Rejection
from pipeline.stage_configs import QualityConfig

# The signal columns and their descriptions are declared with every other column in pipeline/fields.py.
SIGNALS = fields.names(filled_by="quality")
SIGNAL_DESCRIPTIONS = {name: fields.BY_NAME[name].description for name in SIGNALS}

# Han ideographs as code point ranges: CJK Unified Ideographs (国), Extension A (㐀), Compatibility
# Ideographs, Extensions B–F. The one definition of "Han" for the Han share (``han_counts``): the cjk_share
# signal, the gate and the validation checks all count with it.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_MAX_BUCKETS = 1 << 20  # bounds the bucket counts of _repeated_share (8 MB) for a very long text


# Leader dots between a heading and its page number in a table of contents: "总则 ........ (1)", "总则 ……… 1".
_LEADER_RUN = re.compile(r"([.·・…‥⋯．])\1{2,}")
# What a _LEADER_RUN match starts with, after its one character: a text is searched for the three-character run only
# when it holds the character (CPython finds one character ~10x faster than a longer needle).
_LEADER_TRIPLES = tuple((char, char * 3) for char in ".·・…‥⋯．")

_OTHER, _HAN, _PUNCTUATION, _SPACE = 0, 1, 2, 3  # character classes in the table below


@functools.lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """uint8 class of every BMP code point, built once (~0.05 s): Han (the ranges above), punctuation
    (Unicode category P*: ，。：“”《》 and ,.:"() and %), whitespace (str.isspace: space, U+3000, line breaks),
    or other (letters, digits, symbols)."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for code in range(0x10000):
        char = chr(code)
        if char.isspace():
            table[code] = _SPACE
        elif unicodedata.category(char).startswith("P"):
            table[code] = _PUNCTUATION
    for low, high in _HAN_RANGES:
        if low < 0x10000:
            table[low:high + 1] = _HAN
    return table


def _point_classes(points: np.ndarray) -> np.ndarray:
    """The class of every code point in ``points`` (whitespace included), with one table look-up."""
    if len(points) and int(points.max()) >= 0x10000:
        classes = np.take(_class_table(), np.minimum(points, 0xFFFF))
        astral = points >= 0x10000
        high = points[astral]
        low_han, high_han = _HAN_RANGES[3]  # Extensions B–F; astral punctuation is rare enough to count as other
        classes[astral] = np.where((high >= low_han) & (high <= high_han), _HAN, _OTHER)
        return classes
    return np.take(_class_table(), points)  # what indexing gives, ~1.5x faster


# The gate, the quality stage and the row contract look at the same text one after the other (a build runs a
# document through every stage before the next one): the code points and the counts are kept for the last few
# texts, so the text is encoded and classified once. A few entries, so memory stays flat.
_RECENT_TEXTS = 4


@functools.lru_cache(maxsize=_RECENT_TEXTS)
def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (a read-only array: it is shared through the cache). A lone surrogate (from a
    JSONL escape such as ``\\ud800``) stays a code point (class "other") rather than failing the encoding."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@functools.lru_cache(maxsize=_RECENT_TEXTS)
def _point_classes_of(text: str) -> np.ndarray:
    """The class of every code point of ``text`` (read-only, shared through the cache)."""
    classes = _point_classes(_code_points(text))
    classes.flags.writeable = False
    return classes


def _classified_points(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(code points without whitespace, their classes) of ``text``."""
    points = _code_points(text)
    classes = _point_classes_of(text)
    keep = classes != _SPACE
    return points[keep], classes[keep]


def han_counts(text: str) -> tuple[int, int]:
    """(Han characters, non-whitespace characters) of ``text``: the Han share's one calculation, shared by the
    ``cjk_share`` signal, the gate and the validation checks (``pipeline.validation.expectations.cjk_share``).

    >>> han_counts("这是测试。 ab\u3000\U00020000")
    (5, 8)

    Leader dots of a table of contents are layout, not text in another script: a run of three or more of one
    dot character is not counted as visible (a Chinese ellipsis …… is two characters and still counts).

    >>> han_counts("第一章 总则 ........ 1"), han_counts("他说……好。")
    ((5, 6), (3, 6))
    """
    return _han_counts(text)


@functools.lru_cache(maxsize=_RECENT_TEXTS)  # the gate and the row contract count the same text
def _han_counts(text: str) -> tuple[int, int]:
    classes = _point_classes_of(text)
    han, spaces = np.count_nonzero(classes == _HAN), np.count_nonzero(classes == _SPACE)
    # a leader run needs three of one dot in a row: seven substring tests instead of a regex scan of the text
    has_leaders = any(char in text and run in text for char, run in _LEADER_TRIPLES)
    leaders = sum(len(run.group()) for run in _LEADER_RUN.finditer(text)) if has_leaders else 0
    return int(han), len(classes) - int(spaces) - leaders


def _compact_points(text: str) -> np.ndarray:
    return _classified_points(text)[0]


def quality_columns() -> list[pa.Field]:
    """Arrow fields to append to the document schema, one float64 column per signal (null = not defined).

    >>> [field.name for field in quality_columns()][:2]
    ['cjk_share', 'punctuation_share']
    """
    return [fields.arrow_field(fields.BY_NAME[name]) for name in SIGNALS]


def repeated_ngram_ratio(text: str, ngram: int = 10) -> float | None:
    """Share of non-whitespace characters covered by a character ``ngram`` that occurs at least twice.

    >>> repeated_ngram_ratio("一二三四五六七八九十。" * 2)
    1.0
    >>> repeated_ngram_ratio("一二三四五六七八九十甲乙丙丁")
    0.0
    >>> repeated_ngram_ratio("") is None
    True
    """
    return _repeated_share(_compact_points(text), ngram)


def _window_hashes(values: np.ndarray, width: int) -> np.ndarray:
    """Polynomial hash (mod 2**64) of every window of ``width`` values, by doubling: windows of 1, 2, 4, 8 …
    values are combined as ``h[a+b](i) = h[a](i) * M**b + h[b](i + a)``, so a 10-gram costs 4 passes, not 10.

    >>> values = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.uint64)
    >>> direct = [sum(int(v) * pow(int(_MULTIPLIER), 4 - 1 - k, 2**64) for k, v in enumerate(values[i:i + 4])) % 2**64
    ...           for i in range(5)]
    >>> _window_hashes(values, 4).tolist() == direct
    True
    """
    size = len(values)
    by_width = {1: values}
    step = 1
    with np.errstate(over="ignore"):
        while step * 2 <= width:
            shorter = by_width[step]
            combined = shorter[:-step] * np.uint64(pow(int(_MULTIPLIER), step, 2**64))
            combined += shorter[step:]  # in place: one temporary array less per step
            by_width[step * 2] = combined
            step *= 2
        result, covered = None, 0
        for part in sorted(by_width, reverse=True):
            if covered + part > width:
                continue
            if result is None:
                result = by_width[part]
            else:
                count = size - covered - part + 1
                result = result[:count] * np.uint64(pow(int(_MULTIPLIER), part, 2**64))
                result += by_width[part][covered:covered + count]
            covered += part
    return result


def _repeated_share(points: np.ndarray, ngram: int) -> float | None:
    if len(points) == 0:
        return None
    if len(points) < ngram:
        return 0.0
    hashes = _window_hashes(points.astype(np.uint64), ngram)
    # Two equal hashes fall in the same bucket (low bits): only windows sharing a bucket with another one
    # (about a fifth) can repeat, and only those are sorted.
    buckets = min(1 << (4 * len(hashes)).bit_length(), _MAX_BUCKETS)
    bucket = (hashes & np.uint64(buckets - 1)).astype(np.intp)
    candidates = np.flatnonzero(np.bincount(bucket, minlength=buckets)[bucket] > 1)
    if len(candidates) < 2:
        return 0.0
    candidate_hashes = hashes[candidates]
    order = np.argsort(candidate_hashes)
    ordered = candidate_hashes[order]
    equal_next = ordered[1:] == ordered[:-1]
    if not equal_next.any():
        return 0.0
    in_repeat = np.zeros(len(candidates), dtype=bool)
    in_repeat[:-1] = equal_next
    in_repeat[1:] |= equal_next
    starts = np.sort(candidates[order[in_repeat]])  # distinct window starts, increasing
    # Characters covered by the windows [start, start + ngram): each window adds what the next does not cover.
    covered = int(np.minimum(starts[1:] - starts[:-1], ngram).sum()) + ngram
    return covered / len(points)


def _slow_ratio(compact: str, ngram: int) -> float:
    """The same measure in plain Python (the reference the tests compare the numpy version with)."""
    starts: dict[str, list[int]] = {}
    for index in range(len(compact) - ngram + 1):
        starts.setdefault(compact[index:index + ngram], []).append(index)
    covered = set()
    for positions in starts.values():
        if len(positions) > 1:
            for start in positions:
                covered.update(range(start, start + ngram))
    return len(covered) / len(compact)


def quality_signals(text: str, raw_char_count: int | None, removed_char_count: int,
                    ngram: int = 10) -> dict[str, float | None]:
    """The quality signals of one cleaned text (see ``SIGNAL_DESCRIPTIONS``), rounded to 4 decimals.

    >>> signals = quality_signals("各位代表：\\n\\n现在我代表市政府报告工作。\\n现在我代表市政府报告工作。", 40, 10)
    >>> signals["cjk_share"], signals["repeated_line_ratio"], signals["removed_share"]
    (0.9032, 0.3333, 0.25)
    >>> signals["mean_line_length"], signals["mean_paragraph_length"]  # 3 lines; 2 paragraphs (5 and 26)
    (10.3333, 15.5)
    """
    compact, classes = _classified_points(text)
    characters = len(compact)
    stripped = [line.strip() for line in text.split("\n")]
    lines = [line for line in stripped if line]
    line_lengths = list(map(len, lines))
    # Paragraphs: runs of non-blank lines between blank lines; with no blank line between two lines of text,
    # each line is a paragraph (the cleaned corpus writes one paragraph per line).
    if len(lines) == len(stripped):  # no blank line: one paragraph per line (or a single one)
        paragraphs = line_lengths
    else:
        paragraphs = []
        current = 0
        for line in stripped:
            if line:
                current += len(line)
            elif current:
                paragraphs.append(current)
                current = 0
        if current:
            paragraphs.append(current)
        if len(paragraphs) <= 1:
            paragraphs = line_lengths
    repeats = len(lines) - len(set(lines))

    def share(part: float, whole: float) -> float | None:
        return round(part / whole, 4) if whole else None

    han, punctuation = int(np.count_nonzero(classes == _HAN)), int(np.count_nonzero(classes == _PUNCTUATION))
    return {
        "cjk_share": share(han, characters),
        "punctuation_share": share(punctuation, characters),
        "mean_line_length": share(sum(line_lengths), len(lines)),
        "mean_paragraph_length": share(sum(paragraphs), len(paragraphs)),
        "repeated_line_ratio": share(repeats, len(lines)),
        "repeated_ngram_ratio": None if (ratio := _repeated_share(compact, ngram)) is None else round(ratio, 4),
        "removed_share": share(removed_char_count, raw_char_count) if raw_char_count else None,
    }


def removed_char_count(doc: Document) -> int:
    """Characters removed as debris: every traced removal except PII replacements (their trace text is only
    the placeholder, and the PII was replaced, not removed as debris).

    >>> from pipeline.document import Removal
    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="x",
    ...                removals=(Removal("artifacts.nav", 0, "首页 > 正文"), Removal("pii.phone", -1, "<PHONE>")))
    >>> removed_char_count(doc)
    7
    """
    return sum(len(removal.text) for removal in doc.removals if not removal.rule.startswith("pii."))


def signals_for(doc: Document, config: QualityConfig = QualityConfig()) -> dict[str, float | None]:
    """The signal columns for ``doc``'s output row (keys = :data:`SIGNALS`).

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="全面推进依法治省。", raw_char_count=9)
    >>> signals_for(doc)["cjk_share"], signals_for(doc)["removed_share"]
    (0.8889, 0.0)
    """
    return quality_signals(doc.text, doc.raw_char_count, removed_char_count(doc), config.repeated_ngram_chars)


# (signal, config attribute, direction): a signal below a "min" threshold or above a "max" one is filtered.
_FILTERS = (
    ("punctuation_share", "max_punctuation_share", "max"),
    ("mean_line_length", "min_mean_line_length", "min"),
    ("mean_paragraph_length", "min_mean_paragraph_length", "min"),
    ("repeated_line_ratio", "max_repeated_line_ratio", "max"),
    ("repeated_ngram_ratio", "max_repeated_ngram_ratio", "max"),
    ("removed_share", "max_removed_share", "max"),
)


def quality_rejection(doc: Document, signals: dict, config: QualityConfig = QualityConfig()) -> Rejection | None:
    """A ``Rejection`` (reason ``quality.<signal>``) for the first signal outside its configured threshold, or
    None. Thresholds left at ``None`` (the default) never filter; a signal that is null (undefined, e.g. no
    raw count) never fails a threshold.

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="abc 123")
    >>> quality_rejection(doc, signals_for(doc)) is None
    True
    >>> quality_rejection(doc, signals_for(doc), QualityConfig(max_punctuation_share=0.1)) is None
    True
    >>> quality_rejection(doc, signals_for(doc), QualityConfig(min_mean_line_length=10)).reason
    'quality.mean_line_length'
    """
    for signal, attribute, direction in _FILTERS:
        limit = getattr(config, attribute)
        value = signals.get(signal)
        if limit is None or value is None:
            continue
        if (direction == "min" and value < limit) or (direction == "max" and value > limit):
            relation = "<" if direction == "min" else ">"
            return Rejection(source_file=doc.source_file, reason=f"quality.{signal}",
                             detail=f"{signal} {value} {relation} {attribute} {limit}",
                             source_line=doc.source_line, source_sha256=doc.source_sha256,
                             article_index=doc.article_index)
    return None


def measure_quality(doc: Document, config: QualityConfig = QualityConfig()) -> Document | Rejection:
    """Stage: ``doc`` with its quality signals written onto it, or the ``Rejection`` of a configured threshold.

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="全面推进依法治省。", raw_char_count=9)
    >>> measure_quality(doc).cjk_share, doc.cjk_share
    (0.8889, None)
    >>> measure_quality(doc, QualityConfig(min_mean_line_length=20)).reason
    'quality.mean_line_length'
    """
    signals = signals_for(doc, config)
    return quality_rejection(doc, signals, config) or doc.with_changes(**signals)
