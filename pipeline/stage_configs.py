"""One frozen config dataclass per stage. ``pipeline.config.BuildConfig`` composes them.

Every non-obvious default carries its reason. Each class validates itself in ``__post_init__`` so a bad
value fails before any work starts.
"""

from __future__ import annotations

from dataclasses import dataclass


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class IngestConfig:
    """Which files are read and the limits that send an input to quarantine instead."""

    text_suffixes: tuple[str, ...] = (".txt",)
    html_suffixes: tuple[str, ...] = (".html", ".htm")
    jsonl_suffixes: tuple[str, ...] = (".jsonl",)
    # 64 MiB: far above any real page (the largest seed is 28 KB) but keeps one bad file from eating memory.
    max_file_bytes: int = 64 * 1024 * 1024
    # A JSONL file may be large; each record is still one document and is held to the per-document limit.
    max_jsonl_file_bytes: int = 64 * 1024 * 1024 * 1024
    # 1 M characters: a 10 MB single line is a scrape gone wrong, not a paragraph.
    max_line_chars: int = 1_000_000
    # Documents shorter than this after decoding carry no text worth keeping (an empty or whitespace file).
    min_chars: int = 1
    # A file symlink whose target lies outside the input folder is skipped (ingest.outside_input): a
    # scraped folder must not be able to publish /etc/passwd. True reads such targets, for folders of links.
    follow_symlinks_outside: bool = False

    def __post_init__(self):
        for suffix in (*self.text_suffixes, *self.html_suffixes, *self.jsonl_suffixes):
            _require(suffix.startswith(".") and len(suffix) > 1,
                     f"suffix {suffix!r} must start with a dot (\".txt\"), or it matches no file")
        _require(self.max_file_bytes > 0, "max_file_bytes must be positive")
        _require(self.max_line_chars > 0, "max_line_chars must be positive")
        _require(self.min_chars >= 1, "min_chars must be at least 1")


@dataclass(frozen=True)
class ScriptConfig:
    """Script normalisation (Traditional → mainland Simplified, punctuation)."""

    enabled: bool = True
    # Share of Traditional-only among informative characters: machine-converted pages keep 1–3 % Simplified
    # leftovers (并, 范文, 愿 in seed 001) and must still count as Traditional (NOTES.md: labels all seeds).
    traditional_share: float = 0.97
    # Mirror of the above: a Simplified page quoting a Traditional name or two stays Simplified.
    simplified_share: float = 0.03
    # Below 10 informative characters one stray character swings the share: call it undetermined.
    min_informative_chars: int = 10
    # Reverse machine-converted Taiwan phrasing (釋出 → 发布) in documents detected as converted.
    tw_phrase_reversal: bool = True
    # Distinct mainland markers (黨委, 縣委, 創先爭優 …) needed; 2 keeps Taiwan news quoting 中共 out.
    tw_min_mainland_markers: int = 2
    # Distinct Taiwan forms from the curated list needed; seed 003 has 4 (釋出, 排程, 物件, 聯絡點).
    tw_min_phrase_markers: int = 1

    def __post_init__(self):
        _require(0.5 < self.traditional_share <= 1.0, "traditional_share must be in (0.5, 1]")
        _require(0.0 <= self.simplified_share < 0.5, "simplified_share must be in [0, 0.5)")
        _require(self.min_informative_chars >= 1, "min_informative_chars must be at least 1")
        _require(self.tw_min_mainland_markers >= 0, "tw_min_mainland_markers must be >= 0")
        _require(self.tw_min_phrase_markers >= 1, "tw_min_phrase_markers must be at least 1")


@dataclass(frozen=True)
class ArtifactsConfig:
    """Scraping-artifact removal."""

    enabled: bool = True
    # Page header/credit lines seen are <= 75 chars (devset 014); a longer line is prose, never a header.
    header_max_chars: int = 80
    # Nav tokens, photo labels and short headings are <= 24 chars; longer lines are treated as text.
    short_line_max_chars: int = 24
    # A line must hold this many characters of prose before a missing full stop counts as a page break.
    join_min_chars: int = 15
    # A title is repeated within the first ~20 lines (seed 002: line 6); later repeats are left alone.
    repeated_title_window: int = 20
    # Lines shorter than this (after removing spaces/punctuation) are too generic to count across documents.
    cross_doc_min_line_chars: int = 8
    # A line must repeat in at least this many documents of one source before it counts as a footer.
    cross_doc_min_documents: int = 5
    # ... and in at least this share of that source's documents (a quoted slogan is rarer than a footer).
    cross_doc_min_share: float = 0.05
    # Cross-document repetition needs a pre-pass over the input (decode + script, ~5 % of a build).
    cross_doc_enabled: bool = True
    # Folder of trained models (one sub-folder per component, pipeline/models); "" = the weights shipped in the
    # package. The evaluation points it at models trained without the sites it scores.
    model_dir: str = ""
    # A kept line goes when the line-role model's debris probability reaches this; on site-held-out folds 0.9
    # lost no must_keep fragment (0.7: 2 lost, 0.5: 10) and took debris removed from 0.865 to 0.907.
    model_min_score: float = 0.9
    # The model never drops a longer line: every debris line the dev-set rules leave is <= 150 chars; a longer
    # line holds text, and debris inside it is a span (the rules' job).
    model_max_line_chars: int = 150
    # The model acts on pages of at least this many non-blank lines: its features are positions on a page, and
    # a snippet of a few lines (a quotation, a test case, one paragraph) has no page around it.
    model_min_lines: int = 5

    def __post_init__(self):
        _require(self.header_max_chars > 0, "header_max_chars must be positive")
        _require(self.short_line_max_chars > 0, "short_line_max_chars must be positive")
        _require(self.join_min_chars >= 1, "join_min_chars must be at least 1")
        _require(self.repeated_title_window >= 0, "repeated_title_window must be >= 0")
        _require(self.cross_doc_min_line_chars >= 1, "cross_doc_min_line_chars must be at least 1")
        _require(self.cross_doc_min_documents >= 2, "cross_doc_min_documents must be at least 2")
        _require(0.0 < self.cross_doc_min_share <= 1.0, "cross_doc_min_share must be in (0, 1]")
        _require(0.0 <= self.model_min_score <= 1.0, "model_min_score must be in [0, 1]")
        _require(self.model_max_line_chars >= 1, "model_max_line_chars must be at least 1")
        _require(self.model_min_lines >= 1, "model_min_lines must be at least 1")


@dataclass(frozen=True)
class MetadataConfig:
    """Metadata extraction."""

    enabled: bool = True
    # Titles, subtitles and bylines sit in the first few non-blank lines; 8 covers title/subtitle/byline plus
    # a few leftover page lines (devset 015 has its byline on line 4).
    heading_zone_lines: int = 8
    # A breadcrumb or page-info line is short (`当前位置: > 阅览室 >`); a longer line with a `|` or 发布 in it
    # is running text (devset 031: a flattened paragraph), where the heading search stops instead.
    chrome_line_chars: int = 50
    # A heading with no punctuation at all may be a long forum/news thread title (devset 025, 70 chars).
    long_title_chars: int = 100
    # Reporter tags are at the start (本网讯(记者 …)) or in closing credits (全媒体记者:王勃): lines searched.
    reporter_zone_lines: int = 3
    # A stated page time is on a short header line; longer lines are running text that may quote dates.
    page_time_line_chars: int = 80
    # Region evidence weights: the byline's organisation names the author's own locale most reliably, the
    # title next; one body mention counts 1.
    byline_weight: float = 4.0
    title_weight: float = 3.0
    body_weight: float = 1.0
    # A region level is filled only if its winner holds half the weight of that level (five counties in
    # five provinces, devset 005, give none) ...
    region_min_share: float = 0.5
    # ... and weighs 2 (two body mentions, or one title/byline mention) unless 我省/我市/我县 confirms it.
    region_min_weight: float = 2.0
    # A place named in one body paragraph only, with no heading/byline/dateline support, is an example the text
    # cites (devset 014 资中县); judged only when the body has this many paragraphs (a one-line record has none).
    example_min_paragraphs: int = 3
    # Folder of trained models, as in ArtifactsConfig ("" = shipped weights).
    model_dir: str = ""
    # The title ranker's best candidate becomes the title only at this probability; below it the page has no
    # title. Higher = fewer titles found, and no fewer invented since the vetoes (site-held-out folds of the tuning
    # pages, session 6: 0.4 → 0.875 right / 0.870 of title-less pages kept so, 0.5 → 0.865 / 0.870,
    # 0.6 → 0.844 / 0.870).
    title_min_score: float = 0.4
    # ... except the rules' own title when the ranker ranks it first: two independent signals agree, so a low
    # score is enough. A short document (a heading and one paragraph) gives the ranker little page to judge
    # (~0.07 on such a heading); on site-held-out folds 0.05 and 0.2 give the same titles (0.750 right).
    title_rules_min_score: float = 0.05
    # The author/speaker scorer (pipeline/models/authors.py) names a person at this probability or above: 0.45
    # kept invented persons to 1 of 70 pages naming none on site-held-out folds (0.35: 3 of 70, 0.55: fewer found).
    author_min_score: float = 0.45

    def __post_init__(self):
        _require(self.heading_zone_lines >= 1, "heading_zone_lines must be at least 1")
        _require(0.0 <= self.title_min_score <= 1.0, "title_min_score must be in [0, 1]")
        _require(0.0 <= self.title_rules_min_score <= 1.0, "title_rules_min_score must be in [0, 1]")
        _require(0.0 < self.region_min_share <= 1.0, "region_min_share must be in (0, 1]")
        _require(self.region_min_weight > 0, "region_min_weight must be positive")
        _require(0.0 <= self.author_min_score <= 1.0, "author_min_score must be in [0, 1]")


@dataclass(frozen=True)
class DedupConfig:
    """Duplicate handling."""

    # Identical input files (same bytes) would get the same stable id: keep the first by path, count the rest.
    drop_identical_files: bool = True
    # Cross-shard duplicate detection (pipeline/corpus/dedup.py); off = no document is left out as a duplicate.
    enabled: bool = True
    # Near duplicates (MinHash LSH) as well as exact ones; off = only copies with the same normalised text.
    near_duplicates: bool = True
    # Character n-grams (no word segmentation for Chinese, NOTES.md); 5 keeps shared stock phrases
    # (习近平新时代中国特色社会主义) from making unrelated speeches look alike.
    ngram: int = 5
    # Signature length (a power of two, one-permutation MinHash): the Jaccard estimate's standard error is
    # ~0.04 at 128; 256 halves the variance for twice the storage (0.5 KB per document at 128).
    num_perm: int = 128
    # Estimated Jaccard of 5-gram sets at or above which two documents are near duplicates. A copy with 10 %
    # of its characters edited at random keeps ~0.9**5 = 59 % of its 5-grams (Jaccard 0.43–0.46 measured);
    # unrelated synthetic documents, which share sentences and 范文 templates/footers, reach at most 0.155
    # (p99.9 0.12, 12k pairs); unrelated real speeches (12 seed/dev-set bodies, 66 pairs) reach 0.016.
    threshold: float = 0.3
    # LSH layout, bands x rows <= num_perm, = dedup.band_layout(threshold, num_perm) (misses weighted 4x):
    # S-curve 1 - (1 - s**rows)**bands makes a pair a candidate with p = 0.68 at s = 0.3, 0.94 at 0.4,
    # 0.97 at 0.43 (10 % edits), 0.996 at 0.5; and 0.04 at 0.1, 0.005 at 0.05 (false candidates only cost
    # one signature comparison each).
    bands: int = 42
    rows: int = 3
    # Fixed hash seed: signatures must be identical across shards, machines and rebuilds.
    seed: int = 1
    # An LSH bucket with more members than this is chained instead of paired all-with-all (k**2/2 pairs).
    max_bucket_pairs_group: int = 64

    def __post_init__(self):
        _require(self.ngram >= 1, "ngram must be at least 1")
        _require(self.num_perm >= 2 and self.num_perm & (self.num_perm - 1) == 0,
                 "num_perm must be a power of two (one-permutation MinHash bins)")
        _require(0.0 < self.threshold <= 1.0, "threshold must be in (0, 1]")
        _require(self.bands >= 1 and self.rows >= 1, "bands and rows must be at least 1")
        _require(self.bands * self.rows <= self.num_perm, "bands * rows must not exceed num_perm")
        _require(self.max_bucket_pairs_group >= 2, "max_bucket_pairs_group must be at least 2")


@dataclass(frozen=True)
class ValidationConfig:
    """Batch validation (Great Expectations)."""

    enabled: bool = True
    # Shorter than this, a "document" is a scrap (a caption, a nav row), not a speech or report.
    min_text_chars: int = 20
    # Han share of non-space characters: prose of this genre is ~0.8 (digits, punctuation, acronyms are the
    # rest); below 0.3 a row is mostly markup, numbers or another language, not a Chinese document.
    min_cjk_share: float = 0.3
    # Fewer than half the previous build's rows means a source or a rule silently dropped most documents.
    min_row_ratio: float = 0.5
    # More than 10x the previous build's rows means a split went wrong (every paragraph became a document).
    max_row_ratio: float = 10.0
    # t2s is not idempotent for one chain only, 薴→苧→苎 (exhaustive scan of all CJK code points, NOTES.md):
    # either character can be legitimate output of the script stage, so neither counts as residue.
    traditional_exceptions: tuple[str, ...] = ("薴", "苧")
    # Debris the artifacts stage must have removed (Python regexes, searched in text; (?m) for line starts).
    debris_patterns: tuple[str, ...] = (
        "本站小编为你精心准备了",  # 范文-site template opening (seed 001)
        "来源于网友上传",  # 导语 disclaimer: "…来源于网友上传，不代表本站观点…" (seed 002)
        "不代表本站观点",  # same disclaimer, second half
        "若需要原创文章可咨询客服老师",  # 范文-site sales footer
        "欢迎深入阅读并收藏",  # 范文-site template closing
        r"(?m)^\s*(时间|栏目|人气)[:：]",  # page header lines: "时间:2022-11-24 08:47:00", "人气:2.64W" (002, 003)
    )
    # original_script labels the script stage writes (pipeline/schema.py); null is allowed (not detected).
    original_script_values: tuple[str, ...] = ("simplified", "traditional", "mixed")

    def __post_init__(self):
        _require(self.min_text_chars >= 1, "min_text_chars must be at least 1")
        _require(0.0 <= self.min_cjk_share <= 1.0, "min_cjk_share must be between 0 and 1")
        _require(0.0 <= self.min_row_ratio <= 1.0, "min_row_ratio must be between 0 and 1")
        _require(1.0 <= self.max_row_ratio < float("inf"), "max_row_ratio must be at least 1 and finite")
        _require(all(len(c) == 1 for c in self.traditional_exceptions), "traditional_exceptions are single characters")
        _require(len(self.original_script_values) > 0, "original_script_values must not be empty")
        import re  # local: only this class needs it

        for pattern in self.debris_patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"debris_patterns: invalid regex {pattern!r}: {error}") from error


@dataclass(frozen=True)
class OutputConfig:
    """How datasets are written."""

    # zstd level 3: 80 MB for 100k documents in 1.2 s; level 9 saves 11 % for 3x the time (NOTES.md).
    compression_level: int = 3
    # Fixed row-group size so files are byte-identical whatever the batch sizes were.
    row_group_rows: int = 10_000
    # Input bytes per shard: one Prefect task per shard; ~32 MB keeps per-task overhead negligible.
    shard_target_bytes: int = 32 * 1024 * 1024

    def __post_init__(self):
        _require(1 <= self.compression_level <= 22, "compression_level must be 1..22")
        _require(self.row_group_rows > 0, "row_group_rows must be positive")
        _require(self.shard_target_bytes > 0, "shard_target_bytes must be positive")


@dataclass(frozen=True)
class QualityConfig:
    """Per-document quality signals (pipeline/stages/quality.py): always measured, filtered only where a threshold
    is set. Every threshold defaults to None (no filter): users filter on the columns; a build that sets one
    sends the documents outside it to quarantine with reason ``quality.<signal>``."""

    # Compute the signal columns. Off = the columns are written as null.
    enabled: bool = True
    # Length of the character n-grams counted by repeated_ngram_ratio: 10 characters is a phrase in Chinese,
    # long enough that stock expressions (新时代中国特色社会主义 is 11) rarely repeat by chance in one text.
    repeated_ngram_chars: int = 10
    # No min_cjk_share here: the Han share has one threshold, ValidationConfig.min_cjk_share (the gate).
    max_punctuation_share: float | None = None
    min_mean_line_length: float | None = None
    min_mean_paragraph_length: float | None = None
    max_repeated_line_ratio: float | None = None
    max_repeated_ngram_ratio: float | None = None
    max_removed_share: float | None = None

    def __post_init__(self):
        _require(self.repeated_ngram_chars >= 2, "repeated_ngram_chars must be at least 2")
        for name in ("max_punctuation_share", "max_repeated_line_ratio",
                     "max_repeated_ngram_ratio", "max_removed_share"):
            value = getattr(self, name)
            _require(value is None or 0.0 <= value <= 1.0, f"{name} must be None or between 0 and 1")
        for name in ("min_mean_line_length", "min_mean_paragraph_length"):
            value = getattr(self, name)
            _require(value is None or value >= 0, f"{name} must be None or >= 0")


@dataclass(frozen=True)
class PiiConfig:
    """PII redaction (pipeline/stages/pii.py): each type can be switched off on its own."""

    enabled: bool = True
    # Mainland mobile numbers 1[3-9]x xxxx xxxx, with +86/86 and 3-4-4 spacing: personal contact data.
    phones: bool = True
    # Landlines with area code (0571-87654321): office numbers of public bodies are printed in notices,
    # but a release should not carry any reachable number; off keeps them.
    landlines: bool = True
    # 18-digit resident ID numbers with a valid GB 11643 check digit and a plausible birth date.
    id_cards: bool = True
    emails: bool = True
    # QQ numbers only after QQ/qq/扣扣: a bare 5–11 digit number is far more often an amount or a count.
    qq_numbers: bool = True
    # 16–19 digit numbers passing the Luhn check (and not an ID number).
    bank_cards: bool = True
