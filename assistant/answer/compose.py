"""What an answer is and how it reads: citations, quote lines, the extractive answer, abstentions.

``Answer.to_json`` is the stable contract of `ask --json`. Every citation is an
exact slice of its article; the text shown around it is in the question's
language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from assistant.text.arabic import deobfuscate
from assistant.types import DateWindow, Document, Language, date_label

if TYPE_CHECKING:
    from assistant.answer.evidence import Source
    from assistant.answer.gate import Gate

Mode = Literal["generated", "extractive", "statements", "abstained"]

CITE_MARKER = re.compile(r"\[(\d{1,3})\]")
"""A citation marker ``[n]`` in an answer or a model's draft."""


@dataclass(frozen=True)
class Citation:
    """A numbered, verified quote: ``quote == article text[start:end]``."""

    n: int
    doc_id: str
    title: str
    date: str | None
    quote: str
    start: int
    end: int
    score: float
    also: tuple[tuple[str, str | None], ...] = ()
    """Other prints of the same story: (doc_id, outlet) each, named rather than quoted again."""
    fetched: str | None = None
    """When an undated article's page was fetched (a dump's crawl time): shown beside "undated"."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n, "doc_id": self.doc_id, "title": self.title, "date": self.date,
            "quote": self.quote, "start": self.start, "end": self.end, "score": round(self.score, 6),
        }
        if self.also:
            out["also_reported_by"] = [{"doc_id": d, "outlet": o} for d, o in self.also]
        if self.fetched:
            out["fetched"] = self.fetched
        return out


@dataclass(frozen=True)
class ShortAnswer:
    """The reader's verbatim span, located in its article: ``text == article text[start:end]``."""

    text: str
    n: int
    """The citation number of the source it came from."""
    doc_id: str
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "n": self.n, "doc_id": self.doc_id, "start": self.start, "end": self.end}


@dataclass
class Answer:
    """What `ask` returns; ``to_json`` is the stable contract."""

    question: str
    answer: str
    language: Language
    abstained: bool
    mode: Mode
    date_window: DateWindow | None
    date_rule: str
    citations: list[Citation]
    unverified: list[str]
    coverage: str
    timings_ms: dict[str, float]
    model: dict[str, str]
    searched_docs: list[str] = field(default_factory=list)
    """Articles of the retrieved passages, best first (what the evidence was chosen from)."""
    draft: str = ""
    """The model's own text when it was rejected (shown so the user sees why)."""
    rejected: list[str] = field(default_factory=list)
    short_answer: ShortAnswer | None = None
    """The reader's verbatim span, which the answer begins with (None: no reader answer)."""
    signals: dict[str, float] | None = None
    """What the reader's decision to answer or abstain was made from (None: no reader)."""
    statements: list[Any] | None = None
    """For "what did X say": X's statements in time order (StatementView each; None for other questions)."""

    def to_json(self) -> dict[str, Any]:
        window = None
        if self.date_window is not None:
            window = {**self.date_window.to_json(), "rule": self.date_rule}
        return {
            "question": self.question,
            "answer": self.answer,
            "language": self.language,
            "abstained": self.abstained,
            "date_window": window,
            "short_answer": self.short_answer.to_json() if self.short_answer else None,
            "citations": [c.to_json() for c in self.citations],
            "unverified": self.unverified,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "model": self.model,
            "mode": self.mode,
            "coverage": self.coverage,
            "signals": self.signals,
            "statements": [s.to_json() for s in self.statements] if self.statements is not None else None,
        }


def citation_for(source: Source, span: tuple[int, int], n: int) -> Citation | None:
    """A citation for a span of a source's article, with its other prints; None for an empty span."""
    return cite_span(source.doc, span, n, source.score, tuple((d.doc_id, d.outlet) for d in source.also))


def cite_span(doc: Document, span: tuple[int, int], n: int, score: float, also: tuple[tuple[str, str | None], ...] = ()) -> Citation | None:
    """A citation quoting ``doc.text[start:end]`` exactly, with the article's date and fetch day; None
    for an empty span."""
    start, end = span
    quote = doc.text[start:end]
    if not quote.strip():
        return None
    date = doc.date.iso if doc.date else None
    fetched = doc.fetched.iso if doc.fetched else None
    return Citation(n, doc.doc_id, doc.title, date, quote, start, end, score, also, fetched)


_CONTROL_TOKEN = re.compile(r"<\|?/?[A-Za-z_]{2,24}\|?>")
_PROMPT_LABEL = re.compile(r"(المصادر|السؤال|العبارة|الجواب|Sources|Question|Phrase|Answer)\s*:", re.IGNORECASE)


def readable(quote: str) -> str:
    """A quote as the answer shows it: filter-dodging breaks undone ("الإرهـ.ـاب" -> "الإرهاب"), one line.

    A bracketed number inside an article ("[2]") is shown as "(2)", so the
    only ``[n]`` markers in an answer are real citations. The citation under
    the answer keeps the verbatim text and its offsets.
    """
    return CITE_MARKER.sub(r"(\1)", " ".join(deobfuscate(quote).split()))


def prompt_safe(text: str) -> str:
    """Article text as it goes into a prompt: data, never instructions or structure.

    One line (no blank line can end the few-shot block), fake ``[n]`` markers
    turned into "(n)", the template's own labels ("Question:", "السؤال:")
    defused, and chat control tokens (``<end_of_turn>``, ``<|im_start|>``)
    removed so an article cannot close the template or open a new turn.
    """
    text = _CONTROL_TOKEN.sub(" ", text)
    text = _PROMPT_LABEL.sub(r"\1 -", text)
    return CITE_MARKER.sub(r"(\1)", " ".join(text.split()))


def quote_line(source: Source, phrase: str, n: int, language: Language) -> str:
    """One answer line attributing a verbatim ``phrase`` to its article and date, with its marker."""
    date = date_label(source.doc.date.iso if source.doc.date else None, language)
    if language == "ar":
        return f"بحسب «{readable(source.doc.title)}» ({date}): «{readable(phrase)}» [{n}]"
    return f'"{readable(source.doc.title)}" ({date}) says: «{readable(phrase)}» [{n}]'


def reader_answer(
    short: ShortAnswer, source: Source, sentence: tuple[int, int], quotes: list[tuple[Source, tuple[int, int]]], language: Language
) -> tuple[str, list[Citation], list[str]]:
    """The reader's answer: its verbatim span first, then the sentence it came from and the
    best-ranked other sentence (``quotes``) as supporting quotes, each with its citation; and notes."""
    lead = f"«{readable(short.text)}» [{short.n}]"
    lines = [f"الجواب: {lead}" if language == "ar" else f"Answer: {lead}"]
    citations: list[Citation] = []
    for src, span in [(source, sentence), *quotes]:
        if len(citations) >= len(quotes) or any(c.doc_id == src.doc.doc_id and c.start < span[1] and span[0] < c.end for c in citations):
            continue
        cite = citation_for(src, span, src.n)
        if cite is not None:
            citations.append(cite)
            lines.append(quote_line(src, cite.quote, cite.n, language))
    notes = [] if language == "ar" else ["the answer quotes an Arabic source; it was not translated"]
    return "\n".join(lines), citations, notes


def extractive_answer(quotes: list[tuple[Source, tuple[int, int]]], language: Language) -> tuple[str, list[Citation]]:
    """The faithful fallback: the given best sentences, quoted verbatim under a heading."""
    citations = []
    parts = []
    for source, span in quotes:
        cite = citation_for(source, span, source.n)
        if cite is None:
            continue
        citations.append(cite)
        parts.append(quote_line(source, cite.quote, cite.n, language))
    if language == "ar":
        head = "ما تقوله المقالات (اقتباس حرفي):"
    else:
        head = "What the articles say (quoted verbatim, in Arabic):"
    return head + "\n" + "\n".join(parts), citations


def abstention_text(language: Language, coverage: str, gate: Gate | None, window: DateWindow | None) -> str:
    """A plain "the articles do not say" in the question's language, with what was searched."""
    missing = ""
    if gate and gate.missing:
        shown = ", ".join(gate.missing[:4])
        missing = f" لم يرد فيها: {shown}." if language == "ar" else f" They do not mention: {shown}."
    if language == "ar":
        if window is not None and gate is None:
            return f"لا توجد في المقالات المؤرخة ضمن «{window.text}» أي مقالة تجيب عن هذا السؤال. {coverage}"
        return f"لا تتضمن المقالات المتاحة جواباً عن هذا السؤال.{missing} {coverage}"
    if window is not None and gate is None:
        return f"No article dated within \"{window.text}\" answers this question. {coverage}"
    return f"The articles do not answer this question.{missing} {coverage}"


def coverage_line(docs: dict[str, Document], window: DateWindow | None, rule: str, language: Language) -> str:
    """One line saying which articles were searched."""
    dates = sorted(d.date.iso for d in docs.values() if d.date)
    undated = sum(1 for d in docs.values() if d.date is None)
    n = len(docs)
    span = f"{dates[0]} … {dates[-1]}" if dates else ("—")
    if language == "ar":
        line = f"(بحثتُ في {n} مقالات: {len(dates)} مؤرخة {span}، و{undated} غير مؤرخة"
        if window is not None:
            line += f"؛ نافذة التاريخ: {window.text} [{rule}]"
        return line + ")"
    line = f"(Searched {n} articles: {len(dates)} dated {span}, {undated} undated"
    if window is not None:
        line += f"; date window: {window.text} [{rule}]"
    return line + ")"
