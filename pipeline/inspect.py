"""One document of a build, as text: its metadata fields, its cleaned text and the removals traced for it.

DuckDB reads the Parquet files with a filter on ``id`` (row groups whose id range cannot hold it are skipped),
so looking up one document does not load the whole build. Read-only: it changes nothing in the folder.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import layout
from pipeline.errors import PipelineError
from pipeline.schema import DATE_COLUMNS, DOCUMENT_COLUMNS, iso_text

# A prefix shorter than this is too likely to match many ids to be worth a lookup.
MIN_PREFIX = 6
# Fields printed in the header block; the text comes after them, on its own.
METADATA_FIELDS = tuple(name for name in DOCUMENT_COLUMNS if name != "text")
# Width of the field-name column: the longest name plus two spaces.
LABEL_WIDTH = max(len(name) for name in METADATA_FIELDS) + 2


def _files(output_dir: Path, folder: str) -> list[str]:
    return [str(path) for path in layout.BuildFolders(output_dir).parts(folder)]


def find_document(output_dir: Path, doc_id: str) -> tuple[dict, list[dict]]:
    """The document row with id ``doc_id`` (or the only id starting with it) and its removal rows.

    Raises ``PipelineError`` when no document (or more than one, for a prefix) matches.
    """
    import duckdb  # local: only the report and inspect need it

    output_dir = Path(output_dir)
    documents = _files(output_dir, layout.DOCUMENTS)
    if not documents:
        raise PipelineError(f"no documents in {output_dir}: is it a build output folder? (run `corpus build`)")
    connection = duckdb.connect(":memory:")
    try:
        query = "select * from read_parquet($files) where id = $id"
        cursor = connection.execute(query, {"files": documents, "id": doc_id})
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
        if not rows and len(doc_id) >= MIN_PREFIX:
            cursor = connection.execute(
                "select * from read_parquet($files) where starts_with(id, $id) order by id limit 6",
                {"files": documents, "id": doc_id})
            rows = cursor.fetchall()
            if len(rows) > 1:
                ids = ", ".join(row[names.index("id")] for row in rows[:5])
                raise PipelineError(f"id prefix {doc_id!r} matches several documents in {output_dir}: {ids}"
                                    f"{' …' if len(rows) > 5 else ''}")
        if not rows:
            raise PipelineError(f"no document with id {doc_id!r} in {output_dir}")
        document = dict(zip(names, rows[0], strict=True))
        removals = []
        removal_files = _files(output_dir, layout.REMOVALS)
        if removal_files:
            cursor = connection.execute(
                "select line, rule, text from read_parquet($files) where id = $id order by line, rule, text",
                {"files": removal_files, "id": document["id"]})
            removals = [dict(zip(("line", "rule", "text"), row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()
    return document, removals


def _shown(value) -> str:
    r"""A field value on one line; unknown (null) shown as ``—``.

    >>> _shown(None), _shown("a\nb"), _shown(3)
    ('—', 'a↵b', '3')
    """
    if value is None:
        return "—"
    return str(value).replace("\n", "↵")


def describe_document(output_dir: Path, doc_id: str) -> str:
    """One document as text: metadata fields, the cleaned text, then every removal (line, rule, text)."""
    document, removals = find_document(Path(output_dir), doc_id)
    shown = {**document, **{date: iso_text(document.get(date), document.get(precision))
                            for date, precision in DATE_COLUMNS.items() if date in document}}
    lines = [f"{name:<{LABEL_WIDTH}}{_shown(shown.get(name))}" for name in METADATA_FIELDS if name in document]
    lines += ["", f"text ({document.get('char_count')} characters):", document.get("text") or "", ""]
    lines.append(f"removals ({len(removals)}):")
    if not removals:
        lines.append("  (none)")
    rule_width = max((len(r["rule"]) for r in removals), default=0)
    for removal in removals:
        lines.append(f"  line {removal['line']:>4}  {removal['rule']:<{rule_width}}  {_shown(removal['text'])}")
    return "\n".join(lines) + "\n"


def document_json(output_dir: Path, doc_id: str) -> str:
    """One document as a JSON object: every column (dates in ISO 8601), and ``removals`` (line, rule, text).

    >>> import json; json.loads(_as_json({"id": "a-0", "published_at": __import__("datetime").date(2022, 11, 24)}, []))
    {'id': 'a-0', 'published_at': '2022-11-24', 'removals': []}
    """
    document, removals = find_document(Path(output_dir), doc_id)
    return _as_json(document, removals)


def json_value(value):
    """JSON form of a value ``json`` does not know: dates and timestamps as ISO 8601, anything else as text.

    >>> json_value(__import__("datetime").datetime(2022, 11, 24, 8, 47))
    '2022-11-24T08:47:00'
    """
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _as_json(document: dict, removals: list[dict]) -> str:
    import json

    return json.dumps({**document, "removals": removals}, ensure_ascii=False, indent=2, default=json_value)
