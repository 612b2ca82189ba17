"""The annotated dev set: where it is, its gold records, and the site-grouped splits every score is reported on.

The dev set is third-party text and lives outside this repository (``../shared/devset`` beside the clone, or
``$CORPUS_DEVSET``); nothing here copies a sentence of it. Its README defines the gold fields.

Honest numbers need splits by *site*, not by page: two pages of one site share chrome, so a model trained on
one and scored on the other learns the site, not the task. ``site_of`` names a page's site (the registrable
host of its ``source``), ``report_only`` fixes ~20 % of the sites as pages that are scored, never tuned on, and
``folds`` deals the remaining sites into k folds of similar page counts. Every split is a pure function of the
gold records (hashes of site names), so it is the same on every machine and in every run.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

# Second-level labels under a country code that act as public suffixes: scnews.zjol.com.cn belongs to
# zjol.com.cn, cgj.yueyang.gov.cn to yueyang.gov.cn, kingtop.com.tw to kingtop.com.tw.
_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "ac", "idv", "mil"})
# Share of sites (by hash) set aside for reporting only: ~30 of ~150 pages.
REPORT_ONLY_PERCENT = 20
DEFAULT_FOLDS = 5


@dataclass(frozen=True)
class Page:
    """One gold record: the file under ``raw/`` and its annotations."""

    file: str
    site: str
    gold: dict


def default_devset_dir() -> Path | None:
    """The dev set folder: ``$CORPUS_DEVSET`` if set, else ``../shared/devset`` beside the working folder or the clone.

    None when none of them holds a ``gold.jsonl`` (tests then skip with that reason).
    """
    if "CORPUS_DEVSET" in os.environ:  # set, even to a missing folder, it is the only place looked at
        candidates = [Path(os.environ["CORPUS_DEVSET"])]
    else:
        clone = Path(__file__).resolve().parents[2]  # <clone>/pipeline/evaluation/devset.py
        candidates = [Path.cwd().parent / "shared" / "devset", clone.parent / "shared" / "devset"]
    for candidate in candidates:
        if (candidate / "gold.jsonl").is_file():
            return candidate
    return None


def site_of(source: str, file: str) -> str:
    """The site a page belongs to: its registrable host, the repository for GitHub fixtures, the file otherwise.

    >>> site_of("http://scnews.zjol.com.cn/scnews/system/2020/05/27/032522458.shtml", "001.txt")
    'zjol.com.cn'
    >>> site_of("http://m.7rdy.cn/news/55499.html", "002.txt"), site_of("https://www.yancheng.gov.cn/a.html", "x")
    ('7rdy.cn', 'yancheng.gov.cn')
    >>> site_of("github:Owner/Repo@3d5a67c:tests/other/1.html", "037.html")
    'github:owner/repo'
    >>> site_of("web archive (no URL returned; ...)", "010.txt")
    'unknown:010.txt'
    """
    if source.startswith("github:"):
        return source.split("@", 1)[0].lower()
    host = (urlparse(source).hostname or "").rstrip(".").lower() if "://" in source else ""
    if not host:
        return f"unknown:{file}"
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def read_pages(devset_dir: Path) -> list[Page]:
    """Every gold record but the ``.gbk.txt`` twins (the same documents as their UTF-8 copies)."""
    pages = []
    for line in (Path(devset_dir) / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        gold = json.loads(line)
        if ".gbk." in gold["file"]:
            continue
        pages.append(Page(gold["file"], site_of(gold.get("source") or "", gold["file"]), gold))
    return pages


def _site_hash(site: str) -> int:
    return int.from_bytes(hashlib.sha256(site.encode("utf-8")).digest()[:8], "big")


def is_report_only(page: Page) -> bool:
    """True for pages of the fixed report-only sites: scored, never tuned or trained on.

    >>> is_report_only(Page("a.txt", "zjol.com.cn", {})) in (True, False)
    True
    """
    return _site_hash(page.site) % 100 < REPORT_ONLY_PERCENT


def tuning_pages(pages: list[Page]) -> list[Page]:
    """The pages anything may be tuned or trained on (all but the report-only split)."""
    return [page for page in pages if not is_report_only(page)]


def report_pages(pages: list[Page]) -> list[Page]:
    return [page for page in pages if is_report_only(page)]


def folds(pages: list[Page], k: int = DEFAULT_FOLDS) -> list[list[Page]]:
    """``pages`` dealt into ``k`` folds by site: no site in two folds, page counts as even as the sites allow.

    Sites go largest first (ties by hash) to the fold with the fewest pages so far (ties by fold number).

    >>> pages = [Page(f"{i}.txt", f"site{i % 7}", {}) for i in range(20)]
    >>> parts = folds(pages, 3)
    >>> sorted(len(p) for p in parts), sum(len(p) for p in parts)
    ([6, 6, 8], 20)
    >>> all(len({q.site for q in a} & {q.site for q in b}) == 0 for a in parts for b in parts if a is not b)
    True
    """
    by_site: dict[str, list[Page]] = {}
    for page in pages:
        by_site.setdefault(page.site, []).append(page)
    order = sorted(by_site, key=lambda site: (-len(by_site[site]), _site_hash(site), site))
    parts: list[list[Page]] = [[] for _ in range(k)]
    for site in order:
        target = min(range(k), key=lambda i: (len(parts[i]), i))
        parts[target].extend(by_site[site])
    return [sorted(part, key=lambda page: page.file) for part in parts]


def read_page(devset_dir: Path, file: str, config):
    """The documents and rejections the product's reader makes of ``raw/<file>`` (HTML by suffix, as a build does)."""
    from pipeline.readers import Unit, read_unit  # noqa: PLC0415 - keep this module light

    raw_dir = Path(devset_dir) / "raw"
    path = raw_dir / file
    kind = "html" if path.suffix.lower() in config.ingest.html_suffixes else "text"
    size = path.stat().st_size
    yield from read_unit(raw_dir, Unit(file, kind, size, 0, size), config, None)
