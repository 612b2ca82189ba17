"""The artifacts rule pass as it was before the speed work of session 8 (main b23e5eb): the reference the
rewritten fixpoint in ``pipeline.stages.artifacts.rule_pass`` is compared with (tests/test_artifacts_fixpoint.py).
Not used by the product.

Copied from ``pipeline/stages/artifacts/rule_pass.py`` (``_clean_once``, ``_clean_spans``, ``_whole_line_rules``,
``_rules_to_fixpoint``) with two changes that keep it independent of what the speed work added: it asks the span
step and the whole-line rules afresh on every pass (no ``span_clean`` skip, no per-config memo, no facts carried
from one pass to the next), and the fixpoint counts the passes that changed the text, so a test can show that
it saw later passes do work. The steps the speed work left alone (structure, context rules, title, inline
spans, emit, rejoin) are read from the product modules.
"""

from __future__ import annotations

import functools

from pipeline.document import Document
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts.context_rules import _context_rules
from pipeline.stages.artifacts.headers import _header_fields, _is_counter_only
from pipeline.stages.artifacts.line_rules import (
    _REPORTER_LINE_MAX_CHARS,
    _footer_line,
    _line_rule,
    _reporter_line,
)
from pipeline.stages.artifacts.paragraph_rejoin import _rejoin, _should_join
from pipeline.stages.artifacts.rule_pass import (
    _MAX_PASSES,
    _cut_inline_spans,
    _emit,
    _find_title,
    _repeated_titles,
    _structure_rules,
)
from pipeline.stages.artifacts.spans import _replay, _span_edits
from pipeline.stages.artifacts.text import _Line, _offer_field, _State


class _PlainMemo:
    """The pure per-line functions of ``rule_pass._LineMemo``, uncached."""

    def __init__(self, config: ArtifactsConfig):
        self.header_fields = functools.partial(_header_fields, config=config)
        self.line_rule = functools.partial(_line_rule, config=config)
        self.footer_line = functools.partial(_footer_line, config=config)
        self.should_join = functools.partial(_should_join, config=config)


def rule_pass_reference(doc: Document, config: ArtifactsConfig) -> tuple[list[_Line], _State, int]:
    """``rule_pass._rule_pass`` as it was: (lines left, state, passes that changed the text)."""
    lines = [_Line(number, text) for number, text in enumerate(doc.text.split("\n"))]
    state = _State(removals=[], fields={}, memo=_PlainMemo(config))
    lines, changed = rules_to_fixpoint_reference(lines, state, doc, config)
    return lines, state, changed


def rules_to_fixpoint_reference(lines: list[_Line], state: _State, doc: Document,
                                config: ArtifactsConfig) -> tuple[list[_Line], int]:
    changed = 0
    for _ in range(_MAX_PASSES):
        before = [line.text for line in lines]
        lines = _clean_once(lines, state, doc, config)
        if [line.text for line in lines] == before:
            break
        changed += 1
    return lines, changed


def _clean_once(lines: list[_Line], state: _State, doc: Document, config: ArtifactsConfig) -> list[_Line]:
    lines, emptied = _clean_spans(lines, state, config)
    nonblank = [i for i, line in enumerate(lines) if line.text.strip()]
    rules = _structure_rules(lines, nonblank, state, doc)
    memo = state.memo
    _whole_line_rules(lines, nonblank, rules, state, config, memo)
    _context_rules(lines, nonblank, rules, config, memo)
    kept = [i for i in nonblank if i not in rules]
    _find_title(lines, kept, state, config)
    _repeated_titles(lines, kept, rules, state, config)
    _cut_inline_spans(lines, kept, rules, state)
    return _rejoin(_emit(lines, rules, emptied, state), state, config)


def _clean_spans(lines: list[_Line], state: _State, config: ArtifactsConfig) -> tuple[list[_Line], set[int]]:
    span_cleaned: list[_Line] = []
    emptied: set[int] = set()
    for line in lines:
        new_text, edits = _span_edits(line.text, config)[:2]  # (the third value, "settled", is new)
        if edits:
            _replay(state, line, edits)
        if new_text == line.text:
            span_cleaned.append(line)
            continue
        if line.text.strip() and not new_text.strip():
            emptied.add(len(span_cleaned))
            new_text = ""
        span_cleaned.append(_Line(line.number, new_text))
    return span_cleaned, emptied


def _whole_line_rules(lines: list[_Line], nonblank: list[int], rules: dict[int, str], state: _State,
                      config: ArtifactsConfig, memo) -> None:
    top = set(nonblank[:15])
    bottom = set(nonblank[-10:])
    for i in nonblank:
        if i in rules:
            continue
        text = lines[i].text
        rule = memo.line_rule(text)
        long_plain = "|" not in text and len(text.strip()) > max(config.header_max_chars, _REPORTER_LINE_MAX_CHARS)
        if rule is None and not long_plain and (i in top or i in bottom or "|" in text or "｜" in text):
            triples = memo.header_fields(text)
            if triples is not None:
                rule = "artifacts.view_counter" if _is_counter_only(text) else "artifacts.header_line"
                for name, value, priority in triples:
                    _offer_field(state, name, value, priority)
        if rule is None and not long_plain and _reporter_line(text):
            rule = "artifacts.reporter_tag"
        if rule:
            rules[i] = rule


def remove_artifacts_reference(doc: Document, config: ArtifactsConfig, model):
    """``artifacts.remove_artifacts_with`` over the reference fixpoint (the model pass and the finish are the
    product's): the stage's result as it was."""
    from pipeline.stages.artifacts import _finish, _model_pass

    lines, state, _ = rule_pass_reference(doc, config)
    for _ in range(_MAX_PASSES if model is not None else 0):
        dropped = _model_pass(lines, state, doc, config, model)
        if len(dropped) == len(lines):
            break
        lines, _ = rules_to_fixpoint_reference(dropped, state, doc, config)
    return _finish(doc, lines, state)
