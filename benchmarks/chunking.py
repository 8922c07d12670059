"""Fewer, longer chunks: what they save in embedding time per article, on real news.

    python benchmarks/chunking.py [--articles 120] [--rounds 2] [--settings 700/150,1500/100]

Embeds the first ``--articles`` articles of the SaudiNewsNet sample, chunked with each
setting, exactly as indexing does (the default embedder, its sentence vectors pooled in
the same pass), in ``--rounds`` rounds that visit the settings in turn; reports the
median seconds, chunks/s, articles/s, tokens/s and the ratio to the first setting.
Retrieval quality for the same settings: ``benchmarks/arcd_retrieval.py --chunk-chars
N --chunk-overlap N`` (ARCD). CPU flags are recorded beside the timings.

The share of the CPU's peak is estimated from the model's size: a forward pass costs
about 2 FLOPs a token for each weight outside the token-embedding table (a lookup;
EmbeddingGemma-300m: 308M parameters, 262,144 x 768 of them the table, so about 107M),
attention excluded, against 2 cores x the clock x 64 FLOPs a cycle (AVX-512 FMA on 32
float32 lanes: the f32 peak; bf16 dot products double it).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive import DUMP, cpu_flags  # noqa: E402

from assistant.app.api import embedder_loader  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.ingest.reader import ingest  # noqa: E402
from assistant.models.locate import resolve_embedder  # noqa: E402
from assistant.text.sentences import candidate_spans  # noqa: E402


def clock_ghz() -> float | None:
    try:
        m = re.search(r"^cpu MHz\s*:\s*([\d.]+)", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    except OSError:
        return None
    return float(m.group(1)) / 1000 if m else None


def _count(tokenizer: object, text: str) -> int:
    """Tokens in ``text`` for a Hugging Face tokenizer or a bare ``tokenizers.Tokenizer``."""
    if callable(tokenizer):
        return len(tokenizer(text)["input_ids"])
    return len(tokenizer.encode(text).ids)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--settings", default="700/150,1500/100")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "chunking.json")
    args = parser.parse_args()
    docs = ingest([DUMP]).documents[: args.articles]
    settings = load_settings()
    embedder = embedder_loader(settings, resolve_embedder(settings))()
    params = 308_000_000 - 262_144 * embedder.dim  # weights that cost FLOPs: all but the token-embedding table
    tokenizer = getattr(embedder.model, "tokenizer", None)
    variants = []
    for item in args.settings.split(","):
        size, overlap = (int(x) for x in item.split("/"))
        chunks = [(d, c) for d in docs for c in chunk_document(d, chunk_chars=size, overlap=overlap)]
        texts = [c.text for _, c in chunks]
        titles = [d.title for d, _ in chunks]
        spans = [[(a - c.start, b - c.start) for a, b in candidate_spans(d.text, c.start, c.end)] for d, c in chunks]
        tokens = sum(_count(tokenizer, embedder._document_prompt(t) + x) for x, t in zip(texts, titles)) if tokenizer else None
        variants.append({"setting": item, "chunks": len(chunks), "tokens": tokens, "texts": texts, "titles": titles, "spans": spans, "walls": []})
    embedder.encode_documents_with_sentences(variants[0]["texts"][:16], variants[0]["titles"][:16], variants[0]["spans"][:16])  # warm up
    for _ in range(args.rounds):
        for v in variants:
            started = time.perf_counter()
            embedder.encode_documents_with_sentences(v["texts"], v["titles"], v["spans"])
            v["walls"].append(time.perf_counter() - started)
    ghz = clock_ghz()
    peak = 2 * (ghz or 0) * 1e9 * 64
    rows = []
    base = None
    for v in variants:
        wall = statistics.median(v["walls"])
        base = base or wall
        tok_s = v["tokens"] / wall if v["tokens"] else None
        rows.append({
            "setting": v["setting"], "articles": len(docs), "chunks": v["chunks"], "chunks_per_article": round(v["chunks"] / len(docs), 2),
            "tokens": v["tokens"], "median_s": round(wall, 1), "walls_s": [round(w, 1) for w in v["walls"]],
            "chunks_per_s": round(v["chunks"] / wall, 2), "articles_per_s": round(len(docs) / wall, 2),
            "tokens_per_s": round(tok_s, 1) if tok_s else None, "speedup_vs_first": round(base / wall, 2),
            "share_of_f32_peak": round(tok_s * 2 * params / peak, 3) if tok_s and peak else None,
        })
    result = {"cpu_flags": cpu_flags(), "clock_ghz": ghz, "params": params, "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
