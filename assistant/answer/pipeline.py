"""Grounded answers: question -> search -> evidence -> gate -> generate -> verify -> cite.

Every stage hands a typed value to the next; nothing here prints. The model's
text is never trusted: it must cite existing sources, keep the question's
language, not loop, and every number it states must be in the passages it
cites. Otherwise the answer falls back to the verified quotes themselves.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from assistant.text.arabic import ARABIC_LETTER_RE, deobfuscate, detect_language, normalize, search_view, tokenize
from assistant.types import Filters
from assistant.text.dates import parse_date_window
from assistant.errors import GenerationError
from assistant.models.generate import Generator, TokenSink
from assistant.text.terms import (
    GENERIC_CAPITALISED,
    EvidenceText,
    Term,
    arabic_names,
    content_terms,
    english_names,
    numbers_in,
    stem_doc_freqs,
)
from assistant.answer.prompts import Prompts
from assistant.retrieve.search import SearchIndex, validate_query
from assistant.text.sentences import SENTENCE_CHARS, candidate_spans
from assistant.types import DateWindow, Document, Hit, SearchResult

Language = Literal["ar", "en"]
Mode = Literal["generated", "extractive", "abstained"]

MAX_SOURCES = 3
"""Passages put before the model; more costs prompt time and confuses a small model."""
BASE_PROMPT_TOKENS = 160
"""Most tokens of source sentences a base model (no chat template) is shown; the best sentence always."""
QUOTED_SOURCES = 2
"""Best-ranked sentences every non-abstaining answer quotes."""
STRONG_RANKS = 4
"""Candidate sentences ranked this high count as a passage's strong sentences (shown to a base model, quotable)."""
SOURCE_CHARS = SENTENCE_CHARS
"""Upper bound on one source passage: the best sentence plus neighbours up to this size."""
LEXICAL_WEIGHT = 0.15
"""How much a sentence's share of the question's words and names adds to its cosine."""
MIN_COVERAGE = 0.5
"""Share of a question's weighted terms the retrieved passages must contain, or we abstain."""
MIN_DENSE = 0.30
"""Below this cosine for the best passage, and with nothing else matching, we abstain."""
CHAT_TEMPLATE_TOKENS = 32
"""Allowance for the tokens a chat template adds around the system and user messages."""
ABSTAIN_PHRASES = (
    "لا تذكر المصادر", "لا تتضمن المصادر", "لا يوجد في المصادر", "لا تحتوي المصادر",
    "not in the sources", "sources do not", "sources don't", "no information", "cannot answer",
)


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

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n, "doc_id": self.doc_id, "title": self.title, "date": self.date,
            "quote": self.quote, "start": self.start, "end": self.end, "score": round(self.score, 6),
        }


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

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


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
            "citations": [c.to_json() for c in self.citations],
            "unverified": self.unverified,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "model": self.model,
            "mode": self.mode,
            "coverage": self.coverage,
        }


# --- evidence ---------------------------------------------------------------


def _sentence_score(sentence: str, weights: dict[str, float], names: list[Term]) -> float:
    tokens = set(tokenize(sentence))
    score = sum(w for t, w in weights.items() if t in tokens)
    if names:
        ev = EvidenceText.of([sentence])
        score += sum(2.0 for n in names if ev.has(n))
    return score


SentenceKey = tuple[str, int, int]
"""A candidate sentence: (doc_id, start, end) in its article."""
SentenceScorer = Callable[[list[SentenceKey], dict[SentenceKey, Hit]], list[float]]
"""Scores candidate sentences (with the hit each came from) for relevance to the question."""

CANDIDATE_HITS = 4
"""Retrieved passages whose sentences compete to be evidence."""


def choose_sources(
    hits: list[Hit], docs: dict[str, Document], scorer: SentenceScorer, keep: Callable[[Hit], bool] | None = None
) -> list[Source]:
    """The best sentences of the top hits, each widened to its neighbours, best first.

    Hits below the first ``CANDIDATE_HITS`` compete too when ``keep`` says so
    (they name what the question names): a cross-language question can rank
    the one passage that names its subject last.
    """
    candidates: dict[SentenceKey, Hit] = {}
    spans_of: dict[str, list[tuple[int, int]]] = {}
    chosen = hits[:CANDIDATE_HITS] + [h for h in hits[CANDIDATE_HITS:] if keep is not None and keep(h)]
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
        if len(sources) >= MAX_SOURCES:
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
        sources.append(Source(len(sources) + 1, docs[doc_id], start, end, float(score), tuple(spans[lo : hi + 1]), (a, b)))
    top = ranked[:STRONG_RANKS]
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


def best_quotes(sources: list[Source]) -> list[tuple[Source, tuple[int, int]]]:
    """The QUOTED_SOURCES best-ranked strong sentences of the sources, with their source, best first.

    Two strong sentences may share a passage: a second-ranked sentence that sits beside the
    first one is quoted, not lost behind a weaker passage's best.
    """
    return ranked_sentences(sources)[:QUOTED_SOURCES]


def base_listing(sources: list[Source], count_tokens: Callable[[str], int], budget: int) -> str:
    """The sources as a base model is shown them: strong sentences in rank order while they fit in
    ``budget`` tokens (the best one always), each under its source's number, in text order."""
    shown: dict[int, list[tuple[int, int]]] = {}
    used = 0
    for src, (a, b) in ranked_sentences(sources):
        cost = count_tokens(src.doc.text[a:b])
        if shown and used + cost > budget:
            continue  # a shorter, lower-ranked sentence may still fit
        shown.setdefault(src.n, []).append((a, b))
        used += cost
    lines = []
    for src in sources:
        if src.n in shown:
            lines.append(f"[{src.n}] " + prompt_safe(" ".join(src.doc.text[a:b] for a, b in sorted(shown[src.n]))))
    return "\n".join(lines)


# --- the relevance gate -----------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """Whether the retrieved passages can answer the question, and what is missing."""

    ok: bool
    missing: list[str]
    coverage: float


def relevance_gate(
    question: str, language: Language, hits: list[Hit], titles: list[str], doc_freq: dict[str, int], n_docs: int
) -> Gate:
    """Abstain when the passages (and their titles) lack the question's names or most of its rare words."""
    evidence = EvidenceText.of([h.chunk.text for h in hits] + titles)
    names = english_names(question) if language == "en" else arabic_names(question)
    terms: list[Term] = list(names)
    if language == "ar":
        terms += content_terms(question, doc_freq, n_docs)
    best_dense = max((h.dense_score or 0.0) for h in hits) if hits else 0.0
    if not terms:
        ok = best_dense >= MIN_DENSE
        return Gate(ok, [] if ok else ["nothing close enough"], 1.0 if ok else 0.0)
    weight = {id(t): (t.weight if t.kind == "word" else 4.0) for t in terms}
    total = sum(weight.values())
    found = [t for t in terms if evidence.has(t)]
    missing = [t.text for t in terms if t not in found]
    coverage = sum(weight[id(t)] for t in found) / total if total else 1.0
    missing_names = [t for t in names if t not in found]
    ok = coverage >= MIN_COVERAGE and not (names and len(missing_names) * 2 >= len(names))
    return Gate(ok, missing, coverage)


# --- verification -----------------------------------------------------------

_CITE_RE = re.compile(r"\[(\d{1,2})\]")
_LATIN_RE = re.compile(r"[A-Za-z]")


@dataclass
class Check:
    """The outcome of checking model text against its sources."""

    fatal: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def _looping(text: str) -> bool:
    words = text.split()
    grams = [" ".join(words[i : i + 4]) for i in range(len(words) - 3)]
    return any(grams.count(g) >= 2 for g in set(grams))


def verify(text: str, language: Language, sources: list[Source], question: str) -> tuple[Check, list[int]]:
    """Check a model answer; returns problems and the source numbers it cites."""
    check = Check()
    cited = sorted({int(n) for n in _CITE_RE.findall(text)})
    body = _CITE_RE.sub("", text).strip()
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
    if (language == "ar") != (arabic * 2 > letters):
        check.fatal.append("the model answered in the wrong language")
    if _looping(body):
        check.fatal.append("the model repeated itself")
    used = [s for s in sources if s.n in cited] or sources
    evidence = EvidenceText.of([s.text for s in used] + [s.doc.title for s in used])
    asked = set(numbers_in(question))
    for num in numbers_in(body):
        if num not in asked and not evidence.has_number(num):
            check.fatal.append(f"the number {num} is not in the cited passages")
    if language == "ar":
        tokens = [t for t in dict.fromkeys(tokenize(body)) if not t.isdigit()]
        asked_tokens = set(tokenize(question))
        absent = [t for t in tokens if t not in evidence.tokens and t not in asked_tokens]
        if tokens and len(absent) * 2 > len(tokens):
            check.fatal.append("most of the answer's words are not in the cited passages")
        elif absent:
            check.unverified.append("words not found in the cited passages: " + "، ".join(absent[:6]))
    else:
        asked_names = {t.text for t in english_names(question)}
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


def check_copy(text: str, sources: list[Source]) -> tuple[Source, tuple[int, int], str] | None:
    """Base models are asked to copy the answering phrase; find where it really came from.

    Returns the source, the sentence span it snaps to, and the phrase as the
    article writes it (an exact slice when the copy is exact, else the whole
    sentence), or None when the text is in no source.
    """
    cited = [int(n) for n in _CITE_RE.findall(text)]
    body = _CITE_RE.sub(" ", text).strip().strip("«»\"“”.،, ")
    if len(re.findall(r"[^\W\d_]", body)) < 4:
        return None
    order = [s for s in sources if s.n in cited] + [s for s in sources if s.n not in cited]
    want = _squash(body)
    for source in order:
        if want not in _squash(source.text):
            continue
        span = _best_sentence(source, body)
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
        words = _CITE_RE.sub(" ", draft).strip().strip("«»\"“”.،, ").split()[:-1]
        if len(words) < 3:
            return True
        copied = _squash(" ".join(words))
        return any(copied in text for text in texts)

    return keep_going


def model_abstained(text: str) -> bool:
    low = normalize(text)
    return any(normalize(p) in low for p in ABSTAIN_PHRASES)


# --- presentation -----------------------------------------------------------


def _best_sentence(source: Source, against: str) -> tuple[int, int]:
    """The sentence of a source that shares most words with ``against`` (first on ties)."""
    want = set(tokenize(against))
    best = max(
        range(len(source.sentences)),
        key=lambda i: (len(want & set(tokenize(source.doc.text[source.sentences[i][0] : source.sentences[i][1]]))), -i),
    )
    return source.sentences[best]


def citation_for(source: Source, span: tuple[int, int], n: int) -> Citation | None:
    """A citation for a span, checked to be an exact slice of the article; None if it is not."""
    start, end = span
    quote = source.doc.text[start:end]
    if not quote.strip() or source.doc.text[start:end] != quote:
        return None
    date = source.doc.date.iso if source.doc.date else None
    return Citation(n, source.doc.doc_id, source.doc.title, date, quote, start, end, source.score)


def describe_date(date: str | None, language: Language) -> str:
    if date:
        return date
    return "غير مؤرخ" if language == "ar" else "undated"


_MARKER = re.compile(r"\[(\d{1,3})\]")
_CONTROL_TOKEN = re.compile(r"<\|?/?[A-Za-z_]{2,24}\|?>")
_PROMPT_LABEL = re.compile(r"(المصادر|السؤال|العبارة|الجواب|Sources|Question|Phrase|Answer)\s*:", re.IGNORECASE)


def readable(quote: str) -> str:
    """A quote as the answer shows it: filter-dodging breaks undone ("الإرهـ.ـاب" -> "الإرهاب"), one line.

    A bracketed number inside an article ("[2]") is shown as "(2)", so the
    only ``[n]`` markers in an answer are real citations. The citation under
    the answer keeps the verbatim text and its offsets.
    """
    return _MARKER.sub(r"(\1)", " ".join(deobfuscate(quote).split()))


def prompt_safe(text: str) -> str:
    """Article text as it goes into a prompt: data, never instructions or structure.

    One line (no blank line can end the few-shot block), fake ``[n]`` markers
    turned into "(n)", the template's own labels ("Question:", "السؤال:")
    defused, and chat control tokens (``<end_of_turn>``, ``<|im_start|>``)
    removed so an article cannot close the template or open a new turn.
    """
    text = _CONTROL_TOKEN.sub(" ", text)
    text = _PROMPT_LABEL.sub(r"\1 -", text)
    return _MARKER.sub(r"(\1)", " ".join(text.split()))


def quote_line(source: Source, phrase: str, n: int, language: Language) -> str:
    """One answer line attributing a verbatim ``phrase`` to its article and date, with its marker."""
    date = describe_date(source.doc.date.iso if source.doc.date else None, language)
    if language == "ar":
        return f"بحسب «{readable(source.doc.title)}» ({date}): «{readable(phrase)}» [{n}]"
    return f'"{readable(source.doc.title)}" ({date}) says: «{readable(phrase)}» [{n}]'


def extractive_answer(sources: list[Source], question: str, language: Language) -> tuple[str, list[Citation]]:
    """The faithful fallback: the best sentence of the top sources, quoted verbatim."""
    citations = []
    parts = []
    for source, span in best_quotes(sources):
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


# --- the pipeline -----------------------------------------------------------


@dataclass
class Answerer:
    """Answers questions over one opened index with one loaded model; reuse it across questions."""

    search: SearchIndex
    prompts: Prompts
    generator_loader: Callable[[], Generator]
    embedder_name: str
    k: int = 5
    max_tokens: int = 96
    _doc_freq: dict[str, int] | None = None
    _generator: Generator | None = None

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = self.generator_loader()
        return self._generator

    def close(self) -> None:
        """Free the language model (call once, when done asking)."""
        if self._generator is not None:
            self._generator.close()
            self._generator = None

    def doc_freq(self) -> dict[str, int]:
        if self._doc_freq is None:
            self._doc_freq = stem_doc_freqs(self.search.bm25.doc_freqs())
        return self._doc_freq

    def sentence_cosines(self, question: str, keys: list[SentenceKey], hit_of: dict[SentenceKey, Hit]) -> list[float]:
        """Cosine of each candidate sentence to the question: index-time vectors where the index has
        them (no embedder pass), the others embedded now."""
        import numpy as np

        embedder = self.search.embedder
        query = self.search.query_vector(question)
        by_chunk: dict[str, dict[tuple[int, int], Any]] = {}
        stored: dict[SentenceKey, Any] = {}
        for key in keys:  # a sentence shared by overlapping chunks takes the vector of the chunk it was found in
            chunk = hit_of[key].chunk
            if chunk.chunk_id not in by_chunk:
                by_chunk[chunk.chunk_id] = self.search.sentence_vectors(chunk)
            vec = by_chunk[chunk.chunk_id].get(key[1:])
            if vec is not None:
                stored[key] = vec
        missing = [k for k in keys if k not in stored]
        if missing:
            docs = self.search.docs
            made = embedder.encode_documents([docs[d].text[a:b] for d, a, b in missing], [docs[d].title for d, _, _ in missing])
            stored.update(zip(missing, made, strict=True))
        return [float(np.asarray(stored[k], dtype=np.float32) @ query) for k in keys]

    def coverage(self, window: DateWindow | None, rule: str, language: Language) -> str:
        """One line saying which articles were searched."""
        dates = sorted(d.date.iso for d in self.search.docs.values() if d.date)
        undated = sum(1 for d in self.search.docs.values() if d.date is None)
        n = len(self.search.docs)
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

    def ask(
        self,
        question: str,
        *,
        today: dt.date | None = None,
        on_token: TokenSink | None = None,
        should_stop: Callable[[], bool] | None = None,
        filters: Filters | None = None,
        language: Language | None = None,
    ) -> Answer:
        """Answer one question; ``filters`` narrow the dates and articles, ``language`` overrides detection."""
        t0 = time.perf_counter()
        question = validate_query(question)
        language = language or detect_language(question)
        window = parse_date_window(question, today or dt.date.today())
        doc_ids = None
        if filters is not None:
            window = filters.narrow(window)
            doc_ids = filters.docs
        generator = self.generator  # loaded before any search: a missing or damaged model fails first
        t_search = time.perf_counter()
        result: SearchResult = self.search.search_window(question, k=self.k, window=window, doc_ids=doc_ids)
        t_retrieve = (time.perf_counter() - t_search) * 1000
        coverage = self.coverage(window, result.date_rule, language)
        model = {"generator": generator.name, "embedder": self.embedder_name}

        def finish(text: str, mode: Mode, citations: list[Citation], unverified: list[str], t_gen: float, **kw: Any) -> Answer:
            if result.date_rule == "undated-fallback" and window is not None and citations:
                unverified = [f"no dated article within \"{window.text}\" matched; the sources are undated articles", *unverified]
            total = (time.perf_counter() - t0) * 1000
            return Answer(
                question, text, language, mode == "abstained", mode, window, result.date_rule, citations,
                unverified, coverage, {"retrieve": t_retrieve, "generate": t_gen, "total": total}, model,
                searched_docs=list(dict.fromkeys(h.chunk.doc_id for h in result.hits)), **kw,
            )

        if not result.hits:
            return finish(abstention_text(language, coverage, None, window), "abstained", [], [], 0.0)
        titles = list(dict.fromkeys(self.search.docs[h.chunk.doc_id].title for h in result.hits))
        gate = relevance_gate(question, language, result.hits, titles, self.doc_freq(), max(1, self.search.bm25.size))
        if not gate.ok:
            return finish(abstention_text(language, coverage, gate, None), "abstained", [], [], 0.0)

        names = english_names(question) if language == "en" else arabic_names(question)
        weights = {t.text: t.weight for t in content_terms(question, self.doc_freq(), self.search.bm25.size)}

        def scorer(keys: list[SentenceKey], hit_of: dict[SentenceKey, Hit]) -> list[float]:
            texts = [self.search.docs[d].text[a:b] for d, a, b in keys]
            cos = self.sentence_cosines(question, keys, hit_of)
            lexical = [_sentence_score(t, weights, names) for t in texts]
            top = max(lexical) or 1.0
            return [float(c) + LEXICAL_WEIGHT * lx / top for c, lx in zip(cos, lexical, strict=True)]

        top_text = EvidenceText.of([h.chunk.text for h in result.hits[:CANDIDATE_HITS]])
        unseen = [n for n in names if not top_text.has(n)]

        def names_subject(hit: Hit) -> bool:  # a lower passage naming what the top passages do not
            evidence = EvidenceText.of([hit.chunk.text])
            return any(evidence.has(n) for n in unseen)

        chosen = choose_sources(result.hits, self.search.docs, scorer, keep=names_subject if unseen else None)
        sources = self.fit_sources(generator, question, language, chosen)
        t1 = time.perf_counter()
        draft = self._generate(generator, question, language, sources, on_token, should_stop)
        t_gen = (time.perf_counter() - t1) * 1000
        if model_abstained(draft) and gate.coverage < 0.75:
            return finish(abstention_text(language, coverage, gate, None), "abstained", [], [], t_gen, draft=draft)
        if not generator.has_chat_template:
            return self._copied(draft, sources, question, language, finish, t_gen)
        check, cited = verify(draft, language, sources, question)
        if check.fatal:
            text, citations = extractive_answer(sources, question, language)
            note = "the model's answer was rejected (" + "; ".join(check.fatal) + "); the answer quotes the sources instead"
            return finish(text, "extractive", citations, [note], t_gen, draft=draft, rejected=check.fatal)
        citations = []
        for n in cited:
            source = sources[n - 1]
            cite = citation_for(source, _best_sentence(source, draft), n)
            if cite is not None:
                citations.append(cite)
        return finish(draft.strip(), "generated", citations, check.unverified, t_gen)

    def _copied(
        self, draft: str, sources: list[Source], question: str, language: Language, finish: Any, t_gen: float
    ) -> Answer:
        """A base model's copied phrase, checked against the sources; else the extractive answer."""
        found = check_copy(draft, sources)
        if found is None:
            text, citations = extractive_answer(sources, question, language)
            note = "the model's phrase is not in the sources; the answer quotes the best-matching passages instead"
            return finish(text, "extractive", citations, [note], t_gen, draft=draft, rejected=["not a copy of any source"])
        source, span, phrase = found
        cite = citation_for(source, span, source.n)
        if cite is None:
            text, citations = extractive_answer(sources, question, language)
            return finish(text, "extractive", citations, [], t_gen, draft=draft)
        lines, citations = [quote_line(source, phrase, source.n, language)], [cite]
        # The model's pick leads; the best-ranked sentences the extractive answer would quote stay
        # beside it, so a small model choosing a weaker passage never hides the strongest evidence.
        for top, best_span in best_quotes(sources):
            if top is source and span[0] < best_span[1] and best_span[0] < span[1]:
                continue
            best = citation_for(top, best_span, top.n)
            if best is not None:
                lines.append(quote_line(top, best.quote, top.n, language))
                citations.append(best)
        notes = [] if language == "ar" else ["the answer quotes an Arabic source; it was not translated"]
        return finish("\n".join(lines), "generated", citations, notes, t_gen)

    def _prompt(self, generator: Generator, question: str, language: Language, sources: list[Source]) -> tuple[str, str]:
        """The prompt for the model: (system, user) for chat models, ("", completion prompt) for base models."""
        if generator.has_chat_template:
            listing = "\n".join(f"[{s.n}] {prompt_safe(s.text)}" for s in sources)
            system = self.prompts.render(
                "chat_system",
                language_name="Arabic" if language == "ar" else "English",
                abstain_marker=ABSTAIN_PHRASES[0] if language == "ar" else "The sources do not say.",
            )
            return system, self.prompts.render("chat_user", sources=listing, question=prompt_safe(question))
        # A base model copies a phrase: it is shown the best-ranked strong sentences only, as many
        # as BASE_PROMPT_TOKENS holds, which is what it picks from (and a prompt short enough to
        # evaluate in well under a second: prompt tokens are most of the time to the first token).
        # The completion must end on the label ("Phrase:"): after a trailing newline a base
        # model writes another numbered source line instead of the answer.
        listing = base_listing(sources, generator.count_tokens, BASE_PROMPT_TOKENS)
        return "", self.prompts.render(f"answer_{language}", sources=listing, question=prompt_safe(question)).rstrip()

    def prompt_tokens(self, generator: Generator, question: str, language: Language, sources: list[Source]) -> int:
        """Tokens the model's context must hold before it writes: the prompt (and chat template overhead)."""
        system, user = self._prompt(generator, question, language, sources)
        if generator.has_chat_template:
            return generator.count_tokens(system) + generator.count_tokens(user) + CHAT_TEMPLATE_TOKENS
        return generator.count_tokens(user) + 1  # the BOS token

    def fit_sources(self, generator: Generator, question: str, language: Language, sources: list[Source]) -> list[Source]:
        """The best sources whose prompt, with room for ``max_tokens`` of answer, fits the model's context.

        Sources are dropped from the weakest end; when not even the best one fits
        (a tiny context or a huge ``max_tokens``), GenerationError says so.
        """
        budget = generator.n_ctx - self.max_tokens
        kept = list(sources)
        while kept and self.prompt_tokens(generator, question, language, kept) > budget:
            kept.pop()
        if sources and not kept:
            raise GenerationError(
                f"the question and its best passage do not fit in the model's context of {generator.n_ctx} tokens "
                f"with {self.max_tokens} tokens left for the answer",
                hint="ask a shorter question or lower --max-tokens",
            )
        return kept

    def _generate(
        self,
        generator: Generator,
        question: str,
        language: Language,
        sources: list[Source],
        on_token: TokenSink | None,
        should_stop: Callable[[], bool] | None,
    ) -> str:
        system, prompt = self._prompt(generator, question, language, sources)
        if generator.has_chat_template:
            return generator.chat(system, prompt, max_tokens=self.max_tokens, on_token=on_token, should_stop=should_stop)
        return generator.complete(
            prompt, max_tokens=self.max_tokens, on_token=on_token, should_stop=should_stop,
            fixed_start=self.prompts.fixed_start(f"answer_{language}"), keep_going=copy_guard(sources),
        )

