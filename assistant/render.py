"""Plain-terminal presentation of answers (the CLI's; the chat UI has its own widgets)."""

from __future__ import annotations

import re
from typing import Any, TextIO

import click

from assistant.answer import Answer
from assistant.generate import TokenSink


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text an article (or the model) cannot use to take over a terminal: control characters
    (escape sequences, bells, carriage returns) and bidi overrides removed; newlines and tabs kept.

    Only what is printed for people; JSON output keeps the verbatim text.
    """
    return _UNSAFE.sub("", text)


def stream_to(out: TextIO) -> TokenSink:
    """A token sink that writes the model's draft as it arrives."""
    started = [False]

    def sink(piece: str) -> None:
        if not started[0]:
            out.write("… ")
            started[0] = True
        out.write(terminal_safe(piece))
        out.flush()

    return sink


def format_citation_head(c: object, language: str) -> str:
    date = getattr(c, "date", None) or ("غير مؤرخ" if language == "ar" else "undated")
    return f"[{c.n}] {c.title} — {date} — {c.doc_id} [{c.start}:{c.end}]"  # type: ignore[attr-defined]


def print_answer(answer: Answer, *, streamed: bool) -> None:
    """The final answer, its sources with exact spans, and what could not be checked (terminal-safe)."""

    def echo(text: str = "") -> None:
        click.echo(terminal_safe(text))

    def secho(text: str, **style: Any) -> None:
        click.secho(terminal_safe(text), **style)

    if streamed and answer.draft and answer.mode != "generated":
        echo("")
        why = "; ".join(answer.rejected) if answer.rejected else "the model itself found no answer"
        secho(f"(draft discarded: {why})", dim=True)
    elif streamed and answer.mode == "generated":
        echo("")
    echo("")
    secho(answer.answer, bold=True)
    if answer.citations:
        echo("")
        echo("المصادر:" if answer.language == "ar" else "Sources:")
        for c in answer.citations:
            echo(format_citation_head(c, answer.language))
            echo(f"    «{' '.join(c.quote.split())}»")
    for note in answer.unverified:
        secho(f"! {note}", fg="yellow")
    if not answer.abstained:
        secho(answer.coverage, dim=True)
    t = answer.timings_ms
    secho(f"{t['total'] / 1000:.1f} s (retrieve {t['retrieve']:.0f} ms, generate {t['generate']:.0f} ms)", dim=True)


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
