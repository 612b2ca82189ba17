"""Cross-document line keys found over a whole text (pipeline.corpus.line_keys), the cross_doc stage and the
line-count pre-pass built on them, and the pre-pass's reader (pipeline.readers.read_texts): each held to the
implementation it replaced, kept here or in the product as the reference.

- ``line_keys`` against one regex substitution per line, on every code point of the Basic Multilingual Plane
  (the table's whole domain) and on generated texts (astral characters and lone surrogates take the regex path);
- ``candidate_hashes`` against ``artifacts.cross_document._candidate_hashes``, ``remove_common_lines`` against
  ``artifacts.remove_repeated_lines``;
- ``read_texts`` against ``read_units`` (the same texts, sources and order; the same records refused);
- ``count_shard_lines`` against the pre-pass as it was (``read_units``, ``_counted_lines_reference``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import BuildConfig
from pipeline.corpus import prepass
from pipeline.corpus.line_keys import candidate_hashes, line_keys
from pipeline.corpus.lines import CommonLines, remove_common_lines, source_key
from pipeline.document import Document, Rejection
from pipeline.plan import Shard
from pipeline.readers import RecordText, Unit, read_texts, read_units
from pipeline.stage_configs import ArtifactsConfig, IngestConfig
from pipeline.stages import artifacts
from pipeline.stages.artifacts.cross_document import _candidate_hashes

_NOT_WORD = re.compile(r"[\W_]+")  # the regex every key was made with before line_keys


def reference_keys(text: str) -> list[str]:
    return [_NOT_WORD.sub("", line) for line in text.split("\n")]


def test_every_code_point_of_the_basic_plane_is_kept_or_dropped_as_the_regex_does():
    points = [chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF and code != 0x0A]
    text = "\n".join(points)  # one code point a line: each line's key is the point or nothing
    keys = line_keys(text)
    assert keys == reference_keys(text)
    assert 0 < sum(1 for key in keys if key) < len(points)  # both outcomes are reached


# Word characters of several scripts, spaces of several kinds, CJK and ASCII punctuation, "_", line breaks, an
# astral ideograph (regex path), a lone surrogate (regex path) and characters NFKC would fold (kept as they are).
PIECES = ["版权所有", "某某网", "發展", "abc", "Ｘ", "12", "①", "ﬁ", " ", "\u3000", "\xa0", "\t", "\r", "_", "，",
          "。", "！", "?", "、", "【", "】", "©", "-", "\n", "\n\n", "𠀀", "\ud800", "这是一段很长的正文内容",
          "本站所有文章均来自网络"]
texts = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
SMALL = ArtifactsConfig(header_max_chars=6, cross_doc_min_line_chars=3)  # short examples reach every branch


@settings(max_examples=400, deadline=None)
@given(texts)
def test_line_keys_are_those_of_one_regex_per_line(text):
    assert line_keys(text) == reference_keys(text)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from([ArtifactsConfig(), SMALL]))
def test_candidate_lines_are_the_cross_document_rules(text, config):
    assert candidate_hashes(text, config) == _candidate_hashes(text, config)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from([ArtifactsConfig(), SMALL]), st.data())
def test_the_cross_doc_stage_removes_what_remove_repeated_lines_removes(text, config, data):
    doc = Document(source_file="site-a/1.txt", source_sha256="0" * 64, text=text)
    own = sorted({h for _, _, h in _candidate_hashes(text, config)})
    chosen = data.draw(st.lists(st.sampled_from(own), unique=True) if own else st.just([]))
    common = CommonLines.from_lists({"site-a": chosen + [artifacts.line_hash("另一个网站的页脚")]})
    got = remove_common_lines(doc, config, common)
    expected = artifacts.remove_repeated_lines(doc, config, common.of(doc))
    assert (got.text, got.removals) == (expected.text, expected.removals)


def _hostile_jsonl(path: Path) -> None:
    """Records the reader keeps (CRLF, NUL, URLs, ids) and every kind it refuses, in one file."""
    records = [
        json.dumps({"id": 1, "text": "第一篇\r\n版权所有 某某网", "url": "http://www.a.gov.cn/1"}, ensure_ascii=False),
        "",  # a blank line: layout, not a record
        json.dumps({"text": "第二篇\x00正文\r末行"}, ensure_ascii=False),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"txt": "no text field"}),
        json.dumps({"text": "x", "id": 1.5}),
        json.dumps({"text": "x", "url": 7}),
        json.dumps({"text": " \u3000\n\t"}),  # whitespace only
        json.dumps({"text": "短行\n" + "长" * 50}, ensure_ascii=False),  # a line over max_line_chars below
        json.dumps({"text": "长" * 50}, ensure_ascii=False),  # over max_line_chars in one line
        json.dumps({"text": "长" * 41}, ensure_ascii=False),  # one character over: the whole text is the line
        json.dumps({"text": "长" * 40}, ensure_ascii=False),  # exactly at the limit: kept
        json.dumps({"text": "x" * 300}),  # over max_file_bytes below
        json.dumps({"text": "第三篇 繁體：發展", "url": "https://b.example.org/x"}, ensure_ascii=False),
    ]
    path.write_bytes("\n".join(records).encode("utf-8") + b"\n\xff\xfe{\"text\": \"bad utf-8\"}\n")


def test_read_texts_reads_what_read_units_keeps(tmp_path):
    _hostile_jsonl(tmp_path / "a.jsonl")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "b.txt").write_text("一篇纯文本\n第二行", encoding="utf-8")
    size = (tmp_path / "a.jsonl").stat().st_size
    units = [Unit("a.jsonl", "jsonl", size, 0, size), Unit("site/b.txt", "text", 20)]
    config = BuildConfig(ingest=IngestConfig(max_line_chars=40, max_file_bytes=200))
    documents = [item for item in read_units(units, tmp_path, config, None, {}) if not isinstance(item, Rejection)]
    texts = list(read_texts(units, tmp_path, config))
    assert [(d.source_file, d.url, d.text, d.source_line) for d in documents] == \
        [(t.source_file, t.url, t.text, t.source_line) for t in texts]
    assert [type(t) for t in texts] == [RecordText] * 4 + [Document]
    refused = Counter(item.reason for item in read_units(units, tmp_path, config, None, {})
                      if isinstance(item, Rejection))
    assert refused == {"ingest.bad_jsonl": 6, "ingest.empty": 1, "ingest.line_too_long": 3, "ingest.too_large": 1}


def _reference_counts(shard: Shard, input_dir: Path, config: BuildConfig) -> dict:
    """``count_shard_lines`` as it was: every document read by ``read_units`` and counted by the reference."""
    groups: dict[str, dict[str, set]] = {}
    for item in read_units(shard.units, input_dir, config, None, {}):
        if isinstance(item, Rejection):
            continue
        for doc, group, hashes in prepass._counted_lines_reference(item, config):
            groups.setdefault(source_key(doc.source_file, doc.url), {}).setdefault(group, set()).update(hashes)
    lines = {source: Counter(h for hashes in by_group.values() for h in hashes) for source, by_group in groups.items()}
    return {"documents": {source: len(by_group) for source, by_group in sorted(groups.items())},
            "lines": {source: {h: n for h, n in sorted(counter.items()) if n >= 2}
                      for source, counter in sorted(lines.items())}}


def test_the_pre_pass_counts_a_synthetic_shard_as_it_did(tmp_path):
    from bench import synthetic

    raw = tmp_path / "raw"
    synthetic.generate(docs=400, out=raw, seed=7)  # Traditional, Taiwan-converted and Simplified documents, copies
    units = [Unit(path.name, "jsonl", path.stat().st_size, 0, path.stat().st_size) for path in sorted(raw.iterdir())]
    shard = Shard(index=0, units=tuple(units), key="")
    for config in (BuildConfig(), BuildConfig(artifacts=SMALL)):
        counted = prepass.count_shard_lines(shard, raw, tmp_path / "out", config)
        assert counted == _reference_counts(shard, raw, config)
        assert sum(len(lines) for lines in counted["lines"].values()) > 0  # some line is common
