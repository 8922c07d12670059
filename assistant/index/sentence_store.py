"""Sentence vectors kept in the index, so the evidence step never runs the embedder per question.

The evidence step (``assistant.answer.evidence.choose_sources``) ranks the sentences of
the retrieved chunks by cosine to the question. Embedding those sentences when
a question comes costs seconds on a laptop CPU (15 sentences, about 1,500
tokens, per question). Instead the index keeps a vector for every candidate
sentence of every chunk, made while the chunk itself is embedded: the chunk's
token states are mean-pooled over each sentence's tokens and passed through
the model's (linear) head, i.e. "late chunking". That costs no extra
transformer pass, and each sentence vector carries its chunk's context.

Per generation, beside ``vectors.npy``::

    sentence_offsets.npy        int64 (chunks + 1,): chunk i has offsets[i+1] - offsets[i] sentences
    sentence_rows.npy           int64 (chunks,): where chunk i's sentences start in the segments laid end to end
    sentence_segments.json      the segments in order: [{"name", "rows"}]
    sentence_spans.<name>.npy   int64 (rows, 2): start, end in the article text
    sentence_vectors.<name>.npy float16 (rows, dim), unit length

Segments are never rewritten: a new generation hard-links the previous one's
and adds one for the chunks it embedded, so re-indexing one article of ten
thousand writes that article's sentences, not the 250 MB of everyone's.
Generations written before segments (``sentence_spans.npy`` and
``sentence_vectors.npy``, chunks in order) are still read.

An index without these files (built by an embedder that cannot pool spans,
such as the torch backend) still works: the evidence step embeds then.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import IndexCorrupt

if TYPE_CHECKING:
    import numpy as np

OFFSETS = "sentence_offsets.npy"
ROWS = "sentence_rows.npy"
SEGMENTS = "sentence_segments.json"
LEGACY_FILES = ("sentence_offsets.npy", "sentence_spans.npy", "sentence_vectors.npy")
"""The files of a generation written before segments (still read)."""
MAX_SEGMENTS = 8
"""More segments than this and the next generation compacts them into one."""
MAX_DEAD = 0.25
"""Compact when more than this share of the stored sentences belong to no chunk."""


@dataclass(frozen=True)
class Segment:
    """A run of sentences stored together: spans and vectors, row-aligned; immutable once written."""

    name: str
    spans: np.ndarray
    vectors: np.ndarray
    files: tuple[Path, Path] | None = None
    """Where it is stored already (a new generation hard-links these), None while only in memory."""

    def __len__(self) -> int:
        return int(self.spans.shape[0])


@dataclass(frozen=True)
class SentenceStore:
    """Every chunk's candidate sentences and their vectors, by chunk row.

    The sentences live in segments laid end to end; chunk ``i`` has ``offsets[i+1] - offsets[i]``
    sentences starting at row ``rows[i]`` of that concatenation, all in one segment. Rows no chunk
    points at (sentences of articles changed or removed since their segment was written) are dead.
    """

    offsets: np.ndarray
    rows: np.ndarray
    segments: tuple[Segment, ...]
    dim: int

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @cached_property
    def bounds(self) -> np.ndarray:
        """Each segment's first row in the concatenation, and the total stored rows."""
        import numpy as np

        return np.concatenate(([0], np.cumsum([len(s) for s in self.segments]))).astype(np.int64)

    @property
    def live(self) -> int:
        """Sentences some chunk points at."""
        return int(self.offsets[-1])

    @property
    def stored(self) -> int:
        """Sentences stored in the segments, dead ones included."""
        return int(self.bounds[-1])

    def of_chunk(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ``row``'s sentence spans (article offsets) and their vectors."""
        import numpy as np

        n = int(self.offsets[row + 1] - self.offsets[row])
        if n == 0:
            return np.zeros((0, 2), dtype=np.int64), np.zeros((0, self.dim), dtype=np.float16)
        start = int(self.rows[row])
        seg = int(np.searchsorted(self.bounds, start, side="right")) - 1
        local = start - int(self.bounds[seg])
        segment = self.segments[seg]
        return segment.spans[local : local + n], segment.vectors[local : local + n]

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Every live sentence's span and vector, in chunk order (rows ``offsets[i]:offsets[i+1]`` are chunk i's)."""
        import numpy as np

        counts = np.diff(self.offsets)
        src = np.repeat(self.rows - self.offsets[:-1], counts) + np.arange(self.live, dtype=np.int64)
        spans = np.empty((self.live, 2), dtype=np.int64)
        vectors = np.empty((self.live, self.dim), dtype=np.float16)
        bounds = self.bounds
        for i, segment in enumerate(self.segments):
            mine = np.flatnonzero((src >= bounds[i]) & (src < bounds[i + 1]))
            local = src[mine] - bounds[i]
            spans[mine], vectors[mine] = segment.spans[local], segment.vectors[local]
        return spans, vectors

    def compacted(self) -> SentenceStore:
        """The same store in one segment without dead rows."""
        spans, vectors = self.flat()
        return SentenceStore(self.offsets, self.offsets[:-1].copy(), (Segment(_segment_name(), spans, vectors),), self.dim)

    @classmethod
    def build(cls, spans: list[list[tuple[int, int]]], vectors: list[np.ndarray], dim: int) -> SentenceStore:
        """A store of one new segment from each chunk's spans and vectors, in chunk order."""
        import numpy as np

        counts = np.fromiter((len(s) for s in spans), dtype=np.int64, count=len(spans))
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        flat = [pair for chunk in spans for pair in chunk]
        span_arr = np.asarray(flat, dtype=np.int64).reshape(len(flat), 2)
        vecs = [np.asarray(v, dtype=np.float16).reshape(-1, dim) for v in vectors]
        vec_arr = np.concatenate(vecs) if vecs else np.zeros((0, dim), dtype=np.float16)
        return cls(offsets, offsets[:-1].copy(), (Segment(_segment_name(), span_arr, vec_arr),), dim)

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
        ``old_rows[j]``, or ("new", j), this run's ``new_spans[j]``/``new_vectors[j]``.

        The previous store's segments are kept as they are and this run's sentences become one more
        segment, so a kept chunk costs no copying; once dead rows pass ``MAX_DEAD`` of the store or
        the segments pass ``MAX_SEGMENTS``, the store is compacted into one segment.
        """
        import numpy as np

        fresh = cls.build(new_spans, new_vectors, dim)
        n = len(order)
        is_new = np.fromiter((kind == "new" for kind, _ in order), dtype=bool, count=n)
        j = np.fromiter((k for _, k in order), dtype=np.int64, count=n)
        rows = np.zeros(n, dtype=np.int64)
        count = np.zeros(n, dtype=np.int64)
        segments: tuple[Segment, ...] = ()
        base = 0
        if old is not None and len(old_rows):
            kept = old_rows[j[~is_new]]
            rows[~is_new] = old.rows[kept]
            count[~is_new] = old.offsets[kept + 1] - old.offsets[kept]
            segments, base = old.segments, old.stored
        rows[is_new] = base + fresh.rows[j[is_new]]
        count[is_new] = np.diff(fresh.offsets)[j[is_new]]
        if fresh.live or not segments:
            segments = segments + fresh.segments
        offsets = np.concatenate(([0], np.cumsum(count))).astype(np.int64)
        spliced = cls(offsets, rows, segments, dim)
        if len(segments) > MAX_SEGMENTS or spliced.stored - spliced.live > MAX_DEAD * spliced.stored:
            return spliced.compacted()
        return spliced

    def save(self, gen: Path) -> None:
        """Write the store into a generation folder; segments already on disk are hard-linked, not copied."""
        import numpy as np

        np.save(gen / OFFSETS, self.offsets)
        np.save(gen / ROWS, self.rows)
        for segment in self.segments:
            targets = tuple(gen / name for name in _segment_files(segment.name))
            if segment.files is not None:
                for src, dst in zip(segment.files, targets, strict=True):
                    _link(src, dst)
            else:
                np.save(targets[0], segment.spans)
                np.save(targets[1], segment.vectors)
        listing = [{"name": s.name, "rows": len(s)} for s in self.segments]
        (gen / SEGMENTS).write_text(json.dumps(listing), encoding="utf-8")

    @classmethod
    def load(cls, gen: Path, *, n_chunks: int, dim: int) -> SentenceStore | None:
        """The generation's sentence vectors (memory-mapped), None if it has none; IndexCorrupt if damaged."""
        import numpy as np

        hint = f"rebuild with `assistant index --rebuild --index-dir {gen.parent}`"
        legacy = [(gen / name).is_file() for name in LEGACY_FILES]
        if not (gen / OFFSETS).is_file() and not (gen / SEGMENTS).is_file() and not any(legacy):
            return None
        try:
            offsets = np.load(gen / OFFSETS, mmap_mode="r")
            if (gen / SEGMENTS).is_file() or not all(legacy):
                listing = json.loads((gen / SEGMENTS).read_text(encoding="utf-8"))
                rows = np.load(gen / ROWS, mmap_mode="r")
                segments = tuple(_load_segment(gen, str(entry["name"]), int(entry["rows"])) for entry in listing)
            else:  # written before segments: one segment, chunks in order
                rows = np.asarray(offsets[:-1])
                files = (gen / LEGACY_FILES[1], gen / LEGACY_FILES[2])
                spans, vectors = (np.load(f, mmap_mode="r") for f in files)
                segments = (Segment("0", spans, vectors, files),)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise IndexCorrupt(f"damaged sentence vectors in {gen}: {exc}", hint=hint) from None
        store = cls(offsets, rows, segments, dim)
        problem = store._problem(n_chunks)
        if problem:
            raise IndexCorrupt(f"sentence vectors disagree with the chunks in {gen} ({problem})", hint=hint)
        return store

    def _problem(self, n_chunks: int) -> str:
        """What is inconsistent in a loaded store ('' when nothing is)."""
        import numpy as np

        if self.offsets.shape != (n_chunks + 1,) or self.rows.shape != (n_chunks,):
            return f"{n_chunks} chunks, offsets {self.offsets.shape}, rows {self.rows.shape}"
        for s in self.segments:
            if s.spans.ndim != 2 or s.spans.shape[1] != 2 or s.vectors.shape != (len(s), self.dim):
                return f"segment {s.name}: spans {s.spans.shape}, vectors {s.vectors.shape}, dimension {self.dim}"
        if not n_chunks:
            return ""
        counts = np.diff(self.offsets)
        if bool((counts < 0).any()) or int(self.offsets[0]) != 0:
            return "offsets not increasing"
        used = counts > 0
        first, last = self.rows[used], self.rows[used] + counts[used] - 1
        if len(first) and (int(first.min()) < 0 or int(last.max()) >= self.stored):
            return f"rows outside the {self.stored} stored sentences"
        segment_of = np.searchsorted(self.bounds, first, side="right")
        if bool((segment_of != np.searchsorted(self.bounds, last, side="right")).any()):
            return "a chunk's sentences straddle two segments"
        return ""


_NAMED = itertools.count()


def _segment_name() -> str:
    """A name no other segment has: the time, this process and a counter, in hex."""
    return f"{time.time_ns():x}{os.getpid():x}{next(_NAMED):x}"


def _segment_files(name: str) -> tuple[str, str]:
    return f"sentence_spans.{name}.npy", f"sentence_vectors.{name}.npy"


def _load_segment(gen: Path, name: str, n_rows: int) -> Segment:
    import numpy as np

    if not name.isalnum():
        raise ValueError(f"bad segment name {name!r}")
    files = tuple(gen / f for f in _segment_files(name))
    spans, vectors = (np.load(f, mmap_mode="r") for f in files)
    if len(spans) != n_rows:
        raise ValueError(f"segment {name} holds {len(spans)} sentences, listed {n_rows}")
    return Segment(name, spans, vectors, (files[0], files[1]))


def _link(src: Path, dst: Path) -> None:
    """Hard-link ``src`` as ``dst`` (the data is shared, never rewritten); copy where links are refused."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
