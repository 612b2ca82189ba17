"""Chinese web-document corpus pipeline: the library (no orchestration, no Prefect).

Stages live one per module (``script``, ``artifacts``, ``metadata`` …) and are listed in ``pipeline.stages``;
``pipeline.build`` plans, runs and finalizes a build; ``pipeline.io`` does all file I/O.
"""

__version__ = "0.1.0"
