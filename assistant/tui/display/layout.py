"""Markdown laid out for a terminal, right-to-left paragraphs included.

Markdown is parsed with markdown-it-py (the parser Rich and Textual use) into
blocks of styled logical text. Each block is wrapped to the width in logical
order, then every line is reordered for display when the terminal cannot do
it (see assistant.tui.display.bidi): right-to-left paragraphs are right-aligned, letters
shaped, styles kept on their characters, and each drawn cell remembers the
logical character it shows, so a selection copies back in logical order.

Textual's own Markdown widget wraps text itself, which would break lines that
are already in visual order; that is why the chat lays out with this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.console import Console
from rich.style import Style
from rich.text import Text

from assistant.tui.display.bidi import is_rtl, visual_line

CITATION_RE = re.compile(r"\[\d{1,3}\]")
CITATION_STYLE = Style(color="cyan", bold=True)


@dataclass(frozen=True)
class Block:
    """One paragraph, heading, list item or quote: styled logical text and a first-line prefix."""

    text: Text
    prefix: str = ""
    rtl: bool | None = None
    """Paragraph direction; None takes it from the first strong character (UAX #9 P2)."""


@dataclass(frozen=True)
class Line:
    """One drawn line: what to draw, and per drawn character its (block, logical index), or None for padding."""

    text: Text
    cells: list[tuple[int, int] | None] = field(default_factory=list)


def parse_markdown(source: str, *, base_style: Style | None = None) -> list[Block]:
    """Markdown to blocks: paragraphs, headings, bullet and numbered lists, block quotes, code."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(source)
    blocks: list[Block] = []
    prefixes: list[str] = []
    quote_depth = 0
    ordinal: list[int] = []
    for tok in tokens:
        if tok.type == "bullet_list_open":
            ordinal.append(0)
        elif tok.type == "ordered_list_open":
            ordinal.append(int(tok.attrGet("start") or 1))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            ordinal.pop()
        elif tok.type == "list_item_open":
            if ordinal and ordinal[-1] > 0:
                prefixes.append(f"{ordinal[-1]}. ")
                ordinal[-1] += 1
            else:
                prefixes.append("• ")
        elif tok.type == "blockquote_open":
            quote_depth += 1
        elif tok.type == "blockquote_close":
            quote_depth -= 1
        elif tok.type == "inline":
            style = base_style or Style()
            if quote_depth:
                style += Style(italic=True, dim=True)
            heading = tok.map is not None and _heading_level(tokens, tok)
            if heading:
                style += Style(bold=True, underline=heading == 1)
            prefix = ("▎" * quote_depth + " " if quote_depth else "") + (prefixes.pop() if prefixes else "")
            for part in _inline(tok.children or [], style):
                blocks.append(Block(part, prefix))
                prefix = ""
        elif tok.type in ("fence", "code_block"):
            for line in tok.content.rstrip("\n").split("\n"):
                blocks.append(Block(Text(line, style=Style(color="bright_white", bgcolor="grey15"))))
        elif tok.type == "hr":
            blocks.append(Block(Text("─" * 20, style=Style(dim=True))))
    return blocks


def _heading_level(tokens: list, inline: object) -> int:  # type: ignore[type-arg]
    i = tokens.index(inline)
    prev = tokens[i - 1] if i else None
    if prev is not None and prev.type == "heading_open":
        return int(prev.tag[1:])
    return 0


def _inline(children: list, base: Style) -> list[Text]:  # type: ignore[type-arg]
    """Inline tokens to styled text; hard breaks start a new block."""
    parts = [Text(style=base)]
    stack: list[Style] = [base]
    for child in children:
        kind = child.type
        if kind in ("text", "html_inline"):
            parts[-1].append(child.content, stack[-1])
        elif kind == "softbreak":
            parts[-1].append(" ", stack[-1])
        elif kind == "hardbreak":
            parts.append(Text(style=base))
        elif kind == "code_inline":
            parts[-1].append(child.content, stack[-1] + Style(color="bright_white", bgcolor="grey23"))
        elif kind in ("strong_open", "em_open", "link_open", "s_open"):
            extra = {"strong_open": Style(bold=True), "em_open": Style(italic=True), "s_open": Style(strike=True)}
            stack.append(stack[-1] + extra.get(kind, Style(underline=True)))
        elif kind in ("strong_close", "em_close", "link_close", "s_close"):
            if len(stack) > 1:
                stack.pop()
    for part in parts:
        part.highlight_regex(CITATION_RE, CITATION_STYLE)
    return parts


def lay_out(blocks: list[Block], width: int, *, reorder: bool, console: Console | None = None) -> list[Line]:
    """Wrap every block to ``width`` cells; with ``reorder``, draw lines in visual order, RTL ones right-aligned."""
    console = console or Console(width=max(width, 1), color_system=None, file=_Null())
    width = max(width, 4)
    lines: list[Line] = []
    for b, block in enumerate(blocks):
        plain = block.text.plain
        rtl = block.rtl if block.rtl is not None else (is_rtl(plain) if plain.strip() else False)
        prefix_len = len(block.prefix)
        body = block.text.copy()
        if block.prefix:
            body = Text(block.prefix, style=Style(dim=True)) + body
        if not body.plain:
            lines.append(Line(Text(""), []))
            continue
        offset = 0
        for wrapped in body.wrap(console, width, no_wrap=False, overflow="fold"):
            raw = wrapped.plain
            start = body.plain.find(raw, offset) if raw else offset
            start = offset if start < 0 else start
            offset = start + len(raw)
            text, cells = _draw(wrapped, start, prefix_len, b, rtl, reorder)
            pad = width - text.cell_len
            if reorder and rtl and pad > 0:
                text = Text(" " * pad) + text
                cells = [None] * pad + cells
            lines.append(Line(text, cells))
    return lines


def _draw(
    line: Text, start: int, prefix_len: int, block: int, rtl: bool, reorder: bool
) -> tuple[Text, list[tuple[int, int] | None]]:
    """One wrapped logical line to drawn text and its cell map (indices into the block's text)."""

    def cell(i: int) -> tuple[int, int] | None:
        j = start + i - prefix_len
        return (block, j) if j >= 0 else None

    plain = line.plain.rstrip()
    if not reorder:
        out = line.copy()
        out.rstrip()
        return out, [cell(i) for i in range(len(plain))]
    styles = [line.style if isinstance(line.style, Style) else Style.parse(str(line.style or ""))] * len(plain)
    for span in line.spans:
        style = span.style if isinstance(span.style, Style) else Style.parse(str(span.style))
        for i in range(span.start, min(span.end, len(plain))):
            styles[i] = styles[i] + style
    visual, index = visual_line(plain, rtl=rtl)
    out = Text()
    for ch, i in zip(visual, index, strict=True):
        out.append(ch, styles[i])
    return out, [cell(i) for i in index]


def selected_text(blocks: list[Block], lines: list[Line], first: tuple[int, int], last: tuple[int, int]) -> str:
    """The logical text behind a selection from (x, y) ``first`` to (x, y) ``last`` in drawn cells.

    Each selected line contributes the logical run from its smallest to its
    largest selected index, so a right-to-left selection copies in reading order.
    """
    (x0, y0), (x1, y1) = first, last
    picked: dict[int, list[int]] = {}
    for y in range(max(0, y0), min(len(lines) - 1, y1) + 1):
        cells = lines[y].cells
        lo = x0 if y == y0 else 0
        hi = x1 if y == y1 else len(cells)
        for c in cells[lo:hi]:
            if c is not None:
                picked.setdefault(c[0], []).append(c[1])
    out = []
    for b in sorted(picked):
        idx = picked[b]
        out.append(blocks[b].text.plain[min(idx) : max(idx) + 1])
    return "\n".join(out)


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass
