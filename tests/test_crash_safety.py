"""Crash safety and concurrency of the on-disk index, with the real `assistant index` command.

- `assistant index` is SIGKILLed at random moments (20 times, the corpus edited
  before each run so there is always new work): afterwards the index loads and
  is whole, the old generation or the new one, never a mix.
- Two `assistant index` runs at once: the second is refused through the lock.
- `search` and `ask` during a rebuild read the last complete generation.

A run that ends on its own between the test's last look and its kill counts as
"after the run finished" (the index is still checked whole): on a fast machine a
kill aimed near a run's end can arrive after it, and that is not a failure.

Run with ``-s`` to see where the kills landed (``kill totals``).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.index import store
from assistant.index.manifest import read_manifest
from assistant.config import load_settings
from assistant.models.embed import Embedder
from assistant.ingest.reader import ingest
from assistant.models.locate import resolve_embedder
from assistant.retrieve.search import SearchIndex
from conftest import ROOT, SEEDS, TODAY

KILLS = 20
TIMED_KILLS = 13
"""Kills at a uniformly random moment of a run that embeds (mostly start-up, model loading, embedding)."""
# The other KILLS - TIMED_KILLS are aimed at the short write-and-publish phase: a random delay
# after the run creates its new generation folder, in runs whose only work is a removed article.

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

State = dict[str, str]
"""doc_id -> content hash: what a generation holds (or a corpus would give)."""


def start_index(corpus: Path, index_dir: Path, *extra: str) -> subprocess.Popen[str]:
    """The real `assistant index` in a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", str(corpus), "--index-dir", str(index_dir), "-q", *extra],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def corpus_state(corpus: Path) -> State:
    return {d.doc_id: d.content_hash for d in ingest([corpus], today=TODAY).documents}


def check_index(index_dir: Path, loader: Callable[[], Embedder]) -> tuple[str, State]:
    """Assert the live generation is whole and consistent; return its name and what it holds."""
    import faiss
    import numpy as np

    from assistant.index.lexical import Bm25Index

    gen = store.current_generation(index_dir)
    manifest = read_manifest(gen)
    docs = {d.doc_id: d for d in map(store.document_from_row, store.read_jsonl(gen / "documents.jsonl"))}
    rows = store.read_jsonl(gen / "chunks.jsonl")
    chunks = [store.chunk_from_row(r, docs) for r in rows]  # bounds-checked slices of their documents
    vectors = np.load(gen / "vectors.npy")
    assert vectors.shape == (len(chunks), manifest.dim)
    if manifest.dense is not None and manifest.dense.type != "flat":  # an exact index is a scan of vectors.npy, with no file of its own
        dense = faiss.read_index(str(gen / "dense.faiss"))
        assert dense.ntotal == len(chunks) and dense.d == manifest.dim
    assert Bm25Index.load(gen / "bm25").size == len(chunks)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)  # no zero (unwritten) rows
    assert (manifest.counts.documents, manifest.counts.chunks) == (len(docs), len(chunks))
    per_doc = Counter(c.doc_id for c in chunks)
    for doc_id, entry in manifest.documents.items():
        assert entry.hash == docs[doc_id].content_hash
        assert entry.chunks == per_doc[doc_id]
    assert set(manifest.documents) == set(docs)
    for chunk in chunks:
        assert chunk.text == docs[chunk.doc_id].text[chunk.start : chunk.end]
    # and the library loader opens it and answers a query from it
    engine = SearchIndex.open(load_settings(index_dir=index_dir), resolve_embedder(load_settings()), loader)
    hits = engine.search("بوتين الكرملين", k=3, today=TODAY).hits
    assert hits and all(h.chunk.text == docs[h.chunk.doc_id].text[h.chunk.start : h.chunk.end] for h in hits)
    return gen.name, {d: doc.content_hash for d, doc in docs.items()}


@pytest.fixture(scope="module")
def loader(embedder: Embedder) -> Callable[[], Embedder]:
    """The session's real embedder, for every check in this module."""
    return lambda: embedder


@pytest.fixture()
def corpus_and_index(seed_index: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The seeds plus two small articles, and an index of them (seed vectors reused from the session index)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "edit.txt").write_text("خبر أول عن الطقس في دمشق.\n", encoding="utf-8")
    (corpus / "مقال ثابت.txt").write_text("وزراء الزراعة العرب يجتمعون في القاهرة لبحث الأمن الغذائي.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    proc = start_index(corpus, index_dir)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return corpus, index_dir


def edit_corpus(corpus: Path, i: int, rng: random.Random) -> None:
    """New work that needs the embedder: one article changed and one added."""
    (corpus / "edit.txt").write_text(f"خبر رقم {i} عن الطقس في دمشق: أمطار غزيرة وحرارة {rng.randint(0, 40)} درجة.\n", encoding="utf-8")
    (corpus / f"new {i:02d}.txt").write_text(f"مقال جديد رقم {i} عن اجتماع في بيروت.\n", encoding="utf-8")


def remove_one(corpus: Path) -> None:
    """New work that needs no embedder (so the run reaches its write phase quickly): one article removed."""
    min(corpus.glob("new *.txt")).unlink()


def _gens(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.glob("gen-*")}


def _pointer(index_dir: Path) -> str:
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def run_and_kill(corpus: Path, index_dir: Path, *, delay: float | None, after_write: float | None) -> str:
    """Start `assistant index`; SIGKILL it after ``delay`` seconds, or ``after_write`` seconds after its
    new generation folder appears. Returns where the kill landed."""
    before_gens, before_ptr = _gens(index_dir), _pointer(index_dir)
    proc = start_index(corpus, index_dir)
    started = time.monotonic()
    phase = "start-up, loading or embedding"
    while proc.poll() is None:
        now = time.monotonic()
        new_gen = bool(_gens(index_dir) - before_gens)
        if delay is not None and now - started >= delay:
            break
        if after_write is not None and new_gen:
            time.sleep(after_write)
            break
        time.sleep(0.001)
    if proc.poll() is not None:
        _, err = proc.communicate()
        assert proc.returncode == 0, err
        return "after the run finished"
    if _pointer(index_dir) != before_ptr:
        phase = "after publishing (pruning)"
    elif _gens(index_dir) - before_gens:
        phase = "writing or publishing"
    return phase if kill_unless_finished(proc) else "after the run finished"


def kill_unless_finished(proc: subprocess.Popen[str]) -> bool:
    """SIGKILL a child last seen running: True if the kill ended it, False if it had already
    finished (exit 0) in the moment between that look and the kill.

    A child that ended is a zombie until communicate() reaps it, so its pid is still its own
    and the kill does nothing; any exit other than 0 or the kill fails the test.
    """
    os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    if proc.returncode == 0:
        return False
    assert proc.returncode == -signal.SIGKILL, err
    return True


def test_a_run_that_ends_just_before_its_kill_counts_as_finished() -> None:
    """The race a fresh machine hit: poll() said running, the run ended, then the kill came."""
    done = subprocess.Popen([sys.executable, "-c", "pass"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.waitid(os.P_PID, done.pid, os.WEXITED | os.WNOWAIT)  # it has ended, and nobody has reaped it yet
    assert kill_unless_finished(done) is False
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert kill_unless_finished(running) is True


@pytest.mark.models  # `assistant index` loads the embedder
def test_sigkill_at_random_moments_never_leaves_a_half_written_index(
    corpus_and_index: tuple[Path, Path], loader: Callable[[], Embedder]
) -> None:
    corpus, index_dir = corpus_and_index
    rng = random.Random(20261124)
    live, state = check_index(index_dir, loader)

    # Two uninterrupted runs to measure how long a run and its write phase take; the shorter one
    # counts (the first after start-up can be slower, and timed kills aimed past a run's end are lost).
    totals, phases = [], []
    for first_edit in (0, 100):
        edit_corpus(corpus, first_edit, rng)
        before, pointer = _gens(index_dir), _pointer(index_dir)
        proc = start_index(corpus, index_dir)
        t0 = time.monotonic()
        write_started = published = None
        while True:
            running = proc.poll() is None  # read before looking, so a run that ends is looked at once more
            now = time.monotonic() - t0
            if write_started is None and _gens(index_dir) - before:
                write_started = now
            if published is None and _pointer(index_dir) != pointer:
                published = now
            if not running:
                break
            time.sleep(0.001)
        totals.append(time.monotonic() - t0)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        live, state = check_index(index_dir, loader)
        assert state == corpus_state(corpus)
        assert write_started is not None and published is not None
        phases.append(max(0.01, published - write_started))  # new generation folder -> CURRENT swapped
    total, write_phase = min(totals), min(phases)

    landed: Counter[str] = Counter()
    survived = 0
    aimed = {3, 6, 9, 12, 15, 18, 20}  # KILLS - TIMED_KILLS runs, each after enough additions to remove
    for i in range(1, KILLS + 1):
        if i in aimed:
            remove_one(corpus)
        else:
            edit_corpus(corpus, i, rng)
        old_state, new_state = state, corpus_state(corpus)
        assert old_state != new_state  # there is always new work to write
        if i in aimed:
            where = run_and_kill(corpus, index_dir, delay=None, after_write=rng.uniform(0.0, write_phase * 1.2))
        else:
            where = run_and_kill(corpus, index_dir, delay=rng.uniform(0.0, total), after_write=None)
        landed[where] += 1
        live, state = check_index(index_dir, loader)
        assert state in (old_state, new_state), f"kill {i} ({where}) left a generation that is neither old nor new"
        survived += 1
        # leftovers of killed runs are never more than the one folder each run may leave
        assert len(_gens(index_dir)) <= 2 + i

    remove_one(corpus)  # so the last run has work to publish
    proc = start_index(corpus, index_dir)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    live, state = check_index(index_dir, loader)
    assert state == corpus_state(corpus)
    # a finished run clears the leftovers: only the live generation and the one it replaced remain
    assert live in _gens(index_dir) and len(_gens(index_dir)) <= 2
    print(
        f"\nkill totals: {survived} SIGKILLs survived of {KILLS}; run {total:.1f}s, write phase {write_phase:.2f}s; "
        f"landed: {dict(landed)}"
    )
    assert survived == KILLS
    assert landed["start-up, loading or embedding"] >= 5
    assert landed["writing or publishing"] >= 1


@pytest.mark.models  # `assistant index` loads the embedder
def test_two_index_runs_at_once_the_second_is_refused_by_the_lock(
    corpus_and_index: tuple[Path, Path], loader: Callable[[], Embedder]
) -> None:
    corpus, index_dir = corpus_and_index
    rng = random.Random(1)
    for attempt in range(1, 4):
        edit_corpus(corpus, attempt, rng)
        first = start_index(corpus, index_dir)
        if _wait_for_lock(index_dir, first):
            break
        first.communicate()  # it ran start to end between two looks at the lock: try again
        assert first.returncode == 0 and attempt < 3, "the first run was never seen holding the lock"
    expected = corpus_state(corpus)
    # Stopped while it holds the lock, the first run cannot finish before the second tries it.
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = start_index(corpus, index_dir)
        _, err2 = second.communicate(timeout=600)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, err1 = first.communicate(timeout=600)
    assert first.returncode == 0, err1
    assert second.returncode == 4, err2
    assert "Traceback" not in err2
    assert err2.strip() == (
        f"error: the index in {index_dir} is being written by pid {first.pid} "
        "(wait for that `assistant index` run to finish)"
    )
    _, state = check_index(index_dir, loader)
    assert state == expected


def _lock_holder(index_dir: Path) -> str:
    """What the writer lock file says about its holder ("" when there is none, or no file)."""
    try:
        return (index_dir / ".lock").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _wait_for_lock(index_dir: Path, proc: subprocess.Popen[str]) -> bool:
    """Wait until ``proc`` holds the index's writer lock: True, or False if it ended first."""
    deadline = time.monotonic() + 300
    while _lock_holder(index_dir) != f"pid {proc.pid}":
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the run never took the lock"
        time.sleep(0.005)
    return True


@pytest.mark.models  # `assistant index` loads the embedder
def test_search_and_ask_during_an_index_run_read_the_last_complete_generation(
    corpus_and_index: tuple[Path, Path], loader: Callable[[], Embedder]
) -> None:
    corpus, index_dir = corpus_and_index
    old_gen, old_state = check_index(index_dir, loader)
    old_docs = {d.doc_id: d.text for d in ingest([corpus], today=TODAY).documents}
    # The run re-embeds everything and adds an article; readers must see old or new, whole.
    (corpus / "بيسكوف جديد.txt").write_text("قال بيسكوف اليوم إن الكرملين يتابع الوضع في سوريا.\n", encoding="utf-8")
    new_docs = {d.doc_id: d.text for d in ingest([corpus], today=TODAY).documents}
    writer = start_index(corpus, index_dir, "--rebuild")
    assert _wait_for_lock(index_dir, writer), "the rebuild ended before it was seen holding the lock"
    seen: Counter[str] = Counter()
    settings = load_settings(index_dir=index_dir)
    embedder_path = resolve_embedder(settings)
    # One open while the writer is held stopped: at least one read of the old generation, however
    # fast the rebuild is.
    os.kill(writer.pid, signal.SIGSTOP)
    try:
        assert {d: doc.text for d, doc in SearchIndex.open(settings, embedder_path, loader).docs.items()} == old_docs
        seen["old"] += 1
    finally:
        os.kill(writer.pid, signal.SIGCONT)
    readers = [
        subprocess.Popen([sys.executable, "-m", "assistant", *args, "--index-dir", str(index_dir)], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in (["search", "بيسكوف الكرملين", "--json"], ["ask", "ماذا قال بيسكوف؟", "--json", "--max-tokens", "16"])
    ]
    while writer.poll() is None:  # the library loader, over and over, across the publish
        engine = SearchIndex.open(settings, embedder_path, loader)
        texts = new_docs if len(engine.docs) == len(new_docs) else old_docs
        assert {d: doc.text for d, doc in engine.docs.items()} == texts  # a whole generation, old or new
        for hit in engine.search("بيسكوف الكرملين", k=3, today=TODAY).hits:
            assert hit.chunk.text == texts[hit.chunk.doc_id][hit.chunk.start : hit.chunk.end]
        seen["old" if texts is old_docs else "new"] += 1
    _, err = writer.communicate()
    assert writer.returncode == 0, err
    for reader in readers:
        out, err = reader.communicate(timeout=600)
        assert reader.returncode == 0, err
        assert "Traceback" not in err
        result = json.loads(out)  # old articles are unchanged, so new_docs holds every text either could show
        for hit in result.get("results", []):
            assert hit["text"] == new_docs[hit["doc_id"]][hit["start"] : hit["end"]]
        for cite in result.get("citations", []):
            assert cite["quote"] == new_docs[cite["doc_id"]][cite["start"] : cite["end"]]
    new_gen, new_state = check_index(index_dir, loader)
    assert new_gen != old_gen and set(new_state) == set(old_state) | {"بيسكوف جديد"}
    assert seen["old"] >= 1, seen
    print(f"\nreaders during the rebuild: {dict(seen)} library opens, 1 search and 1 ask process, all whole")
