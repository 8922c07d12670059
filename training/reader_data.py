"""Training data for the reader (issue 13): question + numbered evidence sentences -> the verbatim span, or none.

Each example is what the answer layer shows the local model at run time: a few
sentences, each under its source number, and a question. The target is the
shortest span that answers, copied verbatim, followed by its source number
("3.2 مليون طن [2]"), or the no-answer marker when no source holds the answer.

Built from a SQuAD-format file (ARCD *train*; the test file is refused so it
stays held out of training and of every choice made on it):

- positives: the sentence that holds the gold answer, its neighbours from the
  same paragraph and sentences from other paragraphs that share the question's
  words (what retrieval would put beside it), numbered in a shuffled order;
- negatives: the same question with only such other sentences, none of which
  contains the answer text; the target is ``NO_ANSWER``.

Sentences come from the product's own splitter (``assistant.text.sentences``),
so training sees the spans the answer layer will show. Everything is seeded;
``--out`` gets the examples as JSON Lines and ``<out>.meta.json`` the input's
sha256, the parameters, the counts and the output's sha256, so a run can be
reproduced and checked.

    python training/reader_data.py --data ../shared/external/arcd/arcd-train.json --out build/reader-train.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.reading import NO_ANSWER, reader_target  # noqa: E402
from assistant.text.arabic import tokenize  # noqa: E402
from assistant.text.sentences import candidate_spans  # noqa: E402


@dataclass(frozen=True)
class Paragraph:
    """One context paragraph and its sentences (character spans into ``text``)."""

    pid: str
    title: str
    text: str
    sentences: tuple[tuple[int, int], ...]

    def sentence(self, i: int) -> str:
        a, b = self.sentences[i]
        return self.text[a:b]


@dataclass(frozen=True)
class Example:
    """One training example: numbered sources, the question, the target; ``answer_n`` is 0 for none."""

    qid: str
    kind: str  # "positive" or "negative"
    question: str
    sources: list[str]
    target: str
    answer_n: int
    paragraph: str


def load_squad(path: Path) -> tuple[list[Paragraph], list[tuple[str, str, str, int, int]]]:
    """Paragraphs, and questions as (qid, question, paragraph id, answer start, answer end)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    paragraphs: list[Paragraph] = []
    questions: list[tuple[str, str, str, int, int]] = []
    for a, article in enumerate(data["data"]):
        for p, para in enumerate(article["paragraphs"]):
            pid = f"{a}:{p}"
            text = para["context"]
            paragraphs.append(Paragraph(pid, article.get("title", ""), text, tuple(candidate_spans(text, 0, len(text)))))
            for qa in para["qas"]:
                ans = qa["answers"][0]
                start = int(ans["answer_start"])
                questions.append((str(qa["id"]), " ".join(qa["question"].split()).strip(" -"), pid, start, start + len(ans["text"])))
    return paragraphs, questions


def _overlap(question_tokens: set[str], sentence: str) -> int:
    return len(question_tokens & set(tokenize(sentence)))


def build(
    paragraphs: list[Paragraph],
    questions: list[tuple[str, str, str, int, int]],
    *,
    seed: int,
    max_sources: int = 4,
    negative_share: float = 0.3,
    variants: int = 1,
) -> tuple[list[Example], dict[str, int]]:
    """Positive and negative examples for every question; returns them and counts of what was skipped."""
    rng = random.Random(seed)
    by_id = {p.pid: p for p in paragraphs}
    pool = [(p, i) for p in paragraphs for i in range(len(p.sentences))]
    examples: list[Example] = []
    skipped = {"answer_across_sentences": 0, "answer_not_verbatim": 0}
    for qid, question, pid, start, end in questions:
        para = by_id[pid]
        gold = next((i for i, (a, b) in enumerate(para.sentences) if a <= start and end <= b), None)
        answer = para.text[start:end]
        if gold is None:
            skipped["answer_across_sentences"] += 1
            continue
        if not answer.strip() or answer not in para.sentence(gold):
            skipped["answer_not_verbatim"] += 1
            continue
        wanted = set(tokenize(question))
        others = [(p, i) for p, i in rng.sample(pool, min(len(pool), 200)) if p.pid != pid and answer not in p.sentence(i)]
        others.sort(key=lambda pi: -_overlap(wanted, pi[0].sentence(pi[1])))  # stable: ties keep the random order
        for v in range(variants):
            near = [para.sentence(j) for j in (gold - 1, gold + 1) if 0 <= j < len(para.sentences) and rng.random() < 0.5]
            far = [p.sentence(i) for p, i in others[v * max_sources : (v + 1) * max_sources]]
            positives = [para.sentence(gold), *near, *far][:max_sources]
            order = list(range(len(positives)))
            rng.shuffle(order)
            sources = [positives[k] for k in order]
            n = order.index(0) + 1
            examples.append(Example(qid, "positive", question, sources, reader_target(answer, n).strip(), n, pid))
            if rng.random() < negative_share:
                negatives = [p.sentence(i) for p, i in others[v * max_sources : (v + 1) * max_sources]][: max(1, len(positives))]
                if negatives:
                    examples.append(Example(qid, "negative", question, negatives, NO_ANSWER, 0, pid))
    return examples, skipped


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="a SQuAD-format training file (not a test file)")
    parser.add_argument("--out", type=Path, required=True, help="where to write the examples (JSON Lines)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-sources", type=int, default=4)
    parser.add_argument("--negative-share", type=float, default=0.3)
    parser.add_argument("--variants", type=int, default=1, help="examples per question, each with other distractors")
    args = parser.parse_args(argv)
    if "test" in args.data.name.lower():
        print(f"error: {args.data} looks like a test set; the reader is trained on training data only", file=sys.stderr)
        return 2
    try:
        raw = args.data.read_bytes()
        paragraphs, questions = load_squad(args.data)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        print(f"error: cannot read {args.data} as SQuAD JSON: {exc}", file=sys.stderr)
        return 2
    examples, skipped = build(
        paragraphs, questions, seed=args.seed, max_sources=args.max_sources,
        negative_share=args.negative_share, variants=args.variants,
    )
    lines = "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in examples).encode("utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(lines)
    meta = {
        "data": str(args.data), "data_sha256": _sha256(raw), "out_sha256": _sha256(lines),
        "params": {k: v for k, v in vars(args).items() if k not in ("data", "out")},
        "counts": {
            "questions": len(questions), "paragraphs": len(paragraphs), "examples": len(examples),
            "positive": sum(e.kind == "positive" for e in examples), "negative": sum(e.kind == "negative" for e in examples),
            **{f"skipped_{k}": v for k, v in skipped.items()},
        },
    }
    Path(f"{args.out}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(json.dumps(meta["counts"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
