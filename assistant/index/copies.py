"""Wire copies: the same story printed by several outlets, found at indexing time.

Each article's words outside boilerplate (the search view's tokens) become
5-word shingles and a datasketch MinHash signature (kept per content hash, so an
unchanged article is never shingled again); LSH banding with datasketch's bands
for an estimated Jaccard of 0.3 (37 bands of 3) proposes pairs with a new or
changed article, and each pair is then checked exactly: two articles
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
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest.chunking import content_spans
from assistant.text.arabic import tokenize
from assistant.types import Document

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Copies", "Signatures", "find_copies"]

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


@dataclass
class Signatures:
    """Each article's MinHash signature by its content hash, kept in a generation so an unchanged article
    is never shingled again (``minhash.npz``); an article too short to judge has none."""

    by_hash: dict[str, np.ndarray] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        import numpy as np

        keys = sorted(self.by_hash)
        values = np.stack([self.by_hash[k] for k in keys]) if keys else np.zeros((0, NUM_PERM), np.uint32)
        with open(path, "wb") as fh:
            np.savez(fh, hashes=np.array(keys), values=values.astype(np.uint32))

    @classmethod
    def load(cls, path: Path) -> Signatures:
        """The signatures saved at ``path``; none when the file is missing or unreadable (they are remade)."""
        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as data:
                return cls({str(h): v for h, v in zip(data["hashes"], np.array(data["values"]), strict=True)})
        except (OSError, ValueError, KeyError):
            return cls()


def _signature(shingles: set[str]) -> np.ndarray:
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([x.encode("utf-8") for x in shingles])
    return m.hashvalues.astype("uint32")


def _band_pairs(ids: list[str], values: np.ndarray, fresh: set[str]) -> set[tuple[str, str]]:
    """Pairs sharing a whole band of their signatures (LSH banding with datasketch's bands for
    ``LSH_THRESHOLD``), at least one of them ``fresh``; vectorised over every article. A band is
    hashed to one 64-bit key: a rare key collision only adds a pair for the exact check."""
    import numpy as np
    from datasketch import MinHashLSH

    fresh_rows = np.flatnonzero(np.array([d in fresh for d in ids], dtype=bool))
    if not len(fresh_rows):
        return set()
    pairs: set[tuple[str, str]] = set()
    mix = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)
    for start, end in MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM).hashranges:
        keys = np.zeros(len(ids), dtype=np.uint64)
        for j, col in enumerate(range(start, end)):
            keys ^= values[:, col].astype(np.uint64) * mix[j % len(mix)] + np.uint64(j)
        hit = np.flatnonzero(np.isin(keys, keys[fresh_rows]))
        if len(hit) < 2:
            continue
        runs: dict[int, list[int]] = {}
        for row in hit:
            runs.setdefault(int(keys[row]), []).append(int(row))
        for run in runs.values():
            members = [ids[i] for i in run]
            pairs.update((x, y) for i, x in enumerate(members) for y in members[i + 1 :] if x in fresh or y in fresh)
    return pairs


def find_copies(
    docs: list[Document], previous: Copies | None = None, known: Signatures | None = None
) -> tuple[Copies, Signatures]:
    """The groups of copies among ``docs``, and their signatures.

    Articles whose content hash has a signature in ``known`` are not shingled again, and pairs
    between two of them keep ``previous``'s verdict: only pairs with a new or changed article
    are checked, so an incremental run costs what its changed articles cost.
    """
    import numpy as np

    known = known or Signatures()
    by_id = {d.doc_id: d for d in docs}
    signatures = Signatures()
    shingles: dict[str, set[str]] = {}
    fresh: set[str] = set()
    for d in docs:
        sig = known.by_hash.get(d.content_hash)
        if sig is None:  # new or changed (or too short to have one)
            s = shingles[d.doc_id] = _shingles(d)
            if len(s) < MIN_SHINGLES:
                continue
            sig = _signature(s)
            fresh.add(d.doc_id)
        if sig is not None:
            signatures.by_hash[d.content_hash] = sig
    ids = [d.doc_id for d in docs if d.content_hash in signatures.by_hash]
    parent = {d: d for d in ids}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for group in previous.groups if previous is not None else []:
        kept = [d for d in group if d in parent and d not in fresh]
        for other in kept[1:]:
            parent[root(other)] = root(kept[0])
    values = np.stack([signatures.by_hash[by_id[d].content_hash] for d in ids]) if ids else np.zeros((0, NUM_PERM), np.uint32)
    for a, b in sorted(_band_pairs(ids, values, fresh)):
        if root(a) == root(b):
            continue
        sa = shingles.get(a) or shingles.setdefault(a, _shingles(by_id[a]))
        sb = shingles.get(b) or shingles.setdefault(b, _shingles(by_id[b]))
        if _same(sa, sb):
            parent[root(b)] = root(a)
    members: dict[str, list[str]] = {}
    for d in ids:
        members.setdefault(root(d), []).append(d)
    groups = [sorted(g, key=lambda d: (_first_day(by_id[d]), d)) for g in members.values() if len(g) > 1]
    return Copies.of(sorted(groups, key=lambda g: g[0])), signatures
