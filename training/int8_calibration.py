"""Calibration passages for the int8 embedder (``embed_precision = "int8"``, issue 14).

NNCF's post-training quantization measures the embedder's activations on a few
typical inputs to set its int8 ranges. These are those inputs, fixed and
shipped, so every machine quantizes the same way: passages of ARCD *train*
(Arabic Wikipedia paragraphs; the test file is refused, it stays held out) cut
at whole sentences to the product's chunk size, each under its article title
as the document prompt will put it, and some of its questions, which the query
prompt embeds. Nothing here is fitted to the seeds or the dev questions.

    python training/int8_calibration.py --data ../shared/external/arcd/arcd-train.json

writes ``assistant/models/calibration/int8-arcd-train.jsonl`` and beside it a
``.meta.json`` with the input's and the output's sha256, the seed and the counts.
Licence of the file: the paragraphs are Wikipedia's (CC BY-SA), the questions
SOQAL's (MIT); see the README.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.models.openvino_int8 import CALIBRATION  # noqa: E402
from assistant.text.sentences import split_sentences  # noqa: E402


def _cut(text: str, limit: int) -> str:
    """The paragraph's leading whole sentences, at most ``limit`` characters (one sentence at least)."""
    end = 0
    for sent in split_sentences(text, 0, len(text)):
        if sent.end > limit and end:
            break
        end = min(sent.end, limit)
    return text[:end].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="ARCD train (SQuAD format)")
    parser.add_argument("--out", type=Path, default=CALIBRATION)
    parser.add_argument("--documents", type=int, default=96)
    parser.add_argument("--queries", type=int, default=32)
    parser.add_argument("--chunk-chars", type=int, default=700)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    if "test" in args.data.name:
        parser.error("ARCD test stays held out: calibrate on the train file")
    raw = args.data.read_bytes()
    paragraphs = [(art["title"], para) for art in json.loads(raw)["data"] for para in art["paragraphs"]]
    rng = random.Random(args.seed)
    chosen = rng.sample(paragraphs, min(args.documents, len(paragraphs)))
    rows = [{"kind": "document", "title": title, "text": _cut(para["context"], args.chunk_chars)} for title, para in chosen]
    questions = [qa["question"] for _, para in chosen for qa in para["qas"]]
    rows += [{"kind": "query", "text": q} for q in rng.sample(questions, min(args.queries, len(questions)))]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    args.out.write_text(body, encoding="utf-8")
    meta = {
        "input": args.data.name, "input_sha256": hashlib.sha256(raw).hexdigest(),
        "seed": args.seed, "documents": args.documents, "queries": args.queries, "chunk_chars": args.chunk_chars,
        "output_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
    }
    args.out.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} calibration texts -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
