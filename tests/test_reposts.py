"""Reposted copies of one article beside other documents: cross-document line removal must not take the
article's own lines for site boilerplate (issue 18, item 1). Whole builds through ``build_locally``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.build import build_locally
from pipeline.config import BuildConfig

from conftest import RAW

SEED_004 = next(RAW.glob("004_*.txt"))


def build_documents(raw: Path, out: Path) -> pd.DataFrame:
    build_locally(raw, out, BuildConfig())
    return pd.concat([pd.read_parquet(p) for p in sorted((out / "documents").glob("*.parquet"))],
                     ignore_index=True)


@pytest.fixture(scope="module")
def single_copy(tmp_path_factory) -> pd.Series:
    """Seed 004 as the five seeds give it: one copy."""
    root = tmp_path_factory.mktemp("single")
    shutil.copytree(RAW, root / "raw")
    docs = build_documents(root / "raw", root / "out")
    (row,) = docs[docs["source_file"] == SEED_004.name].to_dict("records")
    assert row["title"] and row["author"], "the reference document itself has its title and author"
    return pd.Series(row)


def test_six_copies_in_other_encodings_give_the_document_one_copy_gives(tmp_path, single_copy):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    text = SEED_004.read_bytes().decode("utf-8")
    (raw / "004_gb18030.txt").write_bytes(text.encode("gb18030"))
    (raw / "004_crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    (raw / "004_bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (raw / "004_utf16.txt").write_bytes(text.encode("utf-16"))
    (raw / "004_plain.txt").write_bytes(text.encode("utf-8") + b"\n")  # not byte-identical to the seed
    docs = build_documents(raw, tmp_path / "out")
    copies = docs[docs["source_file"].str.startswith("004_")]
    assert len(copies) == 1, "the copies are duplicates of one document"
    kept = copies.iloc[0]
    assert (kept["title"], kept["author"], kept["text"]) == (single_copy["title"], single_copy["author"],
                                                             single_copy["text"])
    removals = pd.read_parquet(tmp_path / "out" / "removals")
    assert not (removals["rule"] == "artifacts.cross_doc_repeat").any()


def test_five_reposts_with_different_site_chrome_give_one_whole_document(tmp_path, single_copy):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw, ignore=shutil.ignore_patterns("004_*"))
    article = SEED_004.read_text(encoding="utf-8")
    sites = ["江南范文网", "公文写作站", "第一讲话稿", "党建资料库", "心得体会吧"]
    for index, site in enumerate(sites):  # each site wraps the article in its own header and footer
        page = (f"{site}欢迎您 收录讲话稿第{index + 1}万篇\n\n{article}\n\n"
                f"本页由{site}编辑于二〇二四年收录整理\n")
        (raw / f"repost-{index}.txt").write_text(page, encoding="utf-8")
    docs = build_documents(raw, tmp_path / "out")
    reposts = docs[docs["source_file"].str.startswith("repost-")]
    assert len(reposts) == 1, "near duplicates: one document is kept"
    kept = reposts.iloc[0]
    lost = [line for line in single_copy["text"].split("\n") if line not in kept["text"]]
    assert not lost, f"lines of the article lost: {lost[:3]}"
    assert kept["author"] == single_copy["author"]
    removals = pd.read_parquet(tmp_path / "out" / "removals")
    assert not (removals["rule"] == "artifacts.cross_doc_repeat").any()
