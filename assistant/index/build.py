"""Build and update the index: ingest -> chunk -> embed -> FAISS + BM25, incrementally.

Only new or changed documents are chunked and embedded; vectors of unchanged
documents are reused; deleted documents drop out. Every run writes a whole
new generation (see store.py), so an interrupted run leaves the last one live.

A run with many chunks to embed first publishes a generation searched lexically (rows
not embedded yet marked pending), then embeds in batches kept in the embedding cache
(:mod:`assistant.index.embedding_cache`), then publishes the complete generation; wire
copies (:mod:`assistant.index.copies`) are found before that last write.

It stays one module (about 540 lines): :func:`build_index` is one transaction over the
previous generation, and its helpers (reuse, dating, row copying, tokens, sentences,
writing the generation) each serve only that one run; the batch embedding, the copies and
the store live in their own modules.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.index import dense
from assistant.index.copies import Copies, Signatures, find_copies
from assistant.index.embedding_cache import EmbeddingCache, assemble, chunk_key, embed_in_batches
from assistant.index import store
from assistant.ingest.chunking import chunk_document
from assistant.config import Settings
from assistant.errors import CorpusError, IndexCorrupt, IndexMissing
from assistant.ingest.metadata import sidecar_path
from assistant.ingest.reader import ingest
from assistant.index.lexical import TokenTable, build_bm25
from assistant.index.manifest import INGEST_VERSION, Counts, DocumentEntry, IndexConfig, Manifest, check_compatible, index_config, read_manifest, write_manifest
from assistant.index.sentence_store import SentenceStore
from assistant.types import Chunk, Document, DumpInfo, Progress, SkippedFile

if TYPE_CHECKING:
    import numpy as np

    from assistant.models.embed import Embedder


@dataclass
class IndexStats:
    """What an indexing run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = False
    copies: int = 0
    """Articles that are one of several copies of a story (wire copies)."""
    searchable_s: float | None = None
    """Seconds until a searchable (lexical) generation was published before embedding; None if none was."""
    dumps: list[DumpInfo] = field(default_factory=list)
    """The dumps read, with the field each role was read from."""
    sentence_vectors: bool = True
    """False when the live generation lacks the sentence vectors a rebuild would add (each answer then
    embeds its candidate sentences); the torch backend makes none, so it is never told to rebuild."""

    def summary(self) -> str:
        """One human line."""
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{self.unchanged} unchanged",
            f"{len(self.skipped)} skipped",
        ]
        line = f"indexed: {', '.join(parts)}; {self.chunks} chunks ({self.embedded_chunks} embedded) in {self.seconds:.1f}s"
        if self.searchable_s is not None:
            line += f" (searchable after {self.searchable_s:.1f}s)"
        if self.copies:
            line += f"; {self.copies} articles are copies of another's story (`assistant docs` shows which)"
        if not self.sentence_vectors and self.chunks:
            line += "; no sentence vectors (answers embed sentences per question: `assistant index --rebuild` adds them)"
        return line


@dataclass
class _Previous:
    manifest: Manifest
    docs: dict[str, Document]
    chunks: dict[str, list[tuple[Chunk, int]]]  # doc_id -> (chunk, row in vectors)
    vectors: np.ndarray
    gen: Path
    sentences: SentenceStore | None = None
    doc_lines: dict[str, str] = field(default_factory=dict)
    """Each document's line in documents.jsonl, rewritten as it is while the document is unchanged."""
    chunk_lines: list[str] = field(default_factory=list)
    """chunks.jsonl's lines, by row."""
    pending: np.ndarray | None = None
    """Rows not embedded yet (a searchable generation published before its embedding finished)."""
    copies: list[list[str]] = field(default_factory=list)
    """Its groups of wire copies (a generation still embedding keeps the previous run's)."""
    signatures: Signatures = field(default_factory=Signatures)
    """Its articles' MinHash signatures by content hash (unchanged articles are not shingled again)."""

    def is_pending(self, row: int) -> bool:
        return self.pending is not None and bool(self.pending[row])


def _load_previous(index_dir: Path) -> _Previous | None:
    try:
        gen = store.current_generation(index_dir)
    except IndexMissing:
        return None
    manifest = read_manifest(gen)
    doc_rows, doc_lines = store.read_jsonl_lines(gen / "documents.jsonl")
    docs = {d.doc_id: d for d in map(store.document_from_row, doc_rows)}
    rows, chunk_lines = store.read_jsonl_lines(gen / "chunks.jsonl")
    vectors = store.load_vectors(gen)
    store.check_generation(gen, manifest, docs, n_chunks=len(rows), vector_shape=vectors.shape)
    sentences = SentenceStore.load(gen, n_chunks=len(rows), dim=int(vectors.shape[1]))
    by_doc: dict[str, list[tuple[Chunk, int]]] = {}
    for row_no, row in enumerate(rows):
        chunk = store.chunk_from_row(row, docs)
        by_doc.setdefault(chunk.doc_id, []).append((chunk, row_no))
    lines = {row["doc_id"]: line for row, line in zip(doc_rows, doc_lines, strict=True)}
    pending = store.load_pending(gen, manifest, len(rows))
    return _Previous(
        manifest, docs, by_doc, vectors, gen, sentences, lines, chunk_lines, pending,
        store.load_copies(gen), Signatures.load(gen / SIGNATURES_FILE),
    )


SIGNATURES_FILE = "minhash.npz"

RACY_NS = 2_000_000_000
"""A file modified this close before the previous run's scan may have changed unseen: read it again."""


def _file_key(path: Path) -> list[Any] | None:
    """What says a file (and its metadata sidecar) is unchanged: size, mtime, inode, symlink-ness."""
    try:
        lst = os.lstat(path)
        st = os.stat(path) if stat.S_ISLNK(lst.st_mode) else lst
    except OSError:
        return None
    try:
        side = os.stat(sidecar_path(path))
        side_key: list[int] | None = [side.st_size, side.st_mtime_ns, side.st_ino]
    except OSError:
        side_key = None
    return [st.st_size, st.st_mtime_ns, st.st_ino, int(stat.S_ISLNK(lst.st_mode)), side_key]


@dataclass
class _DatedOn:
    """The day each article's dates are resolved against: the day it was first dated, kept from run to run.

    Body dates are not after that day and a weekday date takes the latest year up to it, so an
    article's date never moves just because time passed. New articles are dated against today.
    """

    today: dt.date
    before: Manifest | None
    days: dict[str, dt.date] = field(default_factory=dict)

    def __call__(self, doc_id: str) -> dt.date:
        day = self.days.get(doc_id)
        if day is None:
            day = self.days[doc_id] = (self.before.dated_on(doc_id) if self.before else None) or self.today
        return day


def _earlier_manifest(index_dir: Path, prev: _Previous | None) -> Manifest | None:
    """The live generation's manifest for its articles' reference days; read alone (best effort) on a rebuild."""
    if prev is not None:
        return prev.manifest
    try:
        return read_manifest(store.current_generation(index_dir))
    except (IndexMissing, IndexCorrupt):
        return None


@dataclass
class _Reuse:
    """Hands ingestion the previous run's Document for files whose key has not changed since it read them."""

    prev: _Previous | None
    keys: dict[str, list[Any] | None] = field(default_factory=dict)
    reused: int = 0

    def __call__(self, doc_id: str, path: Path) -> Document | None:
        key = self.keys[str(path)] = _file_key(path)
        if self.prev is None or key is None or self.prev.manifest.ingest != INGEST_VERSION:
            return None
        old = self.prev.docs.get(doc_id)
        listed = self.prev.manifest.documents.get(doc_id)
        scanned = self.prev.manifest.scanned_ns
        if old is None or listed is None or old.path != str(path) or listed.file != key or listed.hash != old.content_hash:
            return None
        if max(key[1], key[4][1] if key[4] else 0) >= scanned - RACY_NS:
            return None
        # Its dates were resolved against the day it was first dated, as a re-read would be: no
        # need to read it again on another day.
        self.reused += 1
        return old


def build_index(
    settings: Settings,
    paths: list[Path] | None,
    *,
    embedder_path: Path,
    load_embedder: Callable[[], Embedder],
    rebuild: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
    fields: dict[str, str | None] | None = None,
    on_searchable: Callable[[int, int, int], None] | None = None,
) -> IndexStats:
    """Bring the index in ``settings.index_dir`` in line with the corpus at ``paths``.

    ``paths`` None means the folders indexed last time, or ``settings.corpus``.
    ``fields`` names dump fields by role (None: those named last time).
    The embedder is loaded only when something needs embedding. When at least
    ``settings.stage_chunks`` chunks need it, a generation that searches them
    lexically (BM25, dates, metadata) is published first, ``on_searchable(articles,
    chunks, pending)`` is told, and embedding goes on in batches kept in the
    embedding cache (a killed run resumes without redoing one).
    """
    import numpy as np

    started = time.perf_counter()
    index_dir = settings.index_dir
    config = index_config(settings, embedder_path)
    stats = IndexStats()
    with store.write_lock(index_dir), _gc_paused():
        prev = None if rebuild else _load_previous(index_dir)
        if prev is not None:
            check_compatible(prev.manifest, config, index_dir)
        roots = _roots(paths, prev, settings)
        today = today or dt.date.today()
        scanned_ns = time.time_ns()
        reuse = _Reuse(prev)
        dated_on = _DatedOn(today, _earlier_manifest(index_dir, prev))
        if fields is None:
            fields = dict(prev.manifest.fields) if prev is not None else {}
        report = ingest(roots, today=today, reuse=reuse, dated_on=dated_on, fields=fields)
        stats.skipped = report.skipped + report.warnings
        stats.dumps = report.dumps
        if not report.documents and not report.skipped:
            from assistant.ingest.reader import SUPPORTED

            raise CorpusError(f"no articles ({SUPPORTED}) under {', '.join(map(str, roots))}")

        docs = report.documents
        seen = {d.doc_id for d in docs}
        kept_chunks: list[Chunk] = []
        kept_rows: list[int] = []
        new_chunks: list[Chunk] = []
        titles_for_new: list[str] = []
        order: list[tuple[str, int]] = []  # ("old", row) or ("new", i) in final chunk order
        for doc in docs:
            old = prev.docs.get(doc.doc_id) if prev else None
            if prev is not None and old is not None and old.content_hash == doc.content_hash:
                stats.unchanged += 1
                for chunk, row in prev.chunks.get(doc.doc_id, []):
                    if prev.is_pending(row):  # published before it was embedded: embed it now
                        order.append(("new", len(new_chunks)))
                        new_chunks.append(chunk)
                        titles_for_new.append(doc.title)
                        continue
                    order.append(("old", len(kept_rows)))
                    kept_chunks.append(chunk)
                    kept_rows.append(row)
                continue
            (stats.updated if old is not None else stats.added).append(doc.doc_id)
            for chunk in chunk_document(doc, chunk_chars=settings.chunk_chars, overlap=settings.chunk_overlap):
                order.append(("new", len(new_chunks)))
                new_chunks.append(chunk)
                titles_for_new.append(doc.title)
        stats.removed = sorted(set(prev.docs) - seen) if prev else []

        listed = prev.manifest.documents if prev is not None else {}
        keys_changed = any(_file_of(listed.get(d.doc_id)) != reuse.keys.get(d.path) for d in docs)
        if prev is not None and not (stats.added or stats.updated or stats.removed) and not rebuild:
            same_reading = prev.manifest.ingest == INGEST_VERSION and prev.manifest.fields == fields
            if [str(r) for r in roots] == prev.manifest.roots and not keys_changed and same_reading and not new_chunks:
                stats.chunks = len(kept_chunks)
                stats.sentence_vectors = prev.sentences is not None or settings.embed_backend != "openvino"
                stats.seconds = time.perf_counter() - started
                return stats

        dim = int(prev.vectors.shape[1]) if prev is not None and len(prev.vectors) else 0
        new_vecs: np.ndarray | None = None
        new_sentences: tuple[list[list[tuple[int, int]]], list[np.ndarray]] | None = None
        is_new = np.fromiter((kind == "new" for kind, _ in order), dtype=bool, count=len(order))
        chunks = [new_chunks[j] if kind == "new" else kept_chunks[j] for kind, j in order]
        tokens = _tokens(prev, docs, kept_chunks, kept_rows, new_chunks, titles_for_new, is_new)
        extra = {
            "scanned_ns": scanned_ns, "today": today, "files": reuse.keys, "dated_on": dated_on,
            "fields": fields, "dumps": report.dumps,
            "copies": [k for g in (prev.copies if prev is not None else []) if len(k := [d for d in g if d in seen]) > 1],
        }
        doc_rows = [_document_row(prev, d) for d in docs]
        chunk_rows = [store.chunk_to_row(new_chunks[j]) if kind == "new" else _chunk_line(prev, kept_rows[j]) for kind, j in order]
        if new_chunks:
            keys = [chunk_key(t, c.text) for c, t in zip(new_chunks, titles_for_new, strict=True)]
            cache = EmbeddingCache(index_dir, config.embedder.model_dump_json()).load()
            todo = [i for i, key in enumerate(keys) if key not in cache.found]
            embedder: Embedder | None = None
            cache.persist = len(todo) >= settings.stage_chunks
            if cache.persist:
                # Searchable now: publish the articles, their dates and BM25 before embedding them.
                if not dim and not cache.found:
                    embedder = load_embedder()
                vec_dim = dim or cache.dim or embedder.dim  # type: ignore[union-attr]
                partial = assemble(new_chunks, keys, cache, vec_dim, missing_ok=True)
                vectors = _vectors(prev, order, kept_rows, is_new, partial[0], vec_dim)
                sentences = _sentences(prev, kept_rows, partial[1], len(new_chunks), order, vec_dim)
                pending = np.zeros(len(order), dtype=bool)
                pending[np.flatnonzero(is_new)[todo]] = True
                _write_generation(index_dir, config, roots, docs, chunks, (doc_rows, chunk_rows), vectors, tokens, sentences, extra, pending)
                stats.searchable_s = time.perf_counter() - started
                if on_searchable is not None:
                    on_searchable(len(docs), len(order), len(todo))
            if todo:
                embedder = embedder or load_embedder()
                embed_in_batches(embedder, [new_chunks[i] for i in todo], [titles_for_new[i] for i in todo],
                                  [keys[i] for i in todo], {d.doc_id: d.text for d in docs}, cache, progress)
            new_vecs, new_sentences = assemble(new_chunks, keys, cache, dim or cache.dim)
            if dim and kept_rows and new_vecs.shape[1] != dim:
                raise store.dimension_mismatch(index_dir, dim, new_vecs.shape[1])
            dim = new_vecs.shape[1]
            stats.embedded_chunks = len(todo)
        if dim == 0:
            dim = load_embedder().dim

        vectors = _vectors(prev, order, kept_rows, is_new, new_vecs, dim)
        sentences = _sentences(prev, kept_rows, new_sentences, len(new_chunks), order, dim)
        copies, signatures = find_copies(  # after the searchable generation; only new and changed articles cost
            docs, Copies.of(prev.copies) if prev is not None else None, prev.signatures if prev is not None else None
        )
        stats.copies = sum(len(g) for g in copies.groups)
        extra["copies"], extra["signatures"] = copies.groups, signatures
        _write_generation(index_dir, config, roots, docs, chunks, (doc_rows, chunk_rows), vectors, tokens, sentences, extra)
        if new_chunks:
            cache.clear()
        stats.chunks = len(chunks)
        stats.written = True
        stats.sentence_vectors = sentences is not None or settings.embed_backend != "openvino"
        stats.seconds = time.perf_counter() - started
        return stats


def _vectors(
    prev: _Previous | None, order: list[tuple[str, int]], kept_rows: list[int], is_new: np.ndarray, new_vecs: np.ndarray | None, dim: int
) -> np.ndarray:
    """Every chunk's vector in order: kept chunks' copied from the previous generation, new chunks' given."""
    import numpy as np

    vectors = np.empty((len(order), dim), dtype=np.float32)
    if kept_rows:
        assert prev is not None
        _copy_rows(vectors, np.flatnonzero(~is_new), prev.vectors, np.asarray(kept_rows, dtype=np.int64))
    if new_vecs is not None:
        vectors[is_new] = new_vecs
    return vectors


def _file_of(entry: DocumentEntry | None) -> list[Any] | None:
    return entry.file if entry is not None else None


def _document_row(prev: _Previous | None, doc: Document) -> dict[str, Any] | str:
    """documents.jsonl's row for ``doc``: the previous line when ingestion reused the previous run's document."""
    if prev is not None and prev.docs.get(doc.doc_id) is doc and doc.doc_id in prev.doc_lines:
        return prev.doc_lines[doc.doc_id]
    return store.document_to_row(doc)


def _chunk_line(prev: _Previous | None, row: int) -> str:
    assert prev is not None
    return prev.chunk_lines[row]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading and writing tens of thousands of small records
    otherwise sets off full collections over every live object (about 1 s of a 10k-article run)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _copy_rows(dst: np.ndarray, dst_rows: np.ndarray, src: np.ndarray, src_rows: np.ndarray) -> None:
    """``dst[dst_rows] = src[src_rows]``, copying runs of consecutive rows as slices (fast from a memory map)."""
    import numpy as np

    if not len(src_rows):
        return
    breaks = np.flatnonzero((np.diff(src_rows) != 1) | (np.diff(dst_rows) != 1)) + 1
    for a, b in zip(np.concatenate(([0], breaks)), np.concatenate((breaks, [len(src_rows)])), strict=True):
        dst[dst_rows[a] : dst_rows[a] + (b - a)] = src[src_rows[a] : src_rows[a] + (b - a)]


def _tokens(
    prev: _Previous | None,
    docs: list[Document],
    kept: list[Chunk],
    kept_rows: list[int],
    new: list[Chunk],
    new_titles: list[str],
    is_new: np.ndarray,
) -> TokenTable:
    """BM25 tokens of every chunk in order: kept chunks' from the previous run, new chunks' tokenised now."""
    import numpy as np

    old_table = TokenTable.load(prev.gen / "bm25") if prev is not None and kept else None
    if old_table is not None and prev is not None and len(old_table) == len(prev.vectors):
        old_rows = np.asarray(kept_rows, dtype=np.int64)
    else:  # an index from before tokens were kept: tokenise the kept chunks too
        titles = {d.doc_id: d.title for d in docs}
        old_table = TokenTable.from_texts([c.text for c in kept], [titles[c.doc_id] for c in kept])
        old_rows = np.arange(len(kept), dtype=np.int64)
    new_table = TokenTable.from_texts([c.text for c in new], new_titles)
    return TokenTable.assemble(
        [(old_table, old_rows), (new_table, np.arange(len(new), dtype=np.int64))], is_new.astype(np.int64)
    )


def _sentences(
    prev: _Previous | None,
    kept_rows: list[int],
    new: tuple[list[list[tuple[int, int]]], list[np.ndarray]] | None,
    n_new: int,
    order: list[tuple[str, int]],
    dim: int,
) -> SentenceStore | None:
    """Sentence vectors of every chunk in order: kept chunks' carried over, new chunks' from this run.

    None (the evidence step then embeds per question) when some chunks have none: the previous
    generation was built without them, or this run's embedder cannot pool spans.
    """
    import numpy as np

    if (kept_rows and (prev is None or prev.sentences is None)) or (n_new and new is None):
        return None
    new_spans, new_vecs = new if new is not None else ([], [])
    old = prev.sentences if prev is not None else None
    return SentenceStore.splice(old, np.asarray(kept_rows, dtype=np.int64), new_spans, new_vecs, order, dim)


def _roots(paths: list[Path] | None, prev: _Previous | None, settings: Settings) -> list[Path]:
    if paths:
        roots = [p.expanduser().resolve() for p in paths]
    elif prev is not None and prev.manifest.roots:
        roots = [Path(r) for r in prev.manifest.roots]
    else:
        roots = [settings.corpus.expanduser().resolve()]
    for root in roots:
        if not root.exists():
            raise CorpusError(f"corpus path not found: {root}", hint="give an existing folder or file to `assistant index`")
    return roots


def _write_generation(
    index_dir: Path,
    config: IndexConfig,
    roots: list[Path],
    docs: list[Document],
    chunks: list[Chunk],
    rows: tuple[list[dict[str, Any] | str], list[dict[str, Any] | str]],
    vectors: np.ndarray,
    tokens: TokenTable,
    sentences: SentenceStore | None,
    extra: dict[str, Any],
    pending: np.ndarray | None = None,
) -> None:
    """Write and publish a generation; ``rows`` are documents.jsonl's and chunks.jsonl's rows, in order;
    ``pending`` marks the rows not embedded yet (their vectors are zeros)."""
    import numpy as np

    gen = store.new_generation(index_dir)
    try:
        store.write_jsonl(gen / "documents.jsonl", rows[0])
        store.write_jsonl(gen / "chunks.jsonl", rows[1])
        np.save(gen / "vectors.npy", vectors)
        if sentences is not None:
            sentences.save(gen)
        if pending is not None and pending.any():
            store.save_pending(gen, pending)
        store.save_copies(gen, extra["copies"])
        if "signatures" in extra:
            extra["signatures"].save(gen / SIGNATURES_FILE)
        # A generation still embedding is searched exactly (its zero rows would spoil a quantiser's training).
        dense_info = dense.build(vectors, gen, kind="flat" if pending is not None and pending.any() else None)
        build_bm25(tokens, gen / "bm25")
        files = extra["files"]
        dated_on = extra["dated_on"]
        counts: dict[str, int] = {}
        for c in chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        write_manifest(
            gen,
            Manifest(
                config=config,
                dim=int(vectors.shape[1]),
                dense=dense_info,
                roots=[str(r) for r in roots],
                created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                counts=Counts(documents=len(docs), chunks=len(chunks)),
                sentence_vectors=0 if sentences is None else int(sentences.offsets[-1]),
                documents={
                    d.doc_id: DocumentEntry(
                        hash=d.content_hash, chunks=counts.get(d.doc_id, 0), file=files.get(d.path), dated_on=dated_on(d.doc_id)
                    )
                    for d in docs
                },
                scanned_ns=extra["scanned_ns"],
                today=extra["today"],
                ingest=INGEST_VERSION,
                pending=int(pending.sum()) if pending is not None else 0,
                fields=extra["fields"],
                dumps=[dataclasses.asdict(d) for d in extra["dumps"]],
            ),
        )
        store.publish(index_dir, gen)
    except BaseException:
        import shutil

        shutil.rmtree(gen, ignore_errors=True)
        raise
