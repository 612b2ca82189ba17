"""Character classes and word lists that the metadata stage and the title ranker both read.

A leaf module (it imports nothing of the pipeline): ``pipeline.models.titles`` is imported by the stages package,
so the lists both sides need live here rather than in ``pipeline.stages.metadata``. Changes nothing; only
defines constants and one helper.
"""

from __future__ import annotations

import re

# The CJK Unified Ideographs block, as a character-class body: `[{HAN}]{2,3}` is a two- or three-character name.
HAN = "\u4e00-\u9fff"
# Horizontal space as pages print it: ASCII space and tab, the ideographic space, no-break space.
SPACE = " \t\u3000\u00a0"
SPACE_RUN = re.compile(f"[{SPACE}]+")
# The last word of a column name (`焦点新闻`, `时政要闻`, `工作动态`): a label when a headline follows it.
COLUMN_WORDS = "新闻|要闻|动态|快讯|资讯|头条|公告|聚焦|视点|专题|广角|话题"


def collapse_spaces(text: str) -> str:
    """Runs of horizontal space as one ASCII space, the ends stripped.

    >>> collapse_spaces("\u3000县委 \t 书记  ")
    '县委 书记'
    """
    if "  " not in text and "\t" not in text and "\u3000" not in text and "\u00a0" not in text:
        # every space run is one ASCII space already (most lines): nothing to collapse, 3x cheaper than the pattern
        return text.strip()
    return SPACE_RUN.sub(" ", text).strip()
