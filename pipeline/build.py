"""A build without an orchestrator (notebooks, tests, other schedulers): the recipe
(``pipeline.recipe.run_build``) with every step run in this process.

Where the parts of a build live: planning ``pipeline.plan``; reading ``pipeline.readers``; one shard and
its sinks ``pipeline.shards``; the cross-document pre-pass and duplicates ``pipeline.corpus``; the shard
cache ``pipeline.shard_cache``; the manifest ``pipeline.manifest``; validation and publication
``pipeline.publish``. The Prefect flow in ``flows/`` runs the same recipe with its own ``map_shards``.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import BuildConfig
from pipeline.recipe import map_here, run_build


def build_locally(input_dir: Path, output_dir: Path, config: BuildConfig) -> dict:
    """The whole build in this process; returns the manifest."""
    return run_build(Path(input_dir), Path(output_dir), config, map_here)
