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
    "meta_date",
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


_ISO_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?$", re.IGNORECASE)


def meta_date(value: Any) -> PubDate:
    """A date a metadata field gives: a TOML/YAML date or datetime, YYYY[-MM[-DD]], or an ISO date and time
    ("2015-07-22 09:57:26", "2015-08-10T10:00:00+03:00": the day as written). Raises ValueError."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return PubDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"date must be a string like \"2021-05-28\", not {type(value).__name__}")
    timed = _ISO_TIME_RE.match(value.strip())
    return PubDate.parse(timed.group(1) if timed else value)


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
        date = meta_date(data["date"]) if "date" in data else None
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
    given: PubDate | None, text: str, boilerplate: tuple[Span, ...], today: dt.date
) -> tuple[PubDate | None, DateSource | None]:
    """The article's date and where it came from: metadata's (``given``: a sidecar, front matter, a dump's
    field) when there is one, else the text's (header, dateline or weekday rule)."""
    if given is not None:
        return given, "metadata"
    return extract_date(text, boilerplate, today)


# --- field names (dumps and front matter) -------------------------------------

#: What a metadata field is called in the wild, by the role it plays; matched case-insensitively,
#: first name first. ``fetched`` is a crawl time: an upper bound on the publication date, never it.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("content", "text", "body", "article", "article_text", "full_text", "maintext", "story"),
    "title": ("title", "headline", "heading"),
    "date": ("date", "published", "published_at", "publish_date", "publication_date", "date_published", "datepublished", "pubdate", "pub_date"),
    "fetched": ("date_extracted", "fetched", "fetched_at", "crawled", "crawled_at", "scraped_at", "retrieved", "date_crawled", "date_download", "date_downloaded"),
    "outlet": ("outlet", "source", "publisher", "site_name", "sitename", "site", "newspaper", "source_name"),
    "url": ("url", "link", "canonical_url", "source_url", "href"),
    "id": ("id", "_id", "doc_id", "article_id", "uuid", "guid"),
    "author": ("author", "authors", "byline", "writer"),
}


def detect_fields(names: list[str]) -> dict[str, str | None]:
    """Which of ``names`` (a dump's keys, in their order) plays each role; None where none does."""
    lower = {}
    for name in names:
        lower.setdefault(name.lower(), name)
    return {role: next((lower[c] for c in candidates if c in lower), None) for role, candidates in FIELD_NAMES.items()}


def field_text(value: Any) -> str | None:
    """A metadata value as one line of text (a list of authors joined), or None when empty."""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v is not None and str(v).strip())
    if value is None or isinstance(value, (dict, bool)):
        return None
    text = " ".join(str(value).split())
    return text or None


# --- front matter -------------------------------------------------------------

_FRONT_MATTER_RES = (
    ("yaml", re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<body>.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)),
    ("toml", re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(?P<body>.*?)^\+\+\+[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)),
)


@dataclass
class FrontMatter:
    """Metadata at the top of a Markdown or text file, between ``---`` (YAML) or ``+++`` (TOML) lines."""

    span: Span
    date: PubDate | None = None
    fetched: PubDate | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    author: str | None = None
    problems: list[str] = field(default_factory=list)


def parse_front_matter(text: str) -> FrontMatter | None:
    """The front matter opening ``text``, or None when it has none; malformed front matter gives its problem."""
    for kind, rx in _FRONT_MATTER_RES:
        m = rx.match(text)
        if m is None:
            continue
        found = FrontMatter(span=Span(0, m.end()))
        try:
            if kind == "yaml":
                import yaml  # PyYAML: the YAML parser everyone has; imported only for files that have YAML

                data = yaml.safe_load(m.group("body"))
            else:
                data = tomllib.loads(m.group("body"))
        except Exception as exc:  # noqa: BLE001 -- YAML's and TOML's errors alike: the file is still read
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            found.problems.append(f"front matter ignored: not valid {kind.upper()} ({first})")
            return found
        if not isinstance(data, dict):
            found.problems.append(f"front matter ignored: not a mapping of keys to values ({kind.upper()})")
            return found
        roles = detect_fields([str(k) for k in data])
        value = {role: data.get(key) if key is not None else None for role, key in roles.items()}
        for role in ("date", "fetched"):
            if value[role] is not None:
                try:
                    setattr(found, role, meta_date(value[role]))
                except ValueError as exc:
                    found.problems.append(f"front matter {role} ignored: {exc}")
        for role in ("title", "outlet", "url", "author"):
            setattr(found, role, field_text(value[role]))
        return found
    return None
