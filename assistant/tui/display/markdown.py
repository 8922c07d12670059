"""An answer as Markdown for the chat's widgets, article text escaped so it shows as written."""

from __future__ import annotations

import re

from assistant.answer.compose import Answer

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
    parts = [_cite_markers(md_escape(line)) for line in lines]
    parts += [f"> ⚠ {md_escape(note)}" for note in answer.unverified]
    if not answer.abstained:
        parts.append(f"*{md_escape(answer.coverage)}*")
    return "\n\n".join(parts)


def _cite_markers(text: str) -> str:
    r"""Escaped ``\[1\]`` back to ``[1]`` (a bare bracketed number is not a Markdown link)."""
    return re.sub(r"\\\[(\d{1,3})\\\]", r"[\1]", text)
