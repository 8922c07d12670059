"""Plain-terminal presentation of answers (the CLI's; the chat has its own in assistant.tui.display)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import click

from assistant.answer.compose import Answer, Citation
from assistant.types import date_label

if TYPE_CHECKING:
    from assistant.index.build import IndexStats


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text an article (or the model) cannot use to take over a terminal: control characters
    (escape sequences, bells, carriage returns) and bidi overrides removed; newlines and tabs kept.

    Only what is printed for people; JSON output keeps the verbatim text.
    """
    return _UNSAFE.sub("", text)


def format_citation_head(c: object, language: str) -> str:
    date = date_label(getattr(c, "date", None), language)
    fetched = getattr(c, "fetched", None)
    if getattr(c, "date", None) is None and fetched:
        date += f" ({'جُلب' if language == 'ar' else 'fetched'} {fetched})"
    return f"[{c.n}] {c.title} — {date} — {c.doc_id} [{c.start}:{c.end}]"  # type: ignore[attr-defined]


def print_answer(answer: Answer) -> None:
    """The final answer, its sources with exact spans, and what could not be checked (terminal-safe).

    Printed once verified: nothing the model drafted is shown before it checks out."""

    def echo(text: str = "") -> None:
        click.echo(terminal_safe(text))

    def secho(text: str, **style: Any) -> None:
        click.secho(terminal_safe(text), **style)

    def cite(c: Citation) -> None:
        echo(format_citation_head(c, answer.language))
        echo(f"    «{' '.join(c.quote.split())}»")
        if c.also:
            label = "ورد أيضاً في" if answer.language == "ar" else "also reported by"
            echo(f"    ({label}: {', '.join(o or d for d, o in c.also)})")

    secho(answer.answer, bold=True)
    if answer.citations:
        echo("")
        echo("المصادر:" if answer.language == "ar" else "Sources:")
        if answer.statements:  # grouped: each statement, then every article that reports it
            for i, statement in enumerate(answer.statements, 1):
                head = "التصريح" if answer.language == "ar" else "Statement"
                secho(f"{head} {i} ({date_label(statement.date, answer.language)}):", underline=True)
                for c in statement.citations:
                    cite(c)
        else:
            for c in answer.citations:
                cite(c)
    for note in answer.unverified:
        secho(f"! {note}", fg="yellow")
    if not answer.abstained:
        secho(answer.coverage, dim=True)
    t = answer.timings_ms
    secho(f"{t['total'] / 1000:.1f} s (retrieve {t['retrieve']:.0f} ms, generate {t['generate']:.0f} ms)", dim=True)


SKIPPED_SHOWN = 20
"""Past this many skipped files or records, ``assistant index`` shows the first ones and a count by reason."""


def print_index_report(stats: IndexStats) -> None:
    """What an indexing run read from each dump, what it skipped and why, and its one-line summary (stderr)."""
    from collections import Counter

    def echo(text: str) -> None:
        click.echo(terminal_safe(text), err=True)

    for dump in stats.dumps:
        echo(f"dump {dump.summary()}")
    shown = stats.skipped if len(stats.skipped) <= SKIPPED_SHOWN else stats.skipped[: SKIPPED_SHOWN // 2]
    for skipped in shown:
        echo(f"skipped {skipped.path}: {skipped.reason}")
    if len(shown) < len(stats.skipped):
        rest = Counter(s.reason if "duplicate" not in s.reason else "duplicate id" for s in stats.skipped[len(shown) :])
        reasons = "; ".join(f"{n:,} {reason}" for reason, n in rest.most_common(5))
        echo(f"... and {len(stats.skipped) - len(shown):,} more skipped ({reasons})")
    echo(stats.summary())
