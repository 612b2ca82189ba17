"""Author (and position, and speaker) as scored span candidates anywhere on the page.

The byline rules of ``pipeline.stages.metadata`` read the heading zone; on pages nobody tuned them for, the name is
elsewhere: a ``作者：X`` line after a 来源 line, ``（撰稿：X）`` at the end, ``记者X`` inside the first sentence,
``X/南投报导`` in a bracket, a name glued before a date under the title, ``徐结强：在…上的讲话`` as the title,
``镇长X代表…作了致辞`` in the body, a closing signature. :mod:`pipeline.models.author_candidates` lists every
such span as a candidate (:func:`candidates`); this module describes each person they name by cheap features
(:func:`features`: the kind of pattern, where on the page it is, whether a position is printed, how often the name
recurs, speaks or acts, gives a speech (the clause after it names one: ``…出席会议并讲话``) or opens one (a
salutation after it: ``县长 X`` then ``各位代表：``), and how many kinds of evidence agree), and a logistic regression
trained on the dev set (:func:`fit`; weights in ``pipeline/data/models/authors/``, :func:`save`/:func:`load`)
scores it. The page's author is the best candidate whose probability reaches the threshold, or nobody
(:func:`choose`).

Precise first: the candidate search drops non-persons before scoring (佚名, 未知, 本网, 小编, organisations, 范文-site
personas such as ``李一老师``, editors 编辑/责编 and photographers 摄), every name must start with a surname
(``pipeline/data/surnames.txt``), and the threshold was chosen on site-held-out folds so that at most one page in
fifty that names nobody gets an author.

Training target: the gold ``author``, or the gold ``speaker`` when ``author`` is null (a speech with no separate
byline is the speaker's own text; files 101–150 leave ``speaker`` null when it equals the author).

Leaves alone: the document's text (the metadata stage decides what is removed); which spans are candidates
(``author_candidates``); names in running text with no pattern around them; co-authors after the first.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.document import Document
from pipeline.models.author_candidates import (
    _SPEECH_VERBS, _SPEECH_WORD, KINDS, SPEAKER_KINDS, Candidate, _names_listed, _starts_with_word, candidates,
)
from pipeline.stages.metadata.people import SPACE

NAME: str = "authors"
STAGE: str = "metadata"

# Last characters that end a verb or a phrase rather than a name (`安伟出`, `季星主`, `刘庆说`, `陆林教`).
_FUNCTION_END = set("出主说教表对在于和与及的是等就向为作讲指强称")
# A news report's mark near the top (`本报讯`, `(记者 王明)`, `新华社北京3日电`): quoted officials are not its authors.
# A press conference (`举行记者会`, `回答记者提问`, `记者招待会`) is no such mark: dev pages of four sites name one near
# the top of an announcement (files 170, 173, 174, 175).
_NEWS_MARK = re.compile(r"讯|记者(?![会招提问])|通讯员|报道|报导|日电")


# Titles skipped between a name and its speech verb (`岑浩辉先生表示`).
_HONORIFICS = ("同志", "先生", "女士", "市长", "县长", "书记", "总统", "特首")


# The kinds that credit a page's writer (`记者 王明`, `王明/南投报导`, `作者：王明`, a closing `（王明）`): on such
# a page the writer is the author, and a speaker named after it is not (files 001, 006, 123, 165 credit a writer
# and report a speech).
_WRITER_KINDS = frozenset({"reporter", "filed_from", "label", "closing_credit"})
# A speech a person gives, named in the clause after the name (`金更华出席会议并讲话`, `市长何雄所作的…工作报告`,
# `习近平发表了重要讲话`): the clause is cut at its first comma or stop and read for at most `_CLAUSE_LONGEST`
# characters. Dev pages of four sites name their speaker only so (files 155, 158, 167, 191): the speaker is a
# `position_name` candidate like every official the report lists, and this is what sets the speaker apart.
_DELIVERY = re.compile(r"讲话|致辞|致词|报告|发言|演讲|贺词")
_CLAUSE_END = re.compile(r"[，,。；;！？!?\n]")
_CLAUSE_LONGEST = 20


def _delivers(page: str, start: int) -> bool:
    """Whether the clause opening at ``start`` (right after a name) names a speech: a speech word within
    ``_CLAUSE_LONGEST`` characters and no comma or stop before it (looked for in that order: most clauses hold no
    speech word).

    >>> _delivers("王明出席会议并讲话。", 2), _delivers("王明主持会议，听取了工作报告", 2), _delivers("王明作出批示", 2)
    (True, False, False)
    """
    word = _DELIVERY.search(page, start, start + _CLAUSE_LONGEST)
    return word is not None and _CLAUSE_END.search(page, start, word.start()) is None


# A speech's salutation right after a name, maybe after a bracketed date (`县长  王明` + a new line + `各位代表：`,
# `组织部长王明 (2011 年 5 月 13 日) 同志们：`): the name is the byline of the speech that opens there. Dev pages of
# six sites open a speech so (files 003, 026, 103, 146, 152, 195), every time after the page's speaker.
_SALUTATION = re.compile(
    rf"[{SPACE}]*(?:[（(][^)）\n]{{1,24}}[)）])?[{SPACE}\n]*(?:同志们|各位代表|各位委员|女士们|尊敬的)"
)


def _mentions_and_speaking(name: str, page: str) -> tuple[int, int, int, int]:
    """``page.count(name)``, how often ``name`` is followed by a speech verb (`岑浩辉首先…`, `金更华在讲话中…`),
    titles skipped, how often the clause after it names a speech (:func:`_delivers`) and how often a salutation
    follows it (`_SALUTATION`): one walk over the occurrences (non-overlapping, as ``str.count`` counts them).

    >>> _mentions_and_speaking("王明", "王明指出，王明同志表示，王明的讲话\\n县长 王明\\n同志们：")
    (4, 2, 1, 1)
    """
    mentions = speaking = delivering = saluting = 0
    at = page.find(name)
    while at != -1:
        mentions += 1
        delivering += _delivers(page, at + len(name))
        saluting += _SALUTATION.match(page, at + len(name)) is not None
        after = page[at + len(name):at + len(name) + 8].lstrip(SPACE)
        if after.startswith(_HONORIFICS):
            for honorific in _HONORIFICS:
                if after.startswith(honorific):
                    after = after[len(honorific):]
                    break
        speaking += after.startswith(_SPEECH_VERBS)
        at = page.find(name, at + len(name))
    return mentions, speaking, delivering, saluting


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
    has_writer = any(c.kind in _WRITER_KINDS for c in found)
    counted = {name: _mentions_and_speaking(name, text) for name in {c.name for c in found}}
    mentions = {name: count for name, (count, *_others) in counted.items()}
    top_mentions = max(mentions.values(), default=0)
    top_delivering = max((delivering for _count, _speaking, delivering, _saluting in counted.values()), default=0)
    rows: dict[str, dict[str, float]] = {}
    for candidate in found:
        rank = order.get(candidate.line)
        row = rows.get(candidate.name)
        if row is None:
            row = rows[candidate.name] = {
                "log_mentions": math.log1p(mentions[candidate.name]),
                "most_mentioned": float(mentions[candidate.name] == top_mentions),
                "log_speaking": math.log1p(counted[candidate.name][1]),
                "log_delivering": math.log1p(counted[candidate.name][2]),
                "most_delivering": float(0 < counted[candidate.name][2] == top_delivering and not has_writer),
                "before_salutation": float(counted[candidate.name][3] > 0),
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


FEATURES = tuple([f"kind={k}" for k in KINDS] + [
    "has_position", "from_removal", "top3", "bottom3", "first_relative_line", "log_mentions", "kinds_agreeing",
    "in_heading", "name_len3", "news_page", "only_speaker_kinds", "speaker_with_reporter", "short_line",
    "log_speaking", "most_mentioned", "starts_with_word", "ends_with_function", "speech_page",
    "log_people", "log_delivering", "most_delivering", "before_salutation"])


def target_name(gold: dict) -> str | None:
    """The name the page is scored on: ``author``, else ``speaker``."""
    return gold.get("author") or gold.get("speaker")


@dataclass(frozen=True)
class Example:
    page: str  # the gold file name (examples of one page are scored together)
    name: str
    vector: tuple[float, ...]
    label: int


def vectorize(row: dict[str, float]) -> tuple[float, ...]:
    return tuple(row.get(name, 0.0) for name in FEATURES)


def examples(document: Document, gold: dict) -> list[Example]:
    """Training examples of one dev page: each candidate, labelled 1 when it names the scored person."""
    want = target_name(gold)
    return [Example(gold["file"], name, vectorize(row), int(name == want))
            for name, row in features(document, candidates(document))]


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    threshold: float  # the default decision threshold (the stage config may override it)

    def probability(self, vector: tuple[float, ...]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, vector, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


# Regularisation strength: C=1 with 150 pages and ~30 features; chosen on site-held-out folds.
DEFAULT_C = 1.0
# Default threshold: chosen on site-held-out folds for at most 1 invented author per 50 pages naming nobody.
DEFAULT_THRESHOLD = 0.5


def fit(items: list[Example], c: float = DEFAULT_C, threshold: float = DEFAULT_THRESHOLD) -> Model:
    """Logistic regression over the candidate features (scikit-learn at training time only; deterministic)."""
    from sklearn.linear_model import LogisticRegression

    items = sorted(items, key=lambda e: (e.page, e.name, e.vector, e.label))
    labels = [e.label for e in items]
    if not items or len(set(labels)) < 2:
        return Model(tuple(0.0 for _ in FEATURES), -10.0, threshold)
    regression = LogisticRegression(C=c, max_iter=2000, solver="lbfgs", random_state=0)
    regression.fit([list(e.vector) for e in items], labels)
    weights = tuple(round(float(w), 6) for w in regression.coef_[0])
    return Model(weights, round(float(regression.intercept_[0]), 6), threshold)


def save(model: Model, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"features": list(FEATURES), "weights": list(model.weights), "bias": model.bias,
               "threshold": model.threshold}
    (folder / "authors.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load(folder: Path) -> Model:
    payload = json.loads((folder / "authors.json").read_text(encoding="utf-8"))
    weights = dict(zip(payload["features"], payload["weights"], strict=True))
    return Model(tuple(weights.get(name, 0.0) for name in FEATURES), payload["bias"], payload["threshold"])


@dataclass(frozen=True)
class Choice:
    author: str
    position: str | None
    kind: str
    line: int
    span: str
    score: float


_ONCE = math.log1p(1)


def _eligible(row: dict[str, float], names_listed: bool = False) -> bool:
    """A person named only after a position word (`省委书记卫留成同志也…`) must also speak or act somewhere on the
    page (`卫留成指出…`), or be named again, to be its speaker: an official mentioned once in passing is not.
    Unless that official is the only person a page that is no news report names (`…局长王明：…的讲话` whose
    speech patterns miss the title, a speech reposted with `特首李家超` once): then the scorer decides. A news
    report (`记者`, `讯` at the top) quotes officials it does not speak for; a page listing other people by name
    (``names_listed``: `张三、李四等同志`) names more than one person even if only one is a candidate."""
    kinds = [key for key in row if key.startswith("kind=")]
    return (kinds != ["kind=position_name"] or row.get("log_speaking", 0.0) > 0.0 or row["log_mentions"] > _ONCE
            or (row["log_people"] <= _ONCE and not row["news_page"] and not names_listed))


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
