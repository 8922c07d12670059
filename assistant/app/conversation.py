"""A conversation's state, without any UI: follow-up questions, date and source filters.

A follow-up such as "and in April 2021?" or "وفي نيسان 2021؟" names only a
new date: it is resolved against the previous question, whose subject is
kept and whose date phrase is swapped for the new one. Filters set with
``/since``, ``/until`` and ``/docs`` narrow every question until cleared.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from assistant.text.arabic import detect_language
from assistant.retrieve.query import Query
from assistant.errors import BadInput
from assistant.types import DateWindow, Filters, Language, PubDate

FOLLOWUP_WORDS = frozenset(
    "and so then also what how about in on during for the month year "
    "و ف ثم ماذا وماذا ما عن وعن في وفي خلال وخلال أما اما وأما واما كذلك وكذلك أيضا ايضا شهر عام سنة".split()
)
"""Words that may surround a new date in a follow-up without adding a new subject."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Resolved:
    """A question as it will be asked: the text searched, parsed, and whether it was a follow-up."""

    asked: str
    typed: str
    language: Language
    followup: bool
    query: Query
    """``asked`` parsed under the filters active when it was resolved."""


@dataclass
class Conversation:
    """The questions asked so far (as resolved) and the active filters."""

    asked: list[Resolved] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)

    def resolve(self, typed: str, today: dt.date) -> Resolved:
        """Parse a question; a date-only follow-up is expanded with the previous question's subject.

        Raises BadInput for an empty or overlong question, or an impossible date.
        """
        query = Query.parse(typed, today=today, filters=self.filters)
        window = query.asked_window
        previous = self.asked[-1].query if self.asked else None
        if previous is None or window is None or not _only_a_date(query.text, window):
            return Resolved(query.text, typed, query.language, False, query)
        old = previous.asked_window
        subject = previous.text.replace(old.text, " ") if old is not None and old.text else previous.text
        subject = " ".join(subject.split()).rstrip("?؟.! ")
        mark = "؟" if detect_language(subject) == "ar" else "?"
        when = re.sub(r"^و\s*(?=في)", "", window.text)  # "وفي نيسان" -> "في نيسان"
        asked = f"{subject} {when}{mark}"
        expanded = Query.parse(asked, today=today, filters=self.filters, language=query.language)
        return Resolved(asked, typed, query.language, True, expanded)

    def remember(self, resolved: Resolved) -> None:
        self.asked.append(resolved)

    def clear(self) -> None:
        """Forget the questions and the filters."""
        self.asked.clear()
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
