"""Retrieval at scale: hybrid top-10 latency, FAISS build time and memory, recall@10 against exact search.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--queries 200] [--no-compare] [--out FILE]

For each size the script builds a synthetic index in bench-out/scale/ (deleted
afterwards) and queries it through the product's own code: dense.build and
DenseIndex (the FAISS index the indexer would choose for that size),
lexical.build_bm25 and Bm25Index, and SearchIndex's hybrid fusion
(rank_vectors / search with a parsed Query).

- BM25 side: chunks of 3-5 ARCD sentences drawn at random (about 100 tokens,
  like the real 700-character chunks); queries are ARCD's real questions.
- Dense side: random unit vectors of the embedder's true dimension (768) for
  chunks and queries. The query embedding itself (about 0.1 s with
  EmbeddingGemma) is not part of these figures: see the ask benchmarks.
- Random vectors are the hardest case for approximate search (no structure to
  exploit; the true neighbours are barely closer than the rest), so recall@10
  against exact search is reported both on them and on clustered vectors
  (topics with near-duplicates, the shape real news embeddings have).
- Latency: hybrid top-10 per query (BM25 scoring + dense search + fusion),
  p50/p95, warm, single-threaded query stream; also with a one-month date
  window (about 1/120 of the corpus), the first such query (which builds the
  article->rows map) reported apart.
- With --compare (default) the other index type is also built at each size
  and timed on 30 queries, to show why the threshold sits where it does.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from _synthetic import arcd_text  # noqa: E402

from assistant.index import dense  # noqa: E402
from assistant.index.manifest import Manifest  # noqa: E402
from assistant.eval.run import percentile  # noqa: E402
from assistant.text.arabic import tokenize  # noqa: E402
from assistant.index.lexical import Bm25Index, TokenTable, _gather, build_bm25  # noqa: E402
from assistant.retrieve.query import Query  # noqa: E402
from assistant.config import SearchSettings  # noqa: E402
from assistant.retrieve.search import SearchIndex  # noqa: E402
from assistant.types import Chunk, DateWindow, Document, PubDate  # noqa: E402

DIM = 768
CHUNKS_PER_DOC = 4
WINDOW = DateWindow(dt.date(2021, 5, 1), dt.date(2021, 5, 31), "May 2021")
TODAY = dt.date(2026, 12, 2)
POOL = SearchSettings().pool


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _date_of(doc: int) -> PubDate:
    return PubDate(2015 + doc % 10, 1 + (doc // 10) % 12, 1 + (doc // 120) % 28)


class _Chunks(Sequence[Chunk]):
    """The synthetic chunks, made on demand (ranking only touches the top hits' text)."""

    def __init__(self, sentences: list[str], picks: np.ndarray) -> None:
        self.sentences, self.picks = sentences, picks

    def __len__(self) -> int:
        return len(self.picks)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        text = " ".join(self.sentences[s] for s in self.picks[i] if s >= 0)
        return Chunk(f"c{i}", f"d{i // CHUNKS_PER_DOC}", 0, len(text), text, "")

    def __iter__(self) -> Iterator[Chunk]:
        for i in range(len(self)):
            yield Chunk(f"c{i}", f"d{i // CHUNKS_PER_DOC}", 0, 1, "", "")  # ids are all iteration needs


class _Docs(Mapping[str, Document]):
    """The synthetic articles: ids and dates (2015-2024), made on demand."""

    def __init__(self, n_docs: int) -> None:
        self.n = n_docs

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[str]:
        return (f"d{i}" for i in range(self.n))

    def __getitem__(self, doc_id: str) -> Document:
        i = int(doc_id[1:])
        return Document(doc_id, "", "", doc_id, None, _date_of(i), "header", "")


class _QueryVectors:
    """Stands in for the embedder in SearchIndex.search: hands out prepared query vectors in turn."""

    dim = DIM

    def __init__(self) -> None:
        self.next: np.ndarray | None = None

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        assert self.next is not None
        return self.next


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def write_vectors(path: Path, n: int, kind: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n unit vectors into a .npy file (random or clustered), and the matching query generator's centres."""
    rng = np.random.default_rng(seed)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, DIM))
    centres = _unit(rng.standard_normal((max(n // 50, 10), DIM), dtype=np.float32))
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        noise = rng.standard_normal((m, DIM), dtype=np.float32)
        if kind == "random":
            out[start : start + m] = _unit(noise)
        else:  # a topic centre plus noise of the same norm: in-topic cosine about 0.5
            out[start : start + m] = _unit(centres[rng.integers(0, len(centres), m)] + noise / np.sqrt(DIM))
    out.flush()
    del out
    return np.load(path, mmap_mode="r"), centres


def query_vectors(kind: str, centres: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    noise = rng.standard_normal((n, DIM), dtype=np.float32)
    if kind == "random":
        return _unit(noise)
    return _unit(centres[rng.integers(0, len(centres), n)] + noise / np.sqrt(DIM))


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k rows per query by brute force over the memory-mapped vectors, in blocks."""
    best_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(vectors), 200_000):
        block = np.asarray(vectors[start : start + 200_000])
        s = queries @ block.T
        top = np.argpartition(-s, min(k, s.shape[1] - 1), axis=1)[:, :k]
        cand_s = np.concatenate([best_s, np.take_along_axis(s, top, 1)], axis=1)
        cand_i = np.concatenate([best_i, top + start], axis=1)
        order = np.argsort(-cand_s, axis=1, kind="stable")[:, :k]
        best_s, best_i = np.take_along_axis(cand_s, order, 1), np.take_along_axis(cand_i, order, 1)
    return best_i


def chunk_tokens(sent_table: TokenTable, n: int, rng: np.random.Generator) -> tuple[TokenTable, np.ndarray]:
    """Token table of n chunks of 3-5 random sentences (ids into the sentences' vocabulary), and the picks."""
    counts = rng.integers(3, 6, n)
    picks = np.full((n, 5), -1, dtype=np.int32)
    for c in range(3, 6):
        rows = counts == c
        picks[rows, :c] = rng.integers(0, len(sent_table), (int(rows.sum()), c))
    flat = picks[picks >= 0]
    offsets = np.zeros(n + 1, dtype=np.int64)
    lengths = (sent_table.offsets[flat + 1] - sent_table.offsets[flat]).reshape(-1)
    per_chunk = np.zeros(n, dtype=np.int64)
    np.add.at(per_chunk, np.repeat(np.arange(n), counts), lengths)
    np.cumsum(per_chunk, out=offsets[1:])
    ids = sent_table.ids[_gather(sent_table.offsets, flat.astype(np.int64))]
    return TokenTable(sent_table.vocab, ids, offsets), picks


def run_size(n: int, args: argparse.Namespace, sentences: list[str], sent_table: TokenTable, questions: list[str]) -> dict[str, Any]:
    work = args.work / f"n{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rng = np.random.default_rng(n)
    row: dict[str, Any] = {"chunks": n, "dense_type": dense.choose_type(n)}
    try:
        t = time.perf_counter()
        tokens, picks = chunk_tokens(sent_table, n, rng)
        build_bm25(tokens, work / "bm25")
        row["bm25_build_s"] = round(time.perf_counter() - t, 1)
        row["bm25_disk_mb"] = round(sum(p.stat().st_size for p in (work / "bm25").glob("*.csc.index.npy")) / 2**20, 1)
        del tokens
        queries = questions[: args.queries]
        for kind in ("random", "clustered"):
            vecs_path = work / f"vectors-{kind}.npy"
            vectors, centres = write_vectors(vecs_path, n, kind, seed=n)
            qv = query_vectors(kind, centres, len(queries), seed=n)
            truth = exact_top(vectors, qv, 10)
            types = [row["dense_type"]] + ([t for t in ("flat", "pq-fastscan") if t != row["dense_type"]] if args.compare else [])
            for dtype in types:
                main = dtype == row["dense_type"]
                folder = work / f"{kind}-{dtype}"
                folder.mkdir()
                info = dense.build(vectors, folder, kind=dtype)
                gc.collect()
                rss0 = _rss_mb()
                index = dense.DenseIndex.open(folder, info, vectors)
                if index.kind != "flat":  # an exact index is a scan of the vectors themselves
                    index.load()
                bm25 = Bm25Index.load(work / "bm25")
                embedder = _QueryVectors()
                engine = SearchIndex(
                    work, Manifest(dense=info), _Docs(-(-n // CHUNKS_PER_DOC)), _Chunks(sentences, picks), index, bm25, lambda: embedder
                )
                nq = len(queries) if main else min(30, len(queries))
                lat, recall = [], []
                for qi in range(nq):
                    t = time.perf_counter()
                    hits = engine.rank_vectors(queries[qi], qv[qi : qi + 1], k=10)
                    lat.append(time.perf_counter() - t)
                    assert len(hits) == 10
                    rows, _ = index.search(qv[qi : qi + 1], 10)
                    recall.append(len(set(rows.tolist()) & set(truth[qi].tolist())) / 10)
                bm25_lat, dense_lat = [], []
                for qi in range(nq):
                    t = time.perf_counter()
                    bm25.scores(queries[qi])
                    bm25_lat.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    index.search(qv[qi : qi + 1], POOL)
                    dense_lat.append(time.perf_counter() - t)
                entry = {
                    "type": dtype,
                    "factory": info["factory"],
                    "build_s": info["build_seconds"],
                    "file_mb": round((folder / dense.FILE).stat().st_size / 2**20, 1) if (folder / dense.FILE).exists() else 0.0,
                    "vectors_mb": round(vecs_path.stat().st_size / 2**20, 1),
                    "rss_after_queries_mb": round(_rss_mb() - rss0, 1),
                    "queries": nq,
                    "hybrid_p50_ms": round(statistics.median(lat) * 1000, 1),
                    "hybrid_p95_ms": round(percentile(lat, 0.95) * 1000, 1),
                    "dense_recall@10": round(float(np.mean(recall)), 4),
                    "bm25_scores_p50_ms": round(statistics.median(bm25_lat) * 1000, 1),
                    "dense_search_p50_ms": round(statistics.median(dense_lat) * 1000, 1),
                }
                if main:
                    entry.update(_windowed(engine, embedder, queries, qv))
                row[f"{kind}/{dtype}"] = entry
                print(f"  {n:>9,} {kind:9} {dtype:11} " + json.dumps(entry), file=sys.stderr, flush=True)
                del engine, index, bm25
                shutil.rmtree(folder, ignore_errors=True)
            del vectors
            vecs_path.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return row


def _windowed(engine: SearchIndex, embedder: _QueryVectors, queries: list[str], qv: np.ndarray) -> dict[str, Any]:
    """Latency with a one-month date window (the product's date rule, through SearchIndex.search; parsing the query is timed too)."""
    lat = []
    first = 0.0
    rules: dict[str, int] = {}
    nq = min(50, len(queries))
    for qi in range(nq):
        embedder.next = qv[qi : qi + 1]
        t = time.perf_counter()
        query = dataclasses.replace(Query.parse(queries[qi], today=TODAY), window=WINDOW)
        result = engine.search(query, k=10)
        elapsed = time.perf_counter() - t
        if qi == 0:
            first = elapsed
        else:
            lat.append(elapsed)
        assert all(h.date and h.date.startswith("2021-05") for h in result.hits), result.date_rule
        rules[result.date_rule] = rules.get(result.date_rule, 0) + 1
    return {
        "window_first_query_s": round(first, 2),
        "window_p50_ms": round(statistics.median(lat) * 1000, 1),
        "window_p95_ms": round(percentile(lat, 0.95) * 1000, 1),
        "window_rules": rules,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out" / f"scale-work-{os.getpid()}")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "scale.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    sentences, questions = arcd_text()
    random.Random(0).shuffle(questions)
    questions = [q for q in questions if tokenize(q)]
    t = time.perf_counter()
    sent_table = TokenTable.from_tokens([tokenize(s) for s in sentences])
    print(f"{len(sentences)} ARCD sentences tokenised in {time.perf_counter() - t:.1f}s; {len(questions)} questions", file=sys.stderr)
    report: dict[str, Any] = {"dim": DIM, "flat_max_rows": dense.FLAT_MAX_ROWS, "rerank": dense.RERANK, "sizes": []}
    try:
        for n in sizes:
            print(f"size {n:,}", file=sys.stderr, flush=True)
            report["sizes"].append(run_size(n, args, sentences, sent_table, questions))
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(args.work, ignore_errors=True)

    print(f"{'chunks':>9} {'type':11} {'vectors':9} {'build s':>7} {'faiss MB':>8} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9} {'window p50':>10}")
    for row in report["sizes"]:
        for key, e in row.items():
            if isinstance(e, dict):
                kind = key.split("/")[0]
                mark = "" if e["type"] == row["dense_type"] else " (compare)"
                print(
                    f"{row['chunks']:>9,} {e['type']:11} {kind:9} {e['build_s']:>7.1f} {e['file_mb']:>8.1f} "
                    f"{e['hybrid_p50_ms']:>7.1f} {e['hybrid_p95_ms']:>7.1f} {e['dense_recall@10']:>9.3f} "
                    f"{e.get('window_p50_ms', float('nan')):>10.1f}{mark}"
                )
    print(f"(hybrid top-10 after query embedding; target p50 <= 100 ms at 1M chunks; JSON in {args.out})")


if __name__ == "__main__":
    main()
