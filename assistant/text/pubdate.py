"""An article's publication date (:func:`extract_date`); first rule that finds one wins:

* ``header`` -- a labelled date at the top ("date 2021-05", "التاريخ: 28/05/2021",
  "Date: 2021-05-28", "نشر في 28 مايو 2021") or a top line that is only a date;
  any precision (year, month or day).
* ``text`` -- the first full date (day, month and year) in the body, outside
  boilerplate and not after today: "28 مايو 2021", "28 أيار/مايو 2021",
  "May 28, 2021", "2021-05-28", "28/5/2021" (day first unless that is impossible).
* ``inferred`` -- a weekday with a day and month but no year ("اليوم الجمعة 28
  مايو/ أيار"): the latest year up to today's whose calendar agrees.

A month and year without a day ("سبتمبر 2015") in the body is not a
publication date. The ``metadata`` source (a sidecar file) is applied by
:mod:`assistant.ingest.metadata`, which calls this only when the sidecar has no date.
Matching runs on the fold and patterns of :mod:`assistant.text.dates`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.text.dates import DAY, DMY, MDY, MONTH, NOT_LETTER_AFTER, NOT_LETTER_BEFORE, NUM, OF, WEEKDAY, YEAR, YEAR_WORD, YMD, fold, int_day, month_number, valid_date, weekday_number
from assistant.text.spans import inside_any, overlaps_any, split_lines
from assistant.types import DateSource, PubDate, Span

__all__ = ["extract_date", "header_date"]

# --- patterns (on folded text) ------------------------------------------------

_FULL_DATE_RES = [re.compile(p, re.IGNORECASE) for p in (DMY, MDY, YMD, NUM)]

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
    year = int(groups["y"])
    if groups.get("mon"):
        return _Found(m.start(), m.end(), year, month_number(groups["mon"]), int_day(groups["d"]))
    if groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        day, month = (b, a) if b > 12 >= a else (a, b)
        return _Found(m.start(), m.end(), year, month, day)
    return _Found(m.start(), m.end(), year, int(groups["m"]), int(groups["d"]))


def _full_dates(folded: str) -> Iterator[_Found]:
    """Every full (day, month, year) date in ``folded``, in order; overlapping finds keep the longest."""
    finds = [_full_from(m) for rx in _FULL_DATE_RES for m in rx.finditer(folded)]
    finds.sort(key=lambda f: (f.start, -(f.end - f.start)))
    last_end = -1
    for f in finds:
        if f.start >= last_end:
            last_end = f.end
            yield f


# --- publication date -------------------------------------------------------

def _date_at(folded: str, pos: int) -> _Found | None:
    """A date of any precision starting at ``pos`` (after an optional weekday)."""
    wd = _WEEKDAY_PREFIX_RE.match(folded, pos)
    if wd:
        pos = wd.end()
    for rx in (*_FULL_DATE_RES, _MONTH_YEAR_RE):
        m = rx.match(folded, pos)
        if m:
            if rx is _MONTH_YEAR_RE:
                return _Found(m.start(), m.end(), int(m.group("y")), month_number(m.group("mon")), None)
            return _full_from(m)
    m = _ISO_MONTH_RE.match(folded, pos)
    if m:
        return _Found(m.start(), m.end(), int(m.group("y")), int(m.group("m")), None)
    m = _YEAR_ONLY_RE.match(folded, pos)
    if m:
        return _Found(m.start(), m.end(), int(m.group("y")), None, None)
    return None


def _header_date(text: str, folded: str, boilerplate: tuple[Span, ...]) -> tuple[PubDate, Span] | None:
    seen = 0
    for line in split_lines(text):
        if not line.text.strip() or inside_any(line.start, line.end, boilerplate):
            continue
        seen += 1
        if seen > _HEADER_LINES:
            return None
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


def _text_date(folded: str, boilerplate: tuple[Span, ...], today: dt.date) -> PubDate | None:
    for f in _full_dates(folded):
        assert f.year is not None and f.month is not None
        if overlaps_any(f.start, f.end, boilerplate) or not valid_date(f.year, f.month, f.day):
            continue
        if dt.date(f.year, f.month, f.day or 1) <= today:
            return PubDate(f.year, f.month, f.day)
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
    """An article's publication date and where it came from (header, text or inferred), or (None, None).

    Dates inside ``boilerplate`` spans are never used; ``today`` bounds
    body dates and inferred years.
    """
    folded = fold(text)
    header = _header_date(text, folded, boilerplate)
    if header is not None:
        return header[0], "header"
    date = _text_date(folded, boilerplate, today)
    if date is not None:
        return date, "text"
    date = _inferred_date(folded, boilerplate, today)
    if date is not None:
        return date, "inferred"
    return None, None
