"""The sources panel: every cited passage, highlighted inside its paragraph, with its article's details."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label

from assistant.answer.compose import Citation
from assistant.answer.statements import StatementView
from assistant.tui.display.layout import Block
from assistant.tui.components.bidi_view import BidiView
from assistant.types import Document, date_label

HIGHLIGHT = Style(color="black", bgcolor="yellow")
CONTEXT_CHARS = 300
"""Characters of the paragraph shown on each side of a quote (long paragraphs are trimmed)."""


def quote_in_paragraph(doc: Document, start: int, end: int) -> Text:
    """The paragraph of ``doc`` around ``[start, end)``, verbatim, the quote highlighted."""
    text = doc.text
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    lo = max(lo, start - CONTEXT_CHARS)
    hi = min(hi, end + CONTEXT_CHARS)
    out = Text("…" if lo > 0 and text[lo - 1] != "\n" else "")
    out.append(text[lo:start].replace("\n", " "))
    out.append(text[start:end].replace("\n", " "), HIGHLIGHT)
    out.append(text[end:hi].replace("\n", " "))
    if hi < len(text) and text[hi] != "\n":
        out.append("…")
    return out


def source_blocks(citation: Citation, doc: Document) -> list[Block]:
    """Header, details and highlighted context of one cited passage."""
    date = date_label(citation.date)
    if citation.date is None and doc.fetched is not None:
        date += f" (fetched {doc.fetched.iso})"
    details = f"{date} · {doc.outlet or 'outlet unknown'} · {doc.doc_id} [{citation.start}:{citation.end}]"
    blocks = [
        Block(Text(f"[{citation.n}] ", style=Style(color="cyan", bold=True)) + Text(doc.title, style=Style(bold=True))),
        Block(Text(details, style=Style(dim=True)), rtl=False),  # ids and offsets read left to right
        Block(quote_in_paragraph(doc, citation.start, citation.end)),
    ]
    if citation.also:  # the same story in other outlets: named, not quoted again
        names = ", ".join(outlet or doc_id for doc_id, outlet in citation.also)
        blocks.append(Block(Text(f"also reported by: {names}", style=Style(dim=True)), rtl=False))
    return blocks


def statement_heading(i: int, statement: StatementView) -> str:
    """The heading over one statement's sources: its number, date and how many prints cite it."""
    prints = len(statement.citations)
    return f"Statement {i} · {date_label(statement.date)} · {prints} report{'s' * (prints != 1)}"


class SourceCard(Widget, can_focus=True):
    """One cited passage; Enter opens the whole article."""

    BINDINGS = [Binding("enter,o", "open", "Open article")]

    class Open(Message):
        """The user wants to read the whole article behind a citation."""

        def __init__(self, citation: Citation) -> None:
            super().__init__()
            self.citation = citation

    DEFAULT_CSS = "SourceCard { height: auto; }"

    def __init__(self, citation: Citation, doc: Document, *, reorder: bool) -> None:
        super().__init__(classes="source")
        self.citation = citation
        self.view = BidiView(blocks=source_blocks(citation, doc), reorder=reorder)

    def compose(self) -> ComposeResult:
        yield self.view

    def action_open(self) -> None:
        self.post_message(self.Open(self.citation))

    def on_click(self) -> None:
        self.focus()


class SourcesPanel(VerticalScroll):
    """The sources of the latest answer."""

    def show(self, cards: list[SourceCard], groups: list[tuple[str, int]] | None = None) -> None:
        """Show ``cards``; with ``groups`` ((heading, number of cards) each, in order: one statement and
        every print of it), each group under its heading."""
        self.remove_children()
        if not cards:
            self.mount(Label("No sources for this answer.", classes="empty"))
            return
        if not groups:
            self.mount_all(cards)
            return
        widgets: list[Widget] = []
        rest = iter(cards)
        for heading, count in groups:
            widgets.append(Label(heading, classes="group"))
            widgets.extend(card for _, card in zip(range(count), rest, strict=False))
        widgets.extend(rest)
        self.mount_all(widgets)
