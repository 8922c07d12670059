"""Who said what (issue 15): statement recall, precision and duplicates on the seeds and the SaudiNewsNet sample.

    python benchmarks/statements.py [--set seeds|saudinewsnet|heldout|heldout3|...|heldout16|both|all] [--show]
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
    # written blind after stop 22's rules were frozen: its first run (ba3adb4) is the held-out figure; development since
    "heldout": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # written blind in stop 23, run once after that stop's rules were frozen (6c65519): the held-out figure; development since
    "heldout3": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout3.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # written blind in stop 23 with the speakers unseen until its run, once, after every rule of that stop was frozen
    "heldout4": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout4.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # likewise, run once after every rule of stop 23 (the fourth set's fixes included) was frozen
    "heldout5": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout5.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # likewise, run once after every rule of stop 23 (the fifth set's fixes included) was frozen
    "heldout6": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout6.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # likewise, run once after every rule of stop 23 (the sixth set's fixes included) was frozen
    "heldout7": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout7.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # written blind in stop 24 with the speakers unseen until its run, once, on stop 23's final rules
    "heldout8": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout8.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # likewise, run once after the eighth set's fixes were frozen
    "heldout9": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout9.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # likewise, run once after the ninth set's fixes were frozen
    "heldout10": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout10.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # likewise, run once on stop 24's final rules
    "heldout11": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout11.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    "heldout12": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout12.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # written blind in stop 26 with the speakers unseen until its run, once, on stop 25's final rules (b5e137b)
    "heldout13": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout13.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    # written blind in stop 26, run once on the rules frozen after the thirteenth set's fixes
    "heldout14": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout14.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    "heldout15": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout15.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
    "heldout16": (ROOT / "benchmarks" / "data" / "statements_saudinewsnet_heldout16.jsonl", ROOT / ".cache" / "bench-statements", SAMPLE),
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


def calibrate(max_groups: int = 80) -> dict[str, Any]:
    """The same-statement cosine, from the sample's wire copies: pairs of sentences of two prints of one
    story that an outlet rewrote lightly (word overlap 0.3-0.8: the same sentence edited) against pairs of
    different sentences of one article (overlap < 0.3); the threshold with the best balanced accuracy.
    Sentences are embedded as the index embeds them (document prompt, title)."""
    import numpy as np

    from assistant.answer.statements import overlap
    from assistant.text.sentences import candidate_spans

    _, index_dir, corpus = SETS["saudinewsnet"]
    search = open_answerer(_indexed(index_dir, corpus)).search
    docs = search.docs

    stored: dict[str, Any] = {}

    def sentences(doc_id: str) -> list[str]:
        text, out = docs[doc_id].text, []
        for row in search.doc_rows(doc_id):
            chunk = search.chunks[int(row)]
            vectors = search.sentence_vectors(chunk)  # the index's own (late-chunking) vectors, where it has them
            for a, b in candidate_spans(text, chunk.start, chunk.end):
                if b - a >= 40 and text[a:b] not in out:
                    out.append(text[a:b])
                    if (a, b) in vectors and float(np.abs(vectors[(a, b)]).sum()) > 0:
                        stored[text[a:b]] = vectors[(a, b)]
        return out

    pairs_same: list[tuple[str, str, str]] = []
    pairs_diff: list[tuple[str, str, str]] = []
    groups = search.copies.groups
    if not groups:  # a generation still embedding has no copy groups yet: find them here
        from assistant.index.copies import find_copies

        groups = find_copies(list(docs.values()))[0].groups
    for group in groups[:max_groups]:
        a, b = sentences(group[0]), sentences(group[1])
        title = docs[group[0]].title
        pairs_same += [(ta, tb, title) for ta in a for tb in b if 0.3 <= overlap(ta, tb) < 0.8]
        pairs_diff += [(ta, tb, title) for i, ta in enumerate(a) for tb in a[i + 1 :] if overlap(ta, tb) < 0.3][:6]
    texts = sorted({t for p in pairs_same + pairs_diff for t in p[:2]})
    missing = [t for t in texts if t not in stored]
    vecs = {**stored, **dict(zip(missing, search.embedder.encode_documents(missing, [""] * len(missing)), strict=True))} if missing else stored
    same = np.array([float(vecs[a] @ vecs[b]) for a, b, _ in pairs_same])
    diff = np.array([float(vecs[a] @ vecs[b]) for a, b, _ in pairs_diff])
    grid = np.arange(0.40, 0.96, 0.01)
    best = max(grid, key=lambda t: (same >= t).mean() + (diff < t).mean())
    return {
        "copy_groups": min(max_groups, len(groups)), "rewritten_pairs": len(same), "different_pairs": len(diff),
        "vectors": f"{len(texts) - len(missing)} stored by the index, {len(missing)} embedded here",
        "rewritten_cosine_p10_p50_p90": [round(float(np.percentile(same, q)), 3) for q in (10, 50, 90)],
        "different_cosine_p50_p90_p99": [round(float(np.percentile(diff, q)), 3) for q in (50, 90, 99)],
        "best_threshold": round(float(best), 2),
        "at_best": {"rewritten_kept": round(float((same >= best).mean()), 3), "different_apart": round(float((diff < best).mean()), 3)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=[*SETS, "both", "all"], default="both",
                        help="both: seeds and saudinewsnet (the development sets); all: those and the blind sets heldout, heldout3 to heldout16 (development sets after their first runs)")
    parser.add_argument("--show", action="store_true", help="print every answer (stderr)")
    parser.add_argument("--calibrate", action="store_true", help="the same-statement cosine from the sample's wire copies")
    args = parser.parse_args()
    out: dict[str, Any]
    if args.calibrate:
        out = {"calibration": calibrate()}
    else:
        names = {"both": ["seeds", "saudinewsnet"], "all": list(SETS)}.get(args.set, [args.set])
        out = {name: run_set(name, args.show) for name in names}
    (ROOT / "bench-out").mkdir(exist_ok=True)
    target = ROOT / "bench-out" / ("statements-calibration.json" if args.calibrate else "statements.json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v.get("summary", v) for k, v in out.items()}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
