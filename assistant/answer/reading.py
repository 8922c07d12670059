"""The fine-tuned reader's task format: numbered evidence sentences and a question in, a verbatim span out.

One format, shared by training (``training/train_reader.py`` renders its
examples with :func:`reader_prompt`) and the answer layer, so the adapter sees
at run time exactly what it was trained on. The reader answers with the
shortest span of one sentence that answers, followed by that sentence's number
("3.2 مليون طن [2]"), or with :data:`NO_ANSWER`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer.compose import CITE_MARKER, ShortAnswer, prompt_safe
from assistant.answer.evidence import Source, ranked_within
from assistant.answer.prompts import Prompts
from assistant.config import AnswerSettings
from assistant.models.generate import Generator
from assistant.retrieve.query import Query

NO_ANSWER = "لا جواب في المصادر"
"""The reader's answer when no numbered sentence holds the answer."""

TEMPLATE = "reader"
"""The prompt template's file stem (prompts/reader.txt)."""


def reader_listing(sentences: list[str]) -> str:
    """The sentences as the reader is shown them: one line each, under its number from 1."""
    return "\n".join(f"[{i}] {prompt_safe(s)}" for i, s in enumerate(sentences, 1))


def reader_prompt(prompts: Prompts, question: str, sentences: list[str]) -> str:
    """The completion prompt for one question; it ends on the answer's label (no newline)."""
    return prompts.render(TEMPLATE, sources=reader_listing(sentences), question=prompt_safe(question)).rstrip()


def reader_target(span: str | None, n: int) -> str:
    """What the reader is trained to write after the prompt: " span [n]" or " NO_ANSWER", then a newline."""
    return f" {span} [{n}]\n" if span else f" {NO_ANSWER}\n"


@dataclass(frozen=True)
class Reading:
    """The reader's output, parsed: a span and the sentence number it names, or no answer."""

    span: str
    n: int | None

    @property
    def abstained(self) -> bool:
        return not self.span


_TRAILING_MARKER = re.compile(r"\s*\[(\d{1,3})\]?\s*$")


def parse_reading(text: str) -> Reading:
    """Split the reader's line into its span and number; the no-answer marker gives an empty span."""
    line = text.strip().split("\n", 1)[0].strip()
    if not line or NO_ANSWER.startswith(line) or line.startswith(NO_ANSWER):
        return Reading("", None)
    m = _TRAILING_MARKER.search(line)
    n = int(m.group(1)) if m else None
    span = line[: m.start()] if m else line
    return Reading(CITE_MARKER.sub("", span).strip(), n)


# ----------------------------------------------------------------- the reader at run time


Pick = tuple[Source, tuple[int, int]]
"""One sentence shown to the reader: its source and its span in the article."""


def reader_picks(sources: list[Source], count_tokens: Callable[[str], int], budget: int) -> list[Pick]:
    """The sources' strong sentences, best-ranked first, while they fit in ``budget`` tokens (the best
    always), each costing its shown text and its "[n] " label."""
    return ranked_within(sources, lambda text: count_tokens(prompt_safe(text)) + 4, budget)


def locate(text: str, start: int, end: int, phrase: str) -> tuple[int, int] | None:
    """Where ``phrase`` (as the prompt showed it: whitespace collapsed) lies in ``text[start:end]``."""
    words = phrase.split()
    if not words:
        return None
    m = re.compile(r"\s+".join(re.escape(w) for w in words)).search(text, start, end)
    return (m.start(), m.end()) if m else None


@dataclass(frozen=True)
class ReaderResult:
    """What the reader did with one question's sentences."""

    reading: Reading
    raw: str
    no_answer_share: float
    """The reader's probability, at its first token, of saying there is no answer."""
    pick: Pick | None = None
    """The sentence the span came from (None when it abstained)."""
    short: ShortAnswer | None = None
    signals: dict[str, float] | None = None
    """What the decision to answer was made from, and its outcome (``confidence``)."""


SIGNALS = ("no_answer", "span_logprob", "dense", "sentence")
"""What the decision to answer is made from: the reader's first-token probability of the no-answer
marker, the mean log-probability (unconstrained) of its span's tokens, the best passage's cosine
and the best evidence sentence's score."""


def confidence(weights: tuple[float, ...], signals: dict[str, float]) -> float:
    """The calibrated probability that the shown sentences answer (logistic in :data:`SIGNALS`)."""
    z = weights[0] + sum(w * signals[name] for w, name in zip(weights[1:], SIGNALS, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def read(
    generator: Generator, prompts: Prompts, query: Query, sources: list[Source], tuning: AnswerSettings, max_tokens: int,
    dense: float,
) -> ReaderResult:
    """Run the reader on the sources' best sentences (``reader_picks``) with decoding constrained to
    a verbatim span, and locate its span.

    The reader always copies a span; whether to answer is decided from its first-token
    probability of the no-answer marker, the best passage's cosine (``dense``) and the best
    sentence's score, by the calibrated logistic ``tuning.reader_confidence``: below
    ``tuning.reader_abstain`` it abstains (no ``short``), as it does when its span cannot be
    located in the article (a prompt label defused in the shown text)."""
    from assistant.models.constrained import CopyConstraint

    picks = reader_picks(sources, generator.count_tokens, tuning.reader_prompt_tokens)
    shown = [src.doc.text[a:b] for src, (a, b) in picks]
    constraint = CopyConstraint(generator.llm, [prompt_safe(s) for s in shown], [NO_ANSWER], decide_at=1.01)  # always a span
    raw = generator.complete(reader_prompt(prompts, query.text, shown), max_tokens=max_tokens, constraint=constraint)
    reading = parse_reading(raw)
    share = constraint.first_step_fixed_share or 0.0
    span_tokens = max(1, generator.count_tokens(" " + reading.span)) if reading.span else 1
    logprobs = constraint.step_logprobs[:span_tokens] or [0.0]
    signals = {
        "no_answer": share, "span_logprob": sum(logprobs) / len(logprobs),
        "dense": dense, "sentence": max((s.score for s in sources), default=0.0),
    }
    sure = confidence(tuning.reader_confidence, signals)
    signals = {k: round(v, 4) for k, v in {**signals, "confidence": sure}.items()}
    if reading.abstained or sure < tuning.reader_abstain:
        return ReaderResult(Reading("", None), raw, share, signals=signals)
    order = list(range(len(picks)))
    if reading.n is not None and 1 <= reading.n <= len(picks):
        order.remove(reading.n - 1)
        order.insert(0, reading.n - 1)
    for i in order:
        src, (a, b) = picks[i]
        at = locate(src.doc.text, a, b, reading.span)
        if at is not None:
            short = ShortAnswer(src.doc.text[at[0] : at[1]], src.n, src.doc.doc_id, *at)
            return ReaderResult(reading, raw, share, picks[i], short, signals)
    return ReaderResult(Reading("", None), raw, share, signals=signals)  # not locatable (a defused label): treated as no answer
