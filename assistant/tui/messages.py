"""Messages that workers post back to the app (workers never touch widgets)."""

from __future__ import annotations

from textual.message import Message

from assistant.app.session import Exchange


class ModelsReady(Message):
    """The index is open and the models are loaded."""

    def __init__(self, index: str, model: str) -> None:
        super().__init__()
        self.index_text = index
        self.model_name = model


class WorkFailed(Message):
    """Work failed with an error the user can act on (one line, with the fix)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Answered(Message):
    """An answer is complete (or was cancelled while generating)."""

    def __init__(self, exchange: Exchange, cancelled: bool) -> None:
        super().__init__()
        self.exchange = exchange
        self.cancelled = cancelled
