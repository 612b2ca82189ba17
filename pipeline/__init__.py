"""Chinese web-document corpus pipeline: the library (no orchestration, no Prefect).

Stages live one per module (``script``, ``artifacts``, ``metadata`` …) and are listed in ``pipeline.stages``;
``pipeline.recipe`` is the build's one recipe (``pipeline.build.build_locally`` runs it in this process);
``pipeline.readers`` reads inputs, ``pipeline.corpus`` holds the cross-document steps (line counts,
deduplication), ``pipeline.writers`` writes the datasets (one module per format), ``pipeline.io`` the rest of
the file work (folder checks, reading, atomic files, the lock) and ``pipeline.publication`` publishes a finished
build. ``pipeline.report`` and ``pipeline.evaluation`` read.
"""

__version__ = "0.1.0"
