"""Nothing the model writes is trusted: checks of its text against the sources it was shown.

A chat model's answer must cite existing sources, keep the question's language,
not loop, and state no number absent from the passages it cites. A base
model's copied phrase must be found in a source, and is snapped to the real
sentence it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.answer.compose import CITE_MARKER, Citation, Mode, citation_for, extractive_answer, quote_line
from assistant.answer.evidence import Source
from assistant.retrieve.query import Query
from assistant.text.arabic import ARABIC_LETTER_RE, normalize, search_view, tokenize
from assistant.text.terms import GENERIC_CAPITALISED, EvidenceText, numbers_in
from assistant.types import Language

ABSTAIN_PHRASES = (
    "لا تذكر المصادر", "لا تتضمن المصادر", "لا يوجد في المصادر", "لا تحتوي المصادر",
    "not in the sources", "sources do not", "sources don't", "no information", "cannot answer",
)
"""What a model writes when it finds no answer (the first of each language is what the chat prompt asks for)."""


@dataclass
class Check:
    """The outcome of checking model text against its sources."""

    fatal: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def _looping(text: str) -> bool:
    words = text.split()
    grams = [" ".join(words[i : i + 4]) for i in range(len(words) - 3)]
    return any(grams.count(g) >= 2 for g in set(grams))


def verify(text: str, query: Query, sources: list[Source]) -> tuple[Check, list[int]]:
    """Check a chat model's answer; returns problems and the source numbers it cites."""
    check = Check()
    cited = sorted({int(n) for n in CITE_MARKER.findall(text)})
    body = CITE_MARKER.sub("", text).strip()
    letters = len(re.findall(r"[^\W\d_]", body))
    if letters < 3:
        check.fatal.append("the model gave no answer")
        return check, cited
    if not cited:
        check.fatal.append("the model cited no source")
    bad = [n for n in cited if not 1 <= n <= len(sources)]
    if bad:
        check.fatal.append(f"the model cited source [{bad[0]}], which does not exist")
    arabic = len(ARABIC_LETTER_RE.findall(body))
    if (query.language == "ar") != (arabic * 2 > letters):
        check.fatal.append("the model answered in the wrong language")
    if _looping(body):
        check.fatal.append("the model repeated itself")
    used = [s for s in sources if s.n in cited] or sources
    evidence = EvidenceText.of([s.text for s in used] + [s.doc.title for s in used])
    for num in numbers_in(body):
        if num not in query.numbers and not evidence.has_number(num):
            check.fatal.append(f"the number {num} is not in the cited passages")
    if query.language == "ar":
        tokens = [t for t in dict.fromkeys(tokenize(body)) if not t.isdigit()]
        absent = [t for t in tokens if t not in evidence.tokens and t not in query.tokens]
        if tokens and len(absent) * 2 > len(tokens):
            check.fatal.append("most of the answer's words are not in the cited passages")
        elif absent:
            check.unverified.append("words not found in the cited passages: " + "، ".join(absent[:6]))
    else:
        asked_names = {t.text for t in query.names if t.kind == "name"}
        for word in re.findall(r"\b[A-Z][a-zA-Z\-]+", body)[1:]:
            key = word.lower()
            if key in GENERIC_CAPITALISED or key in asked_names:
                continue
            if not evidence.has_name(key):
                check.unverified.append(f"the name {word!r} was not found in the cited passages")
        check.unverified.append(
            "the English wording is the model's reading of Arabic sources; only its names and numbers were checked"
        )
    return check, cited


def _squash(text: str) -> str:
    return " ".join(search_view(text).split())


def best_sentence(source: Source, against: str) -> tuple[int, int]:
    """The sentence of a source that shares most words with ``against`` (first on ties)."""
    want = set(tokenize(against))
    best = max(
        range(len(source.sentences)),
        key=lambda i: (len(want & set(tokenize(source.doc.text[source.sentences[i][0] : source.sentences[i][1]]))), -i),
    )
    return source.sentences[best]


def check_copy(text: str, sources: list[Source]) -> tuple[Source, tuple[int, int], str] | None:
    """Base models are asked to copy the answering phrase; find where it really came from.

    Returns the source, the sentence span it snaps to, and the phrase as the
    article writes it (an exact slice when the copy is exact, else the whole
    sentence), or None when the text is in no source.
    """
    cited = [int(n) for n in CITE_MARKER.findall(text)]
    body = CITE_MARKER.sub(" ", text).strip().strip("«»\"“”.،, ")
    if len(re.findall(r"[^\W\d_]", body)) < 4:
        return None
    order = [s for s in sources if s.n in cited] + [s for s in sources if s.n not in cited]
    want = _squash(body)
    for source in order:
        if want not in _squash(source.text):
            continue
        span = best_sentence(source, body)
        at = source.doc.text.find(body, source.start, source.end)
        phrase = body if at >= 0 else source.doc.text[span[0] : span[1]]
        return source, span, phrase
    return None


def copy_guard(sources: list[Source]) -> Callable[[str], bool]:
    """For a base model's draft as it streams: False once the draft is settled, so that the model
    stops writing. That is when it has abstained, or when its words (all but the last, which may
    be unfinished; from the third on) are no longer a copy from any source: check_copy would then
    refuse the draft however it went on, and each further token costs about 37 ms here.
    A draft that abstains only after words it did not copy is cut before it does (and answered
    from the sources)."""
    texts = [_squash(s.text) for s in sources]

    def keep_going(draft: str) -> bool:
        if model_abstained(draft):
            return False
        words = CITE_MARKER.sub(" ", draft).strip().strip("«»\"“”.،, ").split()[:-1]
        if len(words) < 3:
            return True
        copied = _squash(" ".join(words))
        return any(copied in text for text in texts)

    return keep_going


def model_abstained(text: str) -> bool:
    """Whether the model's text says the sources hold no answer."""
    low = normalize(text)
    return any(normalize(p) in low for p in ABSTAIN_PHRASES)


def answer_from_copy(
    draft: str, sources: list[Source], language: Language, quotes: list[tuple[Source, tuple[int, int]]]
) -> tuple[str, list[Citation], list[str], dict[str, Any]]:
    """A base model's copied phrase, checked against the sources, with the best-ranked sentences
    (``quotes``) beside it; else the extractive answer of those. Returns text, citations, notes, and
    (for a fallback) the draft kept."""
    found = check_copy(draft, sources)
    if found is None:
        text, citations = extractive_answer(quotes, language)
        note = "the model's phrase is not in the sources; the answer quotes the best-matching passages instead"
        return text, citations, [note], {"draft": draft, "rejected": ["not a copy of any source"]}
    source, span, phrase = found
    cite = citation_for(source, span, source.n)
    if cite is None:
        text, citations = extractive_answer(quotes, language)
        return text, citations, [], {"draft": draft}
    lines, citations = [quote_line(source, phrase, source.n, language)], [cite]
    # The model's pick leads; the best-ranked sentences the extractive answer would quote stay
    # beside it, so a small model choosing a weaker passage never hides the strongest evidence.
    for top, best_span in quotes:
        if top is source and span[0] < best_span[1] and best_span[0] < span[1]:
            continue
        best = citation_for(top, best_span, top.n)
        if best is not None:
            lines.append(quote_line(top, best.quote, top.n, language))
            citations.append(best)
    notes = [] if language == "ar" else ["the answer quotes an Arabic source; it was not translated"]
    return "\n".join(lines), citations, notes, {}


def checked_draft(
    draft: str, query: Query, sources: list[Source], quotes: list[tuple[Source, tuple[int, int]]], *, chat: bool
) -> tuple[str, Mode, list[Citation], list[str], dict[str, Any]]:
    """A model's draft made into an answer, or the extractive answer when it fails its checks:
    (text, mode, citations, notes, what to keep of the draft). ``chat``: a chat model's prose;
    otherwise a base model's copied phrase."""
    if not chat:
        text, citations, notes, kw = answer_from_copy(draft, sources, query.language, quotes)
        return text, "generated" if not kw else "extractive", citations, notes, kw
    check, cited = verify(draft, query, sources)
    if check.fatal:
        text, citations = extractive_answer(quotes, query.language)
        note = "the model's answer was rejected (" + "; ".join(check.fatal) + "); the answer quotes the sources instead"
        return text, "extractive", citations, [note], {"draft": draft, "rejected": check.fatal}
    citations = [c for n in cited if (c := citation_for(sources[n - 1], best_sentence(sources[n - 1], draft), n))]
    return draft.strip(), "generated", citations, check.unverified, {}
