"""Rules that need a line's neighbours: footer runs, key-only header lines with their value below,
site-name and page-title lines at the top, menu blocks, short photo labels, a flattened copy of the page.

They only add entries to ``rules`` (line index -> rule name); the rule pass drops those lines.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.line_rules import _chrome_rule, _footer_line, _is_spam
from pipeline.stages.artifacts.text import (
    _WORD_CHAR_RE,
    _has_sentence_punct,
    _Line,
    _normalized_line_cached,
    _strip_table,
)

if TYPE_CHECKING:
    from pipeline.stages.artifacts.rule_pass import _LineMemo


_TITLE_SPLIT_RE = re.compile(r"\s*[-–_|｜]\s*")
_ISSUE_TOKEN_RE = re.compile(r"/?\d{4}[^\s]{0,8}")
_TITLE_BLOCK_RE = re.compile(r"[()（）【】\[\]《》“”:：]|(?:19|20)\d{2}")


@dataclass
class _Page:
    """What the context rules read of one pass: the lines, the indexes of the non-blank ones, each one's place
    among them, and each one's text without table pipes (the form every check looks at)."""

    lines: list[_Line]
    nonblank: list[int]
    config: ArtifactsConfig
    position: dict[int, int]  # line index -> its place in ``nonblank``
    table_text: dict[int, str]  # line index -> _strip_table(text), for the non-blank lines

    def short_plain(self, i: int) -> bool:
        """A short line without sentence punctuation or an enumeration comma."""
        text = self.table_text[i]
        return len(text) <= self.config.short_line_max_chars and not _has_sentence_punct(text) and "、" not in text

    def neighbours(self, i: int) -> list[int]:
        """The non-blank lines just before and after line ``i``."""
        k = self.position[i]
        return [self.nonblank[j] for j in (k - 1, k + 1) if 0 <= j < len(self.nonblank)]


def _context_rules(
    lines: list[_Line], nonblank: list[int], rules: dict[int, str], config: ArtifactsConfig,
    memo: _LineMemo | None = None,
) -> None:
    """Rules that need the neighbouring lines, in order: each step sees the rules the earlier ones added."""
    footer_line = memo.footer_line if memo else functools.partial(_footer_line, config=config)
    page = _Page(lines, nonblank, config, position={i: k for k, i in enumerate(nonblank)},
                 table_text={i: _strip_table(lines[i].text) for i in nonblank})
    _footer_runs(page, rules, footer_line)
    _key_only_headers(page, rules)
    _top_site_lines(page, rules)
    _menu_block(page, rules)
    _photo_labels(page, rules)
    _flattened_copy(page, rules)


def _footer_runs(page: _Page, rules: dict[int, str], footer_line) -> None:
    """Footer contact/owner lines: a run of them (and other debris) that holds a copyright or ICP line.

    A run can only hold one if some line already has that rule (the loop adds none of its own), so without
    one the loop would change nothing."""
    lines, nonblank = page.lines, page.nonblank
    has_footer_rule = any(rule in ("artifacts.copyright", "artifacts.icp") for rule in rules.values())
    k = 0 if has_footer_rule else len(nonblank)
    while k < len(nonblank):
        run = []
        while k < len(nonblank) and (nonblank[k] in rules or footer_line(lines[nonblank[k]].text)):
            run.append(nonblank[k])
            k += 1
        if not run:
            k += 1
            continue
        contacts = [i for i in run if i not in rules]
        has_footer = any(rules.get(i) in ("artifacts.copyright", "artifacts.icp") for i in run)
        if contacts and has_footer:  # a notice may end with its own contact lines: those are content
            for i in contacts:
                rules[i] = "artifacts.copyright"
        k += 1


def _key_only_headers(page: _Page, rules: dict[int, str]) -> None:
    """A key-only header line ("作者:" / "时间:") followed by its value on the next line (forum print view).

    The loop only starts from a header line (and only adds header lines), so without one it does nothing."""
    nonblank, position, table_text = page.nonblank, page.position, page.table_text
    for i in nonblank if "artifacts.header_line" in rules.values() else ():
        if rules.get(i) != "artifacts.header_line":
            continue
        key = table_text[i].rstrip(":：").strip()
        if key in R.CREDIT_KEYS + R.PUBLISH_KEYS + R.UPDATE_KEYS + R.SOURCE_KEYS and position[i] + 1 < len(nonblank):
            j = nonblank[position[i] + 1]
            if j not in rules and page.short_plain(j) and len(table_text[j]) <= 20:
                rules[j] = "artifacts.header_line"


_NAV_LIKE = ("artifacts.nav_row", "artifacts.pagination", "artifacts.login_box", "artifacts.site_notice")


def _top_site_lines(page: _Page, rules: dict[int, str]) -> None:
    """Site-name and page-title lines among the first four non-blank lines."""
    nonblank = page.nonblank
    for k, i in enumerate(nonblank[:4]):
        if i in rules:
            continue
        text = page.table_text[i]
        if _has_sentence_punct(text) or len(text) > 60 or "——" in text:
            continue  # "开放共享——打造数字经济发展平台" is a title with a dash, not "title - site"
        segments = [s for s in _TITLE_SPLIT_RE.split(text) if s.strip()]
        if len(segments) >= 2 and k < 2 and (R.SITE_SUFFIX_RE.search(segments[-1]) or _is_spam(text)):
            rules[i] = "artifacts.seo_spam" if _is_spam(text) else "artifacts.page_title"
            continue
        words = text.split()
        first, rest_tokens = (words[0], words[1:]) if words else ("", [])
        if not (len(first) <= 16 and len(text) <= 24):
            continue
        if rest_tokens and R.SITE_SUFFIX_RE.search(first):
            # "德育素材网 首页" (002), "当代县域经济网 /2019第十二期" (014)
            if all(_chrome_rule(t) or _ISSUE_TOKEN_RE.fullmatch(t) for t in rest_tokens):
                rules[i] = "artifacts.site_notice"
        elif not rest_tokens and len(first) >= 4 and R.SITE_NAME_ALONE_RE.search(first):
            # "当代县域经济网" followed by pagination bullets (014); a title ending in 网 followed by a header
            # line is left alone ("织密社会保障网" + "时间:…")
            following = nonblank[k + 1] if k + 1 < len(nonblank) else None
            if following is not None and rules.get(following) in _NAV_LIKE:
                rules[i] = "artifacts.site_notice"


def _menu_block(page: _Page, rules: dict[int, str]) -> None:
    """A menu block: >= 5 consecutive short plain lines at the very top, before any blank line (devset 020);
    a title block (title, date, issuer) carries brackets, dates or a colon and stops the run."""
    lines = page.lines
    run: list[int] = []
    for i in range(len(lines)):
        stripped = lines[i].text.strip()
        if not stripped:
            break
        plain = (
            page.short_plain(i)
            and len(stripped) <= 12
            and not R.HEADING_RE.match(stripped)
            and not _TITLE_BLOCK_RE.search(stripped)
        )
        if i in rules or plain:
            run.append(i)
        else:
            break
    if len([i for i in run if i not in rules]) >= R.MENU_BLOCK_MIN_LINES and len(run) < len(page.nonblank):
        for i in run:
            rules.setdefault(i, "artifacts.nav_row")


def _photo_labels(page: _Page, rules: dict[int, str]) -> None:
    """Short photo labels next to other short label lines (HTML figcaptions, devset 039)."""
    short, table_text = page.config.short_line_max_chars, page.table_text
    for i in page.nonblank:
        # the length test of short_plain first, inline: most lines are longer
        if (len(table_text[i]) > short or i in rules or not page.short_plain(i)
                or not R.PHOTO_LABEL_RE.search(table_text[i])):
            continue
        if any(page.short_plain(j) for j in page.neighbours(i)):
            rules[i] = "artifacts.image_caption"


def _flattened_copy(page: _Page, rules: dict[int, str]) -> None:
    """A line at the top that is a flattened copy of the lines that follow it (devset 011)."""
    lines, nonblank = page.lines, page.nonblank
    for k, i in enumerate(nonblank[:3]):
        if i in rules:
            continue
        if len(lines[i].text) < 30:
            continue  # the normalised line is shorter still (normalising only deletes characters)
        # own[0] is the line's first character that normalized_line keeps (_WORD_CHAR_RE), so the cheap
        # first-character test can come before the line is normalised; both tests only skip the line
        first = _WORD_CHAR_RE.search(lines[nonblank[k + 1]].text) if k + 1 < len(nonblank) else None
        own_first = _WORD_CHAR_RE.search(lines[i].text)
        if first is not None and own_first is not None and first.group() != own_first.group():
            continue  # the following text starts with another character: no common prefix at all
        own = _normalized_line_cached(lines[i].text)
        if len(own) < 30:
            continue
        if _common_prefix(own, nonblank[k + 1 : k + 40], lines) >= 0.8 * len(own):
            rules[i] = "artifacts.flattened_duplicate"


def _common_prefix(own: str, following_lines: list[int], lines: list[_Line]) -> int:
    """How many leading characters ``own`` shares with the normalised text of ``following_lines`` run together
    (only the first len(own) characters of that text are built)."""
    parts, size = [], 0
    for j in following_lines:
        if size >= len(own):
            break
        part = _normalized_line_cached(lines[j].text)
        parts.append(part)
        size += len(part)
    following = "".join(parts)
    common = 0
    for a, b in zip(own, following, strict=False):  # a common prefix: lengths differ
        if a != b:
            break
        common += 1
    return common
