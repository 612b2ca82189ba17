"""``corpus eval``: the product — its reader and its stage list — scored on the dev set, in and out of sample.

Three columns:

- **all pages**: the configured (by default the shipped) models on every page. In sample: the rules were
  written and the models trained looking at these pages.
- **held-out folds**: the tuning pages dealt into k folds by site (``pipeline.evaluation.devset``); for each fold every
  learned component is trained on the other folds and the fold is scored with those models. No page is scored
  by a model that saw its site.
- **report-only**: the fixed report-only sites, scored with models trained on all tuning pages.

Measures, per page (a page's first document carries its metadata; every document's text counts for debris):

- title right: the document's title equals the gold title (NFKC, spaces removed), over pages with a gold title;
- no title invented: the title is null, over pages whose gold title is null;
- author found: the document's author (else its speaker) equals the gold author (else the gold speaker), over
  pages that name one; author invented: a non-null author or speaker on a page whose gold names neither;
- province and most specific region (county, else city, else province): correct over gold non-null, and
  correct over predicted non-null (precision);
- published_at: the date part, correct over gold non-null;
- debris removed: ``must_remove`` strings (converted by the product's script converter) absent from the text;
  ``must_keep`` kept: fragments present, both compared without punctuation and spaces.

An evaluation tool, not a stage: it reads files.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import BuildConfig
from pipeline.evaluation.devset import Page, folds, read_page, read_pages, report_pages, tuning_pages
from pipeline.document import Document, Rejection
from pipeline.models.training import train_models, with_model_dir
from pipeline.stages import STAGES, run_stages
from pipeline.stages.artifacts import normalized_line
from pipeline.stages.script import to_simplified

# (key, label, whether higher is better): the rows of the report, in order.
MEASURES = (
    ("title", "title right", True),
    ("title_none", "no title invented", True),
    ("author", "author found", True),
    ("author_invented", "author invented", False),
    ("region", "most specific region", True),
    ("region_precision", "  its precision", True),
    ("province", "province", True),
    ("province_precision", "  its precision", True),
    ("published_at", "published_at", True),
    ("debris", "debris removed", True),
    ("keep", "must_keep kept", True),
)
COLUMNS = ("all pages", "held-out folds", "report-only")


@dataclass
class Ratio:
    hit: int = 0
    total: int = 0

    def add(self, hit: bool, counted: bool = True) -> None:
        if counted:
            self.total += 1
            self.hit += bool(hit)

    @property
    def value(self) -> float | None:
        return self.hit / self.total if self.total else None

    def __str__(self) -> str:
        return "–" if not self.total else f"{self.value:.3f} ({self.hit}/{self.total})"


@dataclass
class Scores:
    pages: int = 0
    ratios: dict[str, Ratio] = field(default_factory=lambda: {key: Ratio() for key, _, _ in MEASURES})
    problems: list[str] = field(default_factory=list)

    def merge(self, other: "Scores") -> None:
        self.pages += other.pages
        for key, ratio in other.ratios.items():
            self.ratios[key].hit += ratio.hit
            self.ratios[key].total += ratio.total
        self.problems.extend(other.problems)

    def to_dict(self) -> dict:
        return {"pages": self.pages,
                **{key: {"value": None if r.value is None else round(r.value, 4), "hit": r.hit, "total": r.total}
                   for key, r in self.ratios.items()}}


def normal_title(value: str | None) -> str | None:
    """Titles compare after NFKC with spaces removed (punctuation normalisation may differ in width only).

    >>> normal_title("关于 “三农”工作的讲话"), normal_title(None)
    ('关于“三农”工作的讲话', None)
    """
    if value is None:
        return None
    return "".join(unicodedata.normalize("NFKC", value).split()).replace("…", "...")


def _name(value: str | None) -> str | None:
    return "".join(value.split()) if value else None


def _most_specific(record) -> str | None:
    return record.get("county") or record.get("city") or record.get("province")


def score_page(page: Page, documents: list[Document], rejections: list[Rejection]) -> Scores:
    """One page's contribution to every measure."""
    gold, name = page.gold, page.file
    scores = Scores(pages=1)
    r = scores.ratios
    first = documents[0] if documents else None
    got = {key: getattr(first, key) if first else None
           for key in ("title", "author", "speaker", "province", "city", "county", "published_at")}
    if not documents:
        scores.problems.append(f"{name}: no document ({', '.join(x.reason for x in rejections)})")

    title, gold_title = normal_title(got["title"]), normal_title(gold.get("title"))
    r["title"].add(title == gold_title, gold_title is not None)
    r["title_none"].add(title is None, gold_title is None)
    if title != gold_title:
        scores.problems.append(f"{name}: title got {got['title']!r}, gold {gold.get('title')!r}")

    person, gold_person = _name(got["author"] or got["speaker"]), _name(gold.get("author") or gold.get("speaker"))
    r["author"].add(person == gold_person, gold_person is not None)
    r["author_invented"].add(person is not None, gold_person is None)
    if person != gold_person:
        scores.problems.append(f"{name}: author got {person!r}, gold {gold_person!r}")

    for key, value, gold_value in (("region", _most_specific(got), _most_specific(gold)),
                                   ("province", got["province"], gold.get("province"))):
        r[key].add(value == gold_value, gold_value is not None)
        r[f"{key}_precision"].add(value == gold_value, value is not None)
        if value != gold_value:
            scores.problems.append(f"{name}: {key} got {value!r}, gold {gold_value!r}")

    published, gold_published = (got["published_at"] or "")[:10] or None, gold.get("published_at")
    r["published_at"].add(published == gold_published, gold_published is not None)

    output = "\n".join(doc.text for doc in documents)
    flat = normalized_line(output)
    for item in gold.get("must_remove") or []:
        target = to_simplified(item)
        r["debris"].add(target not in output)
        if target in output:
            scores.problems.append(f"{name}: left  {target[:60]!r}")
    for fragment in gold.get("must_keep") or []:
        kept = normalized_line(fragment) in flat
        r["keep"].add(kept)
        if not kept:
            scores.problems.append(f"{name}: lost  {fragment!r}")
    return scores


def run_page(devset_dir: Path, page: Page, config: BuildConfig) -> tuple[list[Document], list[Rejection]]:
    """The product on one page: its reader, then every stage."""
    documents: list[Document] = []
    rejections: list[Rejection] = []
    for item in read_page(devset_dir, page.file, config):
        if isinstance(item, Rejection):
            rejections.append(item)
            continue
        kept, rejected = run_stages(item, config, STAGES)
        documents.extend(kept)
        rejections.extend(rejected)
    return documents, rejections


def score_pages(devset_dir: Path, pages: list[Page], config: BuildConfig) -> Scores:
    total = Scores()
    for page in pages:
        total.merge(score_page(page, *run_page(devset_dir, page, config)))
    return total


def held_out_scores(devset_dir: Path, pages: list[Page], config: BuildConfig, k: int) -> tuple[Scores, Scores]:
    """(held-out folds, report-only): every scored page judged by models trained without its site."""
    tuning = tuning_pages(pages)
    held_out = Scores()
    with tempfile.TemporaryDirectory(prefix="corpus-eval-") as scratch:
        for index, fold in enumerate(folds(tuning, k)):
            fold_files = {page.file for page in fold}
            model_dir = Path(scratch) / f"fold-{index}"
            train_models(devset_dir, [p for p in tuning if p.file not in fold_files], model_dir, config)
            held_out.merge(score_pages(devset_dir, fold, with_model_dir(config, str(model_dir))))
        model_dir = Path(scratch) / "tuning"
        train_models(devset_dir, tuning, model_dir, config)
        report = score_pages(devset_dir, report_pages(pages), with_model_dir(config, str(model_dir)))
    return held_out, report


@dataclass
class Evaluation:
    columns: dict[str, Scores]

    def to_dict(self) -> dict:
        return {name: scores.to_dict() for name, scores in self.columns.items()}


def evaluate_devset(devset_dir: Path, config: BuildConfig | None = None, held_out: bool = True,
                    k: int = 5) -> Evaluation:
    """Score the product on the dev set: all pages with ``config``'s models, and (``held_out``) by folds."""
    config = config or BuildConfig()
    devset_dir = Path(devset_dir)
    pages = read_pages(devset_dir)
    columns = {COLUMNS[0]: score_pages(devset_dir, pages, config)}
    if held_out:
        columns[COLUMNS[1]], columns[COLUMNS[2]] = held_out_scores(devset_dir, pages, config, k)
    return Evaluation(columns)


def format_evaluation(result: Evaluation, verbose: bool = False) -> str:
    """A table: one row per measure, one column per scoring (see the module docstring)."""
    names = list(result.columns)
    label_width, width = 34, 24
    lines = ["measure".ljust(label_width) + "".join(name.ljust(width) for name in names),
             "pages".ljust(label_width) + "".join(str(result.columns[n].pages).ljust(width) for n in names)]
    for key, label, higher in MEASURES:
        label = label if higher else f"{label} (lower is better)"
        lines.append(label.ljust(label_width) + "".join(str(result.columns[n].ratios[key]).ljust(width) for n in names))
    if verbose:
        for name in names:
            if result.columns[name].problems:
                lines += ["", f"[{name}]", *result.columns[name].problems]
    return "\n".join(line.rstrip() for line in lines)


def evaluation_json(result: Evaluation) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
