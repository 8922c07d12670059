"""Character ranges of a text: its lines with their offsets, and whether a range meets a set of spans.

Every stage that points into an article's original text (boilerplate, dates,
titles and bylines, chunks) works on half-open ``[start, end)`` ranges, so
the text itself is never rewritten. The helpers here are the only copies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.types import Span

__all__ = ["Line", "inside_any", "overlaps_any", "split_lines", "trim_whitespace"]


@dataclass(frozen=True)
class Line:
    """One line of a text: ``text == source[start:end]``, without its line ending."""

    start: int
    end: int
    text: str


_EOL_RE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[Line]:
    """The lines of ``text`` with their offsets; ``\\r\\n``, ``\\r`` and ``\\n`` all end a line."""
    lines: list[Line] = []
    pos = 0
    for m in _EOL_RE.finditer(text):
        lines.append(Line(pos, m.start(), text[pos : m.start()]))
        pos = m.end()
    if pos < len(text):
        lines.append(Line(pos, len(text), text[pos:]))
    return lines


def overlaps_any(start: int, end: int, spans: Iterable[Span]) -> bool:
    """Whether ``[start, end)`` shares a character with any of ``spans``."""
    return any(sp.start < end and start < sp.end for sp in spans)


def inside_any(start: int, end: int, spans: Iterable[Span]) -> bool:
    """Whether ``[start, end)`` lies wholly inside one of ``spans``."""
    return any(sp.start <= start and end <= sp.end for sp in spans)


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` moved inward past whitespace at either end of ``text[start:end]``."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
