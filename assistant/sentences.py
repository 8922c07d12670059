"""Sentence vectors kept in the index, so the evidence step never runs the embedder per question.

The evidence step (``assistant.answer.choose_sources``) ranks the sentences of
the retrieved chunks by cosine to the question. Embedding those sentences when
a question comes costs seconds on a laptop CPU (15 sentences, about 1,500
tokens, per question). Instead the index keeps a vector for every candidate
sentence of every chunk, made while the chunk itself is embedded: the chunk's
token states are mean-pooled over each sentence's tokens and passed through
the model's (linear) head, i.e. "late chunking". That costs no extra
transformer pass, and each sentence vector carries its chunk's context.

Per generation, beside ``vectors.npy``::

    sentence_offsets.npy   int64 (chunks + 1,): chunk i's sentences are rows offsets[i]:offsets[i+1]
    sentence_spans.npy     int64 (sentences, 2): start, end in the article text
    sentence_vectors.npy   float16 (sentences, dim), unit length

An index without these files (built by an embedder that cannot pool spans,
such as the torch backend) still works: the evidence step embeds then.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.chunking import split_sentences
from assistant.errors import IndexCorrupt

if TYPE_CHECKING:
    import numpy as np

SENTENCE_CHARS = 420
"""Longest candidate sentence (longer ones are cut after Arabic commas); also a source passage's bound."""

FILES = ("sentence_offsets.npy", "sentence_spans.npy", "sentence_vectors.npy")


def candidate_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` that can be evidence (those with a letter), as article offsets."""
    return [
        (sp.start, sp.end)
        for sp in split_sentences(text, start, end, max_sentence_chars=SENTENCE_CHARS)
        if any(ch.isalpha() for ch in text[sp.start : sp.end])
    ]


@dataclass(frozen=True)
class SentenceStore:
    """Every chunk's candidate sentences and their vectors, row-aligned with the chunk list."""

    offsets: np.ndarray
    spans: np.ndarray
    vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def of_chunk(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ``row``'s sentence spans (article offsets) and their vectors."""
        a, b = int(self.offsets[row]), int(self.offsets[row + 1])
        return self.spans[a:b], self.vectors[a:b]

    @classmethod
    def build(cls, spans: list[list[tuple[int, int]]], vectors: list[np.ndarray], dim: int) -> SentenceStore:
        """A store from each chunk's spans and vectors, in chunk order."""
        import numpy as np

        counts = np.fromiter((len(s) for s in spans), dtype=np.int64, count=len(spans))
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        flat = [pair for chunk in spans for pair in chunk]
        span_arr = np.asarray(flat, dtype=np.int64).reshape(len(flat), 2)
        vecs = [np.asarray(v, dtype=np.float16).reshape(-1, dim) for v in vectors]
        vec_arr = np.concatenate(vecs) if vecs else np.zeros((0, dim), dtype=np.float16)
        return cls(offsets, span_arr, vec_arr)

    @classmethod
    def splice(
        cls,
        old: SentenceStore | None,
        old_rows: np.ndarray,
        new_spans: list[list[tuple[int, int]]],
        new_vectors: list[np.ndarray],
        order: list[tuple[str, int]],
        dim: int,
    ) -> SentenceStore:
        """The store of a new generation: chunk i of ``order`` is ("old", j), the previous store's row
        ``old_rows[j]``, or ("new", j), this run's ``new_spans[j]``/``new_vectors[j]``. Vectorised:
        a kept chunk costs no Python work."""
        import numpy as np

        fresh = cls.build(new_spans, new_vectors, dim)
        n = len(order)
        is_new = np.fromiter((kind == "new" for kind, _ in order), dtype=bool, count=n)
        j = np.fromiter((k for _, k in order), dtype=np.int64, count=n)
        # Every final chunk is a run of rows of the old store or of the fresh one.
        start = np.zeros(n, dtype=np.int64)
        count = np.zeros(n, dtype=np.int64)
        start[is_new] = fresh.offsets[:-1][j[is_new]]
        count[is_new] = np.diff(fresh.offsets)[j[is_new]]
        if old is not None and len(old_rows):
            rows = old_rows[j[~is_new]]
            start[~is_new] = old.offsets[rows]
            count[~is_new] = old.offsets[rows + 1] - old.offsets[rows]
        offsets = np.concatenate(([0], np.cumsum(count))).astype(np.int64)
        total = int(offsets[-1])
        src = np.repeat(start - offsets[:-1], count) + np.arange(total, dtype=np.int64)  # row in its store
        mine = np.repeat(is_new, count)
        spans = np.empty((total, 2), dtype=np.int64)
        vectors = np.empty((total, dim), dtype=np.float16)
        spans[mine], vectors[mine] = fresh.spans[src[mine]], fresh.vectors[src[mine]]
        if (~mine).any():
            assert old is not None
            spans[~mine], vectors[~mine] = old.spans[src[~mine]], old.vectors[src[~mine]]
        return cls(offsets, spans, vectors)

    def save(self, gen: Path) -> None:
        """Write the three arrays into a generation folder."""
        import numpy as np

        for name, arr in zip(FILES, (self.offsets, self.spans, self.vectors), strict=True):
            np.save(gen / name, arr)

    @classmethod
    def load(cls, gen: Path, *, n_chunks: int, dim: int) -> SentenceStore | None:
        """The generation's sentence vectors (memory-mapped), None if it has none; IndexCorrupt if damaged."""
        import numpy as np

        present = [(gen / name).is_file() for name in FILES]
        if not any(present):
            return None
        hint = f"rebuild with `assistant index --rebuild --index-dir {gen.parent}`"
        if not all(present):
            raise IndexCorrupt(f"sentence vectors incomplete in {gen}", hint=hint)
        try:
            offsets, spans, vectors = (np.load(gen / name, mmap_mode="r") for name in FILES)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"damaged sentence vectors in {gen}: {exc}", hint=hint) from None
        total = int(offsets[-1]) if len(offsets) else -1
        if (
            offsets.shape != (n_chunks + 1,)
            or spans.shape != (total, 2)
            or vectors.shape != (total, dim)
            or (n_chunks and bool((np.diff(offsets) < 0).any()))
        ):
            raise IndexCorrupt(
                f"sentence vectors disagree with the chunks in {gen} ({n_chunks} chunks, offsets {offsets.shape}, "
                f"spans {spans.shape}, vectors {vectors.shape})",
                hint=hint,
            )
        return cls(offsets, spans, vectors)
