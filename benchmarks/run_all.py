"""The benchmark suite: runs every benchmark in benchmarks/, prints one table, writes bench-out/summary.json.

    python benchmarks/run_all.py [--quick] [--only NAME,...]

`make bench` runs it in full (about 30-40 minutes on 2 cores, most of it the
1M-chunk scale run and the ARCD index on its first run); `make bench-quick`
runs small sizes (about 10 minutes). Each benchmark runs in its own process
and writes its own JSON into bench-out/ (its log into bench-out/logs/); a
failing one is reported and the rest still run. Needs the models (`make
setup`); the ask benchmarks use their own index of seeds/ in
bench-out/seed-index. Timings on a shared 2-core machine are noisy: compare
figures taken in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"
PY = sys.executable


@dataclass
class Step:
    """One benchmark: how to run it (full and quick) and where its JSON lands."""

    name: str
    script: str
    full: list[str]
    quick: list[str]
    out: str


STEPS = [
    Step("ask_cold", "ask_cold.py", ["--runs", "5"], ["--runs", "2"], "ask-cold.json"),
    Step("ask_warm", "ask_latency.py", ["--repeat", "3"], ["--repeat", "1"], "ask-latency.json"),
    Step("chat_rss", "chat_rss.py", [], [], "chat-rss.json"),
    Step(
        "index_throughput",
        "index_throughput.py",
        ["--out", "bench-out/index-throughput.json"],
        ["--repeats", "1", "--no-quality", "--out", "bench-out/index-throughput.json"],
        "index-throughput.json",
    ),
    Step("scale", "scale.py", [], ["--sizes", "10000,100000", "--queries", "50", "--no-compare"], "scale.json"),
    Step("reindex", "reindex.py", ["--articles", "10000"], ["--articles", "2000", "--repeat", "2"], "reindex.json"),
    Step("arcd", "arcd_retrieval.py", [], ["--limit", "150"], "arcd-retrieval.json"),
    Step("sentences", "sentence_selection.py", ["--paragraphs", "120"], ["--paragraphs", "30"], "sentence-selection.json"),
    Step("answers", "arcd_answers.py", [], ["--modes", "reader", "--limit", "100"], "arcd-answers.json"),
    Step("archive", "archive.py", [], ["--kill-after", "1", "--no-full"], "archive.json"),
    Step("statements", "statements.py", [], ["--set", "seeds"], "statements.json"),
]


SEED_INDEX = OUT / "seed-index"


def prepare_seed_index() -> dict[str, Any]:
    """Index seeds/ into bench-out/seed-index (incremental; rebuilt if the settings changed), for the ask benchmarks."""
    cmd = [PY, "-m", "assistant", "index", str(ROOT / "seeds"), "--index-dir", str(SEED_INDEX)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        done = subprocess.run([*cmd, "--rebuild"], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"cannot index seeds/ for the benchmarks: {done.stderr.strip()[-300:]}")
    os.environ["ASSISTANT_INDEX_DIR"] = str(SEED_INDEX)  # the ask benchmarks' children read it
    return {"index_dir": str(SEED_INDEX.relative_to(ROOT)), "log": done.stderr.strip().splitlines()[-1:]}


def help_time(runs: int) -> dict[str, Any]:
    """Wall time of `assistant --help` in a fresh process (target < 0.3 s)."""
    cmd = [str(Path(PY).parent / "assistant"), "--help"]
    if not Path(cmd[0]).exists():
        cmd = [PY, "-m", "assistant", "--help"]
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
        walls.append(time.perf_counter() - t)
    p50 = statistics.median(walls)
    return {"runs": runs, "p50_s": round(p50, 3), "walls_s": [round(w, 3) for w in walls], "target_s": 0.3, "met": p50 < 0.3}


def run_step(step: Step, quick: bool) -> dict[str, Any]:
    """Run one benchmark script; its JSON report, or why there is none."""
    script = ROOT / "benchmarks" / step.script
    if not script.exists():
        return {"status": "missing", "note": f"benchmarks/{step.script} does not exist yet"}
    args = step.quick if quick else step.full
    out = OUT / step.out
    out.unlink(missing_ok=True)
    log = OUT / "logs" / f"{step.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"== {step.name}: python benchmarks/{step.script} {' '.join(args)}", file=sys.stderr, flush=True)
    with open(log, "w", encoding="utf-8") as fh:
        code = subprocess.run([PY, str(script), *args], stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT).returncode
    seconds = round(time.perf_counter() - started, 1)
    if code != 0 or not out.exists():
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        return {"status": "failed", "exit": code, "seconds": seconds, "log": str(log.relative_to(ROOT)), "tail": tail}
    return {"status": "ok", "seconds": seconds, "report": json.loads(out.read_text(encoding="utf-8"))}


Row = tuple[str, str, str, str]


def _fmt(v: Any, unit: str = "") -> str:
    return "-" if v is None else (f"{v:,.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)) + unit


def _met(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "MISSED")


def rows(results: dict[str, Any]) -> list[Row]:
    """The summary table: (figure, value, target, met)."""
    out: list[Row] = []
    h = results.get("help")
    if h:
        out.append(("`assistant --help` wall p50", _fmt(h["p50_s"], " s"), "< 0.3 s", _met(h["met"])))

    def report(name: str) -> dict[str, Any] | None:
        r = results.get(name, {})
        if r.get("status") != "ok":
            out.append((name, r.get("status", "not run"), "", r.get("note", r.get("log", ""))))
            return None
        return r["report"]

    extractors: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
        ("ask_cold", lambda r: _ask_cold(r, out)),
        ("ask_warm", lambda r: _ask_warm(r, out)),
        ("chat_rss", lambda r: out.append(("chat peak RSS, both models", _fmt(r["peak_rss_mb"], " MB"), "<= 2560 MB", _met(r["met"])))),
        ("index_throughput", lambda r: _throughput(r, out)),
        ("scale", lambda r: _scale(r, out)),
        ("reindex", lambda r: _reindex(r, out)),
        ("arcd", lambda r: _arcd(r, out)),
        ("sentences", lambda r: _sentences(r, out)),
        ("answers", lambda r: _answers(r, out)),
        ("archive", lambda r: _archive(r, out)),
        ("statements", lambda r: _statements(r, out)),
    ]
    for name, extract in extractors:
        r = report(name)
        if r is not None:
            extract(r)
    return out


def _ask_cold(r: dict[str, Any], out: list[Row]) -> None:
    out.append((f"cold `ask` wall p50 ({r['runs']} runs)", _fmt(r["cli_wall_p50_s"], " s"), "<= 5 s", _met(r["met"])))
    for key, ms in r["split_ms_p50"].items():
        if key not in ("ask_ms", "to_answer_ms"):
            out.append((f"  {key.removesuffix('_ms').replace('_', ' ')} p50", f"{ms / 1000:.2f} s", "", ""))
    out.append(("`ask` peak RSS", _fmt(r["cli_peak_rss_mb_max"], " MB"), "", ""))


def _ask_warm(r: dict[str, Any], out: list[Row]) -> None:
    ft, tot = r["first_token_p50_ms"], r["total_p50_ms"]
    out.append((f"warm first token p50 / p95 ({r['asks']} asks)", f"{ft / 1000:.2f} / {r['first_token_p95_ms'] / 1000:.2f} s", "p50 <= 1.0 s", _met(ft <= 1000)))
    out.append(("warm full answer p50 / p95", f"{tot / 1000:.2f} / {r['total_p95_ms'] / 1000:.2f} s", "p50 <= 1.5 s", _met(tot <= 1500)))


def _throughput(r: dict[str, Any], out: list[Row]) -> None:
    flat = {k: v for k, v in r.items() if isinstance(v, (int, float, str, bool))}
    out.append(("indexing throughput", ", ".join(f"{k} {_fmt(v)}" for k, v in list(flat.items())[:6]), ">= 2x fp32 baseline", ""))


def _scale(r: dict[str, Any], out: list[Row]) -> None:
    for row in r["sizes"]:
        n = row["chunks"]
        main = row.get(f"random/{row['dense_type']}")
        clustered = row.get(f"clustered/{row['dense_type']}")
        if not main:
            continue
        target = "p50 <= 100 ms" if n >= 1_000_000 else ""
        ok = main["hybrid_p50_ms"] <= 100 if n >= 1_000_000 else None
        out.append(
            (
                f"hybrid top-10 at {n:,} chunks ({main['type']})",
                f"p50 {main['hybrid_p50_ms']} / p95 {main['hybrid_p95_ms']} ms; build {main['build_s']} s; "
                f"faiss {main['file_mb']} MB; recall@10 {main['dense_recall@10']} random, "
                f"{clustered['dense_recall@10'] if clustered else '-'} clustered",
                target,
                _met(ok),
            )
        )
    worst = min(
        (e["dense_recall@10"] for row in r["sizes"] for k, e in row.items() if isinstance(e, dict) and e["type"] == row["dense_type"]),
        default=None,
    )
    if worst is not None:
        out.append(("recall@10 vs exact, worst size", _fmt(worst), ">= 0.95", _met(worst >= 0.95)))


def _reindex(r: dict[str, Any], out: list[Row]) -> None:
    out.append(
        (
            f"re-index 1 changed file of {r['articles']:,}",
            f"{r['rest_p50_s']:.2f} s + embedding {r['embed_p50_s']:.2f} s",
            "<= 5 s + embedding",
            _met(r["met"]) if r["articles"] >= 10_000 else "(quick size)",
        )
    )


def _arcd(r: dict[str, Any], out: list[Row]) -> None:
    out.append(
        (
            f"ARCD nDCG@10 ({r['questions']} questions)",
            f"hybrid {r['hybrid']['nDCG@10']:.4f}, dense {r['dense']['nDCG@10']:.4f}, bm25 {r['bm25']['nDCG@10']:.4f}",
            "",
            "",
        )
    )


def _sentences(r: dict[str, Any], out: list[Row]) -> None:
    late, indep = r["late"], r["independent"]
    out.append(
        (
            f"ARCD evidence sentence top-1 ({r['questions']} questions)",
            f"index-time (late) {late['top1']:.4f}, embedded per question {indep['top1']:.4f} "
            f"(that pass: {indep['embed_seconds']} s for {r['sentences']} sentences)",
            "",
            "",
        )
    )


def _answers(r: dict[str, Any], out: list[Row]) -> None:
    for mode, m in r["modes"].items():
        a = m["arcd"]
        out.append((f"ARCD answers, {mode}: gold cited / short F1 / answer in text", f"{a['retrieval_hit_at_k']:.3f} / {a['short_answer_f1'] or 0:.3f} / {a['answer_hit']:.3f}", ">= 0.95 / 0.60 / 0.85", _met(a["retrieval_hit_at_k"] >= 0.95 and (a["short_answer_f1"] or 0) >= 0.6 and a["answer_hit"] >= 0.85)))
        out.append((f"  {mode}: false refusals / left-out refused / off-topic refused", f"{a['false_abstention_rate']:.3f} / {m['left_out_refused']} / {m['offtopic_refused']}/{r['offtopic']}", "<= 0.05 / >= 0.85 / all", _met(a["false_abstention_rate"] <= 0.05 and (m["left_out_refused"] or 0) >= 0.85 and m["offtopic_refused"] == r["offtopic"])))


def _archive(r: dict[str, Any], out: list[Row]) -> None:
    i, reading = r["indexing"], r.get("reading", {})
    out.append(("archive: 2,000-article dump searchable after", _fmt(i.get("searchable_s"), " s"), "<= 60 s", _met((i.get("searchable_s") or 1e9) <= 60)))
    if "not_redone" in i:
        out.append(("archive: killed, resumed: finished batches redone", "none" if i["not_redone"] else "some", "none", _met(bool(i["not_redone"]))))
        out.append(("archive: embedding passages/s (resumed run)", _fmt(i.get("chunks_per_s")), "", ""))
    if reading:
        wrong, found = reading["text_dates_outside_fetch_week"], reading["text_dates_found"]
        out.append(("archive: text dates outside the fetch week (dropped)", f"{wrong} of {found}; dated {reading['dated_share']:.3f}", "", ""))


def _statements(r: dict[str, Any], out: list[Row]) -> None:
    for name, target in (("seeds", ">= 0.9 / 0.9 / 0"), ("saudinewsnet", "report")):
        if name in r:
            m = r[name]["summary"]
            ok = m["recall"] >= 0.9 and m["precision"] >= 0.9 and m["duplicates"] == 0 if name == "seeds" else None
            out.append((f"statements, {name}: recall / precision / duplicates", f"{m['recall']} / {m['precision']} / {m['duplicates']}", target, _met(ok)))
            out.append((f"  {name}: statement answer p50", _fmt(m["p50_s"], " s"), "<= 2 s", _met(m["p50_s"] <= 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, fewer runs")
    parser.add_argument("--only", default="", help="comma-separated step names (help," + ",".join(s.name for s in STEPS) + ")")
    parser.add_argument("--collect", action="store_true", help="with --only: take the other steps' figures from their last JSON")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    summary = OUT / "summary.json"
    if only and summary.exists():  # a partial rerun updates the last summary
        results = json.loads(summary.read_text(encoding="utf-8"))
    results.update({"quick": args.quick, "started": time.strftime("%Y-%m-%d %H:%M:%S")})
    results["seed_index"] = prepare_seed_index()
    if not only or "help" in only:
        results["help"] = help_time(3 if args.quick else 5)
    for step in STEPS:
        if not only or step.name in only:
            results[step.name] = run_step(step, args.quick)
        elif args.collect and (OUT / step.out).exists():
            report = json.loads((OUT / step.out).read_text(encoding="utf-8"))
            results[step.name] = {"status": "ok", "collected": True, "report": report}
    table = rows(results)
    results["table"] = [dict(zip(("figure", "value", "target", "met"), r, strict=True)) for r in table]
    summary.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    widths = [max(len(r[i]) for r in table) for i in range(4)] if table else [0] * 4
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"(every figure in {OUT / 'summary.json'}; logs in {OUT / 'logs'})")
    failed = [k for k, v in results.items() if isinstance(v, dict) and v.get("status") == "failed"]
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
