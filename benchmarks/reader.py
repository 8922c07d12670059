"""The reader alone, evidence given: base model vs fine-tuned adapter vs an extractive pick (issue 13).

    python benchmarks/reader.py calibrate [--examples build/reader/examples.jsonl]
    python benchmarks/reader.py test [--limit 150]

``calibrate`` runs the adapter on the examples training held out (a tenth of
ARCD *train*'s paragraphs, positives and negatives, exactly as trained),
always made to copy a span, and picks the no-answer threshold
(``answer.reader_abstain``): the first-token probability of the no-answer
marker at or above which the reader abstains, chosen to maximise the mean of
the answered-positive and refused-negative rates.

``test`` gives each ARCD *test* question its gold paragraph's sentences (in
order, as many as 400 tokens hold) and reports SQuAD F1, exact match and the
verbatim share for: the base model few-shot (free decoding, the pre-reader
prompt), the adapter free, the adapter constrained to copy, and the extractive
pick (the sentence sharing most words with the question). Report only; nothing
is chosen on it. Writes bench-out/reader-<mode>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from assistant.answer.compose import CITE_MARKER, prompt_safe  # noqa: E402
from assistant.answer.prompts import load_prompts  # noqa: E402
from assistant.answer.reading import NO_ANSWER, parse_reading, reader_prompt  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.eval.run import answer_tokens, token_f1  # noqa: E402
from assistant.models.constrained import CopyConstraint  # noqa: E402
from assistant.models.generate import load_generator  # noqa: E402
from assistant.models.locate import READER_ADAPTER, resolve_generator  # noqa: E402
from assistant.text.arabic import tokenize  # noqa: E402
from assistant.text.sentences import candidate_spans  # noqa: E402

ARCD_TEST = ROOT.parent / "shared" / "external" / "arcd" / "arcd-test.json"


def run_reader(
    gen: Any, prompts: Any, question: str, sentences: list[str], constrained: bool, decide_at: float | None = None
) -> tuple[str, float]:
    """The reader's span (empty: no answer) and its first-token no-answer probability (constrained only)."""
    constraint = CopyConstraint(gen.llm, [prompt_safe(s) for s in sentences], [NO_ANSWER], decide_at) if constrained else None
    raw = gen.complete(reader_prompt(prompts, question, sentences), max_tokens=48, constraint=constraint)
    share = constraint.first_step_fixed_share if constraint is not None else float(NO_ANSWER in raw)
    return parse_reading(raw).span, share or 0.0


def calibrate(args: argparse.Namespace) -> dict[str, Any]:
    from train_reader import held_out

    settings = load_settings()
    gen = load_generator(resolve_generator(settings), threads=settings.cpu_threads(), n_ctx=2048, adapter=args.adapter)
    prompts = load_prompts()
    rows = [json.loads(line) for line in args.examples.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if held_out(r["paragraph"])][: args.limit]
    scored = []
    for r in rows:
        span, share = run_reader(gen, prompts, r["question"], r["sources"], True, decide_at=1.01)  # always a span
        gold = r["target"].rsplit(" [", 1)[0] if r["kind"] == "positive" else ""
        scored.append({"kind": r["kind"], "share": share, "span": span, "f1": token_f1(span, (gold,)) if gold else None})
    pos = [s for s in scored if s["kind"] == "positive"]
    neg = [s for s in scored if s["kind"] == "negative"]

    def rates(t: float) -> tuple[float, float, float]:
        answered = [s for s in pos if s["share"] < t]
        refused = sum(1 for s in neg if s["share"] >= t) / max(1, len(neg))
        f1 = sum(s["f1"] or 0.0 for s in answered) / max(1, len(pos))  # refused positives score 0
        return len(answered) / max(1, len(pos)), refused, f1

    grid = [round(0.05 * i, 2) for i in range(1, 20)]
    best = max(grid, key=lambda t: ((rates(t)[0] + rates(t)[1]) / 2, -abs(t - 0.5)))
    return {
        "examples": len(scored), "positives": len(pos), "negatives": len(neg),
        "threshold": best, "at_threshold": dict(zip(("answered", "refused", "f1"), rates(best), strict=True)),
        "grid": {t: rates(t) for t in grid},
        "f1_positives_never_abstaining": statistics.mean(s["f1"] or 0.0 for s in pos) if pos else None,
    }


def gold_sentences(context: str, gen: Any, budget: int) -> list[str]:
    out, used = [], 0
    for a, b in candidate_spans(context, 0, len(context)):
        cost = gen.count_tokens(context[a:b]) + 4
        if out and used + cost > budget:
            break
        out.append(context[a:b])
        used += cost
    return out


def test(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings()
    path = resolve_generator(settings)
    data = json.loads(ARCD_TEST.read_text(encoding="utf-8"))
    items = [
        (qa["question"], para["context"], tuple(a["text"] for a in qa["answers"]))
        for art in data["data"] for para in art["paragraphs"] for qa in para["qas"]
    ][: args.limit]
    prompts = load_prompts()
    results: dict[str, dict[str, Any]] = {}
    for name, adapter, constrained in (("base few-shot", None, False), ("adapter free", args.adapter, False), ("adapter constrained", args.adapter, True)):
        gen = load_generator(path, threads=settings.cpu_threads(), n_ctx=2048, adapter=adapter)
        f1s, ems, verbatim, times = [], [], [], []
        for question, context, answers in items:
            sentences = gold_sentences(context, gen, 400)
            t = time.perf_counter()
            if adapter is None:
                listing = "\n".join(f"[{i}] {prompt_safe(s)}" for i, s in enumerate(sentences, 1))
                raw = gen.complete(prompts.render("answer_ar", sources=listing, question=prompt_safe(question)).rstrip(),
                                   max_tokens=48, fixed_start=prompts.fixed_start("answer_ar"))
                span = CITE_MARKER.sub("", raw).strip()
            else:
                span, _ = run_reader(gen, prompts, question, sentences, constrained)
            times.append(time.perf_counter() - t)
            f1s.append(token_f1(span, answers))
            ems.append(float(any(answer_tokens(span) == answer_tokens(a) for a in answers)))
            verbatim.append(float(bool(span) and " ".join(span.split()) in " ".join(" ".join(sentences).split())))
        gen.close()
        results[name] = {"f1": statistics.mean(f1s), "em": statistics.mean(ems), "verbatim": statistics.mean(verbatim),
                         "p50_s": statistics.median(times)}
        print(f"{name:20s} F1 {results[name]['f1']:.3f}  EM {results[name]['em']:.3f}  verbatim {results[name]['verbatim']:.3f}", file=sys.stderr)
    f1s, ems = [], []
    for question, context, answers in items:
        want = set(tokenize(question))
        spans = candidate_spans(context, 0, len(context))
        a, b = max(spans, key=lambda ab: len(want & set(tokenize(context[ab[0]:ab[1]])))) if spans else (0, 0)
        f1s.append(token_f1(context[a:b], answers))
        ems.append(float(any(answer_tokens(context[a:b]) == answer_tokens(x) for x in answers)))
    results["extractive sentence"] = {"f1": statistics.mean(f1s), "em": statistics.mean(ems), "verbatim": 1.0}
    return {"questions": len(items), "modes": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["calibrate", "test"])
    parser.add_argument("--examples", type=Path, default=ROOT / "build" / "reader" / "examples.jsonl")
    parser.add_argument("--adapter", type=Path, default=READER_ADAPTER)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    if args.mode == "calibrate" and not args.examples.is_file():
        print(f"error: no examples at {args.examples}; make them with training/reader_data.py", file=sys.stderr)
        return 2
    out = calibrate(args) if args.mode == "calibrate" else test(args)
    path = ROOT / "bench-out" / f"reader-{args.mode}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "grid"}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
