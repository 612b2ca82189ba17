"""Chinese web-document corpus pipeline: the library (no orchestration, no Prefect).

Stages live one per module (``script``, ``artifacts``, ``metadata`` …) and are listed in ``pipeline.stages``;
``pipeline.build`` plans, runs and finalizes a build; ``pipeline.writers`` writes the datasets (one module per
format), ``pipeline.io`` the rest of the file work (folder checks, reading, atomic files, the lock) and
``pipeline.publication`` publishes a finished build. ``pipeline.report`` and ``pipeline.evaluation`` read.
"""

__version__ = "0.1.0"
