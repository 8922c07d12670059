"""Typed value objects passed between the pipeline's stages.

files -> Document -> Chunk -> (vectors, postings) -> Hit -> Evidence -> Answer
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

DateSource = Literal["metadata", "header", "dateline", "inferred"]
DatePrecision = Literal["day", "month", "year"]

Advance = Callable[[int], None]
"""Called with the size of each step as it finishes."""
Progress = Callable[[str, int], Advance]
"""How a long task reports progress without knowing how it is shown: called with a label and the
total number of steps, it returns the Advance to call as steps finish (the CLI draws a bar on
stderr: cli/progress.py)."""
Language = Literal["ar", "en"]

UNDATED = {"ar": "غير مؤرخ", "en": "undated"}
"""How an article without a date is shown, by language."""


def date_label(date: str | None, language: str = "en") -> str:
    """An ISO date as shown to a person, or "undated" in the given language."""
    return date or UNDATED.get(language, UNDATED["en"])


@dataclass(frozen=True)
class PubDate:
    """A publication date with its precision; ``iso`` is YYYY, YYYY-MM or YYYY-MM-DD."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def span(self) -> tuple[dt.date, dt.date]:
        """First and last calendar day this date can denote."""
        if self.month is None:
            return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        first = dt.date(self.year, self.month, self.day or 1)
        if self.day is not None:
            return first, first
        nxt = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)

    @classmethod
    def parse(cls, text: str) -> PubDate:
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; raises ValueError on anything else."""
        parts = text.strip().split("-")
        if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a date: {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
        nums = [int(p) for p in parts]
        date = cls(*nums)  # type: ignore[arg-type]
        date.span()  # validates month/day ranges
        return date


@dataclass(frozen=True)
class Span:
    """Half-open character range [start, end) in a document's original text."""

    start: int
    end: int


FETCH_LAG_DAYS = 7
"""A crawled page was published on its fetch day or within the week before (SaudiNewsNet: 141 of 215 pages
whose text names the day -- "أمس الأحد" -- the same day, the rest within the week)."""


@dataclass(frozen=True)
class Document:
    """One article: its original text untouched, plus metadata and a search view."""

    doc_id: str
    path: str
    text: str
    title: str
    outlet: str | None
    date: PubDate | None
    date_source: DateSource | None
    content_hash: str
    boilerplate: tuple[Span, ...] = ()
    url: str | None = None
    author: str | None = None
    fetched: PubDate | None = None
    """When a crawler fetched the page (a dump's fetch-time field): an upper bound on the publication date, never it."""

    def window_span(self) -> tuple[dt.date, dt.date] | None:
        """The days a question's date window may find this article on: its date's, else the week up to its
        fetch day (published then or a few days before), else None (undated)."""
        if self.date is not None:
            return self.date.span()
        if self.fetched is not None:
            last = self.fetched.span()[1]
            return last - dt.timedelta(days=FETCH_LAG_DAYS), last
        return None

    def meta(self) -> dict[str, Any]:
        """JSON-ready metadata (everything but the text); url, author and fetched only when known."""
        extra = {"url": self.url, "author": self.author, "fetched": self.fetched.iso if self.fetched else None}
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "date": self.date.iso if self.date else None,
            "date_source": self.date_source,
            "outlet": self.outlet,
            "chars": len(self.text),
            "content_hash": self.content_hash,
            **{k: v for k, v in extra.items() if v is not None},
        }


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: ``text == document.text[start:end]``."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    search_text: str


@dataclass(frozen=True)
class SkippedFile:
    """A file ingestion could not use, and why."""

    path: str
    reason: str


@dataclass
class DumpInfo:
    """What one dump held and how its fields were read: printed by ``assistant index``, kept in the manifest."""

    path: str
    format: str
    records: int = 0
    articles: int = 0
    fields: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: the dump, its records, the field each role was read from."""
        used = " ".join(f"{role}={name}" for role, name in self.fields.items() if name)
        unused = ", ".join(role for role, name in self.fields.items() if not name)
        line = f"{self.path} ({self.format}, {self.articles:,} of {self.records:,} records): {used}"
        if unused:
            line += f"; none for {unused}"
        return line + "".join(f"\n  {note}" for note in self.notes)


@dataclass
class IngestReport:
    """What ingestion read and what it skipped."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[SkippedFile] = field(default_factory=list)
    """Files that were read, with a problem worth telling (a malformed sidecar, ignored)."""
    dumps: list[DumpInfo] = field(default_factory=list)
    """The dumps read (JSON Lines, JSON, CSV), with the field each role was read from."""


@dataclass(frozen=True)
class DateWindow:
    """An inclusive date range asked for in a question, with the words that set it."""

    start: dt.date | None
    end: dt.date | None
    text: str = ""

    def overlaps(self, date: PubDate) -> bool:
        """Whether any day the (possibly partial) date denotes lies in the window."""
        first, last = date.span()
        if self.start is not None and last < self.start:
            return False
        return not (self.end is not None and first > self.end)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "text": self.text,
        }


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the scores behind it."""

    chunk: Chunk
    score: float
    date: str | None
    dense_score: float | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None
    also: tuple[str, ...] = ()
    """Other articles that are copies of this one's story (wire copies), folded into this hit."""

    def to_json(self) -> dict[str, Any]:
        out = {
            "doc_id": self.chunk.doc_id,
            "chunk_id": self.chunk.chunk_id,
            "text": self.chunk.text,
            "start": self.chunk.start,
            "end": self.chunk.end,
            "score": round(self.score, 6),
            "date": self.date,
        }
        if self.also:
            out["also_reported_by"] = list(self.also)
        return out


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


DateRule = Literal["none", "in-window", "undated-fallback", "empty-window"]


@dataclass(frozen=True)
class SearchResult:
    """Hits for one query, with the date window and the rule that filtered them."""

    query: str
    hits: list[Hit]
    date_window: DateWindow | None
    date_rule: DateRule

    def to_json(self) -> dict[str, Any]:
        window = None
        if self.date_window is not None:
            window = {**self.date_window.to_json(), "rule": self.date_rule}
        return {"query": self.query, "date_window": window, "results": [h.to_json() for h in self.hits]}


def asjson(obj: Any) -> Any:
    """Dataclass to plain JSON-ready data."""
    return asdict(obj)
