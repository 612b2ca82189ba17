"""A progress bar over shard futures: rich on a terminal, nothing when output is piped or --quiet."""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def shard_progress(total: int, description: str, enabled: bool):
    """Yield ``advance()``; draws a bar on stderr only when ``enabled`` and stderr is a terminal."""
    if not enabled or not sys.stderr.isatty() or total <= 1:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)
