"""The title as a page-level choice: the clean-up of a title, the ranker's candidates and features, how its
decision is applied in the metadata stage (traced, nothing of the body lost), and its training.

Every sentence here is written for these tests (the dev set is third-party text and stays out of the repo).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEVSET, needs_devset
from pipeline.config import BuildConfig
from pipeline.evaluation.devset import read_pages
from pipeline.document import Document, Removal
from pipeline.models import titles
from pipeline.models.training import documents_entering
from pipeline.stage_configs import MetadataConfig
from pipeline.stages.metadata import clean_title, extract_metadata, title_candidates

# (raw heading line, title after clean-up): decoration cut, real heads and tails kept.
CLEAN_CASES = [
    ("市长安全生产讲话【通用三篇】", "市长安全生产讲话"),
    ("《衢州日报》感恩奋进  实干争先", "感恩奋进 实干争先"),
    ("主题: 再致全镇居民的一封信", "再致全镇居民的一封信"),
    ("标题：在全区河长制工作会议上的讲话", "在全区河长制工作会议上的讲话"),
    ("本文标题:在县人大闭幕式上的发言", "在县人大闭幕式上的发言"),
    ("文件名称 | 某区2030年政府工作报告 | ||", "某区2030年政府工作报告"),
    ("篇一:村级组织换届工作手册第一章", "村级组织换届工作手册第一章"),
    ("第2篇 党员代表选举大会讲话稿", "党员代表选举大会讲话稿"),
    ("(12篇)2030年5月优秀文章汇编", "2030年5月优秀文章汇编"),
    ("[嘉宾文论] 平中见奇:总结报告的写法", "平中见奇:总结报告的写法"),
    ("2030年1月7日(星期一) 司法年度开启典礼致辞全文(中文译本)", "司法年度开启典礼致辞全文"),
    ("王立新:在市人大会议上当选市长后的讲话(全文2100字)", "在市人大会议上当选市长后的讲话"),
    ("党课讲稿 党课讲稿:青年干部的担当", "党课讲稿:青年干部的担当"),
    ("关于推进村务公开的通知(某办发〔2030〕3号)", "关于推进村务公开的通知"),
    ("干部大会上县长讲话稿Word下载.docx", "干部大会上县长讲话稿"),
    ("城市绿化工作会议讲话全文.docx", "城市绿化工作会议讲话"),
    ("镇上半年工作情况总结范文", "镇上半年工作情况总结"),
    ("村级组织换届工作手册第一章7篇", "村级组织换届工作手册第一章"),
    ("会议议程安排发言全文(只有中文)", "会议议程安排发言全文"),
    ("全力组织防汛抗灾工作 -- 某某信息港0000.cc!", "全力组织防汛抗灾工作"),
    ("全县农业工作会议召开 | 某某新闻网", "全县农业工作会议召开"),
    ("三乡镇干部首次述职 |", "三乡镇干部首次述职"),
    ("区人民代表大会第三次会议开幕[图]_某某快讯", "区人民代表大会第三次会议开幕"),
    ("地理学术年会在重庆•西南大学举行", "地理学术年会在重庆·西南大学举行"),
    # negatives: a head or tail that is part of the title stays
    ("省委书记：煤炭企业将转型发展", "省委书记：煤炭企业将转型发展"),
    ("党课讲稿：青年干部的担当", "党课讲稿：青年干部的担当"),
    ("立法会：司长就施政报告致谢议案的致辞全文", "立法会：司长就施政报告致谢议案的致辞全文"),
    ("【不忘初心 牢记使命】我院党支部举办技能大赛", "【不忘初心 牢记使命】我院党支部举办技能大赛"),
    ("2030年政府工作报告", "2030年政府工作报告"),
    ("一封信", "一封信"),
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN_CASES)
def test_clean_title(raw, expected):
    assert clean_title(raw) == expected


@pytest.mark.parametrize(("raw", "_expected"), CLEAN_CASES)
def test_clean_title_is_idempotent_and_never_longer(raw, _expected):
    once = clean_title(raw)
    assert clean_title(once) == once
    assert len(once) <= len(raw)


def _document(text: str, removals: tuple = ()) -> Document:
    return Document(source_file="t.txt", source_sha256="0" * 64, text=text, removals=removals)


# A page whose rules pick the site banner: the real title is the genre-word line under it.
BANNER_PAGE = "\n".join([
    "您好,欢迎访问某某文档网",
    "",
    "全县秋冬季植树造林工作会议上的主持词",
    "",
    "同志们:现在开会。这次会议的主要任务是总结全县今年以来的植树造林工作,安排部署秋冬季造林绿化工作。",
    "下面,请县林业局局长通报全县植树造林工作情况,大家欢迎。",
])


def _ranker_folder(tmp_path, rank: dict, accept: dict, accept_intercept: float = 0.0):
    """A hand-weighted ranker saved as a model folder (``model_dir``/titles/titles.json)."""
    model = titles.TitleModel(rank, 0.0, accept, accept_intercept, 0)
    titles.save(model, tmp_path / "titles")
    return MetadataConfig(model_dir=str(tmp_path))


def test_candidates_are_the_top_lines_in_page_order():
    found = title_candidates(_document(BANNER_PAGE))
    lines = [c.text for c in found if c.source == "line"]
    assert lines[:2] == ["您好,欢迎访问某某文档网", "全县秋冬季植树造林工作会议上的主持词"]
    features = {c.text: dict(c.features) for c in found}
    assert features["您好,欢迎访问某某文档网"]["advert"] == 1.0
    assert features["全县秋冬季植树造林工作会议上的主持词"]["genre"] == 1.0
    assert features["全县秋冬季植树造林工作会议上的主持词"]["body_next"] == 1.0
    # the rules' own choice is a feature (today's rules take the banner: the first heading-shaped line); their
    # choice of a furniture-like line (an advert/greeting word) is a feature of its own, not the rules' evidence
    assert features["您好,欢迎访问某某文档网"]["rules_choice_furniture"] == 1.0
    assert "rules_choice" not in features["您好,欢迎访问某某文档网"]


def test_breadcrumb_tail_and_removed_page_title_are_candidates():
    removals = (Removal("artifacts.nav_row", 0, "首页 > 工作动态 > 全镇防汛工作部署会召开"),
                Removal("artifacts.page_title", 1, "全镇防汛工作部署会召开_某某新闻网"))
    found = title_candidates(_document("同志们:今年汛期来得早,各村要做好准备。", removals))
    by_source = {c.source: c.text for c in found}
    assert by_source["breadcrumb"] == "全镇防汛工作部署会召开"
    # the same title from the page <title> is one candidate, not two
    assert sum(c.text == "全镇防汛工作部署会召开" for c in found) == 1


def test_ranker_replaces_a_wrong_rule_title_and_restores_its_line(tmp_path):
    config = _ranker_folder(tmp_path, rank={"genre": 4.0, "advert": -4.0}, accept={"genre": 4.0})
    out = extract_metadata(_document(BANNER_PAGE), config)
    assert out.title == "全县秋冬季植树造林工作会议上的主持词"
    # the banner line the rules had taken goes back to the text (the artifacts stage's job, not this one's)
    assert "您好,欢迎访问某某文档网" in out.text
    assert "主持词" not in out.text and "同志们:现在开会" in out.text
    model_removals = [r for r in out.removals if r.rule.startswith("model.title:")]
    assert [r.text for r in model_removals] == ["全县秋冬季植树造林工作会议上的主持词"]
    score = float(model_removals[0].rule.split(":")[1])
    assert 0.9 < score <= 1.0
    assert not any(r.rule == "metadata.title" for r in out.removals)


def test_below_the_threshold_the_page_has_no_title_and_loses_no_text(tmp_path):
    config = _ranker_folder(tmp_path, rank={"genre": 4.0}, accept={}, accept_intercept=-3.0)
    out = extract_metadata(_document(BANNER_PAGE), config)
    assert out.title is None
    for line in BANNER_PAGE.split("\n"):
        assert line in out.text


def test_threshold_trades_titles_for_precision(tmp_path):
    _ranker_folder(tmp_path, rank={"genre": 4.0}, accept={}, accept_intercept=0.0)  # every candidate scores 0.5
    looser = MetadataConfig(model_dir=str(tmp_path), title_min_score=0.4)
    assert extract_metadata(_document(BANNER_PAGE), looser).title == "全县秋冬季植树造林工作会议上的主持词"
    stricter = MetadataConfig(model_dir=str(tmp_path), title_min_score=0.6)
    assert extract_metadata(_document(BANNER_PAGE), stricter).title is None


def test_agreeing_ranker_keeps_the_rules_trace(tmp_path):
    text = "争创一流工作业绩 推动科学发展\n\n中共某某县委副书记 张忠惠\n\n我县全面启动创先争优活动。"
    config = _ranker_folder(tmp_path, rank={"pos0": 3.0}, accept={"pos0": 3.0})
    out = extract_metadata(_document(text), config)
    assert out.title == "争创一流工作业绩 推动科学发展" and out.author == "张忠惠"
    assert {"metadata.title", "metadata.byline"} <= {r.rule for r in out.removals}
    assert out.text == "我县全面启动创先争优活动。"


# A document site's flattened page: a page counter, the title twice with a name and a date glued on, then the text.
FLATTENED_PAGE = ("2/7某镇新年贺词某镇2030年新年贺词李某2030-01-01"
                  "旧的一年即将过去，新的一年扑面而来。在这辞旧迎新的时刻，"
                  "我谨代表镇党委、镇政府，向全镇干部群众致以新年的祝福。过去一年，全镇上下团结一心，各项事业取得新进展。")


def test_flattened_first_line_offers_the_titles_glued_in_it():
    found = title_candidates(_document("您好,欢迎访问某某文档网\n\n" + FLATTENED_PAGE))
    glued = [c.text for c in found if c.source == "glued"]
    assert glued == ["某镇新年贺词", "某镇2030年新年贺词"]
    assert all(dict(c.features)["src_glued"] == 1.0 for c in found if c.source == "glued")


def test_no_glued_heads_inside_sentences_or_short_lines():
    # a genre word in running text (after a comma, or after a clause's closing mark) starts no candidate
    assert titles.glued_heads("同志们，会议听取了全委会工作报告，与会人员认真讨论，一致同意。") == []
    assert titles.glued_heads("大家在认真阅读了《政府工作报告》后认为") == []
    text = "全县召开春季农业生产工作会议\n\n会议听取了全委会工作报告,与会人员认真讨论。"
    assert not [c for c in title_candidates(_document(text)) if c.source == "glued"]


def test_section_headings_captions_and_letterheads_are_marked():
    text = "\n\n".join(["某某县人民政府", "（相关资料图）", "一、过去一年工作回顾",
                       "今年以来,全县上下认真贯彻落实上级决策部署,各项工作取得新成效,经济运行稳中向好。"])
    features = {c.text: dict(c.features) for c in title_candidates(_document(text))}
    assert features["某某县人民政府"]["organisation"] == 1.0
    assert features["（相关资料图）"]["caption"] == 1.0
    assert features["一、过去一年工作回顾"]["enumerated"] == 1.0
    assert "enumerated" not in features["某某县人民政府"]


def test_vetoed_candidates_are_never_chosen(tmp_path):
    # a caption, a menu's list item, a clock line (no Han character) and the article's last line stay candidates
    # but never win, however the weights favour them; a page with nothing else has no title
    text = "\n\n".join(["（相关资料图）", "- 机关建设", "17.06.2016 13:27",
                       "今年以来,全县上下认真贯彻落实上级决策部署,各项工作取得新成效,经济运行稳中向好。"])
    found = title_candidates(_document(text))
    features = {c.text: dict(c.features) for c in found}
    assert features["- 机关建设"]["list_item"] == 1.0 and features["17.06.2016 13:27"]["no_han"] == 1.0
    assert all(titles.is_vetoed(c.features) for c in found)
    model = titles.TitleModel({"caption": 9.0, "list_item": 9.0, "no_han": 9.0}, 0.0, {}, 9.0, 0)
    assert model.choose(found) == (None, 0.0)
    config = _ranker_folder(tmp_path, rank={"pos0": 3.0}, accept={}, accept_intercept=3.0)
    assert extract_metadata(_document(text), config).title is None


def test_a_line_closing_the_article_is_never_its_title():
    # a compiler's note under the only paragraph (the page opens with its body): the article's last line
    body = "今年以来,全县上下认真贯彻落实上级决策部署,各项工作取得新成效,经济运行稳中向好,民生保障有力有效。"
    text = body + "\n\n某某镇党政办公室二〇三〇年整理汇编\n"
    found = title_candidates(_document(text))
    assert [dict(c.features).get("next_blank") for c in found] == [1.0] and titles.is_vetoed(found[0].features)
    out = extract_metadata(_document(text), MetadataConfig())
    assert out.title is None and "某某镇党政办公室二〇三〇年整理汇编" in out.text


def test_semicolon_lists_are_no_candidates_but_entities_do_not_count():
    body = "今年以来,全县上下认真贯彻落实上级决策部署,各项工作取得新成效,经济运行稳中向好,民生保障有力有效。"
    texts = [c.text for c in title_candidates(_document("大数据;网格化治理;智能化\n\n" + body))]
    assert "大数据;网格化治理;智能化" not in texts
    heading = "关于&quot;三农&quot;工作的讲话"
    assert any("三农" in t for t in [c.text for c in title_candidates(_document(heading + "\n\n" + body))])


def test_margin_of_a_poor_winner_is_measured_from_an_even_chance():
    # the best of two junk lines (logits -2 and -5) is no clear winner: its margin is -2, not 3
    assert titles._rival([-2.0, -5.0], 0) == 0.0
    assert titles._rival([3.0, 1.0], 0) == 1.0
    assert titles._rival([3.0], 0) == titles._LONE_RIVAL


def test_no_glued_heads_once_the_body_has_begun():
    # a sentence above the first long line: the genre word in it is running text, not a glued title
    first = "会议听取了常委会工作报告,与会人员认真讨论。"
    long_line = "某某在讲话中说,今年是开局之年,要立足职责使命,找准服务发展大局的切入点和着力点," * 3
    found = title_candidates(_document(first + "\n" + long_line))
    assert not [c for c in found if c.source == "glued"]
    found = title_candidates(_document("您好,欢迎访问某某文档网\n\n" + FLATTENED_PAGE))
    assert [c.text for c in found if c.source == "glued"] == ["某镇新年贺词", "某镇2030年新年贺词"]


def test_commas_between_post_nominals_do_not_make_a_heading_running_text():
    heading = "2030年司法年度开启典礼司长某某某资深大律师, SBS, JP致辞全文"
    body = "首席法官、各位嘉宾:今年是特别的一年,我们在各方面都面对新的挑战,也迎来新的机遇。"
    assert heading in [c.text for c in title_candidates(_document(heading + "\n\n" + body))]
    clauses = "今天我们在这里召开全县工作会议,回顾过去一年的工作,部署今年的主要任务,大家要认真抓好落实"
    assert clauses not in [c.text for c in title_candidates(_document(clauses + "\n\n" + body))]


def _examples():
    pages = [
        (BANNER_PAGE, "全县秋冬季植树造林工作会议上的主持词"),
        ("欢迎访问某某范文网\n\n在全镇防汛工作会议上的讲话\n\n同志们:今年汛期来得早,各村要做好准备,不能麻痹大意。",
         "在全镇防汛工作会议上的讲话"),
        ("某某新闻网首页\n\n全县召开春季农业生产工作会议\n\n3月2日,全县春季农业生产工作会议召开,会议总结了去年的工作。",
         "全县召开春季农业生产工作会议"),
        ("今天是2030年3月4日 星期一\n\n同志们:今年汛期来得早,各村要做好准备,不能麻痹大意,要把工作做细做实。", None),
    ]
    found = []
    for k, (text, title) in enumerate(pages):
        found += titles.examples(_document(text), {"file": f"{k}.txt", "title": title})
    return found


def test_examples_label_the_gold_title():
    items = _examples()
    assert [sum(item.labels) for item in items] == [1, 1, 1, 0]
    assert items[3].gold_null


def test_fit_is_deterministic_and_saves_plain_json(tmp_path):
    items = _examples()
    first, second = titles.fit(items), titles.fit(list(reversed(items)))
    assert first == second
    titles.save(first, tmp_path)
    payload = json.loads((tmp_path / titles.MODEL_FILE).read_text("utf-8"))
    assert payload["features"] == list(titles.FEATURES)
    assert titles.load(tmp_path) == first
    # trained on these pages, it finds their titles
    best, _score = first.choose(title_candidates(_document(BANNER_PAGE)))
    assert best.text == "全县秋冬季植树造林工作会议上的主持词"


def test_rules_title_confirmed_by_the_ranker_needs_a_lower_score(tmp_path):
    text = "争创一流工作业绩 推动科学发展\n\n我县全面启动创先争优活动,各级党组织认真落实。"
    _ranker_folder(tmp_path, rank={"pos0": 3.0}, accept={}, accept_intercept=-0.405)  # scores 0.40
    confirmed = extract_metadata(_document(text), MetadataConfig(model_dir=str(tmp_path), title_min_score=0.6,
                                                                 title_rules_min_score=0.3))
    assert confirmed.title == "争创一流工作业绩 推动科学发展"
    assert [r.rule for r in confirmed.removals] == ["metadata.title"]
    strict = MetadataConfig(model_dir=str(tmp_path), title_rules_min_score=0.5)
    rejected = extract_metadata(_document(text), strict)
    assert rejected.title is None and rejected.text == text


def _lost_lines(before: Document, after: list[Document]) -> list[str]:
    """Non-blank input lines that are neither in an output text nor (as a whole or a part) in a removal."""
    texts = "\n".join(doc.text for doc in after)
    removed = "\n".join(r.text for doc in after for r in doc.removals)
    lost = []
    for line in before.text.split("\n"):
        text = line.strip()
        if text and text not in texts and text not in removed and not any(
                part and part in texts for part in (text[: len(text) // 2], text[len(text) // 2:])):
            lost.append(text)
    return lost


LINE_POOL = [
    "您好,欢迎访问某某文档网", "打开APP", "首页 > 工作动态 > 正文", "2030年3月4日 星期一", "某某新闻网 logo",
    "全县春季农业生产工作会议召开", "在全镇防汛工作会议上的讲话", "主题: 致全镇居民的一封信", "工作动态",
    "中共某某县委副书记 张某某", "(2030年3月2日)", "同志们:", "各位代表:",
    "今年以来,全县上下认真贯彻落实上级决策部署,各项工作取得新成效。",
    "会议要求,各级各部门要提高认识,压实责任,确保各项任务落到实处。",
    "下面,我讲三点意见。", "(相关资料图)", "责任编辑:王某",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINE_POOL), min_size=1, max_size=9))
def test_shipped_ranker_never_loses_a_line(lines):
    doc = _document("\n\n".join(lines))
    out = extract_metadata(doc, MetadataConfig())
    docs = out if isinstance(out, list) else [out]
    assert _lost_lines(doc, docs) == []
    for result in docs:
        assert result.title is None or result.title.strip() == result.title


@needs_devset
def test_no_dev_page_loses_a_line_to_the_title_choice():
    config = BuildConfig()
    for page in read_pages(DEVSET):
        for doc in documents_entering(DEVSET, page, config, "metadata"):
            out = extract_metadata(doc, config.metadata)
            docs = out if isinstance(out, list) else [out]
            assert _lost_lines(doc, docs) == [], page.file
