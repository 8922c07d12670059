"""Who said what (issue 15): statement recall, precision and duplicates on the seeds and the SaudiNewsNet sample.

    python benchmarks/statements.py [--set seeds|saudinewsnet|both] [--show]
    python benchmarks/statements.py --calibrate     # the same-statement cosine, from SaudiNewsNet wire copies

Asks every question of tests/data/statements_seeds.jsonl (over the seed index)
and benchmarks/data/statements_saudinewsnet.jsonl (over the shared 2,000-article
sample, indexed once into .cache/bench-statements) through the real `ask` path,
and scores the statements listed against the gold marked by hand
(assistant/eval/statements.py). Writes bench-out/statements.json.

--calibrate: pairs of sentences from the sample's wire copies (one story printed
by two outlets, found at indexing) that an exact word overlap of >= 0.8 marks
as the same sentence, against pairs of different sentences of one article:
prints the cosine of the index-time sentence vectors at which the two
separate best (no gold set's answers are used for it).
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

from assistant.app.api import index_corpus, open_answerer  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.errors import IndexLocked  # noqa: E402
from assistant.eval.statements import load_statement_set, score, summarise  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "external" / "saudinewsnet" / "saudinewsnet-2015-07-sample.jsonl"
SETS = {
    "seeds": (ROOT / "tests" / "data" / "statements_seeds.jsonl", ROOT / "index", None),
    "saudinewsnet": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
}


def _indexed(index_dir: Path, corpus: Path | None) -> Any:
    """Settings for the set's index, brought up to date (or used as it is while another run writes it)."""
    settings = load_settings().model_copy(update={"index_dir": index_dir})
    if corpus is not None:
        try:
            index_corpus(settings, [corpus])
        except IndexLocked:
            print(f"{index_dir} is being written by another run: using its live generation as it is", file=sys.stderr)
    return settings


def run_set(name: str, show: bool) -> dict[str, Any]:
    gold_path, index_dir, corpus = SETS[name]
    settings = _indexed(index_dir, corpus)
    answerer = open_answerer(settings)
    url_to_doc = {d.url: d.doc_id for d in answerer.search.docs.values() if d.url}
    questions = load_statement_set(gold_path, url_to_doc)
    scores, times, rows = [], [], []
    try:
        for q in questions:
            t0 = time.perf_counter()
            answer = answerer.ask(q.question)
            times.append(time.perf_counter() - t0)
            shown = [[(c.doc_id, c.start, c.end) for c in st.citations] for st in (answer.statements or [])]
            s = score(q, shown)
            scores.append(s)
            rows.append({"id": q.id, "question": q.question, "shown": s.shown, "gold": s.gold_groups, "found": s.found_groups,
                         "correct": s.correct, "duplicates": s.duplicates, "missed_groups": s.missed, "wrong": s.wrong,
                         "mode": answer.mode, "seconds": round(times[-1], 2)})
            if show:
                print(f"--- {q.id} {q.question}\n{answer.answer}\n{rows[-1]}\n", file=sys.stderr)
    finally:
        answerer.close()
    summary = summarise(scores)
    summary["p50_s"] = round(statistics.median(times), 3) if times else None
    return {"summary": summary, "questions": rows}


def calibrate() -> dict[str, Any]:
    """Cosines of same-sentence pairs across wire copies vs different sentences of one article (the sample)."""
    import numpy as np

    from assistant.answer.statements import overlap
    from assistant.text.sentences import candidate_spans

    _, index_dir, corpus = SETS["saudinewsnet"]
    settings = _indexed(index_dir, corpus)
    answerer = open_answerer(settings)
    search = answerer.search

    def sentences(doc_id: str) -> list[tuple[str, Any]]:
        out = []
        for row in search.doc_rows(doc_id):
            chunk = search.chunks[int(row)]
            vecs = search.sentence_vectors(chunk)
            for span in candidate_spans(search.docs[doc_id].text, chunk.start, chunk.end):
                if span in vecs and span[1] - span[0] >= 40:
                    out.append((search.docs[doc_id].text[span[0]:span[1]], vecs[span]))
        return out

    same, different = [], []
    for group in search.copies.groups:
        a, b = sentences(group[0]), sentences(group[1])
        for ta, va in a:
            for tb, vb in b:
                if overlap(ta, tb) >= 0.8:
                    same.append(float(va @ vb))
        for i, (ta, va) in enumerate(a):
            for tb, vb in a[i + 1:]:
                if overlap(ta, tb) < 0.3:
                    different.append(float(va @ vb))
    same_a, diff_a = np.array(same), np.array(different)
    best = max(np.arange(0.5, 0.99, 0.01), key=lambda t: ((same_a >= t).mean() + (diff_a < t).mean()))
    return {
        "same_pairs": len(same), "different_pairs": len(different),
        "same_cosine_p10_p50": [round(float(np.percentile(same_a, q)), 3) for q in (10, 50)],
        "different_cosine_p50_p90_p99": [round(float(np.percentile(diff_a, q)), 3) for q in (50, 90, 99)],
        "best_threshold": round(float(best), 2),
        "at_best": {"same_kept": round(float((same_a >= best).mean()), 3), "different_apart": round(float((diff_a < best).mean()), 3)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=["seeds", "saudinewsnet", "both"], default="both")
    parser.add_argument("--show", action="store_true", help="print every answer (stderr)")
    parser.add_argument("--calibrate", action="store_true", help="the same-statement cosine from the sample's wire copies")
    args = parser.parse_args()
    out: dict[str, Any]
    if args.calibrate:
        out = {"calibration": calibrate()}
    else:
        names = ["seeds", "saudinewsnet"] if args.set == "both" else [args.set]
        out = {name: run_set(name, args.show) for name in names}
    (ROOT / "bench-out").mkdir(exist_ok=True)
    target = ROOT / "bench-out" / ("statements-calibration.json" if args.calibrate else "statements.json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v.get("summary", v) for k, v in out.items()}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
