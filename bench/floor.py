"""What the library passes this recipe cannot skip cost, next to the plain "read JSONL → write Parquet" pass.

    python -m bench.floor [--corpus DIR] [--docs 20000]

Issue 8 asks for a build at >= 40 % of the plain pass's speed, measured in the same run. This prints, on the
first ``--docs`` documents of a synthetic corpus and on one core, the speed of passes every build of the
recipe makes whatever its own rules cost: JSON decoding, OpenCC ``t2s`` on the Traditional documents (the
stage converts only those), the C-level scan of the gazetteer automaton that finds places down to county and
town (pyahocorasick), and the MinHash signature. Their combined per-byte cost, spread over two cores, is an
upper bound on any build's speed; it is compared with 40 % of the plain pass measured here on the same documents.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import opencc

from bench.run import reference_read_write
from pipeline.corpus import dedup
from pipeline.stage_configs import ScriptConfig
from pipeline.stages import script
from pipeline.stages.metadata import regions


def load(corpus: Path, docs: int) -> list[str]:
    lines = []
    for path in sorted(corpus.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                lines.append(line)
                if len(lines) == docs:
                    return lines
    return lines


def seconds(function, items) -> float:
    started = time.process_time()
    for item in items:
        function(item)
    return time.process_time() - started


def floor_costs(lines: list[str]) -> dict[str, float]:
    """CPU seconds, on one core, of each pass the recipe cannot skip, over the JSONL ``lines``."""
    texts = [json.loads(line)["text"] for line in lines]
    config = ScriptConfig()
    traditional = [text for text in texts if script.detect_script(text, config) != "simplified"]
    gazetteer = regions.gazetteer()
    signature_config = dedup.DedupConfig()
    converter = opencc.OpenCC("t2s")
    return {
        "JSON decoding": seconds(json.loads, lines),
        f"OpenCC t2s on the Traditional documents ({len(traditional)} of {len(texts)})":
            seconds(converter.convert, traditional),
        # the automaton's C-level scan alone (what find_places adds in Python is not counted)
        "gazetteer automaton scan (C), line by line": seconds(
            lambda text: [gazetteer._spelled.matches(line) for line in text.split("\n")], texts),
        "MinHash signature": seconds(lambda text: dedup.minhash_signature(text, signature_config), texts),
    }


def floor_mb_per_second(corpus: Path, docs: int = 20_000, cores: int = 2) -> float:
    """The ceiling of this recipe on ``cores`` cores: MB/s of JSONL if a build made only the passes of
    :func:`floor_costs` (measured on the first ``docs`` documents of ``corpus``), spread over every core."""
    lines = load(corpus, docs)
    megabytes = sum(len(line.encode("utf-8")) for line in lines) / 1e6
    return cores * megabytes / sum(floor_costs(lines).values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/corpus-bench/corpus-100000"))
    parser.add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args()
    lines = load(args.corpus, args.docs)
    megabytes = sum(len(line.encode("utf-8")) for line in lines) / 1e6
    costs = floor_costs(lines)
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "sample"
        sample.mkdir()
        (sample / "part.jsonl").write_text("".join(lines), encoding="utf-8")
        plain = reference_read_write(sample, Path(folder) / "plain")
    print(f"{len(lines)} documents, {megabytes:.1f} MB of JSONL from {args.corpus}, one core\n")
    print("| pass | CPU s | MB/s |\n|---|---|---|")
    for name, cost in costs.items():
        print(f"| {name} | {cost:.2f} | {megabytes / cost:.0f} |")
    total = sum(costs.values())
    ceiling = 2 * megabytes / total
    print(f"| all four | {total:.2f} | {megabytes / total:.0f} |\n")
    print(f"Upper bound for a 2-core build that makes these passes: {ceiling:.0f} MB/s (with nothing else: no "
          f"rules, no writing).")
    print(f"Plain read JSONL → write Parquet on the same documents: {plain:.0f} MB/s; 40 % of it: "
          f"{0.4 * plain:.0f} MB/s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
