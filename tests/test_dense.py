"""The dense index: exact below the size threshold, fast-scan + exact re-rank above, filters honoured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index import dense
from assistant.errors import IndexCorrupt


def _vectors(tmp_path: Path, n: int, d: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    np.save(tmp_path / "vectors.npy", x)
    return np.load(tmp_path / "vectors.npy", mmap_mode="r")


def _open(tmp_path: Path, vectors: np.ndarray, kind: str) -> dense.DenseIndex:
    info = dense.build(vectors, tmp_path, kind=kind)
    assert info.type == kind
    return dense.DenseIndex.open(tmp_path, info, vectors)


def test_type_by_size() -> None:
    assert dense.choose_type(26) == "flat"
    assert dense.choose_type(dense.FLAT_MAX_ROWS) == "flat"
    assert dense.choose_type(dense.FLAT_MAX_ROWS + 1) == "pq-fastscan"


@pytest.fixture(scope="module", params=["flat", "pq-fastscan"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dense.DenseIndex:
    folder = tmp_path_factory.mktemp(request.param)
    return _open(folder, _vectors(folder, 12_000), request.param)


@pytest.mark.parametrize("fraction", [None, 0.5, 0.2, 0.002])  # 0.5, 0.2: post-filtered; 0.002: exact over the rows
def test_search_matches_exact_within_filter(
    built: dense.DenseIndex, fraction: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "EXACT_MAX_ROWS", 1000)
    index, vectors = built, built.vectors
    n = index.ntotal
    rng = np.random.default_rng(1)
    allowed = None if fraction is None else rng.random(n) < fraction
    recalls = []
    for qi in range(5):
        q = (vectors[qi * 7] + 0.3 * rng.standard_normal(vectors.shape[1])).astype(np.float32)
        q /= np.linalg.norm(q)
        rows, scores = index.search(q[None, :], 100, allowed)
        exact = np.asarray(vectors) @ q
        if allowed is not None:
            assert allowed[rows].all()
            exact = np.where(allowed, exact, -np.inf)
        want = min(100, n if allowed is None else int(allowed.sum()))
        assert len(rows) == want
        np.testing.assert_allclose(scores, np.asarray(vectors)[rows] @ q, atol=1e-5)  # exact cosines
        assert (np.diff(scores) <= 1e-6).all()  # best first
        recalls.append(len(set(rows[:10].tolist()) & set(np.argsort(-exact)[:10].tolist())) / 10)
    assert np.mean(recalls) >= 0.95


def test_pq_index_is_read_lazily_and_checked(tmp_path: Path) -> None:
    vectors = _vectors(tmp_path, 3000)
    index = _open(tmp_path, vectors, "pq-fastscan")
    assert index._index is None and index.ntotal == 3000 and index.d == 32
    (tmp_path / dense.FILE).write_bytes(b"not a faiss file")
    with pytest.raises(IndexCorrupt):
        index.search(np.asarray(vectors[:1]), 10)


def test_empty_filter_and_old_manifest(tmp_path: Path) -> None:
    vectors = _vectors(tmp_path, 50)
    dense.build(vectors, tmp_path)
    index = dense.DenseIndex.open(tmp_path, None, vectors)  # an index from before the type was recorded
    assert index.kind == "flat"
    rows, scores = index.search(np.asarray(vectors[:1]), 10, np.zeros(50, dtype=bool))
    assert len(rows) == 0 and len(scores) == 0
    rows, _ = index.search(np.asarray(vectors[3:4]), 5)
    assert rows[0] == 3
