"""The last per-document check before the batch is validated: documents that cannot pass the data contract
are quarantined here, one by one, with a reason, so the batch suite only fails on real regressions.

What it rejects: text shorter than ``min_text_chars`` after cleaning (``gate.too_short``) and text whose Han
share is below ``min_cjk_share`` (``gate.not_chinese``: another language, markup, a table of numbers). It
reads the same thresholds as the validation suite (``ValidationConfig``). It changes nothing in a document
it keeps, and deliberately does not look for Traditional residue or known debris: those are rule
regressions, and the build's row-level check (``pipeline.validation.row_failures``) quarantines them under
their expectation's name (``validation.expect_no_debris`` ...), counted in the manifest and the report.
"""

from __future__ import annotations

from pipeline.document import Document, Rejection
from pipeline.validation.expectations import cjk_share  # the suite's own definition: gate and suite must agree
from pipeline.stage_configs import ValidationConfig


def check_document(doc: Document, config: ValidationConfig) -> Document | Rejection:
    """Keep ``doc`` unchanged, or reject it with the row-level contract it cannot meet.

    >>> doc = Document(source_file="a.txt", source_sha256="0" * 64, text="This is an English page about trade.")
    >>> check_document(doc, ValidationConfig(min_text_chars=5)).reason
    'gate.not_chinese'
    """
    length = len(doc.text.strip())
    if length < config.min_text_chars:
        return Rejection(doc.source_file, "gate.too_short",
                         f"{length} characters after cleaning, fewer than min_text_chars={config.min_text_chars}",
                         doc.source_line, doc.source_sha256, doc.article_index)
    share = cjk_share(doc.text)
    if share < config.min_cjk_share:
        return Rejection(doc.source_file, "gate.not_chinese",
                         f"Han share {share:.2f} below min_cjk_share={config.min_cjk_share}",
                         doc.source_line, doc.source_sha256, doc.article_index)
    return doc
