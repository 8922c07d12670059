"""What an article says about itself besides its text: its sidecar, title, outlet and publication date.

Sidecar metadata: next to ``article.txt`` an optional ``article.txt.meta.toml``
(the full file name plus ``.meta.toml``) may say::

    date = "2021-05-28"     # YYYY, YYYY-MM or YYYY-MM-DD (a TOML date works too)
    title = "..."
    outlet = "..."

Each key it gives wins over what is found in the text (the date's source is
then ``metadata``; otherwise :func:`assistant.text.pubdate.extract_date`
reads the text). A malformed sidecar is ignored with a problem to report; the
article is still read. Reading the sidecar's file (confined to the folder
named) and hashing its bytes into the article's ``content_hash`` are
:mod:`assistant.ingest.reader`'s.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.text.pubdate import extract_date, header_date
from assistant.text.spans import inside_any, split_lines
from assistant.types import DateSource, PubDate, Span

__all__ = [
    "SIDECAR_MAX_BYTES",
    "SIDECAR_SUFFIX",
    "Sidecar",
    "find_outlet",
    "find_title",
    "parse_sidecar",
    "publication_date",
    "sidecar_path",
]

SIDECAR_SUFFIX = ".meta.toml"
SIDECAR_MAX_BYTES = 64_000
_SIDECAR_KEYS = ("date", "title", "outlet")
_TITLE_MAX_CHARS = 150


# --- outlet and title ---------------------------------------------------------

# "طيف بوست – فريق التحرير", "ليفانت نيوز_ وكالات", "Reuters - staff": a short
# name, a separator, a newsroom word. ("دمشق – خاص" is a dateline, not an outlet,
# so "خاص" is not one of the words.)
_BYLINE_ROLE = (
    r"(?:فريق\s+التحرير|هيئة\s+التحرير|التحرير|تحرير|وكالات|متابعات"
    r"|editorial\s+team|editorial|staff|agencies|newsroom|wires?)"
)
_BYLINE_RE = re.compile(rf"^\s*(?P<name>[^\n:]{{2,40}}?)\s*[–—\-_|/]+\s*{_BYLINE_ROLE}\s*[.!]?\s*$", re.IGNORECASE)
_SOURCE_RE = re.compile(r"^\s*(?:المصدر|مصدر\s+الخبر|source|via)\s*[:：]\s*(?P<name>[^\n]{2,40}?)\s*[.]?\s*$", re.IGNORECASE)
_NAME_MAX_WORDS = 5
_SENTENCE_PUNCT_RE = re.compile(r"[.،,؛;!?؟:]")
_QUOTES = "\"'“”«»‘’()[]"


def _byline_name(line: str) -> str | None:
    m = _BYLINE_RE.match(line) or _SOURCE_RE.match(line)
    if not m:
        return None
    name = m.group("name").strip().strip(_QUOTES).strip()
    if not name or len(name.split()) > _NAME_MAX_WORDS or _SENTENCE_PUNCT_RE.search(name):
        return None
    if not any(c.isalpha() for c in name):
        return None
    return name


def find_outlet(text: str, boilerplate: tuple[Span, ...]) -> str | None:
    """The outlet a byline names ("X – فريق التحرير", "X_ وكالات", "المصدر: X"), outside boilerplate; else None."""
    for line in split_lines(text):
        if line.text.strip() and not inside_any(line.start, line.end, boilerplate):
            name = _byline_name(line.text)
            if name:
                return name
    return None


_TITLE_LABEL_RE = re.compile(r"^\s*(?:#+\s*|title\s*:\s*|العنوان\s*:\s*)", re.IGNORECASE)
_MIN_TITLE_WORDS = 3
_MIN_TITLE_LETTERS = 10


def _clip(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= _TITLE_MAX_CHARS:
        return title
    cut = title.rfind(" ", 0, _TITLE_MAX_CHARS)
    return title[: cut if cut > 0 else _TITLE_MAX_CHARS].rstrip(" ،,:;-–") + "…"


def find_title(text: str, boilerplate: tuple[Span, ...]) -> str | None:
    """The first substantial line outside boilerplate, not a byline, without a leading date header; None if none."""
    header = header_date(text, boilerplate)
    for line in split_lines(text):
        if not line.text.strip() or inside_any(line.start, line.end, boilerplate):
            continue
        candidate = line.text
        if header is not None and line.start <= header[1].start < line.end:
            candidate = text[line.start : header[1].start] + text[header[1].end : line.end]
        candidate = _TITLE_LABEL_RE.sub("", candidate, count=1).strip()
        if _byline_name(candidate):
            continue
        letters = sum(1 for c in candidate if c.isalpha())
        if len(candidate.split()) >= _MIN_TITLE_WORDS and letters >= _MIN_TITLE_LETTERS:
            return _clip(candidate)
    return None

# --- sidecar ----------------------------------------------------------------

@dataclass
class Sidecar:
    """An article's sidecar: its bytes, the keys it gives, and why it was ignored, if it was."""

    raw: bytes = b""
    date: PubDate | None = None
    title: str | None = None
    outlet: str | None = None
    problems: list[str] = field(default_factory=list)


def sidecar_path(path: Path) -> Path:
    """Where the metadata sidecar of an article lives: its full name plus ``.meta.toml``."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _sidecar_date(value: Any) -> PubDate:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return PubDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"date must be a string like \"2021-05-28\", not {type(value).__name__}")
    return PubDate.parse(value)


def parse_sidecar(raw: bytes, name: str) -> Sidecar:
    """The sidecar file ``name`` whose bytes are ``raw``; one that is malformed gives only its problem."""
    found = Sidecar(raw=raw)
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        found.problems.append(f"sidecar {name} ignored: not valid TOML ({exc})")
        return found
    unknown = sorted(set(data) - set(_SIDECAR_KEYS))
    try:
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (allowed: {', '.join(_SIDECAR_KEYS)})")
        date = _sidecar_date(data["date"]) if "date" in data else None
        texts = {}
        for key in ("title", "outlet"):
            if key in data:
                if not isinstance(data[key], str) or not data[key].strip():
                    raise ValueError(f"{key} must be a non-empty string")
                texts[key] = " ".join(data[key].split())
    except ValueError as exc:
        found.problems.append(f"sidecar {name} ignored: {exc}")
        return found
    found.date, found.title, found.outlet = date, texts.get("title"), texts.get("outlet")
    return found


# --- publication date ---------------------------------------------------------

def publication_date(
    side: Sidecar, text: str, boilerplate: tuple[Span, ...], today: dt.date
) -> tuple[PubDate | None, DateSource | None]:
    """The article's date and where it came from: the sidecar's (``metadata``) when it gives one, else the text's."""
    if side.date is not None:
        return side.date, "metadata"
    return extract_date(text, boilerplate, today)
