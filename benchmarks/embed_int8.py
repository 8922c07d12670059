"""Issue 14 experiment: does int8 (NNCF post-training quantization) speed up the OpenVINO embedder here?

    pip install -e ".[bench]"      # nncf
    python benchmarks/embed_int8.py [--rounds 3] [--passages 96]

Quantizes the converted embedder (models_dir/openvino/<embedder>/model.xml)
with ``nncf.quantize`` (transformer mode, 96 calibration passages of the
SaudiNewsNet sample, at most 700 characters each) into bench-out/embed-int8/,
then embeds other passages of the sample with f32, bf16 (the product's default
precision: OpenVINO computes in f32 where the CPU has no bf16) and int8 (its
other operations in bf16 where the CPU has it) in alternating rounds and prints
passages/s per round, the ratios of the medians, and the cosine between each
passage's int8 and f32 vectors. Int8 matrix products are fast
on CPUs with VNNI (AVX512_VNNI or AVX-VNNI); name the CPU flags with any figure.
Nothing here is used at run time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from archive import DUMP as SAMPLE, cpu_flags  # noqa: E402

from assistant.config import load_settings  # noqa: E402
from assistant.errors import ModelMissing  # noqa: E402
from assistant.models.embed import load_embedder  # noqa: E402
from assistant.models.locate import resolve_embedder  # noqa: E402
from assistant.models.openvino import OpenVINOEncoder  # noqa: E402


def quantize(src: Path, dst: Path, calibration: list[list[int]]) -> float:
    import nncf
    import openvino as ov

    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.name not in ("model.xml", "model.bin"):
            shutil.copy(f, dst / f.name)
    feeds = [{"input_ids": np.array([s], dtype=np.int64), "attention_mask": np.ones((1, len(s)), dtype=np.int64)} for s in calibration]
    t = time.perf_counter()
    model = nncf.quantize(ov.Core().read_model(str(src / "model.xml")), nncf.Dataset(feeds),
                          model_type=nncf.ModelType.TRANSFORMER, subset_size=len(feeds))
    ov.save_model(model, str(dst / "model.xml"))
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passages", type=int, default=96)
    args = parser.parse_args(argv)
    settings = load_settings()
    try:  # the product's own embedder, converted for OpenVINO as indexing does (once, cached)
        f32 = load_embedder(resolve_embedder(settings), threads=settings.cpu_threads(), backend="openvino",
                            precision="f32", models_dir=settings.models_dir).model
    except ModelMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    src = f32._folder
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r.get("content", "")[:700] for r in rows if len(r.get("content", "")) > 300]
    prefix = f32.prompts.get("document", "")
    dst = ROOT / "bench-out" / "embed-int8"
    quantize_s = None
    if not (dst / "model.xml").is_file():
        quantize_s = quantize(src, dst, f32._ids([prefix + t for t in texts[:96]]))
    int8 = OpenVINOEncoder(dst, precision="bf16", threads=settings.cpu_threads())
    bf16 = OpenVINOEncoder(src, precision="bf16", threads=settings.cpu_threads())
    docs = [prefix + t for t in texts[400 : 400 + args.passages]]
    encoders = {"f32": f32, "bf16": bf16, "int8": int8}
    for enc in encoders.values():
        enc.encode(docs[:16])  # compile and warm
    rates: dict[str, list[float]] = {k: [] for k in encoders}
    vectors = {}
    for _ in range(args.rounds):
        for name, enc in encoders.items():
            t = time.perf_counter()
            vectors[name] = enc.encode(docs, batch_size=16)
            rates[name].append(round(len(docs) / (time.perf_counter() - t), 2))
    cos = (vectors["f32"] * vectors["int8"]).sum(axis=1)
    out = {
        "cpu_flags": cpu_flags(), "threads": settings.cpu_threads(), "passages": len(docs), "quantize_s": quantize_s,
        "passages_per_s": rates, "int8_over_f32": round(statistics.median(rates["int8"]) / statistics.median(rates["f32"]), 3),
        "int8_over_bf16": round(statistics.median(rates["int8"]) / statistics.median(rates["bf16"]), 3),
        "bf16_over_f32": round(statistics.median(rates["bf16"]) / statistics.median(rates["f32"]), 3),
        "cosine_median": round(float(np.median(cos)), 4), "cosine_min": round(float(cos.min()), 4),
    }
    (ROOT / "bench-out").mkdir(exist_ok=True)
    (ROOT / "bench-out" / "embed-int8.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
