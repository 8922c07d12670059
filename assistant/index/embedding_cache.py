"""Embedding in batches, each finished batch kept on disk until a complete generation holds it.

While an indexing run embeds in the background of a searchable (lexical)
generation, every finished batch is written here at once (``<index>/embedding/
batch-NNNNNN.npz``, written to a temporary name and renamed). A run that is
killed and started again looks its chunks up here first, so no finished batch
is embedded twice. A chunk is found by the hash of what the embedder saw (its
title and text) and the embedder's fingerprint. The folder is emptied once a
complete generation is published.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.text.sentences import candidate_spans
from assistant.types import Chunk, Progress

if TYPE_CHECKING:
    import numpy as np

    from assistant.models.embed import Embedder

__all__ = ["EMBED_BATCH", "EmbeddingCache", "Embedded", "assemble", "chunk_key", "embed_in_batches"]

FOLDER = "embedding"


def chunk_key(title: str, text: str) -> str:
    """What identifies a chunk's embedding: a hash of the title and text the embedder is given."""
    return hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()[:32]


@dataclass
class Embedded:
    """One chunk's vector and, when the embedder pools them, its sentences' spans (relative) and vectors."""

    vector: np.ndarray
    spans: list[tuple[int, int]] | None = None
    sentences: np.ndarray | None = None


@dataclass
class EmbeddingCache:
    """The finished batches of ``index_dir`` made by the embedder ``fingerprint``."""

    index_dir: Path
    fingerprint: str
    found: dict[str, Embedded] = field(default_factory=dict)
    persist: bool = True
    """Whether finished batches go to disk; a run too small to publish a searchable generation first
    keeps them in memory (killed, it has nothing published to resume, and little to redo)."""
    _next: int = 0

    @property
    def folder(self) -> Path:
        return self.index_dir / FOLDER

    @property
    def dim(self) -> int:
        """The vectors' dimension (0 while it holds none)."""
        return len(next(iter(self.found.values())).vector) if self.found else 0

    def load(self) -> EmbeddingCache:
        """Read every finished batch; a damaged one or another embedder's is ignored (its chunks are embedded again)."""
        import numpy as np

        self.found.clear()
        files = sorted(self.folder.glob("batch-*.npz")) if self.folder.is_dir() else []
        for path in files:
            try:
                with np.load(path, allow_pickle=False) as data:
                    if str(data["fingerprint"]) != self.fingerprint:
                        continue
                    keys, vectors = data["keys"], data["vectors"]
                    offsets = data["offsets"] if "offsets" in data else None
                    spans = data["spans"] if offsets is not None else None
                    sentences = data["sentences"] if offsets is not None else None
                    for i, key in enumerate(keys):
                        item = Embedded(np.array(vectors[i]))
                        if offsets is not None and spans is not None and sentences is not None:
                            a, b = int(offsets[i]), int(offsets[i + 1])
                            item.spans = [(int(x), int(y)) for x, y in spans[a:b]]
                            item.sentences = np.array(sentences[a:b])
                        self.found[str(key)] = item
            except (OSError, ValueError, KeyError):
                continue
        numbers = [int(p.stem.split("-")[1]) for p in files if p.stem.split("-")[1].isdigit()]
        self._next = max(numbers, default=-1) + 1
        return self

    def save(self, keys: list[str], items: list[Embedded]) -> None:
        """Write one finished batch (atomically, when ``persist``) and remember its chunks."""
        import numpy as np

        if not self.persist:
            self.found.update(zip(keys, items, strict=True))
            return

        self.folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "fingerprint": np.array(self.fingerprint),
            "keys": np.array(keys),
            "vectors": np.stack([it.vector for it in items]).astype(np.float32),
        }
        if items and all(it.spans is not None and it.sentences is not None for it in items):
            counts = [len(it.spans or []) for it in items]
            arrays["offsets"] = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
            arrays["spans"] = np.asarray([s for it in items for s in (it.spans or [])], dtype=np.int64).reshape(-1, 2)
            dim = arrays["vectors"].shape[1]
            parts = [it.sentences for it in items if it.sentences is not None and len(it.sentences)]
            arrays["sentences"] = np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, dim), np.float32)
        final = self.folder / f"batch-{self._next:06d}.npz"
        tmp = final.with_suffix(".tmp.npz")
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        self._next += 1
        self.found.update(zip(keys, items, strict=True))

    def clear(self) -> None:
        """Forget every batch: a complete generation now holds them."""
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)
        self.found.clear()
        self._next = 0


EMBED_BATCH = 256
"""Chunks embedded, then written to the embedding cache, at a time: a kill loses at most one batch."""


def embed_in_batches(
    embedder: Embedder,
    chunks: list[Chunk],
    titles: list[str],
    keys: list[str],
    texts: dict[str, str],
    cache: EmbeddingCache,
    progress: Progress | None,
) -> None:
    """Embed ``chunks`` (with their sentences when the embedder pools them), saving each finished batch in ``cache``."""
    tick = progress("embedding", len(chunks)) if progress else None
    pools = bool(getattr(embedder, "pools_spans", False))
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].text))  # like lengths batch fastest
    for lo in range(0, len(order), EMBED_BATCH):
        part = order[lo : lo + EMBED_BATCH]
        batch = [chunks[i] for i in part]
        names = [titles[i] for i in part]
        if pools:
            spans = [candidate_spans(texts[c.doc_id], c.start, c.end) for c in batch]
            relative = [[(a - c.start, b - c.start) for a, b in s] for c, s in zip(batch, spans, strict=True)]
            vecs, pooled = embedder.encode_documents_with_sentences([c.text for c in batch], names, relative, progress=tick)
            items = [Embedded(v, r, p) for v, r, p in zip(vecs, relative, pooled, strict=True)]
        else:
            vecs = embedder.encode_documents([c.text for c in batch], names, progress=tick)
            items = [Embedded(v) for v in vecs]
        cache.save([keys[i] for i in part], items)


def assemble(
    chunks: list[Chunk], keys: list[str], cache: EmbeddingCache, dim: int, *, missing_ok: bool = False
) -> tuple[np.ndarray, tuple[list[list[tuple[int, int]]], list[np.ndarray]] | None]:
    """The new chunks' vectors (zeros where not embedded yet, with ``missing_ok``) and their sentences'
    absolute spans and vectors (None when the embedder made none; none yet where not embedded)."""
    import numpy as np

    vecs = np.zeros((len(chunks), dim), dtype=np.float32)
    spans: list[list[tuple[int, int]]] = []
    pooled: list[np.ndarray] = []
    has_sentences = True
    for i, (chunk, key) in enumerate(zip(chunks, keys, strict=True)):
        item = cache.found.get(key)
        if item is None:
            if not missing_ok:
                raise KeyError(key)  # unreachable: every chunk was embedded or found
            spans.append([])
            pooled.append(np.zeros((0, dim), dtype=np.float32))
            continue
        vecs[i] = item.vector
        if item.spans is None or item.sentences is None:
            has_sentences = False
            continue
        spans.append([(a + chunk.start, b + chunk.start) for a, b in item.spans])
        pooled.append(item.sentences)
    return vecs, ((spans, pooled) if has_sentences else None)
