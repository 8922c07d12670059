"""Evidence: the sentences of the retrieved passages that best answer the question, as numbered sources.

Each candidate sentence of the top passages is scored by its cosine to the
question (index-time sentence vectors where the index has them) plus a small
share for the question's words and names it contains; the best ones, widened
to their neighbours, become the sources the model reads and the answer quotes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from assistant.config import AnswerSettings
from assistant.retrieve.query import Query
from assistant.text.arabic import tokenize
from assistant.text.sentences import SENTENCE_CHARS, candidate_spans
from assistant.text.terms import EvidenceText, Term
from assistant.types import Document, Hit

if TYPE_CHECKING:
    from assistant.retrieve.search import SearchIndex

SOURCE_CHARS = SENTENCE_CHARS
"""Upper bound on one source passage: the best sentence plus neighbours up to this size."""

SentenceKey = tuple[str, int, int]
"""A candidate sentence: (doc_id, start, end) in its article."""
SentenceScorer = Callable[[list[SentenceKey], dict[SentenceKey, Hit]], list[float]]
"""Scores candidate sentences (with the hit each came from) for relevance to the question."""


@dataclass(frozen=True)
class Source:
    """A passage chosen as evidence: a run of whole sentences from one retrieved chunk."""

    n: int
    doc: Document
    start: int
    end: int
    score: float
    sentences: tuple[tuple[int, int], ...]
    best: tuple[int, int]
    """The sentence that earned the passage its place."""
    strong: tuple[tuple[int, int, float], ...] = ()
    """Its sentences among the best-ranked candidates overall, (start, end, score) in text order; holds ``best``."""
    also: tuple[Document, ...] = ()
    """The other outlets' prints of the same story (wire copies), cited by name instead of quoted again."""

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


def choose_sources(
    hits: list[Hit],
    docs: dict[str, Document],
    scorer: SentenceScorer,
    tuning: AnswerSettings,
    keep: Callable[[Hit], bool] | None = None,
) -> list[Source]:
    """The best sentences of the top hits, each widened to its neighbours, best first.

    Hits below the first ``tuning.candidate_hits`` compete too when ``keep`` says so
    (they name what the question names): a cross-language question can rank
    the one passage that names its subject last.
    """
    candidates: dict[SentenceKey, Hit] = {}
    spans_of: dict[str, list[tuple[int, int]]] = {}
    top_n = tuning.candidate_hits
    chosen = hits[:top_n] + [h for h in hits[top_n:] if keep is not None and keep(h)]
    for hit in chosen:
        doc = docs[hit.chunk.doc_id]
        for a, b in candidate_spans(doc.text, hit.chunk.start, hit.chunk.end):
            candidates.setdefault((doc.doc_id, a, b), hit)
    if not candidates:
        return []
    keys = list(candidates)
    scores = scorer(keys, candidates)
    for key in keys:
        spans_of.setdefault(key[0], []).append((key[1], key[2]))
    for spans in spans_of.values():
        spans.sort()
    ranked = sorted(zip(keys, scores, strict=True), key=lambda ks: -ks[1])
    sources: list[Source] = []
    for (doc_id, a, b), score in ranked:
        if len(sources) >= tuning.max_sources:
            break
        if any(s.doc.doc_id == doc_id and s.start < b and a < s.end for s in sources):
            continue
        spans = spans_of[doc_id]
        i = spans.index((a, b))
        lo = hi = i
        while hi + 1 < len(spans) and spans[hi + 1][1] - spans[lo][0] <= SOURCE_CHARS and spans[hi + 1][0] - spans[hi][1] < 3:
            hi += 1
        start, end = spans[lo][0], spans[hi][1]
        clash = [s for s in sources if s.doc.doc_id == doc_id and s.start < end and start < s.end]
        if clash:
            start, end, hi = a, b, i
        also = tuple(docs[d] for d in candidates[(doc_id, a, b)].also if d in docs)
        sources.append(Source(len(sources) + 1, docs[doc_id], start, end, float(score), tuple(spans[lo : hi + 1]), (a, b), also=also))
    top = ranked[: tuning.strong_ranks]
    return [
        replace(s, strong=tuple(sorted(
            (a, b, float(sc)) for (d, a, b), sc in top if d == s.doc.doc_id and (a, b) in s.sentences
        )) or ((*s.best, s.score),))
        for s in sources
    ]


def ranked_sentences(sources: list[Source]) -> list[tuple[Source, tuple[int, int]]]:
    """Every strong sentence of the sources with its source, best-ranked first (ties: the earlier source)."""
    ranked = sorted(((sc, src.n, src, (a, b)) for src in sources for a, b, sc in src.strong), key=lambda t: (-t[0], t[1]))
    return [(src, span) for _, _, src, span in ranked]


def ranked_within(sources: list[Source], cost: Callable[[str], int], budget: int) -> list[tuple[Source, tuple[int, int]]]:
    """The sources' strong sentences, best-ranked first, while their ``cost`` fits in ``budget``
    (the best one always; a shorter, lower-ranked sentence may still fit after a longer one did not)."""
    picked: list[tuple[Source, tuple[int, int]]] = []
    used = 0
    for src, (a, b) in ranked_sentences(sources):
        price = cost(src.doc.text[a:b])
        if picked and used + price > budget:
            continue
        picked.append((src, (a, b)))
        used += price
    return picked


def best_quotes(sources: list[Source], tuning: AnswerSettings) -> list[tuple[Source, tuple[int, int]]]:
    """The ``tuning.quoted_sources`` best-ranked strong sentences of the sources, with their source, best first.

    Two strong sentences may share a passage: a second-ranked sentence that sits beside the
    first one is quoted, not lost behind a weaker passage's best.
    """
    return ranked_sentences(sources)[: tuning.quoted_sources]


def _lexical_score(sentence: str, weights: dict[str, float], names: tuple[Term, ...]) -> float:
    tokens = set(tokenize(sentence))
    score = sum(w for t, w in weights.items() if t in tokens)
    if names:
        ev = EvidenceText.of([sentence])
        score += sum(2.0 for n in names if ev.has(n))
    return score


def sentence_cosines(search: SearchIndex, query: Query, keys: list[SentenceKey], hit_of: dict[SentenceKey, Hit]) -> list[float]:
    """Cosine of each candidate sentence to the (embedded) question: index-time vectors where the
    index has them (no embedder pass), the others embedded now."""
    import numpy as np

    assert query.vector is not None, "the query is embedded by the search"
    by_chunk: dict[str, dict[tuple[int, int], Any]] = {}
    stored: dict[SentenceKey, Any] = {}
    for key in keys:  # a sentence shared by overlapping chunks takes the vector of the chunk it was found in
        chunk = hit_of[key].chunk
        if chunk.chunk_id not in by_chunk:
            by_chunk[chunk.chunk_id] = search.sentence_vectors(chunk)
        vec = by_chunk[chunk.chunk_id].get(key[1:])
        if vec is not None:
            stored[key] = vec
    missing = [k for k in keys if k not in stored]
    if missing:
        docs = search.docs
        made = search.embedder.encode_documents([docs[d].text[a:b] for d, a, b in missing], [docs[d].title for d, _, _ in missing])
        stored.update(zip(missing, made, strict=True))
    return [float(np.asarray(stored[k], dtype=np.float32) @ query.vector) for k in keys]


def gather_sources(
    search: SearchIndex, query: Query, hits: list[Hit], terms: list[Term], tuning: AnswerSettings
) -> list[Source]:
    """The question's sources among ``hits``: sentences scored by cosine plus its words (``terms``,
    weighted by rarity) and names; lower passages naming a name the top ones lack compete too."""
    weights = {t.text: t.weight for t in terms}

    def scorer(keys: list[SentenceKey], hit_of: dict[SentenceKey, Hit]) -> list[float]:
        texts = [search.docs[d].text[a:b] for d, a, b in keys]
        cos = sentence_cosines(search, query, keys, hit_of)
        lexical = [_lexical_score(t, weights, query.names) for t in texts]
        top = max(lexical) or 1.0
        return [float(c) + tuning.lexical_weight * lx / top for c, lx in zip(cos, lexical, strict=True)]

    top_text = EvidenceText.of([h.chunk.text for h in hits[: tuning.candidate_hits]])
    unseen = [n for n in query.names if not top_text.has(n)]

    def names_subject(hit: Hit) -> bool:  # a lower passage naming what the top passages do not
        evidence = EvidenceText.of([hit.chunk.text])
        return any(evidence.has(n) for n in unseen)

    return choose_sources(hits, search.docs, scorer, tuning, keep=names_subject if unseen else None)
