"""Indexing (embedding) throughput: plain fp32 sentence-transformers vs the speed-ups, in one run.

For every variant it measures chunks/s and tokens/s over (a) the seeds' chunks
and (b) a fixed sample of ARCD's paragraph chunks, as the median of
``--repeats`` rounds that visit the variants in turn (so load from other
processes falls on all of them alike), and the ratio to the baseline measured
in the same run. Every variant whose vectors differ from the baseline's also
embeds all of ARCD (chunks and questions, with the same variant) for dense
nDCG@10; that full pass is timed too. Matryoshka truncations (512, 256 dims)
of the chosen variant are scored from the same vectors.

    python benchmarks/index_throughput.py [--repeats 3] [--arcd-sample 32] [--variants a,b] [--out FILE]

Variants:
  st-fp32          baseline: SentenceTransformer.encode, fp32, its default batch size (32)
  torch-f32        the product's torch path: length-sorted batches of 16 (same vectors)
  torch-bf16       torch, weights cast to bfloat16
  torch-int8       torch.ao dynamic int8 quantisation of every Linear layer
  openvino-f32     OpenVINO IR (converted once, cached in the models dir), f32
  openvino-bf16    OpenVINO IR, bf16 inference precision (the product default)
  openvino-int8    embed_precision int8: the product's NNCF int8 model (quantized once), other operations in bf16

Wall-clock figures are what the table's chunks/s and ratios use; the CPU-time
ratio (seeds/ARCD, process CPU seconds) is printed beside them because other
processes on a small machine stretch wall time. The JSON starts with a flat
summary of the chosen variant (speed-ups, nDCG@10 delta, whether >= 2x with a
drop of at most 0.005 is met).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.config import Settings, load_settings  # noqa: E402
from assistant.models.embed import Embedder, load_embedder  # noqa: E402
from assistant.eval.run import load_squad, ranking_metrics, write_squad_corpus  # noqa: E402
from assistant.ingest.reader import ingest  # noqa: E402
from assistant.models.locate import resolve_embedder  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "external" / "arcd" / "arcd-test.json"
ALL_VARIANTS = ("st-fp32", "torch-f32", "torch-bf16", "torch-int8", "openvino-f32", "openvino-bf16", "openvino-int8")
BASELINE = "st-fp32"
CHOSEN = "openvino-bf16"
SAME_VECTORS = {"torch-f32"}  # identical arithmetic to the baseline, only batched differently
MATRYOSHKA = (512, 256)


@dataclass
class Corpus:
    """Texts as the embedder sees them (prompt included), with their token counts."""

    name: str
    texts: list[str]
    tokens: int


@dataclass
class Variant:
    """One way of embedding: documents (prompted texts in, unit vectors out) and queries."""

    name: str
    documents: Callable[[list[str]], Any]
    queries: Callable[[list[str]], Any]
    times: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    vectors: dict[str, Any] = field(default_factory=dict)


def _chunks(settings: Settings, root: Path, prompt: Callable[[str], str]) -> list[str]:
    report = ingest([root.resolve()])
    return [
        prompt(doc.title) + c.text
        for doc in report.documents
        for c in chunk_document(doc, chunk_chars=settings.chunk_chars, overlap=settings.chunk_overlap)
    ]


def _embedder_variant(name: str, emb: Embedder) -> Variant:
    """The product's path: Embedder._encode in length-sorted batches of 16, as encode_documents does."""
    import numpy as np

    def documents(texts: list[str]) -> Any:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), emb.dim), dtype=np.float32)
        for lo in range(0, len(order), 16):
            idx = order[lo : lo + 16]
            out[idx] = emb._encode([texts[i] for i in idx])
        return out

    return Variant(name, documents, emb.encode_queries)


def _load_variants(names: list[str], path: Path, settings: Settings, say: Callable[[str], None]) -> dict[str, Variant]:
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    threads = settings.cpu_threads()
    torch.set_num_threads(threads)
    say(f"loading variants ({threads} threads)…")
    st = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    query_prompt = (st.prompts or {}).get("query", "")
    variants: dict[str, Variant] = {}
    for name in names:
        if name == "st-fp32":
            def plain(texts: list[str], model: Any = st) -> Any:
                return np.asarray(model.encode(texts, normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32)

            variants[name] = Variant(name, plain, lambda qs, f=plain: f([query_prompt + q for q in qs]))
        elif name == "torch-f32":
            variants[name] = _embedder_variant(name, Embedder(path.name, path, "", st))
        elif name == "torch-bf16":
            model = copy.deepcopy(st).to(torch.bfloat16)
            variants[name] = _embedder_variant(name, Embedder(path.name, path, "", model, "torch", "bf16"))
        elif name == "torch-int8":
            from torch.ao.quantization import quantize_dynamic

            model = quantize_dynamic(copy.deepcopy(st), {torch.nn.Linear}, dtype=torch.qint8)
            variants[name] = _embedder_variant(name, Embedder(path.name, path, "", model, "torch", "int8"))
        elif name.startswith("openvino-"):
            precision = name.removeprefix("openvino-")
            emb = load_embedder(path, threads=threads, backend="openvino", precision=precision,  # type: ignore[arg-type]
                                models_dir=settings.models_dir)
            variants[name] = _embedder_variant(name, emb)
        else:
            raise SystemExit(f"unknown variant {name!r}; choose from {', '.join(ALL_VARIANTS)}")
    return variants


def _dense_metrics(doc_vecs: Any, doc_ids: list[str], q_vecs: Any, gold: list[str]) -> dict[str, float]:
    import numpy as np

    scores = q_vecs @ doc_vecs.T
    ranks: list[int | None] = []
    for row, want in zip(scores, gold, strict=True):
        order = list(dict.fromkeys(doc_ids[i] for i in np.argsort(-row, kind="stable")[:50]))
        ranks.append(order.index(want) if want in order[:10] else None)
    return {k: round(v, 4) for k, v in ranking_metrics(ranks).items()}


def _truncate(vecs: Any, dim: int) -> Any:
    import numpy as np

    cut = np.ascontiguousarray(vecs[:, :dim])
    return cut / np.maximum(np.linalg.norm(cut, axis=1, keepdims=True), 1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--arcd-sample", type=int, default=32, help="ARCD chunks per timed round (every k-th chunk)")
    parser.add_argument("--variants", default=",".join(ALL_VARIANTS))
    parser.add_argument("--no-quality", action="store_true", help="skip the full ARCD passes and nDCG@10")
    parser.add_argument("--quality", default="", help="variants to score on ARCD (default: all whose vectors differ)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out" / "arcd")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "index_throughput.json")
    args = parser.parse_args()
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    if BASELINE not in names:
        names.insert(0, BASELINE)

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    err = Console(stderr=True)
    settings = load_settings()
    path = resolve_embedder(settings)
    variants = _load_variants(names, path, settings, err.print)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path))
    doc_template = Embedder(path.name, path, "", SimpleNamespace(prompts=_prompts(path)))._document_prompt

    squad = load_squad(args.data)
    write_squad_corpus(squad, args.work / "corpus")
    arcd_report = ingest([(args.work / "corpus").resolve()])
    arcd_texts: list[str] = []
    arcd_ids: list[str] = []
    for doc in arcd_report.documents:
        for c in chunk_document(doc, chunk_chars=settings.chunk_chars, overlap=settings.chunk_overlap):
            arcd_texts.append(doc_template(doc.title) + c.text)
            arcd_ids.append(doc.doc_id)
    step = max(1, len(arcd_texts) // max(1, args.arcd_sample))
    sample = arcd_texts[::step][: args.arcd_sample]

    def corpus(name: str, texts: list[str]) -> Corpus:
        return Corpus(name, texts, sum(len(x) for x in tokenizer(texts, add_special_tokens=True)["input_ids"]))

    corpora = [corpus("seeds", _chunks(settings, settings.corpus, doc_template)), corpus("arcd-sample", sample)]
    full = corpus("arcd-full", arcd_texts)
    questions = [q.question for q in squad.questions]
    gold = [q.gold_docs[0] for q in squad.questions]

    wanted = [n.strip() for n in args.quality.split(",") if n.strip()] or [n for n in names if n not in SAME_VECTORS]
    quality_names = [] if args.no_quality else [n for n in names if n in wanted or n == BASELINE]
    total = args.repeats * len(names) * sum(len(c.texts) for c in corpora) + len(quality_names) * (len(arcd_texts) + len(questions))
    columns = (TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("eta"), TimeRemainingColumn())
    quality: dict[str, dict[str, Any]] = {}
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("warm-up", total=total)
        for v in variants.values():  # first call pays one-off costs (allocations, OpenVINO shape compile)
            v.documents(sample[:2])
        for rep in range(args.repeats):
            for v in variants.values():
                for c in corpora:
                    bar.update(task, description=f"round {rep + 1}/{args.repeats}: {v.name} on {c.name}")
                    t, cpu = time.perf_counter(), time.process_time()
                    vecs = v.documents(c.texts)
                    v.times.setdefault(c.name, []).append(time.perf_counter() - t)
                    v.cpu.setdefault(c.name, []).append(time.process_time() - cpu)
                    v.vectors[c.name] = vecs
                    bar.advance(task, len(c.texts))
        for name in quality_names:
            v = variants[name]
            bar.update(task, description=f"ARCD nDCG: {name} ({len(arcd_texts)} chunks)")
            t, cpu = time.perf_counter(), time.process_time()
            docs = v.documents(arcd_texts)
            v.times[full.name] = [time.perf_counter() - t]
            v.cpu[full.name] = [time.process_time() - cpu]
            bar.advance(task, len(arcd_texts))
            bar.update(task, description=f"ARCD nDCG: {name} ({len(questions)} questions)")
            qvecs = v.queries(questions)
            bar.advance(task, len(questions))
            quality[name] = _dense_metrics(docs, arcd_ids, qvecs, gold)
            _save(_report(variants, corpora + [full], quality, args, names), args.out)  # partial results survive
            if name == CHOSEN or (name == BASELINE and CHOSEN not in quality_names):
                for dim in MATRYOSHKA:
                    if dim < docs.shape[1]:
                        quality[f"{name} @{dim}d"] = _dense_metrics(_truncate(docs, dim), arcd_ids, _truncate(qvecs, dim), gold)

    report = _report(variants, corpora + [full], quality, args, names)
    _save(report, args.out)
    _print_table(report, Console(width=max(150, Console().width)), Table)
    print(f"JSON in {args.out}")


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The chosen variant against the baseline, flat (speed-ups, nDCG@10 and its delta, target met)."""
    row = report["throughput"].get(report["chosen"], {})
    quality = report["arcd_dense"]
    out: dict[str, Any] = {
        "speedup_seeds": row.get("seeds", {}).get("ratio_to_baseline"),
        "speedup_arcd": row.get("arcd-sample", {}).get("ratio_to_baseline"),
        "speedup_arcd_full": row.get("arcd-full", {}).get("ratio_to_baseline"),
        "ndcg10_baseline": quality.get(report["baseline"], {}).get("nDCG@10"),
        "ndcg10_chosen": quality.get(report["chosen"], {}).get("nDCG@10"),
        "ndcg10_delta": quality.get(report["chosen"], {}).get("nDCG@10_delta"),
    }
    speeds = [v for k, v in out.items() if k.startswith("speedup") and v is not None]
    delta = out["ndcg10_delta"]
    out["met"] = bool(speeds) and min(speeds) >= 2.0 and (delta is None or delta >= -0.005)
    return out


def _save(report: dict[str, Any], out: Path) -> None:
    report = {**summary(report), **report}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _prompts(path: Path) -> dict[str, str]:
    try:
        data = json.loads((path / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(data.get("prompts") or {})


def _report(variants: dict[str, Variant], corpora: list[Corpus], quality: dict[str, dict[str, Any]],
            args: argparse.Namespace, names: list[str]) -> dict[str, Any]:
    base = variants[BASELINE]
    rows: dict[str, Any] = {}
    for name, v in variants.items():
        row: dict[str, Any] = {}
        for c in corpora:
            times = v.times.get(c.name)
            if not times:
                continue
            med = statistics.median(times)
            base_med = statistics.median(base.times[c.name]) if base.times.get(c.name) else None
            row[c.name] = {
                "chunks": len(c.texts), "tokens": c.tokens, "runs": len(times), "seconds_median": round(med, 3),
                "seconds_all": [round(t, 3) for t in times],
                "chunks_per_s": round(len(c.texts) / med, 3), "tokens_per_s": round(c.tokens / med, 1),
                "ratio_to_baseline": round(base_med / med, 2) if base_med else None,
            }
            if v.cpu.get(c.name) and base.cpu.get(c.name):
                cpu_med = statistics.median(v.cpu[c.name])
                row[c.name]["cpu_seconds_median"] = round(cpu_med, 3)
                row[c.name]["cpu_ratio_to_baseline"] = round(statistics.median(base.cpu[c.name]) / cpu_med, 2)
            if c.name in v.vectors and c.name in base.vectors:
                cos = (v.vectors[c.name] * base.vectors[c.name]).sum(axis=1)
                row[c.name]["cosine_to_baseline"] = {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)}
        rows[name] = row
    base_q = quality.get(BASELINE, {}).get("nDCG@10")
    qrows = {k: {**m, "nDCG@10_delta": round(m["nDCG@10"] - base_q, 4) if base_q is not None else None}
             for k, m in quality.items()}
    return {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "load_avg_at_end": os.getloadavg()},
        "repeats": args.repeats, "baseline": BASELINE, "chosen": CHOSEN, "variants": names,
        "throughput": rows, "arcd_dense": qrows,
    }


def _print_table(report: dict[str, Any], console: Any, table_cls: Any) -> None:
    table = table_cls(title=f"Embedding throughput (median of {report['repeats']}; ratio to {BASELINE}, same run)")
    for col in ("variant", "seeds chunks/s", "seeds tok/s", "ratio", "ARCD chunks/s", "ARCD tok/s", "ratio",
                "CPU-time ratio", "ARCD full ratio", "cos min", "nDCG@10", "Δ"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    q = report["arcd_dense"]
    for name, row in report["throughput"].items():
        s, a, f = row.get("seeds", {}), row.get("arcd-sample", {}), row.get("arcd-full", {})
        m = q.get(name, {})
        table.add_row(
            name, f"{s.get('chunks_per_s', '')}", f"{s.get('tokens_per_s', '')}", f"{s.get('ratio_to_baseline', '')}",
            f"{a.get('chunks_per_s', '')}", f"{a.get('tokens_per_s', '')}", f"{a.get('ratio_to_baseline', '')}",
            f"{s.get('cpu_ratio_to_baseline', '')}/{a.get('cpu_ratio_to_baseline', '')}",
            f"{f.get('ratio_to_baseline', '')}", f"{a.get('cosine_to_baseline', {}).get('min', '')}", f"{m.get('nDCG@10', 'same vectors' if name in SAME_VECTORS else '')}",
            f"{m.get('nDCG@10_delta', '')}",
        )
    for name, m in q.items():
        if "@" in name:
            table.add_row(name, "", "", "", "", "", "", "", "", "", f"{m['nDCG@10']}", f"{m['nDCG@10_delta']}")
    console.print(table)


if __name__ == "__main__":
    main()
