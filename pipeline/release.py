"""Versioned corpus releases: Hugging Face layout, checksums, Croissant metadata, changelog, SemVer rules.

A release is made from a finished, validated build folder and is never overwritten. Data files depend only
on the build's rows (not on the version or the date), so releasing the same build twice gives
byte-identical data files. Versions follow SemVer: a schema change requires a new major version.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.schema import COLUMN_DESCRIPTIONS, DOCUMENT_SCHEMA, SCHEMA_VERSION

VERSION_PATTERN = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")  # "1.2.0" or "v1.2.0"
# 100k rows per data file: ~125 MB of Parquet for this genre, the size Hugging Face recommends per shard.
ROWS_PER_DATA_FILE = 100_000
RELEASE_COMPRESSION_LEVEL = 9  # releases are written once and read many times: 11 % smaller than level 3
LICENSE = "other"  # the texts belong to their sites; see the card's "Sources" section


class ReleaseError(PipelineError):
    """A release cannot be made or verified; the message says why and what to do."""


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> "Version":
        """
        >>> Version.parse("v1.2.3"), str(Version.parse("0.1.0"))
        (Version(major=1, minor=2, patch=3), 'v0.1.0')
        """
        match = VERSION_PATTERN.match(text.strip())
        if not match:
            raise ReleaseError(f"version {text!r} is not SemVer X.Y.Z")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


def schema_fingerprint(schema: pa.Schema) -> str:
    """Hash of column names, types and nullability: equal fingerprints mean the same schema."""
    text = ";".join(f"{f.name}:{f.type}:{f.nullable}" for f in schema)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def existing_versions(releases_dir: Path) -> list[Version]:
    versions = []
    if releases_dir.is_dir():
        for child in releases_dir.iterdir():
            if child.is_dir() and VERSION_PATTERN.match(child.name):
                versions.append(Version.parse(child.name))
    return sorted(versions)


def _sha256(path: Path) -> str:
    return io.sha256_file(path)


def _read_build(build_dir: Path) -> tuple[pa.Table, dict]:
    manifest_path = build_dir / "manifest.json"
    if not manifest_path.is_file():
        raise ReleaseError(f"{build_dir} holds no finished build (no manifest.json); run `corpus build` first")
    manifest = io.read_json(manifest_path)
    validation = manifest.get("validation")
    if isinstance(validation, dict) and validation.get("success") is False:
        raise ReleaseError(f"the build in {build_dir} failed validation; fix it before releasing")
    parts = sorted((build_dir / "documents").glob("*.parquet"))
    if not parts:
        raise ReleaseError(f"{build_dir}/documents holds no Parquet files")
    for part in parts:
        relative = part.relative_to(build_dir).as_posix()
        expected = manifest.get("outputs", {}).get(relative)
        if expected and _sha256(part) != expected:
            raise ReleaseError(f"{relative} does not match the build manifest; rebuild before releasing")
    table = pa.concat_tables([pq.read_table(part, schema=DOCUMENT_SCHEMA) for part in parts])
    return table, manifest


def _write_data_files(table: pa.Table, data_dir: Path) -> list[Path]:
    data_dir.mkdir(parents=True, exist_ok=True)
    total = max(1, -(-table.num_rows // ROWS_PER_DATA_FILE))
    written = []
    for index in range(total):
        chunk = table.slice(index * ROWS_PER_DATA_FILE, ROWS_PER_DATA_FILE)
        path = data_dir / f"train-{index:05d}-of-{total:05d}.parquet"
        pq.write_table(chunk, path, compression="zstd", compression_level=RELEASE_COMPRESSION_LEVEL,
                       row_group_size=10_000, store_schema=False)
        written.append(path)
    return written


def _write_jsonl_gz(table: pa.Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw:
        # mtime=0 and no file name in the header: the same rows give the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as handle:
            for row in table.to_pylist():
                handle.write((json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
    return path


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if rows < limit:
            return name
    return "10M<n<100M"


def _feature_dtype(field: pa.Field) -> str:
    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        return "string"
    return str(field.type)


def _dataset_card(version: Version, table: pa.Table, manifest: dict, data_files: list[Path]) -> str:
    features = "\n".join(f"    - name: {f.name}\n      dtype: {_feature_dtype(f)}" for f in DOCUMENT_SCHEMA)
    counts = manifest.get("counts", {})
    field_rows = "\n".join(f"| `{name}` | {_feature_dtype(DOCUMENT_SCHEMA.field(name))} | {desc} |"
                           for name, desc in COLUMN_DESCRIPTIONS.items())
    scripts = ", ".join(f"{k}: {v}" for k, v in counts.get("original_scripts", {}).items())
    quarantine = ", ".join(f"{k}: {v}" for k, v in counts.get("quarantined_by_reason", {}).items()) or "none"
    return f"""---
pretty_name: Chinese official speeches and work reports (cleaned web corpus)
language:
- zh
license: {LICENSE}
size_categories:
- {_size_category(table.num_rows)}
task_categories:
- text-generation
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
dataset_info:
  features:
{features}
  splits:
  - name: train
    num_examples: {table.num_rows}
---

# Chinese official speeches and work reports — release {version}

Speeches, work reports and essays by Chinese officials, scraped from government, newspaper and 范文 sites,
cleaned of site debris, converted to mainland Simplified with Chinese punctuation, with metadata (title,
author and position, region down to county level, dates) extracted and validated.

## Sources

Raw pages as listed in `manifest.json` (`inputs`, with SHA-256). The texts belong to their sites and
authors; this release is for research. Region data: administrative divisions from jionlp (Apache-2.0).

## Processing

Stages: {", ".join(manifest.get("stages", []))}. Schema version {SCHEMA_VERSION}; config hash
`{manifest.get("config_hash", "")[:16]}`; code `{manifest.get("code_version") or "unknown"}`.
Every removal is traced in the build's `removals/` dataset; rejected inputs are listed with reasons in its
`quarantine/`.

## Counts

| measure | value |
|---|---|
| documents | {table.num_rows} |
| inputs | {counts.get("inputs", "")} |
| quarantined | {counts.get("quarantined", "")} ({quarantine}) |
| duplicates | {counts.get("duplicates", "")} |
| original scripts | {scripts} |

## Fields

| field | type | meaning |
|---|---|---|
{field_rows}

## Known limitations

- Metadata is extracted by rules and a gazetteer; unknown values are null, but a rule can still be wrong.
- Masked text on the source pages (`20**年`, `XX`) is kept as printed.
- Script conversion follows OpenCC with a curated exception list; rare variant characters may differ.

## How to load

```python
from datasets import load_dataset
ds = load_dataset("path/to/{version}")          # offline, from this folder
import duckdb; duckdb.sql("select count(*) from 'path/to/{version}/data/*.parquet'")
import pandas as pd; pd.read_parquet("path/to/{version}/data")
import polars as pl; pl.read_parquet("path/to/{version}/data/*.parquet")
```

Files: {", ".join(p.name for p in data_files)}; `jsonl/train.jsonl.gz` holds the same rows as JSONL.
Checksums in `SHA256SUMS` (`corpus verify {version}`).
"""


def _croissant(version: Version, table: pa.Table, files: dict[str, str]) -> dict:
    """Croissant 1.0 metadata: the distribution (files with sha256) and the record set's fields."""
    type_map = {"string": "sc:Text", "int32": "sc:Integer", "int64": "sc:Integer"}
    return {
        "@context": {"@language": "zh", "@vocab": "https://schema.org/", "sc": "https://schema.org/",
                     "cr": "http://mlcommons.org/croissant/", "dct": "http://purl.org/dc/terms/"},
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "zh-speech-corpus",
        "version": str(version)[1:],
        "inLanguage": "zh",
        "distribution": [
            {"@type": "cr:FileObject", "@id": name, "name": name, "contentUrl": name, "sha256": digest,
             "encodingFormat": "application/x-parquet" if name.endswith(".parquet") else "application/jsonlines+gzip"}
            for name, digest in sorted(files.items())
        ],
        "recordSet": [{
            "@type": "cr:RecordSet",
            "name": "documents",
            "field": [
                {"@type": "cr:Field", "name": f.name, "description": COLUMN_DESCRIPTIONS.get(f.name, ""),
                 "dataType": type_map.get(_feature_dtype(f), "sc:Text"),
                 "source": {"fileSet": {"@id": "parquet-files"}, "extract": {"column": f.name}}}
                for f in DOCUMENT_SCHEMA
            ],
        }],
        "numberOfRecords": table.num_rows,
    }


def _row_fingerprints(table: pa.Table) -> dict[str, str]:
    """id → hash of the row's content, to tell changed documents from unchanged ones."""
    rows = table.to_pylist()
    return {row["id"]: hashlib.sha256(json.dumps(row, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
            for row in rows}


def _changelog_entry(version: Version, previous: Version | None, table: pa.Table, previous_dir: Path | None,
                     previous_schema: str | None) -> str:
    lines = [f"## {version}", ""]
    if previous is None or previous_dir is None:
        lines += [f"First release: {table.num_rows} documents.", ""]
        return "\n".join(lines)
    old = pa.concat_tables([pq.read_table(p) for p in sorted((previous_dir / "data").glob("*.parquet"))])
    new_rows, old_rows = _row_fingerprints(table), _row_fingerprints(old)
    added = sorted(set(new_rows) - set(old_rows))
    removed = sorted(set(old_rows) - set(new_rows))
    changed = sorted(i for i in set(new_rows) & set(old_rows) if new_rows[i] != old_rows[i])
    lines.append(f"Compared with {previous}: {len(added)} added, {len(removed)} removed, {len(changed)} changed.")
    lines.append("")
    if previous_schema != schema_fingerprint(DOCUMENT_SCHEMA):
        lines += ["Schema changed (see the dataset card's field table).", ""]
    for title, ids in (("Added", added), ("Removed", removed), ("Changed", changed)):
        if ids:
            lines.append(f"### {title}")
            lines += [f"- `{doc_id}`" for doc_id in ids]
            lines.append("")
    return "\n".join(lines)


def make_release(build_dir: Path, releases_dir: Path, version_text: str) -> Path:
    """Publish the build in ``build_dir`` as ``releases_dir/vX.Y.Z``; returns the release folder."""
    version = Version.parse(version_text)
    releases_dir = Path(releases_dir)
    target = releases_dir / str(version)
    if target.exists():
        raise ReleaseError(f"release {version} already exists in {releases_dir}; releases are never overwritten")
    table, manifest = _read_build(Path(build_dir))
    earlier = [v for v in existing_versions(releases_dir) if v < version]
    later = [v for v in existing_versions(releases_dir) if v > version]
    if later:
        raise ReleaseError(f"{version} is older than the existing release {later[-1]}; choose a newer version")
    previous = earlier[-1] if earlier else None
    previous_dir = releases_dir / str(previous) if previous else None
    previous_schema = None
    if previous_dir is not None:
        previous_schema = io.read_json(previous_dir / "manifest.json").get("schema_fingerprint")
        if previous_schema != schema_fingerprint(DOCUMENT_SCHEMA) and version.major == previous.major:
            raise ReleaseError(f"the schema changed since {previous}: a new major version is required "
                               f"(v{previous.major + 1}.0.0)")
    releases_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=releases_dir))
    try:
        data_files = _write_data_files(table, staging / "data")
        _write_jsonl_gz(table, staging / "jsonl" / "train.jsonl.gz")
        file_hashes = {p.relative_to(staging).as_posix(): _sha256(p) for p in io.list_files(staging)}
        (staging / "README.md").write_text(_dataset_card(version, table, manifest, data_files), encoding="utf-8")
        io.write_json(staging / "croissant.json", _croissant(version, table, file_hashes))
        changelog = _changelog_entry(version, previous, table, previous_dir, previous_schema)
        history = ""
        if previous_dir is not None and (previous_dir / "CHANGELOG.md").is_file():
            history = (previous_dir / "CHANGELOG.md").read_text(encoding="utf-8").split("\n", 2)[-1]
        (staging / "CHANGELOG.md").write_text(f"# Changelog\n\n{changelog}\n{history}", encoding="utf-8")
        release_manifest = {
            "version": str(version),
            "schema_version": SCHEMA_VERSION,
            "schema_fingerprint": schema_fingerprint(DOCUMENT_SCHEMA),
            "rows": table.num_rows,
            "build": {key: manifest.get(key) for key in ("config_hash", "code_version", "code_hash", "packages",
                                                         "counts", "pipeline_version")},
            "inputs": manifest.get("inputs", {}),
            "outputs": file_hashes,
            "previous": str(previous) if previous else None,
        }
        io.write_json(staging / "manifest.json", release_manifest)
        sums = {p.relative_to(staging).as_posix(): _sha256(p) for p in io.list_files(staging)}
        (staging / "SHA256SUMS").write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items())),
                                            encoding="utf-8")
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(staging, 0o777 & ~mask)  # mkdtemp made it drwx------; a release is for others to read
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


SUMS_LINE = re.compile(r"([0-9a-f]{64})  (.+)")  # "<sha256>  <relative path>", as sha256sum writes it


def release_path(release_dir: Path, name: str) -> Path | None:
    """``release_dir / name`` when ``name`` is a plain relative path that stays inside the release (no
    absolute path, no ``..``, no backslash, no symlink leading out); else None, and the file is never read.

    >>> release_path(Path("r"), "data/train.parquet"), release_path(Path("r"), "/etc/hostname")
    (PosixPath('r/data/train.parquet'), None)
    >>> release_path(Path("r"), "../other/manifest.json") is None
    True
    """
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in parts):
        return None
    path = Path(release_dir) / name
    if path.exists() and (path.is_symlink() or not io.is_inside(path, release_dir)):
        return None
    return path


def verify_release(release_dir: Path) -> list[str]:
    """Re-hash every file against ``SHA256SUMS`` and cross-check the sums against the release manifest's
    ``outputs``; returns the problems (empty when the release is intact).

    Only relative paths inside the release are read: a line naming ``/etc/shadow`` or ``../x`` is a problem,
    not a file to open. Data edited together with a rewritten ``SHA256SUMS`` no longer agrees with the
    hashes ``manifest.json`` recorded for the data files, and is reported.
    """
    release_dir = Path(release_dir)
    sums_path = release_dir / "SHA256SUMS"
    if not sums_path.is_file():
        raise ReleaseError(f"{release_dir} has no SHA256SUMS; is it a release folder?")
    problems = []
    sums: dict[str, str] = {}
    for number, line in enumerate(sums_path.read_text(encoding="utf-8").splitlines(), start=1):
        match = SUMS_LINE.fullmatch(line)
        if not match:
            problems.append(f"SHA256SUMS line {number} is not '<sha256>  <path>': {line[:80]!r}")
            continue
        digest, name = match.groups()
        path = release_path(release_dir, name)
        if path is None:
            problems.append(f"SHA256SUMS line {number} names a path outside the release: {name!r} (not read)")
            continue
        sums[name] = digest
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif _sha256(path) != digest:
            problems.append(f"checksum mismatch: {name}")
    for path in io.list_files(release_dir):
        name = path.relative_to(release_dir).as_posix()
        if name != "SHA256SUMS" and name not in sums:
            problems.append(f"not in SHA256SUMS: {name}")
    problems.extend(_manifest_disagreements(release_dir, sums))
    return problems


def _manifest_disagreements(release_dir: Path, sums: dict[str, str]) -> list[str]:
    """Where ``manifest.json``'s ``outputs`` (the data files' hashes at release time) and ``SHA256SUMS``
    differ, or the manifest names a path outside the release."""
    manifest_path = release_dir / "manifest.json"
    if "manifest.json" not in sums or release_path(release_dir, "manifest.json") is None:
        return ["manifest.json is not listed in SHA256SUMS"]
    try:
        outputs = io.read_json(manifest_path).get("outputs")
    except (OSError, ValueError, AttributeError) as error:
        return [f"manifest.json is unreadable: {error}"]
    if not isinstance(outputs, dict) or not outputs:
        return ["manifest.json lists no outputs to cross-check SHA256SUMS against"]
    problems = []
    for name, digest in sorted(outputs.items()):
        if release_path(release_dir, name) is None:
            problems.append(f"manifest.json names a path outside the release: {name!r} (not read)")
        elif sums.get(name) != digest:
            problems.append(f"SHA256SUMS disagrees with manifest.json on {name}: edited after release?")
    return problems


def upload_release(release_dir: Path, destination: str) -> str:
    """Copy a finished release folder to an fsspec URL (``s3://…``, ``file://…``); refuses to overwrite."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(destination)
    target = f"{root.rstrip('/')}/{Path(release_dir).name}"
    if fs.exists(target):
        raise ReleaseError(f"{destination}/{Path(release_dir).name} already exists; releases are never overwritten")
    fs.put(str(release_dir), target, recursive=True)
    return target
