"""Dates the metadata stage reads: page time, e-paper issue date, written-out dates. Pure functions.
"""

from __future__ import annotations

from pipeline.stages.metadata.patterns import (
    _CHINESE_DATE, _ISSUE_DATE, _PAGE_TIME, _PUBLISH_LABEL, _STANDALONE_DATE, _width_fold,
)


def issue_date(text: str) -> str | None:
    """The issue date of an e-paper page from its edition tag.

    >>> issue_date("当前位置:齐河报20240110期 >> 第A1版:要闻"), issue_date("2012年12月26日 星期三 第03版")
    ('2024-01-10', '2012-12-26')
    >>> issue_date("共收到论文20240110篇") is None
    True
    """
    match = _ISSUE_DATE.search(_width_fold(text))
    if not match:
        return None
    if match["a"]:
        return _iso_date(match["a"], match["b"], match["c"])
    return _iso_date(match["d"], match["e"], match["f"])


def _iso_date(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if y < 200:
        y += 1911  # ROC year (103年 = 2014)
    if not (1949 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def page_time(text: str) -> str | None:
    """An ISO date from a stated page time.

    >>> page_time("时间:2022-11-24 08:47:00"), page_time("发布日期:103年1月1日")
    ('2022-11-24', '2014-01-01')
    >>> page_time("2020-05-27 08:34:55来源: 遂昌新闻网")
    '2020-05-27'
    """
    folded = _width_fold(text)
    labelled = _PUBLISH_LABEL.search(folded)  # `更新于 … • 发布于 …`: the publish time wins
    match = _PAGE_TIME.search(folded, labelled.start() if labelled else 0) or _PAGE_TIME.search(folded)
    if not match:
        return None
    if match["a"]:
        return _iso_date(match["a"], match["b"], match["c"])
    return _iso_date(match["d"], match["e"], match["f"])


def chinese_date(text: str) -> str | None:
    """
    >>> chinese_date("2019年3月2日")
    '2019-03-02'
    """
    match = _CHINESE_DATE.search(_width_fold(text))
    return _iso_date(*match.groups()) if match else None


def _numeral_value(text: str, year: bool = False) -> int:
    """`二〇一八` (digit by digit, a year), `十二`, `二十九`, `三十一` (a month or day)."""
    digits = {c: k for k, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
    if year:
        return int("".join(str(digits[c]) for c in text)) if "十" not in text else 0
    if "十" not in text:
        return digits.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (digits.get(tens, 0) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


def standalone_date(text: str) -> str | None:
    """An ISO date from a line that is a date and nothing else (a speech's or report's date line).

    >>> standalone_date("2020年06月24日"), standalone_date("（2011 年 5 月 13 日）"), standalone_date("2014.12.25")
    ('2020-06-24', '2011-05-13', '2014-12-25')
    >>> standalone_date("（二〇一八年十二月二十九日）"), standalone_date("2019年1月14日(星期一)")
    ('2018-12-29', '2019-01-14')
    >>> standalone_date("2019年1月14日召开全体会议") is None, standalone_date("5月13日") is None
    (True, True)
    """
    match = _STANDALONE_DATE.match(_width_fold(text).strip())
    if not match:
        return None
    if match["a"]:
        return _iso_date(match["a"], match["b"] or match["b2"], match["c"] or match["c2"])
    year, month, day = _numeral_value(match["ya"], True), _numeral_value(match["ma"]), _numeral_value(match["da"])
    return _iso_date(str(year), str(month), str(day)) if year and month and day else None
