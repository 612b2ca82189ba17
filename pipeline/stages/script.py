"""Script normalisation: mainland Simplified characters (the first stage).

Punctuation and whitespace are the ``punctuation`` stage's job (``pipeline.stages.punctuation``), run after
the metadata stage.

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

OpenCC needs a configuration file with absolute dictionary paths: the packaged template
``data/opencc/custom_t2s.json`` is filled in and written, with the two small text dictionaries built from
the packaged lists, into a cache folder under the system temp directory (named by a hash of its content,
written once per machine). That is the only file this module writes.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import ahocorasick
import numpy as np
import opencc

from pipeline import fields
from pipeline.document import Document
from pipeline.stage_configs import ScriptConfig

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "opencc"
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
    classes = np.take(_charset_table(), codes)  # two comparisons count faster than a bincount of uint8
    return int(np.count_nonzero(classes == 1)), int(np.count_nonzero(classes == 2))


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
    for b, a in zip(before_parts, after_parts, strict=True):
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


def _convert_mixed_line(line: str, config: ScriptConfig) -> tuple[str, str | None]:
    """One line of a mixed document (or a Simplified one with stray Traditional characters): (line, the
    configuration used, None when the line has no Traditional-only character and is left alone)."""
    traditional, simplified = count_script_chars(line)
    if traditional == 0:
        return line, None
    if simplified == 0 or classify_counts(traditional, simplified, config) == "traditional":
        return to_simplified(line), CONFIG_NAME
    return plain_t2s(line), PLAIN_T2S_NAME


def _convert_lines(text: str, config: ScriptConfig) -> tuple[str, str]:
    """Convert only the lines that need it (see module docstring); return (text, conversion name)."""
    lines = text.split("\n")
    used = set()
    for index, line in enumerate(lines):
        lines[index], name = _convert_mixed_line(line, config)
        used.add(name)
    name = CONFIG_NAME if CONFIG_NAME in used else PLAIN_T2S_NAME
    return "\n".join(lines), name + LINES_SUFFIX


def _document_script(traditional: int, simplified: int, config: ScriptConfig) -> str:
    """``original_script`` from the document's counts ('undetermined' resolved as ``convert_text`` says)."""
    script = classify_counts(traditional, simplified, config)
    if script == "undetermined":
        script = "simplified" if traditional == 0 else ("traditional" if simplified == 0 else "mixed")
    return script


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
    script = _document_script(traditional, simplified, config)
    if traditional == 0:
        return text, script, NO_CONVERSION
    if script == "traditional":
        if config.tw_phrase_reversal and detect_tw_conversion(text, config):
            return to_simplified_tw(text), script, TW_CONFIG_NAME
        return to_simplified(text), script, CONFIG_NAME
    converted, name = _convert_lines(text, config)
    return converted, script, name


# --------------------------------------------------------------------------------------------- line by line

# CJK compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F): OpenCC's normalisation maps them to unified
# ideographs before any dictionary is looked up, so a Taiwan phrase can appear only after it. Example: 﨑 → 崎.
_COMPATIBILITY_IDEOGRAPH_RE = re.compile("[\uf900-\ufaff\U0002f800-\U0002fa1f]")


@functools.lru_cache(maxsize=None)
def _tw_key_automaton() -> ahocorasick.Automaton:
    """Every key of the curated Taiwan-phrase list, identity entries too (程式化 → 程式化 still takes its place
    in the match, so it can change what the other dictionaries do around it)."""
    automaton = ahocorasick.Automaton()
    for key, _ in tw_phrase_pairs():
        automaton.add_word(key, len(key))
    automaton.make_automaton()
    return automaton


def _lines_with_tw_phrases(text: str) -> set[int]:
    """Indices of the lines of ``text`` (split at "\\n") that contain a key of the Taiwan-phrase list."""
    starts = [0] + [match.end() for match in re.finditer("\n", text)]
    return {bisect.bisect_right(starts, end) - 1 for end, _ in _tw_key_automaton().iter(text)}


def line_conversion(text: str, config: ScriptConfig = _DEFAULT_CONFIG):
    """(lines, convert, reshaped) for callers that need only some lines of ``convert_text(text)[0]``.

    ``lines`` is ``text.split("\\n")``; ``convert(indices)`` returns those lines of the converted text (in one
    OpenCC call where the document has one configuration); ``convert`` is None when the text is left as it is.
    ``reshaped`` holds the indices of lines whose conversion may change their length. Every other line keeps,
    position by position, its length and which characters are spaces, word characters or sentence ends
    (。！？!?): every entry of the OpenCC dictionaries the configurations use (and of the exception list) maps
    a key to a value of the same length and the same character classes, none holds a space or a line break
    (tests/test_script_lines.py). Only the curated Taiwan-phrase list shortens phrases (網際網路 → 互联网): in
    documents converted with it, the lines with one of its keys are ``reshaped`` (all lines when the text has a
    compatibility ideograph, which OpenCC normalises first).

    Converting lines apart (or joined by line breaks) gives the converted text's lines because no dictionary
    key holds a line break, so no match spans one (also tested).

    >>> lines, convert, reshaped = line_conversion("黨中央要求各級黨委建立排程制度\\n隨著時代發展")
    >>> convert([0, 1]), sorted(reshaped)
    (['党中央要求各级党委建立调度制度', '随着时代发展'], [0])
    >>> line_conversion("随着时代发展")[1] is None
    True
    """
    lines = text.split("\n")
    traditional, simplified = count_script_chars(text)
    if traditional == 0:
        return lines, None, set()
    reshaped: set[int] = set()
    if _document_script(traditional, simplified, config) == "traditional":
        converter = to_simplified
        if config.tw_phrase_reversal and detect_tw_conversion(text, config):
            converter = to_simplified_tw
            reshaped = (set(range(len(lines))) if _COMPATIBILITY_IDEOGRAPH_RE.search(text)
                        else _lines_with_tw_phrases(text))

        def convert(indices) -> list[str]:
            return converter("\n".join(lines[index] for index in indices)).split("\n") if indices else []
    else:
        def convert(indices) -> list[str]:
            return [_convert_mixed_line(lines[index], config)[0] for index in indices]
    return lines, convert, reshaped


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
