"""End-to-end answers on ARCD test and off-topic questions, through the real `ask` path (issue 13).

    python benchmarks/arcd_answers.py [--modes reader,base] [--limit N] [--left-out 100]

ARCD test's paragraphs become articles, except those of ``--left-out``
questions (paragraphs drawn with a fixed seed until that many questions are
covered): their questions must be refused. The others must be answered from
their paragraph. The off-topic set (tests/data/offtopic.jsonl: 20 general
questions of our own, 10 Arabic and 10 English) is asked over the seed index
and must be refused.

Modes: ``reader`` (the default: the fine-tuned adapter, decoding constrained to
a span, behind the names-only gate), ``reader-off`` (no gate), ``reader-all``
(the whole lexical gate: names and rare words), ``base`` (reader off: the base model copies a phrase few-shot, else
the extractive fallback). Figures per mode: gold paragraph cited, short-answer
SQuAD F1, gold answer inside the answer text, refusals of answerable and of
left-out questions (and the share of left-out questions answered with their
gold answer all the same: another indexed paragraph held it), off-topic
refusals, p50 time. Writes bench-out/arcd-answers.json.
ARCD test is never used to choose anything: run it on test to report; choices
(the gate) are made with ``--data`` pointing at ARCD train.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.app.api import index_corpus, open_answerer  # noqa: E402
from assistant.config import Settings, load_settings  # noqa: E402
from assistant.eval.run import (  # noqa: E402
    EvalQuestion, SquadSet, evaluate_answers, load_dev, load_squad, squad_workdir, write_squad_corpus,
)

ARCD_TEST = ROOT.parent / "shared" / "external" / "arcd" / "arcd-test.json"
OFFTOPIC = ROOT / "tests" / "data" / "offtopic.jsonl"


def _reader(gate: str) -> Callable[[Settings], Settings]:
    return lambda s: s.model_copy(update={"reader": True, "answer": s.answer.model_copy(update={"reader_gate": gate})})


MODES: dict[str, Callable[[Settings], Settings]] = {
    "reader": _reader("names"),
    "reader-off": _reader("off"),
    "reader-all": _reader("all"),
    "base": lambda s: s.model_copy(update={"reader": False}),
}
"""The answer layers compared: the reader behind the names gate (the default), with no gate, behind
the whole lexical gate (names and rare words), and the base model's few-shot copy."""


def split_left_out(squad: SquadSet, count: int, seed: int) -> tuple[SquadSet, list[EvalQuestion]]:
    """The set without the paragraphs of ``count`` questions (whole paragraphs, drawn with ``seed``), and those
    questions as unanswerable. A paragraph goes with its copies (ARCD holds some paragraphs twice, a character
    apart; the index's wire-copy detector finds them): a copy left in would answer its questions."""
    by_doc: dict[str, list[EvalQuestion]] = {}
    for q in squad.questions:
        by_doc.setdefault(q.gold_docs[0], []).append(q)
    copies = _copies(squad)
    docs = [d for d, _ in squad.paragraphs]
    random.Random(seed).shuffle(docs)
    out: set[str] = set()
    left: list[EvalQuestion] = []
    for d in docs:
        if len(left) >= count:
            break
        if d in out:
            continue
        group = [d, *copies.others(d)]
        out.update(group)
        left += [EvalQuestion(q.id, q.question, (), tuple(group), q.answer_any, False) for g in group for q in by_doc.get(g, [])]
    kept = SquadSet([(d, t) for d, t in squad.paragraphs if d not in out], [q for q in squad.questions if q.gold_docs[0] not in out])
    return kept, left[:count]


def _copies(squad: SquadSet) -> Any:
    """The paragraphs' copy groups, found as indexing finds them."""
    import hashlib

    from assistant.index.copies import find_copies
    from assistant.types import Document

    docs = [Document(d, d, t, d, None, None, None, hashlib.sha256(t.encode()).hexdigest()) for d, t in squad.paragraphs]
    return find_copies(docs)[0]


def figures(report: Any) -> dict[str, Any]:
    s = report.summary()
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in s.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ARCD_TEST)
    parser.add_argument("--modes", default="reader,base", help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--limit", type=int, default=None, help="answerable questions to ask (default: all)")
    parser.add_argument("--left-out", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--seed-index", type=Path, default=ROOT / "index", help="the seed index the off-topic questions are asked over")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "arcd-answers.json")
    args = parser.parse_args(argv)

    base_settings = load_settings()
    squad = load_squad(args.data)
    kept, left = split_left_out(squad, args.left_out, args.seed)
    work = squad_workdir(args.data, base_settings.models_dir.parent / "eval")
    work = work.with_name(work.name + f"-leftout{args.left_out}-s{args.seed}")
    write_squad_corpus(kept, work / "corpus")
    settings = base_settings.model_copy(update={"index_dir": work / "index"})
    t0 = time.perf_counter()
    index_corpus(settings, [work / "corpus"])
    print(f"indexed {len(kept.paragraphs)} paragraphs in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    answerable = kept.questions[: args.limit]
    texts = dict(kept.paragraphs)
    offtopic = load_dev(OFFTOPIC)
    out: dict[str, Any] = {
        "data": str(args.data), "paragraphs_indexed": len(kept.paragraphs), "answerable": len(answerable),
        "left_out": len(left), "offtopic": len(offtopic), "seed": args.seed, "modes": {},
    }
    for mode in args.modes.split(","):
        if mode not in MODES:
            parser.error(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        tuned = MODES[mode](settings)
        answerer = open_answerer(tuned)
        try:
            t1 = time.perf_counter()
            report = evaluate_answers(answerer, answerable + left, read_original=texts.get)
            arcd_s = time.perf_counter() - t1
        finally:
            answerer.close()
        seeds = MODES[mode](base_settings).model_copy(update={"index_dir": args.seed_index})
        answerer = open_answerer(seeds)
        try:
            off = evaluate_answers(answerer, offtopic, read_original=lambda d: None)
        finally:
            answerer.close()
        fig = figures(report)
        left_rows = [r for r in report.rows if not r.answerable]
        out["modes"][mode] = {
            "arcd": fig,
            "left_out_refused": round(sum(r.abstained for r in left_rows) / len(left_rows), 4) if left_rows else None,
            # answered with the left-out paragraph's gold answer all the same: another indexed paragraph held it
            "left_out_answered_right": round(sum(bool(r.answered_elsewhere) for r in left_rows) / len(left_rows), 4) if left_rows else None,
            "offtopic_refused": sum(r.abstained for r in off.rows),
            "offtopic_answered": [r.question for r in off.rows if not r.abstained],
            "arcd_seconds": round(arcd_s, 1),
            "rows": [r.__dict__ for r in report.rows],
        }
        m = out["modes"][mode]
        print(
            f"{mode:7s} cited {fig['retrieval_hit_at_k']:.3f}  F1 {fig['short_answer_f1'] or 0:.3f}  "
            f"answer-in-text {fig['answer_hit']:.3f}  false refusals {fig['false_abstention_rate']:.3f}  "
            f"left-out refused {m['left_out_refused']} (answered right {m['left_out_answered_right']})  off-topic refused {m['offtopic_refused']}/{len(offtopic)}  "
            f"p50 {fig['p50_ms'] / 1000:.2f} s",
            file=sys.stderr,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({m: {k: v for k, v in d.items() if k != "rows"} for m, d in out["modes"].items()}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
