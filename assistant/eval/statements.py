"""Scoring "what did X say" answers against statements marked by hand (issue 15).

A gold file has one question a line: ``gold`` lists the sentences in which the
speaker speaks, ``{group, doc_id | url, start, end}``, ``group`` numbering the
distinct statements (the prints of one statement share a group). Figures:

- recall: gold statements (groups) shown, through any of their sentences;
- precision: shown statements whose quoted sentence is a gold sentence of that speaker;
- duplicates: shown statements that repeat a gold statement already shown;
- empty: questions whose gold is empty and for which nothing was listed.

A shown sentence matches a gold one when they overlap by at least half of the
shorter (sentence splitters may differ by a closing quote or a clause).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import BadInput


@dataclass(frozen=True)
class GoldSentence:
    group: int
    doc_id: str
    start: int
    end: int


@dataclass
class StatementQuestion:
    id: str
    lang: str
    question: str
    gold: list[GoldSentence]


def load_statement_set(path: Path, url_to_doc: dict[str, str] | None = None) -> list[StatementQuestion]:
    """A gold file; sentences given by ``url`` are mapped to doc ids through ``url_to_doc``."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}", hint="give the path of a statements .jsonl file") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            gold = []
            for g in row["gold"]:
                doc_id = g.get("doc_id") or (url_to_doc or {}).get(g["url"])
                if doc_id is None:
                    raise KeyError(f"article {g.get('url')!r} is not in the index")
                gold.append(GoldSentence(int(g["group"]), doc_id, int(g["start"]), int(g["end"])))
            out.append(StatementQuestion(row["id"], row["lang"], row["question"], gold))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInput(f"{path}:{number}: not a statement question ({exc})", hint="see benchmarks/data/README.md") from exc
    return out


def _matches(doc_id: str, start: int, end: int, gold: GoldSentence) -> bool:
    if doc_id != gold.doc_id:
        return False
    inter = min(end, gold.end) - max(start, gold.start)
    return inter > 0 and inter >= 0.5 * min(end - start, gold.end - gold.start)


@dataclass
class StatementScore:
    """One question's figures."""

    id: str
    shown: int
    gold_groups: int
    found_groups: int
    correct: int
    duplicates: int
    reports: int
    correct_reports: int
    missed: list[int] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def score(question: StatementQuestion, shown: list[list[tuple[str, int, int]]]) -> StatementScore:
    """Score the statements shown for one question: each a list of (doc_id, start, end), quoted one first."""
    groups = {g.group for g in question.gold}
    found: set[int] = set()
    correct = duplicates = reports = correct_reports = 0
    wrong = []
    for statement in shown:
        hit_groups = {g.group for d, a, b in statement for g in question.gold if _matches(d, a, b, g)}
        d, a, b = statement[0]
        if any(_matches(d, a, b, g) for g in question.gold):
            correct += 1
        else:
            wrong.append(f"{d}[{a}:{b}]")
        if hit_groups and hit_groups <= found:
            duplicates += 1
        found |= hit_groups
        reports += len(statement)
        correct_reports += sum(1 for d, a, b in statement if any(_matches(d, a, b, g) for g in question.gold))
    return StatementScore(question.id, len(shown), len(groups), len(found & groups), correct, duplicates, reports,
                          correct_reports, sorted(groups - found), wrong)


def summarise(scores: list[StatementScore]) -> dict[str, Any]:
    """Micro-averaged recall, precision and duplicate rate over a set, and empty-gold questions kept empty."""
    gold = sum(s.gold_groups for s in scores)
    shown = sum(s.shown for s in scores)
    empty = [s for s in scores if s.gold_groups == 0]
    return {
        "questions": len(scores),
        "recall": round(sum(s.found_groups for s in scores) / gold, 3) if gold else None,
        "precision": round(sum(s.correct for s in scores) / shown, 3) if shown else None,
        "sentence_precision": round(sum(s.correct_reports for s in scores) / max(1, sum(s.reports for s in scores)), 3),
        "duplicates": sum(s.duplicates for s in scores),
        "duplicate_rate": round(sum(s.duplicates for s in scores) / shown, 3) if shown else 0.0,
        "empty_kept_empty": f"{sum(1 for s in empty if s.shown == 0)}/{len(empty)}",
        "median_shown": statistics.median([s.shown for s in scores]) if scores else 0,
    }
