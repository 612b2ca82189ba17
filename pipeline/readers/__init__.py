"""Reading: the build's inputs as documents (or rejections), one unit at a time.

A unit is a whole file (plain text, an HTML page, SogouCS records) or a byte range of a JSONL file.
``decoding`` turns bytes into text (encoding detection, binary and empty files refused); ``formats`` finds
the text of an HTML page, the records of a SogouCS file and the fields of a JSONL record. This package
reads and never writes; what it cannot read becomes a ``Rejection`` (``ingest.<why>``), never an exception.
A new input format is one module here and one branch in :func:`read_unit`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from pipeline import io
from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection, sha256_hex
from pipeline.readers.decoding import Decoded, decode_bytes
from pipeline.readers.formats import (
    BadRecord,
    extract_html,
    looks_like_html,
    page_as_text,
    parse_jsonl_line,
    split_sogou_records,
)


@dataclass(frozen=True)
class Unit:
    """One piece of input: a whole file, or a byte range of a JSONL file."""

    relative_path: str
    kind: str  # "text" | "html" | "jsonl"
    size: int
    start: int = 0
    end: int = 0


def _reject(unit: Unit, reason: str, detail: str, line: int | None = None, digest: str | None = None) -> Rejection:
    return Rejection(source_file=unit.relative_path, reason=reason, detail=detail, source_line=line,
                     source_sha256=digest)


def _documents_from_text(unit: Unit, text: str, encoding: str, digest: str, config: BuildConfig):
    """Documents (or rejections) from one decoded file: plain text, an HTML page or SogouCS records."""
    too_long = max((len(line) for line in text.split("\n")), default=0)
    if too_long > config.ingest.max_line_chars:
        return [_reject(unit, "ingest.line_too_long",
                        f"a line of {too_long} characters exceeds max_line_chars={config.ingest.max_line_chars}",
                        digest=digest)]
    if unit.kind == "html" or looks_like_html(text):
        page = extract_html(text)
        body = page_as_text(page)
        if not body.strip():
            return [_reject(unit, "ingest.html_no_text", f"no text found in the page ({page.method})", digest=digest)]
        return [Document(source_file=unit.relative_path, source_sha256=digest, text=body, source_encoding=encoding,
                         source_format="html", url=page.url, raw_char_count=len(body),
                         published_at=page.published_at)]
    records = split_sogou_records(text)
    if records:
        documents = []
        for index, record in enumerate(records):
            body = page_as_text(record)
            record_digest = digest if len(records) == 1 else sha256_hex(f"{digest}:{index}".encode())
            documents.append(Document(source_file=unit.relative_path, source_sha256=record_digest, text=body,
                                      source_encoding=encoding, source_format="sogou", url=record.url,
                                      raw_char_count=len(body)))
        return documents
    return [Document(source_file=unit.relative_path, source_sha256=digest, text=text, source_encoding=encoding,
                     source_format="text", raw_char_count=len(text))]


def _outside_input(path: Path, input_dir: Path, config: BuildConfig) -> bool:
    # Discovery skipped such links; this catches one swapped in after planning.
    return not config.ingest.follow_symlinks_outside and not io.is_inside(path, input_dir)


def read_unit(input_dir: Path, unit: Unit, config: BuildConfig, file_hash: str | None):
    """Yield the documents and rejections of one unit (a file, or a byte range of a JSONL file)."""
    path = input_dir / unit.relative_path
    if _outside_input(path, input_dir, config):
        yield _reject(unit, io.OUTSIDE_INPUT, "the file's real path is outside the input folder", digest=file_hash)
        return
    if unit.kind == "jsonl":
        yield from _read_jsonl_unit(path, unit, config)
        return
    if unit.size > config.ingest.max_file_bytes:
        yield _reject(unit, "ingest.too_large",
                      f"{unit.size} bytes exceeds max_file_bytes={config.ingest.max_file_bytes}", digest=file_hash)
        return
    try:
        data = io.read_bytes(path)
    except OSError as error:
        yield _reject(unit, "ingest.unreadable", str(error.strerror or error), digest=file_hash)
        return
    digest = file_hash or sha256_hex(data)
    decoded = decode_bytes(data)
    if not isinstance(decoded, Decoded):
        yield _reject(unit, f"ingest.{decoded.reason}", decoded.detail, digest=digest)
        return
    yield from _documents_from_text(unit, decoded.text, decoded.encoding, digest, config)


def _jsonl_records(path: Path, unit: Unit, config: BuildConfig):
    """Every record of a JSONL unit that ``read_unit`` keeps, as (line number, record, text), and a
    ``Rejection`` for every other line: the checks, without the record's SHA-256 and ``Document``, which only
    a kept record's ``Document`` needs (the line-count pre-pass reads the text alone, ``read_texts``)."""
    for line_number, raw in io.iter_jsonl_lines(path, unit.start, unit.end, config.ingest.max_file_bytes):
        if isinstance(raw, io.OversizeLine) or len(raw) > config.ingest.max_file_bytes:
            yield _reject(unit, "ingest.too_large", f"record of {len(raw)} bytes exceeds max_file_bytes", line_number)
            continue
        if not raw.strip():
            continue  # blank lines between records are layout, not records
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield _reject(unit, "ingest.bad_jsonl", f"line is not UTF-8: {error.reason} at byte {error.start}",
                          line_number)
            continue
        try:
            record = parse_jsonl_line(line)
        except BadRecord as error:
            yield _reject(unit, "ingest.bad_jsonl", str(error), line_number)
            continue
        text = record.text
        if "\r" in text:  # a one-character search; most records have no carriage return at all
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.replace("\x00", "")
        if not text or text.isspace():  # what ``not text.strip()`` says, without copying the text
            yield _reject(unit, "ingest.empty", "record text is empty or whitespace", line_number,
                          sha256_hex(record.text.encode("utf-8")))
            continue
        # No line is longer than the whole text: only a text longer than the limit is split to measure its lines.
        too_long = max(len(part) for part in text.split("\n")) if len(text) > config.ingest.max_line_chars else 0
        if too_long > config.ingest.max_line_chars:
            yield _reject(unit, "ingest.line_too_long",
                          f"a line of {too_long} characters exceeds max_line_chars", line_number,
                          sha256_hex(record.text.encode("utf-8")))
            continue
        yield line_number, record, text


def _read_jsonl_unit(path: Path, unit: Unit, config: BuildConfig):
    for item in _jsonl_records(path, unit, config):
        if isinstance(item, Rejection):
            yield item
            continue
        line_number, record, text = item
        yield Document(source_file=unit.relative_path, source_sha256=sha256_hex(record.text.encode("utf-8")),
                       text=text, source_encoding="utf-8", source_format="jsonl", source_line=line_number,
                       url=record.url, given_id=record.given_id, raw_char_count=len(text))


@dataclass(frozen=True)
class RecordText:
    """A JSONL record as the line-count pre-pass reads it: where it comes from and its text, nothing else (the
    ``Document`` ``read_unit`` makes of it has these values and no running-text metadata)."""

    source_file: str
    url: str | None
    text: str
    source_line: int


def read_texts(units, input_dir: Path, config: BuildConfig):
    """What the line-count pre-pass reads: for every document ``read_units`` yields, in the same order, a
    ``RecordText`` (a JSONL record: no SHA-256, no ``Document``) or the ``Document`` itself (other units).
    Rejections are left out."""
    for unit in units:
        path = input_dir / unit.relative_path
        if unit.kind != "jsonl" or _outside_input(path, input_dir, config):
            yield from (item for item in read_unit(input_dir, unit, config, None) if isinstance(item, Document))
            continue
        for item in _jsonl_records(path, unit, config):
            if not isinstance(item, Rejection):
                line_number, record, text = item
                yield RecordText(unit.relative_path, record.url, text, line_number)


def read_units(units, input_dir: Path, config: BuildConfig, input_hashes: dict | None, timings: dict):
    """The documents and ingest rejections of ``units``, in input order; reading time goes to
    ``timings["ingest"]``. ``input_hashes``: the planned hash of each whole file (read from it, not again)."""
    for unit in units:
        file_hash = (input_hashes or {}).get(unit.relative_path) if unit.kind != "jsonl" else None
        items = read_unit(input_dir, unit, config, file_hash)
        while True:
            started = time.perf_counter()
            item = next(items, None)
            timings["ingest"] = timings.get("ingest", 0.0) + time.perf_counter() - started
            if item is None:
                break
            yield item
