"""Warm `ask` latency on the dev questions: models loaded once, then every question asked R times.

    python benchmarks/ask_latency.py [--questions FILE] [--repeat R] [--out FILE]

Reports the median and p95 of total, retrieve and generate milliseconds
(the issue's target: warm p50 <= 4 s on a 2-core CPU). Needs the seed index
(`make index`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.api import open_answerer  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluate import load_dev, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "dev.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "ask-latency.json")
    args = parser.parse_args()

    questions = load_dev(args.questions)
    answerer = open_answerer(load_settings())
    answerer.ask(questions[0].question)  # warm-up: loads both models
    timings: dict[str, list[float]] = {"total": [], "retrieve": [], "generate": []}
    for _ in range(args.repeat):
        for q in questions:
            t = answerer.ask(q.question).timings_ms
            for key in timings:
                timings[key].append(t[key])
    answerer.close()
    report = {
        "asks": len(timings["total"]),
        **{f"{k}_p50_ms": round(statistics.median(v), 1) for k, v in timings.items()},
        **{f"{k}_p95_ms": round(percentile(v, 0.95), 1) for k, v in timings.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
