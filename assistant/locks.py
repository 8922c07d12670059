"""One inter-process file lock (the ``filelock`` package), used by the index writer and the model caches."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def file_lock(path: Path, *, busy: Callable[[str], Exception] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing; it stays after release).

    Without ``busy`` this waits for another holder to let go. With it the lock is tried once and,
    if another process holds it, ``busy(holder)`` is raised: ``holder`` is what that process
    wrote in the file ("pid 123"), or "another process". The holder writes "pid <its pid>" into
    the file while it holds the lock and clears it on release.
    """
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    before = _holder(path) if busy is not None else ""  # read first: old filelock versions truncate on trying
    lock = FileLock(str(path), timeout=-1 if busy is None else 0)
    try:
        lock.acquire()
    except Timeout:
        assert busy is not None
        raise busy(_holder(path) or before or "another process") from None
    try:
        _write(path, f"pid {os.getpid()}")
        yield
    finally:
        try:
            _write(path, "")
        finally:
            lock.release()


def holder(path: Path) -> str:
    """Who holds the lock file ``path`` now ("pid 123"), or "" when nobody does."""
    from filelock import FileLock, Timeout

    if not path.exists():
        return ""
    lock = FileLock(str(path), timeout=0)
    before = _holder(path)
    try:
        lock.acquire()
    except Timeout:
        return _holder(path) or before or "another process"
    lock.release()
    return ""


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return ""


def _write(path: Path, text: str) -> None:
    with open(path, "r+", encoding="utf-8") as fh:
        fh.truncate()
        fh.write(text)
        fh.flush()
