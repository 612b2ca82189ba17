"""Training of the title ranker (``pipeline.models.titles``): examples from dev pages and the two regressions.

Kept apart from the inference module so that the product imports only the weight table and the candidate
features; scikit-learn is imported here, at training time only. Changes nothing at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.document import Document
from pipeline.models.titles import (
    ACCEPTANCE_EXTRA,
    ACCEPTANCE_FEATURES,
    FEATURES,
    TitleModel,
    _acceptance_features,
    _rival,
    is_vetoed,
    vector,
)

@dataclass(frozen=True)
class Example:
    """One page's candidates with their labels (no page text is kept beyond the candidates' features)."""

    page: str  # file name
    site: str  # host of the page's source (pages of one site are never split between inner folds)
    vectors: tuple[tuple[float, ...], ...]
    labels: tuple[int, ...]
    gold_null: bool


def examples(document: Document, gold: dict) -> list[Example]:
    """Training examples of one dev page: the candidates of its first article (the one the gold describes)."""
    from pipeline.stages import metadata  # noqa: PLC0415 - the metadata stage imports this module
    from pipeline.evaluation.devset import site_of  # noqa: PLC0415 - training only
    from pipeline.evaluation.scores import normal_title  # noqa: PLC0415 - training only (the evaluation imports the stages)

    found = [c for c in metadata.title_candidates(document) if not is_vetoed(c.features)]  # (as ``choose`` sees them)
    target = normal_title(gold.get("title"))
    labels = tuple(int(target is not None and normal_title(c.text) == target) for c in found)
    file = gold.get("file", document.source_file)
    return [Example(file, site_of(gold.get("source") or "", file), tuple(tuple(vector(c)) for c in found), labels,
                    target is None)]


def _regression(rows: list, labels: list, c: float, names: tuple = ()) -> tuple[dict[str, float], float]:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - training only

    if not rows or len(set(labels)) < 2:
        return {}, -10.0
    classifier = LogisticRegression(C=c, solver="liblinear", random_state=0, max_iter=1000)
    classifier.fit(rows, labels)
    weights = {name: round(float(w), 6) for name, w in zip(names or FEATURES, classifier.coef_[0], strict=True)}
    return weights, round(float(classifier.intercept_[0]), 6)


# Inner folds for the acceptance examples (grouped by site, as the evaluation's folds).
_INNER_FOLDS = 5


def _best(weights: dict[str, float], intercept: float, item: Example) -> tuple[int, float, float]:
    """Index of ``item``'s best-ranked candidate (the first on a tie), its margin over the runner-up and its
    ranking logit."""
    ordered = [weights.get(name, 0.0) for name in FEATURES]
    scores = [intercept + sum(w * x for w, x in zip(ordered, row, strict=True)) for row in item.vectors]
    best = max(range(len(scores)), key=lambda k: (scores[k], -k))
    margin = scores[best] - _rival(scores, best)
    return best, margin, scores[best]


def _ranker(items: list[Example], c: float) -> tuple[dict[str, float], float]:
    titled = [item for item in items if any(item.labels)]
    return _regression([r for i in titled for r in i.vectors], [y for i in titled for y in i.labels], c)


# Inverse regularisation strengths (scikit-learn's C): chosen on the site-held-out folds of the tuning pages
# (ranking: 0.3 / 1 / 3 within a page of each other; acceptance over ACCEPTANCE_FEATURES: 1 finds one title more
# than 3 with the same titles invented; over all ~60 features 3 did best and invented 6 of 23).
RANK_C = 1.0
ACCEPT_C = 1.0


def fit(items: list[Example], c: float = RANK_C, accept_c: float = ACCEPT_C) -> TitleModel:
    """The ranking regression over every candidate of the pages whose title is among their candidates; the
    acceptance regression over each page's best-ranked candidate, ranked by a model that did not see the
    page's site (inner folds by site), so its scores are as honest as on an unseen page. liblinear with a
    fixed seed and pages in file order: deterministic."""
    items = sorted(items, key=lambda item: (item.site, item.page))
    rank = _ranker(items, c)
    sites = sorted({item.site for item in items})
    fold_of = {site: k % _INNER_FOLDS for k, site in enumerate(sites)}
    rows, labels = [], []
    for fold in range(_INNER_FOLDS):
        held = [item for item in items if fold_of[item.site] == fold and item.vectors]
        if not held:
            continue
        inner = _ranker([item for item in items if fold_of[item.site] != fold], c)
        for item in held:
            best, margin, score = _best(*inner, item)
            features = _acceptance_features(zip(FEATURES, item.vectors[best], strict=True), margin, score)
            values = dict(features)
            rows.append([values.get(name, 0.0) for name in (*ACCEPTANCE_FEATURES, *ACCEPTANCE_EXTRA)])
            labels.append(item.labels[best])
    accept = _regression(rows, labels, accept_c, (*ACCEPTANCE_FEATURES, *ACCEPTANCE_EXTRA))
    return TitleModel(*rank, *accept, len(items))
