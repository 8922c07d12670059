"""An article's publication date (:func:`extract_date`); first rule that finds one wins:

* ``header`` -- a labelled date at the top ("date 2021-05", "التاريخ: 28/05/2021",
  "Date: 2021-05-28", "نشر في 28 مايو 2021", "التاريخ: 9/10/1436هـ") or a top line
  that is only a date; any precision (year, month or day).
* ``dateline`` -- a full date opening one of the first lines, after at most a
  place name: "كانبيرا 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م (واس) -",
  "الرياض - 28 مايو 2021:", "28/5/2021 - ...". A Hijri date is converted
  (Umm al-Qura); with a "الموافق" Gregorian pair the Gregorian date is taken, and
  the pair must agree within two days, else there is none.
* ``inferred`` -- a weekday with a day and month but no year ("اليوم الجمعة 28
  مايو/ أيار"): the latest year up to today's whose calendar agrees.

A date merely mentioned in the body ("وفي 15 أكتوبر 2015 ...") is never the
publication date: in real news it is usually an event's (on 400 Saudi
articles, 10 of 24 such dates were wrong). When unsure, none. The
``metadata`` source (a sidecar, front matter or a dump's field) is applied by
:mod:`assistant.ingest.metadata`, which calls this only when metadata gives
no date. Matching runs on the fold and patterns of :mod:`assistant.text.dates`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.text.dates import (
    DAY,
    DMY,
    HIJRI_DMY,
    HIJRI_NUM,
    MDY,
    MONTH,
    NOT_LETTER_AFTER,
    NOT_LETTER_BEFORE,
    NUM,
    OF,
    WEEKDAY,
    YEAR,
    YEAR_WORD,
    YMD,
    fold,
    hijri_month_number,
    hijri_to_gregorian,
    int_day,
    month_number,
    valid_date,
    weekday_number,
)
from assistant.text.spans import Line, inside_any, overlaps_any, split_lines
from assistant.types import DateSource, PubDate, Span

__all__ = ["extract_date", "header_date"]

# --- patterns (on folded text) ------------------------------------------------

_FULL_DATE_RES = [re.compile(p, re.IGNORECASE) for p in (DMY, MDY, YMD, NUM)]
_HIJRI_RES = [re.compile(p) for p in (HIJRI_DMY, HIJRI_NUM)]

# Weekday, then day and month: "الجمعة 28 مايو/ أيار", "الجمعة، 28 من مايو", "Friday, May 28", "Friday 28 May"
_WEEKDAY_DATE_RE = re.compile(
    rf"{NOT_LETTER_BEFORE}(?P<wd>{WEEKDAY})\s*[,،]?\s*(?:(?:الموافق|الماضي|المقبل|القادم|the)\s*[,،]?\s*)?"
    rf"(?:(?<![\d.,/-])(?P<d>{DAY}){OF}\s*(?P<mon>{MONTH})|(?P<mon2>{MONTH})\s*(?P<d2>{DAY})(?!\d))",
    re.IGNORECASE,
)
_YEAR_AFTER_RE = re.compile(rf"\s*[-.,،/]?\s*{YEAR_WORD}{YEAR}(?!\d)")

# Header labels at the start of a line.
_HEADER_LABEL_RE = re.compile(
    r"^[\s\-–—*#>|]*(?:date|dated|published(?:\s+on)?|posted(?:\s+on)?|publication\s+date|release\s+date"
    r"|التاريخ|تاريخ\s+النشر|تاريخ|ن[\u064b-\u0652]*شر(?:\s+(?:في|بتاريخ|يوم))?|بتاريخ)"
    rf"{NOT_LETTER_AFTER}\s*[:：\-–—]?\s*",
    re.IGNORECASE,
)
_MONTH_YEAR_RE = re.compile(rf"(?P<mon>{MONTH})\s*[,،]?\s*{YEAR_WORD}(?P<y>{YEAR})(?!\d)", re.IGNORECASE)
_ISO_MONTH_RE = re.compile(rf"(?<![\d/.-])(?P<y>{YEAR})-(?P<m>\d{{1,2}})(?![\d]|-\d)")
_YEAR_ONLY_RE = re.compile(rf"(?<![\d.,/-])(?P<y>{YEAR})(?![\d]|[.,/-]\d)")
_WEEKDAY_PREFIX_RE = re.compile(rf"{WEEKDAY}\s*[,،]?\s*", re.IGNORECASE)
# What may follow a date on a line of its own: a time of day.
_TIME_TAIL_RE = re.compile(
    r"^[\s,،\-–—|]*(?:(?:at|الساعه|في)\s+)?(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm|ص|م|صباحا|مساء)?)?[\s.]*$",
    re.IGNORECASE,
)
_HEADER_LINES = 5


@dataclass(frozen=True)
class _Found:
    """A date recognised at ``start:end`` of the folded text; unknown parts None."""

    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None


def _full_from(m: re.Match[str]) -> _Found:
    """Year, month, day from a match of one of the full-date patterns."""
    groups = m.groupdict()
    if groups.get("hy"):
        month = hijri_month_number(groups["hmon"]) if groups.get("hmon") else int(groups["hm"])
        g = hijri_to_gregorian(int(groups["hy"]), month or 0, int_day(groups["hd"]))
        if g is None:
            return _Found(m.start(), m.end(), None, None, None)
        return _Found(m.start(), m.end(), g.year, g.month, g.day)
    year = int(groups["y"])
    if groups.get("mon"):
        return _Found(m.start(), m.end(), year, month_number(groups["mon"]), int_day(groups["d"]))
    if groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        day, month = (b, a) if b > 12 >= a else (a, b)
        return _Found(m.start(), m.end(), year, month, day)
    return _Found(m.start(), m.end(), year, int(groups["m"]), int(groups["d"]))


# --- publication date -------------------------------------------------------

def _full_at(folded: str, pos: int) -> _Found | None:
    """A full date (Gregorian, or Hijri converted) starting exactly at ``pos``."""
    for rx in (*_HIJRI_RES, *_FULL_DATE_RES):
        m = rx.match(folded, pos)
        if m:
            return _full_from(m)
    return None


def _date_at(folded: str, pos: int) -> _Found | None:
    """A date of any precision starting at ``pos`` (after an optional weekday)."""
    wd = _WEEKDAY_PREFIX_RE.match(folded, pos)
    if wd:
        pos = wd.end()
    full = _full_at(folded, pos)
    if full is not None:
        return full
    m = _MONTH_YEAR_RE.match(folded, pos)
    if m:
        return _Found(m.start(), m.end(), int(m.group("y")), month_number(m.group("mon")), None)
    m = _ISO_MONTH_RE.match(folded, pos)
    if m:
        return _Found(m.start(), m.end(), int(m.group("y")), int(m.group("m")), None)
    m = _YEAR_ONLY_RE.match(folded, pos)
    if m:
        return _Found(m.start(), m.end(), int(m.group("y")), None, None)
    return None


def _top_lines(text: str, boilerplate: tuple[Span, ...], n: int) -> Iterator[Line]:
    """The first ``n`` lines of ``text`` that hold something outside boilerplate."""
    seen = 0
    for line in split_lines(text):
        if not line.text.strip() or inside_any(line.start, line.end, boilerplate):
            continue
        seen += 1
        if seen > n:
            return
        yield line


def _header_date(text: str, folded: str, boilerplate: tuple[Span, ...]) -> tuple[PubDate, Span] | None:
    for line in _top_lines(text, boilerplate, _HEADER_LINES):
        segment = folded[line.start : line.end]
        label = _HEADER_LABEL_RE.match(segment)
        start = label.end() if label else len(segment) - len(segment.lstrip(" \t-–—*#>|"))
        found = _date_at(segment, start)
        if found is None or found.year is None:
            continue
        alone = _TIME_TAIL_RE.match(segment[found.end :]) is not None
        if not alone and (not label or found.month is None):
            continue  # a bare date, or a bare year, counts only as a line of its own
        if valid_date(found.year, found.month, found.day):
            end = line.end if alone else line.start + found.end
            return PubDate(found.year, found.month, found.day), Span(line.start, end)
    return None


def header_date(text: str, boilerplate: tuple[Span, ...]) -> tuple[PubDate, Span] | None:
    """The date a header at the top of ``text`` gives, with the span of that header (label and date)."""
    return _header_date(text, fold(text), boilerplate)


# A dateline: at most a place name (one to three words, none of them a preposition that
# would make the date an event's: "في 28 مايو"), a separator, then a full date.
_PLACE_RE = re.compile(r"^[\s\-–—*#>|(]*(?:(?P<place>[^\W\d_]+(?:\s+[^\W\d_]+){0,2})\s*(?:[-–—_:،,(/|]\s*)*)?")
_NOT_PLACES = frozenset(
    "في منذ يوم حتي قبل بعد خلال الي من مع عن عند بين ومنذ وفي ففي وقد قد تاريخ بتاريخ حوالي نحو"
    " in on at since from to until till before after by during of the".split()
)
_PAIR_RE = re.compile(r"\s*(?:م(?![^\W\d_])\.?)?\s*[,،(]?\s*(?:ال|و)?(?:موافق|يوافق)\s*(?:ل|لـ)?\s*")
_PAIR_SLACK_DAYS = 2
_DATELINE_LINES = 3


def _as_date(found: _Found | None) -> dt.date | None:
    if found is None or found.year is None or found.day is None or not valid_date(found.year, found.month, found.day):
        return None
    return dt.date(found.year, found.month or 1, found.day)


def _opening_date(segment: str) -> _Found | None:
    """A full date opening ``segment`` after at most a place name (and a weekday), else None."""
    lead = _PLACE_RE.match(segment)
    assert lead is not None  # every part of it is optional
    starts = [lead.end()]
    if lead.group("place"):  # the date may begin inside what looked like a place: "جدة May 28, 2021"
        words = list(re.finditer(r"\S+", lead.group("place")))
        starts = [lead.start("place") + w.start() for w in words] + starts
    for pos in starts:
        if any(w in _NOT_PLACES for w in segment[lead.start() : pos].lower().split()):
            return None  # "في 28 مايو": an event's date
        weekday = _WEEKDAY_PREFIX_RE.match(segment, pos)
        found = _full_at(segment, weekday.end() if weekday else pos)
        if found is not None:
            return found
    return None


def _dateline_date(text: str, folded: str, boilerplate: tuple[Span, ...], today: dt.date) -> PubDate | None:
    for line in _top_lines(text, boilerplate, _DATELINE_LINES):
        segment = folded[line.start : line.end]
        found = _opening_date(segment)
        first = _as_date(found)
        if found is None or first is None:
            continue
        pair = _PAIR_RE.match(segment, found.end)
        second = _as_date(_full_at(segment, pair.end())) if pair else None
        if second is not None:
            if abs((second - first).days) > _PAIR_SLACK_DAYS:
                return None  # the two calendars disagree: unsure, so none
            first = second  # the Gregorian side of the pair when one is Hijri; the same day otherwise
        if first > today + dt.timedelta(days=1):
            return None
        return PubDate(first.year, first.month, first.day)
    return None


def _latest_year(month: int, day: int, weekday: int, today: dt.date) -> int | None:
    """The latest year up to today's in which ``day`` ``month`` falls on ``weekday`` and is not after today."""
    for year in range(today.year, today.year - 401, -1):
        if day > calendar.monthrange(year, month)[1]:
            continue
        date = dt.date(year, month, day)
        if date <= today and date.weekday() == weekday:
            return year
    return None


def _inferred_date(folded: str, boilerplate: tuple[Span, ...], today: dt.date) -> PubDate | None:
    for m in _WEEKDAY_DATE_RE.finditer(folded):
        if overlaps_any(m.start(), m.end(), boilerplate) or _YEAR_AFTER_RE.match(folded, m.end()):
            continue
        month = month_number(m.group("mon") or m.group("mon2"))
        day = int_day(m.group("d") or m.group("d2"))
        if month is None or not 1 <= day <= 31:
            continue
        year = _latest_year(month, day, weekday_number(m.group("wd")), today)
        if year is not None:
            return PubDate(year, month, day)
    return None


def extract_date(
    text: str, boilerplate: tuple[Span, ...], today: dt.date
) -> tuple[PubDate | None, DateSource | None]:
    """An article's publication date and where it came from (header, dateline or inferred), or (None, None).

    Dates inside ``boilerplate`` spans are never used; ``today`` bounds
    datelines and inferred years.
    """
    folded = fold(text)
    header = _header_date(text, folded, boilerplate)
    if header is not None:
        return header[0], "header"
    date = _dateline_date(text, folded, boilerplate, today)
    if date is not None:
        return date, "dateline"
    date = _inferred_date(folded, boilerplate, today)
    if date is not None:
        return date, "inferred"
    return None, None
