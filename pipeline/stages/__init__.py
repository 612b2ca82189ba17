"""The list of stages, in order, and the runner that pushes one document through them.

Adding a stage = one module, one cases file, one line in ``STAGES``. A stage is a function
``(Document, stage_config) -> Document | Rejection | list[Document]``. An unexpected exception inside a
stage becomes a rejection ``"<stage>.error"`` for that document only; it never kills the shard.

A stage marked ``corpus_wide`` also needs what a pre-pass learnt from the whole input (the lines one source
repeats in many documents, ``pipeline.corpus.lines``); it is called ``(Document, stage_config, corpus)`` and
is skipped while there is nothing (``corpus`` None or empty). The pre-pass runs the stages before the first
such stage. Every per-document step is a stage in this list; sinks (``pipeline.shards``) only write.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Callable

from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection
from pipeline.corpus import lines
from pipeline.stages import artifacts, gate, metadata, pii, punctuation, quality, row_contract, script


@dataclass(frozen=True)
class Stage:
    name: str  # used in rejection reasons ("<name>.<why>") and in the manifest
    function: Callable
    config_section: str  # attribute of BuildConfig holding this stage's config
    corpus_wide: bool = False  # also takes the pre-pass's findings over the whole input (see the module doc)
    always: bool = False  # runs even when its config section is disabled (it reads ``enabled`` itself)


STAGES: tuple[Stage, ...] = (
    Stage("script", script.normalize_script, "script"),  # characters only: later stages need the spacing
    # lines one source repeats in many documents (footers no rule knows); compared in Simplified, so after script
    Stage("cross_doc", lines.remove_common_lines, "artifacts", corpus_wide=True),
    Stage("artifacts", artifacts.remove_artifacts, "artifacts"),
    Stage("metadata", metadata.extract_metadata, "metadata"),  # may split a file into articles
    Stage("punctuation", punctuation.normalize_punctuation, "script"),  # after bylines: space runs are gone here
    Stage("pii", pii.redact_pii, "pii"),  # phone/ID/e-mail/QQ/bank numbers to typed placeholders
    Stage("gate", gate.check_document, "validation"),  # reject what cannot meet the row-level contract
    Stage("quality", quality.measure_quality, "quality"),  # signals onto the record; rejects only on a threshold
    # bad dates always; the suite's row-level expectations when validation is on
    Stage("row_contract", row_contract.check_row_contract, "validation", always=True),
)


def run_stages(document: Document, config: BuildConfig, stages: tuple[Stage, ...] | None = None,
               timings: dict | None = None, corpus=None):
    """Run ``document`` through ``stages`` (default: ``STAGES`` as it is when called); return (kept
    documents, rejections).

    ``timings``, when given, accumulates seconds spent per stage name (for the benchmark and manifest).
    ``corpus``: the pre-pass's findings for ``corpus_wide`` stages (``pipeline.corpus.lines.CommonLines``).

    >>> from pipeline.document import Document
    >>> text = "這是一篇關於領導幹部作風建設的講話稿,全文圍繞著力解決實際問題展開。"
    >>> kept, rejected = run_stages(Document(source_file="a.txt", source_sha256="0" * 64, text=text), BuildConfig())
    >>> kept[0].text, kept[0].original_script, rejected
    ('这是一篇关于领导干部作风建设的讲话稿，全文围绕着力解决实际问题展开。', 'traditional', [])
    >>> run_stages(Document(source_file="b.txt", source_sha256="1" * 64, text="短文"), BuildConfig())[1][0].reason
    'gate.too_short'
    """
    current = [document]
    rejections: list[Rejection] = []
    for stage in STAGES if stages is None else stages:
        stage_config = getattr(config, stage.config_section)
        if not (stage.always or getattr(stage_config, "enabled", True)) or (stage.corpus_wide and not corpus):
            continue
        extra = (corpus,) if stage.corpus_wide else ()
        next_documents: list[Document] = []
        started = time.perf_counter() if timings is not None else 0.0
        for doc in current:
            try:
                result = stage.function(doc, stage_config, *extra)
            except Exception as error:  # one bad record must never kill the shard
                rejections.append(
                    Rejection(
                        source_file=doc.source_file,
                        reason=f"{stage.name}.error",
                        detail=f"{type(error).__name__}: {error} | "
                        + "".join(traceback.format_exception_only(type(error), error)).strip()[:500],
                        source_line=doc.source_line,
                        source_sha256=doc.source_sha256,
                        article_index=doc.article_index,
                    )
                )
                continue
            if isinstance(result, Rejection):
                rejections.append(result)
            elif isinstance(result, Document):
                next_documents.append(result)
            else:
                next_documents.extend(result)
        if timings is not None:
            timings[stage.name] = timings.get(stage.name, 0.0) + time.perf_counter() - started
        current = next_documents
    return current, rejections
