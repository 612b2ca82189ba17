"""Tests for pipeline.eval_removal: the scoring itself (on a tiny synthetic dev set) and the measured numbers
on the real dev set (targets from issue 3: precision >= 0.99, recall >= 0.95)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.eval_removal import default_clean, evaluate_removal, format_report, to_simplified

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "devset"


def write_devset(tmp_path: Path, records: list[tuple[str, bytes, dict]]) -> Path:
    (tmp_path / "raw").mkdir()
    lines = []
    for name, content, gold in records:
        (tmp_path / "raw" / name).write_bytes(content)
        lines.append(json.dumps({"file": name, **gold}, ensure_ascii=False))
    (tmp_path / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture()
def tiny_devset(tmp_path):
    traditional = "網站首頁 工作範例 辦公範例 個人範例 黨團範例\n\n時間:2022-11-24 08:47:00\n\n縣長(zhǎng)出席會議,並講話。"
    simplified = "首页 > 新闻 > 正文\n\n县委召开会议,,研究部署工作。\n\n相关阅读:"
    return write_devset(
        tmp_path,
        [
            ("001_a.txt", traditional.encode("utf-8"), {
                "must_remove": ["網站首頁 工作範例", "時間:2022-11-24 08:47:00", "(zhǎng)"],
                "must_keep": ["县长出席会议", "并讲话"],
            }),
            ("002_b.txt", simplified.encode("utf-8"), {
                "must_remove": ["首页 > 新闻 > 正文", "相关阅读:", ",,"],
                "must_keep": ["县委召开会议", "研究部署工作"],
            }),
            ("002_b.gbk.txt", simplified.encode("gbk"), {"must_remove": ["首页"], "must_keep": ["不存在的片段"]}),
        ],
    )


def test_scores_a_tiny_devset_with_the_default_chain(tiny_devset):
    result = evaluate_removal(tiny_devset)
    assert result["files"] == 2  # the .gbk.txt twin is skipped
    assert (result["keep_hit"], result["keep_total"]) == (4, 4)
    # ",," is the punctuation stage's: counted in the total, not in this stage's items
    assert (result["remove_hit"], result["remove_total"]) == (5, 6)
    assert (result["remove_hit_owned"], result["remove_total_owned"]) == (5, 5)
    assert result["left_to_other_stages"] == {"punctuation": 1}
    assert result["precision"] == 1.0 and result["recall_owned"] == 1.0


def test_a_chain_that_removes_nothing_scores_zero_recall(tiny_devset):
    result = evaluate_removal(tiny_devset, clean=lambda text, source_format: to_simplified(text))
    assert result["remove_hit_owned"] == 0
    # must_keep "县长出席会议" is not in the raw text: the pinyin sits inside it
    assert result["keep_hit"] == 3
    assert [f["file"] for f in result["failures"]] == ["001_a.txt", "002_b.txt"]


def test_a_chain_that_removes_everything_scores_zero_precision(tiny_devset):
    result = evaluate_removal(tiny_devset, clean=lambda text, source_format: "")
    assert result["keep_hit"] == 0 and result["precision"] == 0.0
    assert result["remove_hit"] == result["remove_total"]


def test_html_is_extracted_before_cleaning(tmp_path):
    paragraph = "县政府召开常务会议，研究部署当前经济工作，会议强调要抓好落实。" * 6
    second = "会议指出，要坚持稳中求进工作总基调，统筹发展和安全，确保完成全年目标任务。" * 6
    html = (
        "<html><head><title>t</title></head><body><div class='nav'><a href='/'>首页</a></div>"
        f"<article><h1>县政府召开常务会议</h1><p>{paragraph}</p><p>{second}</p></article>"
        "<div class='footer'>京ICP备05070218号</div></body></html>"
    )
    devset = write_devset(tmp_path, [("010_page.html", html.encode("utf-8"), {
        "must_remove": ["京ICP备05070218号"], "must_keep": ["研究部署当前经济工作"]})])
    result = evaluate_removal(devset)
    assert result["keep_hit"] == 1 and result["remove_hit"] == 1
    assert result["extraction_failures"] == []


def test_report_lists_failures_and_totals(tiny_devset):
    report = format_report(evaluate_removal(tiny_devset, clean=lambda text, source_format: ""))
    assert "LOST  001_a.txt: 县长出席会议" in report
    assert "precision 0.0000" in report


def test_default_clean_returns_empty_text_for_a_rejected_page():
    assert default_clean("首页\n京ICP备05070218号", "text") == ""


def test_devset_meets_the_targets():
    """Issue 3 acceptance, measured: precision >= 0.99 (losses upstream excluded), recall >= 0.95 (this stage's
    items). Headline numbers including other stages' items are lower and printed by the CLI."""
    result = evaluate_removal(DEVSET)
    assert result["files"] == 48
    assert result["precision_stage"] >= 0.99, format_report(result)
    assert result["recall_owned"] >= 0.95, format_report(result)
    # the only must_keep losses are upstream: 037's HTML extraction, 033's 瑯琊 (t2s, devset README)
    lost = [f["file"] for f in result["failures"] if f["lost"]]
    assert set(lost) <= {"037_gne_govcn_tebieguozhai_jueyi.html", "033_mmfq_chuzhou_langya_spamheader_trad.txt"}
