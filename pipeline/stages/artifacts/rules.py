"""Rule names and the pattern constants used by the artifacts stage (``pipeline.stages.artifacts``).

Every pattern is written for text that has already been converted to Simplified characters but still has
its ORIGINAL punctuation and spacing, so each one accepts half-width ``: ( , |`` as well as full-width
``： （ ， ｜``. Each constant names one real example it matches and why it exists.
"""

from __future__ import annotations

import re

RULES: dict[str, str] = {
    "artifacts.nav_row": (
        "site navigation: breadcrumbs (首页 > 范文 > …, 当前位置：…), menu rows, lone nav words (首页, EN, 繁体版)"
    ),
    "artifacts.login_box": "login/registration widgets (用户名: 密码: [注册][找回密码], 帐号:)",
    "artifacts.site_notice": "site-wide notices: browser upgrade prompts, IPv6 badges, site name lines glued to nav",
    "artifacts.page_title": "the page's <title> line (article title - column - site name) printed above the article",
    "artifacts.header_line": (
        "page header/credit lines (时间:, 发布日期, 栏目:, 人气:, 来源:, 编辑:, 字号 …); values go to "
        "published_at/category/source_site"
    ),
    "artifacts.view_counter": "view/click counters on their own line (浏览量:1 | | |, 查看10.1K | 回复0)",
    "artifacts.template_sentence": (
        "范文-site template sentences (本站小编为你精心准备了…, …一文来源于网友上传,不代表本站观点…), removed as "
        "sentence spans"
    ),
    "artifacts.disclaimer": (
        "document-site and platform disclaimers (本文档由用户上传…, 仅代表该机构观点…), removed as sentence spans"
    ),
    "artifacts.paywall": "paywall/truncation notices (省略854字,正式会员可完整阅读; 未完,全文共6831字)",
    "artifacts.prev_next": "previous/next article links (上一篇, 下一篇)",
    "artifacts.related": "related-article blocks and their headlines (相关阅读:, 猜你喜欢, 热门文章, 标签|headline …)",
    "artifacts.share": "share/QR-code/bookmark/print widgets and WeChat menus (分享到:, 扫一扫…, 回复【…】查看…)",
    "artifacts.copyright": (
        "copyright and site-owner footer lines (Copyright, 版权所有, 版权声明) and the contact lines of that footer"
    ),
    "artifacts.icp": "ICP licence and public-security filing numbers (京ICP备05070218号, 京公网安备…)",
    "artifacts.ad_marker": "in-article advertisement markers (广告 更多内容请继续往下阅读)",
    "artifacts.jump_marker": "newspaper page-jump markers ((下转第四版), (上接第一版))",
    "artifacts.repeated_title": "the title line repeated in the body (seed 002/003); the first occurrence is kept",
    "artifacts.flattened_duplicate": (
        "a top line that is a flattened copy of the lines that follow it (page description)"
    ),
    "artifacts.image_caption": (
        "photo captions: ▲-lines, (中)/(右) position captions, …摄 credits, (图/…), short photo labels"
    ),
    "artifacts.image_file": "image file names on their own line (市委常委会会议召开2.jpg)",
    "artifacts.reporter_tag": (
        "reporter bylines and tags (本网讯(记者 傅长琪), 【记者石振贤/南投报导】, 记者刘秀敏/台北报导); the removed "
        "text is kept for the metadata stage"
    ),
    "artifacts.source_prefix": (
        "a source-paper prefix glued to a title (《衢州日报》感恩奋进…) or a trailing (来源：大众日报)"
    ),
    "artifacts.toc_span": (
        "a table of contents run into the first sentence (目录 一、… 二、… 三、… 一、… restarts the text)"
    ),
    "artifacts.seo_spam": "SEO spam: gambling/porn keyword titles, keyword strings injected mid-sentence",
    "artifacts.pinyin_ruby": "pinyin ruby annotations after characters (县长(zhǎng))",
    "artifacts.bbcode": "unrendered BBCode tags ([color=#000000], [/color])",
    "artifacts.table_markup": "table-cell pipes left by HTML extraction (| … |) and empty table rows",
    "artifacts.bare_url": "a line holding only a URL (https://www.gov.cn/)",
    "artifacts.pagination": (
        "pagination bullets and page counters (• 1, 转到第, 共3页); file info (• 24.50 KB) is a header_line"
    ),
    "artifacts.paragraph_rejoin": (
        "a line break inside a sentence (page break, caption, hard wrap) removed; text is not deleted"
    ),
    "artifacts.cross_doc_repeat": "a line repeated across many documents of one source (a footer no rule knows)",
    "structure.series": "a series header (【…专刊之二十五】) moved into doc.series",
    "structure.editor_note": "a compilation's editor's note (编者按：…) moved into doc.editor_note",
}
"""Stable rule names (they appear in removals/part-*.parquet and the manifest) with one line each."""

SENTENCE_RULES = frozenset(
    {
        # These rules may delete a whole sentence that ends in 。！？; each is shown by a test case.
        "artifacts.template_sentence",  # seed 001/002: the 范文 template ends in 。
        "artifacts.disclaimer",  # devset 009: 本文档由用户上传…付费下载。
        "artifacts.image_caption",  # seed 004: …在定安县深入开展创先争优活动推进会上。
        "artifacts.site_notice",  # devset 021: 您使用的浏览器版本较旧…最佳使用体验。
        "artifacts.paywall",  # devset 003: ……(未完,全文共6831字,当前仅显示2399字,请阅读下面提示信息。
        "artifacts.share",  # devset 040: 点击菜单栏【便民服务】解锁更多服务！
        "artifacts.flattened_duplicate",  # devset 011: the copy of the next lines ends wherever the copy ends
        "artifacts.cross_doc_repeat",  # only lines repeated across many documents
        "structure.editor_note",  # moved into a field, not lost
    }
)

HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
TERMINAL = "。！？!?"
# Characters after which a line is complete (sentence end, closing quote/bracket, colon before a list).
LINE_CLOSERS = "。！？!?…”」』)）】》:：;；\"'"
SENTENCE_PUNCT_RE = re.compile(r"[。！？!?；;，,]")

# Dates. ISO-like numeric dates are page chrome when alone; Chinese dates (2019年3月31日) are often content
# (a speech's date line), so they count only next to a header key or a clock time.
ISO_DATE = r"(?:19|20)\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
CJK_DATE = r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?"
CLOCK = r"\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?"
# "2022-11-24 08:47:00" (seed 002), "2022年12月25日07:49" (devset 021), "2019/12/01 22:21" (devset 014)
DATETIME_RE = re.compile(rf"(?P<date>{ISO_DATE}|{CJK_DATE})(?:\s*(?P<clock>{CLOCK}))?")
ISO_DATE_RE = re.compile(ISO_DATE)

# Header keys. "发布于" / "释出于": seed 003 after t2s is 释出于 when the Taiwan phrase was not reversed.
PUBLISH_KEYS = (
    "发布时间", "发布日期", "发表时间", "发表日期", "发布于", "释出于", "发布", "发表于", "时间", "日期",
    "上传时间", "录入时间", "出版日期", "刊发时间",
)
UPDATE_KEYS = ("更新时间", "更新于", "异动时间", "修改时间")
SOURCE_KEYS = ("信息来源", "文章来源", "稿件来源", "新闻来源", "来源于", "来源", "出处")
CATEGORY_KEYS = ("所属栏目", "栏目", "分类", "所属分类")
CREDIT_KEYS = (
    "责任编辑", "作者", "编辑", "责编", "编审", "校对", "审核", "审校", "签发", "撰稿", "摄影", "发布者",
    "发布人", "上传者", "投稿", "通讯员", "记者", "供稿", "文/图", "图/文",
)
# Government information-disclosure tables: "索引号：…  主题分类：综合政务  发文字号：某政办发〔2021〕5号".
DOCUMENT_KEYS = (
    "索引号", "主题分类", "发文机关", "发文字号", "成文日期", "公开方式", "公开范围", "有效性", "所属机构",
    "关键词", "关键字", "标签",
)
COUNTER_KEYS = (
    "人气", "点击数", "点击量", "点击率", "点击", "浏览次数", "浏览量", "浏览", "阅读次数", "阅读量", "阅读数",
    "阅读", "访问量", "访问次数", "查看", "回复", "评论", "字号", "字体",
)
# Longest first (a key that is a prefix of another must not win), then by text: a fixed order whatever the
# string hash seed, so the patterns built from it are the same text in every process.
ALL_HEADER_KEYS = tuple(
    sorted(set(PUBLISH_KEYS + UPDATE_KEYS + SOURCE_KEYS + CATEGORY_KEYS + CREDIT_KEYS + DOCUMENT_KEYS + COUNTER_KEYS),
           key=lambda key: (-len(key), key))
)
_KEYS_ALT = "|".join(re.escape(k) for k in ALL_HEADER_KEYS)
# key, separator, optional value: "栏目: 创先争优学习专题" (seed 003), "编辑|禤志杰" (devset 040), "摄影/张艳" (044).
# "更新于 2022年12月27日07:40" (021): keys ending in 于 take a space as separator.
# A value never starts with another key ("作者: 编辑: 李斌", devset 001: 作者 is empty).
HEADER_KV_RE = re.compile(
    rf"(?P<key>{_KEYS_ALT})(?P<sep>\s*[:：|｜/]\s*|(?<=于)\s+)"
    rf"(?P<value>(?:{DATETIME_RE.pattern})|(?!(?:{_KEYS_ALT})\s*[:：|｜/])[^\s|｜:：•·/][^\s|｜:：•·]{{0,29}})?"
)
# counters without separator: "查看10.1K", "回复0", "人气2.64W"
COUNTER_RE = re.compile(rf"(?:{'|'.join(COUNTER_KEYS)})\s*\d+(?:\.\d+)?[KkWw万千]?")
# header words that stand alone: "浏览次数: [字体: ]" (devset 019), "来自手机 | 显示全部楼层 |阅读模式" (025)
HEADER_CHROME_RE = re.compile(
    r"来自手机|显示全部楼层|只看该作者|阅读模式|打印本页|打印|关闭窗口|关闭|默认|超大|[大中小](?=\s|$|[|｜\]】])|"
    r"发布$|发布(?=\s)|\d+(?:\.\d+)?\s*[KM]B|\d+\s*页|[\[\]【】()（）]"
)
# "医技药剂党支部、药剂科供稿" (devset 044): an organisation credited as contributor.
SUPPLIED_BY_RE = re.compile(rf"[{HAN}、]{{2,24}}供稿")

# A closed vocabulary of site chrome that is debris when it makes up a whole line (or a whole token row).
CHROME_WORDS: dict[str, str] = {}
for _rule, _words in {
    "artifacts.nav_row": (
        "首页 网站首页 返回首页 主页 简 繁 简体 繁体 简体版 繁体版 繁体中文 简体中文 转繁体版 旧版回顾 EN English "
        "个人中心 邮箱 无障碍 无障碍浏览 帮助 网站地图 设为首页 添加收藏夹 加入收藏 关于我们 联系我们 搜索 "
        "文章搜索 热门搜索 站内搜索 返回 返回顶部 返回列表 更多 更多>> 隐藏边栏 显示边栏 我要纠错 安全隐私 "
        "版权保护 智能问答 微信 微博 后台管理 seo 导航 今日 手机版 移动版 Produced By 正文 纠错 我要纠错 "
        "返回顶部 返回上一页"
    ),
    "artifacts.login_box": "登录 登入 注册 退出 注销 找回密码 忘记密码 用户名 密码 帐号 账号 验证码",
    "artifacts.share": (
        "分享 分享到 分享至 收藏 收藏本页 打印 打印本页 打印文章 打印此页 关闭 关闭窗口 关闭本页 复制链接 "
        "+复制链接 放大 缩小 默认 扫一扫 转发 点赞 在看 字号 字体 下载本文 下载文档 点击下载"
    ),
    "artifacts.prev_next": "上一篇 下一篇 上一页 下一页 上一条 下一条",
    "artifacts.related": (
        "相关推荐 相关阅读 相关文章 相关新闻 相关链接 猜你喜欢 大家正在看 热门文章 最新文章 本站推荐 推荐阅读 "
        "延伸阅读 新闻排行榜 排行榜 点击排行 热点推荐 热门推荐 换一换 关于本站 版权声明 您可能感兴趣的文章 "
        "热门标签 精彩推荐 相关专题 最新更新 热门阅读"
    ),
}.items():
    for _word in _words.split():
        CHROME_WORDS[_word.lower()] = _rule
del _rule, _words, _word

# Token separators inside nav/header rows: "今日  首页 - 帮助" (devset 013), "添加收藏夹 | 设为首页" (038).
# Every user drops the empty pieces, so a run of separators splits as one (brackets in the run too: "【首页】"):
# the same tokens as the alternation "[\s|｜•·\-—/]+|[\[\]【】]" it replaced, 2.3x faster on the bench corpus's
# short lines (tests/test_artifacts_speed.py compares the two).
TOKEN_SPLIT_RE = re.compile(r"[\s|｜•·\-—/\[\]【】]+")

# Breadcrumb: "首页 > 讲话 > 讲话稿 > 安全稳定" (devset 004), "浙江在线  >  遂昌新闻网" (001),
# "首页 - 新闻中心 - 舞钢要闻" (010), "齐河报20240110期 >> 第A1版:要闻" (013), "> HOME > 活动公告" (022).
BREADCRUMB_SEP_RE = re.compile(r"\s*(?:>>|>|＞|»|›|→)\s*|\s+[-–—]\s+")
BREADCRUMB_LEAD_RE = re.compile(
    r"^(?:您(?:当前)?的?(?:当前)?位置|当前位置|现在位置|所在位置|位置)\s*[:：]"
)

# "网站首页 工作范例 办公范例 …" (seed 003): a menu row whose items share a suffix.
MENU_MIN_TOKENS = 4

# 范文-site template sentences; matched inside a sentence, the sentence is removed.
# "本站小编为你精心准备了…" (seed 001), "…一文来源于网友上传,不代表本站观点,若需要原创文章可咨询客服老师,欢迎参考。"
# (seed 002, devset 034), "范文社小编今天就为您带来了…" (devset 035).
TEMPLATE_RE = re.compile(
    r"小编(?:为你|为您|今天|精心|整理|为大家|给大家)|(?:本站|小编)[^。！？]{0,6}精心准备了|愿这些范文|欢迎深入阅读|"
    r"深入阅读并收藏|来源于网友上传|不代表本站观点|若需要原创|咨询客服老师|欢迎参考|范文能点燃|激发您的写作灵感|"
    r"相信一定会对你有所帮助"
)
# "导语:" opens the template in seed 002; the sentence holding a template marker goes with it.
# Platform / document-site disclaimers: devset 009 (本文档由用户上传…), 040 (仅代表该机构观点…).
DISCLAIMER_RE = re.compile(
    r"本文档由用户上传|当前文档由用户上传|文档内容版权归属|对本文有版权争议|联系网站客服|网站客服QQ|收益归属用户|"
    r"本站不保证|付费之前|仅代表该机构观点|不代表(?:本站|本网|本平台|[{HAN}]{{2,8}}的)观点|仅提供信息发布平台|"
    r"特别声明$|免责声明|转载请注明|未经授权禁止|未经许可不得转载|如有侵权|侵权请联系|请联系(?:我们)?删除|"
    r"本文来源于网络|文章来源于网络".replace("{HAN}", HAN)
)
# Paywall: "……(新文秘网https://www.wm114.cn省略854字,正式会员可完整阅读)" (devset 003).
PAYWALL_RE = re.compile(
    r"省略\d+字|正式会员可|会员可完整阅读|[(（]未完[,，]|全文共\d+字|当前仅显示\d|请阅读下面提示|付费阅读全文"
)
# Browser / site notices: devset 021 (请更新您的浏览器), 010 (本网站已支持IPV6).
SITE_NOTICE_RE = re.compile(r"更新您的浏览器|浏览器版本|最佳使用体验|已支持IPV6|已支持IPv6|建议使用[^。]{0,20}浏览器")
COPYRIGHT_RE = re.compile(r"copyright|©|\(c\)\s*\d{4}|版权所有|all rights reserved|版权声明", re.I)
# Site-owner lines of a footer, removed only inside a footer block: "主办单位：国务院办公厅" (037),
# "杭州网・千岛湖网 网络支持:杭州网络传媒有限公司" (006). In an event notice 主办单位 is content.
FOOTER_OWNER_RE = re.compile(
    r"主办单位\s*[:：]|承办单位\s*[:：]|技术支持\s*[:：]|网络支持\s*[:：]|网站维护\s*[:：]|运营单位\s*[:：]"
)
# "浙ICP备05073341号", "京公网安备11010202000001号", "网站标识码bm01000001", "浙新办[2005]20号".
ICP_RE = re.compile(r"ICP\s*[备证]|公网安备|网安备|网备号|备案号|网站标识码|新办\[\d{4}\]|广告经营许可证", re.I)
# Footer contact lines (removed only next to a copyright/ICP line): "电话:0370-8550006  地址:…", "地 址：…".
CONTACT_RE = re.compile(
    r"^(?:地\s*址|电\s*话|邮\s*编|邮政编码|传\s*真|邮\s*箱|电子信箱|电子邮箱|E-?mail|QQ|联系邮箱|联系电话)\s*[:：]",
    re.I,
)
# Share / WeChat menus: "扫一扫在手机打开当前页", "1、回复【公租房】查看最新消息", "点击菜单栏【便民服务】…" (040).
# Only at the start of a line without commas/full stops: "群众只需扫一扫二维码，就能…" is prose.
SHARE_RE = re.compile(
    r"^(?:分享到|分享至|(?:微信|手机)?扫一扫|扫描[^。！，,]{0,12}二维码|长按[^。！，,]{0,12}二维码|收藏《)"
)
# WeChat menus, which do carry punctuation: "1、回复【公租房】查看最新消息", "点击菜单栏【便民服务】…" (040).
WECHAT_MENU_RE = re.compile(
    r"^\d+\s*[、.．]\s*回复【[^】]{1,12}】|^点击菜单栏【|点【在看】|^发送邮件至\S{0,40}申请加入"
)
# Ad markers: "广告 更多内容请继续往下阅读" (devset 024, also cut off as "…请继续往").
AD_RE = re.compile(r"^广告(?:\s|$)|更多内容请继续|继续往下阅读")
# "(下转第四版)" (devset 017), "(上接第一版)".
JUMP_RE = re.compile(r"[(（]\s*(?:下转|上接|转|接)\s*第?\s*[\d一二三四五六七八九十A-Za-z]+\s*版\s*[)）]")
# Image file name: "市委常委会会议召开2.jpg" (devset 010).
IMAGE_FILE_RE = re.compile(r"^\S{1,80}\.(?:jpe?g|png|gif|bmp|webp|tiff?)$", re.I)
BARE_URL_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
# Pinyin ruby after a character: "县长(zhǎng)" (devset 030–035), also after mojibake ("镦^(qū)", 033);
# a tone mark is required so "(AB)" stays. The bracket comes first and the "not after a letter, space or
# bracket" test looks back from behind it: same matches as a leading lookbehind, but the scan can jump
# from bracket to bracket instead of trying every position.
PINYIN_RUBY_RE = re.compile(
    r"[(（](?<![A-Za-z\s(（][(（])\s*[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*\s*[)）]"
)
# Unrendered BBCode: "[color=#000000] 王新平 [/color]" (devset 031).
BBCODE_RE = re.compile(
    r"\[/?(?:color|size|font|b|i|u|s|url|img|align|center|quote|code|table|tr|td|p|list|\*|backcolor|indent)(?:=[^\]\n]{0,40})?\]",
    re.I,
)
# Reporter tags in brackets: "本网讯(记者 傅长琪)" (devset 001), "本报讯 (记者魏远扬)" (018),
# "(观传媒南投新闻)【记者石振贤/南投报导】" (021), "本站讯（职工通讯员 李琴雯 刘会）" (044),
# "(文/图 刘玺东 易赛楠)" (045), "（记者　梁波）" (046).
_ROLE = (r"(?:全媒体|融媒体|见习|实习|特约|首席)?(?:记者|通讯员|特派员|报道员|实习生|评论员)|"
         r"文\s*/\s*图|图\s*/\s*文|文/摄|摄影")
REPORTER_BRACKET_RE = re.compile(
    rf"(?:(?:本网|本报|本站|本台|本刊)讯\s*)?(?:[(（][^()（）\n]{{2,12}}[)）]\s*)?"
    rf"[(（【\[]\s*[^()（）【】\[\]\n。！？，,]{{0,16}}?(?:{_ROLE})[^()（）【】\[\]\n。！？]{{0,40}}?[)）】\]]"
)
# "本网讯" alone before the first sentence: "本报讯 24日,…".
NEWS_FLASH_RE = re.compile(r"^(?:本网|本报|本站|本台|本刊)讯\s*[:：]?\s*")
# Reporter byline lines: "记者 义永华/文 杨波/摄" (006), "记者刘秀敏/台北报导" (024),
# "记者吴文隆、廖瑞铭台南报导" (025), "全媒体记者:王勃 陶然" (030), "本报评论员" (013).
REPORTER_LINE_RE = re.compile(
    rf"^(?:[{HAN}]{{0,8}}?)(?:{_ROLE})(?:\s*[:：]\s*|\s+|(?=[{HAN}]))[^。！？，,；;]{{0,60}}$|"
    rf"^(?:本报|本刊|本网|新华社|人民日报)(?:特约)?评论员$"
)
# "…摄" photo credit at the end of a caption: "(苏文杰摄)" (027), "新华社记者 徐昱 摄" (036), "（刘通摄）" (042).
PHOTO_CREDIT_RE = re.compile(
    rf"(?:[(（][^()（）\n]{{1,24}}?摄(?:影)?\s*[)）]|(?:记者|摄影|通讯员)?\s*[{HAN}·]{{2,4}}(?:\s+[{HAN}·]{{2,4}})*\s+摄)\s*$"
)
# "(图/南投县政府提供.2022.12.25.)" (021), "(图片来源:马祖日报)" (022), "资料图".
PHOTO_SOURCE_RE = re.compile(r"^[(（]\s*(?:图|图片|照片|图源|图片来源|图文)\s*[/:：／]")
# Position markers of a group photo caption: "张忠惠(中)、李映旭(右)、孙泽文(左)" (seed 004).
PHOTO_POSITION_RE = re.compile(r"[(（](?:前排|后排|中排)?(?:左|右|中)[一二三四五六七八九\d]?[)）]")
CAPTION_LEAD_RE = re.compile(r"^(?:▲|△|▼|↑|图为|图片为|图：|图:|上图|下图|左图|右图|资料图)")
# Short photo labels (HTML figcaptions): "大会主会场", "下届承办单位浙江大学接受会旗并合影" (039).
PHOTO_LABEL_RE = re.compile(r"合影|留影|现场$|会场$|剪彩|揭牌|颁奖典礼|签约仪式$|资料图")
# SEO spam titles on hijacked domains: gambling / porn keyword strings (devset 016, 033).
SPAM_RE = re.compile(
    r"买球|博彩|赌场|娱乐城|彩票平台|投注平台|百家乐|老虎机|真人视讯|"
    r"激情|欧美|亚洲[^。，,]{0,4}综合|精品[^。，,]{0,4}久久|久久[^。，,]{0,6}久久|无码|成人视频|在线观看|av天堂|国产精品",
    re.I,
)
# Gambling words alone are enough in a title line; porn words need a second hit ("激情澎湃" is prose).
SPAM_STRONG_RE = re.compile(r"买球|博彩|赌场|娱乐城|彩票平台|投注平台|百家乐|老虎机|真人视讯")
# Login widgets: "或使用其它登入系统:" (devset 022), "用户名: 密码: [注册][找回密码]" (013).
LOGIN_RE = re.compile(
    r"登入系统|登录系统|第三方登录|其它登入|其他登录|忘记密码|找回密码|用户名\s*[:：]|密\s*码\s*[:：]|帐号\s*[:：]|"
    r"账号\s*[:：]"
)
# Field labels alone on a line (forum print view, devset 023): "标题:".
LABEL_LINE_RE = re.compile(r"^(?:标题|题目|主题|正文|内容|摘要|关键词|关键字)\s*[:：]$")
# Series header: "【领导干部“创先争优示范行动”专刊之二十五】" (seed 000).
SERIES_RE = re.compile(
    r"^[【\[](?P<name>[^【】\[\]\n]{2,60}?(?:专刊|专栏|系列(?:报道|评论)?|"
    r"特刊)(?:之[一二三四五六七八九十百零\d]+)?)[】\]]$"
)
# Editor's note: "编者按：…" (seed 000), "【编者按】…".
EDITOR_NOTE_RE = re.compile(r"^[【\[]?\s*编者按\s*[】\]]?\s*[:：]?\s*")
# Closing source note: "(根据定安县委副书记张忠惠在全县…推进会上的讲话整理)" (seed 004).
SOURCE_NOTE_RE = re.compile(
    r"^[(（](?P<note>(?:根据|本文根据|此文根据|据)[^()（）\n]{4,120}?(?:整理|摘编|编写|节选|改写))[)）]$"
)
# Source-paper prefix glued to a title: "《衢州日报》感恩奋进 …" (devset 012).
SOURCE_PREFIX_RE = re.compile(rf"^《(?P<paper>[{HAN}]{{2,10}}(?:日报|晚报|早报|时报|周报|报|杂志|网))》(?=[{HAN}])")
# Trailing source in brackets: "…文化权益。　（来源：大众日报）" (devset 047).
TRAILING_SOURCE_RE = re.compile(
    r"\s*[(（]\s*(?:本文来源|文章来源|来源|稿源|信息来源)\s*[:：]\s*(?P<value>[^()（）\n]{1,24})[)）]\s*$"
)
# Numbered headings are never merged into the next paragraph: "一、…", "(一)…", "1、…", "第一章", "第三条".
HEADING_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．]|"
    r"第[一二三四五六七八九十百零\d]+[章节条部分篇]|[①②③④⑤⑥⑦⑧⑨⑩]|[-•·●■◆★]\s)"
)
# Site-name suffixes for page-title / site-name lines: "德育素材网", "澎湖自助旅行论坛", "欧洲杯买球平台".
SITE_SUFFIX_RE = re.compile(r"(?:网|网站|论坛|平台|门户|频道|在线|文库|电台|社区|资讯)$")
# A site name alone on a line is only recognised with these suffixes ("平台", "社区" end real titles).
SITE_NAME_ALONE_RE = re.compile(r"(?:网|网站|论坛|门户|文库)$")
# Menu block at the top of a page: devset 020 has 6 one-per-line menu items; a title block has fewer lines.
MENU_BLOCK_MIN_LINES = 5
# Related headline row: "授勋2025|427人上榜 梁智仁等3人获大紫荆 …" (devset 027).
RELATED_HEADLINE_RE = re.compile(r"^[^\s|｜]{2,10}[|｜][^\s|｜]")
RELATED_HEADLINE_MIN_PARTS = 4  # 027 has 7 space-separated parts; a "栏目|标题" title line has one or two
# Pagination bullets: "• 1" (014), "转到第" (042), "共3页".
PAGINATION_RE = re.compile(
    r"^(?:[•·●]\s*\d{1,3}|转到第\s*\d*\s*页?|共\s*\d+\s*页|第\s*\d+\s*页|\d{1,3}\s*/\s*\d{1,3}\s*页?)$"
)
# Title-line tails that are not part of the title: "【通用三篇】", "(2篇)", "正文".
TITLE_TAIL_RE = re.compile(r"(?:[【(（][^【】()（）]{0,8}(?:篇|通用)[^【】()（）]{0,4}[】)）]|正文)$")
# A table of contents run into the text: "目录 一、总体要求 二、主要任务 三、保障措施 一、总体要求 为深入贯彻…";
# the items are short headings and the first marker comes back where the text starts.
TOC_RUN_RE = re.compile(
    r"^(?P<lead>\s*(?:目\s*录\s*[:：]?\s*)?)(?P<items>(?:(?P<marker>[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章部分节]|[(（][一二三四五六七八九十]+[)）])[^\s，,。；;：:]{1,24}\s*){2,})"
)
# Genre words that end an SEO-injected title: "副市长在全市安全生产工作会议上的讲话" (devset 004).
SEO_TITLE_END = r"(?:讲话稿|讲话|发言稿|发言|致辞|演讲稿|心得体会|范文|述职报告|工作总结)"


# ------------------------------------------------------------------------------------------ prefilters
# Most body lines are long prose that no debris rule touches. A hint is a cheap pattern that every match of
# its rule pattern must contain, so "hint absent" proves "no match" and the costly pattern is skipped.


def literal_hint(pattern: re.Pattern) -> re.Pattern | None:
    """An alternation of literals, one per branch of ``pattern``, that every match must contain; None if a
    branch has no literal (then no hint is possible and the pattern itself must run).

    Each top-level branch contributes its longest run of plain characters (zero-width anchors and
    lookarounds do not break a run: they consume nothing). The hint keeps the pattern's flags (re.I).

    >>> literal_hint(re.compile(r"省略\\d+字|[(（]未完[,，]|特别声明$")).pattern
    '省略|未完|特别声明'
    >>> literal_hint(re.compile(r"[(（]\\s*\\d+")) is None
    True
    """
    from re import _constants as C, _parser as P  # the stdlib's own regex parser (Python 3.11+)

    try:
        tree = list(P.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unparsable construct only means no prefilter
        return None
    branches = [list(b) for b in tree[0][1][1]] if len(tree) == 1 and tree[0][0] is C.BRANCH else [tree]
    literals: list[str] = []
    for branch in branches:
        best = run = ""
        for op, argument in branch:
            if op is C.LITERAL:
                run += chr(argument)
            elif op not in (C.AT, C.ASSERT, C.ASSERT_NOT):
                best, run = max(best, run, key=len), ""
        best = max(best, run, key=len)
        if not best:
            return None
        literals.append(best)
    return re.compile("|".join(re.escape(x) for x in dict.fromkeys(literals)), pattern.flags)


# Template / disclaimer / paywall / notice sentences: one hint for the four patterns checked per sentence.
SENTENCE_RULE_HINT_RE = re.compile(
    "|".join(literal_hint(p).pattern for p in (TEMPLATE_RE, DISCLAIMER_RE, PAYWALL_RE, SITE_NOTICE_RE))
)
# Reporter tags need a role word; "文/图", "文/摄" all hold "/".
REPORTER_BRACKET_HINT_RE = re.compile(r"记者|通讯员|特派员|报道员|实习生|评论员|摄影|/")
PINYIN_TONE_RE = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")  # PINYIN_RUBY_RE requires one tone mark
ICP_HINT_RE = literal_hint(ICP_RE)
COPYRIGHT_HINT_RE = literal_hint(COPYRIGHT_RE)
BBCODE_HINT_RE = literal_hint(BBCODE_RE)  # "["
JUMP_HINT_RE = literal_hint(JUMP_RE)  # "版"
FOOTER_OWNER_HINT_RE = literal_hint(FOOTER_OWNER_RE)  # "主办单位" …
