"""Sentences of an article: where they start and end in the original text.

:func:`split_sentences` is the one sentence splitter: chunking packs its
sentences into chunks (:mod:`assistant.ingest.chunking`), the index stores a
vector for each candidate sentence of a chunk
(:mod:`assistant.index.sentence_store`) and the evidence step quotes them
(:mod:`assistant.answer`). Offsets always point into the text given; nothing
is rewritten.
"""

from __future__ import annotations

import re

from assistant.text.arabic import ARABIC_LETTER_RE, TATWEEL
from assistant.text.spans import trim_whitespace
from assistant.types import Span

__all__ = [
    "DEFAULT_MAX_SENTENCE_CHARS",
    "SENTENCE_CHARS",
    "candidate_spans",
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
    if before == TATWEEL and (right == TATWEEL or ARABIC_LETTER_RE.match(right)):
        return False
    if right == TATWEEL and (before == TATWEEL or ARABIC_LETTER_RE.match(before)):
        return False
    return not _is_abbreviation(text, a, lo)


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
        s, e = trim_whitespace(text, cur, best)
        if s < e:
            parts.append((s, e))
        cur = trim_whitespace(text, best, end)[0]
    s, e = trim_whitespace(text, cur, end)
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
        s, e = trim_whitespace(text, seg, cut)
        if s < e:
            spans.append(Span(s, e))
        seg = nxt
    s, e = trim_whitespace(text, seg, hi)
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


SENTENCE_CHARS = 420
"""Longest candidate sentence (longer ones are cut after Arabic commas); also a source passage's bound."""


def candidate_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` that can be evidence (those with a letter), as article offsets."""
    return [
        (sp.start, sp.end)
        for sp in split_sentences(text, start, end, max_sentence_chars=SENTENCE_CHARS)
        if any(ch.isalpha() for ch in text[sp.start : sp.end])
    ]
