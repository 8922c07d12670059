"""Hybrid retrieval: dense (FAISS) + BM25, fused with reciprocal rank fusion, date-aware.

Date rule when the question names a window: only articles dated inside it are
eligible; undated articles are used only when no dated article in the window
matches; articles dated outside it are never returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.index import store
from assistant.index.copies import Copies
from assistant.index.dense import DenseIndex
from assistant.errors import IndexCorrupt
from assistant.index.manifest import Manifest, check_compatible, index_config, read_manifest
from assistant.config import SearchSettings, Settings
from assistant.index.lexical import Bm25Index
from assistant.index.sentence_store import SentenceStore
from assistant.retrieve.query import Query
from assistant.text.arabic import tokenize
from assistant.types import Chunk, DateRule, DateWindow, Document, Hit, SearchResult

if TYPE_CHECKING:
    import numpy as np

    from assistant.models.embed import Embedder

@dataclass
class SearchIndex:
    """A loaded index generation ready to answer queries; load once, query many times."""

    index_dir: Path
    manifest: Manifest
    docs: dict[str, Document]
    chunks: list[Chunk]
    dense: DenseIndex
    bm25: Bm25Index
    embedder_loader: Callable[[], Embedder]
    tuning: SearchSettings = field(default_factory=SearchSettings)
    """Fusion weights and pools (settings.search)."""
    sentences: SentenceStore | None = None
    """Each chunk's candidate sentences with vectors made at index time (None: embed them when asked)."""
    pending: np.ndarray | None = None
    """Rows not embedded yet (indexing still running): found by BM25 only, never by the dense ranking."""
    copies: Copies = field(default_factory=Copies)
    """Wire copies: a story several outlets printed is returned once, the other prints named with it."""
    _rows: dict[str, int] = field(default_factory=dict)
    _embedder: Embedder | None = None
    _doc_rows: dict[str, np.ndarray] = field(default_factory=dict)
    _dates: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def open(cls, settings: Settings, embedder_path: Path, embedder_loader: Callable[[], Embedder]) -> SearchIndex:
        """Load the live generation, refusing one built with other settings or damaged."""
        gen = store.current_generation(settings.index_dir)
        manifest = read_manifest(gen)
        check_compatible(manifest, index_config(settings, embedder_path), settings.index_dir)
        docs = {d.doc_id: d for d in map(store.document_from_row, store.read_jsonl(gen / "documents.jsonl"))}
        chunks = [store.chunk_from_row(r, docs) for r in store.read_jsonl(gen / "chunks.jsonl")]
        dense = DenseIndex.open(gen, manifest.dense, store.load_vectors(gen))
        bm25 = Bm25Index.load(gen / "bm25")
        if dense.ntotal != len(chunks) or bm25.size != len(chunks) or dense.d != manifest.dim:
            raise IndexCorrupt(
                f"index parts disagree in {gen} ({len(chunks)} chunks, {dense.ntotal} vectors, {bm25.size} BM25 rows)",
                hint="rebuild with `assistant index --rebuild`",
            )
        sentences = SentenceStore.load(gen, n_chunks=len(chunks), dim=dense.d)
        pending = store.load_pending(gen, manifest, len(chunks))
        return cls(
            settings.index_dir, manifest, docs, chunks, dense, bm25, embedder_loader, settings.search,
            sentences=sentences, pending=pending, copies=Copies.of(store.load_copies(gen)),
        )

    @property
    def missing(self) -> str | None:
        """What this generation cannot search yet, in a line (None when it is complete)."""
        if self.pending is None:
            return None
        n = int(self.pending.sum())
        return f"{n:,} of {len(self.chunks):,} passages not embedded yet: found by their words only (`assistant index` finishes them)"

    def embed(self, query: Query) -> Query:
        """The query with its unit vector (computed once; a query that has one is returned as is)."""
        if query.vector is not None:
            return query
        return query.with_vector(self.embedder.encode_queries([query.text])[0])

    def sentence_vectors(self, chunk: Chunk) -> dict[tuple[int, int], np.ndarray]:
        """The index-time vectors of a chunk's candidate sentences, by (start, end); empty if the index has none."""
        if self.sentences is None:
            return {}
        if not self._rows:
            self._rows = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        row = self._rows.get(chunk.chunk_id)
        if row is None:
            return {}
        spans, vecs = self.sentences.of_chunk(row)
        return {(int(a), int(b)): vecs[i] for i, (a, b) in enumerate(spans)}

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            embedder = self.embedder_loader()
            if embedder.dim != self.dense.d:
                raise store.dimension_mismatch(self.index_dir, self.dense.d, embedder.dim)
            self._embedder = embedder
        return self._embedder

    def search(self, query: Query | str, *, k: int, today: dt.date | None = None) -> SearchResult:
        """Top-k passages for a query, within its date window and allowed articles.

        A plain string is parsed first (``today`` anchors relative dates); a Query without a
        vector is embedded here (call :meth:`embed` first to keep the vector).
        """
        if isinstance(query, str):
            query = Query.parse(query, today=today or dt.date.today())
        query = self.embed(query)
        window = query.window
        only = self._doc_mask(query.doc_ids)
        if not self.chunks or (only is not None and not only.any()):
            return SearchResult(query.text, [], window, "none" if window is None else "empty-window")
        assert query.vector is not None
        qvec = query.vector[None, :]
        bm25 = self.bm25.scores(query.tokens)
        if window is None:
            return SearchResult(query.text, self._rank(qvec, bm25, only, k), None, "none")
        return self._filtered(query.text, qvec, bm25, k, window, only)

    def _doc_mask(self, doc_ids: Collection[str] | None) -> np.ndarray | None:
        import numpy as np

        if doc_ids is None:
            return None
        mask = np.zeros(len(self.chunks), dtype=bool)
        rows = self._rows_by_doc()
        for doc_id in doc_ids:
            if doc_id in rows:
                mask[rows[doc_id]] = True
        return mask

    def rank_vectors(self, query: str, qvec: np.ndarray, *, k: int) -> list[Hit]:
        """Top-k hits with no date filter for an already-embedded query (benchmarks batch the embedding)."""
        return self._rank(qvec, self.bm25.scores(tokenize(query)), None, k)

    def _filtered(
        self, query: str, qvec: np.ndarray, bm25: np.ndarray, k: int, window: DateWindow, only: np.ndarray | None
    ) -> SearchResult:
        in_window, undated = self.date_masks(window)
        if only is not None:
            in_window &= only
            undated &= only
        rule: DateRule = "empty-window"
        hits: list[Hit] = []
        if in_window.any():
            hits = self._rank(qvec, bm25, in_window, k)
            if any(self._matches(h) for h in hits):
                rule = "in-window"
            else:
                hits = []
        if not hits and undated.any():
            hits = self._rank(qvec, bm25, undated, k)
            rule = "undated-fallback"
        return SearchResult(query, hits, window, rule if hits else "empty-window")

    def doc_rows(self, doc_id: str) -> np.ndarray:
        """The chunk rows of one article, in text order."""
        import numpy as np

        return self._rows_by_doc().get(doc_id, np.zeros(0, dtype=np.int64))

    def date_masks(self, window: DateWindow) -> tuple[np.ndarray, np.ndarray]:
        """Rows dated inside the window (any day of a partial date counts, as DateWindow.overlaps), and undated rows."""
        first, last, dated = self._row_dates()
        in_window = dated.copy()
        if window.start is not None:
            in_window &= last >= window.start.toordinal()
        if window.end is not None:
            in_window &= first <= window.end.toordinal()
        return in_window, ~dated

    def _row_dates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per chunk row: first and last day (ordinals) its article may be found on (Document.window_span), and whether it has them."""
        import numpy as np

        if self._dates is None:
            first = np.zeros(len(self.chunks), dtype=np.int64)
            last = np.zeros(len(self.chunks), dtype=np.int64)
            dated = np.zeros(len(self.chunks), dtype=bool)
            for doc_id, idx in self._rows_by_doc().items():
                doc = self.docs.get(doc_id)
                days = doc.window_span() if doc is not None else None
                if days is not None:
                    a, b = days
                    first[idx], last[idx], dated[idx] = a.toordinal(), b.toordinal(), True
            self._dates = (first, last, dated)
        return self._dates

    def _rows_by_doc(self) -> dict[str, np.ndarray]:
        import numpy as np

        if not self._doc_rows:
            acc: dict[str, list[int]] = {}
            for i, c in enumerate(self.chunks):
                acc.setdefault(c.doc_id, []).append(i)
            self._doc_rows = {d: np.asarray(v, dtype=np.int64) for d, v in acc.items()}
        return self._doc_rows

    def _matches(self, hit: Hit) -> bool:
        """Whether a hit really matches the query (for the date rule): any BM25 term, or a close dense score."""
        return (hit.bm25_score or 0.0) > 0 or (hit.dense_score or 0.0) >= self.tuning.dense_match

    def _dense_top(self, qvec: np.ndarray, allowed: np.ndarray | None, pool: int) -> tuple[np.ndarray, np.ndarray]:
        if self.pending is not None:  # their vectors are zeros until embedded
            allowed = ~self.pending if allowed is None else allowed & ~self.pending
        return self.dense.search(qvec, pool, allowed)

    def _rank(self, qvec: np.ndarray, bm25: np.ndarray, allowed: np.ndarray | None, k: int) -> list[Hit]:
        import numpy as np

        f = self.tuning
        pool = f.pool
        d_rows, d_scores = self._dense_top(qvec, allowed, pool)
        if f.dense_weight == 0:
            d_rows, d_scores = d_rows[:0], d_scores[:0]
        masked = bm25 if allowed is None else np.where(allowed, bm25, 0.0)
        if f.bm25_weight == 0:
            masked = np.zeros_like(masked)
        positive = np.flatnonzero(masked > 0)
        if len(positive) > pool:  # keep the pool's best (and rows tied with the last) before sorting
            values = masked[positive]
            positive = positive[values >= np.partition(values, len(values) - pool)[len(values) - pool]]
        top = positive[np.argsort(-masked[positive], kind="stable")][:pool]
        fused: dict[int, float] = {}
        dense_rank = {int(r): i for i, r in enumerate(d_rows)}
        bm25_rank = {int(r): i for i, r in enumerate(top)}
        for row, rank in dense_rank.items():
            fused[row] = fused.get(row, 0.0) + f.dense_weight / (f.rrf_k + rank + 1)
        for row, rank in bm25_rank.items():
            fused[row] = fused.get(row, 0.0) + f.bm25_weight / (f.rrf_k + rank + 1)
        dense_score = {int(r): float(s) for r, s in zip(d_rows, d_scores, strict=True)}
        best = self._one_copy_each(sorted(fused.items(), key=lambda kv: (-kv[1], kv[0])), k)
        hits = []
        for row, score, also in best:
            chunk = self.chunks[row]
            doc = self.docs[chunk.doc_id]
            hits.append(
                Hit(
                    chunk=chunk,
                    score=score,
                    date=doc.date.iso if doc.date else None,
                    dense_score=dense_score.get(row),
                    bm25_score=float(bm25[row]),
                    dense_rank=dense_rank.get(row),
                    bm25_rank=bm25_rank.get(row),
                    also=tuple(also),
                )
            )
        return hits

    def _one_copy_each(self, ranked: list[tuple[int, float]], k: int) -> list[tuple[int, float, list[str]]]:
        """The best ``k`` rows with a story printed by several outlets kept once: the best-ranked copy's
        passages stay, with the other copies named (``also``); the other copies' passages are dropped."""
        kept: list[tuple[int, float, list[str]]] = []
        chosen: dict[int, str] = {}  # copy group -> the doc kept for it
        for row, score in ranked:
            if len(kept) == k:
                break
            doc_id = self.chunks[row].doc_id
            group = self.copies.group_of.get(doc_id)
            if group is not None and chosen.setdefault(group, doc_id) != doc_id:
                continue
            kept.append((row, score, self.copies.others(doc_id) if group is not None else []))
        return kept
