"""Browse and search past questions."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from assistant.tui.display.bidi import display
from assistant.app.history import History, Turn


class HistoryScreen(ModalScreen[str | None]):
    """Past questions, newest first; type to search, Enter to ask again, Esc to go back."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, history: History, *, reorder: bool, words: str = "") -> None:
        super().__init__()
        self.history = history
        self.reorder = reorder
        self.words = words
        self.turns: list[Turn] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Label("History: type to search, Enter to ask again, Esc to go back", id="history-title")
            yield Input(value=self.words, placeholder="search past questions and answers", id="history-search")
            yield OptionList(id="history-list")
        yield Footer()

    def on_mount(self) -> None:
        self._fill(self.words)

    @on(Input.Changed, "#history-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#history-search")
    def _first(self) -> None:
        if self.turns:
            self.dismiss(self.turns[0].question)

    @on(OptionList.OptionSelected, "#history-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.turns[event.option_index].question)

    def _fill(self, words: str) -> None:
        self.turns = self.history.search(words, limit=200)
        listing = self.query_one("#history-list", OptionList)
        listing.clear_options()
        show = display if self.reorder else (lambda s: s)
        for t in self.turns:
            first = " ".join(t.answer.split())[:70]
            listing.add_option(Option(f"{t.asked_at}  {show(t.question)}\n    {show(first)}"))
