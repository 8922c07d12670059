"""A conversation's state, without any UI: follow-up questions, date and source filters, slash commands.

A follow-up such as "and in April 2021?" or "وفي نيسان 2021؟" names only a
new date: it is resolved against the previous question, whose subject is
kept and whose date phrase is swapped for the new one. Filters set with
``/since``, ``/until`` and ``/docs`` narrow every question until cleared.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from assistant.arabic import detect_language
from assistant.dates import parse_date_window
from assistant.errors import BadInput
from assistant.types import DateWindow, PubDate

FOLLOWUP_WORDS = frozenset(
    "and so then also what how about in on during for the month year "
    "و ف ثم ماذا وماذا ما عن وعن في وفي خلال وخلال أما اما وأما واما كذلك وكذلك أيضا ايضا شهر عام سنة".split()
)
"""Words that may surround a new date in a follow-up without adding a new subject."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Filters:
    """What every question is narrowed to: a date range and a set of articles (None: all)."""

    since: dt.date | None = None
    until: dt.date | None = None
    docs: frozenset[str] | None = None

    def narrow(self, asked: DateWindow | None) -> DateWindow | None:
        """The question's own window intersected with the filter's dates."""
        if self.since is None and self.until is None:
            return asked
        label = self.describe_dates()
        if asked is None:
            return DateWindow(self.since, self.until, label)
        start = max((d for d in (asked.start, self.since) if d is not None), default=None)
        end = min((d for d in (asked.end, self.until) if d is not None), default=None)
        return DateWindow(start, end, f"{asked.text}; {label}")

    def describe_dates(self) -> str:
        parts = []
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        return " ".join(parts)

    def describe(self) -> str:
        """One line for a status bar: "" when nothing is filtered."""
        parts = [self.describe_dates()] if (self.since or self.until) else []
        if self.docs is not None:
            parts.append(f"{len(self.docs)} article(s)")
        return ", ".join(parts)


@dataclass(frozen=True)
class Resolved:
    """A question as it will be asked: the text searched, its language, and whether it was a follow-up."""

    asked: str
    typed: str
    language: str
    followup: bool


@dataclass
class Conversation:
    """The questions asked so far (as resolved) and the active filters."""

    questions: list[str] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)

    def resolve(self, typed: str, today: dt.date) -> Resolved:
        """Expand a date-only follow-up with the previous question's subject."""
        language = detect_language(typed)
        window = parse_date_window(typed, today)
        previous = self.questions[-1] if self.questions else None
        if previous is None or window is None or not _only_a_date(typed, window):
            return Resolved(typed, typed, language, False)
        old = parse_date_window(previous, today)
        subject = previous.replace(old.text, " ") if old is not None and old.text else previous
        subject = " ".join(subject.split()).rstrip("?؟.! ")
        mark = "؟" if detect_language(subject) == "ar" else "?"
        when = re.sub(r"^و\s*(?=في)", "", window.text)  # "وفي نيسان" -> "في نيسان"
        return Resolved(f"{subject} {when}{mark}", typed, language, True)

    def remember(self, asked: str) -> None:
        self.questions.append(asked)

    def clear(self) -> None:
        """Forget the questions and the filters."""
        self.questions.clear()
        self.filters = Filters()

    def since(self, text: str) -> None:
        self.filters = replace(self.filters, since=parse_filter_date(text, end=False) if text else None)

    def until(self, text: str) -> None:
        self.filters = replace(self.filters, until=parse_filter_date(text, end=True) if text else None)

    def only_docs(self, doc_ids: frozenset[str] | None) -> None:
        self.filters = replace(self.filters, docs=doc_ids)


def _only_a_date(question: str, window: DateWindow) -> bool:
    rest = question.replace(window.text, " ")
    return all(w.lower() in FOLLOWUP_WORDS for w in _WORD.findall(rest))


def parse_filter_date(text: str, *, end: bool) -> dt.date:
    """``2021``, ``2021-05`` or ``2021-05-28`` to its first day (``end``: its last day)."""
    try:
        first, last = PubDate.parse(text.strip()).span()
    except (ValueError, TypeError):
        raise BadInput(f"not a date: {text.strip()!r}", hint="use YYYY, YYYY-MM or YYYY-MM-DD, e.g. /since 2021-05") from None
    return last if end else first


@dataclass(frozen=True)
class Command:
    """A parsed slash command: its name and the rest of the line."""

    name: str
    arg: str


COMMANDS: dict[str, str] = {
    "since": "/since DATE      only articles dated on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD); no DATE clears",
    "until": "/until DATE      only articles dated on or before DATE; no DATE clears",
    "docs": "/docs [ID ...]   list the articles; with IDs, answer only from those (/docs all: every article)",
    "open": "/open N          show the whole article behind source [N]",
    "history": "/history [WORDS] browse past questions, or search them",
    "model": "/model [PATH]    show the models in use, or answer with another GGUF file",
    "bidi": "/bidi auto|on|off  reorder right-to-left text ourselves, or leave it to the terminal",
    "clear": "/clear           forget the conversation and the filters",
    "copy": "/copy            copy the last answer and its sources (logical order)",
    "help": "/help            this list",
    "quit": "/quit            leave",
}


def parse_command(line: str) -> Command | None:
    """A slash command, None for a question; unknown commands raise BadInput."""
    text = line.strip()
    if not text.startswith("/"):
        return None
    name, _, arg = text[1:].partition(" ")
    name = name.lower()
    if name not in COMMANDS:
        raise BadInput(f"unknown command /{name}", hint="type /help for the list")
    return Command(name, arg.strip())
