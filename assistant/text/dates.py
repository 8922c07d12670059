"""Dates: an article's publication date, and the date window a question asks about.

Publication date (:func:`extract_date`), first rule that finds one wins:

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

Question windows (:func:`parse_date_window`): "in May 2021", "في أيار 2021",
"عام 2021", "during 2021", "May 28, 2021", "2021-05", "between April and May
2021", "from March 2021 to May 2021", "since 2021", "before 2022", "this
year"... A bare year counts only after a word that introduces it (in, during,
عام, سنة, في, خلال, since, منذ, before, قبل...) or next to a month name, so
"the 2021 election" and "resolution 2254" set no window.

Matching runs on an offset-preserving fold of the text (one character for
one: the search view's table :data:`assistant.text.arabic.FOLD`, i.e.
Arabic-Indic digits to ASCII, أ/إ/آ/ٱ to ا, ى to ي, ة to ه; invisible and bidi
marks to spaces), so every match maps straight back to the original. Month names are
a small table here rather than a dependency: about forty names in two Arabic
series (يناير... and كانون الثاني...), Maghrebi forms and English.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.errors import BadInput
from assistant.text.arabic import FOLD, INVISIBLE
from assistant.text.spans import inside_any, overlaps_any, split_lines
from assistant.types import DateSource, DateWindow, PubDate, Span

__all__ = ["extract_date", "header_date", "month_number", "parse_date_window"]

# --- offset-preserving fold -------------------------------------------------

# The search view's fold table (digits, alef/yeh/teh marbuta), plus invisible
# marks and no-break spaces as plain spaces: one character for one.
_FOLD = str.maketrans({**FOLD, **{c: " " for c in INVISIBLE + "\u00a0"}})


def _fold(text: str) -> str:
    """Same length as ``text``: digits, alef/yeh/teh marbuta variants and invisible marks unified."""
    return text.translate(_FOLD)


# --- names (folded forms) ---------------------------------------------------

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "february", "feb"),
    3: ("مارس", "اذار", "march", "mar"),
    4: ("ابريل", "نيسان", "افريل", "april", "apr"),
    5: ("مايو", "ايار", "ماي", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun"),
    7: ("يوليو", "يوليه", "تموز", "جويليه", "july", "jul"),
    8: ("اغسطس", "اب", "اوت", "august", "aug"),
    9: ("سبتمبر", "ايلول", "september", "sept", "sep"),
    10: ("اكتوبر", "تشرين الاول", "تشرين اول", "october", "oct"),
    11: ("نوفمبر", "تشرين الثاني", "تشرين ثاني", "november", "nov"),
    12: ("ديسمبر", "كانون الاول", "كانون اول", "december", "dec"),
}

_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {  # Monday = 0, as datetime
    0: ("الاثنين", "الاتنين", "monday"),
    1: ("الثلاثاء", "الثلثاء", "tuesday"),
    2: ("الاربعاء", "wednesday"),
    3: ("الخميس", "thursday"),
    4: ("الجمعه", "friday"),
    5: ("السبت", "saturday"),
    6: ("الاحد", "sunday"),
}

_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
# Like _NOT_LETTER_BEFORE, but also just after a separate conjunction و: "بين أبريل ومايو".
_WORD_START = r"(?:(?<![^\W\d_])|(?<=\sو))"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"


def _names_re(names: tuple[str, ...] | list[str]) -> str:
    ordered = sorted(names, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, n.split())) + (r"\.?" if n.isascii() else "") for n in ordered)


def _month_alternative(names: tuple[str, ...]) -> str:
    # "مايو", "مايو/ أيار", "أيار (مايو)": a pair is always the same month.
    one = f"(?:{_names_re(names)})"
    return rf"{one}(?:\s*[/\\(\-–—،,]\s*{one}\s*\)?)?{_NOT_LETTER_AFTER}"


_MONTH = "(?:" + "|".join(_month_alternative(n) for n in _MONTH_NAMES.values()) + ")"
_WEEKDAY = rf"(?:{_names_re([n for ns in _WEEKDAY_NAMES.values() for n in ns])}){_NOT_LETTER_AFTER}"
_MONTH_LOOKUP = [
    (re.compile(rf"{_names_re((name,))}{_NOT_LETTER_AFTER}", re.IGNORECASE), month)
    for month, names in _MONTH_NAMES.items()
    for name in sorted(names, key=len, reverse=True)
]
_WEEKDAY_LOOKUP = [
    (re.compile(re.escape(name), re.IGNORECASE), wd) for wd, names in _WEEKDAY_NAMES.items() for name in names
]


def month_number(name: str) -> int | None:
    """The month (1-12) a month name starts with, in any of the known spellings; None if none."""
    folded = _fold(name).strip()
    best: tuple[int, int] | None = None
    for rx, month in _MONTH_LOOKUP:
        m = rx.match(folded)
        if m and (best is None or m.end() > best[0]):
            best = (m.end(), month)
    return best[1] if best else None


def _weekday_number(name: str) -> int:
    folded = _fold(name).strip()
    for rx, wd in _WEEKDAY_LOOKUP:
        if rx.match(folded):
            return wd
    raise ValueError(name)  # unreachable: only called on regex matches


# --- date patterns (on folded text) -------------------------------------------
# Arabic literals below are written folded (ي for ى, ه for ة, ا for أ/إ/آ).

_YEAR = r"(?:1[89]|20)\d\d"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_OF = r"(?:\s*من)?(?:\s*شهر)?"
_YEAR_WORD = r"(?:(?:من\s+)?(?:ال)?(?:عام|سنه)\s+|of\s+)?"

# 28 مايو 2021 / 28 أيار/مايو 2021 / 28 من شهر مايو عام 2021 / 28 May, 2021 / 28-May-2021
_DMY = rf"(?<![\d.,/-])(?P<d>{_DAY}){_OF}\s*[-./]?\s*(?P<mon>{_MONTH})\s*[-.,،/]?\s*{_YEAR_WORD}(?P<y>{_YEAR})(?!\d)"
# May 28, 2021 / Dec. 19 2024
_MDY = rf"{_NOT_LETTER_BEFORE}(?P<mon>{_MONTH})\s*(?P<d>{_DAY})(?!\d)\s*[,،]?\s*(?P<y>{_YEAR})(?!\d)"
# 2021-05-28 / 2021/5/28
_YMD = rf"(?<![\d/.-])(?P<y>{_YEAR})(?P<s>[-/.])(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}})(?![\d])"
# 28/5/2021 / 28-05-2021 / 28.05.2021 (day first unless that is impossible)
_NUM = rf"(?<![\d/.-])(?P<a>\d{{1,2}})(?P<s>[-/.])(?P<b>\d{{1,2}})(?P=s)(?P<y>{_YEAR})(?![\d]|[.,]\d)"

_FULL_DATE_RES = [re.compile(p, re.IGNORECASE) for p in (_DMY, _MDY, _YMD, _NUM)]

# Weekday, then day and month: "الجمعة 28 مايو/ أيار", "الجمعة، 28 من مايو", "Friday, May 28", "Friday 28 May"
_WEEKDAY_DATE_RE = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?P<wd>{_WEEKDAY})\s*[,،]?\s*(?:(?:الموافق|الماضي|المقبل|القادم|the)\s*[,،]?\s*)?"
    rf"(?:(?<![\d.,/-])(?P<d>{_DAY}){_OF}\s*(?P<mon>{_MONTH})|(?P<mon2>{_MONTH})\s*(?P<d2>{_DAY})(?!\d))",
    re.IGNORECASE,
)
_YEAR_AFTER_RE = re.compile(rf"\s*[-.,،/]?\s*{_YEAR_WORD}{_YEAR}(?!\d)")

# Header labels at the start of a line.
_HEADER_LABEL_RE = re.compile(
    r"^[\s\-–—*#>|]*(?:date|dated|published(?:\s+on)?|posted(?:\s+on)?|publication\s+date|release\s+date"
    r"|التاريخ|تاريخ\s+النشر|تاريخ|ن[\u064b-\u0652]*شر(?:\s+(?:في|بتاريخ|يوم))?|بتاريخ)"
    rf"{_NOT_LETTER_AFTER}\s*[:：\-–—]?\s*",
    re.IGNORECASE,
)
_MONTH_YEAR_RE = re.compile(rf"(?P<mon>{_MONTH})\s*[,،]?\s*{_YEAR_WORD}(?P<y>{_YEAR})(?!\d)", re.IGNORECASE)
_ISO_MONTH_RE = re.compile(rf"(?<![\d/.-])(?P<y>{_YEAR})-(?P<m>\d{{1,2}})(?![\d]|-\d)")
_YEAR_ONLY_RE = re.compile(rf"(?<![\d.,/-])(?P<y>{_YEAR})(?![\d]|[.,/-]\d)")
_WEEKDAY_PREFIX_RE = re.compile(rf"{_WEEKDAY}\s*[,،]?\s*", re.IGNORECASE)
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


def _int_day(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def _full_from(m: re.Match[str]) -> _Found:
    """Year, month, day from a match of one of the full-date patterns."""
    groups = m.groupdict()
    year = int(groups["y"])
    if groups.get("mon"):
        return _Found(m.start(), m.end(), year, month_number(groups["mon"]), _int_day(groups["d"]))
    if groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        day, month = (b, a) if b > 12 >= a else (a, b)
        return _Found(m.start(), m.end(), year, month, day)
    return _Found(m.start(), m.end(), year, int(groups["m"]), int(groups["d"]))


def _valid(year: int, month: int | None, day: int | None) -> bool:
    try:
        PubDate(year, month, day).span()
    except (ValueError, TypeError):
        return False
    return True


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
        if _valid(found.year, found.month, found.day):
            end = line.end if alone else line.start + found.end
            return PubDate(found.year, found.month, found.day), Span(line.start, end)
    return None


def header_date(text: str, boilerplate: tuple[Span, ...]) -> tuple[PubDate, Span] | None:
    """The date a header at the top of ``text`` gives, with the span of that header (label and date)."""
    return _header_date(text, _fold(text), boilerplate)


def _text_date(folded: str, boilerplate: tuple[Span, ...], today: dt.date) -> PubDate | None:
    for f in _full_dates(folded):
        assert f.year is not None and f.month is not None
        if overlaps_any(f.start, f.end, boilerplate) or not _valid(f.year, f.month, f.day):
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
        day = _int_day(m.group("d") or m.group("d2"))
        if month is None or not 1 <= day <= 31:
            continue
        year = _latest_year(month, day, _weekday_number(m.group("wd")), today)
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
    folded = _fold(text)
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


# --- question date windows ----------------------------------------------------

@dataclass(frozen=True)
class _Part:
    """A point in a question: year may be borrowed from the other end of a range."""

    year: int | None
    month: int | None
    day: int | None
    text: str

    def with_year(self, year: int | None) -> _Part:
        return _Part(self.year if self.year is not None else year, self.month, self.day, self.text)

    def bounds(self) -> tuple[dt.date, dt.date]:
        if self.year is None:
            raise BadInput(f"no year in the date {self.text.strip()!r}", hint="add a year, e.g. 'May 2021'")
        _check(self.year, self.month, self.day, self.text)
        return PubDate(self.year, self.month, self.day).span()


def _check(year: int, month: int | None, day: int | None, text: str) -> None:
    if month is not None and not 1 <= month <= 12:
        raise BadInput(f"there is no month {month} in {text.strip()!r}", hint="months run from 1 to 12")
    if day is not None and month is not None and not _valid(year, month, day):
        name = calendar.month_name[month]
        raise BadInput(
            f"there is no day {day} in {name} {year} ({text.strip()!r})",
            hint=f"{name} {year} has {calendar.monthrange(year, month)[1]} days",
        )


# Names must be unique in one regex, so each use of a pattern gets its own copy.
def _named(pattern: str, suffix: str) -> str:
    return re.sub(r"\(\?P(<|=)(\w+)", lambda m: f"(?P{m.group(1)}{m.group(2)}{suffix}", pattern)


# An end point: a full date, a month and year, YYYY-MM, MM/YYYY, "شهر 5 2021",
# or a year (with عام / سنة / year when there is one).
_POINT = (
    rf"(?:(?:{_WEEKDAY})\s*[,،]?\s*)?(?:{_named(_DMY, '1')}|{_named(_MDY, '2')}|{_named(_YMD, '3')}|{_named(_NUM, '4')})"
    rf"|{_WORD_START}(?P<pmon>{_MONTH})\s*[,،]?\s*{_YEAR_WORD}(?P<py>{_YEAR})(?!\d)"
    rf"|(?<![\d/.-])(?P<iy>{_YEAR})-(?P<im>\d{{1,2}})(?![\d]|-\d)"
    rf"|(?<![\d/.-])(?P<sm>\d{{1,2}})/(?P<sy>{_YEAR})(?![\d/])"
    rf"|{_NOT_LETTER_BEFORE}(?:شهر|month)\s+(?P<nm>\d{{1,2}})(?!\d)"
    rf"(?:\s*[/,،]?\s*(?:من\s+)?(?:(?:ال)?(?:عام|سنه)\s+|of\s+)?(?P<ny>{_YEAR})(?!\d))?"
    rf"|(?:(?:the\s+)?years?\s+|(?:ال)?(?:عام|سنه|عامي|سنتي)\s+)?(?<![\d.,/-])(?P<yy>{_YEAR})(?![\d]|[.,/-]\d)"
)
# The first end of a range may lack its year: "between April and May 2021".
_POINT_NO_YEAR = rf"(?:(?<![\d.,/-])(?P<xd>{_DAY}){_OF}\s*)?{_WORD_START}(?P<xmon>{_MONTH})"

_CONJ = r"(?:\s+(?:and|to|until|till|through|thru|الي|حتي|لغايه|ولغايه|وحتي)\s+|\s*[-–—]\s*|\s+و\s*)"
_RANGE_RE = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?:between|from|بين|من)\s+(?:(?:the\s+)?(?:years|months)\s+|عامي\s+|سنتي\s+|العامين\s+|شهري\s+)?"
    rf"(?P<a>{_named(_POINT, '_a')}|{_named(_POINT_NO_YEAR, '_a')}){_CONJ}(?P<b>{_named(_POINT, '_b')})",
    re.IGNORECASE,
)
_OPEN_RE = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?P<w>since|after|before|until|till|up\s+to|منذ|بعد|قبل|حتي|لغايه)\s+(?:(?:ال)?(?:عام|سنه)\s+)?"
    rf"(?P<p>{_named(_POINT, '_p')})",
    re.IGNORECASE,
)
_SINGLE_RE = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?:(?:in|during|throughout|within)\s+(?:the\s+year\s+)?|و?(?:في|خلال|طوال)\s+)?"
    rf"(?P<p>{_named(_POINT, '_s')})",
    re.IGNORECASE,
)
_RELATIVE = {
    "this year": ("year", 0), "هذا العام": ("year", 0), "العام الحالي": ("year", 0), "العام الجاري": ("year", 0),
    "هذه السنه": ("year", 0), "السنه الحاليه": ("year", 0), "last year": ("year", -1),
    "العام الماضي": ("year", -1), "السنه الماضيه": ("year", -1), "this month": ("month", 0),
    "هذا الشهر": ("month", 0), "الشهر الحالي": ("month", 0), "الشهر الجاري": ("month", 0),
    "last month": ("month", -1), "الشهر الماضي": ("month", -1),
}
_RELATIVE_ALT = "|".join(r"\s+".join(p.split()) for p in _RELATIVE)
_RELATIVE_RE = re.compile(rf"{_NOT_LETTER_BEFORE}(?:{_RELATIVE_ALT}){_NOT_LETTER_AFTER}", re.IGNORECASE)


def _part(m: re.Match[str], suffix: str, group: str) -> _Part:
    """The end point matched by ``group`` of ``m``, whose inner group names end in ``suffix``."""
    g = {k[: -len(suffix)]: v for k, v in m.groupdict().items() if k.endswith(suffix) and v is not None}
    text = m.group(group)
    if "y1" in g:
        return _Part(int(g["y1"]), month_number(g["mon1"]), _int_day(g["d1"]), text)
    if "y2" in g:
        return _Part(int(g["y2"]), month_number(g["mon2"]), _int_day(g["d2"]), text)
    if "y3" in g:
        return _Part(int(g["y3"]), int(g["m3"]), int(g["d3"]), text)
    if "y4" in g:
        a, b = int(g["a4"]), int(g["b4"])
        day, month = (b, a) if b > 12 >= a else (a, b)
        return _Part(int(g["y4"]), month, day, text)
    if "py" in g:
        return _Part(int(g["py"]), month_number(g["pmon"]), None, text)
    if "iy" in g:
        return _Part(int(g["iy"]), int(g["im"]), None, text)
    if "sy" in g:
        return _Part(int(g["sy"]), int(g["sm"]), None, text)
    if "nm" in g:
        return _Part(int(g["ny"]) if "ny" in g else None, int(g["nm"]), None, text)
    if "xmon" in g:
        return _Part(None, month_number(g["xmon"]), _int_day(g["xd"]) if "xd" in g else None, text)
    return _Part(int(g["yy"]), None, None, text)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    window: DateWindow


def _candidates(question: str, folded: str, today: dt.date) -> Iterator[_Candidate]:
    def window(m: re.Match[str], start: dt.date | None, end: dt.date | None) -> _Candidate:
        return _Candidate(m.start(), m.end(), DateWindow(start, end, question[m.start() : m.end()].strip()))

    for m in _RANGE_RE.finditer(folded):
        a, b = _part(m, "_a", "a"), _part(m, "_b", "b")
        if b.year is None:
            _check(2000, b.month, None, b.text)  # "بين شهر 13 و..." is still impossible
            continue
        if a.year is None:
            a = a.with_year(b.year)
            if a.month is not None and b.month is not None and a.month > b.month:
                a = _Part(b.year - 1, a.month, a.day, a.text)  # "from November to February 2021"
        first, last = a.bounds()[0], b.bounds()[1]
        if first > last:
            raise BadInput(
                f"the date range {question[m.start() : m.end()].strip()!r} ends before it starts",
                hint="put the earlier date first",
            )
        yield window(m, first, last)
    for m in _OPEN_RE.finditer(folded):
        p = _part(m, "_p", "p")
        if p.year is None:
            _check(2000, p.month, None, p.text)
            continue
        lo, hi = p.bounds()
        word = m.group("w").lower()
        if word in ("since", "منذ"):
            yield window(m, lo, None)
        elif word in ("after", "بعد"):
            yield window(m, hi + dt.timedelta(days=1), None)
        elif word in ("before", "قبل"):
            yield window(m, None, lo - dt.timedelta(days=1))
        else:  # until / حتي (حتى): inclusive
            yield window(m, None, hi)
    for m in _SINGLE_RE.finditer(folded):
        p = _part(m, "_s", "p")
        if p.month is None and p.day is None and m.group("p") == m.group("yy_s") and m.start() == m.start("p"):
            continue  # a bare year with no introducing word: "the 2021 election"
        if p.year is None:
            _check(2000, p.month, None, p.text)
            continue
        lo, hi = p.bounds()
        yield window(m, lo, hi)
    for m in _RELATIVE_RE.finditer(folded):
        unit, delta = _RELATIVE[" ".join(m.group(0).lower().split())]
        if unit == "year":
            yield window(m, dt.date(today.year + delta, 1, 1), dt.date(today.year + delta, 12, 31))
        else:
            first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1) if delta else today.replace(day=1)
            last = dt.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
            yield window(m, first, last)


def parse_date_window(question: str, today: dt.date) -> DateWindow | None:
    """The inclusive date window a question names, or None; raises BadInput for impossible dates.

    When a question holds several date phrases the longest wins (a range
    over its end points), then the first.
    """
    folded = _fold(question)
    best: _Candidate | None = None
    for cand in _candidates(question, folded, today):
        if best is None or (cand.end - cand.start, -cand.start) > (best.end - best.start, -best.start):
            best = cand
    return best.window if best else None
