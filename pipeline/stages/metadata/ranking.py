"""The title ranker's part in the heading step: it confirms the rules' title or replaces it (and undoes the
rules' title/subtitle removals). Changes ``article.title``/``subtitle``, the removals and used lines only.
"""

from __future__ import annotations

from pipeline import models
from pipeline.document import Removal
from pipeline.models import titles
from pipeline.stage_configs import MetadataConfig
from pipeline.stages.metadata import people
from pipeline.stages.metadata.articles import _Article, _PageHints
from pipeline.stages.metadata.patterns import _COLLECT_TITLE, _TEMPLATE_TOPIC
from pipeline.stages.metadata.title_text import _joined_document_title, clean_title


def _title_model(config: MetadataConfig):
    """The shipped (or configured) title ranker; None when there is none: the rules decide alone."""
    return models.model_for(titles.NAME, config.model_dir)


# Rules that take the heading's title and subtitle lines out of the text; undone when the ranker disagrees.
_HEADING_RULES = ("metadata.title", "metadata.subtitle")


def _rank_title(article: _Article, ranker, removals: list[Removal], used: set[int], heads: list[int],
                config: MetadataConfig, hints: _PageHints) -> list[int]:
    """Let the title ranker pick the article's title among the top region's lines, the breadcrumb tail and a
    template sentence's topic, or none below ``config.title_min_score`` (``config.title_rules_min_score`` for
    the rules' own title).

    When it picks the rules' title, the rules' removals stand (``metadata.title``). Otherwise the lines the
    rules took as title and subtitle go back into the text (no body text is lost to a wrong rule), the chosen
    line is taken out as ``model.title:<score>``, and the title is the chosen text (or None). Returns the heads
    the rest of ``_read_heading`` uses (the chosen line, or none).
    """
    lines = article.lines
    page = titles.read_page([t for _n, t in lines], hints.removals, titles.title_key(article.title), hints.is_html)
    found = titles.candidates(page, _TITLE_RULES)
    best, score = ranker.choose(found)
    article.title_ranked = True
    # (the rules' choice of a furniture-like line, `服务专线`, is no second signal: ``titles._sparse``)
    agrees = best is not None and ("rules_choice", 1.0) in best.features
    threshold = config.title_rules_min_score if agrees else config.title_min_score
    chosen = best if best is not None and score >= threshold else None
    if chosen is not None and agrees:
        return heads
    numbers = {lines[k][0]: k for k in used}
    taken = [r for r in removals if r.rule in _HEADING_RULES and r.line in numbers]
    for removal in taken:
        removals.remove(removal)
        used.discard(numbers[removal.line])
    article.title, article.subtitle = (chosen.text if chosen else None), None
    if chosen is None or chosen.line is None:
        return []
    if chosen.line not in used:
        removals.append(Removal(f"model.title:{score:.2f}", lines[chosen.line][0], lines[chosen.line][1]))
        used.add(chosen.line)
    return [chosen.line]


def _is_byline_text(line: str) -> bool:
    return people.parse_byline_line(line) is not None or people.is_plain_name_line(line) is not None


def _joined_title_at(lines: list[str], start: int) -> str | None:
    joined = _joined_document_title(list(enumerate(lines)), start)
    return joined[0] if joined else None


# What the ranker borrows from this stage, so a candidate's text is exactly the title the stage would set.
_TITLE_RULES = titles.StageRules(clean_title, _is_byline_text, _TEMPLATE_TOPIC, _COLLECT_TITLE, _joined_title_at)
