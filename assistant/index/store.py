"""The on-disk index: immutable generations swapped in atomically, behind a lock.

Layout of an index directory::

    CURRENT              name of the live generation, replaced atomically
    .lock                held (assistant.locks) by the one process writing
    gen-<time>-<pid>/    manifest.json, documents.jsonl, chunks.jsonl,
                         vectors.npy, dense.faiss (quantised indexes only), bm25/, and (when the embedder
                         pools spans) the sentence store (sentences.py), whose
                         segment files are hard links shared between generations

A writer builds a complete new generation, fsyncs it, then swaps CURRENT.
Readers resolve CURRENT once, so they always see a whole generation: the old
one or the new one, never a half-written mix.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from assistant.errors import IndexCorrupt, IndexLocked, IndexMismatch, IndexMissing
from assistant.index.manifest import Manifest
from assistant.locks import file_lock
from assistant.types import Chunk, Document, PubDate, Span

def current_generation(index_dir: Path) -> Path:
    """The live generation's folder, or IndexMissing."""
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        raise IndexMissing(f"no index in {index_dir}", hint="build it with `assistant index`")
    name = pointer.read_text(encoding="utf-8").strip()
    gen = index_dir / name
    if not name.startswith("gen-") or not gen.is_dir():
        raise IndexCorrupt(
            f"index pointer {pointer} names a missing generation {name!r}",
            hint="rebuild with `assistant index --rebuild`",
        )
    return gen


@contextlib.contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's writer lock, or raise IndexLocked at once."""

    def busy(holder: str) -> IndexLocked:
        return IndexLocked(
            f"the index in {index_dir} is being written by {holder}",
            hint="wait for that `assistant index` run to finish",
        )

    with file_lock(index_dir / ".lock", busy=busy):
        yield


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty, not-yet-live generation folder."""
    gen = index_dir / f"gen-{time.time_ns()}-{os.getpid()}"
    gen.mkdir(parents=True)
    return gen


def _fsync_tree(folder: Path) -> None:
    """fsync every file written into ``folder``; a file with other links is one an earlier, already
    synced generation wrote (a shared segment), so only the directory entry is new."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.stat().st_nlink == 1:
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation atomically, then prune old ones."""
    _fsync_tree(gen)
    pointer = index_dir / "CURRENT"
    try:
        previous = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        previous = ""
    tmp = index_dir / f".CURRENT.{os.getpid()}.tmp"
    tmp.write_text(gen.name, encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, pointer)
    _fsync_dir(index_dir)
    prune(index_dir, keep={gen.name, previous})


def prune(index_dir: Path, keep: set[str]) -> None:
    """Remove every generation but ``keep`` (the live one and the one it replaced, which readers
    that resolved CURRENT a moment ago may still be reading) and leftovers of interrupted runs.

    Called with the lock held. A generation an interrupted run left half-written is never kept.
    """
    for gen in index_dir.glob("gen-*"):
        if gen.is_dir() and gen.name not in keep:
            shutil.rmtree(gen, ignore_errors=True)
    for tmp in index_dir.glob(".CURRENT.*.tmp"):
        tmp.unlink(missing_ok=True)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any] | str]) -> None:
    """Write one JSON object per line, UTF-8; a str row is a line read_jsonl_lines returned, written as it is."""
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False))
            fh.write("\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file written by write_jsonl; damage becomes IndexCorrupt."""
    return read_jsonl_lines(path)[0]


def read_jsonl_lines(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of a JSONL file and, aligned with them, their lines (so unchanged rows are rewritten
    without encoding them again); damage becomes IndexCorrupt."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = [line for line in fh.read().split("\n") if line.strip()]
        return [json.loads(line) for line in lines], lines
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"cannot read {path.name}: {exc}", hint="rebuild with `assistant index --rebuild`") from None


def document_to_row(doc: Document) -> dict[str, Any]:
    """A document (text included) as one JSONL row."""
    return {
        **doc.meta(),
        "text": doc.text,
        "boilerplate": [[s.start, s.end] for s in doc.boilerplate],
    }


def document_from_row(row: dict[str, Any]) -> Document:
    """Inverse of document_to_row."""
    return Document(
        doc_id=row["doc_id"],
        path=row["path"],
        text=row["text"],
        title=row["title"],
        outlet=row.get("outlet"),
        date=PubDate.parse(row["date"]) if row.get("date") else None,
        date_source=row.get("date_source"),
        content_hash=row["content_hash"],
        boilerplate=tuple(Span(a, b) for a, b in row.get("boilerplate", [])),
        url=row.get("url"),
        author=row.get("author"),
        fetched=PubDate.parse(row["fetched"]) if row.get("fetched") else None,
    )


def chunk_to_row(chunk: Chunk) -> dict[str, Any]:
    """A chunk as a JSONL row; its text is re-sliced from the document on load."""
    return {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "start": chunk.start, "end": chunk.end}


def chunk_from_row(row: dict[str, Any], docs: dict[str, Document], search_text: str = "") -> Chunk:
    """Inverse of chunk_to_row, slicing the text from its document."""
    doc = docs.get(row["doc_id"])
    if doc is None or not 0 <= row["start"] < row["end"] <= len(doc.text):
        raise IndexCorrupt(
            f"chunk {row.get('chunk_id')!r} does not match the document store",
            hint="rebuild with `assistant index --rebuild`",
        )
    return Chunk(
        chunk_id=row["chunk_id"],
        doc_id=row["doc_id"],
        start=row["start"],
        end=row["end"],
        text=doc.text[row["start"] : row["end"]],
        search_text=search_text,
    )


def load_vectors(gen: Path) -> Any:
    """A generation's vectors.npy, memory-mapped; a damaged file is IndexCorrupt."""
    import numpy as np

    try:
        return np.load(gen / "vectors.npy", mmap_mode="r")
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(
            f"damaged vectors.npy in {gen}: {exc}",
            hint=f"rebuild with `assistant index --rebuild --index-dir {gen.parent}`",
        ) from None


def save_copies(gen: Path, groups: list[list[str]]) -> None:
    """The generation's groups of wire copies (copies.json), each earliest first."""
    (gen / "copies.json").write_text(json.dumps({"groups": groups}, ensure_ascii=False), encoding="utf-8")


def load_copies(gen: Path) -> list[list[str]]:
    """The generation's groups of wire copies; none for an index from before they were found."""
    try:
        data = json.loads((gen / "copies.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"damaged copies.json in {gen}: {exc}", hint="run `assistant index --rebuild`") from None
    return [list(map(str, g)) for g in data.get("groups", [])]


def save_pending(gen: Path, pending: Any) -> None:
    """Mark a generation's rows that are not embedded yet (pending.npy, one bool a chunk)."""
    import numpy as np

    np.save(gen / "pending.npy", np.asarray(pending, dtype=bool))


def load_pending(gen: Path, manifest: Manifest, n_chunks: int) -> Any:
    """The rows of a generation not embedded yet (a bool array), or None when every row is; damage is IndexCorrupt."""
    import numpy as np

    if not manifest.pending:
        return None
    try:
        pending = np.load(gen / "pending.npy")
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"damaged pending.npy in {gen}: {exc}", hint="run `assistant index` to finish embedding") from None
    if pending.shape != (n_chunks,) or int(pending.sum()) != manifest.pending:
        raise IndexCorrupt(f"pending.npy in {gen} does not match the manifest", hint="run `assistant index --rebuild`")
    return pending


def dimension_mismatch(index_dir: Path, stored: int, made: int) -> IndexMismatch:
    """The error for an embedder whose vectors are not the index's size."""
    return IndexMismatch(
        f"the index in {index_dir} holds {stored}-dimensional vectors; the embedder makes {made}",
        hint=f"rebuild it with `assistant index --rebuild --index-dir {index_dir}`",
    )


def check_generation(
    gen: Path,
    manifest: Manifest,
    docs: dict[str, Document],
    *,
    n_chunks: int,
    vector_shape: tuple[int, ...],
) -> None:
    """Refuse a generation whose parts disagree with each other or with its manifest (IndexCorrupt)."""
    problems = []
    if len(vector_shape) != 2 or vector_shape[0] != n_chunks:
        problems.append(f"{n_chunks} chunks but vectors of shape {tuple(vector_shape)}")
    elif vector_shape[1] != manifest.dim:
        problems.append(f"{vector_shape[1]}-dimensional vectors, manifest says {manifest.dim}")
    counts = manifest.counts
    if counts.chunks != n_chunks or counts.documents != len(docs):
        problems.append(f"{len(docs)} documents and {n_chunks} chunks, manifest says {counts.model_dump()}")
    if {k: v.hash for k, v in manifest.documents.items()} != {d.doc_id: d.content_hash for d in docs.values()}:
        problems.append("the document store does not match the manifest")
    if problems:
        raise IndexCorrupt(
            f"index parts disagree in {gen}: {problems[0]}",
            hint=f"rebuild with `assistant index --rebuild --index-dir {gen.parent}`",
        )
