"""What a build records about itself: per-shard summaries, their totals, and the manifest.

The manifest (``manifest.json`` in every build) holds the schema, code and config versions, package
versions, counts and the accounting equation, the inputs' hashes, each shard's key and summary, where the
time went, the validation summary and the hash of every output file. ``unchanged_build`` reads the
published one back to decide that there is nothing to do. Nothing here reads or writes a dataset file.
"""

from __future__ import annotations

import importlib.metadata
from collections import Counter
from dataclasses import dataclass, field

from pipeline import __version__, io
from pipeline.config import BuildConfig
from pipeline.plan import BuildPlan, code_hash
from pipeline.schema import SCHEMA_VERSION

# Packages whose versions decide output bytes or behaviour; recorded in every manifest.
RECORDED_PACKAGES = (
    "opencc", "pyarrow", "pandas", "jieba", "trafilatura", "charset-normalizer", "great-expectations",
    "prefect", "lxml",
)


@dataclass
class ShardSummary:
    index: int
    inputs: int = 0
    documents: int = 0
    articles_added_by_split: int = 0
    quarantined_by_reason: Counter = field(default_factory=Counter)
    removals_by_rule: Counter = field(default_factory=Counter)
    encodings: Counter = field(default_factory=Counter)
    scripts: Counter = field(default_factory=Counter)
    reused: bool = False
    files: dict = field(default_factory=dict)  # relative output path -> sha256
    stage_seconds: dict = field(default_factory=dict)  # stage name (and "ingest", "write") -> seconds

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "reused": self.reused,
            "files": dict(sorted(self.files.items())),
            "inputs": self.inputs,
            "documents": self.documents,
            "articles_added_by_split": self.articles_added_by_split,
            "quarantined_by_reason": dict(sorted(self.quarantined_by_reason.items())),
            "removals_by_rule": dict(sorted(self.removals_by_rule.items())),
            "encodings": dict(sorted(self.encodings.items())),
            "scripts": dict(sorted(self.scripts.items())),
            "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
        }


def package_versions() -> dict[str, str]:
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def merge_summaries(summaries: list[ShardSummary | dict]) -> dict:
    totals = {"inputs": 0, "documents": 0, "articles_added_by_split": 0}
    quarantined: Counter = Counter()
    removals: Counter = Counter()
    encodings: Counter = Counter()
    scripts: Counter = Counter()
    for summary in summaries:
        data = summary.to_dict() if isinstance(summary, ShardSummary) else summary
        for key in totals:
            totals[key] += data[key]
        quarantined.update(data["quarantined_by_reason"])
        removals.update(data["removals_by_rule"])
        encodings.update(data["encodings"])
        scripts.update(data["scripts"])
    totals["quarantined"] = sum(quarantined.values())
    totals["quarantined_by_reason"] = dict(sorted(quarantined.items()))
    totals["removals_by_rule"] = dict(sorted(removals.items()))
    totals["source_encodings"] = dict(sorted(encodings.items()))
    totals["original_scripts"] = dict(sorted(scripts.items()))
    return totals


def stage_seconds(summaries: list[dict]) -> dict[str, float]:
    """Seconds per stage, summed over the shards computed in this build (reused shards cost nothing)."""
    total: Counter = Counter()
    for data in summaries:
        total.update(data.get("stage_seconds", {}))
    return {name: round(seconds, 3) for name, seconds in sorted(total.items())}


def build_manifest(plan: BuildPlan, summaries: list[dict], totals: dict, config: BuildConfig,
                   code_version: str | None, phases: dict, validation_summary: dict | None) -> dict:
    """The manifest of the build staged in ``plan.staging_dir`` (its outputs hashed now)."""
    from pipeline.stages import STAGES  # the stage list imports every stage and its models: only when needed

    return {
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": __version__,
        "code_version": code_version,
        "stages": [stage.name for stage in STAGES],
        "config": config.to_dict(),
        "config_hash": config.config_hash(),
        "packages": package_versions(),
        "counts": totals,
        "accounting": {
            "equation": "inputs + articles_added_by_split = documents + quarantined + duplicates",
            "holds": True,  # finalize_build raises before writing a manifest where it does not
        },
        "inputs": dict(sorted(plan.input_hashes.items())),
        "skipped": [{"path": s.relative_path, "reason": s.reason} for s in plan.skipped],
        "duplicate_files": [{"path": path, "duplicate_of": original} for path, original in plan.duplicate_files],
        "shards": [
            {"name": shard.name, "key": shard.key, "units": len(shard.units), "reused": summary["reused"],
             "summary": summary}
            for shard, summary in zip(plan.shards, summaries, strict=True)
        ],
        "code_hash": code_hash(),
        "stage_seconds": stage_seconds(summaries),
        "phase_seconds": {name: round(seconds, 3) for name, seconds in phases.items()},
        "validation": validation_summary,
        "outputs": io.hash_outputs(plan.staging_dir),
    }


def unchanged_build(plan: BuildPlan, config: BuildConfig) -> dict | None:
    """The published manifest, when the published build is exactly what this plan would produce.

    Same shard keys (inputs, code, config and cross-document lines), same skipped and duplicate files, and
    every published output still matching its recorded hash: then there is nothing to do, not even
    deduplication, validation or the report. Returns None otherwise.
    """
    previous = plan.previous_manifest
    if not previous or previous.get("config_hash") != config.config_hash() or previous.get("code_hash") != code_hash():
        return None
    if [entry.get("key") for entry in previous.get("shards", [])] != [shard.key for shard in plan.shards]:
        return None
    if previous.get("inputs") != dict(sorted(plan.input_hashes.items())):
        return None
    if previous.get("skipped") != [{"path": s.relative_path, "reason": s.reason} for s in plan.skipped]:
        return None
    for relative, digest in previous.get("outputs", {}).items():
        path = plan.output_dir / relative
        if not path.is_file() or io.sha256_file(path) != digest:
            return None
    result = dict(previous)
    result["shards"] = [dict(entry, reused=True) for entry in previous["shards"]]
    result["unchanged"] = True
    return result


