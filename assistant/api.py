"""Library entry points shared by the CLI, the chat UI, the evaluation and tests.

Each takes a Settings object explicitly; nothing reads global state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from assistant.config import Settings
from assistant.embed import Embedder, load_embedder
from assistant.index import IndexStats, ProgressFactory, build_index
from assistant.models import resolve_embedder
from assistant.search import SearchIndex


def embedder_loader(settings: Settings, path: Path) -> Callable[[], Embedder]:
    """A zero-argument function that loads the embedder once, on first call."""
    cache: list[Embedder] = []

    def load() -> Embedder:
        if not cache:
            cache.append(load_embedder(path, threads=settings.cpu_threads()))
        return cache[0]

    return load


def index_corpus(
    settings: Settings,
    paths: list[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: ProgressFactory | None = None,
    today: dt.date | None = None,
) -> IndexStats:
    """Index (incrementally) the articles at ``paths`` into ``settings.index_dir``."""
    path = resolve_embedder(settings)
    return build_index(
        settings,
        paths,
        embedder_path=path,
        load_embedder=embedder_loader(settings, path),
        rebuild=rebuild,
        progress=progress,
        today=today,
    )


def open_search(settings: Settings) -> SearchIndex:
    """Open the live index for searching; the embedder loads on the first query."""
    path = resolve_embedder(settings)
    return SearchIndex.open(settings, path, embedder_loader(settings, path))
