"""Sentence-aware chunks whose offsets point into the original document text.

A chunk is always ``doc.text[start:end]``: nothing is rewritten, so a quote
taken from a chunk can be found verbatim in the article. Only the chunk's
``search_text`` is normalised (see :mod:`assistant.text.arabic`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.text.arabic import search_view
from assistant.text.sentences import split_sentences
from assistant.text.spans import trim_whitespace
from assistant.types import Chunk, Document, Span

__all__ = ["chunk_document", "content_spans"]

# A piece with none of these (a lone "-" line) is no passage of its own.
_WORD_CHAR_RE = re.compile(r"[^\W_]")


def content_spans(length: int, boilerplate: Iterable[Span]) -> list[Span]:
    """The parts of ``[0, length)`` outside every boilerplate span, in order."""
    regions: list[Span] = []
    cur = 0
    for bp in sorted(boilerplate, key=lambda sp: (sp.start, sp.end)):
        s, e = max(0, bp.start), min(length, bp.end)
        if e <= s:
            continue
        if s > cur:
            regions.append(Span(cur, s))
        cur = max(cur, e)
    if cur < length:
        regions.append(Span(cur, length))
    return regions


def _cut_words(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at whitespace into parts of at most ``limit`` characters.

    A run without whitespace longer than ``limit`` (a URL, a blob) is cut
    hard at ``limit``: it cannot fit any other way.
    """
    parts: list[tuple[int, int]] = []
    cur = start
    while end - cur > limit:
        hi = cur + limit
        k = hi
        while k > cur and not text[k].isspace():
            k -= 1
        if k > cur:  # text[k] is whitespace, text[cur:k] fits
            cut, nxt = trim_whitespace(text, cur, k)[1], k
        else:
            cut = nxt = hi
        parts.append((cur, cut))
        cur = trim_whitespace(text, nxt, end)[0]
    if cur < end:
        parts.append((cur, end))
    return parts


def _pack(
    text: str, pieces: list[tuple[int, int]], chunk_chars: int, overlap: int
) -> list[tuple[int, int]]:
    """Group consecutive pieces into ``(start, end)`` chunks; see :func:`chunk_document`."""
    n = len(pieces)
    para_after = [text.find("\n", pieces[k][1], pieces[k + 1][0]) != -1 for k in range(n - 1)]
    out: list[tuple[int, int]] = []
    i = 0
    first_new = 0  # pieces before this index already ended a chunk
    while i < n:
        start = pieces[i][0]
        j = i
        while j + 1 < n and pieces[j + 1][1] - start <= chunk_chars:
            j += 1
        k = j
        if j + 1 < n and not para_after[j]:
            for m in range(j - 1, max(i, first_new) - 1, -1):
                if 2 * (pieces[m][1] - start) < chunk_chars:
                    break
                if para_after[m]:
                    k = m
                    break
        out.append((start, pieces[k][1]))
        if k + 1 >= n:
            break
        nxt = k + 1
        m = k
        reach = pieces[k + 1][1]
        while m > i and pieces[k][1] - pieces[m][0] <= overlap and reach - pieces[m][0] <= chunk_chars:
            nxt = m
            m -= 1
        i = nxt
        first_new = k + 1
    return out


def chunk_document(
    doc: Document,
    *,
    chunk_chars: int,
    overlap: int,
    max_sentence_chars: int | None = None,
) -> list[Chunk]:
    """Cut ``doc`` into chunks of whole sentences of at most ``chunk_chars`` characters.

    Boilerplate spans are skipped and never straddled. Consecutive sentences
    are packed greedily; a chunk at least half full prefers to end at a line
    break. The next chunk repeats the previous chunk's trailing whole sentences
    totalling at most ``overlap`` characters. A sentence longer than
    ``chunk_chars`` is split after commas, then at whitespace. Every chunk's
    ``text`` is exactly ``doc.text[start:end]`` and holds a letter or digit;
    ids are ``"{doc_id}#{start}-{end}"``.
    """
    if chunk_chars < 1:
        raise ValueError(f"chunk_chars must be positive, got {chunk_chars}")
    if overlap < 0:
        raise ValueError(f"overlap must not be negative, got {overlap}")
    max_sentence = chunk_chars if max_sentence_chars is None else max_sentence_chars
    text = doc.text
    chunks: list[Chunk] = []
    for region in content_spans(len(text), doc.boilerplate):
        pieces: list[tuple[int, int]] = []
        for sent in split_sentences(text, region.start, region.end, max_sentence_chars=max_sentence):
            if sent.end - sent.start > chunk_chars:
                pieces.extend(_cut_words(text, sent.start, sent.end, chunk_chars))
            else:
                pieces.append((sent.start, sent.end))
        # Pure punctuation (a lone "-" line) is no passage of its own.
        pieces = [p for p in pieces if _WORD_CHAR_RE.search(text, p[0], p[1]) is not None]
        for start, end in _pack(text, pieces, chunk_chars, overlap):
            body = text[start:end]
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{start}-{end}",
                    doc_id=doc.doc_id,
                    start=start,
                    end=end,
                    text=body,
                    search_text=search_view(body),
                )
            )
    return chunks
