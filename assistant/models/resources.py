"""Before and while a model loads: memory checks (an out-of-memory risk is a clear message, not a
kill), and keeping the loaders' chatter off stderr.

The estimate is deliberately simple: a model needs about its weight files'
size in memory (llama.cpp maps the GGUF file; torch reads the safetensors),
plus room for activations and the key/value cache.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import ModelTooLarge

MIB = 2**20
OVERHEAD_FACTOR = 1.2
"""Weights are multiplied by this for runtime copies, activations and the KV cache..."""
OVERHEAD_BYTES = 256 * MIB
"""...and this much is added for buffers and the interpreter's own growth."""


def _meminfo_available(meminfo: Path) -> int | None:
    try:
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_available(cgroup: Path) -> int | None:
    try:
        limit = (cgroup / "memory.max").read_text(encoding="ascii").strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((cgroup / "memory.current").read_text(encoding="ascii").strip()))
    except (OSError, ValueError):
        return None


def available_memory(meminfo: Path = Path("/proc/meminfo"), cgroup: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes a new allocation can get without swapping (the lower of the system's and the cgroup's), or None."""
    found = [b for b in (_meminfo_available(meminfo), _cgroup_available(cgroup)) if b is not None]
    if not found:
        try:
            found = [os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")]
        except (OSError, ValueError):
            return None
    return min(found)


def model_bytes(path: Path) -> int:
    """Size of a model on disk: a GGUF file, or the weight files of a model folder."""
    if path.is_file():
        return path.stat().st_size
    weights = [p for p in path.rglob("*") if p.is_file() and p.suffix in (".safetensors", ".bin", ".pt", ".gguf")]
    return sum(p.stat().st_size for p in weights)


def memory_needed(path: Path) -> int:
    """Estimated bytes of memory needed to load and run the model at ``path``."""
    return int(model_bytes(path) * OVERHEAD_FACTOR) + OVERHEAD_BYTES


def check_memory(what: str, path: Path, *, available: int | None = None) -> None:
    """Raise ModelTooLarge when loading ``path`` would not fit in the memory available now.

    ``available`` defaults to the machine's reading; an unknown reading passes.
    """
    free = available_memory() if available is None else available
    need = memory_needed(path)
    if free is not None and need > free:
        raise ModelTooLarge(
            f"loading the {what} {path.name} needs about {need // MIB:,} MiB of memory, "
            f"but only {free // MIB:,} MiB are available",
            hint="close other programs, or choose a smaller model (--model for the generator)",
        )


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """Hide transformers' weight-loading bar and chatter: stderr is for our own progress and errors."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
