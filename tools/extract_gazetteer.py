"""Regenerate ``pipeline/data/gazetteer/`` from jionlp's administrative-division data.

jionlp (Apache-2.0) is NOT a runtime dependency: download its wheel once and point this script at it::

    /tmp/venv1/bin/pip download jionlp --no-deps -d /tmp/jionlp_dl
    /tmp/venv1/bin/python tools/extract_gazetteer.py /tmp/jionlp_dl/jionlp-1.5.31-py2.py3-none-any.whl

Writes (all UTF-8, tab-separated):
- ``divisions.tsv``: province, city and county rows with 6-digit codes, full and short names, parents and a
  ``weak`` flag for names that are also ordinary words (jieba frequency, see ``_is_ordinary_word``).
- ``towns.tsv.gz``: town/township/subdistrict names with their county's code (gzip, mtime 0).
- ``changes.tsv``: historical names (襄樊市 → 襄阳市) from jionlp's change list.
- ``blockers.txt``: ordinary words that contain a place name (长治久安, 大同小异, 孙中山, 合作社) from jieba's
  dictionary (MIT); matched leftmost-longest they hide the place name inside them.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import re
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pipeline" / "data" / "gazetteer"

# Development zones (code digits 5-6 in 70-79, e.g. 510102 成都高新技术产业开发区 short "高新区") are not
# administrative units people name as a locale, and their short names (经开区) would match everywhere.
_DEV_ZONE = re.compile(r"(开发区|产业园|工业园|园区|新区管委会|管委会|特定区|管理区)$")

# Jieba frequency above which a 2-character city/county short name counts as an ordinary word
# (中山 1117, 太平 1113, 江南 4986; 龙游 19, 定安 12 stay strong).
_WORD_FREQUENCY = 300


def _read_wheel(wheel: Path) -> tuple[str, str]:
    with zipfile.ZipFile(wheel) as outer:
        location_zip = outer.read("jionlp/dictionary/china_location.zip")
        changes = outer.read("jionlp/dictionary/china_location_change.txt").decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(location_zip)) as inner:
        locations = inner.read("china_location.txt").decode("utf-8")
    return locations, changes


def _jieba_words() -> dict[str, tuple[int, str]]:
    import jieba  # extraction-time only

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2:
                words[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    return words


# Place names that jieba tags as places but that mostly occur as ordinary words or as street/park/person
# names in running text (孙中山 → 中山, 江南水乡 → 江南, 长安街 → 长安); they only count with a suffix.
_ORDINARY_PLACE_WORDS = frozenset(
    "中山 太平 江南 长安 新城 永安 朝阳 青山 江北 河口 东山 西山 南山 北山 城中 城东 城西 城北 古城 新市 "
    "东区 西区 南区 北区 中区 市中 郊区 矿区 城区 白云 大同 平原 梁山 长寿 和平 新华 红旗 前进 东风 向阳 "
    "安康 友谊 解放 复兴 振兴 宏伟 富裕 平安 城关 南湖 东湖 鼓楼 龙华 新兴 光明 黄山 海南 河南 河北 湖南 湖北 "
    "山南 东港 西湖 普陀 龙泉 白山 松山 宝山 金山 铁西 铁东 铁山 立山 清河 太和".split()
)


def _is_ordinary_word(name: str, words) -> bool:
    if name in _ORDINARY_PLACE_WORDS:
        return True
    if name not in words:
        return False
    frequency, tag = words[name]
    return tag != "ns" and frequency >= _WORD_FREQUENCY


def extract(wheel: Path) -> None:
    locations, changes = _read_wheel(wheel)
    words = _jieba_words()
    rows = []  # code, level, name, short, province, city
    towns = []
    province = city = None
    county_code = None
    for raw in locations.splitlines():
        depth = len(raw) - len(raw.lstrip("\t"))
        parts = raw.strip().split("\t")
        if depth == 0 and len(parts) == 3:
            province, city, county_code = parts, None, None
            rows.append((parts[1], "province", parts[0], parts[2], parts[0], ""))
        elif depth == 1 and len(parts) == 3:
            city, county_code = parts, None
            if parts[0] in (province[0], "省直辖行政区划", "香港", "澳门"):
                continue  # municipality / province-direct placeholder / SAR: no city level
            rows.append((parts[1], "city", parts[0], parts[2], province[0], parts[0]))
        elif depth == 2:
            county_code = None
            if len(parts) != 3 or province[0] in ("香港特别行政区", "澳门特别行政区"):
                continue  # Taiwanese districts without codes; SAR districts all share one code
            name, code, short = parts
            if name == "市直辖行政区划":  # cities without counties (东莞市): their towns belong to the city
                county_code = code
                continue
            if 70 <= int(code[4:]) <= 79 or _DEV_ZONE.search(name):
                continue
            parent_city = city[0] if city[0] not in (province[0], "省直辖行政区划") else ""
            rows.append((code, "county", name, short, province[0], parent_city))
            county_code = code
        elif depth == 3 and county_code:
            name = parts[0]
            # only named townships: `工业基地`, `林场` rows are not places people name as a locale
            if len(name) >= 3 and re.search(r"(镇|乡|街道|苏木)$", name) and not _DEV_ZONE.search(name):
                towns.append((name, county_code))

    # jionlp keeps the full name as alias when it avoids a clash it knew of (广州 南沙区 vs 三沙 南沙); derive
    # the short name (南沙) when no other division uses it, and let ambiguity resolution handle the rest.
    used_shorts = {r[3] for r in rows}
    derived = []
    for code, level, name, short, prov, cty in rows:
        if short == name and len(name) >= 3 and name[-1] in "区县市旗" and level == "county":
            candidate = name[:-1]
            if candidate not in {r[2] for r in rows} and (candidate not in used_shorts or candidate + "区" == name):
                short = candidate
        derived.append((code, level, name, short, prov, cty))
    rows = derived

    def weak(level, name, short):
        if level == "province":
            return ""
        flags = []
        if _is_ordinary_word(name, words) or (len(name) == 2 and name[0] in "和与及同在对从向"):
            flags.append("name")
        # city short names (大连, 合肥) are overwhelmingly places whatever jieba's tag: curated list only
        if short != name and len(short) <= 2 and (
            short in _ORDINARY_PLACE_WORDS if level == "city" else _is_ordinary_word(short, words)
        ):
            flags.append("short")
        if len(short) < 2:
            flags.append("short")
        return ",".join(flags)

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "divisions.tsv", "w", encoding="utf-8") as handle:
        handle.write("code\tlevel\tname\tshort\tprovince\tcity\tweak\n")
        for code, level, name, short, prov, cty in sorted(rows):
            handle.write(f"{code}\t{level}\t{name}\t{short}\t{prov}\t{cty}\t{weak(level, name, short)}\n")

    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write("town\tcounty_code\n".encode())
        for name, code in sorted(set(towns)):
            handle.write(f"{name}\t{code}\n".encode())
    (OUT / "towns.tsv.gz").write_bytes(buffer.getvalue())

    current = {(r[1], r[2]) for r in rows}
    by_name = {}
    for code, _level, name, _short, prov, cty in rows:
        by_name.setdefault((prov, cty or prov, name), code)
    with open(OUT / "changes.tsv", "w", encoding="utf-8") as handle:
        handle.write("date\told_name\told_short\tlevel\tnew_code\n")
        for line in changes.splitlines():
            if "=>" not in line:
                continue
            old, new = line.split("=>")
            old, new = old.split("\t"), new.split("\t")
            if len(old) == 8:
                level, old_name, old_short = "county", old[6], old[7]
                key = (new[0], new[1], new[2])
            elif len(old) == 6:
                level, old_name, old_short = "city", old[4], old[5]
                key = (new[0], new[1], new[1])
            else:
                continue
            if (level, old_name) in current or "地区" in old_name and level == "city":
                continue  # still a current name (renamed elsewhere) or a prefecture region: not useful
            code = by_name.get(key) or by_name.get((new[0], new[0], new[-1]))
            if code:
                handle.write(f"{old[0]}\t{old_name}\t{old_short}\t{level}\t{code}\n")

    names = {r[2] for r in rows} | {r[3] for r in rows if len(r[3]) >= 2}
    blockers = set()
    for word, (frequency, tag) in words.items():
        if len(word) < 3 or tag in ("ns", "nt") or frequency < 3:
            continue
        for size in range(2, len(word)):
            if any(word[i:i + size] in names for i in range(len(word) - size + 1)):
                # a word that starts with a place and goes on with an admin word is about the place
                if not re.search(r"(省|市|县|区|州|镇|乡|委|人|籍|话|方言)$", word):
                    blockers.add(word)
                break
    with open(OUT / "blockers.txt", "w", encoding="utf-8") as handle:
        handle.write("\n".join(sorted(blockers)) + "\n")
    print(f"{len(rows)} divisions, {len(towns)} towns, {len(blockers)} blockers -> {OUT}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="path to a downloaded jionlp wheel")
    extract(parser.parse_args().wheel)
