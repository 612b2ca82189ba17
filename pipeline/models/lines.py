"""Line roles: a linear-chain CRF over the lines the artifact rules kept, to drop the debris lines they miss.

The rules stay first (they are certain: ICP numbers, URLs, header lines, template sentences …). This model
looks at every non-blank line the rules left and labels it with one role:

- ``body``: running text, headings, anything that is content;
- ``title``: the document's title line (kept: the metadata stage takes it);
- ``byline``: a line naming the author (kept: the metadata stage takes it);
- ``meta``: page meta debris (dates and clocks of the page, 来源/作者/编辑 lines, counters);
- ``chrome``: site chrome (navigation, site names, share/login/app prompts, related articles, footers, ads,
  captions, template sentences, forum junk).

``meta`` and ``chrome`` lines whose probability reaches ``ArtifactsConfig.model_min_score`` are dropped by
``pipeline.artifacts`` as ``model.<role>:<score>``.

Features (each justified by pages of several sites; all cheap: one pass of a few compiled patterns per line,
nothing quadratic, no segmentation), of the line and, prefixed ``-1:``/``+1:``, of its neighbours:
position from the top and from the bottom (bucketed), length, Han share, punctuation and digit profile, a
final full stop, date / clock / weekday patterns, lexicons (chrome words of ``artifact_rules.CHROME_WORDS``,
header keys, genre words such as 讲话/致辞/心得体会, position words such as 书记/局长, app/share/login/related
words, site-name suffixes), the line's repetition on the page, its character overlap with the first kept
line (a stand-in for the page's ``<title>``), and the rules' own decisions around it (which rule removed
the line before / after it, how many lines were removed above it, a span rule inside it).

Training labels are weak, from the dev set's gold (``examples``): a line holding a ``must_remove`` string
that covers most of the line is ``meta`` (it has a date, clock or header key) or ``chrome``; a line
equal to the gold title is ``title``; a short line naming the gold author is ``byline``; everything else
is ``body``. A line where a ``must_remove`` string is only a small part is ``body`` (its debris is a span:
the rules' job).
"""

from __future__ import annotations

import bisect
import json
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import artifact_rules as R

NAME = "lines"
STAGE = "artifacts"
MODEL_FILE = "lines.crfsuite"
CARD_FILE = "lines.json"
DEBRIS_ROLES = ("meta", "chrome")
ROLES = ("body", "title", "byline") + DEBRIS_ROLES
FEATURE_VERSION = 2  # bump when the features change: a model trained on other features is refused

# Training: L-BFGS with L1 + L2 (crfsuite's defaults for c1/c2 are 0 and 1); fixed iterations, deterministic.
TRAIN_PARAMS = {"c1": 0.05, "c2": 0.5, "max_iterations": 150, "feature.possible_transitions": True}
# A must_remove string that covers at least this share of a line's characters makes the line debris.
DEBRIS_COVER_SHARE = 0.5
# A byline is short: "记者 张三 通讯员 李四" fits; a longer line naming the author is text about them.
BYLINE_MAX_CHARS = 40

_NOT_WORD_RE = re.compile(r"[\W_]+")
_HAN_RE = re.compile(rf"[{R.HAN}]")
_DIGIT_RE = re.compile(r"\d")
_LATIN_RE = re.compile(r"[A-Za-z]")
_SPACE_RUN_RE = re.compile(r"\s{2,}|\u3000")
_CLAUSE_RE = re.compile(r"[，,、；;]")
# "2024-10-28", "2019/12/01", "2022年12月25日": the page's dates (ISO ones are chrome far more often)
_ISO_DATE_RE = R.ISO_DATE_RE
_CJK_DATE_RE = re.compile(R.CJK_DATE)
_CLOCK_RE = re.compile(R.CLOCK)
# "星期三", "周五", "礼拜一": a page clock line ("2024年5月8日 星期三", several government sites)
_WEEKDAY_RE = re.compile(r"星期[一二三四五六日天]|礼拜[一二三四五六日天]|周[一二三四五六日](?![年期])")
_HEADER_KEY_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(set(R.ALL_HEADER_KEYS), key=len, reverse=True)) + r"|浏览|阅读|点击|责编|编辑"
)
# Genre words of speech / 范文 titles: "…在全县工作会议上的讲话", "…心得体会"
_GENRE_RE = re.compile(r"讲话|发言|致辞|心得体会|报告|总结|主持词|党课|演讲|述职|体会|方案|意见|通知|决定|范文")
# Position words: "县委书记", "局长"; in bylines and titles of speeches
_POSITION_RE = re.compile(r"书记|县长|市长|省长|区长|镇长|乡长|局长|主任|主席|部长|厅长|处长|院长|校长|委员|常委")
# App prompts, share, login, comments, related lists: chrome vocabulary seen on many sites
_APP_RE = re.compile(r"APP|App|app|客户端|下载|扫码|二维码|关注|公众号|微信|微博|小程序|打开")
_RELATED_RE = re.compile(r"相关|推荐|热门|热点|猜你|阅读排行|排行|精选|专题|更多|上一|下一|下载|查看|点击|收藏|评论|分享|登录|注册|举报|返回")
_FOOTER_RE = re.compile(r"版权|所有|主办|承办|技术支持|联系|电话|地址|邮编|备案|Copyright|©|ICP", re.I)
_SITE_SUFFIX_RE = re.compile(r"(?:网|网站|论坛|平台|门户|频道|在线|文库|电台|社区|资讯|新闻|日报|晚报|报)$")
_BRACKET_LEAD_RE = re.compile(r"^[【\[［(（<《「]")
_SEPARATOR_RE = re.compile(r"[|｜>＞»/•·]")
_MASK_RE = re.compile(r"[Xx×＊*☆]{2,}")


@dataclass(frozen=True)
class LineView:
    """One non-blank input line of a page, with what the model may know of its context."""

    index: int  # position in the kept line list (blank lines included); -1 if the rules removed the line
    number: int  # line number in the text the artifacts stage received
    text: str  # as the rules left it (span debris cut out); the input line if the rules removed it
    rank: int  # 0-based among the page's non-blank input lines
    count: int  # non-blank input lines on the page
    rule: str  # rule family that removed this line ("" if kept): a training label, never a feature
    rule_before: str  # that of the line above ("BOS" at the top)
    rule_after: str  # that of the line below ("EOS" at the bottom)
    removed_above: int  # input lines removed by the rules above this line
    span_rule: str  # a span rule that cut text out of this line ("" if none)
    repeats: int  # other lines with the same normalised text
    first_overlap: float  # share of this line's characters found in the first kept line (a stand-in for <title>)


def line_views(input_text: str, kept: list[tuple[int, str]], removals, kept_only: bool = True) -> list[LineView]:
    """The model's view of a page: every non-blank input line, ``kept`` = (input line number, text) of the
    lines the rules kept, in order; ``removals`` = the rules' removals (rule, line number).

    >>> from pipeline.document import Removal
    >>> views = line_views("首页\\n标题\\n正文。", [(1, "标题"), (2, "正文。")], [Removal("artifacts.nav_row", 0, "首页")], False)
    >>> [(v.index, v.rule, v.rule_before, v.rule_after) for v in views]
    [(-1, 'nav_row', 'BOS', ''), (0, '', 'nav_row', ''), (1, '', '', 'EOS')]
    """
    input_lines = input_text.split("\n")
    kept_at = {number: (index, text) for index, (number, text) in enumerate(kept) if text.strip()}
    line_rules: dict[int, str] = {}
    span_rules: dict[int, str] = {}
    for removal in removals:
        family = removal.rule.split(".", 1)[-1].split(":", 1)[0]
        if family == "paragraph_rejoin":
            kept_at.setdefault(removal.line, (-1, input_lines[removal.line] if removal.line < len(input_lines) else ""))
        elif removal.line in kept_at:
            span_rules.setdefault(removal.line, family)
        else:
            line_rules.setdefault(removal.line, family)
    numbers = [n for n, t in enumerate(input_lines) if t.strip()]
    texts = []
    for number in numbers:
        index, text = kept_at.get(number, (-1, ""))
        texts.append(text.strip() if index >= 0 and text.strip() else input_lines[number].strip())
    rules = ["" if n in kept_at else line_rules.get(n, "rule") for n in numbers]
    if kept_only:  # what the model sees at run time: the page as the rules left it
        numbers, texts, rules = ([x for x, rule in zip(column, rules) if not rule] for column in (numbers, texts, rules))
    keys = [_NOT_WORD_RE.sub("", text) for text in texts]
    key_counts: dict[str, int] = {}
    for key in keys:
        key_counts[key] = key_counts.get(key, 0) + 1
    first_kept = next((k for k, rule in enumerate(rules) if not rule), None)
    first_chars = set(keys[first_kept]) if first_kept is not None else set()
    views = []
    removed_above = 0
    for rank, (number, text, key, rule) in enumerate(zip(numbers, texts, keys, rules)):
        views.append(
            LineView(
                index=kept_at[number][0] if number in kept_at else -1,
                number=number,
                text=text,
                rank=rank,
                count=len(numbers),
                rule=rule,
                rule_before=rules[rank - 1] if rank > 0 else "BOS",
                rule_after=rules[rank + 1] if rank + 1 < len(numbers) else "EOS",
                removed_above=removed_above,
                span_rule=span_rules.get(number, ""),
                repeats=key_counts.get(key, 1) - 1 if key else 0,
                first_overlap=(sum(ch in first_chars for ch in key) / len(key)) if key and rank != first_kept else 0.0,
            )
        )
        removed_above += bool(rule)
    return views


def _bucket(value: float, edges: tuple) -> int:
    """Index of the first edge ``value`` is below (len(edges) if none)."""
    return bisect.bisect_right(edges, value)


def _own_features(view: LineView) -> dict[str, float]:
    """Features of one line alone (the neighbours get a prefixed copy of these)."""
    text = view.text
    length = len(text)
    han = len(_HAN_RE.findall(text))
    digits = len(_DIGIT_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    features: dict[str, float] = {
        f"len={_bucket(length, (4, 8, 13, 20, 30, 45, 70, 110, 200))}": 1.0,
        f"han={_bucket(han / length if length else 0.0, (0.2, 0.5, 0.7, 0.85, 0.95))}": 1.0,
        f"digit={_bucket(digits / length if length else 0.0, (0.01, 0.1, 0.25, 0.5))}": 1.0,
        f"latin={_bucket(latin / length if length else 0.0, (0.01, 0.2, 0.5))}": 1.0,
        f"clauses={_bucket(len(_CLAUSE_RE.findall(text)), (1, 2, 4))}": 1.0,
        f"end={'stop' if text[-1] in R.TERMINAL else 'closer' if text[-1] in R.LINE_CLOSERS else 'han' if _HAN_RE.match(text[-1]) else 'digit' if text[-1].isdigit() else 'other'}": 1.0,
    }
    flags = {
        "iso_date": _ISO_DATE_RE.search(text),
        "cjk_date": _CJK_DATE_RE.search(text),
        "clock": _CLOCK_RE.search(text),
        "weekday": _WEEKDAY_RE.search(text),
        "header_key": _HEADER_KEY_RE.search(text),
        "genre": _GENRE_RE.search(text),
        "position": _POSITION_RE.search(text),
        "app": _APP_RE.search(text),
        "related": _RELATED_RE.search(text),
        "footer": _FOOTER_RE.search(text),
        "site_suffix": _SITE_SUFFIX_RE.search(text),
        "bracket_lead": _BRACKET_LEAD_RE.match(text),
        "separator": _SEPARATOR_RE.search(text),
        "space_run": _SPACE_RUN_RE.search(text),
        "heading": R.HEADING_RE.match(text),
        "mask": _MASK_RE.search(text),
        "sentence_punct": R.SENTENCE_PUNCT_RE.search(text),
    }
    for name, hit in flags.items():
        if hit:
            features[name] = 1.0
    tokens = [t for t in R.TOKEN_SPLIT_RE.split(text) if t]
    chrome = sum(1 for t in tokens if R.CHROME_WORDS.get(t.strip(":：[]【】+").lower()))
    if chrome:
        features[f"chrome_words={min(chrome, 3)}"] = 1.0
        if chrome == len(tokens):
            features["all_chrome"] = 1.0
    features[f"tokens={_bucket(len(tokens), (2, 3, 5, 8))}"] = 1.0
    return features


def _context_features(view: LineView) -> dict[str, float]:
    """Features of the line's place on the page and of the rules' decisions around it."""
    from_bottom = view.count - 1 - view.rank
    features = {
        "bias": 1.0,
        f"top={_bucket(view.rank, (1, 2, 3, 5, 8, 12, 20))}": 1.0,
        f"bottom={_bucket(from_bottom, (1, 2, 3, 5, 8))}": 1.0,
        f"relpos={int(5 * view.rank / view.count) if view.count else 0}": 1.0,
        f"overlap_first={_bucket(view.first_overlap, (0.01, 0.5, 0.8, 0.99))}": 1.0 if view.rank else 0.0,
    }
    if view.repeats:
        features["repeated"] = 1.0
    return features


def sequence_features(views: list[LineView]) -> list[dict[str, float]]:
    """The feature dicts of a page's lines, in order (own + context + the neighbours' own, prefixed)."""
    own = [_own_features(v) for v in views]
    out = []
    for k, view in enumerate(views):
        features = dict(own[k])
        features.update(_context_features(view))
        for offset in (-1, 1):
            j = k + offset
            prefix = f"{offset:+d}:"
            if 0 <= j < len(views):
                features.update({prefix + name: value for name, value in own[j].items()})
            else:
                features[prefix + "none"] = 1.0
        out.append(features)
    return out


# ------------------------------------------------------------------------------------------ weak labels


def _key(text: str) -> str:
    return _NOT_WORD_RE.sub("", text)


_META_RULES = frozenset({"header_line", "view_counter", "source_prefix"})


def weak_labels(views: list[LineView], gold: dict, convert=lambda s: s) -> list[str]:
    """One role per line from the gold (see the module docstring); ``convert`` is the script stage's converter.

    >>> views = line_views("首页 新闻\\n标题甲\\n记者 张三\\n正文。", [(0, "首页 新闻"), (1, "标题甲"), (2, "记者 张三"), (3, "正文。")], [])
    >>> weak_labels(views, {"title": "标题甲", "author": "张三", "must_remove": ["首页 新闻"]})
    ['chrome', 'title', 'byline', 'body']
    """
    removes = [convert(item) for item in gold.get("must_remove") or [] if item and item.strip()]
    title_key = _key(gold.get("title") or "")
    author = gold.get("author") or ""
    labels = []
    for view in views:
        text = view.text
        text_key = _key(text)
        covered = 0
        for item in removes:
            if item in text or item.strip() in text:
                covered = max(covered, len(_key(item)))
        if view.rule:  # the rules removed it: trusted as debris (they are the certain part)
            labels.append("byline" if view.rule == "reporter_tag" else "meta" if view.rule in _META_RULES else "chrome")
        elif text_key and covered >= DEBRIS_COVER_SHARE * len(text_key):
            is_meta = bool(_HEADER_KEY_RE.search(text) or _ISO_DATE_RE.search(text) or _CLOCK_RE.search(text)
                           or _CJK_DATE_RE.search(text))
            labels.append("meta" if is_meta else "chrome")
        elif title_key and text_key and (text_key == title_key or (title_key in text_key and len(title_key) >= 0.7 * len(text_key))):
            labels.append("title")
        elif author and len(text) <= BYLINE_MAX_CHARS and author in _SPACE_RUN_RE.sub("", text).replace(" ", ""):
            labels.append("byline")
        else:
            labels.append("body")
    return labels


def examples(document, gold: dict) -> list:
    """Training examples of one dev page: [(feature dicts, roles)] for the lines the rules keep.

    ``document`` is the document as the artifacts stage receives it (Simplified script); the gold's
    ``must_remove`` strings are converted with the script stage's converter before matching."""
    from pipeline.artifacts import rule_pass_view
    from pipeline.script import to_simplified

    out = []
    for views in rule_pass_view(document, kept_only=False), rule_pass_view(document, kept_only=True):
        if views:  # the whole page (the rules' debris labelled too) and the page as the rules leave it
            out.append((sequence_features(views), weak_labels(views, gold, to_simplified)))
    return out


# ------------------------------------------------------------------------------------------ the model


@dataclass
class LineModel:
    """A trained CRF (crfsuite's own model file, held as bytes) and its card."""

    data: bytes
    card: dict
    _tagger: object = None

    def tagger(self):
        if self._tagger is None:
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            with tempfile.NamedTemporaryFile(suffix=".crfsuite") as handle:  # open() maps the file: read now
                handle.write(self.data)
                handle.flush()
                tagger.open(handle.name)
                tagger.labels()  # forces the model in before the file goes
            self._tagger = tagger
        return self._tagger


def fit(examples: list) -> LineModel:
    """Train the CRF on ``examples`` (deterministic: fixed parameters, examples in the order given)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    pages = 0
    for features, labels in examples:
        trainer.append([{k: v for k, v in sorted(f.items())} for f in features], labels)
        pages += 1
    trainer.set_params(TRAIN_PARAMS)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / MODEL_FILE
        trainer.train(str(path))
        data = path.read_bytes()
    card = {"name": NAME, "feature_version": FEATURE_VERSION, "roles": list(ROLES), "pages": pages,
            "train_params": TRAIN_PARAMS}
    return LineModel(data=data, card=card)


def save(model: LineModel, folder: Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FILE).write_bytes(model.data)
    (folder / CARD_FILE).write_text(json.dumps(model.card, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")


def load(folder: Path) -> LineModel:
    folder = Path(folder)
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    if card.get("feature_version") != FEATURE_VERSION:
        raise ValueError(f"{folder / CARD_FILE}: feature_version {card.get('feature_version')} != {FEATURE_VERSION}; retrain")
    return LineModel(data=(folder / MODEL_FILE).read_bytes(), card=card)


def role_scores(model: LineModel, views: list[LineView]) -> list[dict[str, float]]:
    """Marginal probability of each role, per line."""
    tagger = model.tagger()
    tagger.set(sequence_features(views))
    labels = tagger.labels()
    return [{label: tagger.marginal(label, k) for label in labels} for k in range(len(views))]


def debris_lines(model: LineModel, views: list[LineView], min_score: float,
                 max_chars: int = 150) -> dict[int, tuple[str, float]]:
    """{kept-line index: (role, score)} for the lines to drop: debris probability ≥ ``min_score``; a line
    longer than ``max_chars`` is text with debris spans at most, never dropped whole."""
    out = {}
    for view, scores in zip(views, role_scores(model, views)):
        if view.index < 0 or len(view.text) > max_chars or R.CONTACT_RE.match(view.text):
            continue  # removed by the rules already (or joined into the line above), a paragraph, or a contact
            # line (debris only inside a footer: the rules decide those by their neighbours)
        score = sum(scores.get(role, 0.0) for role in DEBRIS_ROLES)
        if score >= min_score and score > 0.0:
            role = max(DEBRIS_ROLES, key=lambda r: scores.get(r, 0.0))
            out[view.index] = (role, math.floor(score * 100) / 100)
    return out
