"""Removal precision and recall on the annotated dev set (tests/data/devset; its README defines the gold).

- recall: share of ``must_remove`` strings absent from the cleaned output. Each string is converted with
  the chain's script converter first (a Traditional string vanishes trivially once converted otherwise).
- precision: share of ``must_keep`` fragments present in the output, both sides compared without
  punctuation and whitespace (``must_keep`` is punctuation-free by construction).

``must_remove`` items that another stage owns are counted apart, so the number shows what this stage does:
doubled punctuation (punctuation stage), ``?…?`` mojibake runs of the GBK SogouCS records (ingest/encoding),
and a position+name byline (metadata stage). HTML is extracted with trafilatura the way ingest does; a page
where extraction itself fails is reported as such.

The cleaning chain is a parameter, ``clean(raw_text, source_format) -> cleaned_text``; the default is
OpenCC ``t2s`` (stand-in for the script stage) followed by ``remove_artifacts``.

Run: ``python -m pipeline.eval_removal [devset_dir]``.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path
from typing import Callable

from pipeline.artifacts import normalized_line, remove_artifacts
from pipeline.document import Document, Rejection
from pipeline.stage_configs import ArtifactsConfig

Clean = Callable[[str, str], str]


@functools.lru_cache(maxsize=None)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s, the stand-in for the script stage.

    >>> to_simplified("發布時間")
    '发布时间'
    """
    return _t2s().convert(text)


def extract_html(raw: bytes) -> str:
    """Main text of an HTML page, extracted as ingest does (trafilatura, tables kept)."""
    import trafilatura

    return trafilatura.extract(raw, include_comments=False, include_tables=True, favor_precision=False) or ""


def default_clean(raw_text: str, source_format: str, config: ArtifactsConfig = ArtifactsConfig()) -> str:
    """t2s, then ``remove_artifacts``; a rejected page yields ""."""
    doc = Document(source_file="eval", source_sha256="0" * 64, text=to_simplified(raw_text), source_format=source_format)
    result = remove_artifacts(doc, config)
    return "" if isinstance(result, Rejection) else result.text


def owner_of(item: str) -> str:
    """Which stage owns a ``must_remove`` item: "artifacts" unless another stage's job.

    >>> owner_of(",,"), owner_of("?２痪们埃?"), owner_of("中共龙游县委书记 祝建东"), owner_of("本网讯(记者 傅长琪)")
    ('punctuation', 'ingest', 'metadata', 'artifacts')
    """
    if not re.search(r"\w", item):
        return "punctuation"
    if re.fullmatch(r"\?[^?\n]{1,40}\?", item):
        return "ingest"
    position = r"(?:书记|副书记|局长|县长|市长|主任|主席|行政长官|部长|厅长|省长|区长|镇长|乡长|常委)"
    if re.search(rf"{position}\s*[\u4e00-\u9fff](?:\s*[\u4e00-\u9fff]){{1,3}}$", item) and "记者" not in item:
        return "metadata"
    return "artifacts"


def read_gold(devset_dir: Path) -> list[dict]:
    lines = (devset_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate_removal(devset_dir: str | Path, clean: Clean | None = None) -> dict:
    """Run ``clean`` on every dev-set file and score removals against the gold annotations."""
    devset_dir = Path(devset_dir)
    clean = clean or default_clean
    totals = {
        "files": 0,
        "remove_total": 0,
        "remove_hit": 0,
        "remove_total_owned": 0,
        "remove_hit_owned": 0,
        "keep_total": 0,
        "keep_hit": 0,
        "keep_lost_upstream": 0,
        "left_to_other_stages": {},
        "extraction_failures": [],
    }
    failures: list[dict] = []
    for record in read_gold(devset_dir):
        name = record["file"]
        if ".gbk." in name:
            continue  # the UTF-8 copy of the same record is scored instead (README: build one or the other)
        path = devset_dir / "raw" / name
        if name.endswith((".html", ".htm")):
            source_format, raw_text = "html", extract_html(path.read_bytes())
        else:
            source_format, raw_text = "text", path.read_text(encoding="utf-8")
        output = clean(raw_text, source_format)
        flat_output = normalized_line(output)
        totals["files"] += 1
        file_failures = {"file": name, "left": [], "lost": []}
        if source_format == "html" and len(normalized_line(raw_text)) < 200:
            totals["extraction_failures"].append(name)
        for item in record.get("must_remove") or []:
            target = to_simplified(item)
            removed = target not in output
            owner = owner_of(target)
            totals["remove_total"] += 1
            totals["remove_hit"] += removed
            if owner == "artifacts":
                totals["remove_total_owned"] += 1
                totals["remove_hit_owned"] += removed
                if not removed:
                    file_failures["left"].append(target)
            elif not removed:
                totals["left_to_other_stages"][owner] = totals["left_to_other_stages"].get(owner, 0) + 1
        converted_input = to_simplified(raw_text)
        extraction_failed = name in totals["extraction_failures"]
        for fragment in record.get("must_keep") or []:
            present = normalized_line(fragment) in flat_output
            totals["keep_total"] += 1
            totals["keep_hit"] += present
            if not present:
                # lost before this stage: extraction gave no text, or the converter cannot produce a character
                # of the fragment (t2s leaves 瑯琊区 where gold has 琅琊区, devset README)
                upstream = extraction_failed or any(ch not in converted_input for ch in fragment)
                totals["keep_lost_upstream"] += upstream
                file_failures["lost"].append(fragment + ("  [upstream: extraction/converter]" if upstream else ""))
        if file_failures["left"] or file_failures["lost"]:
            failures.append(file_failures)
    totals["recall"] = totals["remove_hit"] / totals["remove_total"] if totals["remove_total"] else 1.0
    totals["recall_owned"] = (
        totals["remove_hit_owned"] / totals["remove_total_owned"] if totals["remove_total_owned"] else 1.0
    )
    totals["precision"] = totals["keep_hit"] / totals["keep_total"] if totals["keep_total"] else 1.0
    scored = totals["keep_total"] - totals["keep_lost_upstream"]
    totals["precision_stage"] = totals["keep_hit"] / scored if scored else 1.0
    totals["failures"] = failures
    return totals


def format_report(result: dict) -> str:
    lines = []
    for failure in result["failures"]:
        for item in failure["lost"]:
            lines.append(f"LOST  {failure['file']}: {item}")
        for item in failure["left"]:
            lines.append(f"LEFT  {failure['file']}: {item}")
    lines.append(
        f"files {result['files']}  precision {result['precision']:.4f} ({result['keep_hit']}/{result['keep_total']})  "
        f"precision, upstream losses excluded {result['precision_stage']:.4f}  "
        f"recall {result['recall']:.4f} ({result['remove_hit']}/{result['remove_total']})  "
        f"recall, this stage's items {result['recall_owned']:.4f} "
        f"({result['remove_hit_owned']}/{result['remove_total_owned']})"
    )
    lines.append(f"left to other stages: {result['left_to_other_stages']}")
    if result["extraction_failures"]:
        lines.append(f"HTML extraction gave (almost) no text: {', '.join(result['extraction_failures'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    devset_dir = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "tests" / "data" / "devset"
    print(format_report(evaluate_removal(devset_dir)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
