"""Warm `ask` latency on the dev questions: models loaded once, then every question asked R times.

    python benchmarks/ask_latency.py [--questions FILE] [--repeat R] [--out FILE]

Reports the median and p95 of time to first token, total, retrieve and
generate milliseconds (targets: first token p50 <= 1.0 s, full answer p50
<= 1.5 s on a 2-core CPU, issue 13). The first token is the first verified
piece the answer layer hands on (what the chat starts drawing): answers are
shown only once checked, so it arrives with the whole answer; an abstention
counts as arriving whole at its total. Needs the seed index (`make index`).
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

from assistant.app.api import open_answerer  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.eval.run import load_dev, percentile  # noqa: E402


class _FirstToken:
    """An on_token sink that notes when the first piece arrived."""

    def __init__(self) -> None:
        self.at: float | None = None

    def __call__(self, piece: str) -> None:
        if self.at is None:
            self.at = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "dev.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "ask-latency.json")
    args = parser.parse_args()

    questions = load_dev(args.questions)
    answerer = open_answerer(load_settings())
    answerer.ask(questions[0].question)  # warm-up: loads both models
    timings: dict[str, list[float]] = {"first_token": [], "total": [], "retrieve": [], "generate": []}
    streamed = 0
    for _ in range(args.repeat):
        for q in questions:
            first = _FirstToken()
            started = time.perf_counter()
            t = answerer.ask(q.question, on_token=first).timings_ms
            streamed += first.at is not None
            t = {**t, "first_token": (first.at - started) * 1000 if first.at is not None else t["total"]}
            for key in timings:
                timings[key].append(t[key])
    answerer.close()
    report = {
        "asks": len(timings["total"]),
        "streamed": streamed,
        "targets": {"first_token_p50_ms": 1000, "total_p50_ms": 1500},
        **{f"{k}_p50_ms": round(statistics.median(v), 1) for k, v in timings.items()},
        **{f"{k}_p95_ms": round(percentile(v, 0.95), 1) for k, v in timings.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
