"""Indexing: incremental updates, refusal of mismatched indexes, atomic generations, the lock."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.index import store
from assistant.app.api import index_corpus, open_search
from assistant.config import load_settings
from assistant.errors import IndexLocked, IndexMismatch, IndexMissing
from conftest import SEEDS, TODAY, run_cli


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("002_09ee7769ac09c443.txt", "004_c80ef43e0c326550.txt"):
        shutil.copy(SEEDS / name, corpus / name)
    return corpus


@pytest.mark.models  # indexes with the real embedder
def test_incremental_reindex_embeds_only_what_changed(small_corpus: Path, tmp_path: Path) -> None:
    settings = load_settings(index_dir=tmp_path / "index")
    first = index_corpus(settings, [small_corpus], today=TODAY)
    assert sorted(first.added) == ["002_09ee7769ac09c443", "004_c80ef43e0c326550"]
    assert first.embedded_chunks == first.chunks > 0

    again = index_corpus(settings, [small_corpus], today=TODAY)
    assert (again.added, again.updated, again.removed, again.embedded_chunks) == ([], [], [], 0)
    assert again.unchanged == 2 and not again.written

    (small_corpus / "new article.txt").write_text("خبر جديد عن اجتماع وزراء الزراعة العرب في القاهرة.\n", encoding="utf-8")
    (small_corpus / "002_09ee7769ac09c443.txt").unlink()
    third = index_corpus(settings, [small_corpus], today=TODAY)
    assert third.added == ["new article"]
    assert third.removed == ["002_09ee7769ac09c443"]
    assert third.unchanged == 1
    assert third.embedded_chunks == 1

    engine = open_search(settings)
    assert set(engine.docs) == {"004_c80ef43e0c326550", "new article"}
    top = engine.search("وزراء الزراعة في القاهرة", k=1, today=TODAY).hits[0]
    assert top.chunk.doc_id == "new article"


@pytest.mark.models  # indexes with the real embedder
def test_index_built_with_other_chunk_settings_is_refused(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_corpus(load_settings(index_dir=index_dir), [small_corpus], today=TODAY)
    other = load_settings(index_dir=index_dir, chunk_chars=400)
    with pytest.raises(IndexMismatch, match="chunk settings"):
        open_search(other)
    with pytest.raises(IndexMismatch):
        index_corpus(other, [small_corpus], today=TODAY)
    rebuilt = index_corpus(other, [small_corpus], rebuild=True, today=TODAY)
    assert rebuilt.written and rebuilt.embedded_chunks == rebuilt.chunks


@pytest.mark.models  # indexes with the real embedder
def test_index_from_another_embedder_is_refused_by_the_cli(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_corpus(load_settings(index_dir=index_dir), [small_corpus], today=TODAY)
    gen = store.current_generation(index_dir)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest["config"]["embedder"] = {"name": "other-model", "fingerprint": "0123456789abcdef"}
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    proc = run_cli("search", "بوتين", "--index-dir", str(index_dir))
    assert proc.returncode == 4
    assert proc.stderr.count("\n") == 1
    assert "another embedder" in proc.stderr and "assistant index --rebuild" in proc.stderr


def test_missing_index_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing):
        open_search(load_settings(index_dir=tmp_path / "nothing"))
    proc = run_cli("docs", "--index-dir", str(tmp_path / "nothing"))
    assert proc.returncode == 4
    assert proc.stderr.strip() == f"error: no index in {tmp_path / 'nothing'} (build it with `assistant index`)"


def test_second_writer_is_refused_while_the_lock_is_held(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with store.write_lock(index_dir):
        with pytest.raises(IndexLocked, match="being written"):
            index_corpus(load_settings(index_dir=index_dir), [small_corpus], today=TODAY)


@pytest.mark.models  # indexes with the real embedder
def test_a_failed_run_leaves_the_previous_generation_live(small_corpus: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    index_dir = tmp_path / "index"
    settings = load_settings(index_dir=index_dir)
    index_corpus(settings, [small_corpus], today=TODAY)
    live = store.current_generation(index_dir)
    (small_corpus / "extra.txt").write_text("نص إضافي عن الطقس في دمشق.\n", encoding="utf-8")

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr("assistant.index.build.build_bm25", boom)
    with pytest.raises(RuntimeError):
        index_corpus(settings, [small_corpus], today=TODAY)
    assert store.current_generation(index_dir) == live
    assert [p.name for p in index_dir.glob("gen-*")] == [live.name]
    assert set(open_search(settings).docs) == {"002_09ee7769ac09c443", "004_c80ef43e0c326550"}


@pytest.mark.models  # indexes with the real embedder
def test_cli_index_reports_counts_on_stderr_only(small_corpus: Path, tmp_path: Path) -> None:
    (small_corpus / "empty.txt").write_bytes(b"")
    proc = run_cli("index", str(small_corpus), "--index-dir", str(tmp_path / "index"), "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "2 added" in proc.stderr
    assert "skipped" in proc.stderr and "empty.txt" in proc.stderr
