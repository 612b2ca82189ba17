"""``corpus eval``: the scoring arithmetic on a small dev set written here, the site-grouped splits, and the
real dev set (outside the repository; skipped where it is absent)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import DEVSET, needs_devset
from pipeline.config import BuildConfig
from pipeline.document import Document
from pipeline.evaluation.devset import Page, folds, read_pages, report_pages, site_of, tuning_pages
from pipeline.evaluation.scores import evaluate_devset, format_evaluation, score_page

BODY = ("会议指出，今年以来全县上下坚持稳中求进工作总基调，扎实推进各项重点工作，经济社会发展取得新成效。"
        "会议强调，要进一步压实责任，抓好安全生产和民生保障，确保各项目标任务圆满完成。")


def write_devset(folder: Path, pages: list[tuple[str, str, dict]]) -> Path:
    (folder / "raw").mkdir(parents=True)
    lines = []
    for name, text, gold in pages:
        (folder / "raw" / name).write_text(text, encoding="utf-8")
        lines.append(json.dumps({"file": name, **gold}, ensure_ascii=False))
    (folder / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _gold(**fields) -> dict:
    base = {"source": "http://www.example.cn/a.html", "title": None, "author": None, "speaker": None,
            "province": None, "city": None, "county": None, "published_at": None, "must_remove": [], "must_keep": []}
    return {**base, **fields}


def test_score_page_counts_each_measure_once():
    page = Page("a.txt", "example.cn", _gold(title="全县工作会议召开", author="张三", province="浙江省",
                                             county="遂昌县", must_remove=["首页 > 新闻"],
                                             must_keep=["扎实推进各项重点工作"]))
    doc = Document(source_file="a.txt", source_sha256="0" * 64, text="首页 > 新闻\n" + BODY,
                   title="全县工作会议 召开", author=None, speaker="张三", province="浙江省", city="丽水市")
    scores = score_page(page, [doc], [])
    r = scores.ratios
    assert (r["title"].hit, r["title"].total) == (1, 1)  # spaces do not count
    assert (r["title_none"].total, r["author_invented"].total) == (0, 0)
    assert (r["author"].hit, r["author"].total) == (1, 1)  # no author: the speaker is compared
    assert (r["region"].hit, r["region"].total, r["region_precision"].total) == (0, 1, 1)  # 丽水市 ≠ 遂昌县
    assert (r["province"].hit, r["province_precision"].hit) == (1, 1)
    assert (r["debris"].hit, r["debris"].total) == (0, 1)  # the breadcrumb is still in the text
    assert (r["keep"].hit, r["keep"].total) == (1, 1)
    assert any("left" in problem for problem in scores.problems)


def test_an_invented_author_and_title_are_counted_against_the_page():
    page = Page("b.txt", "example.cn", _gold())
    doc = Document(source_file="b.txt", source_sha256="0" * 64, text=BODY, title="随便一行", author="李四")
    r = score_page(page, [doc], []).ratios
    assert (r["title_none"].hit, r["title_none"].total) == (0, 1)
    assert (r["author_invented"].hit, r["author_invented"].total) == (1, 1)


def test_evaluation_runs_the_product_on_a_small_devset(tmp_path):
    devset = write_devset(tmp_path / "devset", [
        ("a.txt", f"首页 > 新闻中心 > 时政要闻\n全县经济工作会议召开\n{BODY}\n", _gold(
            title="全县经济工作会议召开", must_remove=["首页 > 新闻中心 > 时政要闻"],
            must_keep=["经济社会发展取得新成效"])),
        ("b.txt", f"{BODY}\n", _gold(source="http://news.other.com.cn/b.html", must_keep=["确保各项目标任务圆满完成"])),
    ])
    result = evaluate_devset(devset, BuildConfig(), held_out=False)
    scores = result.columns["all pages"]
    assert scores.pages == 2
    assert (scores.ratios["keep"].hit, scores.ratios["keep"].total) == (2, 2)
    assert (scores.ratios["debris"].hit, scores.ratios["debris"].total) == (1, 1)
    assert (scores.ratios["title"].hit, scores.ratios["title"].total) == (1, 1)
    assert (scores.ratios["title_none"].hit, scores.ratios["title_none"].total) == (1, 1)
    table = format_evaluation(result)
    assert "title right" in table and "1.000 (1/1)" in table


def test_sites_group_subdomains_and_keep_distinct_government_sites_apart():
    assert site_of("http://m.ihzw.com.cn/a.html", "x") == site_of("https://www.ihzw.com.cn/b", "y") == "ihzw.com.cn"
    assert site_of("http://cgj.yueyang.gov.cn/1.html", "x") != site_of("http://www.yancheng.gov.cn/2", "y")
    assert site_of("https://today.line.me/tw/v2/article/x", "x") == "line.me"


@needs_devset
def test_the_splits_never_put_one_site_on_both_sides():
    pages = read_pages(DEVSET)
    tuning, report = tuning_pages(pages), report_pages(pages)
    assert len(tuning) + len(report) == len(pages) and 20 <= len(report) <= 40
    assert not {p.site for p in tuning} & {p.site for p in report}
    parts = folds(tuning)
    assert sorted(p.file for part in parts for p in part) == sorted(p.file for p in tuning)
    for i, left in enumerate(parts):
        for right in parts[i + 1:]:
            assert not {p.site for p in left} & {p.site for p in right}


def test_eval_without_a_devset_fails_with_one_line(tmp_path):
    env = {**os.environ, "CORPUS_DEVSET": str(tmp_path / "missing")}
    run = subprocess.run([sys.executable, "-m", "flows.cli", "eval", "--in-sample"], capture_output=True, text=True,
                         env=env, cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert run.returncode != 0
    assert run.stderr.strip().count("\n") == 0 and "no dev set found" in run.stderr, run.stderr


def test_the_evaluation_uses_no_private_helper_of_the_product():
    """It runs the product's readers and stages through their public names: no ``from x import _y`` and no
    ``module._y`` on an imported module, so a stage's internals can change without the evaluation drifting."""
    import ast

    package = Path(__file__).resolve().parents[1] / "pipeline" / "evaluation"
    found = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        modules |= {alias.asname or alias.name for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline")
                    for alias in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                found += [f"{path.name}: from {node.module} import {a.name}" for a in node.names
                          if a.name.startswith("_")]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and isinstance(node.value, ast.Name) and node.value.id in modules:
                found.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert found == []
