"""Cold `assistant ask`: process start to full answer, with where the time goes, and its peak memory.

    python benchmarks/ask_cold.py [--runs 5] [--question Q] [--out FILE]

Two kinds of fresh process, --runs of each, on the seed index (`make index`):

1. The real command, `assistant ask --json Q`: wall time from spawn to exit
   (the target: p50 <= 5 s) and its peak RSS (from wait4).
2. The same work in an instrumented child (this script with --child), which
   does what the CLI does -- open_answerer with both models preloading in
   threads, then ask -- and times each step: interpreter start, imports (the
   assistant package, then llama_cpp / faiss / bm25s / openvino / tokenizers),
   opening the index (the models load meanwhile), then the waits for the
   generator and for the embedder (what their loads add beyond the overlap),
   retrieval (from the answer's timings_ms), the evidence step (sentence
   scoring from the index's sentence vectors, and the checks), prompt evaluation (generation
   start to first token) and generation (first token to end).

Reported: p50 of each figure over the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "ماذا قال بيسكوف عن لقاء بوتين والأسد في أيار 2021؟"


def _spawn(cmd: list[str]) -> tuple[float, float, str, int]:
    """Run cmd; wall seconds, peak RSS in MB, stdout, exit code."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, out, proc.returncode


def child(question: str, spawned_at: float) -> None:
    """The instrumented cold ask (runs in a fresh interpreter)."""
    started = time.time()
    t: dict[str, float] = {"interpreter_ms": (started - spawned_at) * 1000}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        t[name] = (now - since) * 1000
        return now

    mark = time.perf_counter()
    from assistant.app.api import open_answerer
    from assistant.config import load_settings

    mark = lap("import_assistant_ms", mark)
    import bm25s  # noqa: F401
    import faiss  # noqa: F401
    import llama_cpp  # noqa: F401
    import openvino  # noqa: F401
    import tokenizers  # noqa: F401  (the default OpenVINO embedder needs neither torch nor sentence-transformers)

    mark = lap("import_libraries_ms", mark)
    answerer = open_answerer(load_settings(), preload=True)  # as the CLI: both models load in threads from here
    mark = lap("open_index_ms", mark)
    generator = answerer.generator
    mark = lap("wait_generator_ms", mark)
    answerer.search.embedder  # noqa: B018 - waits for the preload
    mark = lap("wait_embedder_ms", mark)

    stamps: dict[str, float] = {}
    for method in ("complete", "chat"):
        real = getattr(generator, method)

        def timed(*args: Any, _real: Any = real, **kwargs: Any) -> str:
            stamps["gen_start"] = time.perf_counter()
            sink = kwargs.get("on_token")

            def first(piece: str) -> None:
                stamps.setdefault("first_token", time.perf_counter())
                if sink:
                    sink(piece)

            kwargs["on_token"] = first
            try:
                return str(_real(*args, **kwargs))
            finally:
                stamps["gen_end"] = time.perf_counter()

        setattr(generator, method, timed)
    answer = answerer.ask(question)
    lap("ask_ms", mark)
    timings = answer.timings_ms
    t["retrieve_ms"] = timings["retrieve"]
    if "gen_start" in stamps:
        first = stamps.get("first_token", stamps["gen_end"])
        t["prompt_eval_ms"] = (first - stamps["gen_start"]) * 1000
        t["generation_ms"] = (stamps["gen_end"] - first) * 1000
    else:
        t["prompt_eval_ms"] = t["generation_ms"] = 0.0
    t["evidence_and_checks_ms"] = t["ask_ms"] - t["retrieve_ms"] - t["prompt_eval_ms"] - t["generation_ms"]
    t["to_answer_ms"] = (time.time() - spawned_at) * 1000
    answerer.close()
    print(json.dumps({"timings": t, "mode": answer.mode}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "ask-cold.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--spawned-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.question, args.spawned_at)
        return

    walls, rss, cli_timings = [], [], []
    for i in range(args.runs):
        wall, peak, out, code = _spawn([sys.executable, "-m", "assistant", "ask", "--json", args.question])
        if code != 0:
            raise SystemExit(f"`assistant ask` failed (exit {code}); is the seed index built (`make index`)?")
        walls.append(wall)
        rss.append(peak)
        cli_timings.append(json.loads(out)["timings_ms"])
        print(f"cli run {i + 1}: {wall:.2f}s, peak RSS {peak:.0f} MB", file=sys.stderr)
    splits: list[dict[str, float]] = []
    for i in range(args.runs):
        cmd = [sys.executable, __file__, "--child", "--question", args.question, "--spawned-at", repr(time.time())]
        wall, _, out, code = _spawn(cmd)
        if code != 0:
            raise SystemExit(f"the instrumented ask failed (exit {code})")
        splits.append(json.loads(out)["timings"])
        print(f"instrumented run {i + 1}: {wall:.2f}s", file=sys.stderr)

    def p50(values: list[float]) -> float:
        return round(statistics.median(values), 1)

    report: dict[str, Any] = {
        "question": args.question,
        "runs": args.runs,
        "cli_wall_p50_s": round(statistics.median(walls), 2),
        "cli_wall_s": [round(w, 2) for w in walls],
        "cli_peak_rss_mb_max": round(max(rss)),
        "cli_timings_ms_p50": {k: p50([c[k] for c in cli_timings]) for k in cli_timings[0]},
        "split_ms_p50": {k: p50([s[k] for s in splits]) for k in splits[0]},
        "target_cold_p50_s": 5.0,
    }
    report["met"] = report["cli_wall_p50_s"] <= 5.0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
