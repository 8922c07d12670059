"""Synthetic corpora for the scale and re-index benchmarks, recombined from ARCD's Arabic text.

Nothing here is committed data: the scripts write what they need into bench-out/
or a temporary folder. ARCD lives in /work/shared/external/arcd (or pass a path).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCD_DIR = ROOT.parent / "shared" / "external" / "arcd"
_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")


def arcd_text(arcd_dir: Path = ARCD_DIR) -> tuple[list[str], list[str]]:
    """ARCD's sentences (from every paragraph) and questions, both files, deduplicated in order."""
    sentences: dict[str, None] = {}
    questions: dict[str, None] = {}
    files = sorted(arcd_dir.glob("arcd-*.json"))
    if not files:
        raise SystemExit(f"no ARCD files (arcd-*.json) in {arcd_dir}")
    for path in files:
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for para in article["paragraphs"]:
                for sent in _SENTENCE_END.split(para["context"].strip()):
                    if len(sent) >= 20:
                        sentences.setdefault(sent.strip())
                for qa in para["qas"]:
                    questions.setdefault(qa["question"].strip())
    return list(sentences), list(questions)


def passage(rng: random.Random, sentences: list[str], n_min: int = 3, n_max: int = 6) -> str:
    """A passage of a few random ARCD sentences."""
    return " ".join(rng.choice(sentences) for _ in range(rng.randint(n_min, n_max)))


def article_text(rng: random.Random, sentences: list[str], date: str) -> str:
    """An article: a date header, a title line, then two or three paragraphs."""
    title = " ".join(rng.choice(sentences).split()[:8])
    paras = [passage(rng, sentences) for _ in range(rng.randint(2, 3))]
    return f"date {date}\n{title}\n\n" + "\n\n".join(paras) + "\n"


def write_corpus(folder: Path, n_articles: int, *, seed: int = 0, per_folder: int = 500) -> list[Path]:
    """Write ``n_articles`` synthetic articles (dated 2015-2024) into ``folder``, 500 per sub-folder."""
    sentences, _ = arcd_text()
    rng = random.Random(seed)
    paths = []
    for i in range(n_articles):
        sub = folder / f"part-{i // per_folder:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        date = f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        path = sub / f"article-{i:06d}.txt"
        path.write_text(article_text(rng, sentences, date), encoding="utf-8")
        paths.append(path)
    return paths
