"""One interactive session: the answerer opened lazily, the conversation, and its history.

This is everything the chat does, minus the screen: a UI (or a test) calls
``ask`` from a worker thread and shows what comes back. Nothing here imports
textual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.app.conversation import Conversation, Resolved
from assistant.errors import BadInput
from assistant.models.generate import TokenSink
from assistant.app.history import History

if TYPE_CHECKING:
    from assistant.answer.compose import Answer
    from assistant.answer.pipeline import Answerer
    from assistant.types import Document


@dataclass(frozen=True)
class Exchange:
    """A question as typed, as resolved and asked, and its answer."""

    resolved: Resolved
    answer: Answer


@dataclass
class Session:
    """The state behind a chat window."""

    settings: Settings
    conversation: Conversation = field(default_factory=Conversation)
    history: History | None = None
    _answerer: Answerer | None = None

    def __post_init__(self) -> None:
        if self.history is None:
            self.history = History(self.settings.data_dir / "history.sqlite3")

    def answerer(self, *, preload: bool = False) -> Answerer:
        """Open the index and prompts (raises AssistantError with a fix when they are not usable)."""
        if self._answerer is None:
            from assistant.app.api import open_answerer

            self._answerer = open_answerer(self.settings, preload=preload)
        return self._answerer

    def warm_up(self) -> None:
        """Load both models now (at once), so the first question does not wait for them."""
        answerer = self.answerer(preload=True)
        answerer.search.embedder  # noqa: B018 - loads on access
        answerer.generator  # noqa: B018

    def ask(
        self,
        typed: str,
        *,
        today: dt.date | None = None,
        on_token: TokenSink | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Exchange:
        """Resolve a follow-up, answer it under the active filters, and remember it."""
        resolved = self.conversation.resolve(typed, today or dt.date.today())
        answer = self.answerer().answer(resolved.query, on_token=on_token, should_stop=should_stop)
        return Exchange(resolved, answer)

    def keep(self, exchange: Exchange) -> None:
        """Add a finished (not cancelled) exchange to the conversation and the history."""
        self.conversation.remember(exchange.resolved)
        assert self.history is not None
        self.history.add(exchange.resolved.typed, exchange.answer.to_json())

    def generator_name(self) -> str:
        return self.answerer().generator.name

    def document(self, doc_id: str) -> Document:
        return self.answerer().search.docs[doc_id]

    def documents(self) -> list[Document]:
        return sorted(self.answerer().search.docs.values(), key=lambda d: d.doc_id)

    def describe_index(self) -> str:
        """"5 articles, 36 chunks" for a status bar ("..., 1,200 not embedded yet" while indexing embeds)."""
        search = self.answerer().search
        line = f"{len(search.docs)} articles, {len(search.chunks)} chunks"
        if search.pending is not None:
            line += f", {int(search.pending.sum()):,} not embedded yet"
        return line

    def index_notice(self) -> str | None:
        """What the index cannot search yet, in a line (None when it is complete)."""
        return self.answerer().search.missing

    def models(self) -> dict[str, str]:
        from assistant.models.locate import resolve_embedder, resolve_generator

        return {"generator": str(resolve_generator(self.settings)), "embedder": str(resolve_embedder(self.settings))}

    def use_model(self, path: Path) -> None:
        """Answer with another GGUF file from now on (checked before anything is unloaded)."""
        from assistant.config import load_settings
        from assistant.models.locate import resolve_generator

        settings = load_settings(**{**self.settings.model_dump(), "generator": path})
        resolve_generator(settings)
        self.close()
        self.settings = settings

    def restrict(self, doc_ids: list[str]) -> None:
        """Answer only from these articles; unknown ids are refused."""
        known = self.answerer().search.docs
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise BadInput(f"no article {unknown[0]!r} in the index", hint="type /docs to list them")
        self.conversation.only_docs(frozenset(doc_ids))

    def close(self) -> None:
        if self._answerer is not None:
            self._answerer.close()
            self._answerer = None
