"""Progress bars on stderr (rich), as a factory the core can call without knowing rich."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from assistant.types import Advance, Progress


@contextlib.contextmanager
def stderr_progress(enabled: bool = True) -> Iterator[Progress]:
    """Yield a Progress, ``start(label, total) -> advance(n)``, drawing bars (counts, elapsed, ETA) on stderr."""
    if not enabled:
        yield lambda label, total: (lambda n: None)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:

        def start(label: str, total: int) -> Advance:
            task = bar.add_task(label, total=total)
            return lambda n: bar.advance(task, n)

        yield start
