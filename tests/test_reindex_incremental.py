"""Incremental indexing reads only changed files and tokenises only new chunks, with the same result as a rebuild.

The encoder here is a deterministic stand-in (vectors from a hash of the
text): what is under test is which files are re-read and which chunks are
re-embedded, not the embeddings (tests/test_index.py covers the real model).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import assistant.ingest.reader
from assistant.index import store
from assistant.index.manifest import read_manifest
from assistant.config import load_settings
from assistant.index.build import IndexStats, build_index
from assistant.index.lexical import Bm25Index, TokenTable
from assistant.index.sentence_store import SentenceStore
from assistant.text.sentences import candidate_spans
from conftest import SEEDS, TODAY

DIM = 16


class _HashEncoder:
    dim = DIM

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode_documents(self, texts: list[str], titles: list[str], progress: Any = None) -> np.ndarray:
        self.encoded.extend(texts)
        rows = []
        for text, title in zip(texts, titles, strict=True):
            seed = int.from_bytes(hashlib.sha256((title + "\0" + text).encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows) if rows else np.zeros((0, DIM), dtype=np.float32)


class _SpanHashEncoder(_HashEncoder):
    """Also pools sentence vectors, as the OpenVINO embedder does (here: a hash of each sentence's text)."""

    pools_spans = True

    def encode_documents_with_sentences(
        self, texts: list[str], titles: list[str], spans: list[list[tuple[int, int]]], progress: Any = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        pooled = [self.encode_documents([t[a:b] for a, b in s], [title] * len(s)) for t, title, s in zip(texts, titles, spans, strict=True)]
        return self.encode_documents(texts, titles, progress), pooled


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(seed, folder / seed.name)
    (folder / "body-date.txt").write_text(
        "اجتماع وزراء الزراعة\n\nعقد وزراء الزراعة العرب اجتماعهم في القاهرة يوم 12 مارس 2024 لبحث الأمن الغذائي.\n",
        encoding="utf-8",
    )
    (folder / "sub").mkdir()
    (folder / "sub" / "plain.md").write_text("# مقال بلا تاريخ عن الطاقة الشمسية\n\nتتوسع مشاريع الطاقة الشمسية في المنطقة.\n", encoding="utf-8")
    _age(folder)
    return folder


def _age(folder: Path, seconds: float = 60) -> None:
    """Date every file back, so no run sees it as modified during the previous scan."""
    past = time.time_ns() - int(seconds * 1e9)
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(past, past))


class _Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = assistant.ingest.reader.load_document

        def counting(root: Path, path: Path, *args: Any, **kwargs: Any) -> Any:
            self.paths.append(path.name)
            return real(root, path, *args, **kwargs)

        monkeypatch.setattr(assistant.ingest.reader, "load_document", counting)


def _run(
    index_dir: Path, corpus: Path, *, today: dt.date = TODAY, rebuild: bool = False, spans: bool = False
) -> tuple[IndexStats, _HashEncoder]:
    encoder = _SpanHashEncoder() if spans else _HashEncoder()
    stats = build_index(
        load_settings(index_dir=index_dir),
        [corpus],
        embedder_path=SEEDS,  # any folder: only its fingerprint is recorded
        load_embedder=lambda: encoder,
        rebuild=rebuild,
        today=today,
    )
    return stats, encoder


def _dense_type(gen: Path) -> str:
    dense = read_manifest(gen).dense
    assert dense is not None
    return dense.type


def _snapshot(index_dir: Path) -> dict[str, Any]:
    gen = store.current_generation(index_dir)
    table = TokenTable.load(gen / "bm25")
    assert table is not None
    rows = [[table.vocab[i] for i in table.ids[a:b]] for a, b in zip(table.offsets[:-1], table.offsets[1:])]
    bm25 = Bm25Index.load(gen / "bm25")
    return {
        "chunks": store.read_jsonl(gen / "chunks.jsonl"),
        "docs": [{k: v for k, v in r.items() if k != "path"} for r in store.read_jsonl(gen / "documents.jsonl")],
        "vectors": np.load(gen / "vectors.npy"),
        "tokens": rows,
        "scores": [bm25.scores(q) for q in ("وزراء الزراعة", "بوتين", "الطاقة الشمسية")],
        "dense": _dense_type(gen),
    }


def test_only_the_changed_file_is_read_and_embedded(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "index"
    first, _ = _run(index_dir, corpus)
    assert len(first.added) == 5 and first.written

    reads = _Counter(monkeypatch)
    again, enc = _run(index_dir, corpus)
    assert reads.paths == [] and enc.encoded == [] and not again.written and again.unchanged == 5

    changed = corpus / "body-date.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nوأكد الوزراء ضرورة التعاون.\n", encoding="utf-8")
    third, enc = _run(index_dir, corpus)
    assert reads.paths == ["body-date.txt"]
    assert third.updated == ["body-date"] and third.unchanged == 4
    assert enc.encoded and all("الزراعة" in t or "الوزراء" in t for t in enc.encoded)
    assert _dense_type(store.current_generation(index_dir)) == "flat"

    # The spliced generation equals one built from scratch.
    _run(tmp_path / "fresh", corpus, rebuild=True)
    got, want = _snapshot(index_dir), _snapshot(tmp_path / "fresh")
    assert got["chunks"] == want["chunks"] and got["docs"] == want["docs"] and got["tokens"] == want["tokens"]
    np.testing.assert_array_equal(got["vectors"], want["vectors"])
    for a, b in zip(got["scores"], want["scores"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
        assert a.max() > 0


def test_sidecar_and_touch_are_noticed_and_a_new_day_reads_nothing(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "index"
    _run(index_dir, corpus)
    reads = _Counter(monkeypatch)

    side = corpus / "sub" / "plain.md.meta.toml"
    side.write_text('date = "2020-02-02"\n', encoding="utf-8")
    past = time.time_ns() - 50 * 10**9
    os.utime(side, ns=(past, past))
    stats, _ = _run(index_dir, corpus)
    assert reads.paths == ["plain.md"] and stats.updated == ["sub/plain"]
    reads.paths.clear()

    # Touched but unchanged: re-read, not re-embedded, and the new keys are recorded.
    past -= 10 * 10**9
    os.utime(corpus / "body-date.txt", ns=(past, past))
    stats, enc = _run(index_dir, corpus)
    assert reads.paths == ["body-date.txt"] and enc.encoded == [] and stats.unchanged == 5 and stats.written
    reads.paths.clear()
    _run(index_dir, corpus)
    assert reads.paths == []

    # Another day: nothing is read again, as every article's dates stay resolved against the day it
    # was first dated (test_dates_do_not_move_with_time).
    stats, enc = _run(index_dir, corpus, today=TODAY + dt.timedelta(days=1))
    assert reads.paths == [] and enc.encoded == [] and stats.unchanged == 5


def _dates(index_dir: Path) -> dict[str, tuple[str | None, str | None]]:
    rows = store.read_jsonl(store.current_generation(index_dir) / "documents.jsonl")
    return {r["doc_id"]: (r.get("date"), r.get("date_source")) for r in rows}


def test_dates_do_not_move_with_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A weekday date ("الجمعة 28 مايو") takes the latest year up to the day the article was first
    dated; re-indexing after its anniversary (read again or not, or rebuilt) must not re-date it."""
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    _age(corpus)
    index_dir = tmp_path / "index"
    _run(index_dir, corpus)  # TODAY, 2026-11-24
    before = _dates(index_dir)
    inferred = {d for d, (_, source) in before.items() if source == "inferred"}
    assert {"001_7c7fb83801401802", "003_fd500e0c9f5cd60f"} <= inferred

    later = dt.date(2027, 7, 1)  # after both anniversaries: dated today, both would be 2027
    fresh = tmp_path / "fresh"
    _run(fresh, corpus, today=later)
    assert all(_dates(fresh)[d] != before[d] for d in inferred), "the test needs dates that move"

    reads = _Counter(monkeypatch)
    stats, _ = _run(index_dir, corpus, today=later)
    assert reads.paths == [] and _dates(index_dir) == before and not stats.written

    _age(corpus, 30)  # touched: every file is read again, against the day it was first dated
    stats, _ = _run(index_dir, corpus, today=later)
    assert len(reads.paths) == len(before) and stats.written and _dates(index_dir) == before

    _run(index_dir, corpus, today=later, rebuild=True)  # a rebuild keeps the recorded days too
    assert _dates(index_dir) == before

    # A new article is dated against the day it first appears.
    new = corpus / "later-copy.txt"
    shutil.copy(corpus / "001_7c7fb83801401802.txt", new)
    _age(corpus, 20)
    _run(index_dir, corpus, today=later)
    after = _dates(index_dir)
    assert after["later-copy"] == _dates(fresh)["001_7c7fb83801401802"]
    assert {d: v for d, v in after.items() if d != "later-copy"} == before


def _sentence_rows(index_dir: Path) -> tuple[SentenceStore, list[dict[str, Any]]]:
    gen = store.current_generation(index_dir)
    chunks = store.read_jsonl(gen / "chunks.jsonl")
    loaded = SentenceStore.load(gen, n_chunks=len(chunks), dim=DIM)
    assert loaded is not None
    return loaded, chunks


def test_sentence_vectors_are_carried_over_and_match_a_rebuild(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    _run(index_dir, corpus, spans=True)
    changed = corpus / "body-date.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nوأكد الوزراء ضرورة التعاون.\n", encoding="utf-8")
    _, enc = _run(index_dir, corpus, spans=True)
    assert enc.encoded and all("الزراعة" in t or "الوزراء" in t or "التعاون" in t for t in enc.encoded)
    _run(tmp_path / "fresh", corpus, rebuild=True, spans=True)
    (got, chunks), (want, _) = _sentence_rows(index_dir), _sentence_rows(tmp_path / "fresh")
    np.testing.assert_array_equal(got.offsets, want.offsets)
    for a, b in zip(got.flat(), want.flat(), strict=True):
        np.testing.assert_array_equal(a, b)
    docs = {r["doc_id"]: r["text"] for r in store.read_jsonl(store.current_generation(index_dir) / "documents.jsonl")}
    for row, chunk in enumerate(chunks):  # every chunk's sentences are its candidate sentences, inside it
        spans, vecs = got.of_chunk(row)
        assert [tuple(map(int, s)) for s in spans] == candidate_spans(docs[chunk["doc_id"]], chunk["start"], chunk["end"])
        assert len(vecs) == len(spans) and all(chunk["start"] <= a < b <= chunk["end"] for a, b in spans)


def test_an_index_without_sentence_vectors_stays_without_them_until_rebuilt(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    _run(index_dir, corpus)  # an embedder that cannot pool spans
    gen = store.current_generation(index_dir)
    assert SentenceStore.load(gen, n_chunks=len(store.read_jsonl(gen / "chunks.jsonl")), dim=DIM) is None
    changed = corpus / "body-date.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nوأكد الوزراء ضرورة التعاون.\n", encoding="utf-8")
    _run(index_dir, corpus, spans=True)  # kept chunks have none: the whole generation goes without
    gen = store.current_generation(index_dir)
    assert not list(gen.glob("sentence_*"))
    _run(index_dir, corpus, spans=True, rebuild=True)
    assert _sentence_rows(index_dir)[0].live > 0
