"""A full-screen view of one article, the cited spans highlighted."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from assistant.tui.display.layout import Block
from assistant.tui.components.bidi_view import BidiView
from assistant.tui.components.sources import HIGHLIGHT
from assistant.types import Document, date_label


def article_blocks(doc: Document, spans: list[tuple[int, int]]) -> tuple[list[Block], int]:
    """The article's lines as blocks, cited spans highlighted; and the index of the first cited block."""
    blocks: list[Block] = []
    first = -1
    pos = 0
    for line in doc.text.split("\n"):
        end = pos + len(line)
        text = Text(line)
        for s, e in spans:
            if s < end and e > pos:
                text.stylize(HIGHLIGHT, max(s, pos) - pos, min(e, end) - pos)
                first = len(blocks) if first < 0 else first
        blocks.append(Block(text))
        pos = end + 1
    return blocks, max(first, 0)


class ArticleScreen(ModalScreen[None]):
    """Read the whole article; Esc goes back."""

    BINDINGS = [Binding("escape,q", "dismiss", "Back")]

    def __init__(self, doc: Document, spans: list[tuple[int, int]], *, reorder: bool) -> None:
        super().__init__()
        self.doc = doc
        blocks, self.first_cited = article_blocks(doc, spans)
        self.view = BidiView(blocks=blocks, reorder=reorder)

    def compose(self) -> ComposeResult:
        date = date_label(self.doc.date.iso if self.doc.date else None)
        with Vertical(id="article"):
            yield Label(
                Text(self.doc.title, style=Style(bold=True)) + Text(f"  {date} · {self.doc.outlet or '-'} · {self.doc.path}", style=Style(dim=True)),
                id="article-title",
            )
            with VerticalScroll(id="article-body"):
                yield self.view
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._scroll_to_quote)

    def _scroll_to_quote(self) -> None:
        width = self.view.content_size.width
        lines = self.view.lines(width)
        row = next((i for i, ln in enumerate(lines) if any(c and c[0] == self.first_cited for c in ln.cells)), 0)
        self.query_one("#article-body", VerticalScroll).scroll_to(y=max(0, row - 2), animate=False)
