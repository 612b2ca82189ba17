"""One pass of the rules over a page, and the fixpoint the stage runs them to.

A pass: debris spans inside lines, compilation structure (series header, editor's note, closing note),
whole-line rules, context rules, the title and what repeats it, then the ruled lines are dropped (one blank
line kept where a removal left two) and broken paragraphs are rejoined. The pure per-line rules are cached
per config (``_LineMemo``), so the fixpoint's second pass costs little.

A later pass of the fixpoint skips what an earlier pass of the same document proved, and nothing else (the
result is the same as asking every rule again: tests/test_artifacts_fixpoint.py compares it with that loop,
kept in tests/artifacts_reference.py, on the dev pages and on generated pages where later passes do change the
text). Which rules depend on what:

- the span step (``_span_edits``) is a pure function f of the line's text: a text it left as it was, without
  edits, gives the same again (``_State.span_clean``), and so does a text f made that is proven to take f's first
  return (no span hint in it, ``settled``). Any other text is asked again, so a line whose cut exposes more
  debris (f(f(x)) != f(x): a BBCode tag hiding a pinyin ruby) is still cleaned in the next pass;
- the whole-line rules: the line rule and the reporter-line test are pure in the text; the header test is too,
  but only asked for lines near the top or bottom (or with a pipe), a place that moves when lines above are
  dropped. ``_State.line_facts`` records "no rule" per text, or "no rule unless the header test is asked": such
  a line is skipped, and asked again once its place asks for the header test;
- structure (first / last five lines, 编者按), the context rules (neighbours, runs, the top four lines, the menu
  block), the title, the repeated title, the inline spans and the rejoin read places, neighbours or the title:
  they are asked again in full on every pass (their per-line parts are cached by text only).
"""

from __future__ import annotations

import functools

from pipeline.document import Document
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages.artifacts import rules as R
from pipeline.stages.artifacts.context_rules import _context_rules
from pipeline.stages.artifacts.headers import _header_fields, _is_counter_only
from pipeline.stages.artifacts.line_rules import (
    _REPORTER_LINE_MAX_CHARS,
    _footer_line,
    _line_rule,
    _reporter_line,
)
from pipeline.stages.artifacts.paragraph_rejoin import (
    _is_heading,
    _rejoin,
    _should_join,
)
from pipeline.stages.artifacts.spans import (
    _has_seo_hint,
    _remove_seo_injection,
    _remove_toc_run,
    _replay,
    _span_edits,
)
from pipeline.stages.artifacts.text import (
    _HAN_RE,
    _LINE_CACHE_SIZE,
    _Line,
    _normalized_line_cached,
    _offer_field,
    _remove,
    _State,
    _strip_table,
    normalized_line,
)

# a later pass finds what an earlier one exposed (a site name left alone at the top); real pages settle in 2
_MAX_PASSES = 5


class _LineMemo:
    """Caches of the pure per-line functions for one config, keyed by the line text alone.

    The fixpoint's second pass sees most lines unchanged, and page chrome repeats across documents; the
    functions are pure in (text, config), so their results are reused. Bounded: memory stays flat.
    """

    def __init__(self, config: ArtifactsConfig):
        cache = functools.lru_cache(maxsize=_LINE_CACHE_SIZE)
        self.header_fields = cache(functools.partial(_header_fields, config=config))
        self.span_edits = cache(functools.partial(_span_edits, config=config, header_fields=self.header_fields))
        self.line_rule = cache(functools.partial(_line_rule, config=config))
        self.footer_line = cache(functools.partial(_footer_line, config=config))
        self.should_join = cache(functools.partial(_should_join, config=config))


_memo_for = functools.lru_cache(maxsize=8)(_LineMemo)  # one memo per config (hashed once per document)


def _clean_once(lines: list[_Line], state: _State, doc: Document, config: ArtifactsConfig) -> list[_Line]:
    """One pass of every rule over ``lines``; returns the lines kept (rejoined), recording on ``state``."""
    lines, emptied = _clean_spans(lines, state, config)
    nonblank = [i for i, line in enumerate(lines) if line.text.strip()]
    rules = _structure_rules(lines, nonblank, state, doc)
    memo = state.memo or _LineMemo(config)
    _whole_line_rules(lines, nonblank, rules, state, config, memo)
    _context_rules(lines, nonblank, rules, config, memo)
    kept = [i for i in nonblank if i not in rules]
    _find_title(lines, kept, state, config)
    _repeated_titles(lines, kept, rules, state, config)
    _cut_inline_spans(lines, kept, rules, state)
    return _rejoin(_emit(lines, rules, emptied, state), state, config)


def _clean_spans(lines: list[_Line], state: _State, config: ArtifactsConfig) -> tuple[list[_Line], set[int]]:
    """Step 1, spans inside lines: the lines with their debris spans cut, and the indexes of the lines that were
    made of debris spans only (already recorded; dropped like ruled lines)."""
    span_cleaned: list[_Line] = []
    emptied: set[int] = set()
    span_edits = state.memo.span_edits if state.memo else functools.partial(_span_edits, config=config)
    for line in lines:
        if line.text in state.span_clean:
            span_cleaned.append(line)
            continue
        new_text, edits, settled = span_edits(line.text)
        if edits:
            _replay(state, line, edits)
        if new_text == line.text:
            if not edits:
                state.span_clean.add(line.text)
            span_cleaned.append(line)  # unchanged (lines are never modified in place)
            continue
        if line.text.strip() and not new_text.strip():
            emptied.add(len(span_cleaned))
            new_text = ""
        elif settled:  # proven: the span step leaves the new text as it is (the next pass skips it)
            state.span_clean.add(new_text)
        span_cleaned.append(_Line(line.number, new_text))
    return span_cleaned, emptied


def _structure_rules(lines: list[_Line], nonblank: list[int], state: _State, doc: Document) -> dict[int, str]:
    """Step 2, compilation structure: series header, editor's note (offered as fields, and ruled out of the text
    in a compilation), closing note (offered, kept in the text). Returns the rules found (line index -> rule)."""
    rules: dict[int, str] = {}
    series_found = doc.series is not None or state.fields.get("series") is not None
    for i in nonblank[:5]:
        match = R.SERIES_RE.match(lines[i].text.strip())
        if match:
            _offer_field(state, "series", match.group("name"), 0)
            rules[i] = "structure.series"
            series_found = True
    for i in nonblank:
        if "编者按" not in lines[i].text:  # EDITOR_NOTE_RE needs it
            continue
        stripped = lines[i].text.strip()
        match = R.EDITOR_NOTE_RE.match(stripped)
        if match and match.end() > 0 and "编者按" in stripped[: match.end()]:
            _offer_field(state, "editor_note", stripped[match.end() :], 0)
            if series_found:
                rules[i] = "structure.editor_note"
            break
    for i in nonblank[-5:]:
        match = R.SOURCE_NOTE_RE.match(_strip_table(lines[i].text))
        if match:
            _offer_field(state, "source_note", match.group("note"), 0)
    return rules


# What _whole_line_rules found for a text in an earlier pass of the same document (_State.line_facts): no rule of
# its own (line rule None, no reporter line) and no header line either, or none unless its place asks the header test.
_NO_RULE = 1
_NO_RULE_BUT_HEADER = 2


def _whole_line_rules(lines: list[_Line], nonblank: list[int], rules: dict[int, str], state: _State,
                      config: ArtifactsConfig, memo: _LineMemo) -> None:
    """Step 3, whole-line rules: each line's own rule, header lines (near the top or bottom, or in a table row;
    their values offered as fields) and reporter-only bylines. Adds to ``rules``."""
    top = set(nonblank[:15])
    bottom = set(nonblank[-10:])
    plain_max = max(config.header_max_chars, _REPORTER_LINE_MAX_CHARS)
    facts = state.line_facts
    for i in nonblank:
        if i in rules:
            continue
        text = lines[i].text
        fact = facts.get(text)
        header_place = i in top or i in bottom or "|" in text or "｜" in text
        if fact is _NO_RULE or (fact is _NO_RULE_BUT_HEADER and not header_place):
            continue  # what an earlier pass found for this text, the rules being pure in it (see _State.line_facts)
        rule = memo.line_rule(text)
        # without a "|", _strip_table(text) is text.strip(): a longer line is no header line (None at once)
        # and no reporter line (False at once), so neither cached function needs a call
        long_plain = "|" not in text and len(text.strip()) > plain_max
        if rule is None and not long_plain and header_place:
            triples = memo.header_fields(text)
            if triples is not None:
                rule = "artifacts.view_counter" if _is_counter_only(text) else "artifacts.header_line"
                for name, value, priority in triples:
                    _offer_field(state, name, value, priority)
        if rule is None and not long_plain and _reporter_line(text):
            rule = "artifacts.reporter_tag"
        if rule:
            rules[i] = rule
        else:  # the header test was made (or cannot succeed: long_plain), or only the line's place kept it out
            facts[text] = _NO_RULE if long_plain or header_place else _NO_RULE_BUT_HEADER


def _find_title(lines: list[_Line], kept: list[int], state: _State, config: ArtifactsConfig) -> None:
    """Step 5a: the page's title, once: the first heading-like line of the first three kept lines."""
    if state.title is not None:
        return
    for i in kept[:3]:
        first_han = _HAN_RE.search(lines[i].text)  # fewer than two Han characters: not a title
        if first_han is None or _HAN_RE.search(lines[i].text, first_han.end()) is None:
            continue
        if _is_heading(lines[i].text, config) or (
            len(lines[i].text.strip()) <= 60 and lines[i].text.strip()[-1:] not in R.TERMINAL
        ):
            state.title = lines[i].text.strip()
            break


def _repeated_titles(lines: list[_Line], kept: list[int], rules: dict[int, str], state: _State,
                     config: ArtifactsConfig) -> None:
    """Step 5b: a heading printed twice near the top: the title (seed 002/003), or a long heading line (devset
    022); short lines such as an issuer name ("盐城市人民政府") may legitimately come back as a signature."""
    title_key = normalized_line(state.title) if state.title else ""
    seen: set[str] = set()
    for i in kept[: config.repeated_title_window]:
        text = lines[i].text.strip()
        if not text or len(text) > 60 or text[-1] in R.TERMINAL:
            continue
        key = _normalized_line_cached(text)
        if not key:
            continue
        if key in seen:
            rules[i] = "artifacts.repeated_title"
        elif key == title_key or len(key) >= 10:
            seen.add(key)


def _cut_inline_spans(lines: list[_Line], kept: list[int], rules: dict[int, str], state: _State) -> None:
    """Step 5c: spans that need the title or the page's top (SEO title injections, a table of contents run into
    the first sentence), cut from the kept lines in place of ``lines``."""
    if state.title:
        for i in kept:
            if i not in rules and _has_seo_hint(lines[i].text):  # the first test of _remove_seo_injection, cached
                new_text = _remove_seo_injection(lines[i], lines[i].text, state)
                if new_text != lines[i].text:
                    lines[i] = _Line(lines[i].number, new_text)
    for i in kept[:5]:
        if i not in rules:
            new_text = _remove_toc_run(lines[i], lines[i].text, state)
            if new_text != lines[i].text:
                lines[i] = _Line(lines[i].number, new_text)


def _emit(lines: list[_Line], rules: dict[int, str], emptied: set[int], state: _State) -> list[_Line]:
    """Step 6: drop the ruled and emptied lines (recording the ruled ones), keeping one blank line where a removal
    left two, and no blank lines after a removed footer."""
    out: list[_Line] = []
    removed_since = False
    for i, line in enumerate(lines):
        if i in emptied:
            removed_since = True
            continue
        if i in rules:
            rule = rules[i]
            _remove(state, rule, line, line.text.strip())
            removed_since = True
            continue
        if not line.text.strip():
            if removed_since and (not out or not out[-1].text.strip()):
                continue
            out.append(line)
            continue
        removed_since = False
        out.append(line)
    while removed_since and out and not out[-1].text.strip():  # blank lines left behind a removed footer
        out.pop()
    return out


def _rule_pass(doc: Document, config: ArtifactsConfig) -> tuple[list[_Line], _State]:
    """The rules, run to a fixpoint: the lines left (numbered as in ``doc.text``) and the state (removals, fields)."""
    lines = [_Line(number, text) for number, text in enumerate(doc.text.split("\n"))]
    state = _State(removals=[], fields={}, memo=_memo_for(config))
    return _rules_to_fixpoint(lines, state, doc, config), state


def _rules_to_fixpoint(lines: list[_Line], state: _State, doc: Document, config: ArtifactsConfig) -> list[_Line]:
    for _ in range(_MAX_PASSES):
        before = [line.text for line in lines]
        lines = _clean_once(lines, state, doc, config)
        if [line.text for line in lines] == before:
            break
    return lines
