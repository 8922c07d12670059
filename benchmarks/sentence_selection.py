"""Evidence-sentence selection on ARCD: index-time late-chunked sentence vectors vs embedding each sentence.

The evidence step ranks the candidate sentences of a retrieved chunk by cosine
to the question. The index keeps one vector per sentence, pooled from the
chunk's own embedding pass ("late"); the alternative embeds every sentence on
its own when a question comes ("independent", seconds per question on a
laptop). For each ARCD question this takes its gold paragraph, chunks it as the
index does, ranks the paragraph's candidate sentences both ways and checks
whether the top one holds the answer text.

    python benchmarks/sentence_selection.py [--paragraphs 60] [--out FILE]

Reports top-1 accuracy and MRR of the first sentence holding the answer, over
the questions whose answer lies inside one candidate sentence, and the
embedding time of each way.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.app.api import embedder_loader  # noqa: E402
from assistant.text.arabic import normalize  # noqa: E402
from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.eval.run import load_squad  # noqa: E402
from assistant.models.locate import resolve_embedder  # noqa: E402
from assistant.text.sentences import candidate_spans  # noqa: E402
from assistant.types import Document  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "external" / "arcd" / "arcd-test.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--paragraphs", type=int, default=60, help="first N paragraphs (with their questions)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "sentence-selection.json")
    args = parser.parse_args()

    import numpy as np

    settings = load_settings()
    embedder = embedder_loader(settings, resolve_embedder(settings))()
    if not embedder.pools_spans:
        raise SystemExit("this embedder makes no span vectors (the torch backend); nothing to compare")
    squad = load_squad(args.data)
    paragraphs = dict(squad.paragraphs[: args.paragraphs])
    chunks, spans = [], []
    for doc_id, text in paragraphs.items():
        doc = Document(doc_id, f"{doc_id}.txt", text, "", None, None, None, "0")
        for c in chunk_document(doc, chunk_chars=settings.chunk_chars, overlap=settings.chunk_overlap):
            chunks.append(c)
            spans.append(candidate_spans(text, c.start, c.end))
    titles = [""] * len(chunks)
    t0 = time.perf_counter()
    _, late = embedder.encode_documents_with_sentences(
        [c.text for c in chunks], titles, [[(a - c.start, b - c.start) for a, b in s] for c, s in zip(chunks, spans, strict=True)]
    )
    t_late = time.perf_counter() - t0
    flat = [(i, a, b) for i, s in enumerate(spans) for a, b in s]
    t0 = time.perf_counter()
    indep_flat = embedder.encode_documents([paragraphs[chunks[i].doc_id][a:b] for i, a, b in flat], [""] * len(flat))
    t_indep = time.perf_counter() - t0
    indep: dict[tuple[int, int, int], np.ndarray] = dict(zip(flat, indep_flat, strict=True))

    questions = [q for q in squad.questions if q.gold_docs[0] in paragraphs]
    qvecs = embedder.encode_queries([q.question for q in questions])
    stats = {"late": {"top1": 0, "rr": 0.0}, "independent": {"top1": 0, "rr": 0.0}}
    counted = 0
    for q, qv in zip(questions, qvecs, strict=True):
        answers = [normalize(a) for a in q.answer_any]
        keys, late_scores, indep_scores = [], [], []
        for i, c in enumerate(chunks):
            if c.doc_id != q.gold_docs[0]:
                continue
            for (a, b), v in zip(spans[i], late[i], strict=True):
                keys.append((c.doc_id, a, b))
                late_scores.append(float(v @ qv))
                indep_scores.append(float(indep[(i, a, b)] @ qv))
        text = paragraphs[q.gold_docs[0]]
        holds = [any(ans and ans in normalize(text[a:b]) for ans in answers) for _, a, b in keys]
        if not any(holds):
            continue
        counted += 1
        for name, scores in (("late", late_scores), ("independent", indep_scores)):
            best: dict[tuple[str, int, int], float] = {}
            for k, s in zip(keys, scores, strict=True):  # a sentence in two overlapping chunks: its better score
                best[k] = max(s, best.get(k, -2.0))
            ranked = sorted(best, key=lambda k: -best[k])
            good = {k for k, h in zip(keys, holds, strict=True) if h}
            rank = next(r for r, k in enumerate(ranked) if k in good)
            stats[name]["top1"] += rank == 0
            stats[name]["rr"] += 1.0 / (rank + 1)
    report = {
        "paragraphs": len(paragraphs),
        "chunks": len(chunks),
        "sentences": len(flat),
        "questions": counted,
        "late": {"top1": round(stats["late"]["top1"] / counted, 4), "mrr": round(stats["late"]["rr"] / counted, 4),
                 "embed_seconds": round(t_late, 1), "note": "same pass as the chunk vectors"},
        "independent": {"top1": round(stats["independent"]["top1"] / counted, 4),
                        "mrr": round(stats["independent"]["rr"] / counted, 4),
                        "embed_seconds": round(t_indep, 1), "note": "an extra pass over every sentence"},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
