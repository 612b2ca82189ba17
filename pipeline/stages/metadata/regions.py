"""Administrative-division gazetteer (province / city / county, towns) and place-name resolution.

Data: ``pipeline/data/gazetteer/`` (extracted from jionlp's Apache-2.0 tables by ``tools/extract_gazetteer.py``;
see the README there). Matching is leftmost-longest over full names, short names (``台州``), towns (``东极镇``)
and historical names (``襄樊``) with an Aho-Corasick automaton. Guards against place names inside ordinary
words: a list of blocker words (长治久安, 大同小异, 孙中山, 合作社) that win the longest match, short names
that are ordinary words (朝阳, 中山) only count with their suffix, ordinary-word full names (郊区, 和县) only
with their parent in front (铜陵市郊区, 马鞍山和县), and a name followed by 路/街 is a street, not a place.

Output conventions (tests/data/devset/README.md): municipalities 北京/天津/上海/重庆 and Hong Kong/Macau go in
``province`` with ``city`` None; Taiwan has ``province`` None, a city in ``city`` (台北市) and a county in
``county`` (南投县); province-direct counties (定安县) have ``city`` None; county-level cities are counties.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Iterable

import ahocorasick

from pipeline.stages.metadata.automaton import ByteSpelledAutomaton

_TAIWAN = "台湾省"
# Places and islands people name instead of the county (马祖 = 连江县 of Taiwan, the devset 022 trap).
_EXTRA_ALIASES = {"马祖": "710716"}
# Offices that exist in one place only name it as a place name does (`律政司司长…致辞`: Hong Kong's Secretary for
# Justice; `政务司司长`: its Chief Secretary). Pages of four Hong Kong sites in the dev set name them, some
# without naming 香港 more than once.
_OFFICE_ALIASES = {"律政司": "810000", "政务司": "810000"}

# Variant characters that the Traditional->Simplified converter leaves in place names (OpenCC t2s keeps 瑯 in
# 瑯琊區 -> 瑯琊区, devset 033; the standard name is 琅琊区): each name is also matched in its variant spelling.
_VARIANT_CHARACTERS = {"琅": "瑯"}
# A place named as a destination or a topic rather than the locale: `延安党性教育`, `井冈山之行`,
# `延安革命纪念馆` (red-education sites visited by cadres from elsewhere).
_VISITED_WORDS = ("之行", "党性教育", "红色教育", "革命纪念", "干部学院", "红色之旅", "研学")
_VISITED_AFTER = re.compile("(?:" + "|".join(_VISITED_WORDS) + ")")
# A university named after a place (`北京大学`, `南京师范大学`, `浙江工商大学`) is an institution whose people
# attend events anywhere; the name says nothing about the document's locale (devset 039 lists a dozen).
_INSTITUTION_AFTER = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:大学|师范|学院|理工|科技大学)")
# A visiting delegation: the place before `…一行(八人)到/来/莅临` is where the visitors come from, not the
# document's locale (`佛山顺德区大良街道党工委委员潘卓辉…等一行八人到众创金融街…调研`).
_VISITORS_AFTER = re.compile(
    r"[^。；;！？!?]{0,80}?一行(?:[\d一二三四五六七八九十]+人)?(?:来|到|莅临|前来|走访|抵达)"
)
# A place name followed by one of these is a street or a road named after the place (北京路 in 广州).
_STREET_AFTER = re.compile(r"(路|街|大街|大道|巷|胡同)")
# After a two-character X县/X区 name, these make 县/区 the start of an office word (县长, 县委, 县属, 区域).
_OFFICE_AFTER = re.compile(r"[长委级城里域内属政府直]")


@dataclass(frozen=True)
class Division:
    """One row of the gazetteer: a province, a city (prefecture level) or a county (county level)."""

    code: str
    level: str  # "province" | "city" | "county"
    name: str
    short: str
    province: str
    city: str | None  # parent city's full name; None for municipalities' counties and province-direct ones


@dataclass(frozen=True)
class Region:
    """A resolved document region, following the output conventions."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class PlaceMatch:
    start: int
    end: int
    surface: str
    kind: str  # "name" | "short" | "town" | "history"
    divisions: tuple[Division, ...]


@dataclass(frozen=True)
class _PlaceWord:
    """What ``find_places`` needs about one gazetteer surface, worked out once when the automaton is built."""

    street_guard: bool  # short/historical names only: `北京路` is a street
    office_guard: bool  # a two-character X县/X区: `任县长` is an office word
    institution_guard: bool  # full or short names: `北京大学` is an institution
    kind: str  # the kind reported: "name" if the surface is a full name, else the first of its kinds
    divisions: tuple[Division, ...]  # the divisions of that kind


class Gazetteer:
    """The loaded tables and the matching automaton. Use ``gazetteer()`` to get the shared instance."""

    def __init__(self, divisions: list[Division], weak: dict[str, str], towns, changes, blockers):
        self.by_code = {d.code: d for d in divisions}
        entries: dict[str, list[tuple[str, str]]] = defaultdict(list)  # surface -> [(kind, code)]
        city_prefixes: dict[tuple[str, str], list[str]] = defaultdict(list)
        for d in divisions:
            if d.level == "city":
                city_prefixes[(d.province, d.name)] = [d.name] + ([d.short] if len(d.short) >= 2 else [])
        for d in divisions:
            flags = weak.get(d.code, "")
            if "name" in flags:
                parents = city_prefixes.get((d.province, d.city or ""), []) or [d.province]
                for parent in parents:
                    entries[parent + d.name].append(("name", d.code))
            else:
                entries[d.name].append(("name", d.code))
            if d.short != d.name and len(d.short) >= 2 and "short" not in flags:
                entries[d.short].append(("short", d.code))
        for alias, code in {**_EXTRA_ALIASES, **_OFFICE_ALIASES}.items():
            entries[alias].append(("short", code))
        for surface in list(entries):
            variant = "".join(_VARIANT_CHARACTERS.get(ch, ch) for ch in surface)
            if variant != surface and variant not in entries:
                entries[variant] = list(entries[surface])
        for name, county_code in towns:
            if county_code in self.by_code and not any(k != "town" for k, _ in entries.get(name, ())):
                entries[name].append(("town", county_code))
        for old_name, old_short, code in changes:
            for surface in {old_name, old_short}:
                if len(surface) >= 2 and code in self.by_code and surface not in entries:
                    entries[surface].append(("history", code))
        words = {surface: (surface, self._place_word(surface, values)) for surface, values in entries.items()}
        for word in blockers:
            if word not in entries:
                words[word] = (word, None)  # a blocker: found so that the place inside it is not
        self._spelled = ByteSpelledAutomaton(words)
        # every full and short name (flagged ordinary-word shorts too) -> divisions, for names read whole
        named: dict[str, list[Division]] = defaultdict(list)
        for d in divisions:
            named[d.name].append(d)
            if d.short != d.name and len(d.short) >= 2:
                named[d.short].append(d)
        self.by_name = {surface: tuple(found) for surface, found in named.items()}

    @property
    def automaton(self) -> ahocorasick.Automaton:
        """The plain (character) automaton; matching uses the byte-spelled one, this one is built on first use."""
        return self._spelled.plain

    def _place_word(self, surface: str, values: list[tuple[str, str]]) -> _PlaceWord:
        if len(values) == 1:  # most surfaces: one kind, one division (the general case below gives the same)
            kind, code = values[0]
            return _PlaceWord(
                street_guard=kind in ("short", "history"),
                office_guard=len(surface) == 2 and surface[1] in "县区",
                institution_guard=kind in ("short", "name"),
                kind=kind,
                divisions=(self.by_code[code],),
            )
        kinds = {kind for kind, _ in values}
        kind = "name" if "name" in kinds else sorted(kinds)[0]
        return _PlaceWord(
            street_guard=kinds <= {"short", "history"},
            office_guard=len(surface) == 2 and surface[1] in "县区",
            institution_guard=kinds <= {"short", "name"},
            kind=kind,
            divisions=tuple(self.by_code[code] for k, code in values if k == kind),
        )

    def find_places(self, text: str) -> list[PlaceMatch]:
        """Leftmost-longest place matches in ``text`` (blocker words and streets removed).

        >>> [m.surface for m in gazetteer().find_places("台州市委常委、组织部长")]
        ['台州市']
        >>> [m.surface for m in gazetteer().find_places("社会长治久安，大同小异，纪念孙中山")]
        []
        >>> [m.surface for m in gazetteer().find_places("赴延安党性教育，佛山顺德区张三一行到东区调研。东区在中山市")]
        ['中山市']
        """
        return self._places(text, self._spelled.matches(text))

    def find_places_in_each(self, texts: list[str]) -> list[list[PlaceMatch]]:
        """``find_places`` of each text (one search for the gazetteer's words in all of them)."""
        return [self._places(text, found) if found else []
                for text, found in zip(texts, self._spelled.matches_in_each(texts), strict=True)]

    def _places(self, text: str, found: list[tuple[int, tuple[str, _PlaceWord | None]]]) -> list[PlaceMatch]:
        """The place matches of ``text`` among the automaton's longest matches ``found`` (the guards applied)."""
        matches = []
        visitors_end = -1
        # whether the text holds 一行 at all (found lazily; `_VISITORS_AFTER` reads up to 80 characters)
        visitors = None
        for end_index, (surface, word) in found:
            if word is None:
                continue  # a blocker word: the place name inside it is not a place
            if visitors is None:
                visitors = "一行" in text
            start = end_index - len(surface) + 1
            end = end_index + 1
            if word.street_guard and _STREET_AFTER.match(text, end):
                continue
            if word.office_guard and _OFFICE_AFTER.match(text, end):
                continue  # 新任县长 is not 任县, 各乡镇和县属 is not 和县: a real X县 reads X县县长
            # each pattern holds its words literally: tried at ``end`` directly, cheaper than scanning the text for
            # them first (issue 20: the scans cost ~4x the matches on the bench)
            if _VISITED_AFTER.match(text, end) or (word.institution_guard and _INSTITUTION_AFTER.match(text, end)):
                continue  # a place visited or studied, not the document's own
            if start < visitors_end:
                continue
            delegation = _VISITORS_AFTER.match(text, end) if visitors else None
            if delegation:
                visitors_end = delegation.end()  # the delegation's home places, up to `一行…到`
                continue
            matches.append(PlaceMatch(start, end, surface, word.kind, word.divisions))
        return matches


    def outlet_place(self, outlet: str) -> str | None:
        """The full name of the place a site or newspaper is named after, or None.

        An outlet name is a place plus an outlet word (`中山文明网`, `滁州网`, `安康新网`, `红网湘潭县分站`,
        `济南日报`); read whole, the place counts even where running text needs its suffix (中山 is also an
        ordinary word). A name shared by divisions of several levels is the highest one's. Outlets named after a
        common word (光明日报, 东方网, 新华网) and names shared by divisions of one level say nothing.

        >>> g = gazetteer()
        >>> g.outlet_place("中山文明网"), g.outlet_place("红网湘潭县分站"), g.outlet_place("济南日报")
        ('中山市', '湘潭县', '济南市')
        >>> g.outlet_place("光明日报"), g.outlet_place("本网"), g.outlet_place("新华网"), g.outlet_place("中山")
        (None, None, None, None)
        """
        stem = _OUTLET_TAIL.sub("", outlet)
        if stem == outlet or stem in _NATIONAL_OUTLETS:
            return None
        found = self.by_name.get(stem)
        if found is None:  # `红网湘潭县分站`: a full name with its suffix at the end of a longer outlet name
            found = next((self.by_name[stem[-k:]] for k in (5, 4, 3)
                          if stem[-k:] in self.by_name and stem[-1] in "省市县区州盟旗"), None)
        if not found:
            return None
        # an outlet is named after the larger unit (中山市, not 中山区)
        top = min(_LEVELS.index(d.level) for d in found)
        found = [d for d in found if _LEVELS.index(d.level) == top]
        return found[0].name if len(found) == 1 else None


# Outlet words after a place in a site or newspaper name (`中山文明网`, `滁州网`, `安康新网`, `咸宁网`,
# `红网湘潭县分站`, `遂昌新闻网`, `济南日报`, `岳阳广播电视台`).
_OUTLET_TAIL = re.compile(
    r"(?:新?(?:文明|新闻|政府|党建|政务|发布|门户)?(?:网站?|在线)|日报|晚报|新闻|(?:广播)?电视台|融媒体中心|分站|频道)+$"
)
_LEVELS = ("province", "city", "county")
# National outlets whose name is also a division's short name (光明区, 东方市, 新华区, 中华?): never a locale.
_NATIONAL_OUTLETS = frozenset({"光明", "东方", "新华", "中华", "华夏", "人民", "中国", "大众", "南方"})


# Four or more Han characters each followed by one space (`律 政 司 司 长`): text printed letter-spaced, whose
# place names only read once the spaces between the characters go (a Hong Kong bureau page spaced throughout, a
# disclosure table's `发 布 机 构` label). Two-word phrases (`台州 马晓晖`) are not touched.
_LETTER_SPACED = re.compile(r"[\u4e00-\u9fff](?: [\u4e00-\u9fff]){3,}")
_SPACE_BETWEEN_HAN = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
# What every letter-spaced run holds (` 政 司` in `律 政 司 司 长`): found by its leading space, a literal that
# `re` skips to, where `_LETTER_SPACED` is tried at every Han character.
_SPACED_PAIR = re.compile(r" [\u4e00-\u9fff] [\u4e00-\u9fff]")


def without_letter_spacing(text: str) -> str:
    """``text`` with the single spaces inside letter-spaced runs of Han characters removed.

    >>> without_letter_spacing("以 下 为 律 政 司 司 长 的 致 辞"), without_letter_spacing("台州 马晓晖 丽水 胡  侠")
    ('以下为律政司司长的致辞', '台州 马晓晖 丽水 胡  侠')
    """
    if " " not in text or not _SPACED_PAIR.search(text):
        return text
    return _LETTER_SPACED.sub(lambda run: _SPACE_BETWEEN_HAN.sub("", run.group()), text)


def _data_path(name: str):
    return resources.files("pipeline").joinpath("data", "gazetteer", name)


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once."""
    divisions, weak = [], {}
    lines = _data_path("divisions.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        code, level, name, short, province, city, flags = line.split("\t")
        divisions.append(Division(code, level, name, short, province, city or None))
        if flags:
            weak[code] = flags
    towns = []
    raw = gzip.decompress(_data_path("towns.tsv.gz").read_bytes()).decode("utf-8")
    for line in raw.splitlines()[1:]:
        name, code = line.split("\t")
        towns.append((name, code))
    changes = []
    for line in _data_path("changes.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        _date, old_name, old_short, _level, code = line.split("\t")
        changes.append((old_name, old_short, code))
    blockers = _data_path("blockers.txt").read_text(encoding="utf-8").split()
    return Gazetteer(divisions, weak, towns, changes, blockers)


def region_of(division: Division) -> Region:
    """The output fields for one division, with the project's conventions.

    >>> region_of(gazetteer().by_code["469021"])
    Region(province='海南省', city=None, county='定安县', region_code='469021')
    >>> region_of(gazetteer().by_code["710707"])  # GB/T 2260 has one code for Taiwan
    Region(province=None, city=None, county='南投县', region_code='710000')
    >>> region_of(gazetteer().by_code["310115"])
    Region(province='上海市', city=None, county='浦东新区', region_code='310115')
    """
    province = None if division.province == _TAIWAN else division.province
    code = division.code
    if code[:2] in SINGLE_CODE_PREFIXES:
        code = code[:2] + "0000"
    if division.level == "province":
        # Taiwan as a whole: the convention keeps province null, and a code without a name is meaningless.
        return Region(province, None, None, code if province is not None else None)
    if division.level == "city":
        return Region(province, division.name, None, code)
    return Region(province, division.city, division.name, code)


# GB/T 2260 gives Taiwan, Hong Kong and Macau one code each (710000, 810000, 820000); the finer codes in
# the source data (e.g. 710707 for 南投县) are not GB/T 2260 codes, so region_code uses the single one.
SINGLE_CODE_PREFIXES = frozenset({"71", "81", "82"})


def _province_code(code: str) -> str:
    return code[:2] + "0000"


def _city_key(division: Division) -> tuple[str, str] | None:
    if division.level == "city":
        return (division.province, division.name)
    if division.level == "county" and division.city:
        return (division.province, division.city)
    return None


def _is_district(division: Division) -> bool:
    return division.name.endswith("区") and division.province != _TAIWAN


@dataclass(frozen=True)
class Evidence:
    """A place match with the weight of the zone it was found in (byline > title > body)."""

    match: PlaceMatch
    weight: float


# Separators inside an enumeration of places (`江苏南京、湖北武汉、甘肃兰州…`); an item may end with a few
# characters that are not a gazetteer name (`安徽小岗、四川成都`).
_LIST_SEPARATOR = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:[、，,]|和|及|与|以及)")


def _enumeration_discount(text: str, items: list[Evidence], min_items: int = 3) -> list[Evidence]:
    """Divide the weight of places listed in an enumeration of ``min_items`` or more by the list's length.

    A list of places (`先后在江苏南京、湖北武汉、甘肃兰州…等地举办`, five counties visited by reporters) names
    places the text covers or cites, not its own locale; each item then says little about the document.
    """
    if len(items) < min_items:
        return items
    groups: list[list[int]] = [[0]]
    for k in range(1, len(items)):
        gap = text[items[k - 1].match.end:items[k].match.start]
        if gap == "":
            groups[-1].append(k)  # 江苏南京: one list item
        else:
            groups.append([k])
    result = list(items)
    run = [groups[0]]
    for g in range(1, len(groups) + 1):
        if g < len(groups):
            gap = text[items[groups[g - 1][-1]].match.end:items[groups[g][0]].match.start]
            if _LIST_SEPARATOR.fullmatch(gap):
                run.append(groups[g])
                continue
        if len(run) >= min_items:
            for group in run:
                for k in group:
                    result[k] = Evidence(items[k].match, items[k].weight / len(run))
        if g < len(groups):
            run = [groups[g]]
    return result


def collect_evidence(segments: Iterable[tuple[str, float]]) -> list[Evidence]:
    """Place matches of each ``(text, weight)`` segment.

    >>> [(e.match.surface, round(e.weight, 2)) for e in collect_evidence([("在江苏南京、湖北武汉、甘肃兰州举办", 1.0)])]
    [('江苏', 0.33), ('南京', 0.67), ('湖北', 0.33), ('武汉', 0.67), ('甘肃', 0.33), ('兰州', 0.67)]
    """
    return [item for found in evidence_by_segment(segments) for item in found]


def evidence_by_segment(segments: Iterable[tuple[str, float]]) -> list[list[Evidence]]:
    """``collect_evidence`` kept apart per segment (a caller that weighs segments separately scans them once).

    >>> [[e.match.surface for e in found] for found in evidence_by_segment([("福州市连江县", 3.0), ("我们", 1.0)])]
    [['福州市', '连江县'], []]
    """
    result = []
    segments = list(segments)
    places = gazetteer().find_places_in_each([text for text, _weight in segments])
    for (text, weight), in_text in zip(segments, places, strict=True):
        found: list[Evidence] = []
        previous = None
        for match in in_text:
            # `山西河津`, `舟山东极镇`, `滁州市琅琊区`: a place written after its parent is stated as a locale
            if previous is not None and previous.end == match.start:
                parents = {d.province for d in previous.divisions} | {d.name for d in previous.divisions}
                inside = tuple(d for d in match.divisions if d.province in parents or d.city in parents)
                if inside:
                    match = PlaceMatch(match.start, match.end, match.surface, match.kind, inside)
                    found.append(Evidence(match, weight * 2))
                    previous = match
                    continue
            found.append(Evidence(match, weight))
            previous = match
        # fewer than three places is never an enumeration (the default min_items)
        result.append(_enumeration_discount(text, found) if len(found) >= 3 else found)
    return result


def _choose(evidence: list[Evidence]) -> list[tuple[Division, float, str]]:
    """Pick, for each ambiguous match, the candidate most consistent with the unambiguous evidence."""
    support: dict[str, float] = defaultdict(float)  # province code -> weight of unambiguous evidence
    city_support: dict[tuple, float] = defaultdict(float)
    for item in evidence:
        if len(item.match.divisions) == 1:
            division = item.match.divisions[0]
            support[_province_code(division.code)] += item.weight
            key = _city_key(division)
            if key:
                city_support[key] += item.weight
    chosen = []
    for item in evidence:
        candidates = item.match.divisions
        if len(candidates) == 1:
            chosen.append((candidates[0], item.weight, item.match.kind))
            continue
        ranked = sorted(
            candidates,
            key=lambda d: (city_support.get(_city_key(d), 0.0), support.get(_province_code(d.code), 0.0)),
            reverse=True,
        )
        best = ranked[0]
        best_key = (city_support.get(_city_key(best), 0.0), support.get(_province_code(best.code), 0.0))
        second = ranked[1]
        second_key = (city_support.get(_city_key(second), 0.0), support.get(_province_code(second.code), 0.0))
        if best_key > second_key:
            chosen.append((best, item.weight, item.match.kind))
        # else: a shared name with no supporting evidence says nothing about the document
    return chosen


def resolve_region(
    evidence: list[Evidence],
    confirmed_levels: frozenset[str] = frozenset(),
    min_share: float = 0.5,
    min_weight: float = 2.0,
    strong_weight: float = 3.0,
) -> Region:
    """Vote the evidence into one region.

    Two-character county short names in running text (惠民, 新和, 大化 are also ordinary words) count only
    when their province has other evidence or they come from a zone of at least ``strong_weight``.
    A level is filled when its winner holds at least ``min_share`` of that level's weight and has at least
    ``min_weight`` (one byline or title mention, or two body mentions), or ``confirmed_levels`` holds the
    level (the document says 我省/我市/我县: a single body mention is then enough). Towns give their city
    and province, and their county only when it is a county (县, county-level city), not a city district.

    >>> ev = collect_evidence([("中共台州市委常委、组织部长", 4.0), ("我省开展的这一活动", 1.0)])
    >>> resolve_region(ev)
    Region(province='浙江省', city='台州市', county=None, region_code='331000')
    >>> resolve_region(collect_evidence([("沭阳县、东港区、巩义市、衡南县", 1.0)]))
    Region(province=None, city=None, county=None, region_code=None)
    """
    chosen = _choose(_supported(evidence, strong_weight, confirmed_levels))
    if not confirmed_levels and all(item.match.kind == "town" for item in evidence) and max(
            Counter(item.match.surface for item in evidence).values(), default=0) < 2:
        # a township named once and nothing else is no locale (town names repeat across the country) unless the
        # text speaks of its own place (`东极镇…我市`); a report about a town names it again (`威坪镇` three times)
        return Region()
    provinces: dict[str, float] = defaultdict(float)
    for division, weight, _kind in chosen:
        provinces[division.province] += weight
    province = _winner(provinces, min_share, min_weight, "province" in confirmed_levels)
    if province is None:
        return Region()
    cities: dict[str, float] = defaultdict(float)
    counties: dict[str, float] = defaultdict(float)
    direct_counties: set[str] = set()
    for division, weight, kind in chosen:
        if division.province != province:
            continue
        if division.level == "city":
            cities[division.name] += weight
        elif division.level == "county":
            if division.city:
                cities[division.city] += weight
            if kind != "town" or not _is_district(division):
                counties[division.code] += weight
                if kind != "town":
                    direct_counties.add(division.code)
    city = _winner(cities, min_share, min_weight, "city" in confirmed_levels)
    # counties inside the chosen city; with no city chosen, any county of the province (its city follows)
    in_scope = {
        code: weight for code, weight in counties.items() if city is None or gazetteer().by_code[code].city == city
    }
    county_code = _winner(in_scope, min_share, min_weight, "county" in confirmed_levels)
    by_code = gazetteer().by_code
    if county_code:
        return region_of(by_code[county_code])
    if city:
        return region_of(_named_division("city", province, city))
    return region_of(_named_division("province", province, province))


@functools.lru_cache(maxsize=None)
def _named_division(level: str, province: str, name: str) -> Division:
    return next(
        d for d in gazetteer().by_code.values() if d.level == level and d.province == province and d.name == name
    )


def is_weak_evidence(item: Evidence, strong_weight: float) -> bool:
    """A two-character county short name from a zone below ``strong_weight`` (惠民, 同心: also ordinary words)."""
    match = item.match
    return (
        item.weight < strong_weight
        and match.kind in ("short", "history")
        and len(match.surface) == 2
        and all(d.level == "county" for d in match.divisions)
    )


def _supported(evidence: list[Evidence], strong_weight: float,
               confirmed_levels: frozenset[str] = frozenset()) -> list[Evidence]:
    """Drop weak matches whose province nothing else supports; keep their supported candidates only.

    A weak name named again and again in a text that speaks of its own county (我县/全县, or 我市/全市 for a
    county-level city: `介休`, `通城`, `仪征`, `禄劝` named twice or more) supports itself.
    """
    weak = [is_weak_evidence(item, strong_weight) for item in evidence]
    provinces = {d.province for item, is_weak in zip(evidence, weak, strict=True) if not is_weak
                 for d in item.match.divisions}
    full_names = {d.code for item in evidence if item.match.kind == "name" for d in item.match.divisions}
    repeated = Counter(item.match.surface for item, is_weak in zip(evidence, weak, strict=True) if is_weak)
    kept = []
    for item, is_weak in zip(evidence, weak, strict=True):
        if not is_weak:
            kept.append(item)
            continue
        own = repeated[item.match.surface] >= 2
        candidates = tuple(d for d in item.match.divisions if d.province in provinces or d.code in full_names
                           or (own and _self_named(d, confirmed_levels)))
        if candidates:
            match = PlaceMatch(item.match.start, item.match.end, item.match.surface, item.match.kind, candidates)
            kept.append(Evidence(match, item.weight))
    return kept


def _self_named(division: Division, confirmed_levels: frozenset[str]) -> bool:
    """Whether the text's self-reference names ``division``'s level (我县 for a county, 我市 for a county-level
    city)."""
    return "county" in confirmed_levels or ("city" in confirmed_levels and division.name.endswith("市"))


def _winner(scores: dict[str, float], min_share: float, min_weight: float, confirmed: bool) -> str | None:
    if not scores:
        return None
    total = sum(scores.values())
    best, weight = max(scores.items(), key=lambda kv: kv[1])
    if sum(1 for w in scores.values() if w == weight) > 1:
        return None  # a tie (台州 vs 丽水 in one file) decides nothing
    if weight / total < min_share:
        return None
    if weight < min_weight and not confirmed:
        return None
    return best
