"""Fields declared once (pipeline/fields.py): every list that names columns follows the declaration, and the
declaration follows the code that fills the fields. Each test fails when the two drift apart."""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import fields, schema, validation
from pipeline.corpus import dedup
from pipeline.document import Document, document_class
from pipeline.release import Version, _dataset_card
from pipeline.stages import artifacts, metadata, punctuation, quality, script

ROOT = Path(__file__).resolve().parent.parent
# Document attributes that are not output columns: the JSONL record's own id (kept for reference only) and
# the removal trace (written to removals/, one row per removal).
NOT_COLUMNS = {"given_id", "removals"}


def _source(module) -> str:
    """The source of a stage module, or of every module of a stage package (stages may become packages)."""
    path = Path(module.__file__)
    files = sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]
    return "\n".join(file.read_text(encoding="utf-8") for file in files)


# A column declared the way the README's "Adding a field" section shows, for the tests below.
KEYWORDS = fields.Field("keywords", pa.string(), True, "keywords the page lists (关键词), comma-separated",
                        ("metadata",), frozenset({fields.DEDUP_METADATA, fields.RUNNING_TEXT}))


def test_every_document_attribute_is_a_declared_column_and_back():
    attributes = {f.name for f in dataclasses.fields(Document)} - NOT_COLUMNS
    on_document = {f.name for f in fields.FIELDS if "row" not in f.filled_by}  # quality signals are on the record
    assert attributes == on_document, "declare the attribute in pipeline/fields.py (or mark who computes it)"
    assert {f.name for f in dataclasses.fields(Document)} >= NOT_COLUMNS


def test_document_attributes_have_the_declared_type_and_default():
    attributes = {f.name: f for f in dataclasses.fields(Document)}
    for field in fields.document_fields():
        attribute = attributes[field.name]
        assert attribute.type == fields.python_type(field), field.name
        assert attribute.default == fields.document_default(field), field.name
    # The ones a reader must always give, and the two non-nullable columns with a default.
    assert [name for name, f in attributes.items() if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING] == ["source_file", "text", "source_sha256"]
    assert (attributes["article_index"].default, attributes["source_format"].default) == (0, "text")
    assert attributes["published_at"].type == str | None  # a timestamp column, ISO text on the record


def test_document_stays_a_frozen_keyword_only_picklable_record():
    doc = Document(source_file="a.txt", source_sha256="ab" * 32, text="x", title="T")
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "U"
    with pytest.raises(TypeError):
        Document("a.txt", "ab" * 32, "x")  # keyword-only: no caller depends on the attribute order
    assert pickle.loads(pickle.dumps(doc)) == doc  # process pools pickle documents by class name
    assert Document.__module__ == "pipeline.document" and Document.__qualname__ == "Document"
    assert doc.with_changes(author="A") == dataclasses.replace(doc, author="A") and doc.author is None
    assert doc.id == "abababababababababababab-0"


_TEXT_FIELD_NAMES = [f.name for f in dataclasses.fields(Document) if f.type in (str, str | None)]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(_TEXT_FIELD_NAMES), st.text(max_size=8) | st.none(), max_size=5),
       st.lists(st.text(max_size=5), max_size=3))
def test_document_copies_equal_what_dataclasses_replace_makes(changes, removal_texts):
    # with_changes copies the attribute dict instead of calling __init__ (speed): the copy must be the object
    # dataclasses.replace makes, attribute order included, and leave its input alone
    from pipeline.document import Removal

    changes = {k: v for k, v in changes.items() if v is not None or k not in ("source_file", "source_sha256", "text")}
    doc = Document(source_file="a.txt", source_sha256="ab" * 32, text="正文", title="T",
                   removals=(Removal("artifacts.nav", 0, "首页"),))
    before = dict(vars(doc))
    copy, expected = doc.with_changes(**changes), dataclasses.replace(doc, **changes)
    assert copy == expected and hash(copy) == hash(expected) and list(vars(copy)) == list(vars(expected))
    assert type(copy) is Document and vars(doc) == before
    removals = tuple(Removal("pii.phone", -1, text) for text in removal_texts)
    assert doc.with_removals(removals) == dataclasses.replace(doc, removals=doc.removals + removals)
    with pytest.raises(TypeError):
        doc.with_changes(not_a_field=1)


def test_a_newly_declared_field_reaches_the_document_schema_table_and_lists():
    """Builds the derived structures from the declaration plus one field (the module-level ones are built
    from ``fields.FIELDS`` by the same functions, checked against it by the other tests)."""
    declared = fields.FIELDS + (KEYWORDS,)
    extended = document_class(fields.document_fields(declared))
    doc = extended(source_file="a.txt", source_sha256="0" * 64, text="x")
    assert doc.keywords is None and doc.with_changes(keywords="改革,发展").keywords == "改革,发展"
    assert fields.arrow_schema(declared).field("keywords").metadata[b"description"] == KEYWORDS.description.encode()
    assert fields.markdown_table(declared).splitlines()[-1].startswith("| `keywords` | string | metadata |")
    assert "keywords" in fields.names(fields.DEDUP_METADATA, declared=declared)
    assert "keywords" in fields.names(fields.RUNNING_TEXT, declared=declared)
    assert "keywords" in fields.names(filled_by="metadata", declared=declared)
    assert "keywords" not in fields.names(fields.ONE_LINE, declared=declared)
    assert not hasattr(Document(source_file="a.txt", source_sha256="0" * 64, text="x"), "keywords")


def test_declarations_are_well_formed():
    assert len(fields.BY_NAME) == len(fields.FIELDS), "a column is declared twice"
    for field in fields.FIELDS:
        assert field.description.strip() and field.filled_by, field.name
        assert set(field.filled_by) <= fields.FILLERS and field.flags <= fields.FLAGS, field.name
    positions = sorted(f.checks_position for f in fields.FIELDS if f.checks_position is not None)
    assert positions == list(range(len(positions))), "checks positions must be 0..n-1, each once"


def test_flags_fit_the_fields_they_are_on():
    strings = {f.name for f in fields.FIELDS if f.type == pa.string()}
    assert set(fields.names(fields.RUNNING_TEXT)) <= strings
    assert set(fields.names(fields.CATEGORICAL)) <= strings
    one_line, paragraphs = set(fields.names(fields.ONE_LINE)), set(fields.names(fields.PARAGRAPHS))
    assert not one_line & paragraphs
    assert one_line | paragraphs <= set(fields.names(fields.RUNNING_TEXT)), "punctuation runs on running text"


def test_every_metadata_field_counts_for_dedup_and_every_stage_text_field_is_converted():
    filled_by_stages = {f.name for f in fields.FIELDS
                        if {"metadata", "artifacts"} & set(f.filled_by) and f.name != "article_index"}
    assert filled_by_stages <= set(fields.names(fields.DEDUP_METADATA))
    text_metadata = {name for name in filled_by_stages if fields.BY_NAME[name].type == pa.string()}
    gazetteer = {"province", "city", "county", "region_code"}  # names and codes from a Simplified table
    assert text_metadata - gazetteer <= set(fields.names(fields.RUNNING_TEXT))


def test_required_columns_reach_the_checks_table():
    """Every non-nullable column but text (replaced by derived columns) is copied, so the suite checks it."""
    required = {f.name for f in fields.FIELDS if not f.nullable} - {"text"}
    assert required <= set(validation.COPIED_COLUMNS)


def test_derived_lists_follow_the_declaration():
    declared = [f.name for f in fields.FIELDS]
    assert schema.DOCUMENT_SCHEMA.names == declared == list(schema.DOCUMENT_COLUMNS)
    assert schema.DOCUMENT_SCHEMA.equals(fields.arrow_schema(), check_metadata=True)
    assert list(schema.COLUMN_DESCRIPTIONS) == declared
    for field in schema.DOCUMENT_SCHEMA:
        assert field.metadata[b"description"].decode() == fields.BY_NAME[field.name].description
    assert set(dedup.METADATA_FIELDS) == set(fields.names(fields.DEDUP_METADATA))
    assert set(script.TEXT_FIELDS) == set(fields.names(fields.RUNNING_TEXT))
    assert set(punctuation.PUNCTUATION_FIELDS) == set(fields.names(fields.ONE_LINE))
    assert set(punctuation.PUNCTUATION_PARAGRAPH_FIELDS) == set(fields.names(fields.PARAGRAPHS))
    assert set(artifacts.HEADER_FIELDS) == set(fields.names(filled_by="artifacts"))
    assert set(validation.CATEGORICAL_COLUMNS) == set(fields.names(fields.CATEGORICAL))
    assert validation.CHECKS_SCHEMA.names[:len(validation.COPIED_COLUMNS)] == list(validation.COPIED_COLUMNS)
    assert list(quality.SIGNALS) == list(fields.names(filled_by="quality"))
    assert set(quality.SIGNALS) <= {f.name for f in dataclasses.fields(Document)}, "the quality stage sets them"


def test_the_fields_a_stage_sets_are_declared_as_filled_by_it():
    """Scans the stage's source for the field names it writes: a new field set by a stage and not declared
    (or declared for the wrong stage) fails here."""
    written_by_artifacts = set(re.findall(r'fields\.append\(\("(\w+)"', _source(artifacts)))
    written_by_artifacts |= set(re.findall(r'"offer", "(\w+)"', _source(artifacts)))
    written_by_artifacts |= set(re.findall(r'_offer_field\(state, "(\w+)"', _source(artifacts)))
    assert written_by_artifacts and written_by_artifacts <= set(fields.names(filled_by="artifacts"))
    code = _source(metadata)
    written_by_metadata = set(re.findall(r'changes\["(\w+)"\]', code)) | set(re.findall(r'"(\w+)": index', code))
    for call in re.findall(r"changes\.update\(([^)]*)\)", code):
        written_by_metadata |= set(re.findall(r"(\w+)=", call))
    assert written_by_metadata and written_by_metadata <= set(fields.names(filled_by="metadata"))


def test_the_dataset_card_lists_every_column_with_its_description():
    card = _dataset_card(Version(1, 0, 0), schema.DOCUMENT_SCHEMA.empty_table(), {}, [])
    table = card.split("## Fields")[1].split("\n## ")[0]
    listed = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert listed == [f.name for f in fields.FIELDS]
    for field in fields.FIELDS:
        assert field.description.replace("|", "\\|") in table, field.name


def test_the_readme_column_table_is_generated_from_the_declaration():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = fields.readme_section(readme)
    assert section is not None, "README.md lost the column-table markers"
    assert section == fields.markdown_table(), "README column table drifted: run `python -m pipeline.fields README.md`"


def test_the_readme_check_fails_on_a_drifted_table():
    readme = f"# x\n\n{fields.README_START}\n{fields.markdown_table()}\n{fields.README_END}\n"
    drifted = readme.replace("| `url` |", "| `link` |")
    assert fields.readme_section(readme) == fields.markdown_table()
    assert fields.readme_section(drifted) != fields.markdown_table()
    assert fields.readme_section(fields.with_readme_table(drifted)) == fields.markdown_table()


def test_unknown_flags_and_fillers_are_refused():
    with pytest.raises(ValueError, match="unknown flag"):
        fields.names("categorial")
    with pytest.raises(ValueError, match="unknown filler"):
        fields.names(filled_by="metadta")
