"""Bytes to text: encoding detection, binary detection, line-ending normalisation.

Pure functions (no file I/O). What it changes: byte order marks are dropped, CRLF and lone CR become LF,
NUL bytes in otherwise-text input are removed. What it leaves alone: every other character, including
zero-width and control characters (the script stage decides about those), and all whitespace.

Detection order, cheapest and surest first: a byte order mark; strict UTF-8; UTF-16 without a BOM (a NUL
in every other byte); then charset-normalizer restricted to the encodings this corpus meets (GB18030 covers
GBK and GB2312; Big5; UTF-16). A file that none of these decode coherently is reported as undecodable.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Magic numbers of formats that turn up named ``.txt`` in scraped folders (an image saved as text, …).
# e.g. b"\x89PNG\r\n" — a PNG; decoding it as GB18030 would "succeed" and produce garbage CJK.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png image"),
    (b"\xff\xd8\xff", "jpeg image"),
    (b"GIF87a", "gif image"),
    (b"GIF89a", "gif image"),
    (b"%PDF-", "pdf document"),
    (b"PK\x03\x04", "zip archive (docx/xlsx/zip)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "ole2 document (doc/xls)"),
    (b"Rar!", "rar archive"),
    (b"\x7fELF", "executable"),
    (b"RIFF", "riff media (webp/wav/avi)"),
)

# Encodings charset-normalizer may choose from. Restricting it avoids exotic single-byte code pages
# "winning" on short Chinese text; gb18030 is a superset of gbk/gb2312. UTF-16 is left out on purpose:
# it is found by its BOM or its NUL pattern above, and as a candidate it "decodes" short GBK text.
CANDIDATE_ENCODINGS = ("gb18030", "big5", "big5hkscs")

# Share of characters that may be control/replacement characters before text counts as binary.
# Real scraped text has none or a handful (a stray \x0b); random bytes decoded anyway have several %.
MAX_CONTROL_SHARE = 0.01

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


# UTF-8 bytes read as GBK turn each CJK character into 1.5 "rare" characters whose GBK lead byte is
# 0xE4–0xE9 with a trail byte 0x80–0xBF (中华 → 涓崕). In real text under 3 % of CJK characters look
# like that (measured on the seeds and the dev set); in such mojibake ~36 %.
GBK_MOJIBAKE_SHARE = 0.2
MIN_CJK_FOR_MOJIBAKE_CHECK = 20


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


@dataclass(frozen=True)
class Undecodable:
    reason: str  # "binary" | "undecodable" | "empty"
    detail: str


def _gbk_mojibake_share(text: str) -> tuple[float, int]:
    suspicious = total = 0
    for char in text:
        if "\u4e00" <= char <= "\u9fff":
            try:
                encoded = char.encode("gbk")
            except UnicodeEncodeError:
                continue
            total += 1
            if 0xE4 <= encoded[0] <= 0xE9 and 0x80 <= encoded[1] <= 0xBF:
                suspicious += 1
    return (suspicious / total if total else 0.0), total


def _cjk_count(text: str) -> int:
    return sum(1 for char in text if "\u4e00" <= char <= "\u9fff")


def repair_mojibake(text: str) -> tuple[str, str | None] | None:
    """Undo UTF-8 that was read as Latin-1/cp1252 or as GBK, when that can be done exactly.

    Returns (text, what was repaired or None when nothing was wrong), or None when the text is mojibake
    that cannot be repaired safely (the caller quarantines it).

    >>> repair_mojibake("中华人民共和国")
    ('中华人民共和国', None)
    >>> repair_mojibake("领导干部作风建设交流会议".encode("utf-8").decode("latin-1"))
    ('领导干部作风建设交流会议', 'latin-1')
    >>> repair_mojibake(("领导干部作风建设交流会议" * 3).encode("utf-8").decode("gb18030"))[1]
    'gbk'

    """
    share, total = _gbk_mojibake_share(text)
    if total >= MIN_CJK_FOR_MOJIBAKE_CHECK and share >= GBK_MOJIBAKE_SHARE:
        try:
            repaired = text.encode("gb18030").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None
        return repaired, "gbk"
    if any("\u00c0" <= char <= "\u00ff" for char in text[:10000]):
        import ftfy

        fixed = ftfy.fix_encoding(text)
        if fixed != text and _cjk_count(fixed) > _cjk_count(text):
            return fixed, "latin-1"
    return text, None


def normalize_newlines(text: str) -> str:
    r"""CRLF and lone CR become LF.

    >>> normalize_newlines("a\r\nb\rc\n")
    'a\nb\nc\n'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_utf16_without_bom(data: bytes) -> str | None:
    """'utf_16_le' / 'utf_16_be' when one byte of each pair is mostly NUL (ASCII-heavy UTF-16), else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf_16_le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf_16_be"
    return None


# Characters that make up decoded Chinese text: CJK ideographs, ASCII, CJK and full-width punctuation.
_PLAUSIBLE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x20-\x7e\n\r\t]")
# Share of such characters needed to accept a BOM-less UTF-16 reading of CJK text (no NUL pattern to see).
# GBK or Big5 bytes read as UTF-16 land in Hangul, Yi and private-use blocks instead (under 10 %).
MIN_PLAUSIBLE_UTF16_SHARE = 0.8


def _plausible_utf16(data: bytes) -> tuple[str, str] | None:
    """A BOM-less UTF-16 reading of ``data`` that looks like Chinese text, or None."""
    if len(data) < 4 or len(data) % 2:
        return None
    for encoding in ("utf_16_le", "utf_16_be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:5000]
        if sample and len(_PLAUSIBLE.findall(sample)) / len(sample) >= MIN_PLAUSIBLE_UTF16_SHARE:
            return text, encoding.replace("_", "-")
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_CONTROL_CHARS.findall(text)) / len(text)


def decode_bytes(data: bytes) -> Decoded | Undecodable:
    """Decode raw bytes to text, or say why not.

    >>> decode_bytes("测试".encode("gb18030") * 20).encoding
    'gb18030'
    >>> decode_bytes(codecs.BOM_UTF8 + "中文".encode()).text
    '中文'
    >>> decode_bytes(b"").reason
    'empty'
    >>> decode_bytes(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(100)).reason
    'binary'
    """
    if not data.strip():
        return Undecodable("empty", f"{len(data)} bytes, no text")
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            return Undecodable("binary", f"starts with the signature of a {kind}")

    text: str | None = None
    encoding: str | None = None
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            text = None
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = None
    if text is None:
        utf16 = _looks_like_utf16_without_bom(data)
        if utf16:
            try:
                text, encoding = data.decode(utf16), utf16.replace("_", "-")
            except UnicodeDecodeError:
                text = None
    if text is None:
        plausible = _plausible_utf16(data)
        if plausible:
            text, encoding = plausible
    if text is None:
        text, encoding = _detect_with_charset_normalizer(data)
        if text is None:
            return Undecodable("undecodable", "no candidate encoding (UTF-8/16, GB18030, Big5) decodes it coherently")

    text = text.lstrip("\ufeff")
    if "\x00" in text:
        nul_share = text.count("\x00") / len(text)
        if nul_share > MAX_CONTROL_SHARE:
            return Undecodable("binary", f"{nul_share:.1%} NUL characters after decoding as {encoding}")
        text = text.replace("\x00", "")
    repaired = repair_mojibake(text)
    if repaired is None:
        return Undecodable("mojibake", f"decoded as {encoding}, but the text is UTF-8 read as GBK and the bytes "
                                       "needed to repair it are lost")
    text, repaired_from = repaired
    share = _control_share(text)
    if share > MAX_CONTROL_SHARE:
        return Undecodable("binary", f"{share:.1%} control characters after decoding as {encoding}")
    text = normalize_newlines(text)
    if not text.strip():
        return Undecodable("empty", f"only whitespace after decoding as {encoding}")
    if repaired_from:
        encoding = f"{encoding} (repaired {repaired_from} mojibake)"
    return Decoded(text=text, encoding=encoding)


def _detect_with_charset_normalizer(data: bytes) -> tuple[str | None, str | None]:
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    if best is None:
        # charset-normalizer gives up on short or repetitive text; a strict decode that succeeds is still
        # strong evidence (random bytes fail a strict GB18030/Big5 decode almost surely).
        for encoding in CANDIDATE_ENCODINGS:
            try:
                return data.decode(encoding), encoding.replace("_", "-")
            except UnicodeDecodeError:
                continue
        return None, None
    encoding = best.encoding
    # Big5 text can also be valid GBK (and vice versa); charset-normalizer's coherence score (language
    # model over the decoded text) already picks the one that reads as Chinese, so its choice stands.
    return str(best), encoding.replace("_", "-")
