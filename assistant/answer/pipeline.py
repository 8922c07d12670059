"""Grounded answers, the story of one question: parse -> search -> gate -> evidence -> read (or draft -> verify) -> cite.

Every stage hands a typed value to the next; nothing here prints. The default
reader can only copy a span of its evidence (see reading.py); any other
model's text is never trusted (see verify.py), and when it fails the answer
quotes the best-ranked sentences themselves.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.answer.compose import Answer, Citation, Mode, abstention_text, coverage_line, reader_answer
from assistant.answer.evidence import Source, best_quotes, gather_sources
from assistant.answer.gate import relevance_gate
from assistant.answer.prompting import Drafting
from assistant.answer.prompts import Prompts
from assistant.answer.reading import read
from assistant.answer.statements import find_statements, silent_text, statements_answer
from assistant.config import AnswerSettings
from assistant.answer.verify import checked_draft, model_abstained
from assistant.models.generate import Generator, TokenSink
from assistant.retrieve.query import Query
from assistant.retrieve.search import SearchIndex
from assistant.text.terms import Term, content_terms, stem_doc_freqs
from assistant.types import Filters, Hit, Language, SearchResult

@dataclass
class Answerer:
    """Answers questions over one opened index with one loaded model; reuse it across questions."""

    search: SearchIndex
    prompts: Prompts
    generator_loader: Callable[[], Generator]
    embedder_name: str
    k: int = 5
    max_tokens: int = 96
    tuning: AnswerSettings = field(default_factory=AnswerSettings)
    """Evidence and abstention settings (settings.answer)."""
    _doc_freq: dict[str, int] | None = None
    _generator: Generator | None = None

    @property
    def generator(self) -> Generator:
        self._generator = self._generator or self.generator_loader()
        return self._generator

    def close(self) -> None:
        """Free the language model (call once, when done asking)."""
        if self._generator is not None:
            self._generator.close()
            self._generator = None

    def doc_freq(self) -> dict[str, int]:
        self._doc_freq = self._doc_freq if self._doc_freq is not None else stem_doc_freqs(self.search.bm25.doc_freqs())
        return self._doc_freq

    def drafting(self, generator: Generator) -> Drafting:
        return Drafting(self.prompts, generator, self.max_tokens, self.tuning.base_prompt_tokens)

    def retrieve(self, query: Query) -> tuple[Query, SearchResult]:
        """The question embedded, and its passages (hybrid search within its window and filters)."""
        query = self.search.embed(query)
        return query, self.search.search(query, k=self.k)

    def terms(self, query: Query) -> list[Term]:
        """The question's content words, weighted by rarity in this index."""
        return content_terms(query.tokens, self.doc_freq(), max(1, self.search.bm25.size))

    def sources(self, query: Query, hits: list[Hit], terms: list[Term]) -> list[Source]:
        """The evidence sentences among ``hits``, fitted to the model's prompt budget (the reader is
        shown their best, ``reading.reader_picks``; training builds its examples the same way)."""
        return self.drafting(self.generator).fit(query, gather_sources(self.search, query, hits, terms, self.tuning))

    def ask(self, question: str, *, today: dt.date | None = None, on_token: TokenSink | None = None,
            should_stop: Callable[[], bool] | None = None, filters: Filters | None = None, language: Language | None = None) -> Answer:
        """Answer one question; ``filters`` narrow the dates and articles, ``language`` overrides detection."""
        query = Query.parse(question, today=today or dt.date.today(), filters=filters, language=language)
        return self.answer(query, on_token=on_token, should_stop=should_stop)

    def answer(self, query: Query, *, on_token: TokenSink | None = None, should_stop: Callable[[], bool] | None = None) -> Answer:
        """Answer a parsed question."""
        t0 = time.perf_counter()
        generator = self.generator  # loaded before any search: a missing or damaged model fails first
        t_search = time.perf_counter()
        language, window = query.language, query.window
        found = find_statements(self.search, query, query.statement) if query.statement is not None else None
        if found is not None:  # "what did X say": X's statements (index-time vectors), not a passage search
            result = SearchResult(query.text, [], window, found.rule)  # type: ignore[arg-type]
        else:
            query, result = self.retrieve(query)
        t_retrieve = (time.perf_counter() - t_search) * 1000
        coverage = coverage_line(self.search.docs, window, result.date_rule, language)
        model = {"generator": generator.name, "embedder": self.embedder_name}
        if generator.adapter is not None:
            model["adapter"] = generator.adapter.stem

        def finish(text: str, mode: Mode, citations: list[Citation], unverified: list[str], t_gen: float, **kw: Any) -> Answer:
            if result.date_rule == "undated-fallback" and window is not None and citations:
                unverified = [f"no dated article within \"{window.text}\" matched; the sources are undated articles", *unverified]
            if on_token is not None and mode != "abstained":
                on_token(text)  # only what is verified is shown: no draft that could be withdrawn
            total = (time.perf_counter() - t0) * 1000
            searched = [c.doc_id for c in citations] if found is not None else [h.chunk.doc_id for h in result.hits]
            return Answer(
                query.text, text, language, mode == "abstained", mode, window, result.date_rule, citations,
                unverified, coverage, {"retrieve": t_retrieve, "generate": t_gen, "total": total}, model,
                searched_docs=list(dict.fromkeys(searched)), **kw,
            )

        if found is not None:  # every statement of X in the window, each once, in time order; or none
            if not found.statements:
                return finish(silent_text(found, window, language), "abstained", [], [], 0.0, statements=[])
            text, citations, views = statements_answer(found, window, language, self.search.docs)
            return finish(text, "statements", citations, [], 0.0, statements=views)
        if not result.hits:
            return finish(abstention_text(language, coverage, None, window), "abstained", [], [], 0.0)
        terms = self.terms(query)
        reader = generator.adapter is not None and not generator.has_chat_template
        titles = list(dict.fromkeys(self.search.docs[h.chunk.doc_id].title for h in result.hits))
        gate = relevance_gate(query, terms, result.hits, titles, self.tuning, names_only=reader and self.tuning.reader_gate == "names")
        if not gate.ok and (self.tuning.reader_gate != "off" or not reader):
            return finish(abstention_text(language, coverage, gate, None), "abstained", [], [], 0.0)

        drafting = self.drafting(generator)
        sources = self.sources(query, result.hits, terms)
        quotes = best_quotes(sources, self.tuning)
        t1 = time.perf_counter()
        if reader:  # the fine-tuned reader copies a span (decoding constrained), or says there is none
            dense = max((h.dense_score or 0.0) for h in result.hits)
            out = read(generator, self.prompts, query, sources, self.tuning, min(self.max_tokens, self.tuning.reader_max_tokens), dense)
            t_gen = (time.perf_counter() - t1) * 1000
            if out.short is None or out.pick is None:
                return finish(abstention_text(language, coverage, None, None), "abstained", [], [], t_gen, draft=out.raw, signals=out.signals)
            text, citations, notes = reader_answer(out.short, *out.pick, quotes, language)
            return finish(text, "generated", citations, notes, t_gen, short_answer=out.short, signals=out.signals)
        draft = drafting.write(query, sources, should_stop)
        t_gen = (time.perf_counter() - t1) * 1000
        if model_abstained(draft) and gate.coverage < self.tuning.doubt_coverage:
            return finish(abstention_text(language, coverage, gate, None), "abstained", [], [], t_gen, draft=draft)
        text, mode, citations, notes, kw = checked_draft(draft, query, sources, quotes, chat=generator.has_chat_template)
        return finish(text, mode, citations, notes, t_gen, **kw)
