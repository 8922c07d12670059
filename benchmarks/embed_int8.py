"""Issue 14: how fast is ``embed_precision = "int8"`` here, against bf16 (the default) and f32?

    python benchmarks/embed_int8.py [--rounds 3] [--passages 192] [--precisions f32,bf16,int8]

Loads the product's embedder three ways (OpenVINO f32; bf16, the default, which
OpenVINO computes in f32 where the CPU has no bf16; int8, the conversion
quantized once by NNCF on the shipped ARCD-train calibration texts, see
assistant/models/openvino_int8.py) and embeds what `assistant index` embeds:
the product's chunks of SaudiNewsNet sample articles (from the 400th record
on), under the document prompt with their titles, each with its candidate
sentences pooled in the same pass. Rounds alternate the precisions; it prints
passages/s per round, the ratios of the medians, and the cosine between each
passage's int8 and f32 vectors (and of the articles' titles asked as queries).
Int8 matrix products are fast on CPUs with VNNI (AVX512_VNNI or AVX-VNNI); name
the CPU flags with any figure (they are in the output).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from archive import DUMP as SAMPLE, cpu_flags  # noqa: E402

from assistant.config import load_settings  # noqa: E402
from assistant.errors import ModelMissing  # noqa: E402
from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.ingest.reader import ingest  # noqa: E402
from assistant.models.embed import load_embedder  # noqa: E402
from assistant.models.locate import resolve_embedder  # noqa: E402
from assistant.text.sentences import candidate_spans  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passages", type=int, default=192, help="passages (chunks) timed per round and precision")
    parser.add_argument("--precisions", default="f32,bf16,int8", help="which to time (int8 and bf16 at least)")
    args = parser.parse_args(argv)
    names = [p.strip() for p in args.precisions.split(",") if p.strip()]
    if not {"bf16", "int8"} <= set(names):
        parser.error("--precisions must include bf16 and int8")
    settings = load_settings()
    loaded = {}
    started = time.perf_counter()
    try:  # the product's own embedder as indexing loads it; int8 is quantized on its first load (cached)
        for precision in names:
            loaded[precision] = load_embedder(resolve_embedder(settings), threads=settings.cpu_threads(), backend="openvino",
                                              precision=precision, models_dir=settings.models_dir)
    except ModelMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    load_s = round(time.perf_counter() - started, 1)
    # what `assistant index` embeds: the product's chunks of the sample's articles (from the 400th on,
    # as read from the dump), each with its candidate sentences' spans, pooled in the same pass
    with tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "part.jsonl"
        part.write_text("".join(SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[400:600]), encoding="utf-8")
        documents = ingest([part]).documents
    chunks = [(c, d) for d in documents
              for c in chunk_document(d, chunk_chars=settings.chunk_chars, overlap=settings.chunk_overlap)][: args.passages]
    texts, titles = [c.text for c, _ in chunks], [d.title for _, d in chunks]
    spans = [[(a - c.start, b - c.start) for a, b in candidate_spans(d.text, c.start, c.end)] for c, d in chunks]
    queries = [d.title for d in documents if d.title][: args.passages]
    reference = loaded["f32" if "f32" in loaded else "bf16"]
    query_cos = (reference.encode_queries(queries) * loaded["int8"].encode_queries(queries)).sum(axis=1)
    for emb in loaded.values():  # compile and warm
        emb.encode_documents_with_sentences(texts[:16], titles[:16], spans[:16])
    rates: dict[str, list[float]] = {k: [] for k in loaded}
    vectors = {}
    for _ in range(args.rounds):
        for name, emb in loaded.items():
            t = time.perf_counter()
            vectors[name], _ = emb.encode_documents_with_sentences(texts, titles, spans)
            rates[name].append(round(len(texts) / (time.perf_counter() - t), 2))
    cos = (vectors[reference.precision] * vectors["int8"]).sum(axis=1)
    median = {k: statistics.median(v) for k, v in rates.items()}
    out = {
        "cpu_flags": cpu_flags(), "threads": settings.cpu_threads(), "passages": len(texts), "load_s": load_s,
        "passages_per_s": rates, "int8_over_bf16": round(median["int8"] / median["bf16"], 3),
        **({"int8_over_f32": round(median["int8"] / median["f32"], 3),
            "bf16_over_f32": round(median["bf16"] / median["f32"], 3)} if "f32" in median else {}),
        "cosine_to": reference.precision,
        "cosine_median": round(float(np.median(cos)), 4), "cosine_min": round(float(cos.min()), 4),
        "query_cosine_median": round(float(np.median(query_cos)), 4), "query_cosine_min": round(float(query_cos.min()), 4),
    }
    (ROOT / "bench-out").mkdir(exist_ok=True)
    (ROOT / "bench-out" / "embed-int8.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
