"""ARCD retrieval benchmark: every paragraph is its own article; every question is asked.

Reports nDCG@10, MRR@10, R@1, R@5, R@10 for dense only, BM25 only and the
hybrid, through the real pipeline (ingest -> chunk -> embed -> index -> search).
Chunk hits are collapsed to their article (first occurrence wins).

    python benchmarks/arcd_retrieval.py [--data PATH] [--limit N] [--out FILE] [--chunk-chars N --chunk-overlap N]

The index is kept in bench-out/arcd-index and reused when nothing changed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.app.api import index_corpus, open_search  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.eval.run import load_squad, ranking_metrics, with_copies, write_squad_corpus  # noqa: E402
from assistant.config import SearchSettings  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "external" / "arcd" / "arcd-test.json"
MODES = {
    "dense": SearchSettings(dense_weight=1.0, bm25_weight=0.0),
    "bm25": SearchSettings(dense_weight=0.0, bm25_weight=1.0),
    "hybrid": SearchSettings(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out" / "arcd")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "arcd-retrieval.json")
    parser.add_argument("--chunk-chars", type=int, default=None, help="chunk size to index with (default: the setting's)")
    parser.add_argument("--chunk-overlap", type=int, default=None, help="chunk overlap to index with (default: the setting's)")
    args = parser.parse_args()

    squad = load_squad(args.data)
    write_squad_corpus(squad, args.work / "corpus")
    pairs = [(q.question, q.gold_docs[0]) for q in squad.questions]
    if args.limit:
        pairs = pairs[: args.limit]
    chunking = {k: v for k, v in (("chunk_chars", args.chunk_chars), ("chunk_overlap", args.chunk_overlap)) if v is not None}
    suffix = "".join(f"-{v}" for v in chunking.values())
    settings = load_settings(index_dir=args.work / f"index{suffix}", **chunking)
    t0 = time.perf_counter()
    stats = index_corpus(settings, [args.work / "corpus"])
    print(stats.summary(), file=sys.stderr)
    engine = open_search(settings)
    engine.embedder  # load before timing queries
    qvecs = engine.embedder.encode_queries([q for q, _ in pairs])
    report: dict[str, object] = {"questions": len(pairs), "articles": len(engine.docs), "chunks": len(engine.chunks),
                                 "index_seconds": round(time.perf_counter() - t0, 1), "chunking": chunking or "default"}
    for mode, fusion in MODES.items():
        engine.tuning = fusion
        ranks: list[int | None] = []
        lat = []
        for (question, gold), qvec in zip(pairs, qvecs, strict=True):
            t = time.perf_counter()
            hits = engine.rank_vectors(question, qvec[None, :], k=50)
            lat.append(time.perf_counter() - t)
            order = list(dict.fromkeys(h.chunk.doc_id for h in hits))
            found = [order.index(g) for g in with_copies((gold,), engine.copies) if g in order[:10]]  # one print of a duplicated paragraph
            ranks.append(min(found) if found else None)
        m = ranking_metrics(ranks)
        m["p50_ms_after_embedding"] = statistics.median(lat) * 1000
        report[mode] = {k: round(v, 4) for k, v in m.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"{'mode':8} " + " ".join(f"{k:>8}" for k in ("nDCG@10", "MRR@10", "R@1", "R@5", "R@10")))
    for mode in MODES:
        row = report[mode]
        assert isinstance(row, dict)
        print(f"{mode:8} " + " ".join(f"{row[k]:8.4f}" for k in ("nDCG@10", "MRR@10", "R@1", "R@5", "R@10")))
    print(f"({len(pairs)} questions, {report['articles']} articles, {report['chunks']} chunks; JSON in {args.out})")


if __name__ == "__main__":
    main()
