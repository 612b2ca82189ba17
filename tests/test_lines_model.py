"""The line-role model (pipeline/models/lines.py): deterministic training, its files, and the stage's guards."""

from __future__ import annotations

import dataclasses

from pipeline.document import Document
from pipeline.models import lines
from pipeline.stage_configs import ArtifactsConfig
from pipeline.stages import artifacts

# A page written for this test: chrome on top (app prompt, clock line), a title, body, a footer link row.
PAGE = "\n".join([
    "打开客户端 阅读更多精彩内容",
    "2024年5月8日 星期三",
    "全县春季植树活动顺利开展",
    "本周全县组织干部群众参加义务植树活动，共栽种各类苗木三千余株。",
    "活动现场，志愿者分组挖坑、扶苗、培土、浇水，大家干劲十足。",
    "县林业部门技术人员现场讲解栽植要点，确保苗木成活。",
    "下一步，全县将继续加强造林绿化，巩固生态建设成果。",
    "相关推荐 热门文章 更多",
])


def page_examples():
    document = Document(source_file="page.txt", source_sha256="0" * 64, text=PAGE)
    gold = {"title": "全县春季植树活动顺利开展", "author": None,
            "must_remove": ["打开客户端 阅读更多精彩内容", "2024年5月8日 星期三", "相关推荐 热门文章 更多"]}
    return lines.examples(document, gold)


def test_weak_labels_of_a_page():
    full_page = page_examples()[0]
    # line 0 is debris either way: 阅读 is also a counter key (阅读 123), so the labeller may call it meta
    assert full_page[1][0] in lines.DEBRIS_ROLES
    assert full_page[1][1:] == ["meta", "title", "body", "body", "body", "body", "chrome"]


def test_fit_is_deterministic_and_files_round_trip(tmp_path):
    examples = page_examples() * 3
    first, second = lines.fit(examples), lines.fit(examples)
    assert first.data == second.data
    lines.save(first, tmp_path)
    loaded = lines.load(tmp_path)
    assert loaded.data == first.data and loaded.card == first.card
    assert not (tmp_path / lines.MODEL_FILE).read_bytes().startswith(b"\x80")  # crfsuite's format, not pickle


def test_model_drops_debris_lines_with_a_traced_score(tmp_path):
    model = lines.fit(page_examples() * 3)
    document = Document(source_file="page.txt", source_sha256="0" * 64, text=PAGE)
    result = artifacts.remove_artifacts_with(document, ArtifactsConfig(model_min_score=0.5), model)
    assert "打开客户端" not in result.text and "星期三" not in result.text
    assert "全县春季植树活动顺利开展" in result.text and "确保苗木成活" in result.text
    traced = [r for r in result.removals if r.rule.startswith("model.")]
    assert traced and all(r.rule.split(":")[0] in ("model.meta", "model.chrome") for r in traced)
    assert all(0.5 <= float(r.rule.split(":")[1]) <= 1.0 for r in traced)
    # the stage is idempotent on its own output with the model in it
    again = artifacts.remove_artifacts_with(result.with_changes(removals=()), ArtifactsConfig(model_min_score=0.5),
                                            model)
    assert again.text == result.text


def test_thresholds_and_guards_keep_the_rules_output():
    model = lines.fit(page_examples() * 3)
    document = Document(source_file="page.txt", source_sha256="0" * 64, text=PAGE)
    rules_only = artifacts.remove_artifacts_with(document, ArtifactsConfig(), None)
    for config in (ArtifactsConfig(model_min_score=1.0), ArtifactsConfig(model_min_lines=50),
                   ArtifactsConfig(model_min_score=0.5, model_max_line_chars=1)):
        result = artifacts.remove_artifacts_with(document, config, model)
        assert result.text == rules_only.text, config
        assert dataclasses.asdict(config)  # a plain frozen config: its fields are the only knobs


# A forum page written for this test: anti-scraping noise lines, a numbered heading between them, a sentence with
# noise glued to its start, and a table-of-contents entry with dot leaders.
NOISY_PAGE = "\n".join([
    "调研报告的写法",
    "q3 K; z& p1 ] A8 r% T",
    "一、总体要求",
    "m5 {; H2 u% b9 ^ Y& e",
    "k7 W; e2 R& 今天，我就调研工作谈三点体会，供大家参考。",
    "; d4 N( s8 ~ J! f& w",
    "(三)学习制度 ......................................... (5)",
    "v6 P; a% 二、基本方法 h3 ] Q8 c#",
    "x2 ^& L7 n; G% k0 )",
    # a paragraph longer than LONG_LINE_CHARS: never dropped, so the drops never take the page's last sentence
    "调研报告要用事实说话，材料要真实可靠，分析要深入透彻，建议要切实可行。" * 5,
])


def test_headings_and_noise_prefixed_sentences_are_never_dropped():
    # a model that has only ever seen chrome: every line scores ~1.0 as debris, so only the guard keeps content
    document = Document(source_file="noisy.txt", source_sha256="0" * 64, text=NOISY_PAGE)
    all_chrome = [(features, ["chrome"] * len(features)) for features, _ in lines.examples(document, {})]
    model = lines.fit(all_chrome * 3 + page_examples())
    result = artifacts.remove_artifacts_with(document, ArtifactsConfig(), model)
    for kept in ("一、总体要求", "今天，我就调研工作谈三点体会", "(三)学习制度", "二、基本方法"):
        assert kept in result.text, kept
    for gone in ("q3 K; z&", "; d4 N(", "x2 ^& L7"):
        assert gone not in result.text, gone
    assert any(r.rule.startswith("model.chrome:") for r in result.removals)
