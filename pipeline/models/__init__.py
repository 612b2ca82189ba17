"""Learned components: which exist, in which order they are trained, and where their weights are loaded from.

A component is a module of this package with:

- ``NAME``: its folder name under a model directory (``lines``, ``titles``, ``authors`` …);
- ``STAGE``: the stage whose *input* it learns from (the training harness runs the product's readers and the
  stages before that one, with the components trained before it, and hands over that document);
- ``examples(document, gold) -> list``: training examples from one dev page;
- ``fit(examples) -> model``: deterministic;
- ``save(model, folder)`` / ``load(folder) -> model``: the model's own files (JSON or CRFsuite's format, never
  pickle: a model file is data, not code).

Stages ask ``model_for(NAME, config.model_dir)``; ``""`` means the weights shipped in ``pipeline/data/models``.
A missing model is ``None`` and the stage keeps its rules, so the library works without any trained file.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from pathlib import Path
from types import ModuleType

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "models"
# Training order: the line model cleans the text the title and author scorers then see.
COMPONENT_NAMES = ("lines", "titles", "authors", "regions")

_loaded: dict[tuple[str, str], object] = {}
# the same models by (name, model_dir) as the stage passes them: a look-up without building a Path per call
_loaded_by_dir: dict[tuple[str, str], object] = {}
_lock = threading.Lock()


def components() -> list[ModuleType]:
    """The component modules that exist in this package, in training order."""
    found = []
    for name in COMPONENT_NAMES:
        if importlib.util.find_spec(f"{__name__}.{name}") is not None:
            found.append(importlib.import_module(f"{__name__}.{name}"))
    return found


def model_folder(model_dir: str) -> Path:
    """The folder holding one sub-folder per component: ``model_dir``, or the shipped weights for ``""``."""
    return Path(model_dir) if model_dir else SHIPPED_DIR


def model_for(name: str, model_dir: str = ""):
    """The loaded model of component ``name`` from ``model_dir`` (cached per process), or None if it has none.

    A missing model is not cached: the training harness saves components one after the other into one folder.
    """
    loaded = _loaded_by_dir.get((name, model_dir))  # every document of a stage asks: no path built on a hit
    if loaded is not None:
        return loaded
    folder = model_folder(model_dir) / name
    key = (name, str(folder))
    with _lock:
        if key in _loaded:
            _loaded_by_dir[(name, model_dir)] = _loaded[key]
            return _loaded[key]
    if not folder.is_dir():
        return None
    module = importlib.import_module(f"{__name__}.{name}")
    model = module.load(folder)
    with _lock:
        _loaded.setdefault(key, model)
        _loaded_by_dir[(name, model_dir)] = _loaded[key]
        return _loaded[key]


def forget_loaded() -> None:
    """Drop every cached model (the training harness rewrites folders it has loaded from)."""
    with _lock:
        _loaded.clear()
        _loaded_by_dir.clear()
