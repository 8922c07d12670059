"""Sentence-aware chunks whose offsets point into the original document text.

A chunk is always ``doc.text[start:end]``: nothing is rewritten, so a quote
taken from a chunk can be found verbatim in the article. Only the chunk's
``search_text`` is normalised (see :mod:`assistant.text.arabic`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.text.arabic import ARABIC_LETTERS, TATWEEL, search_view
from assistant.types import Chunk, Document, Span

__all__ = [
    "DEFAULT_MAX_SENTENCE_CHARS",
    "chunk_document",
    "content_spans",
    "split_sentences",
]

#: A sentence longer than this is split after an Arabic comma (or ", ").
DEFAULT_MAX_SENTENCE_CHARS = 500

# A line break, or a run of sentence-final marks with any closing quotes and
# brackets right after it ("الصراع.”", "الطبيعية".).
_BREAK_RE = re.compile(
    "\r\n?|[\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"
    "|[.!?\u061f\u061b\u2026\u06d4]+[\"'\u201d\u2019\u00bb)\\]}]*"
)
_LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_ARABIC_LETTER = re.compile(f"[{ARABIC_LETTERS}]")
# After a mark, these continue a token rather than start a sentence: URLs and
# file names ("www.x.com/?a=1"), decimals ("95.1"), initials ("U.N").
_CONTINUES = frozenset("_/=&#@%")
# Words that end with a dot without ending the sentence (lower-cased, no dot).
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc e.g i.e inc ltd co gen gov sen rep "
    "u.s u.k u.n a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_INITIALS_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_CLAUSE_RE = re.compile("\u060c|,(?=\\s)")
_WORD_CHAR_RE = re.compile(r"[^\W_]")


def _is_abbreviation(text: str, dot: int, lo: int) -> bool:
    """Whether the word just before ``text[dot] == "."`` is an abbreviation or an initial."""
    i = dot
    while i > lo and i > dot - 12 and not text[i - 1].isspace() and text[i - 1] not in "(\"'\u201c\u00ab":
        i -= 1
    word = text[i:dot]
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # "J. Smith", "د. محمد"
        return True
    if len(word) == 2 and word[1] == TATWEEL:  # "هـ." (hijri year)
        return True
    return word.lower() in _ABBREVIATIONS or _INITIALS_RE.fullmatch(word) is not None


def _is_boundary(text: str, a: int, t: int, b: int, lo: int, hi: int) -> bool:
    """Whether the marks ``text[a:t]`` (closers up to ``b``) end a sentence."""
    after = text[b] if b < hi else ""
    if after and (after in _CONTINUES or (after.isascii() and after.isalnum())):
        return False
    if t - a != 1 or text[a] != ".":
        return True
    before = text[a - 1] if a > lo else ""
    right = text[t] if t < hi else ""
    if before.isdigit() and right.isdigit():  # "٩٥.١"
        return False
    # Filter-dodging dot inside a word: "الإرهـ.ـاب", "مكـ.افحة", "رفـ.ض".
    if before == TATWEEL and (right == TATWEEL or _ARABIC_LETTER.match(right)):
        return False
    if right == TATWEEL and (before == TATWEEL or _ARABIC_LETTER.match(before)):
        return False
    return not _is_abbreviation(text, a, lo)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_clauses(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Split an over-long sentence after commas into parts of at most ``limit`` where possible."""
    commas = [m.end() for m in _CLAUSE_RE.finditer(text, start, end)]
    parts: list[tuple[int, int]] = []
    cur = start
    idx = 0
    while end - cur > limit and idx < len(commas):
        best = -1
        while idx < len(commas) and commas[idx] - cur <= limit:
            best = commas[idx]
            idx += 1
        if best == -1:  # no comma within reach: take the first one beyond it
            best = commas[idx]
            idx += 1
        s, e = _strip(text, cur, best)
        if s < e:
            parts.append((s, e))
        cur = _strip(text, best, end)[0]
    s, e = _strip(text, cur, end)
    if s < e:
        parts.append((s, e))
    return parts


def split_sentences(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    max_sentence_chars: int = DEFAULT_MAX_SENTENCE_CHARS,
) -> list[Span]:
    """Sentence spans of ``text[start:end]``, offsets into ``text``, surrounding whitespace excluded.

    Sentences end at ``. ! ? ؟ ؛ …`` (with any closing quotes) and at every
    line break, since scraped lines are paragraphs. A dot is no boundary in a
    decimal ("95.1"), a URL, an abbreviation or initial ("U.N.", "د.") or a
    filter-dodging word break ("الإرهـ.ـاب"). A sentence longer than
    ``max_sentence_chars`` is further split after its Arabic commas.
    """
    n = len(text)
    lo = max(0, min(start, n))
    hi = n if end is None else max(lo, min(end, n))
    spans: list[Span] = []
    seg = lo
    for m in _BREAK_RE.finditer(text, lo, hi):
        a, b = m.span()
        if text[a] in _LINE_BREAKS:
            cut, nxt = a, b
        else:
            t = a
            while t < b and text[t] in ".!?\u061f\u061b\u2026\u06d4":
                t += 1
            if not _is_boundary(text, a, t, b, lo, hi):
                continue
            cut = nxt = b
        s, e = _strip(text, seg, cut)
        if s < e:
            spans.append(Span(s, e))
        seg = nxt
    s, e = _strip(text, seg, hi)
    if s < e:
        spans.append(Span(s, e))
    if any(sp.end - sp.start > max_sentence_chars for sp in spans):
        spans = [
            Span(ps, pe)
            for sp in spans
            for ps, pe in (
                _split_clauses(text, sp.start, sp.end, max_sentence_chars)
                if sp.end - sp.start > max_sentence_chars
                else [(sp.start, sp.end)]
            )
        ]
    return spans


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
            cut, nxt = _strip(text, cur, k)[1], k
        else:
            cut = nxt = hi
        parts.append((cur, cut))
        cur = _strip(text, nxt, end)[0]
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
