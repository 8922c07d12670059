"""Shared fixtures: the real default models and an index of the real seeds, built once."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DEV = ROOT / "tests" / "data" / "dev.jsonl"
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
    """A SearchIndex over the seed index, embedder loaded once for the session."""
    from assistant.app.api import open_search
    from assistant.config import load_settings

    return open_search(load_settings(index_dir=seed_index))


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `assistant` command and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=600,
    )
