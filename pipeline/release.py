"""Versioned corpus releases: Hugging Face layout, checksums, Croissant metadata, changelog, SemVer rules.

A release is made from a finished, validated build folder and is never overwritten. Data files depend only
on the build's rows (not on the version or the date), so releasing the same build twice gives
byte-identical data files. Versions follow SemVer: a schema change requires a new major version.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipeline import io
from pipeline.errors import PipelineError
from pipeline.layout import BuildFolders
from pipeline.schema import COLUMN_DESCRIPTIONS, DOCUMENT_SCHEMA, SCHEMA_VERSION
from pipeline.writers import release as release_files

VERSION_PATTERN = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")  # "1.2.0" or "v1.2.0"
# 100k rows per data file: ~125 MB of Parquet for this genre, the size Hugging Face recommends per shard.
LICENSE = "other"  # the texts belong to their sites; see the card's "Sources" section
# `license: other` needs a name and a link on the Hugging Face hub; the link is a file of the release.
LICENSE_NAME = "third-party-texts-research-only"
LICENSE_FILE = "LICENSE.md"
LICENSE_TEXT = """# Terms of use

The texts in this release were published by the web sites and authors named in `manifest.json`; their
copyright stays with them. This release is a derived research corpus: use it for research and evaluation,
cite the sites when you quote a text, and do not redistribute the texts as your own publication.

The processing code of zh-speech-corpus and the region data derived from jionlp (Apache-2.0) keep their own
licences.
"""
# Citation for Croissant's `citeAs` and the card (BibTeX).
CITATION = """@misc{zh_speech_corpus,
  title = {zh-speech-corpus: Chinese official speeches and work reports, cleaned web corpus},
  note = {release %s},
}"""


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
    folders = BuildFolders(build_dir)
    parts = folders.document_parts()
    if not parts:
        raise ReleaseError(f"{folders.documents} holds no Parquet files")
    for part in parts:
        relative = part.relative_to(build_dir).as_posix()
        expected = manifest.get("outputs", {}).get(relative)
        if expected and _sha256(part) != expected:
            raise ReleaseError(f"{relative} does not match the build manifest; rebuild before releasing")
    table = pa.concat_tables([io.read_parquet_files([part], schema=DOCUMENT_SCHEMA) for part in parts])
    return table, manifest


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if rows < limit:
            return name
    return "10M<n<100M"


def _feature_dtype(field: pa.Field) -> str:
    """The Hugging Face ``datasets`` dtype of an Arrow field (``Value(dtype)`` accepts it).

    >>> _feature_dtype(pa.field("a", pa.float64())), _feature_dtype(pa.field("b", pa.timestamp("ms")))
    ('float64', 'timestamp[ms]')
    """
    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        return "string"
    if pa.types.is_floating(field.type):
        return {16: "float16", 32: "float32", 64: "float64"}[field.type.bit_width]
    return str(field.type)


def _cell(text: str) -> str:
    r"""Text for a Markdown table cell: ``|`` escaped (it would end the cell), line breaks as spaces.

    >>> _cell("simplified | traditional")
    'simplified \\| traditional'
    """
    return str(text).replace("|", "\\|").replace("\n", " ")


def _card_front_matter(table: pa.Table, data_files: list[Path]) -> str:
    """The card's YAML header: what the Hugging Face Hub and ``datasets`` read (license, configs, features)."""
    features = "\n".join(f"    - name: {f.name}\n      dtype: {_feature_dtype(f)}" for f in DOCUMENT_SCHEMA)
    # What `datasets` records for a split: bytes of the Arrow table in memory, and the files' bytes on disk.
    num_bytes = table.nbytes
    download_size = sum(path.stat().st_size for path in data_files)
    return f"""---
pretty_name: Chinese official speeches and work reports (cleaned web corpus)
language:
- zh
license: {LICENSE}
license_name: {LICENSE_NAME}
license_link: {LICENSE_FILE}
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
    num_bytes: {num_bytes}
    num_examples: {table.num_rows}
  download_size: {download_size}
  dataset_size: {num_bytes}
---
"""


def _dataset_card(version: Version, table: pa.Table, manifest: dict, data_files: list[Path]) -> str:
    counts = manifest.get("counts", {})
    field_rows = "\n".join(f"| `{name}` | {_cell(_feature_dtype(DOCUMENT_SCHEMA.field(name)))} | {_cell(desc)} |"
                           for name, desc in COLUMN_DESCRIPTIONS.items())
    scripts = ", ".join(f"{k}: {v}" for k, v in counts.get("original_scripts", {}).items())
    quarantine = ", ".join(f"{k}: {v}" for k, v in counts.get("quarantined_by_reason", {}).items()) or "none"
    return _card_front_matter(table, data_files) + f"""
# Chinese official speeches and work reports — release {version}

Speeches, work reports and essays by Chinese officials, scraped from government, newspaper and 范文 sites,
cleaned of site debris, converted to mainland Simplified with Chinese punctuation, with metadata (title,
author and position, region down to county level, dates) extracted and validated.

## Sources

Raw pages as listed in `manifest.json` (`inputs`, with SHA-256). The texts belong to their sites and
authors; this release is for research (terms in `{LICENSE_FILE}`). Region data: administrative divisions
from jionlp (Apache-2.0).

`id` is a content id (a hash of the input's bytes + article index): an edited input gets a new id. To follow
one document across releases, match on `source_file` + `article_index` (+ `source_line` for JSONL inputs),
as `CHANGELOG.md` does.

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
| quarantined | {counts.get("quarantined", "")} ({_cell(quarantine)}) |
| duplicates | {counts.get("duplicates", "")} |
| original scripts | {_cell(scripts)} |

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


# The Croissant 1.0 JSON-LD context, as the specification (and `mlcroissant`) write it: the validator
# resolves every key through it, so it must be this one, not a shortened version.
CROISSANT_CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
PARQUET_FORMAT = "application/x-parquet"
DATA_FILE_SET = "parquet-files"  # the FileSet of data/*.parquet that the record set reads


def _croissant_type(field: pa.Field) -> str:
    """Croissant data type of an Arrow field.

    >>> _croissant_type(pa.field("a", pa.float64())), _croissant_type(pa.field("b", pa.timestamp("ms")))
    ('sc:Float', 'sc:DateTime')
    """
    kind = field.type
    if pa.types.is_integer(kind):
        return "sc:Integer"
    if pa.types.is_floating(kind):
        return "sc:Float"
    if pa.types.is_boolean(kind):
        return "sc:Boolean"
    if pa.types.is_timestamp(kind):
        return "sc:DateTime"
    if pa.types.is_date(kind):
        return "sc:Date"
    return "sc:Text"


def _croissant(version: Version, table: pa.Table, files: dict[str, str], published: str) -> dict:
    """Croissant 1.0 metadata: the distribution (files with sha256, and the FileSet of Parquet data files the
    record set reads) and the record set's fields with their types and descriptions."""
    distribution = [
        {"@type": "cr:FileObject", "@id": name, "name": name, "contentUrl": name, "sha256": digest,
         "encodingFormat": PARQUET_FORMAT if name.endswith(".parquet") else "application/jsonlines"}
        for name, digest in sorted(files.items())
    ]
    distribution.append({"@type": "cr:FileSet", "@id": DATA_FILE_SET, "name": DATA_FILE_SET,
                         "description": "the Parquet data files (one split: train)",
                         "encodingFormat": PARQUET_FORMAT, "includes": "data/*.parquet"})
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "zh-speech-corpus",
        "description": "Speeches, work reports and essays by Chinese officials from government, newspaper and "
                       "范文 sites, cleaned, converted to mainland Simplified, with extracted metadata.",
        "url": "https://huggingface.co/datasets/zh-speech-corpus",
        "license": LICENSE_FILE,
        "citeAs": CITATION % version,
        "datePublished": published,
        "version": str(version)[1:],
        "inLanguage": "zh",
        "distribution": distribution,
        "recordSet": [{
            "@type": "cr:RecordSet",
            "@id": "documents",
            "name": "documents",
            "description": f"one record per document ({table.num_rows} records)",
            "key": {"@id": "documents/id"},
            "field": [
                {"@type": "cr:Field", "@id": f"documents/{f.name}", "name": f.name,
                 "description": COLUMN_DESCRIPTIONS.get(f.name, ""), "dataType": _croissant_type(f),
                 "source": {"fileSet": {"@id": DATA_FILE_SET}, "extract": {"column": f.name}}}
                for f in DOCUMENT_SCHEMA
            ],
        }],
    }


# A document's lineage: where it came from, which stays the same when its content (and so its id) changes.
LINEAGE_COLUMNS = ("source_file", "article_index", "source_line")


def _by_lineage(table: pa.Table) -> dict[tuple, dict]:
    """lineage → {"id", "title", "fingerprint"} for every row (the fingerprint hashes the whole row). The
    last element of a lineage counts earlier rows with the same columns (several SogouCS records of one file
    share them), in row order, which is input order.

    >>> table = pa.table({"id": ["a-0", "b-0"], "source_file": ["s.txt", "s.txt"], "article_index": [0, 0],
    ...                   "source_line": pa.array([None, None], pa.int64()), "title": ["甲", "乙"]})
    >>> [(key, entry["id"]) for key, entry in _by_lineage(table).items()]
    [(('s.txt', 0, None, 0), 'a-0'), (('s.txt', 0, None, 1), 'b-0')]
    """
    rows = {}
    seen: dict[tuple, int] = {}
    for row in table.to_pylist():
        columns = tuple(row.get(name) for name in LINEAGE_COLUMNS)
        key = (*columns, seen.get(columns, 0))
        seen[columns] = key[-1] + 1
        digest = hashlib.sha256(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
        rows[key] = {"id": row["id"], "title": row.get("title"), "fingerprint": digest}
    return rows


def _lineage_text(key: tuple, entry: dict) -> str:
    """One changelog line: file (with article and JSONL line when they matter), title, id.

    >>> _lineage_text(("a/b.txt", 1, None, 0), {"id": "abc-1", "title": "标题"})
    '`a/b.txt` article 1 — 标题 (`abc-1`)'
    """
    source_file, article_index, source_line, occurrence = key
    where = f"`{source_file}`" + (f" line {source_line}" if source_line is not None else "")
    where += f" article {article_index}" if article_index else ""
    where += f" record {occurrence + 1}" if occurrence else ""
    return f"{where} — {entry.get('title') or '(no title)'} (`{entry['id']}`)"


def _changelog_entry(version: Version, previous: Version | None, table: pa.Table, previous_dir: Path | None,
                     previous_schema: str | None) -> str:
    """The changelog section of ``version``: documents added, removed and changed since ``previous``, matched
    by lineage (``LINEAGE_COLUMNS``), not by id: ids hash the content, so an edited input has a new id."""
    lines = [f"## {version}", ""]
    if previous is None or previous_dir is None:
        lines += [f"First release: {table.num_rows} documents.", ""]
        return "\n".join(lines)
    old = pa.concat_tables([io.read_parquet_table(p) for p in sorted((previous_dir / "data").glob("*.parquet"))],
                           promote_options="permissive")
    new_rows, old_rows = _by_lineage(table), _by_lineage(old)
    added = sorted(set(new_rows) - set(old_rows), key=str)
    removed = sorted(set(old_rows) - set(new_rows), key=str)
    schema_changed = previous_schema != schema_fingerprint(DOCUMENT_SCHEMA)
    # After a schema change every row's fingerprint differs: then only a new content id counts as a change.
    changed = sorted((key for key in set(new_rows) & set(old_rows)
                      if new_rows[key]["id"] != old_rows[key]["id"]
                      or (not schema_changed and new_rows[key]["fingerprint"] != old_rows[key]["fingerprint"])),
                     key=str)
    lines.append(f"Compared with {previous}: {len(added)} added, {len(removed)} removed, {len(changed)} changed "
                 f"(matched by {' + '.join(LINEAGE_COLUMNS)}).")
    lines.append("")
    if schema_changed:
        lines += ["Schema changed (see the dataset card's field table).", ""]
    for title, keys, rows in (("Added", added, new_rows), ("Removed", removed, old_rows),
                              ("Changed", changed, new_rows)):
        if keys:
            lines.append(f"### {title}")
            for key in keys:
                text = _lineage_text(key, rows[key])
                if title == "Changed" and old_rows[key]["id"] != rows[key]["id"]:
                    text += f", was `{old_rows[key]['id']}`"
                lines.append(f"- {text}")
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
        data_files = release_files.write_data_files(table, staging)
        release_files.write_jsonl_file(table, staging)
        file_hashes = {p.relative_to(staging).as_posix(): _sha256(p) for p in io.list_files(staging)}
        (staging / "README.md").write_text(_dataset_card(version, table, manifest, data_files), encoding="utf-8")
        (staging / LICENSE_FILE).write_text(LICENSE_TEXT, encoding="utf-8")
        published = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        io.write_json(staging / "croissant.json", _croissant(version, table, file_hashes, published))
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
