"""Per-stage throughput: push N synthetic documents through ``pipeline.stages.STAGES`` and time each stage.

    python -m bench.bench_stages [--docs 1000] [--corpus FILE_OR_DIR] [--repeat 1] [--profile STAGE]

Documents come from ``bench.synthetic`` (generated into a temporary folder unless ``--corpus`` names a
JSONL file or a folder of ``shard-*.jsonl``). Each stage runs over all documents the previous stage kept,
on one core, in stage order, exactly as ``run_stages`` chains them. Printed per stage: CPU seconds
(``time.process_time``, less sensitive to a busy shared machine than wall time), the MB/s that matter for
the build target (UTF-8 megabytes of the INPUT corpus divided by the stage's CPU time: stages add up in
1/throughput), and the MB/s over the text the stage actually received. With ``--repeat R`` each stage is
run R times on the same input and the fastest run is kept. ``--profile STAGE`` prints a cProfile of that
stage (top 25 by cumulative time) instead of the table.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import tempfile
import time
from pathlib import Path

from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection
from pipeline.stages import STAGES


def load_documents(source: Path, limit: int) -> list[Document]:
    """The first ``limit`` records of a JSONL file (or of a folder's ``shard-*.jsonl``) as documents."""
    files = sorted(source.glob("shard-*.jsonl")) if source.is_dir() else [source]
    documents: list[Document] = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if len(documents) >= limit:
                    return documents
                record = json.loads(line)
                documents.append(Document(source_file=record.get("id", f"doc-{len(documents)}"),
                                          source_sha256="0" * 64, text=record["text"]))
    return documents


def _apply(stage, documents: list[Document], config: BuildConfig) -> list[Document]:
    if stage.corpus_wide:  # needs a pre-pass over the whole input (cross-document lines): not benchmarked here
        return documents
    stage_config = getattr(config, stage.config_section)
    kept: list[Document] = []
    for doc in documents:
        result = stage.function(doc, stage_config)
        if isinstance(result, Rejection):
            continue
        if isinstance(result, Document):
            kept.append(result)
        else:
            kept.extend(result)
    return kept


def measure(documents: list[Document], config: BuildConfig, repeat: int = 1) -> list[tuple[str, float, float, int]]:
    """(stage name, best CPU seconds, input MB of that stage, documents kept) per enabled stage."""
    rows = []
    current = documents
    for stage in STAGES:
        if not getattr(getattr(config, stage.config_section), "enabled", True):
            continue
        stage_mb = sum(len(d.text.encode("utf-8")) for d in current) / 1e6
        best, output = float("inf"), current
        for _ in range(repeat):
            start = time.process_time()
            output = _apply(stage, current, config)
            best = min(best, time.process_time() - start)
        rows.append((stage.name, best, stage_mb, len(output)))
        current = output
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, help="JSONL file or folder of shard-*.jsonl (default: generate)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", help="stage name to profile instead of timing all stages")
    args = parser.parse_args(argv)

    corpus = args.corpus
    if corpus is None:
        from bench import synthetic

        corpus = Path(tempfile.mkdtemp(prefix="bench-stages-"))
        synthetic.generate(docs=args.docs, out=corpus)
    documents = load_documents(corpus, args.docs)
    config = BuildConfig()
    corpus_mb = sum(len(d.text.encode("utf-8")) for d in documents) / 1e6
    warm = documents[:5]  # load converters, dictionaries and gazetteers of every stage outside the timing
    for stage in STAGES:
        warm = _apply(stage, warm, config)

    if args.profile:
        current = documents
        for stage in STAGES:
            if stage.name == args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                _apply(stage, current, config)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                return 0
            current = _apply(stage, current, config)
        parser.error(f"no stage named {args.profile!r}: {[s.name for s in STAGES]}")

    rows = measure(documents, config, args.repeat)
    print(f"corpus: {len(documents)} documents, {corpus_mb:.1f} MB ({corpus})")
    print("| stage | CPU s | corpus MB/s | stage-input MB/s | documents out |\n|---|---|---|---|---|")
    total = 0.0
    for name, seconds, stage_mb, kept in rows:
        total += seconds
        print(f"| {name} | {seconds:.2f} | {corpus_mb / seconds:.1f} | {stage_mb / seconds:.1f} | {kept} |")
    print(f"| all stages | {total:.2f} | {corpus_mb / total:.1f} | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
