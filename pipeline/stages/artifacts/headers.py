"""Page header and credit lines (时间:, 来源:, 栏目:, 人气: …) and the field values they carry.

``header_match`` says whether a line is such a line and which values it holds (``published_at`` in ISO form,
``category``, ``source_site``); the rule pass drops the line and offers the values to the empty fields. A line
with sentence punctuation or prose around its dates is left alone.
"""

from __future__ import annotations

import re

from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.text import (
    _HAN_RE,
    _WORD_CHAR_RE,
    _has_sentence_punct,
    _strip_table,
)

# The small patterns used inline by the helpers below, compiled once (same patterns, same flags: a call
# through re.search(...) would look each up in re's cache on every line).
_DIGITS_RE = re.compile(r"\d+")
_UNCOVERED_RE = re.compile(rb"\x00+")  # runs of uncovered characters in _header_fields_uncached
_HEADER_SEPARATOR_RE = re.compile(r"[:：|｜/]|于\s")  # every match of R.HEADER_KV_RE holds one (its "sep" group)
_DIGIT_RE = re.compile(r"\d")
_PROSE_DATE_RE = re.compile(r"[于在]\s*(?:19|20)\d{2}")
_COUNTER_LEAD_RE = re.compile(r"^(?:人气|点击|浏览|阅读|访问|查看)")
_COUNTER_WORDS_RE = re.compile(r"回复|来自手机|显示全部楼层|阅读模式")


def iso_datetime(date_text: str, clock_text: str | None = None) -> str | None:
    """ISO form of a printed date (and time, kept when printed).

    >>> iso_datetime("2022-11-24", "08:47:00")
    '2022-11-24T08:47:00'
    >>> iso_datetime("2022年12月25日", "07:49")
    '2022-12-25T07:49:00'
    >>> iso_datetime("2019-2-16")
    '2019-02-16'
    >>> iso_datetime("2019-13-45") is None
    True
    """
    numbers = _DIGITS_RE.findall(date_text)
    if len(numbers) < 3:
        return None
    year, month, day = (int(n) for n in numbers[:3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    result = f"{year:04d}-{month:02d}-{day:02d}"
    if clock_text:
        parts = [int(n) for n in _DIGITS_RE.findall(clock_text)] + [0, 0]
        hour, minute, second = parts[:3]
        if hour <= 23 and minute <= 59 and second <= 59:
            result += f"T{hour:02d}:{minute:02d}:{second:02d}"
    return result


def header_match(text: str, config: ArtifactsConfig = ArtifactsConfig()) -> dict | None:
    """Fields found if ``text`` is a page header/credit line, else None.

    >>> header_match("时间:2022-11-24 08:47:00")
    {'published_at': '2022-11-24T08:47:00'}
    >>> header_match("栏目: 创先争优学习专题 / 释出于: / 人气:2.64W")
    {'category': '创先争优学习专题'}
    >>> header_match("更新于 2022年12月27日07:40 • 发布于 2022年12月25日07:49")
    {'published_at': '2022-12-25T07:49:00'}
    >>> header_match("资金来源：财政拨款和社会捐助。") is None
    True
    """
    found = _header_fields(text, config)
    if found is None:
        return None
    best: dict[str, tuple[int, str]] = {}
    for name, value, priority in found:
        if name not in best or priority < best[name][0]:
            best[name] = (priority, value)
    return {name: value for name, (priority, value) in best.items()}


def _header_fields(text: str, config: ArtifactsConfig) -> tuple[tuple[str, str, int], ...] | None:
    """(field, value, priority) triples if ``text`` is a header line (publish date 0, bare date 1, update 2)."""
    found = _header_fields_uncached(text, config)
    return None if found is None else tuple(found)


def _header_fields_uncached(text: str, config: ArtifactsConfig) -> list[tuple[str, str, int]] | None:
    """(field, value, priority) triples if ``text`` is a header line (publish date 0, bare date 1, update 2)."""
    line = _strip_table(text)
    if not line or len(line) > config.header_max_chars or _has_sentence_punct(line):
        return None
    has_separator = _HEADER_SEPARATOR_RE.search(line) is not None
    has_digit = _DIGIT_RE.search(line) is not None
    supplied = "供稿" in line  # every match of R.SUPPLIED_BY_RE holds it
    if not (has_separator or has_digit or supplied):
        # the result needs a key or a date: a key-value pair needs a separator, a date, a counter and a counted
        # chrome word ("24.50 KB") a digit, a supplier credit 供稿; most prose lines near the top have none
        return None
    covered = bytearray(len(line))  # 1 where a key, value, date, counter or chrome word sits
    keys: list[str] = []
    fields: list[tuple[str, str, int]] = []
    has_iso = has_clock = False

    def cover(start: int, end: int) -> None:
        covered[start:end] = b"\x01" * (end - start)

    # HEADER_KV_RE's separator is one of :：|｜/ or whitespace after 于: a line with neither has no key-value pair
    for match in R.HEADER_KV_RE.finditer(line) if has_separator else ():
        key, value = match.group("key"), match.group("value")
        keys.append(key)
        cover(match.start(), match.end())
        if not value:
            continue
        date_match = R.DATETIME_RE.fullmatch(value.strip())
        if key in R.PUBLISH_KEYS + R.UPDATE_KEYS and date_match:
            has_iso = has_iso or bool(R.ISO_DATE_RE.match(value))
            has_clock = has_clock or bool(date_match.group("clock"))
            iso = iso_datetime(date_match.group("date"), date_match.group("clock"))
            if iso:
                fields.append(("published_at", iso, 0 if key in R.PUBLISH_KEYS else 2))
        elif key in R.SOURCE_KEYS:
            fields.append(("source_site", value, 0))
        elif key in R.CATEGORY_KEYS:
            fields.append(("category", value, 0))
    for match in R.DATETIME_RE.finditer(line) if has_digit else ():  # every date starts with 19 or 20
        if 1 in covered[match.start() : match.end()]:
            continue
        cover(match.start(), match.end())
        is_iso = bool(R.ISO_DATE_RE.match(match.group("date")))
        if not is_iso and not match.group("clock"):
            continue  # a bare Chinese date is content more often than chrome
        has_iso = has_iso or is_iso
        has_clock = has_clock or bool(match.group("clock"))
        iso = iso_datetime(match.group("date"), match.group("clock"))
        if iso:
            fields.append(("published_at", iso, 1))
    # a pattern that cannot match is not run: every counter holds a digit, every supplier credit 供稿
    patterns = (((R.COUNTER_RE,) if has_digit else ()) + ((R.SUPPLIED_BY_RE,) if supplied else ())
                + (R.HEADER_CHROME_RE,))
    for pattern in patterns:
        for match in pattern.finditer(line):
            if pattern is not R.HEADER_CHROME_RE or _DIGIT_RE.search(match.group(0)):
                keys.append(match.group(0))  # counters, "…供稿", file info "24.50 KB" / "2页"
            cover(match.start(), match.end())
    if not (keys or has_iso or has_clock):
        return None
    # alphanumeric characters left uncovered ([^\W_] is str.isalnum: both are Py_UNICODE_ISALNUM)
    residual = sum(len(_WORD_CHAR_RE.findall(line, run.start(), run.end())) for run in _UNCOVERED_RE.finditer(covered))
    weak = ("时间", "日期", "发布", "查看", "回复", "评论", "阅读", "记者", "通讯员")
    strong_keys = [k for k in keys if k not in weak]
    if has_clock and residual <= 10 and not _PROSE_DATE_RE.search(line):
        return fields  # "会议于2019年3月2日 9:30在大礼堂召开" is prose without punctuation
    if (strong_keys or has_iso) and residual <= 6:
        return fields
    if keys and residual == 0 and (has_iso or len(keys) >= 2 or line.endswith((":", "："))):
        return fields  # "时间:" alone (forum print view, devset 023), "查看10.1K | 回复0 | …"
    return None


def _is_counter_only(text: str) -> bool:
    """A header line that only counts views/replies: "浏览量:1 | | | |", "查看10.1K | 回复0 | … |阅读模式".

    >>> _is_counter_only("浏览量:1 | | | |"), _is_counter_only("来源:市城管局   2022-03-10 11:51")
    (True, False)
    """
    line = _strip_table(text)
    if not _COUNTER_LEAD_RE.match(line):
        return False
    rest = R.HEADER_KV_RE.sub("", R.COUNTER_RE.sub("", line))
    rest = R.DATETIME_RE.sub("", _COUNTER_WORDS_RE.sub("", rest))
    return not _HAN_RE.search(rest)
