"""The relevance gate: can the retrieved passages answer the question at all?

Abstain when the passages (and their titles) lack the question's names or most
of its rare words, or, for a question with neither, when no passage is close
enough in meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import AnswerSettings
from assistant.retrieve.query import Query
from assistant.text.terms import EvidenceText, Term
from assistant.types import Hit

@dataclass(frozen=True)
class Gate:
    """Whether the retrieved passages can answer the question, and what is missing."""

    ok: bool
    missing: list[str]
    coverage: float


def relevance_gate(
    query: Query, terms: list[Term], hits: list[Hit], titles: list[str], tuning: AnswerSettings, *, names_only: bool = False
) -> Gate:
    """Check the question's names (and, for Arabic questions, its weighted ``terms`` unless
    ``names_only``) against the passages."""
    evidence = EvidenceText.of([h.chunk.text for h in hits] + titles)
    wanted: list[Term] = list(query.names)
    if names_only and not wanted:
        return Gate(True, [], 1.0)
    if query.language == "ar" and not names_only:
        wanted += terms
    best_dense = max((h.dense_score or 0.0) for h in hits) if hits else 0.0
    if not wanted:
        ok = best_dense >= tuning.min_dense
        return Gate(ok, [] if ok else ["nothing close enough"], 1.0 if ok else 0.0)
    weight = {id(t): (t.weight if t.kind == "word" else 4.0) for t in wanted}
    total = sum(weight.values())
    found = [t for t in wanted if evidence.has(t)]
    missing = [t.text for t in wanted if t not in found]
    coverage = sum(weight[id(t)] for t in found) / total if total else 1.0
    missing_names = [t for t in query.names if t not in found]
    ok = coverage >= tuning.min_coverage and not (query.names and len(missing_names) * 2 >= len(query.names))
    return Gate(ok, missing, coverage)
