"""Library entry points shared by the CLI, the chat UI, the evaluation and tests.

Each takes a Settings object explicitly; nothing reads global state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.config import Settings
from assistant.models.embed import Embedder, load_embedder
from assistant.models.locate import resolve_embedder, resolve_generator, resolve_reader_adapter

if TYPE_CHECKING:  # the index and search modules import faiss, bm25s and scipy: they load when used
    from assistant.answer.pipeline import Answerer
    from assistant.models.generate import Generator
    from assistant.index.build import IndexStats
    from assistant.retrieve.search import SearchIndex

T = TypeVar("T")


def in_background(load: Callable[[], T]) -> Callable[[], T]:
    """Start ``load`` now in a worker thread; the function returned waits for it and gives its
    result (or raises what it raised), however often it is called."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preload")
    future = pool.submit(load)
    pool.shutdown(wait=False)
    return future.result


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


def as_built(settings: Settings) -> Settings:
    """``settings`` with the embedder precision the live index was built with, unless the user set one
    (flag, ASSISTANT_EMBED_PRECISION or the config file): an int8 index is searched and extended in
    int8 without saying so each time. Unchanged when there is no readable index."""
    if "embed_precision" in settings.model_fields_set:
        return settings
    from assistant.errors import IndexError_
    from assistant.index.manifest import read_manifest
    from assistant.index.store import current_generation

    try:  # a missing or broken index is reported by whatever opens it next
        embedder = read_manifest(current_generation(settings.index_dir)).config.embedder
    except IndexError_:
        return settings
    built = embedder.precision if embedder else None
    if built in ("bf16", "f32", "int8"):  # marked as set: a second call (the CLI's, then index_corpus's) reads nothing
        return settings.model_copy(update={"embed_precision": built})
    return settings


def index_corpus(settings: Settings, paths: list[Path] | None = None, **options: Any) -> IndexStats:
    """Index (incrementally) the articles at ``paths`` into ``settings.index_dir`` with the default or
    configured embedder; ``options`` are :func:`assistant.index.build.build_index`'s (``rebuild``,
    ``progress``, ``today``, ``fields``, ``on_searchable``)."""
    from assistant.index.build import build_index

    if not options.get("rebuild"):
        settings = as_built(settings)
    path = resolve_embedder(settings)
    return build_index(settings, paths, embedder_path=path, load_embedder=embedder_loader(settings, path), **options)


def open_search(settings: Settings, *, preload: bool = False) -> SearchIndex:
    """Open the live index for searching; the embedder loads on the first query, or with
    ``preload`` starts loading (and runs one query) in a thread before the index is read."""
    from assistant.retrieve.search import SearchIndex

    settings = as_built(settings)
    path = resolve_embedder(settings)
    load = plain = embedder_loader(settings, path)
    if preload:
        load = in_background(lambda: _warm(plain))
    return SearchIndex.open(settings, path, load)


def generator_loader(settings: Settings) -> Callable[[], Generator]:
    """A zero-argument function that loads the GGUF model once, on first call."""
    from assistant.models.generate import load_generator

    path = resolve_generator(settings)
    adapter = resolve_reader_adapter(settings)
    state_dir = settings.models_dir / "llama-states"
    return functools.cache(
        lambda: load_generator(path, threads=settings.cpu_threads(), n_ctx=settings.n_ctx, state_dir=state_dir, adapter=adapter)
    )


def _warm(load: Callable[[], Embedder]) -> Embedder:
    """The loaded embedder, after one query: OpenVINO's first inference sets itself up (0.1-0.2 s)."""
    embedder = load()
    embedder.encode_queries(["warm-up"])
    return embedder


def open_answerer(settings: Settings, *, preload: bool = False) -> Answerer:
    """Everything `ask` needs: prompts checked first, then the index; models load on first use.

    With ``preload`` both models start loading first, each in its own thread, beside the index's
    opening and its imports: llama.cpp and OpenVINO release the GIL while they load, so on two
    cores a cold `ask` waits for the slower load, not for the sum of everything. Errors keep their
    order (prompts, index, then the models, raised when first used).
    """
    from assistant.answer.pipeline import Answerer
    from assistant.answer.prompts import load_prompts

    prompts = load_prompts()
    load_generator: Callable[[], Generator] = lambda: generator_loader(settings)()  # noqa: E731 - resolved in the thread
    load_generator = in_background(load_generator) if preload else functools.cache(load_generator)
    search = open_search(settings, preload=preload)
    return Answerer(
        search=search,
        prompts=prompts,
        generator_loader=load_generator,
        embedder_name=resolve_embedder(settings).name,
        k=settings.k,
        max_tokens=settings.max_tokens,
        tuning=settings.answer,
    )
