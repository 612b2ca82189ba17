"""``corpus eval``: the whole pipeline — real ingestion and the real stage list — scored on the dev set.

Removal: recall = share of ``must_remove`` strings (converted with the script stage's converter, as the
dev set's README asks) absent from every output text of the file; precision = share of ``must_keep``
fragments present in the output, compared without punctuation and whitespace. Metadata: per-field
precision (correct / predicted) and recall (correct / gold) for title, author, province, the most specific
region and published_at (date part), taken from the file's first document.

The stage-level evaluators (``eval_removal``, ``eval_metadata``) score one stage in isolation; this one
scores what a user gets. It reads files (an evaluation tool, not a stage).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build import Unit, read_unit
from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection
from pipeline.eval_metadata import FIELDS, Score, score_record
from pipeline.eval_removal import normalized_line
from pipeline.script import to_simplified
from pipeline.stages import STAGES, run_stages


@dataclass
class Evaluation:
    files: int = 0
    remove_total: int = 0
    remove_hit: int = 0
    keep_total: int = 0
    keep_hit: int = 0
    metadata: dict[str, Score] = field(default_factory=lambda: {name: Score() for name in FIELDS})
    problems: list[str] = field(default_factory=list)

    @property
    def removal_recall(self) -> float:
        return self.remove_hit / self.remove_total if self.remove_total else 1.0

    @property
    def removal_precision(self) -> float:
        return self.keep_hit / self.keep_total if self.keep_total else 1.0

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "removal": {"precision": round(self.removal_precision, 4), "recall": round(self.removal_recall, 4),
                        "must_keep": f"{self.keep_hit}/{self.keep_total}",
                        "must_remove": f"{self.remove_hit}/{self.remove_total}"},
            "metadata": {name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                                "correct": s.correct, "predicted": s.predicted, "gold": s.gold}
                         for name, s in self.metadata.items()},
        }


def process_file(devset_dir: Path, name: str, config: BuildConfig) -> tuple[list[Document], list[Rejection]]:
    path = devset_dir / "raw" / name
    kind = "html" if path.suffix.lower() in config.ingest.html_suffixes else "text"
    unit = Unit(name, kind, path.stat().st_size, 0, path.stat().st_size)
    documents: list[Document] = []
    rejections: list[Rejection] = []
    for item in read_unit(devset_dir / "raw", unit, config, None):
        if isinstance(item, Rejection):
            rejections.append(item)
            continue
        kept, rejected = run_stages(item, config, STAGES)
        documents.extend(kept)
        rejections.extend(rejected)
    return documents, rejections


def evaluate_devset(devset_dir: Path, config: BuildConfig | None = None) -> Evaluation:
    """Score the pipeline on every gold record (the ``.gbk.txt`` twins are skipped: same documents)."""
    config = config or BuildConfig()
    devset_dir = Path(devset_dir)
    result = Evaluation()
    for line in (devset_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        name = gold["file"]
        if ".gbk." in name:
            continue
        documents, rejections = process_file(devset_dir, name, config)
        result.files += 1
        if not documents:
            reasons = ", ".join(r.reason for r in rejections)
            result.problems.append(f"{name}: no document ({reasons})")
        output = "\n".join(doc.text for doc in documents)
        flat = normalized_line(output)
        for item in gold.get("must_remove") or []:
            target = to_simplified(item)
            result.remove_total += 1
            if target in output:
                result.problems.append(f"{name}: left  {target[:60]!r}")
            else:
                result.remove_hit += 1
        for fragment in gold.get("must_keep") or []:
            result.keep_total += 1
            if normalized_line(fragment) in flat:
                result.keep_hit += 1
            else:
                result.problems.append(f"{name}: lost  {fragment!r}")
        for field_name, got, want in score_record(result.metadata, documents[0] if documents else None, gold):
            result.problems.append(f"{name}: {field_name} got {got!r}, gold {want!r}")
    return result


def format_evaluation(result: Evaluation, verbose: bool = False) -> str:
    lines = [f"dev set: {result.files} documents",
             f"removal   precision {result.removal_precision:.3f} (must_keep {result.keep_hit}/{result.keep_total})"
             f"   recall {result.removal_recall:.3f} (must_remove {result.remove_hit}/{result.remove_total})",
             "",
             f"{'field':<14}{'precision':>10}{'recall':>8}   correct/predicted/gold"]
    for name, score in result.metadata.items():
        lines.append(f"{name:<14}{score.precision:>10.3f}{score.recall:>8.3f}   "
                     f"{score.correct}/{score.predicted}/{score.gold}")
    if verbose and result.problems:
        lines += ["", *result.problems]
    return "\n".join(lines)
