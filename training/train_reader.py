"""Fine-tune the default generator (Gemma 3 270M) as the reader: a LoRA adapter, then a GGUF adapter file.

The reader's task (issue 13): question + numbered evidence sentences -> the
shortest verbatim span that answers and its sentence number, or the no-answer
marker. Examples come from ``training/reader_data.py`` (ARCD *train*); prompts
are rendered by the runtime's own ``assistant.answer.reading.reader_prompt``,
so training sees exactly what the answer layer will show.

Steps (each skipped when its output exists, unless ``--force``):

1. ``train``: load the base model straight from the default GGUF (transformers
   dequantizes it), add LoRA on every projection (peft), train with the loss on
   the answer tokens only (the 262k-entry output layer is computed on those
   positions only), seeded; a tenth of the paragraphs is held out for a loss
   figure. Writes ``<out>/peft/`` and ``<out>/train.json`` (data hashes, seed,
   hyper-parameters, losses, time, CPU).
2. ``convert``: llama.cpp's ``convert_lora_to_gguf.py`` (from the llama-cpp-python
   source distribution pinned in pyproject.toml) turns the peft adapter into a
   GGUF adapter (f16), written to ``--gguf``.

Needs the ``[train]`` extra (``pip install -e ".[train]"``); nothing here is
imported at run time.

    python training/reader_data.py --data ../shared/external/arcd/arcd-train.json --out build/reader/examples.jsonl
    python training/train_reader.py --examples build/reader/examples.jsonl --out build/reader
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.prompts import load_prompts  # noqa: E402
from assistant.answer.reading import reader_prompt  # noqa: E402

DEFAULT_GGUF = ROOT / "assistant" / "models" / "adapters" / "reader-gemma3-270m-lora.gguf"
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def cpu_description() -> dict[str, Any]:
    """The CPU the figures were measured on: model name and the vector flags that matter here."""
    model, flags = platform.processor(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("", platform.machine()):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    wanted = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16"]
    return {"model": model, "cores": os.cpu_count(), "flags": [f for f in wanted if f in flags]}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def held_out(paragraph: str) -> bool:
    """A tenth of the paragraphs (by a hash of their id) is held out of training for a loss figure."""
    return hashlib.sha256(paragraph.encode()).digest()[0] % 10 == 0


def encode(tokenizer: Any, prompts: Any, example: dict[str, Any], max_tokens: int) -> tuple[list[int], int] | None:
    """(token ids, index of the first answer token) with the BOS token first; None when too long."""
    prompt = reader_prompt(prompts, example["question"], example["sources"])
    head = [tokenizer.bos_token_id, *tokenizer(prompt, add_special_tokens=False)["input_ids"]]
    tail = tokenizer(f" {example['target']}\n", add_special_tokens=False)["input_ids"]
    if len(head) + len(tail) > max_tokens:
        return None
    return head + tail, len(head)


def train(args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    gguf = args.base.resolve()
    t_load = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    load_s = time.perf_counter() - t_load
    config = model.config.to_dict()
    softcap = config.get("final_logit_softcapping")
    model = get_peft_model(model, LoraConfig(
        r=args.rank, lora_alpha=args.alpha, lora_dropout=args.dropout, target_modules=TARGET_MODULES, task_type="CAUSAL_LM",
    ))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)

    prompts = load_prompts()
    rows = [json.loads(line) for line in args.examples.read_text(encoding="utf-8").splitlines() if line.strip()]
    encoded = [(r, encode(tokenizer, prompts, r, args.max_tokens)) for r in rows]
    too_long = sum(e is None for _, e in encoded)
    train_set = [e for r, e in encoded if e is not None and not held_out(r["paragraph"])]
    held = [e for r, e in encoded if e is not None and held_out(r["paragraph"])]
    rng = random.Random(args.seed)

    inner = model.base_model.model  # Gemma3ForCausalLM with LoRA layers inside
    decoder, lm_head = inner.model, inner.lm_head

    def loss_of(ids: list[int], start: int) -> Any:
        x = torch.tensor([ids])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):  # no faster in a real run here (docs/reader.md)
            hidden = decoder(input_ids=x).last_hidden_state[0, start - 1 : len(ids) - 1]
            logits = lm_head(hidden).float()
        if softcap:
            logits = torch.tanh(logits / softcap) * softcap
        return torch.nn.functional.cross_entropy(logits, torch.tensor(ids[start:]))

    def held_loss() -> float:
        model.eval()
        with torch.no_grad():
            losses = [float(loss_of(ids, s)) for ids, s in held[: args.held_examples]]
        model.train()
        return sum(losses) / max(1, len(losses))

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    steps = math.ceil(len(train_set) * args.epochs / args.accumulate)
    warmup = max(1, int(steps * 0.06))
    sched = torch.optim.lr_scheduler.LambdaLR(  # linear warm-up, then linear decay to zero
        opt, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / max(1, steps - warmup))
    )
    before = held_loss()
    print(f"train {len(train_set)} examples, held out {len(held)}, too long {too_long}; {steps} steps; held-out loss {before:.3f}", file=sys.stderr)
    log: list[dict[str, float]] = []
    model.train()
    t0 = time.perf_counter()
    tokens = 0
    step = 0
    running = 0.0
    order: list[tuple[list[int], int]] = []
    for _ in range(math.ceil(args.epochs)):
        epoch = list(train_set)
        rng.shuffle(epoch)
        order.extend(epoch)
    order = order[: int(len(train_set) * args.epochs)]
    for i, (ids, start) in enumerate(order, 1):
        loss = loss_of(ids, start) / args.accumulate
        loss.backward()
        running += float(loss)
        tokens += len(ids)
        if i % args.accumulate == 0 or i == len(order):
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 10 == 0 or i == len(order):
                elapsed = time.perf_counter() - t0
                log.append({"step": step, "loss": running / min(10, step), "elapsed_s": round(elapsed, 1)})
                eta = elapsed / i * (len(order) - i)
                print(f"step {step}/{steps} loss {running / 10:.3f} {tokens / elapsed:.0f} tok/s eta {eta / 60:.1f} min", file=sys.stderr)
                running = 0.0
    train_s = time.perf_counter() - t0
    after = held_loss()
    out = args.out / "peft"
    model.save_pretrained(str(out))
    # convert_lora_to_gguf.py reads the base model's config.json: the one loaded from the GGUF,
    # named as a Hugging Face checkpoint, without the GGUF quantization record.
    base_dir = args.out / "base-config"
    base_dir.mkdir(parents=True, exist_ok=True)
    config.pop("quantization_config", None)
    config["architectures"] = ["Gemma3ForCausalLM"]
    (base_dir / "config.json").write_text(json.dumps(config, indent=1, default=str), encoding="utf-8")
    tokenizer.save_pretrained(str(base_dir))
    return {
        "examples": str(args.examples), "examples_sha256": sha256_file(args.examples),
        "examples_meta": json.loads(Path(f"{args.examples}.meta.json").read_text(encoding="utf-8"))
        if Path(f"{args.examples}.meta.json").exists() else None,
        "base": gguf.name, "base_sha256": sha256_file(gguf),
        "seed": args.seed, "rank": args.rank, "alpha": args.alpha, "dropout": args.dropout, "lr": args.lr,
        "epochs": args.epochs, "bf16": args.bf16, "accumulate": args.accumulate, "max_tokens": args.max_tokens,
        "target_modules": TARGET_MODULES, "trainable_parameters": trainable,
        "train_examples": len(train_set), "held_out_examples": len(held), "too_long": too_long,
        "held_out_loss_before": round(before, 4), "held_out_loss_after": round(after, 4),
        "load_s": round(load_s, 1), "train_s": round(train_s, 1), "train_tokens": tokens,
        "tokens_per_s": round(tokens / train_s, 1), "cpu": cpu_description(),
        "torch": torch.__version__, "threads": torch.get_num_threads(), "log": log,
    }


def llama_cpp_source(work: Path) -> Path:
    """The llama.cpp tree of the llama-cpp-python source distribution pinned in pyproject.toml."""
    version = next(
        line.split("==")[1].strip('",')
        for line in (ROOT / "pyproject.toml").read_text().splitlines() if '"llama-cpp-python==' in line
    )
    tree = work / f"llama-cpp-python-{version}" / "vendor" / "llama.cpp"
    if tree.is_dir():
        return tree
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", f"llama-cpp-python=={version}", "-d", str(work)],
        check=True,
    )
    with tarfile.open(work / f"llama_cpp_python-{version}.tar.gz") as tar:
        tar.extractall(work, filter="data")
    extracted = work / f"llama_cpp_python-{version}"
    if extracted.is_dir():
        extracted.rename(work / f"llama-cpp-python-{version}")
    return tree


def convert(args: argparse.Namespace) -> None:
    tree = llama_cpp_source(args.out / "src")
    args.gguf.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": f"{tree / 'gguf-py'}{os.pathsep}{tree}"}
    subprocess.run(
        [sys.executable, str(tree / "convert_lora_to_gguf.py"), str(args.out / "peft"), "--base", str(args.out / "base-config"),
         "--outtype", "f16", "--outfile", str(args.gguf)],
        check=True, env=env,
    )


def default_base() -> Path:
    from assistant.config import Settings
    from assistant.models.locate import resolve_generator

    return resolve_generator(Settings())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=Path, required=True, help="training examples from reader_data.py (JSON Lines)")
    parser.add_argument("--out", type=Path, required=True, help="work folder: peft adapter, base config, train.json")
    parser.add_argument("--gguf", type=Path, default=DEFAULT_GGUF, help="where the GGUF adapter goes (default: the one the product loads)")
    parser.add_argument("--base", type=Path, default=None, help="the base GGUF (default: the product's default generator)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--alpha", type=int, default=32)
    parser.add_argument("--dropout", type=float, default=0.05)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--accumulate", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=448, help="examples longer than this are skipped")
    parser.add_argument("--held-examples", type=int, default=60, help="held-out examples the loss figure is taken over")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--bf16", action="store_true", help="compute forward and backward in bfloat16 (torch.autocast); the weights stay f32")
    parser.add_argument("--steps", choices=["all", "train", "convert"], default="all")
    parser.add_argument("--force", action="store_true", help="train again even if <out>/peft exists")
    args = parser.parse_args(argv)
    if not args.examples.is_file():
        print(f"error: no examples at {args.examples}; make them with training/reader_data.py", file=sys.stderr)
        return 2
    args.base = args.base or default_base()
    if not args.base.is_file():
        print(f"error: no base model at {args.base}; run `assistant models fetch`", file=sys.stderr)
        return 2
    if args.steps in ("all", "train"):
        if (args.out / "peft").exists() and not args.force:
            print(f"{args.out / 'peft'} exists; skipping training (--force to redo)", file=sys.stderr)
        else:
            if (args.out / "peft").exists():
                shutil.rmtree(args.out / "peft")
            record = train(args)
            (args.out / "train.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.steps in ("all", "convert"):
        convert(args)
        record_path = args.out / "train.json"
        if record_path.exists():
            record = json.loads(record_path.read_text(encoding="utf-8"))
            record["gguf"] = str(args.gguf.relative_to(ROOT)) if args.gguf.is_relative_to(ROOT) else str(args.gguf)
            record["gguf_sha256"] = sha256_file(args.gguf)
            record_path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
