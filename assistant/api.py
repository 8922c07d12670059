"""Library entry points shared by the CLI, the chat UI, the evaluation and tests.

Each takes a Settings object explicitly; nothing reads global state.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.embed import Embedder, load_embedder
from assistant.index import IndexStats, ProgressFactory, build_index
from assistant.models import resolve_embedder, resolve_generator
from assistant.search import SearchIndex

if TYPE_CHECKING:
    from assistant.answer import Answerer
    from assistant.generate import Generator


def embedder_loader(settings: Settings, path: Path) -> Callable[[], Embedder]:
    """A zero-argument function that loads the embedder once, on first call."""
    return functools.cache(
        lambda: load_embedder(
            path,
            threads=settings.cpu_threads(),
            backend=settings.embed_backend,
            precision=settings.embed_precision,
            models_dir=settings.models_dir,
        )
    )


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


def generator_loader(settings: Settings) -> Callable[[], Generator]:
    """A zero-argument function that loads the GGUF model once, on first call."""
    from assistant.generate import load_generator

    path = resolve_generator(settings)
    return functools.cache(lambda: load_generator(path, threads=settings.cpu_threads()))


def open_answerer(settings: Settings) -> Answerer:
    """Everything `ask` needs: prompts checked first, then the index; models load on first use."""
    from assistant.answer import Answerer
    from assistant.prompts import load_prompts

    prompts = load_prompts()
    search = open_search(settings)
    return Answerer(
        search=search,
        prompts=prompts,
        generator_loader=generator_loader(settings),
        embedder_name=resolve_embedder(settings).name,
        k=settings.k,
        max_tokens=settings.max_tokens,
    )
