"""BM25 over the normalised Arabic search view (bm25s: sparse, fast, saves to disk).

We tokenise ourselves (assistant.text.arabic.tokenize: camel normalisation, filter-
dodge repair, light clitic stripping). Every chunk's tokens are kept with the
index as ids into a vocabulary (:class:`TokenTable`), so an incremental run
tokenises only new chunks. The BM25 matrix is then built in a few vectorised
numpy steps with bm25s's own scoring functions (Lucene variant: k1 1.5, b 0.75)
and saved in bm25s's format, which :class:`Bm25Index` loads memory-mapped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.text.arabic import tokenize
from assistant.errors import IndexCorrupt

if TYPE_CHECKING:
    import numpy as np


def chunk_tokens(text: str, title: str) -> list[str]:
    """Tokens of a passage, with its article title's tokens appended."""
    return tokenize(text) + tokenize(title)


EMPTY_TOKEN = "\u2205"
"""Stands in for the tokens of a chunk that has none, so every chunk is a BM25 row."""


@dataclass
class TokenTable:
    """Every chunk's BM25 tokens as ids into ``vocab``: chunk i is ``ids[offsets[i]:offsets[i + 1]]``."""

    vocab: list[str]
    ids: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def from_tokens(cls, rows: Sequence[Sequence[str]]) -> TokenTable:
        """A table from token lists (an empty list becomes the one placeholder token)."""
        import numpy as np

        lookup: dict[str, int] = {}
        flat: list[int] = []
        offsets = [0]
        for row in rows:
            for tok in row or (EMPTY_TOKEN,):
                flat.append(lookup.setdefault(tok, len(lookup)))
            offsets.append(len(flat))
        return cls(list(lookup), np.asarray(flat, dtype=np.int32), np.asarray(offsets, dtype=np.int64))

    @classmethod
    def from_texts(cls, texts: Sequence[str], titles: Sequence[str]) -> TokenTable:
        """Tokenise passages, each with its article title's tokens appended."""
        return cls.from_tokens([chunk_tokens(t, h) for t, h in zip(texts, titles, strict=True)])

    @classmethod
    def assemble(cls, parts: Sequence[tuple[TokenTable, np.ndarray]], order: np.ndarray) -> TokenTable:
        """Rows picked from several tables into one, with one (compacted) vocabulary.

        ``parts[j] = (table, rows)`` gives table j's rows in output order;
        ``order[i]`` names the part output row i comes from (the parts' rows are
        consumed in turn).
        """
        import numpy as np

        order = np.asarray(order, dtype=np.int64)
        merged: dict[str, int] = {}
        lengths = np.zeros(len(order), dtype=np.int64)
        pieces = []
        for j, (table, rows) in enumerate(parts):
            lut = np.fromiter((merged.setdefault(t, len(merged)) for t in table.vocab), dtype=np.int32, count=len(table.vocab))
            rows = np.asarray(rows, dtype=np.int64)
            where = np.flatnonzero(order == j)
            if len(where) != len(rows):
                raise ValueError(f"part {j} has {len(rows)} rows but the order takes {len(where)}")
            lengths[where] = table.offsets[rows + 1] - table.offsets[rows]
            pieces.append((where, lut[table.ids[_gather(table.offsets, rows)]]))
        offsets = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        ids = np.empty(int(offsets[-1]), dtype=np.int32)
        for where, values in pieces:
            ids[_gather(offsets, where)] = values
        vocab = list(merged)
        used = np.unique(ids)
        if len(used) < len(vocab):  # drop tokens only removed chunks had
            remap = np.full(len(vocab), -1, dtype=np.int32)
            remap[used] = np.arange(len(used), dtype=np.int32)
            ids = remap[ids]
            vocab = [vocab[i] for i in used]
        return cls(vocab, ids, offsets)

    def save(self, folder: Path) -> None:
        """Write the table into ``folder`` (next to the BM25 model)."""
        import numpy as np

        np.save(folder / "tokens.ids.npy", self.ids)
        np.save(folder / "tokens.offsets.npy", self.offsets)
        (folder / "tokens.vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TokenTable | None:
        """The table saved in ``folder``; None when the index predates it or it is damaged (re-tokenise)."""
        import numpy as np

        try:
            vocab = json.loads((folder / "tokens.vocab.json").read_text(encoding="utf-8"))
            ids = np.load(folder / "tokens.ids.npy")
            offsets = np.load(folder / "tokens.offsets.npy")
        except (OSError, ValueError):
            return None
        if len(offsets) == 0 or offsets[-1] != len(ids) or (len(ids) and int(ids.max()) >= len(vocab)):
            return None
        return cls(vocab, ids, offsets)


def _gather(offsets: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions of rows ``rows``'s elements in a flat array delimited by ``offsets``, in row order."""
    import numpy as np

    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + shift


def build_bm25(tokens: TokenTable, folder: Path) -> None:
    """Build BM25 over the table's chunks (row order = chunk order) and save it, and the table, into ``folder``."""
    import bm25s
    import numpy as np
    import scipy.sparse as sp
    from bm25s.scoring import _select_idf_scorer, _select_tfc_scorer

    folder.mkdir(parents=True, exist_ok=True)
    n = len(tokens)
    (folder / "size.json").write_text(json.dumps({"n": n}), encoding="utf-8")
    tokens.save(folder)
    if not n:
        return
    model = bm25s.BM25()
    n_vocab = len(tokens.vocab)
    doc_len = np.diff(tokens.offsets)
    # Term counts per (chunk, token) in the column-major order bm25s stores (CSC): scipy sums
    # the repeated tokens of each row, then transposes the layout in linear time.
    counts = sp.csr_matrix(
        (np.ones(len(tokens.ids), dtype=np.float32), tokens.ids.copy(), tokens.offsets.copy()), shape=(n, n_vocab)
    )
    counts.sum_duplicates()
    counts = counts.tocsc()
    counts.sort_indices()
    tf, docs = counts.data, counts.indices.astype(np.int64)
    df = np.diff(counts.indptr).astype(np.int64)
    toks = np.repeat(np.arange(n_vocab, dtype=np.int64), df)
    idf_of = np.vectorize(_select_idf_scorer(model.idf_method or model.method), otypes=[np.float64])
    idf = np.zeros(n_vocab, dtype=model.dtype)
    idf[df > 0] = idf_of(df[df > 0], N=n)
    tfc = _select_tfc_scorer(model.method)(
        tf_array=tf.astype(model.dtype, copy=False),
        l_d=doc_len[docs],
        l_avg=float(doc_len.mean()),
        k1=model.k1,
        b=model.b,
        delta=model.delta,
    )
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    model.scores = {
        "data": (idf[toks] * tfc).astype(model.dtype),
        "indices": docs.astype(model.int_dtype),
        "indptr": indptr,
        "num_docs": n,
    }
    model.vocab_dict = {tok: i for i, tok in enumerate(tokens.vocab)}
    model.vocab_dict.setdefault("", n_vocab)  # as bm25s.BM25.index adds it
    model.unique_token_ids_set = set(model.vocab_dict.values())
    model.nonoccurrence_array = None
    model.save(str(folder), show_progress=False)


@dataclass
class Bm25Index:
    """A loaded BM25 model over the index's chunks (row order = chunk order)."""

    model: Any
    size: int
    _doc_freqs: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """Load a saved model (memory-mapped)."""
        import bm25s

        try:
            size = int(json.loads((folder / "size.json").read_text(encoding="utf-8"))["n"])
            model = bm25s.BM25.load(str(folder), mmap=True) if size else None
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorrupt(f"damaged BM25 index in {folder}: {exc}", hint="rebuild with `assistant index --rebuild`") from None
        return cls(model, size)

    def doc_freqs(self) -> dict[str, int]:
        """How many passages contain each token (for weighting question words by rarity; the keys are
        the index's vocabulary). Computed once per loaded index; do not modify the returned dict."""
        if self.model is None:
            return {}
        if self._doc_freqs is None:
            indptr = self.model.scores["indptr"]
            last = len(indptr) - 1  # bm25s keeps a padding token past the last column
            self._doc_freqs = {tok: int(indptr[i + 1] - indptr[i]) for tok, i in self.model.vocab_dict.items() if i < last}
        return self._doc_freqs

    def scores(self, query: str | Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for a query, as text or as its tokens (zeros when no term matches)."""
        import numpy as np

        tokens = tokenize(query) if isinstance(query, str) else list(query)
        if self.model is None or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        vocab = self.model.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)
