"""An answer as Markdown for the chat's widgets, article text escaped so it shows as written."""

from __future__ import annotations

import re

from assistant.answer.compose import Answer, readable
from assistant.answer.statements import StatementView
from assistant.types import date_label

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#<>|~])")


def md_escape(text: str) -> str:
    """Text shown literally when read as Markdown (quotes must not turn into emphasis or lists)."""
    out = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^(\s*)([-+]|\d+[.)])(\s)", r"\1\\\2\3", out)


def answer_markdown(answer: Answer) -> str:
    """An answer as Markdown for the chat: its text, then what could not be checked, then the coverage.

    Citation markers stay as literal ``[n]``; quoted article text is escaped
    so it shows exactly as written.
    """
    lines = [line for line in answer.answer.split("\n") if line.strip()]
    if answer.statements:  # a compact list: each statement's opening words; the sources panel quotes them whole
        lines = lines[:1] + [statement_line(i, s, answer.language) for i, s in enumerate(answer.statements, 1)]
    parts = [_cite_markers(md_escape(line)) for line in lines]
    parts += [f"> ⚠ {md_escape(note)}" for note in answer.unverified]
    if not answer.abstained:
        parts.append(f"*{md_escape(answer.coverage)}*")
    return "\n\n".join(parts)


COMPACT_QUOTE_CHARS = 110
"""A statement's quote in the chat's list is cut after this many characters (whole words)."""


def statement_line(i: int, statement: StatementView, language: str) -> str:
    """One statement in the chat's compact list: number, date, the quote's opening, its [n] markers, other outlets."""
    quote = readable(statement.quote)
    if len(quote) > COMPACT_QUOTE_CHARS:
        quote = quote[:COMPACT_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    marks = "".join(f"[{c.n}]" for c in statement.citations)
    line = f"{i} · {date_label(statement.date, language)} — «{quote}» {marks}"  # "1." would be read as a Markdown list
    if statement.also_reported_by:
        label = "ورد أيضاً في" if language == "ar" else "also"
        line += f" ({label}: {', '.join(o or d for d, o in statement.also_reported_by)})"
    return line


def _cite_markers(text: str) -> str:
    r"""Escaped ``\[1\]`` back to ``[1]`` (a bare bracketed number is not a Markdown link)."""
    return re.sub(r"\\\[(\d{1,3})\\\]", r"[\1]", text)
