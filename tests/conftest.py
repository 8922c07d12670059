"""Shared fixtures: one real embedder and one real generator for the whole run, an index of the
real seeds built once, and the `models` marker kept honest.

- Every test that loads a real model is marked ``models``: by hand, or here, by using one of
  ``MODEL_FIXTURES``. ``pytest -m "not models"`` is the fast inner loop; CI runs everything.
- A test not marked ``models`` that loads a model anyway fails: in-process through the guard
  below, and in the `assistant` commands it runs (``run_cli``) through ``tests/no_models/``,
  whose ``sitecustomize`` ends such a process with exit code 97.
- The library's loaders (``assistant.app.api.embedder_loader`` and ``generator_loader``) hand
  out the session's one embedder and one generator for the default models, so every
  ``open_search``/``open_answerer``/``index_corpus`` of every test shares them. Other models
  (a ``--model`` file, another backend) still load as the library loads them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DEV = ROOT / "tests" / "data" / "dev.jsonl"
TODAY = dt.date(2026, 11, 24)
NO_MODELS_DIR = Path(__file__).resolve().parent / "no_models"
"""Holds the sitecustomize that refuses model loading in `assistant` commands run by unmarked tests."""
GUARD_EXIT = 97

MODEL_FIXTURES = frozenset({"embedder", "generator", "seed_index", "seed_search", "seed_answerer"})
"""A test that uses any of these (directly or through another fixture) loads a real model."""


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection, which runs in the same hook
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.models)


# --- one embedder and one generator ---------------------------------------------------------

_lock = threading.RLock()
_embedders: dict[tuple[str, str, str, str], Any] = {}
_generators: dict[str, Any] = {}
_ORIGINAL: dict[str, Any] = {}


def _shared_embedder_loader(original: Callable[..., Callable[[], Any]]) -> Callable[..., Callable[[], Any]]:
    def embedder_loader(settings: Any, path: Path) -> Callable[[], Any]:
        key = (str(Path(path).resolve()), settings.embed_backend, settings.embed_precision, str(settings.models_dir))
        load = original(settings, path)

        def shared() -> Any:
            with _lock:
                if key not in _embedders:
                    _embedders[key] = load()
                return _embedders[key]

        return shared

    return embedder_loader


def _shared_generator_loader(original: Callable[..., Callable[[], Any]]) -> Callable[..., Callable[[], Any]]:
    def generator_loader(settings: Any) -> Callable[[], Any]:
        from assistant.models.locate import default_generator_path, resolve_generator, resolve_reader_adapter

        load = original(settings)
        path = resolve_generator(settings)
        adapter = resolve_reader_adapter(settings)
        if path.resolve() != default_generator_path(settings.models_dir).resolve():
            return load  # a --model file: loaded (and closed) as the library does it

        def shared() -> Any:
            with _lock:
                key = f"{path.resolve()} n_ctx={getattr(settings, 'n_ctx', None)} adapter={adapter}"
                if key not in _generators:
                    gen = load()
                    gen.close = lambda: None  # answerers close their model; the shared one stays open
                    _generators[key] = gen
                return _generators[key]

        return shared

    return generator_loader


@pytest.fixture(scope="session", autouse=True)
def _share_models() -> Iterator[None]:
    """Route the library's model loaders to the session's shared models (loaded lazily, on first use)."""
    import assistant.app.api as api
    from assistant.models.generate import Generator

    _ORIGINAL.update(embedder_loader=api.embedder_loader, generator_loader=api.generator_loader)
    patch = pytest.MonkeyPatch()
    patch.setattr(api, "embedder_loader", _shared_embedder_loader(api.embedder_loader))
    patch.setattr(api, "generator_loader", _shared_generator_loader(api.generator_loader))
    yield
    patch.undo()
    for gen in _generators.values():
        Generator.close(gen)
    _generators.clear()
    _embedders.clear()


@pytest.fixture()
def unshared_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library's own loaders for this test (each call loads, checking memory first)."""
    import assistant.app.api as api

    monkeypatch.setattr(api, "embedder_loader", _ORIGINAL["embedder_loader"])
    monkeypatch.setattr(api, "generator_loader", _ORIGINAL["generator_loader"])


@pytest.fixture(scope="session")
def embedder() -> Any:
    """The default embedder, loaded once for the whole run."""
    from assistant.app.api import embedder_loader
    from assistant.config import load_settings
    from assistant.models.locate import resolve_embedder

    settings = load_settings()
    return embedder_loader(settings, resolve_embedder(settings))()


@pytest.fixture(scope="session")
def generator() -> Any:
    """The default generator (Gemma 3 270M with the reader's adapter), loaded once for the whole run;
    ``close`` is a no-op."""
    from assistant.app.api import generator_loader
    from assistant.config import load_settings

    return generator_loader(load_settings())()


@pytest.fixture(scope="session")
def base_generator() -> Any:
    """The default generator without the reader's adapter (the base model), loaded once."""
    from assistant.app.api import generator_loader
    from assistant.config import load_settings

    return generator_loader(load_settings(reader=False))()


# --- the guard: no model in a test not marked `models` -----------------------------------------

_models_allowed = True


@pytest.fixture(autouse=True)
def _no_model_unless_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    global _models_allowed
    if request.node.get_closest_marker("models") is not None:
        yield
        return
    import assistant.app.api as api
    import assistant.models.embed as embed
    import assistant.models.generate as generate
    import assistant.models.openvino as openvino
    import assistant.models.openvino_convert as openvino_convert

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{request.node.nodeid} loads a real model: mark it `@pytest.mark.models`")

    monkeypatch.setattr(generate.Generator, "__init__", refuse)
    monkeypatch.setattr(openvino.OpenVINOEncoder, "__init__", refuse)
    monkeypatch.setattr(openvino_convert, "_convert", refuse)
    monkeypatch.setattr(embed, "load_embedder", refuse)
    monkeypatch.setattr(api, "load_embedder", refuse)
    _models_allowed = False
    try:
        yield
    finally:
        _models_allowed = True


# --- the seed index ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """An index of a copy of seeds/ built with the real default embedder."""
    from assistant.app.api import index_corpus
    from assistant.config import load_settings

    work = tmp_path_factory.mktemp("seedindex")
    corpus = work / "seeds"
    shutil.copytree(SEEDS, corpus)
    settings = load_settings(index_dir=work / "index")
    index_corpus(settings, [corpus], today=TODAY)
    return work / "index"


@pytest.fixture(scope="session")
def seed_search(seed_index: Path):  # type: ignore[no-untyped-def]
    """A SearchIndex over the seed index (the shared embedder)."""
    from assistant.app.api import open_search
    from assistant.config import load_settings

    return open_search(load_settings(index_dir=seed_index))


@pytest.fixture(scope="session")
def seed_answerer(seed_index: Path, generator: Any):  # type: ignore[no-untyped-def]
    """An Answerer over the seed index with the shared embedder and generator."""
    from assistant.app.api import open_answerer
    from assistant.config import load_settings

    return open_answerer(load_settings(index_dir=seed_index))


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `assistant` command and capture its output.

    From a test not marked ``models`` the command runs under tests/no_models/sitecustomize.py:
    loading a model there ends it with exit code 97 and says why on stderr.
    """
    full_env = {**os.environ, **(env or {})}
    if not _models_allowed:
        full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(NO_MODELS_DIR), full_env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=600,
    )
    assert proc.returncode != GUARD_EXIT or "test guard" not in proc.stderr, proc.stderr
    return proc
