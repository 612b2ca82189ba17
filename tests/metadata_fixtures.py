"""Seed files as the metadata stage would receive them, made without the artifacts module.

Script conversion is OpenCC t2s; the debris lines the artifacts stage will remove are dropped here by hand
(by their exact leading text) and, where that stage records a value, recorded the same way (series header and
编者按 into fields, the 范文 template sentence as a removal with rule ``artifacts.template_sentence``).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document, Removal, sha256_hex
from pipeline.stages.script import to_simplified

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "raw"

# per seed: line prefixes (after t2s) the artifacts stage drops, and the rule it records for them
_DROP = {
    "000": {"【领导干部": "artifacts.series", "编者按": "artifacts.editor_note"},
    "001": {"本站小编为你精心准备了": "artifacts.template_sentence"},
    "002": {"时间:": "artifacts.page_time", "导语:": "artifacts.template_sentence"},
    "003": {"网站首页": "artifacts.navigation", "栏目:": "artifacts.page_info"},
    "004": {},
}


def seed_document(prefix: str) -> Document:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    raw = path.read_bytes()
    text = to_simplified(raw.decode("utf-8"))
    kept, removals, fields = [], [], {}
    for number, line in enumerate(text.split("\n")):
        rule = next((r for p, r in _DROP[prefix].items() if line.strip().startswith(p)), None)
        if rule is None:
            kept.append(line)
            continue
        removals.append(Removal(rule, number, line))
        if rule == "artifacts.series":
            fields["series"] = line.strip().strip("【】")
        elif rule == "artifacts.editor_note":
            fields["editor_note"] = line.strip()[4:]
        elif rule == "artifacts.page_time":
            fields["published_at"] = "2022-11-24T08:47:00"
    return Document(
        source_file=path.name, source_sha256=sha256_hex(raw), text="\n".join(kept), removals=tuple(removals), **fields
    )
