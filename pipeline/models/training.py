"""Train every learned component on dev-set pages, in order, the way the product will run them.

Each component learns from the document its stage receives in a real build: the harness reads a page with the
product's reader and runs the stages before the component's ``STAGE``, with the components trained before it
in the same folder. Nothing here has its own copy of a reader or a stage.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from pipeline import models
from pipeline.config import BuildConfig
from pipeline.evaluation.devset import Page, read_page
from pipeline.document import Document, Rejection
from pipeline.stages import STAGES, run_stages


def with_model_dir(config: BuildConfig, model_dir: str) -> BuildConfig:
    """``config`` with every stage that loads models pointed at ``model_dir``."""
    return dataclasses.replace(
        config,
        artifacts=dataclasses.replace(config.artifacts, model_dir=model_dir),
        metadata=dataclasses.replace(config.metadata, model_dir=model_dir),
    )


def stages_before(stage_name: str) -> tuple:
    """The stages that run before ``stage_name`` in a build."""
    names = [stage.name for stage in STAGES]
    return STAGES[: names.index(stage_name)]


def documents_entering(devset_dir: Path, page: Page, config: BuildConfig, stage_name: str) -> list[Document]:
    """The documents of ``page`` as stage ``stage_name`` receives them in a build with ``config``."""
    documents = []
    for item in read_page(devset_dir, page.file, config):
        if isinstance(item, Rejection):
            continue
        kept, _ = run_stages(item, config, stages_before(stage_name))
        documents.extend(kept)
    return documents


def train_models(devset_dir: Path, pages: list[Page], out_dir: Path, config: BuildConfig | None = None) -> list[str]:
    """Train each component on ``pages`` into ``out_dir/<NAME>/``; return the names trained.

    ``out_dir`` is emptied first, so what is in it afterwards was trained on ``pages`` only.
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    config = with_model_dir(config or BuildConfig(), str(out_dir))
    trained = []
    for component in models.components():
        models.forget_loaded()
        examples = []
        for page in sorted(pages, key=lambda p: p.file):
            for document in documents_entering(devset_dir, page, config, component.STAGE):
                examples.extend(component.examples(document, page.gold))
        model = component.fit(examples)
        folder = out_dir / component.NAME
        folder.mkdir()
        component.save(model, folder)
        trained.append(component.NAME)
    models.forget_loaded()
    return trained


def _summary(module) -> str:
    """The first paragraph of a component's docstring: what it decides and from which features."""
    text = (module.__doc__ or "").strip()
    return " ".join(text.split("\n\n", 1)[0].split())


def train_and_describe(devset_dir: Path, out_dir: Path | None = None, config: BuildConfig | None = None,
                       k: int = 5) -> Path:
    """Train the shipped models on the tuning pages, score them by folds, and write ``MODEL_CARD.md``.

    The held-out scores in the card come from ``pipeline.evaluation.scores`` (models retrained per fold), the same
    numbers ``corpus eval`` prints. Returns the card's path.
    """
    from datetime import date

    from pipeline.evaluation.devset import read_pages, tuning_pages
    from pipeline.evaluation.scores import COLUMNS, MEASURES, evaluate_devset

    config = config or BuildConfig()
    out_dir = Path(out_dir) if out_dir else models.SHIPPED_DIR
    pages = read_pages(devset_dir)
    tuning = tuning_pages(pages)
    trained = train_models(devset_dir, tuning, out_dir, config)
    result = evaluate_devset(devset_dir, with_model_dir(config, str(out_dir)), held_out=True, k=k)
    rows = ["| measure | " + " | ".join(COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
    for key, label, higher in MEASURES:
        cells = [str(result.columns[name].ratios[key]) for name in COLUMNS]
        rows.append(f"| {label.strip()}{'' if higher else ' (lower is better)'} | " + " | ".join(cells) + " |")
    described = [f"- `{module.NAME}` (learns from the input of stage `{module.STAGE}`): {_summary(module)}"
                 for module in models.components()]
    card = out_dir / "MODEL_CARD.md"
    card.write_text("\n".join([
        "# Model card: the learned components of the cleaning pipeline",
        "",
        f"Trained {date.today().isoformat()} by `corpus train` on {len(tuning)} dev-set pages from "
        f"{len({p.site for p in tuning})} sites (all but the report-only split of {len(pages) - len(tuning)} pages; "
        "`pipeline/evaluation/devset.py`). The dev set is third-party text kept outside the repository "
        "(`../shared/devset`); "
        "no page text is stored here.",
        "",
        "## Components",
        *described,
        "",
        f"Trained here: {', '.join(trained) or 'none'}. Inference is CPU only, deterministic, and loads nothing "
        "from the network. Retraining with `corpus train` on the same pages reproduces these files and scores "
        "(`tests/test_models.py`).",
        "",
        "## Scores",
        f"Held-out folds: the tuning pages dealt into {k} folds by site; each fold is scored by models trained "
        "on the other folds only. Report-only: pages of sites never tuned or trained on, scored by the shipped "
        "models. All pages: in sample (the rules were written and the models trained looking at them).",
        "",
        *rows,
        "",
    ]), encoding="utf-8")
    return card
