"""Build and update the index: ingest -> chunk -> embed -> FAISS + BM25, incrementally.

Only new or changed documents are chunked and embedded; vectors of unchanged
documents are reused; deleted documents drop out. Every run writes a whole
new generation (see store.py), so an interrupted run leaves the last one live.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import store
from assistant.chunking import chunk_document
from assistant.config import Settings
from assistant.errors import CorpusError, IndexMismatch
from assistant.ingest import ingest
from assistant.lexical import build_bm25
from assistant.types import Chunk, Document, SkippedFile

if TYPE_CHECKING:
    import numpy as np

    from assistant.embed import Embedder

ProgressFactory = Callable[[str, int], Callable[[int], None]]
"""Given a label and a total, returns a function to call with each step's size."""

PIPELINE_VERSION = 1
"""Bump when ingestion, chunking or tokenisation changes what an index holds."""


@dataclass
class IndexStats:
    """What an indexing run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = False

    def summary(self) -> str:
        """One human line."""
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{self.unchanged} unchanged",
            f"{len(self.skipped)} skipped",
        ]
        return f"indexed: {', '.join(parts)}; {self.chunks} chunks ({self.embedded_chunks} embedded) in {self.seconds:.1f}s"


def index_config(settings: Settings, embedder_path: Path) -> dict[str, Any]:
    """The settings an index depends on; a loaded index must match them exactly."""
    from assistant.embed import embedder_fingerprint

    return {
        "pipeline": PIPELINE_VERSION,
        "embedder": {"name": embedder_path.name, "fingerprint": embedder_fingerprint(embedder_path)},
        "chunking": {"chunk_chars": settings.chunk_chars, "chunk_overlap": settings.chunk_overlap},
    }


def check_compatible(manifest: dict[str, Any], config: dict[str, Any], index_dir: Path) -> None:
    """Refuse an index built with another embedder, chunking or pipeline version."""
    built = manifest.get("config", {})
    for key, what in (("embedder", "embedder"), ("chunking", "chunk settings"), ("pipeline", "pipeline version")):
        if built.get(key) != config[key]:
            raise IndexMismatch(
                f"the index in {index_dir} was built with another {what} ({_short(built.get(key))}, now {_short(config[key])})",
                hint=f"rebuild it with `assistant index --rebuild --index-dir {index_dir}`",
            )


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


@dataclass
class _Previous:
    manifest: dict[str, Any]
    docs: dict[str, Document]
    chunks: dict[str, list[tuple[Chunk, int]]]  # doc_id -> (chunk, row in vectors)
    vectors: np.ndarray


def _load_previous(index_dir: Path) -> _Previous | None:
    import numpy as np

    try:
        gen = store.current_generation(index_dir)
    except store.IndexMissing:
        return None
    manifest = store.read_manifest(gen)
    docs = {d.doc_id: d for d in map(store.document_from_row, store.read_jsonl(gen / "documents.jsonl"))}
    vectors = np.load(gen / "vectors.npy", mmap_mode="r")
    by_doc: dict[str, list[tuple[Chunk, int]]] = {}
    for row_no, row in enumerate(store.read_jsonl(gen / "chunks.jsonl")):
        chunk = store.chunk_from_row(row, docs)
        by_doc.setdefault(chunk.doc_id, []).append((chunk, row_no))
    return _Previous(manifest, docs, by_doc, vectors)


def build_index(
    settings: Settings,
    paths: list[Path] | None,
    *,
    embedder_path: Path,
    load_embedder: Callable[[], Embedder],
    rebuild: bool = False,
    progress: ProgressFactory | None = None,
    today: dt.date | None = None,
) -> IndexStats:
    """Bring the index in ``settings.index_dir`` in line with the corpus at ``paths``.

    ``paths`` None means the folders indexed last time, or ``settings.corpus``.
    The embedder is loaded only when something needs embedding.
    """
    import numpy as np

    started = time.perf_counter()
    index_dir = settings.index_dir
    config = index_config(settings, embedder_path)
    stats = IndexStats()
    with store.write_lock(index_dir):
        prev = None if rebuild else _load_previous(index_dir)
        if prev is not None:
            check_compatible(prev.manifest, config, index_dir)
        roots = _roots(paths, prev, settings)
        report = ingest(roots, today=today)
        stats.skipped = report.skipped + getattr(report, "warnings", [])
        if not report.documents and not report.skipped:
            raise CorpusError(f"no .txt or .md articles under {', '.join(map(str, roots))}")

        docs = report.documents
        seen = {d.doc_id for d in docs}
        kept_chunks: list[Chunk] = []
        kept_rows: list[int] = []
        new_chunks: list[Chunk] = []
        titles_for_new: list[str] = []
        order: list[tuple[str, int]] = []  # ("old", row) or ("new", i) in final chunk order
        for doc in docs:
            old = prev.docs.get(doc.doc_id) if prev else None
            if prev is not None and old is not None and old.content_hash == doc.content_hash:
                stats.unchanged += 1
                for chunk, row in prev.chunks.get(doc.doc_id, []):
                    order.append(("old", len(kept_rows)))
                    kept_chunks.append(chunk)
                    kept_rows.append(row)
                continue
            (stats.updated if old is not None else stats.added).append(doc.doc_id)
            for chunk in chunk_document(doc, chunk_chars=settings.chunk_chars, overlap=settings.chunk_overlap):
                order.append(("new", len(new_chunks)))
                new_chunks.append(chunk)
                titles_for_new.append(doc.title)
        stats.removed = sorted(set(prev.docs) - seen) if prev else []

        if prev is not None and not (stats.added or stats.updated or stats.removed) and not rebuild:
            if [str(r) for r in roots] == prev.manifest.get("roots"):
                stats.chunks = len(kept_chunks)
                stats.seconds = time.perf_counter() - started
                return stats

        dim = int(prev.vectors.shape[1]) if prev is not None and len(prev.vectors) else 0
        new_vecs: np.ndarray | None = None
        if new_chunks:
            embedder = load_embedder()
            tick = progress("embedding", len(new_chunks)) if progress else None
            new_vecs = embedder.encode_documents(
                [c.text for c in new_chunks], titles_for_new, progress=tick
            )
            dim = new_vecs.shape[1]
            stats.embedded_chunks = len(new_chunks)
        if dim == 0:
            dim = load_embedder().dim

        chunks: list[Chunk] = []
        vectors = np.zeros((len(order), dim), dtype=np.float32)
        for i, (kind, j) in enumerate(order):
            if kind == "old":
                assert prev is not None
                chunks.append(kept_chunks[j])
                vectors[i] = prev.vectors[kept_rows[j]]
            else:
                assert new_vecs is not None
                chunks.append(new_chunks[j])
                vectors[i] = new_vecs[j]
        _write_generation(index_dir, config, roots, docs, chunks, vectors)
        stats.chunks = len(chunks)
        stats.written = True
        stats.seconds = time.perf_counter() - started
        return stats


def _roots(paths: list[Path] | None, prev: _Previous | None, settings: Settings) -> list[Path]:
    if paths:
        roots = [p.expanduser().resolve() for p in paths]
    elif prev is not None and prev.manifest.get("roots"):
        roots = [Path(r) for r in prev.manifest["roots"]]
    else:
        roots = [settings.corpus.expanduser().resolve()]
    for root in roots:
        if not root.exists():
            raise CorpusError(f"corpus path not found: {root}", hint="give an existing folder or file to `assistant index`")
    return roots


def _write_generation(
    index_dir: Path,
    config: dict[str, Any],
    roots: list[Path],
    docs: list[Document],
    chunks: list[Chunk],
    vectors: np.ndarray,
) -> None:
    import faiss
    import numpy as np

    gen = store.new_generation(index_dir)
    try:
        store.write_jsonl(gen / "documents.jsonl", [store.document_to_row(d) for d in docs])
        store.write_jsonl(gen / "chunks.jsonl", [store.chunk_to_row(c) for c in chunks])
        np.save(gen / "vectors.npy", vectors)
        dense = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            dense.add(vectors)
        faiss.write_index(dense, str(gen / "dense.faiss"))
        titles = {d.doc_id: d.title for d in docs}
        build_bm25([c.text for c in chunks], [titles[c.doc_id] for c in chunks], gen / "bm25")
        counts: dict[str, int] = {}
        for c in chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        store.write_manifest(
            gen,
            {
                "format": store.FORMAT_VERSION,
                "config": config,
                "dim": int(vectors.shape[1]),
                "roots": [str(r) for r in roots],
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "counts": {"documents": len(docs), "chunks": len(chunks)},
                "documents": {d.doc_id: {"hash": d.content_hash, "chunks": counts.get(d.doc_id, 0)} for d in docs},
            },
        )
        store.publish(index_dir, gen)
    except BaseException:
        import shutil

        shutil.rmtree(gen, ignore_errors=True)
        raise
