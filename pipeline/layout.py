"""Where each dataset of a build folder lives: one format per folder, named once.

Every reader and writer of a build (the build itself, deduplication, validation, ``corpus sql``, inspect, the
report, releases) asks ``BuildFolders`` for a path instead of spelling folder names, so a change of layout
(e.g. ``<out>/documents`` reached through a link into a per-build folder) is made here only.

One format per folder, so standard loaders can take a folder as a dataset: ``pd.read_parquet(<out>/documents)``,
``pyarrow.dataset.dataset(…)``, ``pl.read_parquet(…)`` and ``datasets.load_dataset("parquet", data_dir=…)``
refuse a folder that also holds the JSONL twins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DOCUMENTS = "documents"  # one row per document, Parquet only
DOCUMENTS_JSONL = "documents-jsonl"  # the same rows in the same order, JSONL, one file per documents part
QUARANTINE = "quarantine"  # JSONL
REMOVALS = "removals"  # Parquet
DUPLICATES = "duplicates"  # Parquet
SIGNATURES = "signatures"  # Parquet
CHECKS = "checks"  # Parquet
VALIDATION = "validation"  # GX results (JSON) and Data Docs (HTML): a report, not a dataset
MANIFEST = "manifest.json"
REPORT = "report.html"

# Every entry a build publishes, in the order they are swapped into place.
PUBLISHED_ENTRIES = (DOCUMENTS, DOCUMENTS_JSONL, QUARANTINE, REMOVALS, DUPLICATES, SIGNATURES, CHECKS, VALIDATION,
                     MANIFEST, REPORT)


@dataclass(frozen=True)
class BuildFolders:
    """The sub-folders and files of one build folder (published output, or its staging folder).

    >>> folders = BuildFolders(Path("out"))
    >>> folders.documents.as_posix(), folders.jsonl_twin(folders.documents / "part-00003.parquet").as_posix()
    ('out/documents', 'out/documents-jsonl/part-00003.jsonl')
    """

    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root))

    @property
    def documents(self) -> Path:
        return self.root / DOCUMENTS

    @property
    def documents_jsonl(self) -> Path:
        return self.root / DOCUMENTS_JSONL

    @property
    def quarantine(self) -> Path:
        return self.root / QUARANTINE

    @property
    def removals(self) -> Path:
        return self.root / REMOVALS

    @property
    def duplicates(self) -> Path:
        return self.root / DUPLICATES

    @property
    def signatures(self) -> Path:
        return self.root / SIGNATURES

    @property
    def checks(self) -> Path:
        return self.root / CHECKS

    @property
    def validation(self) -> Path:
        return self.root / VALIDATION

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    @property
    def report(self) -> Path:
        return self.root / REPORT

    def document_parts(self) -> list[Path]:
        """The documents part files, in name order."""
        return sorted(self.documents.glob("*.parquet"))

    def parts(self, folder: str, suffix: str = ".parquet") -> list[Path]:
        """The part files of one dataset folder (``REMOVALS``, ``QUARANTINE`` …), in name order."""
        return sorted((self.root / folder).glob(f"*{suffix}"))

    def jsonl_twin(self, documents_part: Path) -> Path:
        """The JSONL file that holds the same rows as a documents Parquet part."""
        return self.documents_jsonl / f"{Path(documents_part).stem}.jsonl"
