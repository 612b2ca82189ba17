"""The line model's weak labels kept as data (pipeline/data/line_labels.tsv): no page text, and in step with
the dev set (regenerated rows equal the file; rows checked by eye still point at the same lines)."""

from __future__ import annotations

import re

from conftest import DEVSET, needs_devset

from pipeline.document import Document
from pipeline.models import lines

_FILE_RE = re.compile(r"[0-9A-Za-z_.\-]+")
_HASH_RE = re.compile(r"[0-9a-f]{16}")


def test_the_labels_file_holds_no_page_text():
    text = lines.LABELS_PATH.read_text(encoding="utf-8")
    assert text.isascii()  # the dev pages are Chinese: not one of their characters is in the file
    header, *rows = text.splitlines()
    assert tuple(header.split("\t")) == lines.LABEL_COLUMNS
    assert rows
    for row in rows:
        file, article, line, digest, role, source = row.split("\t")
        assert _FILE_RE.fullmatch(file) and article.isdigit() and line.isdigit(), row
        assert _HASH_RE.fullmatch(digest) and role in lines.ROLES and source in lines.LABEL_SOURCES, row


def test_checked_rows_override_the_weak_labels(tmp_path, monkeypatch):
    text = ("打开客户端\n全县植树活动顺利开展\n本周全县组织干部群众参加义务植树活动。\n"
            "活动现场大家干劲十足。\n县林业部门现场讲解栽植要点。")
    document = Document(source_file="p.txt", source_sha256="0" * 64, text=text)
    gold = {"file": "p.txt", "title": "全县植树活动顺利开展", "must_remove": []}
    weak = lines.examples(document, gold)[0][1]
    assert weak[0] == "body"  # no must_remove string covers it: the weak labeller cannot know
    rows = lines.label_rows(document, gold)
    assert [row[4] for row in rows] == weak
    path = tmp_path / "labels.tsv"
    lines.write_labels([(*rows[0][:4], "chrome", "checked"), *rows[1:]], path)
    monkeypatch.setattr(lines, "LABELS_PATH", path)
    lines.stored_labels.cache_clear()
    try:
        assert lines.examples(document, gold)[0][1] == ["chrome", *weak[1:]]
        # a changed line (another hash) is not overridden: the check was about other text
        changed = document.with_changes(text="下载客户端" + text[5:])
        assert lines.examples(changed, gold)[0][1][0] == "body"
    finally:
        lines.stored_labels.cache_clear()


@needs_devset
def test_the_labels_file_matches_the_dev_set():
    stored = lines.read_labels()
    generated = lines.dev_label_rows(DEVSET)
    assert sorted(generated) == sorted(stored)  # weak rows regenerate exactly; checked rows keep their lines
    assert any(row[5] == "checked" for row in stored)
