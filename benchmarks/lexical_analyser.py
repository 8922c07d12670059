"""The lexical analyser, compared: our light clitic stripping vs PyStemmer's Snowball Arabic stemmer.

    python benchmarks/lexical_analyser.py [--split train|test|both] [--out FILE]

BM25 alone (bm25s, the index's own scorer), each ARCD paragraph an article, every
question asked: R@1, R@5 and MRR@10 per analyser, plus the dev questions on the
seeds (gold article in the top 1 / top 3 of the five). No model is loaded.

Analysers (all on the search view -- normalised, de-obfuscated -- with the same stopwords):
  ours          assistant.text.arabic.tokenize: article/clitic prefixes stripped, bare و/ف twice
  snowball      each word through Snowball Arabic (PyStemmer), stopwords dropped
  ours+snowball ours, then Snowball on each Arabic token

Choose on ARCD train; ARCD test is reported once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.eval.run import load_squad  # noqa: E402
from assistant.ingest.reader import ingest  # noqa: E402
from assistant.text.arabic import ARABIC_LETTER_RE, STOPWORDS, _TOKEN_RE, search_view, tokenize  # noqa: E402

ARCD = ROOT.parent / "shared" / "external" / "arcd"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def analysers() -> dict[str, Callable[[str], list[str]]]:
    import Stemmer

    stem = Stemmer.Stemmer("arabic")

    def snowball(text: str) -> list[str]:
        words = [w for w in _TOKEN_RE.findall(search_view(text)) if len(w) > 1 and w not in STOPWORDS]
        return [w.replace(",", "") if w[0].isdigit() else s for w, s in zip(words, stem.stemWords(words), strict=True) if s]

    def both(text: str) -> list[str]:
        tokens = tokenize(text)
        return [stem.stemWord(t) if ARABIC_LETTER_RE.match(t) else t for t in tokens]

    return {"ours": tokenize, "snowball": snowball, "ours+snowball": both}


def rank(corpus: list[list[str]], queries: list[list[str]], k: int) -> list[list[int]]:
    import bm25s
    import numpy as np

    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    out = []
    for q in queries:
        if not q:
            out.append([])
            continue
        scores = retriever.get_scores(q)
        top = np.argsort(-scores, kind="stable")[:k]
        out.append([int(i) for i in top if scores[i] > 0])
    return out


def arcd_metrics(path: Path, analyse: Callable[[str], list[str]]) -> dict[str, float]:
    squad = load_squad(path)
    ids = [d for d, _ in squad.paragraphs]
    started = time.perf_counter()
    corpus = [analyse(text) for _, text in squad.paragraphs]
    queries = [analyse(q.question) for q in squad.questions]
    tokenize_s = time.perf_counter() - started
    ranked = rank(corpus, queries, 10)
    gold = [ids.index(q.gold_docs[0]) for q in squad.questions]
    r1 = statistics.mean(1.0 if r[:1] == [g] else 0.0 for r, g in zip(ranked, gold, strict=True))
    r5 = statistics.mean(1.0 if g in r[:5] else 0.0 for r, g in zip(ranked, gold, strict=True))
    mrr = statistics.mean(next((1 / (i + 1) for i, x in enumerate(r) if x == g), 0.0) for r, g in zip(ranked, gold, strict=True))
    return {"questions": len(gold), "paragraphs": len(ids), "R@1": round(r1, 4), "R@5": round(r5, 4), "MRR@10": round(mrr, 4), "tokenize_s": round(tokenize_s, 2)}


def dev_metrics(analyse: Callable[[str], list[str]]) -> dict[str, float]:
    docs = ingest([ROOT / "seeds"]).documents
    ids = [d.doc_id for d in docs]
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("answerable") and r.get("gold_docs")]
    ranked = rank([analyse(d.text) for d in docs], [analyse(r["question"]) for r in rows], 3)
    top1 = statistics.mean(1.0 if r[:1] and ids[r[0]] in row["gold_docs"] else 0.0 for r, row in zip(ranked, rows, strict=True))
    top3 = statistics.mean(1.0 if any(ids[i] in row["gold_docs"] for i in r) else 0.0 for r, row in zip(ranked, rows, strict=True))
    return {"questions": len(rows), "hit@1": round(top1, 4), "hit@3": round(top3, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["train", "test", "both"], default="train")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "lexical-analyser.json")
    args = parser.parse_args()
    splits = ["train", "test"] if args.split == "both" else [args.split]
    result: dict[str, dict[str, object]] = {}
    for name, analyse in analysers().items():
        result[name] = {f"arcd_{s}": arcd_metrics(ARCD / f"arcd-{s}.json", analyse) for s in splits}
        result[name]["dev"] = dev_metrics(analyse)
        print(name, json.dumps(result[name], ensure_ascii=False), file=sys.stderr, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
