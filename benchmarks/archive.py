"""A real news archive as a user has it: the SaudiNewsNet JSON Lines sample, indexed as it is.

    python benchmarks/archive.py [--dump PATH] [--out FILE] [--kill-after N] [--no-full]
    python benchmarks/archive.py --replicate 16 --kill-after 0 --no-full   # ~31k articles: time to searchable only
    python benchmarks/archive.py --precision int8 --out bench-out/archive-int8.json   # the int8 embedder

Measures, on ../shared/external/saudinewsnet/ (2,000 real articles, never copied into the repo):

* reading: records, articles, the field mapping chosen, seconds;
* dates: how many articles get a publication date and from which rule; how many of
  the dates found in the text fall outside the week up to the page's fetch time
  (such a date cannot be the publication date: counted as wrong -- the product then
  leaves the article undated); chunks per article;
* ``assistant index DUMP`` as a user runs it (a fresh index, the real embedder): the
  seconds until "searchable now" (a generation searched by BM25, dates and
  metadata is live), then a kill ``--kill-after`` batches into embedding, then
  ``assistant index`` again: the chunks it embeds (none of the finished batches
  again), its chunks/s and the whole run's seconds, and the index's check.

``--replicate N`` indexes a temporary dump holding the sample N times (each copy's
records under other ids, one word of each text changed) to time the way to searchable at
archive scale (N=16: about 31,600 articles, the size of the whole corpus).

CPU flags are recorded beside the timings: speeds differ between AVX2-only and
AVX-512 machines.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DUMP = ROOT.parent / "shared" / "external" / "saudinewsnet" / "saudinewsnet-2015-07-sample.jsonl"


def cpu_flags() -> list[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = set(re.search(r"^flags\s*:(.*)$", text, re.MULTILINE).group(1).split()) if "flags" in text else set()  # type: ignore[union-attr]
    return sorted(f for f in flags if f in {"avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16"})


def reading_and_dates(dump: Path) -> dict[str, Any]:
    from assistant.ingest.boilerplate import find_boilerplate
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.reader import ingest
    from assistant.text.pubdate import extract_date
    from assistant.types import FETCH_LAG_DAYS

    started = time.perf_counter()
    report = ingest([dump])
    seconds = time.perf_counter() - started
    docs = report.documents
    sources = collections.Counter(d.date_source or "none" for d in docs)
    # Every date the text rules find, before the fetch-time check: wrong when outside the fetch week.
    found = wrong = 0
    for d in docs:
        if d.fetched is None:
            continue
        date, _ = extract_date(d.text, find_boilerplate(d.text), d.fetched.span()[1])
        if date is None:
            continue
        found += 1
        first, last = date.span()
        fetched = d.fetched.span()[1]
        if first > fetched or last < fetched - dt.timedelta(days=FETCH_LAG_DAYS):
            wrong += 1
    chunks = sum(len(chunk_document(d, chunk_chars=700, overlap=150)) for d in docs)
    (info,) = report.dumps
    return {
        "records": info.records,
        "articles": info.articles,
        "skipped": len(report.skipped),
        "fields": info.fields,
        "notes": info.notes,
        "read_s": round(seconds, 2),
        "date_sources": dict(sources),
        "dated_share": round(sum(1 for d in docs if d.date) / len(docs), 4),
        "fetched_share": round(sum(1 for d in docs if d.fetched) / len(docs), 4),
        "text_dates_found": found,
        "text_dates_outside_fetch_week": wrong,
        "chunks": chunks,
        "chunks_per_article": round(chunks / len(docs), 2),
    }


def replicated(dump: Path, times: int, folder: Path) -> Path:
    """The dump's records ``times`` over, each copy under other urls, with one word of every text changed."""
    rows = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = folder / f"{dump.stem}-x{times}.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(times):
            for row in rows:
                copy = {**row, "url": f"{row.get('url')}#{i}", "content": f"{row.get('content', '')} (نسخة {i})"}
                fh.write(json.dumps(copy, ensure_ascii=False) + "\n")
    return out


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant", *args]


def indexing(dump: Path, kill_after: int, full: bool, precision: str | None = None) -> dict[str, Any]:
    """Time ``assistant index`` to searchable, kill it during embedding, resume it."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        started = time.perf_counter()
        proc = subprocess.Popen(
            _cli("index", str(dump), "--index-dir", str(index_dir), "--quiet", *(["--precision", precision] if precision else [])),
            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("searchable now"):
                out["searchable_s"] = round(time.perf_counter() - started, 1)
                out["searchable_line"] = line.strip()
                break
        batches = index_dir / "embedding"
        while proc.poll() is None and len(list(batches.glob("batch-*.npz"))) < kill_after:
            time.sleep(0.5)
        finished_at_kill = len(list(batches.glob("batch-*.npz")))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        out["killed_after_batches"] = finished_at_kill
        out["killed_at_s"] = round(time.perf_counter() - started, 1)
        search = subprocess.run(
            _cli("search", "وزير الخارجية الفرنسي يزور إيران", "--index-dir", str(index_dir), "--json"),
            capture_output=True, text=True, cwd=ROOT, env=env,
        )
        out["search_while_pending_ok"] = search.returncode == 0 and bool(json.loads(search.stdout or "{}").get("results"))
        if not full:
            return out
        resumed = time.perf_counter()
        done = subprocess.run(_cli("index", "--index-dir", str(index_dir), "--quiet"), capture_output=True, text=True, cwd=ROOT, env=env)
        resume_s = time.perf_counter() - resumed
        summary = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        m = re.search(r"(\d+) chunks \((\d+) embedded\)", summary)
        chunks, embedded = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        out.update(
            resume_exit=done.returncode,
            resume_summary=summary,
            resume_s=round(resume_s, 1),
            chunks=chunks,
            embedded_on_resume=embedded,
            not_redone=None if chunks is None or embedded is None else chunks - embedded >= finished_at_kill * 256,
            chunks_per_s=round(embedded / resume_s, 2) if embedded else None,
            complete=not (index_dir / "embedding").exists(),
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", type=Path, default=DUMP)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "archive.json")
    parser.add_argument("--kill-after", type=int, default=3, help="kill the first run after this many finished batches")
    parser.add_argument("--no-full", dest="full", action="store_false", help="stop after the kill (no resumed run)")
    parser.add_argument("--replicate", type=int, default=1, help="index the sample this many times over (time to searchable at scale)")
    parser.add_argument("--precision", choices=["bf16", "f32", "int8"], help="the embedder's arithmetic (assistant index --precision)")
    args = parser.parse_args()
    if not args.dump.exists():
        raise SystemExit(f"no dump at {args.dump}: the SaudiNewsNet sample lives in ../shared/external/saudinewsnet/")
    result: dict[str, Any] = {"cpu_flags": cpu_flags(), "cores": os.cpu_count(), "dump": str(args.dump), "replicate": args.replicate,
                              "precision": args.precision or "bf16"}
    with tempfile.TemporaryDirectory() as tmp:
        dump = args.dump if args.replicate == 1 else replicated(args.dump, args.replicate, Path(tmp))
        if args.replicate == 1:
            result["reading"] = reading_and_dates(dump)
            print(json.dumps(result["reading"], ensure_ascii=False, indent=1), file=sys.stderr, flush=True)
        result["indexing"] = indexing(dump, args.kill_after, args.full, args.precision)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
