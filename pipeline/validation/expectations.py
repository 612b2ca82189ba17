"""Row-level checks behind the custom expectations of the validation suite, as plain functions.

Each function looks at one value (or one row) of the documents table and says what is wrong with it, or
returns an empty / ``None`` answer when it is fine. ``pipeline.validation.gx`` wraps them in Great Expectations
custom expectations; keeping them here, free of any GX import, makes them cheap to test and to reuse.

They only read: nothing here changes a document. They deliberately do not judge what a stage should have
done (whether a region is the *right* one, whether a header line is debris in a given document): they
check the contract of the output table.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING

import opencc


if TYPE_CHECKING:
    from pipeline.stage_configs import ValidationConfig

# Distinct residue characters kept per document in the checks table: enough to name the problem, and a
# wholly Traditional document (a script-stage bug) does not put thousands of characters in every row.
MAX_RESIDUE_CHARS = 32
# Debris matches kept per document in the checks table (a pattern like ``(?m)^\s*时间[:：]`` matches little;
# a careless ``.*`` pattern could match a whole paragraph).
MAX_DEBRIS_CHARS = 64

# ISO 8601 / RFC 3339 calendar date with optional time, reduced precision allowed (year, year-month).
# Examples: "2022", "2022-11", "2022-11-24", "2022-11-24 08:47:00", "2022-11-24T08:47:00+08:00".
ISO_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:Z|[+-]\d{2}:?\d{2})?)?)?)?"
)

# GB/T 2260 two-digit province prefixes and the short names a province field starts with.
# Example: region_code "331000" (台州市) has prefix "33", so its province must start with "浙江".
PROVINCE_PREFIXES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip
# Municipalities: their districts sit directly under the province code, a "city" may carry xx0000.
MUNICIPALITY_PREFIXES = frozenset({"11", "12", "31", "50"})
# GB/T 2260 has one code each for Taiwan, Hong Kong and Macau (710000, 810000, 820000), whatever the city.
SINGLE_CODE_PREFIXES = frozenset({"71", "81", "82"})
REGION_CODE = re.compile(r"\d{6}")


@functools.lru_cache(maxsize=None)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def traditional_residue(text: str, allowed: frozenset[str] | tuple[str, ...] = ()) -> str:
    """The characters of ``text`` that OpenCC ``t2s`` would change AND that exist only in Traditional
    script (the script stage's character set), minus ``allowed``; "" if none.

    Both conditions, because each alone misfires: ``t2s`` alone flags names that are correct Simplified
    (罗运乾 → 罗运干, devset 001); a character list alone would flag characters t2s keeps in context.

    >>> traditional_residue("这是測試")
    '測試'
    >>> traditional_residue("乾隆年间的乾坤，罗运乾同志")
    ''
    >>> traditional_residue("苧麻", allowed=("苧",))
    ''
    """
    converted = _t2s().convert(text)
    if converted == text:
        return ""
    from pipeline.stages.script import traditional_only_chars

    suspects = traditional_only_chars(text)
    if not suspects:
        return ""
    if len(converted) != len(text):  # a phrase changed length: report Traditional-only characters
        return "".join(c for c in suspects if c not in allowed)
    return "".join(a for a, b in zip(text, converted, strict=True) if a != b and a in suspects and a not in allowed)


# A regex special character: a pattern with none of them matches exactly its own text (本站小编为你精心准备了).
_REGEX_SPECIAL = re.compile(r"[\\.^$*+?{}\[\]|()]")


@functools.lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern | str | tuple[re.Pattern, re.Pattern], ...]:
    """Each pattern compiled, or kept as a string when it is a plain literal (``in`` finds it faster than a regex
    search, and its match is the literal itself), or as (pattern, after-a-line-break form) for a line-start
    pattern (``_line_start_pair``)."""
    return tuple(p if p and not _REGEX_SPECIAL.search(p) else _line_start_pair(p) or re.compile(p) for p in patterns)


def _line_start_pair(pattern: str) -> tuple[re.Pattern, re.Pattern] | None:
    """For ``(?m)^REST`` (no alternative at its top level): the pattern, and ``(?m)\\n(?:REST)``, which starts with a
    literal line break. The regex engine tries ``(?m)^…`` at every position of a text (no literal to skip to),
    ~10x slower than jumping from line break to line break; a match at a line start after position 0 is the
    second form's match without its line break, found at the same place with the same extent.

    >>> whole, after_break = _line_start_pair("(?m)^ *时间[:：]")
    >>> whole.match("标题 时间:"), after_break.search("标题\\n 时间:2022").group(0)[1:]
    (None, ' 时间:')
    >>> _line_start_pair("(?m)^时间|栏目") is None  # an alternative at the top: ^ binds to the first one only
    True
    """
    from re import _constants, _parser  # the parse says whether ^ starts the whole pattern

    if not pattern.startswith("(?m)^"):
        return None
    parsed = _parser.parse(pattern)
    if not parsed.data or parsed.data[0] != (_constants.AT, _constants.AT_BEGINNING):
        return None
    return re.compile(pattern), re.compile("(?m)\n(?:" + pattern[len("(?m)^"):] + ")")


def debris_found(text: str, patterns: tuple[str, ...] | list[str]) -> str | None:
    """The first stretch of ``text`` matching one of the debris ``patterns`` (regexes), or ``None``.

    >>> debris_found("标题\\n时间:2022-11-24 08:47:00\\n正文", [r"(?m)^\\s*(时间|栏目)[:：]"])
    '时间:'
    >>> debris_found("会议的时间：上午九点", [r"(?m)^\\s*(时间|栏目)[:：]"]) is None
    True
    """
    for pattern in _compiled(tuple(patterns)):
        if isinstance(pattern, str):
            if pattern in text:
                return pattern
            continue
        if isinstance(pattern, tuple):  # a line-start pattern: at position 0, else after the first line break
            whole, after_break = pattern
            match = whole.match(text)
            if match:
                return match.group(0)
            match = after_break.search(text)
            if match:
                return match.group(0)[1:]
            continue
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def cjk_share(text: str) -> float:
    """Share of Han characters among the non-whitespace characters of ``text`` (0.0 for blank text), counted
    by ``pipeline.stages.quality.han_counts``: the quality signal ``cjk_share`` is the same value, rounded,
    and null for a blank text.

    >>> cjk_share("这是测试。")
    0.8
    >>> cjk_share("   ")
    0.0
    """
    # imported here: pipeline.stages loads every stage, and the gate stage imports this module
    from pipeline.stages.quality import han_counts  # noqa: PLC0415

    han, visible = han_counts(text)
    return han / visible if visible else 0.0


def check_row(text: str, config: ValidationConfig) -> dict:
    """The values the text-level expectations need, for one document's ``text`` (the checks table's
    derived columns): ``text_chars``, ``text_blank``, ``traditional_residue``, ``debris``, ``cjk_share``.

    Table look-ups over the code points (numpy) give the counts; OpenCC only runs for a text
    that holds a Traditional-only character (residue needs one), the debris regexes always run.

    >>> from pipeline.stage_configs import ValidationConfig
    >>> check_row("时间:2022\\n這是测试", ValidationConfig())
    {'text_chars': 12, 'text_blank': False, 'traditional_residue': '這', 'debris': '时间:',
     'cjk_share': 0.5454545454545454}
    >>> check_row("  ", ValidationConfig())["text_blank"]
    True
    """
    if not text:
        return {"text_chars": 0, "text_blank": True, "traditional_residue": "", "debris": "", "cjk_share": 0.0}
    from pipeline.stages.quality import _code_points, han_counts
    from pipeline.stages.script import _charset_table

    han, visible = han_counts(text)
    codes = _code_points(text)  # shared with han_counts (and the quality stage before) through its cache
    residue = ""
    if (_charset_table()[codes] == 1).any():  # residue needs a Traditional-only character: skip OpenCC if none
        residue = "".join(dict.fromkeys(traditional_residue(text, config.traditional_exceptions)))
    debris = debris_found(text, config.debris_patterns) or ""
    return {
        "text_chars": len(text),
        "text_blank": visible == 0,
        "traditional_residue": residue[:MAX_RESIDUE_CHARS],
        "debris": debris[:MAX_DEBRIS_CHARS],
        "cjk_share": han / visible if visible else 0.0,
    }


def iso_date_problem(value: str, not_after: str | None = None) -> str | None:
    """Why ``value`` is not an ISO 8601 date / date-time on or before the date ``not_after``; else ``None``.

    >>> iso_date_problem("2022-11-24 08:47:00", not_after="2030-01-01") is None
    True
    >>> iso_date_problem("2022年11月24日")
    'not an ISO 8601 date'
    >>> iso_date_problem("2022-02-30")
    'not a calendar date'
    >>> iso_date_problem("2031-01-01", not_after="2030-01-01")
    'in the future (after 2030-01-01)'
    """
    match = ISO_DATE.fullmatch(value)
    if not match:
        return "not an ISO 8601 date"
    year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
    try:
        date = dt.date(year, month, day)
        if match["time"]:
            dt.time.fromisoformat(match["time"])
    except ValueError:
        return "not a calendar date"
    if not_after is not None and date > dt.date.fromisoformat(not_after):
        return f"in the future (after {not_after})"
    return None


def _code_level(code: str) -> int:
    """1 province, 2 prefecture-level city, 3 county-level (GB/T 2260 code structure)."""
    if code[2:] == "0000":
        return 1
    if code[4:] == "00":
        return 2
    return 3


def region_problem(province: str | None, city: str | None, county: str | None, region_code: str | None) -> str | None:
    """Why ``region_code`` does not fit the province / city / county names of a row; ``None`` if it does.

    The code is the one of the most specific name given, so its level must match that name's level
    (province xx0000, city xxyy00, county xxyyzz), and its province prefix must match the province name.
    Exceptions that GB/T 2260 itself makes: municipalities (a city may carry 110000), county-level cities
    governed by the province (仙桃 429004: a city with an xx90zz code), and one code for Taiwan, Hong Kong,
    Macau.

    >>> region_problem("浙江省", "台州市", None, "331000") is None
    True
    >>> region_problem("浙江省", None, None, None)
    'place name without region_code'
    >>> region_problem(None, None, None, "331000")
    'region_code without province/city/county'
    >>> region_problem("江苏省", "台州市", None, "331000")
    'province 江苏省 does not match code prefix 33 (浙江)'
    >>> region_problem("海南省", None, "定安县", "469021") is None
    True
    >>> region_problem("浙江省", None, "遂昌县", "331100")
    'code 331100 is city level but county is the most specific name'
    """
    names = {"province": province, "city": city, "county": county}
    if region_code is None:
        return "place name without region_code" if any(v is not None for v in names.values()) else None
    if all(v is None for v in names.values()):
        return "region_code without province/city/county"
    if not REGION_CODE.fullmatch(region_code):
        return f"region_code {region_code!r} is not 6 digits"
    prefix = region_code[:2]
    if prefix not in PROVINCE_PREFIXES:
        return f"unknown province prefix {prefix}"
    if province is not None and not province.startswith(PROVINCE_PREFIXES[prefix]):
        return f"province {province} does not match code prefix {prefix} ({PROVINCE_PREFIXES[prefix]})"
    if prefix in SINGLE_CODE_PREFIXES:
        return None if region_code[2:] == "0000" else f"code {region_code} is not {prefix}0000"
    level = _code_level(region_code)
    named = "county" if county is not None else "city" if city is not None else "province"
    expected = {"province": 1, "city": 2, "county": 3}[named]
    allowed = {expected}
    if named == "city" and prefix in MUNICIPALITY_PREFIXES:
        allowed.add(1)
    if named == "city" and region_code[2:4] == "90":
        allowed.add(3)
    if level not in allowed:
        level_name = {1: "province", 2: "city", 3: "county"}[level]
        return f"code {region_code} is {level_name} level but {named} is the most specific name"
    return None
