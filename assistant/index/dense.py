"""The dense side of the index: a FAISS index whose type is chosen by size, and exact re-ranking.

Up to ``FLAT_MAX_ROWS`` chunks the search is exact: a scan of the
memory-mapped ``vectors.npy`` itself (NumPy's BLAS product; 11 ms at 43k
768-d vectors against 15 ms for FAISS's ``IndexFlatIP``), so no second copy
of the vectors is written beside it, and re-indexing one article does not
rewrite one. Above that, an exact scan costs too much (about 0.5 s per query
at a million 768-dimensional vectors on two cores), so the index is a 4-bit
product quantiser scanned with FAISS's SIMD "fast-scan" kernels
(``PQ{d/2}x4fs``: 2 dimensions per sub-quantiser, d/4 bytes a vector, 1/16 of
the float vectors). It is scanned exhaustively -- no clustering, so no
partition can be missed -- for the ``RERANK`` best candidates, which are then
re-scored exactly against the float vectors in ``vectors.npy`` (memory-mapped:
only those rows are read). Scores returned are always exact cosines, whatever
the type.

Why not HNSW or IVF (measured, see benchmarks/scale.py and docs/scaling.md):
on two cores an HNSW graph over a million 768-d vectors takes well over ten
minutes to build, and both HNSW and IVF lose most of their recall on vectors
without cluster structure (recall@10 0.13-0.29 at 100k random vectors), while
the quantised exhaustive scan plus exact re-ranking keeps recall@10 at 1.0 on
random and clustered vectors alike.

Filters (date windows, article restrictions) are a boolean mask over rows.
The exact scan scores only the allowed rows. The fast-scan index cannot take
a selector, so a small allowed set (``EXACT_MAX_ROWS`` rows or
fewer) is searched exactly over its own rows, and a larger one is post-filtered
from a candidate list widened in proportion to how much the mask removes,
doubling until enough allowed candidates are found (at worst the whole index).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexCorrupt
from assistant.index.manifest import DenseInfo

if TYPE_CHECKING:
    import numpy as np

FLAT_MAX_ROWS = 100_000
"""Largest index kept exact: a flat scan of 100k 768-d vectors takes about 40 ms on two cores."""
RERANK = 2000
"""Fast-scan candidates re-scored exactly (recall@10 against exact search 1.0 at 1M random vectors)."""
EXACT_MAX_ROWS = 20_000
"""A filter leaving at most this many rows (a month of a 1M-chunk archive) is searched exactly over those rows."""
TRAIN_ROWS = 20_000
"""Vectors sampled to train the product quantiser (16 centroids per sub-quantiser need few)."""
FILE = "dense.faiss"
"""The fast-scan index's file (an exact index has none; older generations' flat file is ignored)."""
FAISS_THREADS = 1
"""FAISS's OpenMP threads. One: a single query gains nothing from more, and OpenMP's busy-waiting
threads collapse when the cores are shared (measured on 2 busy cores: PQ training 33 s with 2
threads vs 4 s with 1; a 20k flat scan 32 ms vs 6 ms)."""


def _faiss() -> Any:
    import faiss

    faiss.omp_set_num_threads(FAISS_THREADS)
    return faiss


def choose_type(n_rows: int) -> str:
    """The index type for ``n_rows`` vectors: ``flat`` (exact) or ``pq-fastscan`` (quantised + exact re-rank)."""
    return "flat" if n_rows <= FLAT_MAX_ROWS else "pq-fastscan"


def _factory(kind: str, dim: int) -> str:
    if kind == "flat":
        return "Flat"
    sub = dim // 2 if dim % 2 == 0 else dim
    return f"PQ{sub}x4fs"


def build(vectors: np.ndarray, folder: Path, *, kind: str | None = None) -> DenseInfo:
    """Build the dense index over ``vectors`` (unit rows) into ``folder/dense.faiss`` (an exact index
    writes nothing: it is a scan of the vectors); returns its manifest entry."""
    import numpy as np

    started = time.perf_counter()
    n, dim = vectors.shape
    kind = kind or choose_type(n)
    factory = _factory(kind, dim)
    if kind == "flat":  # searched straight from vectors.npy
        return DenseInfo(type=kind, factory=factory, build_seconds=round(time.perf_counter() - started, 2))
    faiss = _faiss()
    index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(n, size=min(n, TRAIN_ROWS), replace=False))
    index.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
    for start in range(0, n, 65536):  # in slices: a memory-mapped source is never copied whole
        index.add(np.ascontiguousarray(vectors[start : start + 65536], dtype=np.float32))
    faiss.write_index(index, str(folder / FILE))
    return DenseInfo(type=kind, factory=factory, build_seconds=round(time.perf_counter() - started, 2), rerank=RERANK)


@dataclass
class DenseIndex:
    """A generation's dense index, ready to search; the fast-scan index is read on first use."""

    path: Path
    info: DenseInfo
    vectors: np.ndarray
    _index: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, gen: Path, info: DenseInfo | None, vectors: np.ndarray) -> DenseIndex:
        """Open ``gen``'s dense index from its manifest entry; None (an index from before the choice) is flat."""
        info = info or DenseInfo()
        if info.type not in ("flat", "pq-fastscan"):
            raise IndexCorrupt(
                f"unknown dense index type {info.type!r} in {gen}",
                hint=f"rebuild with `assistant index --rebuild --index-dir {gen.parent}`",
            )
        return cls(gen / FILE, info, vectors)

    @property
    def kind(self) -> str:
        """``flat`` or ``pq-fastscan``."""
        return self.info.type

    @property
    def d(self) -> int:
        """Vector dimension."""
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    @property
    def ntotal(self) -> int:
        """Number of vectors (the FAISS index's own count once it is loaded)."""
        return int(self._index.ntotal) if self._index is not None else int(self.vectors.shape[0])

    def load(self) -> Any:
        """The fast-scan FAISS index, read now if it was not yet (memory-mapped where FAISS allows)."""
        if self._index is None:
            faiss = _faiss()
            try:
                index = faiss.read_index(str(self.path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
            except RuntimeError:
                raise IndexCorrupt(
                    f"the vector index {self.path} is damaged (truncated or not a FAISS file)",
                    hint=f"rebuild with `assistant index --rebuild --index-dir {self.path.parent.parent}`",
                ) from None
            if index.ntotal != self.vectors.shape[0] or index.d != self.d:
                raise IndexCorrupt(
                    f"the vector index {self.path} holds {index.ntotal} vectors of {index.d} dimensions, "
                    f"vectors.npy {self.vectors.shape[0]} of {self.d}",
                    hint=f"rebuild with `assistant index --rebuild --index-dir {self.path.parent.parent}`",
                )
            self._index = index
        return self._index

    def search(self, qvec: np.ndarray, pool: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``pool`` rows most similar to ``qvec`` (1 x d) among ``allowed`` (a row mask; None: all).

        Returns (rows, exact cosine scores), best first.
        """
        import numpy as np

        n = self.ntotal
        ids = None if allowed is None else np.flatnonzero(allowed)
        m = n if ids is None else len(ids)
        pool = min(pool, m)
        if pool <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self.kind == "flat":
            return self._search_flat(qvec, pool, ids)
        if ids is not None and m <= EXACT_MAX_ROWS:
            return self._exact(qvec, ids, pool)
        want = min(RERANK, m)
        k = min(n, max(RERANK, math.ceil(RERANK * n / m)))
        while True:
            _, cand = self.load().search(qvec, k)
            cand = cand[0][cand[0] >= 0]
            if allowed is not None:
                cand = cand[allowed[cand]]
            if len(cand) >= want or k >= n:
                return self._exact(qvec, np.sort(cand[:RERANK]), pool)
            k = min(n, 2 * k)

    def _search_flat(self, qvec: np.ndarray, pool: int, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Exact search: every row (or every allowed row) scored against the float vectors."""
        import numpy as np

        if ids is not None:
            return self._exact(qvec, ids, pool)
        scores = np.asarray(self.vectors @ qvec[0].astype(np.float32), dtype=np.float32)
        top = _best(scores, pool)
        return top, scores[top]

    def _exact(self, qvec: np.ndarray, rows: np.ndarray, pool: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosine of ``rows`` (sorted) against the float vectors; the ``pool`` best."""
        import numpy as np

        scores = np.asarray(self.vectors[rows], dtype=np.float32) @ qvec[0].astype(np.float32)
        top = _best(scores, pool)
        return rows[top].astype(np.int64), scores[top]


def _best(scores: np.ndarray, pool: int) -> np.ndarray:
    """Positions of the ``pool`` highest ``scores``, best first, ties by position."""
    import numpy as np

    best = np.argpartition(-scores, pool - 1)[:pool] if pool < len(scores) else np.arange(len(scores))
    return best[np.lexsort((best, -scores[best]))].astype(np.int64)
