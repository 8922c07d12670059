"""BM25 over the normalised Arabic search view (bm25s: sparse, fast, saves to disk).

We tokenise ourselves (assistant.arabic.tokenize: camel normalisation, filter-
dodge repair, light clitic stripping) and hand bm25s plain token lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.arabic import tokenize
from assistant.errors import IndexCorrupt

if TYPE_CHECKING:
    import numpy as np


def chunk_tokens(text: str, title: str) -> list[str]:
    """Tokens of a passage, with its article title's tokens appended."""
    return tokenize(text) + tokenize(title)


def build_bm25(texts: list[str], titles: list[str], folder: Path) -> None:
    """Index passages with BM25 and save the model into ``folder``."""
    import bm25s

    folder.mkdir(parents=True, exist_ok=True)
    corpus = [chunk_tokens(t, h) or ["\u2205"] for t, h in zip(texts, titles, strict=True)]
    (folder / "size.json").write_text(json.dumps({"n": len(corpus)}), encoding="utf-8")
    if not corpus:
        return
    model = bm25s.BM25()
    model.index(corpus, show_progress=False)
    model.save(str(folder))


@dataclass
class Bm25Index:
    """A loaded BM25 model over the index's chunks (row order = chunk order)."""

    model: Any
    size: int

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
        """How many passages contain each token (for weighting question words by rarity)."""
        if self.model is None:
            return {}
        indptr = self.model.scores["indptr"]
        last = len(indptr) - 1  # bm25s keeps a padding token past the last column
        return {tok: int(indptr[i + 1] - indptr[i]) for tok, i in self.model.vocab_dict.items() if i < last}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no term matches)."""
        import numpy as np

        tokens = tokenize(query)
        if self.model is None or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        vocab = self.model.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)
