"""Script normalisation: mainland Simplified characters, then Chinese punctuation and whitespace.

Two stages live here, run at different points of the pipeline:

``normalize_script`` (first stage) changes CHARACTERS only:
- detects the document's script from characters that exist only in Traditional or only in Simplified
  (sets derived from OpenCC's own dictionaries, packaged in ``data/opencc/script_charsets.json``);
- converts Traditional documents with a custom OpenCC configuration ``custom-t2s-v1``: Taiwan/Hong Kong
  variant reversal (so 跟著 → 跟着, 摸得著 → 摸得着) before OpenCC's T→S dictionaries, with an exception
  list that keeps 著 where it means "to write / manifest" (著名, 著作, 原著, 土著, 编著, 见微知著, 著有).
  It never uses OpenCC's phrase tables that rewrite vocabulary (建立, 执行, 核心, 档案, 指标 survive);
- reverses Taiwan phrasing left by machine conversion (釋出 → 发布, 排程 → 调度, 物件 → 对象) from a
  small curated list, only in documents that look machine-converted (``detect_tw_conversion``);
- mixed documents are converted line by line: a line with Traditional-only characters and no
  Simplified-only ones gets the custom configuration; a line with both gets plain OpenCC ``t2s``, which
  leaves Simplified characters alone (the variant reversal would turn a correct Simplified 著 into 着);
  a line without Traditional-only characters is not touched. A Simplified document is returned as it is,
  byte for byte, unless stray Traditional-only characters occur: those lines alone get plain ``t2s``.
It deliberately leaves punctuation, spaces and line breaks alone: the artifact and metadata stages after it
rely on the original spacing (the run of spaces in a byline separates position and name).

``normalize_punctuation`` (last text stage) changes PUNCTUATION and WHITESPACE only (see
``normalize_punctuation_text``): NFC, full-width letters/digits to half-width, Kangxi radicals to ordinary
ideographs, zero-width characters removed, ASCII punctuation next to Chinese text to GB/T 15834 forms,
doubled punctuation reduced, spaces between Chinese characters removed, blank-line runs collapsed. It leaves
numbers (1.5, 1,000, 08:47:00, 2022-11-24), URLs, e-mail addresses and English text as they are, and never
applies NFKC to the whole text (NFKC turns ，；：（） into ASCII). For speed, patterns start with one
character class (so the regex engine skips between candidates), a rule whose pattern needs a character the
text lacks is not run, and a mark between two Han characters is replaced without a Python callback; the
tests pin each fast form to the plain form it replaces.

OpenCC needs a configuration file with absolute dictionary paths: the packaged template
``data/opencc/custom_t2s.json`` is filled in and written, with the two small text dictionaries built from
the packaged lists, into a cache folder under the system temp directory (named by a hash of its content,
written once per machine). That is the only file this module writes.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import ahocorasick
import numpy as np
import opencc

from pipeline import fields
from pipeline.document import Document
from pipeline.stage_configs import ScriptConfig

DATA_DIR = Path(__file__).parent / "data" / "opencc"
OPENCC_SHARE_DIR = Path(opencc.__file__).parent / "clib" / "share" / "opencc"

CONFIG_NAME = "custom-t2s-v1"
TW_CONFIG_NAME = CONFIG_NAME + "+tw-phrases"
PLAIN_T2S_NAME = "t2s"
LINES_SUFFIX = ":lines"  # appended when only some lines were converted (mixed document, stray characters)
NO_CONVERSION = "none"

_DEFAULT_CONFIG = ScriptConfig()


# --------------------------------------------------------------------------------------------- packaged data


def _read_pairs(name: str) -> list[tuple[str, str]]:
    """``<key>\\t<value>`` lines of a packaged list; ``#`` lines and blank lines are comments."""
    pairs = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, value = line.split("\t")
        pairs.append((key.strip(), value.strip()))
    return pairs


@functools.lru_cache(maxsize=None)
def tw_phrase_pairs() -> tuple[tuple[str, str], ...]:
    """The curated Taiwan-phrase reversal list (Taiwan form, mainland Simplified form).

    >>> dict(tw_phrase_pairs())["排程"]
    '调度'
    """
    return tuple(_read_pairs("tw_phrases.tsv"))


@functools.lru_cache(maxsize=None)
def _variant_exception_pairs() -> tuple[tuple[str, str], ...]:
    """Exception list plus the Simplified spelling of each key (显著 as well as 顯著)."""
    t2s = _plain_t2s()
    pairs: dict[str, str] = {}
    for key, value in _read_pairs("variant_exceptions.tsv"):
        pairs.setdefault(key, value)
        pairs.setdefault(t2s.convert(key), t2s.convert(value))
    return tuple(pairs.items())


@functools.lru_cache(maxsize=None)
def _charset_table() -> np.ndarray:
    """Code point → 0 (neutral), 1 (Traditional-only), 2 (Simplified-only)."""
    charsets = json.loads((DATA_DIR / "script_charsets.json").read_text(encoding="utf-8"))
    table = np.zeros(0x110000, dtype=np.uint8)
    table[[ord(c) for c in charsets["traditional_only"]]] = 1
    table[[ord(c) for c in charsets["simplified_only"]]] = 2
    return table


# --------------------------------------------------------------------------------------------- OpenCC


def _dictionary_text(pairs) -> str:
    return "".join(f"{key}\t{value}\n" for key, value in sorted(pairs))


def _fill_template(node, build_dir: Path, with_tw_phrases: bool):
    """Replace @opencc@/@build@ in dictionary paths; drop the optional Taiwan-phrase slot if unused."""
    if isinstance(node, dict):
        return {k: _fill_template(v, build_dir, with_tw_phrases) for k, v in node.items()
                if k != "optional_slot"}
    if isinstance(node, list):
        return [_fill_template(item, build_dir, with_tw_phrases) for item in node
                if with_tw_phrases or not (isinstance(item, dict) and item.get("optional_slot") == "tw-phrases")]
    if isinstance(node, str):
        return node.replace("@opencc@", str(OPENCC_SHARE_DIR)).replace("@build@", str(build_dir))
    return node


def _write_atomically(path: Path, content: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)


@functools.lru_cache(maxsize=None)
def _config_path(with_tw_phrases: bool) -> str:
    template = json.loads((DATA_DIR / "custom_t2s.json").read_text(encoding="utf-8"))
    files = {
        "variant_exceptions.txt": _dictionary_text(_variant_exception_pairs()),
        "tw_phrases.txt": _dictionary_text(tw_phrase_pairs()),
    }
    digest = hashlib.sha256(
        json.dumps([template, files, str(OPENCC_SHARE_DIR), opencc.__version__], ensure_ascii=False).encode()
    ).hexdigest()[:16]
    build_dir = Path(tempfile.gettempdir()) / f"pipeline-opencc-{digest}"
    build_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        _write_atomically(build_dir / name, content)
    name = "custom_t2s_tw.json" if with_tw_phrases else "custom_t2s.json"
    config = _fill_template(template, build_dir, with_tw_phrases)
    _write_atomically(build_dir / name, json.dumps(config, ensure_ascii=False, indent=1))
    return str(build_dir / name)


@functools.lru_cache(maxsize=None)
def _custom_converter(with_tw_phrases: bool = False) -> opencc.OpenCC:
    return opencc.OpenCC(_config_path(with_tw_phrases))


@functools.lru_cache(maxsize=None)
def _plain_t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional text to mainland Simplified with the custom configuration (no script detection).

    Meant for text known to be Traditional; ``normalize_script`` decides per document and per line.

    >>> to_simplified("跟著做，摸得著，著名的原著")
    '跟着做，摸得着，著名的原著'
    >>> to_simplified("建立執行檔案指標")
    '建立执行档案指标'
    """
    return _custom_converter(False).convert(text)


def to_simplified_tw(text: str) -> str:
    """Like ``to_simplified``, plus the curated reversal of machine-converted Taiwan phrasing.

    >>> to_simplified_tw("建立定期彙報、排程制度,把物件核實")
    '建立定期汇报、调度制度,把对象核实'
    """
    return _custom_converter(True).convert(text)


def plain_t2s(text: str) -> str:
    """OpenCC's stock ``t2s`` (leaves Simplified characters alone, never turns 著 into 着).

    >>> plain_t2s("發展著")
    '发展著'
    """
    return _plain_t2s().convert(text)


# --------------------------------------------------------------------------------------------- detection


def count_script_chars(text: str) -> tuple[int, int]:
    """(Traditional-only, Simplified-only) character counts.

    >>> count_script_chars("發展并后")  # 發 is Traditional-only, 并 Simplified-only, 展 and 后 are both
    (1, 1)
    """
    if not text:
        return 0, 0
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    counts = np.bincount(_charset_table()[codes], minlength=3)
    return int(counts[1]), int(counts[2])


def traditional_only_chars(text: str) -> str:
    """The distinct characters of ``text`` that exist only in Traditional script, in order of appearance.

    >>> traditional_only_chars("罗运乾在發展中發言")
    '發'
    """
    if not text:
        return ""
    table = _charset_table()
    return "".join(dict.fromkeys(c for c in text if table[ord(c)] == 1))


def classify_counts(traditional: int, simplified: int, config: ScriptConfig = _DEFAULT_CONFIG) -> str:
    """'traditional' | 'simplified' | 'mixed' | 'undetermined' from the two counts."""
    informative = traditional + simplified
    if informative < config.min_informative_chars:
        return "undetermined"
    share = traditional / informative
    if share >= config.traditional_share:
        return "traditional"
    if share <= config.simplified_share:
        return "simplified"
    return "mixed"


def detect_script(text: str, config: ScriptConfig = _DEFAULT_CONFIG) -> str:
    """Script of ``text`` from the share of Traditional-only among informative characters.

    ≥ 0.97 → 'traditional', ≤ 0.03 → 'simplified', else 'mixed'; fewer than 10 informative characters
    → 'undetermined'. Characters valid in both scripts (干, 后, 于, 范, 著, 群) are not informative.

    >>> detect_script("黨的建設科學化是一個永恆的主題,開展創先爭優活動勢在必行")
    'traditional'
    >>> detect_script("党的建设科学化是一个永恒的主题，开展创先争优活动势在必行")
    'simplified'
    >>> detect_script("黨的建設科學化是一個永恆的主題。党的建设科学化是一个永恒的主题")
    'mixed'
    >>> detect_script("著名")
    'undetermined'
    """
    return classify_counts(*count_script_chars(text), config)


# Distinctly mainland-PRC wording, written in Traditional: a Traditional document that has several of
# these and Taiwan computer/phrasing terms (資訊, 排程, 釋出) is a mainland text run through s2twp, e.g.
# seed 003 (黨中央 … 創先爭優 … 釋出於 … 排程). Taiwan's own news uses 縣府/立委, not 縣委/黨委.
MAINLAND_MARKERS = (
    "黨委", "黨組", "黨中央", "黨支部", "黨建", "黨性", "黨風", "縣委", "市委", "省委", "紀委", "習近平",
    "社會主義", "我省", "創先爭優", "人民政府", "共產黨員", "領導幹部", "黨員幹部", "基層組織",
)


def detect_tw_conversion(text: str, config: ScriptConfig = _DEFAULT_CONFIG) -> bool:
    """True when ``text`` looks like a mainland text machine-converted with Taiwan phrasing (s2twp).

    Needs ``config.tw_min_mainland_markers`` distinct mainland markers and ``config.tw_min_phrase_markers``
    distinct Taiwan forms from the curated list.

    >>> detect_tw_conversion("黨中央要求各級黨委建立排程制度,釋出於")
    True
    >>> detect_tw_conversion("縣府釋出資訊,網路排程")  # Taiwan's own text: no mainland markers
    False
    """
    mainland_markers, phrase_markers = _marker_automatons()
    if _distinct_markers(mainland_markers, text, config.tw_min_mainland_markers) < config.tw_min_mainland_markers:
        return False
    return _distinct_markers(phrase_markers, text, config.tw_min_phrase_markers) >= config.tw_min_phrase_markers


@functools.lru_cache(maxsize=None)
def _marker_automatons() -> tuple[ahocorasick.Automaton, ahocorasick.Automaton]:
    """Aho-Corasick automatons of MAINLAND_MARKERS and of the Taiwan forms of the curated list (key != value):
    one scan of the text finds every occurrence of every marker, overlapping ones included. Each marker
    carries how often it is listed (a marker listed twice counted twice before, and still does)."""
    automatons = []
    for markers in (MAINLAND_MARKERS, [key for key, value in tw_phrase_pairs() if key != value]):
        if "" in markers:  # would be "in" every text; the packaged lists have none
            raise ValueError("empty marker in the script detection lists")
        automaton = ahocorasick.Automaton()
        for marker in dict.fromkeys(markers):
            automaton.add_word(marker, (marker, markers.count(marker)))
        automaton.make_automaton()
        automatons.append(automaton)
    return automatons[0], automatons[1]


def _distinct_markers(automaton: ahocorasick.Automaton, text: str, enough: int) -> int:
    """How many markers of ``automaton`` occur in ``text`` (``marker in text`` for each); stops at ``enough``."""
    found: dict[str, int] = {}
    total = 0
    for _, (marker, listed) in automaton.iter(text):
        if marker not in found:
            found[marker] = listed
            total += listed
            if total >= enough:
                break
    return total


# --------------------------------------------------------------------------------------------- conversion


# Line breaks and punctuation, which OpenCC never changes: clause boundaries for count_changed_chars.
_CLAUSE_BREAK = re.compile(r"[\n，。、；：？！,.;:?!]")


def count_changed_chars(before: str, after: str) -> int:
    """Characters of ``before`` not carried over unchanged into ``after``.

    >>> count_changed_chars("發展著", "发展着")
    2
    >>> count_changed_chars("網際網路", "互联网")
    4
    """
    if len(before) == len(after):
        return int(np.count_nonzero(np.frombuffer(before.encode("utf-32-le"), dtype=np.uint32)
                                    != np.frombuffer(after.encode("utf-32-le"), dtype=np.uint32)))
    # Conversion keeps punctuation and line breaks where they are: compare clause by clause, so the
    # (quadratic) alignment only runs on the few short clauses whose length changed (網際網路 → 互联网).
    before_parts, after_parts = _CLAUSE_BREAK.split(before), _CLAUSE_BREAK.split(after)
    if len(before_parts) != len(after_parts):  # not expected; align the whole text
        before_parts, after_parts = [before], [after]
    changed = 0
    same_length_before, same_length_after = [], []  # compared all at once below
    for b, a in zip(before_parts, after_parts):
        if b == a:
            continue
        if len(b) == len(a):
            same_length_before.append(b)
            same_length_after.append(a)
        else:
            matcher = difflib.SequenceMatcher(None, b, a, autojunk=False)
            changed += len(b) - sum(block.size for block in matcher.get_matching_blocks())
    if same_length_before:
        changed += count_changed_chars("".join(same_length_before), "".join(same_length_after))
    return changed


def _convert_lines(text: str, config: ScriptConfig) -> tuple[str, str]:
    """Convert only the lines that need it (see module docstring); return (text, conversion name)."""
    lines = text.split("\n")
    used = set()
    for index, line in enumerate(lines):
        traditional, simplified = count_script_chars(line)
        if traditional == 0:
            continue
        if simplified == 0 or classify_counts(traditional, simplified, config) == "traditional":
            lines[index] = to_simplified(line)
            used.add(CONFIG_NAME)
        else:
            lines[index] = plain_t2s(line)
            used.add(PLAIN_T2S_NAME)
    name = CONFIG_NAME if CONFIG_NAME in used else PLAIN_T2S_NAME
    return "\n".join(lines), name + LINES_SUFFIX


def convert_text(text: str, config: ScriptConfig = _DEFAULT_CONFIG) -> tuple[str, str, str]:
    """(converted text, original_script, script_conversion) for one text, as ``normalize_script`` does.

    'undetermined' (fewer than 10 informative characters) counts as 'simplified' only when there is no
    Traditional-only character at all; otherwise as 'traditional' without Simplified-only characters and
    'mixed' with them.

    >>> convert_text("隨著時代發展,我們跟著做")
    ('随着时代发展,我们跟着做', 'traditional', 'custom-t2s-v1')
    >>> convert_text("随着时代发展，我们跟着做，著名")
    ('随着时代发展，我们跟着做，著名', 'simplified', 'none')
    """
    traditional, simplified = count_script_chars(text)
    script = classify_counts(traditional, simplified, config)
    if script == "undetermined":
        script = "simplified" if traditional == 0 else ("traditional" if simplified == 0 else "mixed")
    if traditional == 0:
        return text, script, NO_CONVERSION
    if script == "traditional":
        if config.tw_phrase_reversal and detect_tw_conversion(text, config):
            return to_simplified_tw(text), script, TW_CONFIG_NAME
        return to_simplified(text), script, CONFIG_NAME
    converted, name = _convert_lines(text, config)
    return converted, script, name


# Metadata fields that hold running text and may already be set when this stage runs (pipeline/fields.py).
TEXT_FIELDS = fields.names(fields.RUNNING_TEXT)


def normalize_script(doc: Document, config: ScriptConfig) -> Document:
    """Stage: mainland Simplified characters; sets original_script, chars_converted, script_conversion.

    ``chars_converted`` counts characters changed in ``doc.text`` only. Metadata fields already set (usually
    none at this point) are converted with the same decision rules, each on its own.
    """
    converted, script, name = convert_text(doc.text, config)
    changes = {
        "original_script": script,
        "script_conversion": name,
        "chars_converted": count_changed_chars(doc.text, converted) if converted != doc.text else 0,
    }
    if converted != doc.text:
        changes["text"] = converted
    for field_name in TEXT_FIELDS:
        value = getattr(doc, field_name)
        if value:
            field_converted = convert_text(value, config)[0]
            if field_converted != value:
                changes[field_name] = field_converted
    return doc.with_changes(**changes)


# --------------------------------------------------------------------------------------------- punctuation

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Chinese punctuation that makes its neighbourhood "Chinese context" too (。after a Latin word).
_CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕…—·"
_CONTEXT = _HAN + _CJK_PUNCT

_HORIZONTAL_SPACE = " \t\u00a0\u3000\u2002\u2003\u2009\u202f"

# Zero-width characters: scraping debris, invisible in the text (U+200B in 党的建\u200b设).
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Full-width Latin letters and digits (２０２２年, ＡＢＣ) to ASCII; full-width punctuation is kept.
_FULLWIDTH_ALNUM = {code: code - 0xFEE0 for code in
                    [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
# Kangxi radicals (U+2F00–U+2FDF) and CJK radical supplement forms that look like ideographs (⼯ for 工)
# come from PDF copy-paste; NFKC of the single character gives the ordinary ideograph.
_RADICALS = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0x2E80, 0x2FE0)
             if unicodedata.normalize("NFKC", chr(code)) != chr(code)}
_CHAR_MAP = {**_ZERO_WIDTH, **_FULLWIDTH_ALNUM, **_RADICALS}
# Bullets and katakana dots used as the GB/T 15834 interpunct between Han characters: 重庆•西南大学 →
# 重庆·西南大学 (devset 039), 马丁・路德 → 马丁·路德. A bullet opening a list line is left alone.
_INTERPUNCT_MARKS = "\u2022\u30fb\u2027\u22c5"
_INTERPUNCT = re.compile(f"(?<=[\u4e00-\u9fff])[{_INTERPUNCT_MARKS}](?=[\u4e00-\u9fff])")
_CHAR_MAP_STRINGS = {chr(code): value or "" for code, value in
                     {k: (chr(v) if isinstance(v, int) else v) for k, v in _CHAR_MAP.items()}.items()}
_CHAR_MAP_PATTERN = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_CHAR_MAP)) + "]")

# Candidate ASCII punctuation with the spaces around it: 時間:2022 → 时间：2022, 發展, 改革 → 发展，改革.
# Written so that every alternative starts with one literal character (\.\.\.\.* is \.{3,}, ……* is …+):
# the regex engine then jumps between candidate characters instead of trying every position.
_ASCII_PUNCT = re.compile(f"(?:\\.\\.\\.\\.*|……*|。。。。*|,|;|:|!|\\?)[{_HORIZONTAL_SPACE}]*")
# The common case, decided without a Python callback: a mark (and spaces) between two Han characters.
# Neither neighbour can belong to another match, so replacing these first changes no other decision.
_HAN_MARK_HAN = tuple(
    (mark, full, re.compile(f"{re.escape(mark)}(?<=[{_HAN}]{re.escape(mark)})[{_HORIZONTAL_SPACE}]*(?=[{_HAN}])"))
    for mark, full in {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}.items()
)
# Spaces before a mark are handled apart so the pattern above starts with the mark (fast scanning).
_SPACE_BEFORE_ASCII_PUNCT = re.compile(f"[{_HORIZONTAL_SPACE}][{_HORIZONTAL_SPACE}]*(?=[,;:!?])")
# Used as a test only. Same hits as [,;:!?.…][，；：！？…]|[，；：！？…][ \t]*[,;:!?.…], written to start
# with one character class (fast scanning).
_ASCII_BESIDE_FULLWIDTH = re.compile(
    r"[,;:!?.…，；：！？](?:(?<=[,;:!?.…])[，；：！？…]|(?<=[，；：！？…])[ \t]*[,;:!?.…])"
)
_FULLWIDTH_OF = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
# Parenthesised span on one line: (30日) → （30日）, (蘇文傑攝) → （苏文杰摄）; (ASCII) between English stays.
_PAREN_SPAN = re.compile(r"\(([^()\n]{0,200})\)")
_LONE_PAREN = re.compile(r"[()]")
# Straight double quotes, paired per line: 绝不搞"两张皮" → 绝不搞“两张皮”.
_QUOTED = re.compile(r'"([^"\n]{0,500})"')
# Doubled punctuation left by scraping (devset 032: 身影,, / 的,。): a run of ，、 before a stronger mark
# or repeated ，、；： collapse to one; 。。 (two, not an ellipsis) to one.
_DOUBLED_BEFORE_STOP = re.compile(r"[，、][，、]*(?=[。！？；：])")
# Pre-filter for it: every hit starts with ，or 、 directly followed by one of ，、。！？；：, so a text where
# neither pattern below matches has no hit. A pattern that starts with one literal character is scanned
# about three times faster than one starting with a class of frequent characters (，、).
_DOUBLED_CANDIDATES = (re.compile("，[，、。！？；：]"), re.compile("、[，、。！？；：]"))
_REPEATED_MARK = re.compile(r"([，、；：])\1+")
_STOP_RUN = re.compile(r"。{2,}")
# Spaces between two Chinese characters / Chinese punctuation: 东 极 镇 → 东极镇 (scraping debris).
_SPACE_IN_CHINESE = re.compile(f"[{_HORIZONTAL_SPACE}][{_HORIZONTAL_SPACE}]*(?=[{_CONTEXT}])")
_SPACE_RUN = re.compile(f"[{_HORIZONTAL_SPACE}][{_HORIZONTAL_SPACE}]*")
# A space run needs collapsing if it holds two plain spaces ("  " test) or any other horizontal space.
_UNUSUAL_SPACE = re.compile("[\t\u00a0\u3000\u2002\u2003\u2009\u202f]")
# After one pass, an ASCII mark still touching Chinese punctuation may now be in Chinese context (::“):
# only then is another pass worth its cost. Used as a test only: it finds a hit exactly when
# [,;:!?()"…][ \t]*[CJK]|[CJK][ \t]*[,;:!?()"….] does. Each hit of the second alternative is found at its
# ASCII mark (no space: the look-behind sees the CJK mark) or at its first space; so the pattern starts with
# ASCII marks and spaces, rare in cleaned Chinese text, instead of the frequent ，。 (2.5x faster scanning).
_NEEDS_ANOTHER_PASS = re.compile(
    f"[,;:!?()\"…. \t](?:(?<=[,;:!?()\"…])[ \t]*[{_CJK_PUNCT}]"
    f"|(?<=[{_CJK_PUNCT}][,;:!?()\"….])|(?<=[{_CJK_PUNCT}][ \t])[ \t]*[,;:!?()\"….])"
)
_BLANK_LINES = re.compile(r"\n{3,}")
# Fields: every whitespace run (line breaks too) is one space, none next to Chinese punctuation.
_FIELD_SPACE = re.compile(f"[\\s{_HORIZONTAL_SPACE}]+")
_SPACE_AT_CJK_PUNCT = re.compile(f" (?=[{_CJK_PUNCT}])|(?<=[{_CJK_PUNCT}]) ")
_CONTEXT_CHAR = re.compile(f"[{_CONTEXT}]")
_HAN_CHAR = re.compile(f"[{_HAN}]")


_CJK_PUNCT_SET = frozenset(_CJK_PUNCT)


def _is_context(char: str) -> bool:
    """Han character or Chinese punctuation (the empty string, outside the text, is not)."""
    if not char:
        return False
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3134F or char in _CJK_PUNCT_SET)


def _remove_space_in_chinese(match: re.Match) -> str:
    start = match.start()
    return "" if start > 0 and _is_context(match.string[start - 1]) else match.group()


def _space_before_ascii_punct(match: re.Match) -> str:
    start = match.start()
    return "" if start > 0 and _is_context(match.string[start - 1]) else match.group()


def _reduce_stop_run(match: re.Match) -> str:
    return "。" if len(match.group()) == 2 else match.group()  # 3+ is an ellipsis written with 。


def _map_char(match: re.Match) -> str:
    return _CHAR_MAP_STRINGS[match.group()]


def _replace_ascii_punct(match: re.Match) -> str:
    text = match.string
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    mark = match.group().rstrip(_HORIZONTAL_SPACE)
    if not (_is_context(before) or _is_context(after)):
        return match.group()
    if mark[0] in ".…。":
        return "……"
    if before.isdigit() and after.isdigit():  # not reachable with a Han neighbour; kept for clarity
        return match.group()
    return _FULLWIDTH_OF[mark]


def _replace_paren_span(match: re.Match) -> str:
    text, inner = match.string, match.group(1)
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    if _HAN_CHAR.search(inner) or _is_context(before) or _is_context(after):
        return f"（{inner}）"
    return match.group()


def _replace_lone_paren(match: re.Match) -> str:
    text, char = match.string, match.group()
    neighbour = text[match.end()] if char == "(" and match.end() < len(text) else (
        text[match.start() - 1] if char == ")" and match.start() > 0 else "")
    if _is_context(neighbour):
        return "（" if char == "(" else "）"
    return char


def _replace_quoted(match: re.Match) -> str:
    text, inner = match.string, match.group(1)
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    if _HAN_CHAR.search(inner) or _is_context(before) or _is_context(after):
        return f"“{inner}”"
    return match.group()


def _normalize_marks(text: str) -> str:
    """Characters and punctuation (everything except whitespace collapsing)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _CHAR_MAP_PATTERN.search(text):  # few hits per document: substituting them beats str.translate
        text = _CHAR_MAP_PATTERN.sub(_map_char, text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(mark in text for mark in _INTERPUNCT_MARKS):
        text = _INTERPUNCT.sub("·", text)
    if _SPACE_BEFORE_ASCII_PUNCT.search(text):
        text = _SPACE_BEFORE_ASCII_PUNCT.sub(_space_before_ascii_punct, text)
    text = _ascii_punct_to_fullwidth(text)
    # A mark decided before its neighbour turned full-width (::“ → :：“) gets a second look.
    while _ASCII_BESIDE_FULLWIDTH.search(text):
        converted = _ascii_punct_to_fullwidth(text)
        if converted == text:
            break
        text = converted
    if "(" in text or ")" in text:
        text = _PAREN_SPAN.sub(_replace_paren_span, text)
        text = _LONE_PAREN.sub(_replace_lone_paren, text)
    if '"' in text:
        text = _QUOTED.sub(_replace_quoted, text)
    if any(pattern.search(text) for pattern in _DOUBLED_CANDIDATES):
        text = _DOUBLED_BEFORE_STOP.sub("", text)
    if "，，" in text or "、、" in text or "；；" in text or "：：" in text:  # what _REPEATED_MARK needs
        text = _REPEATED_MARK.sub(r"\1", text)
    if "。。" in text:
        text = _STOP_RUN.sub(_reduce_stop_run, text)
    return text


def _ascii_punct_to_fullwidth(text: str) -> str:
    """``_ASCII_PUNCT`` decided by ``_replace_ascii_punct``; marks between two Han characters go first."""
    for mark, full, pattern in _HAN_MARK_HAN:
        if mark in text:
            text = pattern.sub(full, text)
    return _ASCII_PUNCT.sub(_replace_ascii_punct, text)


def normalize_punctuation_text(text: str) -> str:
    """Body text: GB/T 15834 punctuation in Chinese context, whitespace collapsed.

    Whitespace decisions: NBSP, U+3000 and tabs count as spaces; spaces between two Chinese characters or
    Chinese punctuation are removed (scraping debris; the byline was parsed before this stage); other
    runs become one space; lines are stripped at both ends (the U+3000 paragraph indent goes); runs of
    blank lines become one blank line; leading and trailing blank lines go.

    >>> normalize_punctuation_text('時間:2022-11-24 08:47:00,人氣:2.64W, 共1,000人(約1.5%)')
    '時間：2022-11-24 08:47:00，人氣：2.64W，共1,000人（約1.5%）'
    >>> normalize_punctuation_text('绝不搞"两张皮"...见 https://www.gov.cn/a?b=1, 或 a@b.cn')
    '绝不搞“两张皮”……见 https://www.gov.cn/a?b=1，或 a@b.cn'
    >>> normalize_punctuation_text('\u3000\u3000东 极 镇,,很好,。\\n\\n\\n\\nHello, world!  ')
    '东极镇，很好。\\n\\nHello, world!'
    """
    # Rules see each other's output (a mark turned full-width makes its neighbour Chinese context), so
    # repeat until nothing changes: clean text costs one extra pass, at most three in all.
    text = _punctuation_pass(text)
    for _ in range(2):
        if not _NEEDS_ANOTHER_PASS.search(text):
            break
        normalized = _punctuation_pass(text)
        if normalized == text:
            break
        text = normalized
    return text


def _punctuation_pass(text: str) -> str:
    text = _normalize_marks(text)
    text = _SPACE_IN_CHINESE.sub(_remove_space_in_chinese, text)
    if "  " in text or _UNUSUAL_SPACE.search(text):  # a run of two or more, or one unusual space
        text = _SPACE_RUN.sub(" ", text)
    text = "\n".join(line.strip(_HORIZONTAL_SPACE) for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n")


def normalize_field_text(text: str) -> str:
    """Title-like field: same punctuation rules; any whitespace run (line breaks too) becomes ONE space.

    >>> normalize_field_text('突出实践性  增强实效性\\u3000(讲话)')
    '突出实践性 增强实效性（讲话）'
    """
    for _ in range(3):
        normalized = _SPACE_AT_CJK_PUNCT.sub("", _FIELD_SPACE.sub(" ", _normalize_marks(text)).strip())
        if normalized == text:
            break
        text = normalized
    return text


# One-line fields: any whitespace run becomes one space. Multi-paragraph fields get the body-text rules.
PUNCTUATION_FIELDS = fields.names(fields.ONE_LINE)
PUNCTUATION_PARAGRAPH_FIELDS = fields.names(fields.PARAGRAPHS)


def normalize_punctuation(doc: Document, config: ScriptConfig) -> Document:
    """Stage: ``normalize_punctuation_text`` on the text, ``normalize_field_text`` on title-like fields."""
    changes = {}
    text = normalize_punctuation_text(doc.text)
    if text != doc.text:
        changes["text"] = text
    for field_name in PUNCTUATION_FIELDS + PUNCTUATION_PARAGRAPH_FIELDS:
        value = getattr(doc, field_name)
        if value is None:
            continue
        if field_name in PUNCTUATION_FIELDS:
            normalized = normalize_field_text(value)
        else:
            normalized = normalize_punctuation_text(value)
        if normalized != value:
            changes[field_name] = normalized or None
    return doc.with_changes(**changes) if changes else doc
