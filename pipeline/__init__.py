"""Chinese web-document corpus pipeline: the library (no orchestration, no Prefect).

Stages live one per module (``script``, ``artifacts``, ``metadata`` …) and are listed in ``pipeline.stages``;
``pipeline.recipe`` is the build's one recipe (``pipeline.build.build_locally`` runs it in this process);
``pipeline.readers`` reads inputs, ``pipeline.corpus`` holds the cross-document steps, ``pipeline.io`` does
all file I/O.
"""

__version__ = "0.1.0"
