"""Deduplication inside a build: exact and near copies across shards are left out, listed in
duplicates/, counted in the manifest, and the accounting still adds up."""

from __future__ import annotations

import shutil

import pandas as pd

from pipeline.build import build_locally
from pipeline.config import config_from_dict

from conftest import RAW


def test_exact_and_near_copies_are_listed_and_accounted(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    speech = (RAW / "004_c0fd344d59baed76.txt").read_text(encoding="utf-8")
    # the same text with different spacing (exact after normalisation), and a lightly edited copy
    (raw / "copy-spaced.txt").write_text(speech.replace("。", "。  "), encoding="utf-8")
    (raw / "copy-edited.txt").write_text(speech.replace("创先争优", "创优争先", 3).replace("党员", "同志", 5),
                                         encoding="utf-8")
    out = tmp_path / "out"
    manifest = build_locally(raw, out, config_from_dict({"output": {"shard_target_bytes": 15000}}))
    counts = manifest["counts"]
    assert counts["duplicates"] == 2
    assert counts["inputs"] + counts["articles_added_by_split"] == (
        counts["documents"] + counts["quarantined"] + counts["duplicates"])
    duplicates = pd.concat([pd.read_parquet(p) for p in sorted((out / "duplicates").glob("*.parquet"))])
    documents = pd.concat([pd.read_parquet(p) for p in sorted((out / "documents").glob("*.parquet"))])
    assert len(duplicates) == 2
    assert set(duplicates["duplicate_of"]) <= set(documents["id"])
    assert not set(duplicates["id"]) & set(documents["id"])
    assert set(duplicates["kind"]) == {"exact", "near"}
    assert (duplicates["similarity"] >= 0.3).all()
    # documents that only share boilerplate with others are not clustered: the five seeds all survive
    assert {name[:3] for name in documents["source_file"]} >= {"000", "001", "002", "003"}
