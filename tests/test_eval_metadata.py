"""The devset evaluator: metric arithmetic on a tiny fake devset, and the real devset targets."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.document import Document
from pipeline.eval_metadata import evaluate, format_report

DEVSET = Path(__file__).parent / "data" / "devset"


def test_metrics_on_fake_devset(tmp_path):
    (tmp_path / "raw").mkdir()
    gold = [
        {"file": "a.txt", "title": "甲", "author": "张三", "province": "浙江省", "city": None, "county": None, "published_at": None},
        {"file": "b.txt", "title": "乙", "author": None, "province": None, "city": None, "county": None, "published_at": "2020-01-02"},
    ]
    for record in gold:
        (tmp_path / "raw" / record["file"]).write_text("x", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in gold), encoding="utf-8")

    def fake(doc: Document) -> Document:
        if doc.source_file == "a.txt":
            return doc.with_changes(title="甲", author="李四", province="浙江省")
        return doc.with_changes(title="丙", published_at="2020-01-02T10:00:00")

    report = evaluate(tmp_path, [fake])
    assert (report.scores["title"].correct, report.scores["title"].predicted, report.scores["title"].gold) == (1, 2, 2)
    assert report.scores["author"].precision == 0.0 and report.scores["author"].recall == 0.0
    assert report.scores["province"].precision == 1.0
    assert report.scores["published_at"].correct == 1
    assert "b.txt  title: got '丙', gold '乙'" in format_report(report)


def test_devset_author_precision_and_province():
    report = evaluate(DEVSET)
    assert report.scores["author"].precision >= 0.98  # never invent an author
    assert report.scores["province"].recall >= 0.95
