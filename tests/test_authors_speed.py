"""The author scorer's speed work (issue 20) changes no result: every shortcut against the plain code it replaced.

``tests/authors_reference.py`` holds ``_line_candidates``, ``candidates``, ``features`` and ``choose`` as they were
before; here they are compared with ``pipeline.models.author_candidates`` (the candidate search) and
``pipeline.models.authors`` (features and choice) on generated lines and pages (hypothesis), on every
line of the dev set and the seeds, and on the dev-set and seed documents as the metadata stage receives them. Each
prefilter is also checked on its own: where it says no, the pattern it guards finds nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

import authors_reference as reference
import pytest
from conftest import DEVSET, needs_devset
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection, Removal
from pipeline.models import author_candidates, authors, model_for
from pipeline.readers import Unit, read_unit
from pipeline.stages import STAGES

SEEDS = Path(__file__).resolve().parents[1] / "data" / "raw"
SHIPPED = model_for(authors.NAME, "")

# Pieces of bylines, speech titles and body sentences (written for the tests): a generated line joins some of them,
# so that the patterns meet their words, their separators and their near misses in every order.
_PIECES = (
    "县长 市委书记 常务副县长 常务副市长 党组书记、局长 主任 委员 委员长 行政长官 特首 主委 总统 记者 通讯员 特派员 "
    "本报 全媒体 作者 撰稿人 执笔 供稿 文字 文 编辑 摄 老师 王明 李 强 欧阳 修 张三丰 胡 侠 周建国 和 全县 时间 "
    ": ： / ／ | ｜ = 【 】 ( （ ) ） [ ] 报道 报导 南投 3日电 在 于 全县工作会议 上的讲话 时的致辞 致辞 指出 代表 "
    "强调 作了 今日 同志 先生 2020-01-02 2021年3月 19 、 等 ， 。 ; ? 的 讲话 心得 讯 (qū) 高建军"
).split(" ") + [" ", "  ", "\u3000", "\t", "\u00a0", "作\u3000者", "\ufffd"]
_LINES = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)


def _doc(text: str, removals=()) -> Document:
    return Document(source_file="t.txt", source_sha256="0" * 64, text=text, removals=tuple(removals))


def _same_line_candidates(line: str, page: str) -> None:
    for top, bottom, removed in ((False, False, False), (True, False, False), (False, True, False),
                                 (True, False, True)):
        want = reference._line_candidates(3, line, top, bottom, page, removed=removed)
        got = author_candidates._line_candidates(3, line, top, bottom, page, removed=removed)
        assert got == want, (top, bottom, removed)


@settings(max_examples=600, deadline=None)
@example("会上，市委书记王明在全县工作会议上的讲话", "王明指出")
@example("记者 王明/南投报道 作者：李强", "")
@example("行政长官 李强致辞，委员长王明指出", "李强表示")
@example("心得高建军2020-01-02", "")
@given(_LINES, _LINES)
def test_line_candidates_read_as_before(line, more):
    _same_line_candidates(line, line + "\n" + more)


@settings(max_examples=300, deadline=None)
@example(["会议纪要", "县长  王明", "会上，县长王明强调，王明指出", "(周建国)"], ["作者:李强"])
@given(st.lists(_LINES, min_size=1, max_size=12), st.lists(_LINES, max_size=3))
def test_candidates_features_and_choice_read_as_before(lines, removed):
    doc = _doc("\n".join(lines), [Removal("artifacts.header_line", 0, text) for text in removed])
    _same_page(doc)


def _same_page(doc: Document) -> None:
    found = reference.candidates(doc)
    assert authors.candidates(doc) == found
    if found:
        assert authors.features(doc, found) == reference.features(doc, found)
    assert author_candidates._names_listed(doc.text) == reference._names_listed(doc.text)
    if SHIPPED is not None:
        assert authors.choose(doc, SHIPPED) == reference.choose(doc, SHIPPED)


# --- each prefilter on its own: where it says no, the pattern (or the kinds it guards) finds nothing ---------------

_POSITION_KINDS = {"position_speech", "position_verb", "position_name"}


def _prefilters_hold(line: str) -> None:
    named = author_candidates._POSITION_THEN_NAME.search(line) is not None
    if not named:
        kinds = {c.kind for c in reference._line_candidates(0, line, True, True, line)}
        assert not kinds & _POSITION_KINDS
    for top, bottom, removed in ((False, False, False), (True, False, False), (False, True, False),
                                 (True, True, False), (True, False, True)):
        if not named and not author_candidates._may_yield(line, top, bottom, removed):
            assert reference._line_candidates(0, line, top, bottom, line, removed=removed) == [], (top, bottom)
    if not author_candidates._removed_line_may_yield(line):
        assert reference._line_candidates(-1, line, True, False, line, removed=True) == []
    if author_candidates._LABEL_HINT.search(line) is None:
        assert author_candidates._LABEL.search(line) is None
    if "/" not in line and "／" not in line:
        assert author_candidates._FILED_FROM.search(line) is None
    if author_candidates._TWO_HAN.search(line) is None:
        assert reference._line_candidates(-1, line, True, False, line, removed=True) == []
    year = author_candidates._YEAR.search(line)
    plain = [(m.span(), m.groupdict()) for m in author_candidates._NAME_DATE.finditer(line)]
    start = author_candidates._earliest_name_date(line, year.start()) if year else len(line)
    assert [(m.span(), m.groupdict()) for m in author_candidates._NAME_DATE.finditer(line, start)] == plain
    starts, ends = author_candidates._position_spans(line)
    assert starts == reference._position_word_starts(line)
    assert ends == [m.span() for m in author_candidates._POSITION_END.finditer(line)]


@settings(max_examples=600, deadline=None)
@example("常务副县长  王明、特首李强")
@example("行政长官崔世安于会上致辞")
@example("作者】 ：王明")
@example("王明 2020-01-02")
@example("  （周建国）")
@example("作者／王明")
@example("作者|王明")
@example("文/王明")
@example("【王明／南投报导】")
@example("通讯员 王明")
@example("本报记者：王明")
@example("会议纪要 高建军")
@given(_LINES)
def test_prefilters_never_hide_a_match(line):
    _prefilters_hold(line)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=10))
def test_page_scan_finds_the_lines_each_line_scan_finds(lines):
    text = "\n".join(lines)
    each = {i for i, line in enumerate(lines) if author_candidates._POSITION_THEN_NAME.search(line)}
    assert author_candidates._lines_holding(author_candidates._POSITION_THEN_NAME, text, text.split("\n")) == each


# --- real pages: every line of the dev set and the seeds, and the documents the metadata stage receives ---------


def _raw_documents(raw_dir: Path) -> list[Document]:
    config = BuildConfig()
    documents = []
    for path in sorted(raw_dir.iterdir()):
        kind = "html" if path.suffix.lower() in config.ingest.html_suffixes else "text"
        size = path.stat().st_size
        documents.extend(d for d in read_unit(raw_dir, Unit(path.name, kind, size, 0, size), config, None)
                         if isinstance(d, Document))
    return documents


def _before_metadata(document: Document) -> Document | None:
    """The document as the metadata stage receives it (the stages before it, as ``run_stages`` chains them)."""
    config = BuildConfig()
    for stage in STAGES:
        if stage.name == "metadata":
            return document
        if stage.corpus_wide:
            continue  # needs the pre-pass over a whole input
        document = stage.function(document, getattr(config, stage.config_section))
        if isinstance(document, Rejection):
            return None
    return document


@functools.lru_cache(maxsize=1)
def _real_documents() -> tuple[Document, ...]:
    raw = _raw_documents(SEEDS) + (_raw_documents(Path(DEVSET) / "raw") if DEVSET else [])
    staged = [_before_metadata(d) for d in raw]
    return tuple(raw) + tuple(d for d in staged if d is not None)


@needs_devset
def test_every_real_line_reads_as_before():
    documents = _real_documents()
    lines = {line for d in documents for line in d.text.split("\n")} | {r.text for d in documents for r in d.removals}
    assert len(lines) > 2000  # 2,337 distinct lines and removed lines (session 7)
    for line in sorted(lines):
        _prefilters_hold(line)
        _same_line_candidates(line, line)


@needs_devset
@pytest.mark.skipif(SHIPPED is None, reason="no shipped authors model")
def test_every_real_page_reads_as_before():
    documents = _real_documents()
    assert sum(1 for d in documents if d.removals) > 100
    for doc in documents:
        _same_page(doc)
