"""Evaluate metadata fields against the devset gold (tests/data/devset/gold.jsonl).

Per field: precision = correct / predicted non-null, recall = correct / gold non-null. Fields: title, author,
province, region (the most specific of county/city/province) and published_at (date part). The chain of stages
is a parameter; ``default_chain()`` is script conversion + artifact removal when that module exists + this
stage. Files are read by the project's ingestion (``pipeline.build.read_unit``: decoding, HTML extraction). Titles are compared after NFKC and with spaces removed,
since punctuation normalisation may run later than the chain under test.

This module reads files (it is an evaluation tool, not a stage).
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from pipeline.document import Document, Rejection, sha256_hex

FIELDS = ("title", "author", "province", "region", "published_at")
Step = Callable[[Document], "Document | Rejection | list[Document]"]


def default_chain() -> list[Step]:
    """t2s, artifacts (if the module exists), metadata — each with its default config."""
    from pipeline import metadata, script
    from pipeline.stage_configs import ArtifactsConfig, MetadataConfig, ScriptConfig

    chain: list[Step] = [lambda d: script.normalize_script(d, ScriptConfig())]
    try:
        from pipeline import artifacts  # noqa: PLC0415 - optional while the stage is being written

        chain.append(lambda d: artifacts.remove_artifacts(d, ArtifactsConfig()))
    except ImportError:
        pass
    chain.append(lambda d: metadata.extract_metadata(d, MetadataConfig()))
    return chain


def load_document(path: Path) -> Document:
    """A devset file as the pipeline's ingestion reads it (decoding, HTML extraction and SogouCS records by
    ``pipeline.build.read_unit``, as ``corpus build`` and ``corpus eval`` do), before any stage.

    The stage is scored on what it really receives: a private HTML reader here would score a different text.
    """
    from pipeline.build import Unit, read_unit  # noqa: PLC0415 - build imports the stages, which import this package
    from pipeline.config import BuildConfig

    config = BuildConfig()
    kind = "html" if path.suffix.lower() in config.ingest.html_suffixes else "text"
    size = path.stat().st_size
    for item in read_unit(path.parent, Unit(path.name, kind, size, 0, size), config, None):
        if isinstance(item, Document):
            return item
    raw = path.read_bytes()
    return Document(source_file=path.name, source_sha256=sha256_hex(raw), text=raw.decode("utf-8", errors="replace"))


def run_chain(doc: Document, chain: Iterable[Step]) -> list[Document]:
    current = [doc]
    for step in chain:
        following = []
        for item in current:
            result = step(item)
            if isinstance(result, Document):
                following.append(result)
            elif isinstance(result, list):
                following.extend(result)
        current = following
    return current


def _normal(value: str | None) -> str | None:
    if value is None:
        return None
    return "".join(unicodedata.normalize("NFKC", value).split()).replace("…", "...")


def field_values(record: dict | Document) -> dict[str, str | None]:
    get = record.get if isinstance(record, dict) else (lambda k: getattr(record, k))
    published = get("published_at")
    return {
        "title": _normal(get("title")),
        "author": get("author"),
        "province": get("province"),
        "region": get("county") or get("city") or get("province"),
        "published_at": published[:10] if published else None,
    }


@dataclass
class Score:
    predicted: int = 0
    gold: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0


@dataclass
class Report:
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    mismatches: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)


def evaluate(devset: Path, chain: list[Step] | None = None) -> Report:
    """Score ``chain`` on every gold file (``.gbk.txt`` twins skipped: they duplicate the UTF-8 files)."""
    chain = chain if chain is not None else default_chain()
    report = Report()
    for line in (devset / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        if gold["file"].endswith(".gbk.txt"):
            continue
        docs = run_chain(load_document(devset / "raw" / gold["file"]), chain)
        for name, got, want in score_record(report.scores, docs[0] if docs else None, gold):
            report.mismatches.append((gold["file"], name, got, want))
    return report


def score_record(scores: dict[str, Score], predicted: Document | None, gold: dict) -> list[tuple]:
    """Add one document's fields to ``scores``; return its mismatches as (field, got, gold)."""
    got_values = field_values(predicted) if predicted is not None else dict.fromkeys(FIELDS)
    gold_values = field_values(gold)
    mismatches = []
    for name in FIELDS:
        got, want = got_values[name], gold_values[name]
        score = scores[name]
        score.predicted += got is not None
        score.gold += want is not None
        if got is not None and got == want:
            score.correct += 1
        elif got != want:
            mismatches.append((name, got, want))
    return mismatches


def format_report(report: Report) -> str:
    lines = [f"{'field':<14}{'precision':>10}{'recall':>8}  (correct/predicted/gold)"]
    for name, score in report.scores.items():
        lines.append(
            f"{name:<14}{score.precision:>10.3f}{score.recall:>8.3f}  ({score.correct}/{score.predicted}/{score.gold})"
        )
    lines.append("")
    for file, name, got, want in report.mismatches:
        lines.append(f"{file}  {name}: got {got!r}, gold {want!r}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Metadata precision/recall on the devset")
    parser.add_argument("devset", type=Path, nargs="?", default=Path("tests/data/devset"))
    print(format_report(evaluate(parser.parse_args(argv).devset)))


if __name__ == "__main__":
    main()
