"""A widget that shows Markdown or styled blocks, right-to-left lines readable in any terminal."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.selection import Selection
from textual.widget import Widget

from assistant.tui.display.layout import Block, Line, lay_out, parse_markdown, selected_text


class BidiView(Widget):
    """Lays out its blocks at the widget's width (see assistant.tui.display.layout); copying gives logical order."""

    DEFAULT_CSS = """
    BidiView { height: auto; width: 1fr; }
    """

    def __init__(
        self,
        markdown: str = "",
        *,
        blocks: list[Block] | None = None,
        reorder: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._blocks = blocks if blocks is not None else parse_markdown(markdown)
        self._reorder = reorder
        self._cache: tuple[int, list[Line]] | None = None

    @property
    def blocks(self) -> list[Block]:
        return self._blocks

    @property
    def reorder(self) -> bool:
        return self._reorder

    @reorder.setter
    def reorder(self, value: bool) -> None:
        if value != self._reorder:
            self._reorder = value
            self._changed()

    def update_markdown(self, markdown: str) -> None:
        self.update_blocks(parse_markdown(markdown))

    def update_blocks(self, blocks: list[Block]) -> None:
        self._blocks = blocks
        self._changed()

    def _changed(self) -> None:
        self._cache = None
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Line]:
        """The drawn lines at ``width`` cells (cached until the content or width changes)."""
        if self._cache is None or self._cache[0] != width:
            self._cache = (width, lay_out(self._blocks, width, reorder=self._reorder))
        return self._cache[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lines(width)))

    def render(self) -> Text:
        lines = self.lines(self.content_size.width or self.size.width)
        return Text("\n").join(line.text for line in lines) if lines else Text("")

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        lines = self.lines(self.content_size.width or self.size.width)
        if not lines:
            return None
        first = (0, 0) if selection.start is None else (selection.start.x, selection.start.y)
        last = (len(lines[-1].cells), len(lines) - 1) if selection.end is None else (selection.end.x, selection.end.y)
        return selected_text(self._blocks, lines, first, last), "\n"

    @property
    def logical_text(self) -> str:
        """Everything shown, in logical order (what copying the whole widget gives)."""
        return "\n".join(b.prefix + b.text.plain for b in self._blocks)
