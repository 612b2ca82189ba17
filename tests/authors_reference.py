"""The author scorer's inference as it was before the speed work of issue 20 (session 7): the reference the
rewritten ``pipeline.models.authors`` is compared with (tests/test_authors_speed.py). Not used by the product.

Copied unchanged from ``pipeline/models/authors.py`` (commit 56e038f); the helpers the speed work left alone
(patterns, ``_position_matches``, ``_count``, ``_eligible`` ...) are read from the product modules (the candidate
search's from ``pipeline/models/author_candidates.py``, where it moved later in session 7).

Changes of behaviour made since (issue 17, session 8) are made here too, in the plain form: the `=` separator of a
database record's `【作者】= X` field, no name where a speech verb starts the given name (`特首明发表`), and the
speech-delivery features ``log_delivering``/``most_delivering`` and ``before_salutation`` (plain patterns instead
of the product's walk).
"""

from __future__ import annotations

import math
import re

from pipeline.document import Document
from pipeline.models.author_candidates import (  # noqa: F401 - the names the copied functions read
    _AFTER_SHORT_NAME, _BRACKETED_NAME_LINE, _CONJUNCTION, _FILED_FROM, _LABEL, _NAME_COLON_TITLE, _NAME_DATE,
    _NAME_ONLY, _NOT_AUTHOR_AFTER, _NOT_AUTHOR_BEFORE, _NOT_IN_POSITION, _OUTLET_PREFIX, _POSITION_END,
    _POSITION_END_EXTRA, _POSITION_FIRST, _POSITION_WORD, _SPEECH_ANCHORED, _SPEECH_VERBS, _SPEECH_WORD,
    _VERB_ANCHORED, _VERB_HINT, _YEAR, SPACE, SPEAKER_KINDS, STOP_NAMES, Candidate, _count, _position_matches,
    _starts_with_word,
)
from pipeline.models.authors import (  # noqa: F401 - the names the copied functions read
    _FUNCTION_END, _NEWS_MARK, Choice, Model, _eligible, vectorize,
)
from pipeline.stages.metadata import people


def _clean_name(raw: str) -> str:
    return people.join_name(raw)


def _admissible(name: str, line: str, start: int, end: int) -> bool:
    """Stop list, surname check, and no editor/photographer/persona around the span."""
    if name in STOP_NAMES or not people.is_person_name(name) or name.endswith("摄") or name[0] in _CONJUNCTION:
        return False  # `新华社记者 徐昱摄`: a photo credit glued to the name; `和其他`: a conjunction
    if _starts_with_word(name):
        return False  # `关闭`, `全县`, `时间`: a dictionary word, not a name
    if _NOT_AUTHOR_BEFORE.search(line[max(0, start - 8):start]):
        return False
    return not _NOT_AUTHOR_AFTER.match(line[end:end + 3])


def _position(text: str | None) -> str | None:
    if not text:
        return None
    text = people.join_name(text).strip("：:，,（(【[")
    text = _OUTLET_PREFIX.sub("", text)
    return text or None


def _name_at(text: str, start: int, page: str) -> str | None:
    """The name starting at ``start``: 3 characters (4 with a compound surname) unless the shorter form recurs
    on its own on the page or the next character ends a name (`蔡红针对` / `蔡红在会上` → 蔡红).

    >>> _name_at("区委书记蔡红针对发言作了点评", 4, "区委书记蔡红针对发言作了点评。蔡红在会上指出")
    '蔡红'
    >>> _name_at("县长李永军在作报告", 2, "县长李永军在作报告")
    '李永军'
    """
    extra = 1 if text[start:start + 2] in people.surnames() else 0
    if not extra and text[start:start + 1] not in people.surnames():
        return None  # neither form can be a name: both would start with this character, not a surname
    if text[start + 1 + extra:start + 4].startswith(_SPEECH_VERBS):
        return None  # a speech verb where the given name would start (`特首明发表…`)
    short, long = text[start:start + 2 + extra], text[start:start + 3 + extra]
    if (len(long) == len(short) + 1 and "\u4e00" <= long[-1] <= "\u9fff" and long[-1] not in _AFTER_SHORT_NAME
            and people.is_person_name(long) and _count(page, long) >= _count(page, short)):
        return long
    return short if len(short) == 2 + extra and people.is_person_name(short) else None


# Two or more surname-led names joined by `、` and closed by 等 or 同志, as one pattern (``author_candidates``
# finds the same from the list's last `、`).
LISTED_NAMES = re.compile(rf"(?:{people.surname_pattern()}[{people.HAN}]{{1,2}}、)+{people.surname_pattern()}"
                          rf"[{people.HAN}]{{1,2}}(?:等|同志)")


def _names_listed(text: str) -> bool:
    return LISTED_NAMES.search(text) is not None


def _speaking_count(name: str, page: str) -> int:
    """How often ``name`` is followed by a speech verb (`岑浩辉首先…`, `金更华在讲话中…`), titles skipped."""
    count, at = 0, page.find(name)
    while at != -1:
        after = page[at + len(name):at + len(name) + 8].lstrip(SPACE)
        for honorific in ("同志", "先生", "女士", "市长", "县长", "书记", "总统", "特首"):
            if after.startswith(honorific):
                after = after[len(honorific):]
                break
        count += after.startswith(_SPEECH_VERBS)
        at = page.find(name, at + len(name))
    return count


def _delivering_count(name: str, page: str) -> int:
    """How often the clause after ``name`` (up to its first comma or stop, 20 characters at most) names a speech."""
    count, at = 0, page.find(name)
    while at != -1:
        window = page[at + len(name):at + len(name) + 20]
        count += re.match(r"[^，,。；;！？!?\n]*?(?:讲话|致辞|致词|报告|发言|演讲|贺词)", window) is not None
        at = page.find(name, at + len(name))
    return count


def _saluting_count(name: str, page: str) -> int:
    """How often a speech's salutation follows ``name``, maybe after a bracketed date (`王明 (2011年) 同志们`)."""
    pattern = re.compile(re.escape(name) + r"[ \t\u3000\u00a0]*(?:[（(][^)）\n]{1,24}[)）])?[ \t\u3000\u00a0\n]*"
                         r"(?:同志们|各位代表|各位委员|女士们|尊敬的)")
    count, at = 0, page.find(name)
    while at != -1:
        count += pattern.match(page, at) is not None
        at = page.find(name, at + len(name))
    return count


def _position_word_starts(line: str) -> list[int]:
    """Every index where a position word starts, overlapping ones included (`常务副县长`: 县长 two after 常务副…长).

    >>> _position_word_starts("常务副县长王明、镇长李强")
    [0, 3, 8]
    """
    starts = []
    for match in _POSITION_WORD.finditer(line):
        starts.append(match.start())
        if match.end() - match.start() > 1:
            starts.extend(at for at in range(match.start() + 1, match.end())
                          if line[at] in _POSITION_FIRST and _POSITION_WORD.match(line, at))
    return starts


def _line_candidates(index: int, line: str, top: bool, bottom: bool, page: str = "",
                     removed: bool = False) -> list[Candidate]:
    found: list[Candidate] = []

    def add(name: str, position: str | None, kind: str, start: int, end: int) -> None:
        name = _clean_name(name)
        if _admissible(name, line, start, end):
            found.append(Candidate(name, _position(position), kind, index, line[max(0, start - 12):end + 4]))

    if "记者" in line or "通讯员" in line or "特派员" in line:
        byline = people.find_reporter(line)
        if byline:
            at = line.find(byline.author)
            add(byline.author, byline.position, "reporter", at, at + len(byline.author))
    if ":" in line or "：" in line or "/" in line or "／" in line or "|" in line or "=" in line:
        for match in _LABEL.finditer(line):
            add(match["name"], None, "label", match.start("name"), match.end("name"))
        for match in _NAME_COLON_TITLE.finditer(line):
            if top:
                add(match["name"], None, "name_colon_title", match.start("name"), match.end("name"))
    if "报导" in line or "报道" in line:
        for match in _FILED_FROM.finditer(line):
            add(match["name"], None, "filed_from", match.start("name"), match.end("name"))
    if top or bottom:
        byline = people.parse_byline_line(line)
        if byline:
            at = line.find(byline.author[0])
            add(byline.author, byline.position, "byline_line", max(at, 0), len(line.rstrip()))
        elif _NAME_ONLY.match(line):
            match = _NAME_ONLY.match(line)
            add(match["name"], None, "name_line", match.start("name"), match.end("name"))
        glued = people.split_glued_byline(line) if top else None
        if glued:
            add(glued[1].author, glued[1].position, "glued_byline", len(glued[0]), len(line.rstrip()))
    if top and not removed and _YEAR.search(line):  # a removed page header holds the site's name
        for match in _NAME_DATE.finditer(line):
            group = "name" if match["name"] else "glued"
            start = match.start(group)
            # `贺词高建军2020-01-01`: a name glued after a heading word; `公文搜网 2021-…` is not one
            if start == 0 or not "\u4e00" <= line[start - 1] <= "\u9fff" or _SPEECH_WORD.search(line[start - 2:start]):
                add(match[group], None, "name_date", start, match.end(group))
    starts = _position_word_starts(line)
    if starts and ("在" in line or "于" in line) and _SPEECH_WORD.search(line):
        for match in _position_matches(_SPEECH_ANCHORED, line, starts):
            add(match["name"], match["position"], "position_speech", match.start("name"), match.end("name"))
    if starts and _VERB_HINT.search(line):
        for match in _position_matches(_VERB_ANCHORED, line, starts):
            add(match["name"], match["position"], "position_verb", match.start("name"), match.end("name"))
    # `_POSITION_END` is a position word (found above as `starts`) or one of its extra words, then spaces: a line
    # with neither cannot match it, so the scan (most of a body line's cost) is skipped
    ends = _POSITION_END.finditer(line) if starts or any(map(line.__contains__, _POSITION_END_EXTRA)) else ()
    for match in ends:
        name = _name_at(line, match.end(), page or line)
        if name and not name.startswith(_SPEECH_VERBS):
            head = _NOT_IN_POSITION.split(line[max(0, match.start() - 14):match.end()])[-1]
            add(name, head, "position_name", match.end(), match.end() + len(name))
    if "(" in line or "（" in line:  # `(闻 泽)` closes a report; also a credit line kept above a caption
        match = _BRACKETED_NAME_LINE.match(line)
        if match:
            add(match["name"], None, "closing_credit", match.start("name"), match.end("name"))
    return found


def candidates(document: Document, zone: int = 8) -> list[Candidate]:
    """Every author/speaker span on the page, in page order (then the earlier stages' removals).

    ``zone`` is how many non-blank lines count as the top (title, byline) and the bottom (signature) of the page.

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64,
    ...                text="平凡的一天\\n来源:某某网 作者:孔春山\\n正文第一段写了一些事情。")
    >>> [(c.name, c.kind) for c in candidates(doc)]
    [('孔春山', 'label')]
    """
    lines = document.text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip(SPACE)]
    top = set(filled[:zone])
    bottom = set(filled[-3:])
    found: list[Candidate] = []
    for i in filled:
        found.extend(_line_candidates(i, lines[i], i in top, i in bottom, document.text))
    for removal in document.removals:
        # lines the rules and the line model dropped (a byline the line model calls meta is still a byline)
        if removal.rule.startswith(("artifacts.", "script.", "model.")):
            found.extend(_line_candidates(-1, removal.text, True, False, document.text, removed=True))
    note = "\n".join(lines[i] for i in filled[-5:])
    speech = people.parse_speech_note(note)
    if speech:
        found.append(Candidate(speech.author, speech.position, "speech_note", filled[-1], speech.author))
    transcript = people.find_transcript_speaker("\n".join(lines[i] for i in filled[:zone]))
    if transcript:
        found.append(Candidate(transcript.author, transcript.position, "transcript", -1, transcript.author))
    if filled:
        credit = people.find_closing_credit(lines[filled[-1]])
        if credit:
            found.append(Candidate(credit.author, None, "closing_credit", filled[-1], credit.author))
    speaker = people.find_speaker(document.text)
    if speaker:
        found.append(Candidate(speaker, None, "rule_speaker", -1, speaker))
    return found


def features(document: Document, found: list[Candidate]) -> list[tuple[str, dict[str, float]]]:
    """One feature dict per person named by the candidates (names in :data:`FEATURES`), in page order.

    A person's spans are pooled: the kinds of evidence found for the name, where the earliest span is, whether
    any printed a position, and page-level counts (mentions, sentences where the name speaks or acts).
    """
    text = document.text
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip(SPACE)]
    order = {line: k for k, line in enumerate(filled)}
    total = max(len(filled), 1)
    head = "\n".join(lines[i] for i in filled[:2])
    news_page = float(bool(_NEWS_MARK.search("\n".join(lines[i] for i in filled[:6]))))
    speech_page = float(bool(_SPEECH_WORD.search(head)))
    log_people = math.log1p(len({c.name for c in found}))
    has_reporter = any(c.kind in ("reporter", "filed_from") for c in found)
    has_writer = any(c.kind in ("reporter", "filed_from", "label", "closing_credit") for c in found)
    mentions = {name: text.count(name) for name in {c.name for c in found}}
    top_mentions = max(mentions.values(), default=0)
    delivering = {name: _delivering_count(name, text) for name in {c.name for c in found}}
    top_delivering = max(delivering.values(), default=0)
    rows: dict[str, dict[str, float]] = {}
    for candidate in found:
        rank = order.get(candidate.line)
        row = rows.get(candidate.name)
        if row is None:
            row = rows[candidate.name] = {
                "log_mentions": math.log1p(mentions[candidate.name]),
                "most_mentioned": float(mentions[candidate.name] == top_mentions),
                "log_speaking": math.log1p(_speaking_count(candidate.name, text)),
                "log_delivering": math.log1p(delivering[candidate.name]),
                "most_delivering": float(delivering[candidate.name] > 0
                                         and delivering[candidate.name] == top_delivering and not has_writer),
                "before_salutation": float(_saluting_count(candidate.name, text) > 0),
                "in_heading": float(candidate.name in head),
                "name_len3": float(len(candidate.name) == 3),
                "news_page": news_page,
                "first_relative_line": 1.0,
                "starts_with_word": float(_starts_with_word(candidate.name)),
                "ends_with_function": float(candidate.name[-1] in _FUNCTION_END),
                "speech_page": speech_page,
                "log_people": log_people,
                "only_speaker_kinds": 1.0,
            }
        row[f"kind={candidate.kind}"] = 1.0
        if candidate.kind not in SPEAKER_KINDS:
            row["only_speaker_kinds"] = 0.0
        if candidate.position is not None:
            row["has_position"] = 1.0
        if candidate.line == -1 and candidate.kind not in SPEAKER_KINDS:
            row["from_removal"] = 1.0
        if rank is not None:
            row["first_relative_line"] = min(row["first_relative_line"], rank / total)
            if rank < 3:
                row["top3"] = 1.0
            if rank >= total - 3:
                row["bottom3"] = 1.0
            if len(lines[candidate.line].strip(SPACE)) <= 25:
                row["short_line"] = 1.0
    for row in rows.values():
        row["kinds_agreeing"] = float(sum(1 for key in row if key.startswith("kind=")) - 1)
        row["speaker_with_reporter"] = row["only_speaker_kinds"] * float(has_reporter)
    return list(rows.items())


def choose(document: Document, model: Model, threshold: float | None = None) -> Choice | None:
    """The page's author: the best-scoring person at or above the threshold, or None."""
    found = candidates(document)
    if not found:
        return None
    threshold = model.threshold if threshold is None else threshold
    listed = _names_listed(document.text)
    scored = [(model.probability(vectorize(row)), -k, name) for k, (name, row) in enumerate(features(document, found))
              if _eligible(row, listed)]
    if not scored:
        return None
    score, _, name = max(scored)  # ties: the person named first
    if score < threshold:
        return None
    spans = [c for c in found if c.name == name]
    best = next((c for c in spans if c.kind not in SPEAKER_KINDS), spans[0])
    position = next((c.position for c in spans if c.position), None)
    return Choice(name, position, best.kind, best.line, best.span, round(score, 3))
