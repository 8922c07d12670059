"""One turn of the conversation: who speaks, and what they said (Markdown, bidi-aware)."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from assistant.tui.components.bidi_view import BidiView

Role = Literal["user", "assistant", "system", "error"]
LABELS: dict[Role, str] = {"user": "You", "assistant": "Assistant", "system": "Info", "error": "Error"}


class ChatMessage(Vertical):
    """A labelled message; the assistant's is updated in batches while it streams."""

    def __init__(self, role: Role, markdown: str, *, reorder: bool) -> None:
        super().__init__(classes=f"message {role}")
        self.role = role
        self.body = BidiView(markdown, reorder=reorder, classes="body")

    def compose(self) -> ComposeResult:
        yield Label(LABELS[self.role], classes="who")
        yield self.body

    def show(self, markdown: str) -> None:
        self.body.update_markdown(markdown)

    @property
    def logical_text(self) -> str:
        return self.body.logical_text
