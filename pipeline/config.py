"""Build configuration: one frozen dataclass per stage, composed into ``BuildConfig``.

A config file is TOML (parsed with ``tomllib``: data only, nothing is evaluated). Each table names a stage
(``[ingest]``, ``[artifacts]`` …) and may set any field of that stage's dataclass. Unknown tables, unknown
keys and values of the wrong type fail with ``ConfigError`` before any work starts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.stage_configs import (
    ArtifactsConfig,
    DedupConfig,
    IngestConfig,
    MetadataConfig,
    OutputConfig,
    PiiConfig,
    QualityConfig,
    ScriptConfig,
    ValidationConfig,
)


@dataclass(frozen=True)
class BuildConfig:
    """Everything that decides the bytes of a build. Its hash goes into every output's metadata."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    script: ScriptConfig = field(default_factory=ScriptConfig)
    artifacts: ArtifactsConfig = field(default_factory=ArtifactsConfig)
    metadata: MetadataConfig = field(default_factory=MetadataConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    pii: PiiConfig = field(default_factory=PiiConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def config_hash(self) -> str:
        """SHA-256 of the canonical JSON form of the config.

        >>> len(BuildConfig().config_hash())
        64
        """
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _coerce(section: str, name: str, expected_type, value):
    """Check ``value`` against the dataclass field's annotation; tuples accept TOML arrays."""
    origin = typing.get_origin(expected_type)
    args = typing.get_args(expected_type)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"[{section}] {name} must be a list, got {type(value).__name__}")
        item_type = args[0] if args else str
        for item in value:
            if not isinstance(item, item_type):
                raise ConfigError(f"[{section}] {name} items must be {item_type.__name__}")
        return tuple(value)
    if origin is typing.Union or (origin is not None and str(origin) == "types.UnionType"):
        allowed = tuple(a for a in args if a is not type(None))
        if value is None and type(None) in args:
            return None
        expected_type = allowed[0]
    if expected_type is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected_type is bool and not isinstance(value, bool):
        raise ConfigError(f"[{section}] {name} must be true or false, got {value!r}")
    if expected_type is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"[{section}] {name} must be an integer, got {value!r}")
    if not isinstance(value, expected_type):
        raise ConfigError(f"[{section}] {name} must be {expected_type.__name__}, got {value!r}")
    return value


# Keys that moved: a config that still sets one is told where it went, not only that it is unknown.
MOVED_KEYS = {
    # one Han-share threshold: quality's optional filter duplicated the gate's contract check
    ("quality", "min_cjk_share"): "[validation] min_cjk_share",
}


def config_from_dict(data: dict) -> BuildConfig:
    """Build a validated ``BuildConfig`` from plain data (as parsed from TOML).

    >>> config_from_dict({"ingest": {"max_file_bytes": 1000}}).ingest.max_file_bytes
    1000
    >>> config_from_dict({"ingest": {"nope": 1}})
    Traceback (most recent call last):
    ...
    pipeline.errors.ConfigError: unknown key [ingest] nope
    """
    sections = {}
    top_fields = {f.name: f for f in dataclasses.fields(BuildConfig)}
    for section, values in data.items():
        if section not in top_fields:
            raise ConfigError(f"unknown config section [{section}]; known: {', '.join(sorted(top_fields))}")
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] must be a table")
        section_type = top_fields[section].default_factory
        hints = typing.get_type_hints(section_type)
        known = {f.name for f in dataclasses.fields(section_type)}
        kwargs = {}
        for key, value in values.items():
            if key not in known:
                moved = MOVED_KEYS.get((section, key))
                raise ConfigError(f"unknown key [{section}] {key}" + (f"; it is now {moved}" if moved else ""))
            kwargs[key] = _coerce(section, key, hints[key], value)
        try:
            sections[section] = section_type(**kwargs)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"[{section}] {error}") from error
    return BuildConfig(**sections)


def load_config(path: str | Path | None) -> BuildConfig:
    """Read a TOML config file; ``None`` gives the defaults."""
    if path is None:
        return BuildConfig()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from error
    return config_from_dict(data)
