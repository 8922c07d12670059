"""Wire copies: the same story printed by several outlets, found at indexing time.

Each article's words outside boilerplate (the search view's tokens) become
5-word shingles; datasketch's MinHash LSH (a maintained implementation of the
standard near-duplicate method) proposes pairs whose estimated Jaccard
similarity is at least 0.3, and each pair is then checked exactly: two articles
are copies when their shingle sets have Jaccard >= 0.5, or when one holds at
least 80% of the other's shingles (a shortened print of the same story).
Copies are grouped transitively; a group lists its earliest article first
(by publication date, else fetch date, then doc_id).

On the SaudiNewsNet sample (1,977 articles, 12 outlets) this finds 88 pairs;
benchmarks/archive.py reports the figures and docs/archives.md the hand check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.ingest.chunking import content_spans
from assistant.text.arabic import tokenize
from assistant.types import Document

__all__ = ["Copies", "find_copies"]

SHINGLE_WORDS = 5
NUM_PERM = 128
LSH_THRESHOLD = 0.3
SAME_JACCARD = 0.5
SAME_CONTAINMENT = 0.8
MIN_SHINGLES = 20
"""Articles shorter than this many shingles (about 25 words) are never called copies: too little to tell."""


@dataclass
class Copies:
    """Groups of articles that are copies of one story, each earliest first; ``group_of`` maps a member to its group."""

    groups: list[list[str]] = field(default_factory=list)
    group_of: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, groups: Iterable[list[str]]) -> Copies:
        found = cls([list(g) for g in groups])
        found.group_of = {d: i for i, g in enumerate(found.groups) for d in g}
        return found

    def others(self, doc_id: str) -> list[str]:
        """The other copies of ``doc_id``'s story (empty when it has none)."""
        i = self.group_of.get(doc_id)
        return [] if i is None else [d for d in self.groups[i] if d != doc_id]


def _shingles(doc: Document) -> set[str]:
    words: list[str] = []
    for span in content_spans(len(doc.text), doc.boilerplate):
        words.extend(tokenize(doc.text[span.start : span.end]))
    n = SHINGLE_WORDS
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def _same(a: set[str], b: set[str]) -> bool:
    common = len(a & b)
    return common / len(a | b) >= SAME_JACCARD or common / min(len(a), len(b)) >= SAME_CONTAINMENT


def _first_day(doc: Document) -> dt.date:
    days = doc.window_span()
    return days[1] if days is not None else dt.date.max


def find_copies(docs: list[Document]) -> Copies:
    """The groups of copies among ``docs``."""
    from datasketch import MinHash, MinHashLSH

    shingles = {d.doc_id: s for d in docs if len(s := _shingles(d)) >= MIN_SHINGLES}
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    signatures = {}
    for doc_id, s in shingles.items():
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([x.encode("utf-8") for x in s])
        signatures[doc_id] = m
        lsh.insert(doc_id, m)
    parent = {d: d for d in shingles}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for doc_id, m in signatures.items():
        for other in lsh.query(m):
            if other > doc_id and root(other) != root(doc_id) and _same(shingles[doc_id], shingles[other]):
                parent[root(other)] = root(doc_id)
    members: dict[str, list[str]] = {}
    for d in shingles:
        members.setdefault(root(d), []).append(d)
    by_id = {d.doc_id: d for d in docs}
    groups = [sorted(g, key=lambda d: (_first_day(by_id[d]), d)) for g in members.values() if len(g) > 1]
    return Copies.of(sorted(groups, key=lambda g: g[0]))
