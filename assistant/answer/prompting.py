"""The model's turn: the prompt built from the sources, fitted to its context, and the draft it writes.

A chat model (any GGUF with a chat template) sees the source passages and
writes a short answer with ``[n]`` markers. A base model (the default Gemma 3
270M) is shown the best-ranked sentences only and copies the answering phrase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer.compose import prompt_safe
from assistant.answer.evidence import Source, ranked_within
from assistant.answer.prompts import Prompts
from assistant.answer.verify import ABSTAIN_PHRASES, copy_guard
from assistant.errors import GenerationError
from assistant.models.generate import Generator
from assistant.retrieve.query import Query

CHAT_TEMPLATE_TOKENS = 32
"""Allowance for the tokens a chat template adds around the system and user messages."""


def base_listing(sources: list[Source], count_tokens: Callable[[str], int], budget: int) -> str:
    """The sources as a base model is shown them: strong sentences in rank order while they fit in
    ``budget`` tokens (the best one always), each under its source's number, in text order."""
    shown: dict[int, list[tuple[int, int]]] = {}
    for src, span in ranked_within(sources, count_tokens, budget):
        shown.setdefault(src.n, []).append(span)
    lines = []
    for src in sources:
        if src.n in shown:
            lines.append(f"[{src.n}] " + prompt_safe(" ".join(src.doc.text[a:b] for a, b in sorted(shown[src.n]))))
    return "\n".join(lines)


@dataclass(frozen=True)
class Drafting:
    """Writes the model's draft for a question from its sources, within ``max_tokens``."""

    prompts: Prompts
    generator: Generator
    max_tokens: int
    base_prompt_tokens: int
    """Most tokens of source sentences a base model is shown (settings.answer.base_prompt_tokens)."""

    def prompt(self, query: Query, sources: list[Source]) -> tuple[str, str]:
        """(system, user) for chat models, ("", completion prompt) for base models."""
        if self.generator.has_chat_template:
            listing = "\n".join(f"[{s.n}] {prompt_safe(s.text)}" for s in sources)
            system = self.prompts.render(
                "chat_system",
                language_name="Arabic" if query.language == "ar" else "English",
                abstain_marker=ABSTAIN_PHRASES[0] if query.language == "ar" else "The sources do not say.",
            )
            return system, self.prompts.render("chat_user", sources=listing, question=prompt_safe(query.text))
        # A base model copies a phrase: it is shown the best-ranked strong sentences only, as many
        # as base_prompt_tokens holds, which is what it picks from (and a prompt short enough to
        # evaluate in well under a second: prompt tokens are most of the time to the first token).
        # The completion must end on the label ("Phrase:"): after a trailing newline a base
        # model writes another numbered source line instead of the answer.
        listing = base_listing(sources, self.generator.count_tokens, self.base_prompt_tokens)
        return "", self.prompts.render(f"answer_{query.language}", sources=listing, question=prompt_safe(query.text)).rstrip()

    def prompt_tokens(self, query: Query, sources: list[Source]) -> int:
        """Tokens the model's context must hold before it writes: the prompt (and chat template overhead)."""
        system, user = self.prompt(query, sources)
        if self.generator.has_chat_template:
            return self.generator.count_tokens(system) + self.generator.count_tokens(user) + CHAT_TEMPLATE_TOKENS
        return self.generator.count_tokens(user) + 1  # the BOS token

    def fit(self, query: Query, sources: list[Source]) -> list[Source]:
        """The best sources whose prompt, with room for ``max_tokens`` of answer, fits the model's context.

        Sources are dropped from the weakest end; when not even the best one fits
        (a tiny context or a huge ``max_tokens``), GenerationError says so.
        """
        budget = self.generator.n_ctx - self.max_tokens
        kept = list(sources)
        while kept and self.prompt_tokens(query, kept) > budget:
            kept.pop()
        if sources and not kept:
            raise GenerationError(
                f"the question and its best passage do not fit in the model's context of {self.generator.n_ctx} tokens "
                f"with {self.max_tokens} tokens left for the answer",
                hint="ask a shorter question or lower --max-tokens",
            )
        return kept

    def write(self, query: Query, sources: list[Source], should_stop: Callable[[], bool] | None) -> str:
        """The model's draft (not shown to anyone until verified); a base model stops once its draft is settled."""
        system, prompt = self.prompt(query, sources)
        generator = self.generator
        if generator.has_chat_template:
            return generator.chat(system, prompt, max_tokens=self.max_tokens, should_stop=should_stop)
        return generator.complete(
            prompt, max_tokens=self.max_tokens, should_stop=should_stop,
            fixed_start=self.prompts.fixed_start(f"answer_{query.language}"), keep_going=copy_guard(sources),
        )
