"""The sentence store's segments: kept chunks are never copied, dead rows are compacted, old layouts load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index import sentence_store as sentences
from assistant.errors import IndexCorrupt
from assistant.index.sentence_store import SentenceStore

DIM = 8


def _chunk(seed: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """A chunk's sentences: 0 to 3 spans (2 from seed 1000 on) and their unit vectors, all derived from ``seed``."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 4)) if seed < 1000 else 2
    spans = [(seed * 100 + 10 * i, seed * 100 + 10 * i + 5) for i in range(n)]
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return spans, (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float16)


def _expected(seeds: list[int]) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
    return [_chunk(s) for s in seeds]


def _assert_holds(store: SentenceStore, seeds: list[int]) -> None:
    assert len(store) == len(seeds)
    for row, (spans, vecs) in enumerate(_expected(seeds)):
        got_spans, got_vecs = store.of_chunk(row)
        assert [tuple(map(int, s)) for s in got_spans] == spans
        np.testing.assert_array_equal(got_vecs, vecs.reshape(-1, DIM))


def _save_load(store: SentenceStore, gen: Path) -> SentenceStore:
    gen.mkdir()
    store.save(gen)
    loaded = SentenceStore.load(gen, n_chunks=len(store), dim=DIM)
    assert loaded is not None
    return loaded


def _replace(old: SentenceStore, seeds: list[int], at: int, new_seed: int) -> tuple[SentenceStore, list[int]]:
    """Splice: chunk ``at`` replaced by the chunk of ``new_seed``, every other chunk kept."""
    kept = np.array([i for i in range(len(seeds)) if i != at], dtype=np.int64)  # old rows, in kept order
    order = [("new", 0) if i == at else ("old", i if i < at else i - 1) for i in range(len(seeds))]
    spans, vecs = _chunk(new_seed)
    spliced = SentenceStore.splice(old, kept, [spans], [vecs], order, DIM)
    return spliced, [new_seed if i == at else s for i, s in enumerate(seeds)]


def test_a_splice_links_the_old_segments_and_writes_only_the_new_sentences(tmp_path: Path) -> None:
    seeds = list(range(1, 41))
    first = _save_load(SentenceStore.build(*zip(*_expected(seeds), strict=True), DIM), tmp_path / "g1")  # type: ignore[arg-type]
    _assert_holds(first, seeds)

    spliced, seeds = _replace(first, seeds, at=1, new_seed=1000)  # chunk 1 has 3 sentences
    second = _save_load(spliced, tmp_path / "g2")
    _assert_holds(second, seeds)
    assert len(second.segments) == 2 and second.stored > second.live
    (old_vectors,) = (tmp_path / "g1").glob("sentence_vectors.*.npy")
    assert (tmp_path / "g2" / old_vectors.name).stat().st_ino == old_vectors.stat().st_ino  # shared, not copied
    assert (tmp_path / "g2" / old_vectors.name).stat().st_size == old_vectors.stat().st_size

    # Deleting the first generation leaves the second whole.
    for f in (tmp_path / "g1").iterdir():
        f.unlink()
    _assert_holds(SentenceStore.load(tmp_path / "g2", n_chunks=len(seeds), dim=DIM), seeds)  # type: ignore[arg-type]


def test_dead_rows_and_many_segments_are_compacted(tmp_path: Path) -> None:
    seeds = list(range(1, 41))
    store = SentenceStore.build(*zip(*_expected(seeds), strict=True), DIM)  # type: ignore[arg-type]
    segment_counts = []
    for step in range(30):
        store, seeds = _replace(store, seeds, at=(step * 7) % len(seeds), new_seed=2000 + step)
        store = _save_load(store, tmp_path / f"g{step}")
        _assert_holds(store, seeds)
        segment_counts.append(len(store.segments))
        assert len(store.segments) <= sentences.MAX_SEGMENTS
        assert store.stored - store.live <= sentences.MAX_DEAD * store.stored
    assert max(segment_counts) > 1 and 1 in segment_counts[1:]  # segments grew, then were compacted


def test_a_generation_from_before_segments_still_loads_and_splices(tmp_path: Path) -> None:
    seeds = list(range(1, 21))
    built = SentenceStore.build(*zip(*_expected(seeds), strict=True), DIM)  # type: ignore[arg-type]
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    spans, vectors = built.flat()
    for name, arr in zip(sentences.LEGACY_FILES, (built.offsets, spans, vectors), strict=True):
        np.save(legacy / name, arr)
    loaded = SentenceStore.load(legacy, n_chunks=len(seeds), dim=DIM)
    assert loaded is not None
    _assert_holds(loaded, seeds)
    spliced, seeds = _replace(loaded, seeds, at=3, new_seed=500)
    _assert_holds(_save_load(spliced, tmp_path / "next"), seeds)


def test_a_chunk_pointing_past_its_segment_is_refused(tmp_path: Path) -> None:
    seeds = list(range(1, 11))
    store = _save_load(SentenceStore.build(*zip(*_expected(seeds), strict=True), DIM), tmp_path / "g")  # type: ignore[arg-type]
    rows = np.array(store.rows)
    row = int(np.flatnonzero(np.diff(store.offsets) > 0)[-1])  # the last chunk with sentences
    rows[row] = store.stored - 1  # its sentences now run past the end
    np.save(tmp_path / "g" / sentences.ROWS, rows)
    with pytest.raises(IndexCorrupt, match="sentence vectors"):
        SentenceStore.load(tmp_path / "g", n_chunks=len(seeds), dim=DIM)


def test_where_hard_links_are_refused_the_segments_are_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = list(range(1, 21))
    first = _save_load(SentenceStore.build(*zip(*_expected(seeds), strict=True), DIM), tmp_path / "g1")  # type: ignore[arg-type]

    def refuse(src: object, dst: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(sentences.os, "link", refuse)
    spliced, seeds = _replace(first, seeds, at=1, new_seed=1001)
    second = _save_load(spliced, tmp_path / "g2")
    (old_vectors,) = (tmp_path / "g1").glob("sentence_vectors.*.npy")
    copy = tmp_path / "g2" / old_vectors.name
    assert copy.stat().st_ino != old_vectors.stat().st_ino and copy.read_bytes() == old_vectors.read_bytes()
    _assert_holds(second, seeds)
