"""A question parsed once: every later stage reads this, none re-derives it.

``Query.parse`` validates the user's text, detects its language, reads the date
window it names (narrowed by any filters), extracts its names, numbers and
BM25 tokens, and whose statements it asks for, if any. The search adds the query vector (``with_vector``); the gate, the
evidence step and verification take the same object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.errors import BadInput
from assistant.text.arabic import detect_language, tokenize
from assistant.text.date_window import parse_date_window
from assistant.text.speech.question import StatementAsk, statement_ask
from assistant.text.terms import Term, arabic_names, english_names, numbers_in
from assistant.types import DateWindow, Filters, Language

if TYPE_CHECKING:
    import numpy as np

MAX_QUERY_CHARS = 2000
"""Longer questions are refused: no passage is that long, and the models would truncate."""


def validate_query(text: str) -> str:
    """The text with control characters stripped; empty, punctuation-only or absurdly long text refused."""
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    if not any(ch.isalnum() for ch in cleaned):
        raise BadInput("the question is empty", hint="type a question with words in it")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise BadInput(
            f"the question is {len(cleaned):,} characters long; the limit is {MAX_QUERY_CHARS:,}",
            hint="ask a shorter question",
        )
    return cleaned


@dataclass(frozen=True)
class Query:
    """One question, analysed: what search, the relevance gate, evidence and verification read."""

    text: str
    """The validated question (control characters stripped)."""
    language: Language
    asked_window: DateWindow | None
    """The date window the question's own words name."""
    window: DateWindow | None
    """The window searched: ``asked_window`` narrowed by the filters' dates."""
    doc_ids: frozenset[str] | None
    """Articles the filters allow (None: all)."""
    names: tuple[Term, ...]
    """Names and numbers the evidence should contain (matched across scripts)."""
    tokens: tuple[str, ...]
    """The question's BM25 tokens (the search view's)."""
    numbers: frozenset[str]
    """Numbers the question states (an answer may repeat them)."""
    filters: Filters | None = None
    statement: StatementAsk | None = None
    """The speaker when the question asks what someone said ("What did Peskov say ...?"), else None."""
    vector: np.ndarray | None = None
    """The embedder's unit vector for the question, once the search has computed it."""

    @classmethod
    def parse(
        cls, text: str, *, today: dt.date, filters: Filters | None = None, language: Language | None = None
    ) -> Query:
        """Analyse ``text``; raises BadInput for an empty, overlong or impossible-date question."""
        text = validate_query(text)
        language = language or detect_language(text)
        asked = parse_date_window(text, today)
        window = filters.narrow(asked) if filters is not None else asked
        names = english_names(text) if language == "en" else arabic_names(text)
        return cls(
            text=text,
            language=language,
            asked_window=asked,
            window=window,
            doc_ids=filters.docs if filters is not None else None,
            names=tuple(names),
            tokens=tuple(tokenize(text)),
            numbers=frozenset(numbers_in(text)),
            filters=filters,
            statement=statement_ask(text, language),
        )

    def with_vector(self, vector: np.ndarray) -> Query:
        """The same query carrying its embedding."""
        return replace(self, vector=vector)
