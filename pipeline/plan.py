"""Planning a build: check the folders and config, find and hash every input, group inputs into shards.

A shard's key hashes everything that decides its output bytes (its inputs' content, the code, the config;
``pipeline.corpus.lines.with_common_lines`` adds the cross-document line set), so an unchanged shard is
reused from the shard cache. Planning reads the inputs only to hash them; it writes nothing but a one-time
migration of an old output layout (``publication.migrate_layout``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import io, publication
from pipeline.config import BuildConfig
from pipeline.readers import Unit

STAGING_NAME = ".staging"
CACHE_NAME = ".cache"  # line counts of the cross-document pre-pass and the shard cache, keyed by shard key


@dataclass(frozen=True)
class Shard:
    index: int
    units: tuple[Unit, ...]
    # Hash of everything that decides the shard's output bytes: its inputs' content, the code and the config.
    key: str = ""

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def to_dict(self) -> dict:
        return {"index": self.index, "key": self.key,
                "units": [dataclasses.asdict(u) for u in self.units]}

    @classmethod
    def from_dict(cls, data: dict) -> "Shard":
        return cls(index=data["index"], units=tuple(Unit(**u) for u in data["units"]), key=data.get("key", ""))


@dataclass(frozen=True)
class BuildPlan:
    input_dir: Path
    output_dir: Path
    shards: tuple[Shard, ...]
    input_hashes: dict  # relative path -> sha256
    skipped: tuple  # SkippedFile
    duplicate_files: tuple  # (relative path, duplicate of)
    previous_manifest: dict = field(default_factory=dict)  # the published build's manifest ({} if none)

    @property
    def staging_dir(self) -> Path:
        return self.output_dir / STAGING_NAME

    @property
    def previous_documents(self) -> int | None:
        """Document count of the published build, for the validation row-count band."""
        return self.previous_manifest.get("counts", {}).get("documents")

    def input_hashes_of(self, shard: Shard) -> dict:
        """The planned hashes of ``shard``'s input files (what its step needs, not the whole input's)."""
        return {u.relative_path: self.input_hashes[u.relative_path] for u in shard.units
                if u.relative_path in self.input_hashes}


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """SHA-256 over the library's source and data files: a change of code or rules changes it."""
    package_dir = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".tmp"}:
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(io.sha256_file(path).encode())
    return digest.hexdigest()


def shard_key(units: list, input_hashes: dict, config: BuildConfig) -> str:
    digest = hashlib.sha256()
    digest.update(code_hash().encode())
    digest.update(config.config_hash().encode())
    for unit in units:
        digest.update(f"{unit.relative_path}\0{input_hashes.get(unit.relative_path)}\0{unit.start}\0{unit.end}\n"
                      .encode())
    return digest.hexdigest()


def _previous_manifest(output_dir: Path) -> dict:
    manifest_path = output_dir / "manifest.json"
    if not manifest_path.is_file():
        return {}
    try:
        return io.read_json(manifest_path)
    except (OSError, ValueError):
        return {}  # an unreadable previous manifest only means nothing is reused


def _units(input_dir: Path, config: BuildConfig):
    """(units, input hashes, skipped files, identical copies) of the input folder."""
    ingest = config.ingest
    found, skipped = io.discover_files(input_dir, ingest.text_suffixes, ingest.html_suffixes, ingest.jsonl_suffixes,
                                       ingest.follow_symlinks_outside)
    hashes: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    duplicates: list[tuple[str, str]] = []
    units: list[Unit] = []
    for item in found:
        digest = io.sha256_file(input_dir / item.relative_path)
        hashes[item.relative_path] = digest
        if config.dedup.drop_identical_files and digest in first_by_hash and item.size > 0:
            duplicates.append((item.relative_path, first_by_hash[digest]))
            continue
        first_by_hash.setdefault(digest, item.relative_path)
        if item.kind == "jsonl" and item.size > config.output.shard_target_bytes:
            for start, end in io.jsonl_split_points(input_dir / item.relative_path, config.output.shard_target_bytes):
                units.append(Unit(item.relative_path, "jsonl", end - start, start, end))
        else:
            units.append(Unit(item.relative_path, item.kind, item.size, 0, item.size))
    return units, hashes, skipped, duplicates


def _groups(units: list[Unit], target_bytes: int) -> list[list[Unit]]:
    """``units`` in order, cut into groups of about ``target_bytes`` (one group, maybe empty, at least)."""
    groups: list[list[Unit]] = []
    current: list[Unit] = []
    current_bytes = 0
    for unit in units:
        if current and current_bytes + unit.size > target_bytes:
            groups.append(current)
            current, current_bytes = [], 0
        current.append(unit)
        current_bytes += unit.size
    if current or not groups:
        groups.append(current)
    return groups


def plan_build(input_dir: Path, output_dir: Path, config: BuildConfig) -> BuildPlan:
    """Check the folders, find and hash every input, group inputs into shards."""
    input_dir = Path(input_dir)
    output_dir = Path(output_dir)
    io.check_build_folders(input_dir, output_dir)
    publication.migrate_layout(output_dir)  # an output folder of the old layout becomes .builds/ + links, once
    units, hashes, skipped, duplicates = _units(input_dir, config)
    shards = []
    for index, group in enumerate(_groups(units, config.output.shard_target_bytes)):
        shards.append(Shard(index, tuple(group), shard_key(group, hashes, config)))
    return BuildPlan(input_dir, output_dir, tuple(shards), hashes, tuple(skipped), tuple(duplicates),
                     _previous_manifest(output_dir))
