"""The speed rewrites of the title and heading steps (issue 20) against the implementations they replaced.

Each rewritten pattern or helper must give exactly what the old one gave: the old one is kept here as the
reference and both are run over generated text drawn from the characters the patterns react to.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import lexicon
from pipeline.models import titles

# The patterns as they were before the rewrite (pipeline/models/titles.py at main 56e038f).
_OLD_DATE = re.compile(r"\d{4}[-年/.]\d{1,2}|\d{1,2}:\d{2}|星期[一二三四五六日天]|周[一二三四五六日]|今天是")
_OLD_CHROME = re.compile(
    r"[>|»]|首页|当前位置|您的位置|来源|时间[:：]|发布|浏览|点击|阅读|人气|栏目|作者|编辑|责编|分享|打印|字号|"
    r"https?://|www\.|\.com|\.cn|ICP|版权|Copyright|©|第[A-Z]?\d{1,3}版|返回|上一篇|下一篇"
    r"|页数|字数|页码|复制"
)
_OLD_ADVERT = re.compile(
    r"下载|APP|App|客户端|登录|登陆|注册|会员|VIP|扫码|关注|微信|公众号|广告|热线|免费|搜索|导航|订阅|收藏|"
    r"欢迎|您好|(?i:logo)|专线|客服|联系我们|期号|Flash|Player"
    r"|加载中|验证码|请点击"
)


def _old_collapse(text: str) -> str:
    return lexicon.SPACE_RUN.sub(" ", text).strip()


# Characters the patterns and the space collapse react to, digits of other scripts (`\d` is Unicode), case
# variants of `logo`, every kind of space and a few other whitespace characters, and plain Han text.
_ALPHABET = st.sampled_from(
    list("0123456789０１２٣-年/.月日:：星期一二三四五六日天周今是 \t\u3000\u00a0\r\u2003\x0b\n")
    + list("lLoOgGKk>|»首页当前位置来源时间发布第版A1ICP©wh.comcnttps:/")
    + list("下载APPpVI登录欢迎您好专线加载中验证码请点击县委书记讲话")
    + ["首页", "时间:", "第A12版", "https://", "www.", ".com", "星期三", "今天是", "2022-11-24", "08:47",
       "logo", "LoGo", "APP", "Copyright", "下一篇", "页数", "请点击"]
)
_TEXT = st.lists(_ALPHABET, max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_TEXT)
def test_rewritten_title_patterns_match_where_the_old_ones_did(text):
    for new, old in ((titles._DATE, _OLD_DATE), (titles._CHROME, _OLD_CHROME), (titles._ADVERT, _OLD_ADVERT)):
        found, expected = new.search(text), old.search(text)
        assert (found and found.span()) == (expected and expected.span()), (old.pattern, text)


@settings(max_examples=3000, deadline=None)
@given(_TEXT)
def test_space_collapse_fast_path_is_the_pattern(text):
    assert lexicon.collapse_spaces(text) == _old_collapse(text)


def test_rewritten_patterns_on_written_examples():
    lines = ["时间:2022-11-24 08:47:00", "今天是2030年1月1日 星期三", "周五", "某某网 logo", "LOGO设计", "第A3版",
             "当前位置: 首页 > 新闻", "县委书记在全县工作会议上的讲话", "１２:３０", "٣٤:٥٦", "2022年3月"]
    for line in lines:
        for new, old in ((titles._DATE, _OLD_DATE), (titles._CHROME, _OLD_CHROME), (titles._ADVERT, _OLD_ADVERT)):
            found, expected = new.search(line), old.search(line)
            assert (found and found.span()) == (expected and expected.span()), (old.pattern, line)
    assert titles._DATE.search("周五") and titles._CHROME.search("a|b") and titles._ADVERT.search("LoGo")
    assert not titles._DATE.search("周末") and not titles._ADVERT.search("log")
