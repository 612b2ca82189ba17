"""Deterministic synthetic corpus of this genre, for throughput and scale benchmarks.

    python -m bench.synthetic --docs N --out DIR [--format jsonl|txt] [--seed 0] [--docs-per-shard 10000]

How a document is made (all choices from one seeded ``random.Random``, so the same arguments give the
same bytes):
- sentences are cut from the seed files (data/raw) and the .txt files 001–048 of the dev set (kept outside
  the repository, ``pipeline.evaluation.devset``; the same 36 files every earlier benchmark used; without the dev set
  the pool is the seeds' sentences and the numbers are not comparable),
  Traditional ones converted to Simplified first; paragraphs are 2–6 random sentences, documents a title
  plus paragraphs up to a random length of 3–15 KB (UTF-8);
- debris lines are injected: a navigation row and a ``时间:`` line at the top, a 范文-site template sentence
  (本站小编为你精心准备了…), image captions between paragraphs, an editor/copyright line at the end;
- ~30 % of documents are written in Traditional: OpenCC ``s2t`` (20 %) or ``s2twp`` with Taiwan phrasing
  (10 %). The sentence pool is converted once up front, so generation does no per-document OpenCC work;
- planted duplicates: ``--exact-dup-rate`` (3 %) exact copies and ``--near-dup-rate`` (5 %) copies with
  1–10 % of characters substituted, inserted or deleted, each of an earlier original document.

Output: ``DIR/shard-00000.jsonl`` … (one JSON object per line: ``id``, ``url``, ``text``) or one
``DIR/<id>.txt`` per document, plus ``DIR/truth.jsonl``: one line per document with ``id``, ``script``
(simplified | s2t | s2twp), ``duplicate_of`` (id of the original, or null), ``duplicate_kind``
(exact | near | null), ``edit_rate`` (share of characters edited for near duplicates) and ``chars``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import opencc

from pipeline.evaluation.devset import default_devset_dir

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "data" / "raw"
# The dev set's first two collections: the files earlier benchmark corpora were cut from (comparable numbers).
DEVSET_FILES_BEFORE = "100"
SENTENCE_END = re.compile(r"(?<=[。！？!?])")
HAN = re.compile(r"[\u4e00-\u9fff]")

NAV_ROWS = ["网站首页 工作范文 办公范文 个人范文 党团范文 简历范文 学生范文 其他范文 专题范文",
            "首页 > 新闻中心 > 工作动态 > 正文", "当前位置：首页 >> 领导讲话 >> 正文",
            "首页 | 政务公开 | 政务服务 | 互动交流 | 走进本县"]
TEMPLATES = ["本站小编为你精心准备了{topic}参考范文,愿这些范文能点燃您思维的火花,"
             "激发您的写作灵感。欢迎深入阅读并收藏。",
             "导语:{topic}一文来源于网友上传,不代表本站观点,若需要原创文章可咨询客服老师,欢迎参考。"]
CAPTIONS = ["图为{topic}现场。(记者 {name} 摄)", "▲{topic}现场", "(图片来源:{name})"]
FOOTERS = ["责任编辑:{name}", "版权所有 © {year} 本站 保留所有权利 备案号:京ICP备{num}号",
           "阅读:{num}次 来源:网友上传 作者:{name}"]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴刚"]


def _read_sentences() -> list[str]:
    t2s = opencc.OpenCC("t2s")
    sentences = []
    devset = default_devset_dir()
    paths = sorted(SEED_DIR.glob("*.txt"))
    if devset is not None:
        paths += sorted(p for p in (devset / "raw").glob("*.txt") if p.name[:3] < DEVSET_FILES_BEFORE)
    for path in paths:
        if path.name.endswith(".gbk.txt"):
            continue
        text = t2s.convert(path.read_text(encoding="utf-8", errors="replace"))
        for line in text.splitlines():
            line = line.strip()
            if len(line) < 20 or len(HAN.findall(line)) < len(line) * 0.6:
                continue
            sentences.extend(s.strip() for s in SENTENCE_END.split(line) if len(s.strip()) >= 8)
    return sorted(set(sentences))


class Pools:
    """Sentence and debris pools in three scripts, converted once."""

    SCRIPTS = ("simplified", "s2t", "s2twp")

    def __init__(self):
        self.sentences = {"simplified": _read_sentences()}
        converters = {"s2t": opencc.OpenCC("s2t"), "s2twp": opencc.OpenCC("s2twp")}
        joined = "\n".join(self.sentences["simplified"])
        for name, converter in converters.items():
            converted = converter.convert(joined).split("\n")
            assert len(converted) == len(self.sentences["simplified"])
            self.sentences[name] = converted
        self.converters = converters

    def convert(self, script: str, text: str) -> str:
        return text if script == "simplified" else self.converters[script].convert(text)


def _debris(rng: random.Random, pools: Pools, script: str, topic: str) -> dict[str, list[str]]:
    fill = dict(topic=topic, name=rng.choice(NAMES), year=rng.randint(2008, 2024),
                num=rng.randint(10000, 99999999))
    date = f"{rng.randint(2008, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    top = []
    if rng.random() < 0.5:
        top.append(rng.choice(NAV_ROWS))
    if rng.random() < 0.6:
        top.append(f"时间:{date} {clock}")
    if rng.random() < 0.4:
        top.append(rng.choice(TEMPLATES).format(**fill))
    middle = [rng.choice(CAPTIONS).format(**fill) for _ in range(rng.randint(0, 2))]
    bottom = [rng.choice(FOOTERS).format(**fill)] if rng.random() < 0.5 else []
    # Debris lines are short: converting them per document is cheap next to the body.
    return {k: [pools.convert(script, line) for line in v] for k, v in
            (("top", top), ("middle", middle), ("bottom", bottom))}


def make_document(rng: random.Random, pools: Pools) -> tuple[str, str]:
    roll = rng.random()
    script = "s2t" if roll < 0.2 else ("s2twp" if roll < 0.3 else "simplified")
    sentences = pools.sentences[script]
    target_bytes = rng.randint(3_000, 15_000)
    title_sentence = sentences[rng.randrange(len(sentences))]
    title = title_sentence[: rng.randint(8, min(30, len(title_sentence)))].rstrip("，,。")
    debris = _debris(rng, pools, script, title)
    paragraphs, size = [], len(title.encode()) * 2
    count = len(sentences)
    while size < target_bytes:
        paragraph = "".join(sentences[rng.randrange(count)] for _ in range(rng.randint(2, 6)))
        paragraphs.append(paragraph)
        size += len(paragraph) * 3  # Han characters are 3 bytes in UTF-8
    for caption in debris["middle"]:
        paragraphs.insert(rng.randint(0, len(paragraphs)), caption)
    lines = debris["top"] + [title] + paragraphs + debris["bottom"]
    return "\n".join(lines) + "\n", script


def edit_characters(rng: random.Random, text: str, rate: float, han_only: bool = False) -> str:
    """``rate`` of the characters substituted (60 %), inserted (20 %) or deleted (20 %) at random positions;
    with ``han_only``, positions that are not Han characters are left alone."""
    chars = list(text)
    alphabet = [c for c in chars[:2000] if HAN.match(c)] or ["的"]
    for _ in range(max(1, int(len(chars) * rate))):
        position = rng.randrange(len(chars))
        if han_only and not HAN.match(chars[position]):
            continue
        operation = rng.random()
        if operation < 0.6:
            chars[position] = rng.choice(alphabet)
        elif operation < 0.8:
            chars.insert(position, rng.choice(alphabet))
        elif len(chars) > 1:
            del chars[position]
    return "".join(chars)


def near_duplicate(rng: random.Random, text: str) -> tuple[str, float]:
    """Copy of ``text`` with 1–10 % of its characters substituted, inserted or deleted.

    Edits touch Han characters only, as a republisher's edits do: digits, dates and punctuation of page
    header lines stay well-formed (a mangled ``时间：202案-08-19`` is not something a site prints).
    """
    rate = rng.uniform(0.01, 0.10)
    return edit_characters(rng, text, rate, han_only=True), round(rate, 4)


def generate(docs: int, out: Path, output_format: str = "jsonl", seed: int = 0, docs_per_shard: int = 10_000,
             exact_dup_rate: float = 0.03, near_dup_rate: float = 0.05) -> dict:
    rng = random.Random(seed)
    pools = Pools()
    out.mkdir(parents=True, exist_ok=True)
    originals: list[tuple[str, str, str]] = []  # (id, text, script) of non-duplicate documents
    shard, shard_file, total_chars = -1, None, 0
    truth = open(out / "truth.jsonl", "w", encoding="utf-8")
    try:
        for index in range(docs):
            doc_id = f"syn-{index:09d}"
            roll = rng.random()
            duplicate_of, kind, edit_rate = None, None, None
            if originals and roll < exact_dup_rate:
                duplicate_of, text, script = originals[rng.randrange(len(originals))]
                kind = "exact"
            elif originals and roll < exact_dup_rate + near_dup_rate:
                duplicate_of, source_text, script = originals[rng.randrange(len(originals))]
                text, edit_rate = near_duplicate(rng, source_text)
                kind = "near"
            else:
                text, script = make_document(rng, pools)
                originals.append((doc_id, text, script))
                if len(originals) > 50_000:  # bounded memory: duplicates point at recent documents
                    originals = originals[-25_000:]
            total_chars += len(text)
            if output_format == "jsonl":
                if index // docs_per_shard != shard:
                    if shard_file:
                        shard_file.close()
                    shard = index // docs_per_shard
                    shard_file = open(out / f"shard-{shard:05d}.jsonl", "w", encoding="utf-8")
                shard_file.write(json.dumps({"id": doc_id, "url": f"https://example.invalid/{doc_id}.html",
                                             "text": text}, ensure_ascii=False) + "\n")
            else:
                (out / f"{doc_id}.txt").write_text(text, encoding="utf-8")
            truth.write(json.dumps({"id": doc_id, "script": script, "duplicate_of": duplicate_of,
                                    "duplicate_kind": kind, "edit_rate": edit_rate, "chars": len(text)}) + "\n")
    finally:
        truth.close()
        if shard_file:
            shard_file.close()
    return {"docs": docs, "chars": total_chars, "sentences_in_pool": len(pools.sentences["simplified"])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=["jsonl", "txt"], default="jsonl")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--docs-per-shard", type=int, default=10_000)
    parser.add_argument("--exact-dup-rate", type=float, default=0.03)
    parser.add_argument("--near-dup-rate", type=float, default=0.05)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    stats = generate(args.docs, args.out, args.format, args.seed, args.docs_per_shard,
                     args.exact_dup_rate, args.near_dup_rate)
    seconds = time.perf_counter() - start
    print(f"{stats['docs']} documents, {stats['chars']:,} characters, pool of {stats['sentences_in_pool']} "
          f"sentences, {seconds:.1f} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
