"""The learned components: the registry and loading, and that retraining from the dev set reproduces the
shipped weights' scores (the dev set is outside the repository; those tests skip without it)."""

from __future__ import annotations

import json

import pytest

from conftest import DEVSET, needs_devset
from pipeline import models
from pipeline.config import BuildConfig
from pipeline.evaluation.devset import read_pages, report_pages, tuning_pages
from pipeline.evaluation.scores import score_pages
from pipeline.models.training import train_models, with_model_dir


def test_every_registered_component_has_the_contract():
    for component in models.components():
        for attribute in ("NAME", "STAGE", "examples", "fit", "save", "load"):
            assert hasattr(component, attribute), (component.__name__, attribute)
        assert component.STAGE in {"artifacts", "metadata"}


def test_a_missing_model_folder_means_rules_only(tmp_path):
    for name in models.COMPONENT_NAMES:
        assert models.model_for(name, str(tmp_path)) is None


def test_shipped_models_hold_no_pickle():
    for path in models.SHIPPED_DIR.rglob("*"):
        if path.is_file():
            head = path.read_bytes()[:2]
            assert head[:1] != b"\x80", f"{path} looks like a pickle"


@needs_devset
def test_retraining_reproduces_the_shipped_models(tmp_path):
    if not models.components():
        pytest.skip("no learned component in this build")
    pages = read_pages(DEVSET)
    retrained = tmp_path / "models"
    trained = train_models(DEVSET, tuning_pages(pages), retrained)
    config = BuildConfig()
    shipped_scores = score_pages(DEVSET, report_pages(pages), config)
    retrained_scores = score_pages(DEVSET, report_pages(pages), with_model_dir(config, str(retrained)))
    assert retrained_scores.to_dict() == shipped_scores.to_dict()
    for name in trained:
        for path in sorted((retrained / name).rglob("*")):
            if path.is_file():
                shipped = models.SHIPPED_DIR / name / path.relative_to(retrained / name)
                assert shipped.is_file(), f"{shipped} is not shipped"
                if path.suffix == ".json":
                    assert json.loads(path.read_text("utf-8")) == json.loads(shipped.read_text("utf-8")), shipped
                else:
                    assert path.read_bytes() == shipped.read_bytes(), shipped
