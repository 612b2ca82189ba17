"""Scraping-artifact removal: the stage that takes site debris out of a page and leaves the content.

What it changes (every change is recorded as a ``Removal`` with a stable rule name from
``rules.RULES`` and the 0-based line number in the text this stage received):

- drops debris LINES: navigation rows and breadcrumbs, login boxes, page header and credit lines, view
  counters, previous/next and related-article blocks, share/QR widgets, copyright/ICP/disclaimer footers,
  ad and jump markers, image captions and image file names, SEO spam titles, a title repeated in the body;
- drops debris SPANS glued into a line: 范文 template sentences, reporter tags (``本网讯(记者 傅长琪)``),
  pinyin ruby (``县长(zhǎng)``), BBCode, SEO titles injected mid-sentence, trailing credits, table-cell
  pipes left by HTML extraction, a table of contents run into the first sentence;
- rejoins a paragraph broken mid-sentence by a page break, a caption or a hard wrap (seed 004 ``纪律松`` +
  ``驰``); numbered and short headings are never merged into the next paragraph;
- moves page-header values into empty fields: ``published_at`` (ISO, time kept when printed),
  ``category`` (栏目), ``source_site`` (来源); moves a series header into ``series`` and a compilation's
  编者按 into ``editor_note``; copies a closing note ``(根据…讲话整理)`` into ``source_note`` (it stays in
  the text).

What it deliberately leaves alone: punctuation and spacing inside kept text (doubled punctuation, width,
space runs are the punctuation stage's job), the title/subtitle/position+name byline lines (the metadata
stage takes them out), datelines such as ``新华社杭州7月31日电``, standfirsts, numbered headings, dated
subtitle lines (``2019年3月2日在…会议上``). When unsure it keeps the text: a sentence of content lost is
worse than a line of debris left. A page that was nothing but debris becomes a Rejection
``artifacts.empty_after_cleaning``. Rules that may delete a whole sentence ending in 。！？ are listed in
``rules.SENTENCE_RULES`` and each is shown by a test case.

Cross-document repetition (a footer no rule knows) needs counts over many documents, so it is a separate
pure step (``cross_document``): ``count_line_hashes`` → ``common_line_hashes`` → ``remove_repeated_lines``;
the caller wires the counting across shards.

The stage runs its passes to a fixpoint (at most ``_MAX_PASSES``), so it is idempotent on its own output.

Speed, without changing any output: a costly pattern runs only when a cheap literal hint proves it may
match (``rules.literal_hint``; most body lines are prose no rule touches), the span steps' hints
are found in one scan of the line (``_span_hint_kinds``), length limits are tested before patterns, and the
pure per-line rules are cached per config (``_LineMemo``), and a later pass of the fixpoint skips what an earlier
pass of the page proved (``rule_pass``: texts the span step settled, texts no whole-line rule takes).
tests/test_artifacts.py checks the hints on real and generated lines; tests/test_artifacts_fixpoint.py compares
the fixpoint with the loop that asked every rule on every pass.

Where things are (this module is the stage: the rule pass, the line-role model on what the rules kept, and
the fields and text handed on):

- ``rules``: rule names (``RULES``, ``SENTENCE_RULES``) and the pattern constants, each with an example;
- ``rule_pass``: one pass of the rules over a page (spans, structure, whole lines, context, title) and the
  fixpoint it runs to;
- ``spans``: debris spans glued into a line (templates, reporter tags, pinyin ruby, BBCode, table pipes,
  SEO injections, a table of contents run into the text), gated by literal hints;
- ``line_rules``: the rule a whole line falls under by itself; ``headers``: page header/credit lines and
  the values they carry; ``context_rules``: rules that need the neighbouring lines;
- ``paragraph_rejoin``: lines broken mid-sentence put back together;
- ``cross_document``: lines repeated across many documents of one source;
- ``text``: the line record, the pass state and the small text tests the modules share.
"""

from __future__ import annotations

from pipeline.document import Document, Rejection, Removal
from pipeline.fields import names as field_names
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.cross_document import (
    common_line_hashes,
    count_line_hashes,
    line_hash,
    remove_repeated_lines,
)
from pipeline.stages.artifacts.headers import header_match, iso_datetime
from pipeline.stages.artifacts.rule_pass import (
    _MAX_PASSES,
    _rule_pass,
    _rules_to_fixpoint,
)
from pipeline.stages.artifacts.text import _WORD_CHAR_RE, _Line, _State, normalized_line

RULES = R.RULES

__all__ = [
    "RULES",
    "common_line_hashes",
    "count_line_hashes",
    "header_match",
    "iso_datetime",
    "line_hash",
    "normalized_line",
    "remove_artifacts",
    "remove_artifacts_with",
    "remove_repeated_lines",
    "rule_pass_view",
]


def remove_artifacts(doc: Document, config: ArtifactsConfig) -> Document | Rejection:
    """Remove scraping debris from ``doc.text``; every removal is recorded (see the module docstring).

    >>> from pipeline.document import Document
    >>> d = Document(source_file="a.txt", source_sha256="0" * 64,
    ...              text="标题\\n\\n时间:2022-11-24 08:47:00\\n\\n标题\\n\\n正文第一句。")
    >>> out = remove_artifacts(d, ArtifactsConfig())
    >>> out.text, out.published_at
    ('标题\\n\\n正文第一句。', '2022-11-24T08:47:00')
    >>> [r.rule for r in out.removals]
    ['artifacts.header_line', 'artifacts.repeated_title']
    """
    return remove_artifacts_with(doc, config, _line_model(config))


def remove_artifacts_with(doc: Document, config: ArtifactsConfig, model) -> Document | Rejection:
    """``remove_artifacts`` with an explicit line-role model (None: the rules alone); for training folds."""
    lines, state = _rule_pass(doc, config)
    for _ in range(_MAX_PASSES if model is not None else 0):
        # the model's drops can expose what a rule knows (a site name now on top): rules and model to a fixpoint,
        # so the stage stays idempotent on its own output
        dropped = _model_pass(lines, state, doc, config, model)
        if len(dropped) == len(lines):
            break
        lines = _rules_to_fixpoint(dropped, state, doc, config)
    return _finish(doc, lines, state)


def rule_pass_view(doc: Document, config: ArtifactsConfig = ArtifactsConfig(), kept_only: bool = True) -> list:
    """What the line-role model sees of ``doc``: one ``lines.LineView`` per non-blank line the rules kept
    (``kept_only=False``: per non-blank input line, the rules' removals marked, for training)."""
    from pipeline.models import lines as line_model

    lines, state = _rule_pass(doc, config)
    return line_model.line_views(doc.text, [(line.number, line.text) for line in lines], state.removals, kept_only)


def _line_model(config: ArtifactsConfig):
    """The shipped (or ``config.model_dir``) line-role model; None when there is none (rules alone)."""
    from pipeline.models import model_for

    return model_for("lines", config.model_dir)


def _model_pass(lines: list[_Line], state: _State, doc: Document, config: ArtifactsConfig, model) -> list[_Line]:
    """Drop the kept lines the line-role model calls debris with a score of at least ``config.model_min_score``.

    Each drop is a ``Removal`` named ``model.<role>:<score>``. Lines the model keeps are left exactly as
    the rules left them."""
    from pipeline.models import lines as line_model

    if not any(0 < len(text) <= line_model.LONG_LINE_CHARS and line_model.may_be_debris_cached(text)
               for text in (line.text.strip() for line in lines)):
        return lines  # short prose and paragraphs only: no run of lines the model would tag (see debris_lines)
    views = line_model.line_views(doc.text, [(line.number, line.text) for line in lines], state.removals)
    if len(views) < config.model_min_lines:
        return lines
    drops = line_model.debris_lines(model, views, config.model_min_score, config.model_max_line_chars)
    if not drops:
        return lines
    out: list[_Line] = []
    dropped_since = False
    for index, line in enumerate(lines):
        decision = drops.get(index)
        if decision is not None:
            role, score = decision
            state.removals.append(Removal(f"model.{role}:{score:.2f}", line.number, line.text.strip()))
            dropped_since = True
            continue
        if not line.text.strip():
            if dropped_since and (not out or not out[-1].text.strip()):
                continue  # keep one blank line where a drop left two
            out.append(line)
            continue
        dropped_since = False
        out.append(line)
    while dropped_since and out and not out[-1].text.strip():
        out.pop()
    return out


# Fields this stage fills from page-header lines (时间:, 来源:, 栏目:, 编者按 …) when still empty (pipeline/fields.py).
HEADER_FIELDS = field_names(filled_by="artifacts")


def _finish(doc: Document, lines: list[_Line], state: _State) -> Document | Rejection:
    text = "\n".join(line.text for line in lines)
    if not _WORD_CHAR_RE.search(text):  # same as "normalized_line(text) is empty", without building it
        return Rejection(
            source_file=doc.source_file,
            reason="artifacts.empty_after_cleaning",
            detail=f"{len(state.removals)} removals left no text; rules: "
            + ", ".join(sorted({r.rule for r in state.removals}))[:400],
            source_line=doc.source_line,
            source_sha256=doc.source_sha256,
            article_index=doc.article_index,
        )
    changes = {}
    for name in HEADER_FIELDS:
        if getattr(doc, name) is None and name in state.fields:
            changes[name] = state.fields[name][1]
    return doc.with_changes(text=text, removals=doc.removals + tuple(state.removals), **changes)  # one copy
