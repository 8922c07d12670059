"""The date window a question asks about (:func:`parse_date_window`).

"in May 2021", "في أيار 2021", "عام 2021", "during 2021", "May 28, 2021",
"2021-05", "between April and May 2021", "from March 2021 to May 2021",
"since 2021", "before 2022", "this year"... A bare year counts only after a
word that introduces it (in, during, عام, سنة, في, خلال, since, منذ, before,
قبل...) or next to a month name, so "the 2021 election" and "resolution 2254"
set no window. Impossible dates raise BadInput. Matching runs on the fold and
patterns of :mod:`assistant.text.dates`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.errors import BadInput
from assistant.text.dates import DAY, DMY, MDY, MONTH, NOT_LETTER_AFTER, NOT_LETTER_BEFORE, NUM, OF, WEEKDAY, WORD_START, YEAR, YEAR_WORD, YMD, fold, int_day, month_number, valid_date
from assistant.types import DateWindow, PubDate

__all__ = ["parse_date_window"]

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
    if day is not None and month is not None and not valid_date(year, month, day):
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
    rf"(?:(?:{WEEKDAY})\s*[,،]?\s*)?(?:{_named(DMY, '1')}|{_named(MDY, '2')}|{_named(YMD, '3')}|{_named(NUM, '4')})"
    rf"|{WORD_START}(?P<pmon>{MONTH})\s*[,،]?\s*{YEAR_WORD}(?P<py>{YEAR})(?!\d)"
    rf"|(?<![\d/.-])(?P<iy>{YEAR})-(?P<im>\d{{1,2}})(?![\d]|-\d)"
    rf"|(?<![\d/.-])(?P<sm>\d{{1,2}})/(?P<sy>{YEAR})(?![\d/])"
    rf"|{NOT_LETTER_BEFORE}(?:شهر|month)\s+(?P<nm>\d{{1,2}})(?!\d)"
    rf"(?:\s*[/,،]?\s*(?:من\s+)?(?:(?:ال)?(?:عام|سنه)\s+|of\s+)?(?P<ny>{YEAR})(?!\d))?"
    rf"|(?:(?:the\s+)?years?\s+|(?:ال)?(?:عام|سنه|عامي|سنتي)\s+)?(?<![\d.,/-])(?P<yy>{YEAR})(?![\d]|[.,/-]\d)"
)
# The first end of a range may lack its year: "between April and May 2021".
_POINT_NO_YEAR = rf"(?:(?<![\d.,/-])(?P<xd>{DAY}){OF}\s*)?{WORD_START}(?P<xmon>{MONTH})"

_CONJ = r"(?:\s+(?:and|to|until|till|through|thru|الي|حتي|لغايه|ولغايه|وحتي)\s+|\s*[-–—]\s*|\s+و\s*)"
_RANGE_RE = re.compile(
    rf"{NOT_LETTER_BEFORE}(?:between|from|بين|من)\s+(?:(?:the\s+)?(?:years|months)\s+|عامي\s+|سنتي\s+|العامين\s+|شهري\s+)?"
    rf"(?P<a>{_named(_POINT, '_a')}|{_named(_POINT_NO_YEAR, '_a')}){_CONJ}(?P<b>{_named(_POINT, '_b')})",
    re.IGNORECASE,
)
_OPEN_RE = re.compile(
    rf"{NOT_LETTER_BEFORE}(?P<w>since|after|before|until|till|up\s+to|منذ|بعد|قبل|حتي|لغايه)\s+(?:(?:ال)?(?:عام|سنه)\s+)?"
    rf"(?P<p>{_named(_POINT, '_p')})",
    re.IGNORECASE,
)
_SINGLE_RE = re.compile(
    rf"{NOT_LETTER_BEFORE}(?:(?:in|during|throughout|within)\s+(?:the\s+year\s+)?|و?(?:في|خلال|طوال)\s+)?"
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
_RELATIVE_RE = re.compile(rf"{NOT_LETTER_BEFORE}(?:{_RELATIVE_ALT}){NOT_LETTER_AFTER}", re.IGNORECASE)


def _part(m: re.Match[str], suffix: str, group: str) -> _Part:
    """The end point matched by ``group`` of ``m``, whose inner group names end in ``suffix``."""
    g = {k[: -len(suffix)]: v for k, v in m.groupdict().items() if k.endswith(suffix) and v is not None}
    text = m.group(group)
    if "y1" in g:
        return _Part(int(g["y1"]), month_number(g["mon1"]), int_day(g["d1"]), text)
    if "y2" in g:
        return _Part(int(g["y2"]), month_number(g["mon2"]), int_day(g["d2"]), text)
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
        return _Part(None, month_number(g["xmon"]), int_day(g["xd"]) if "xd" in g else None, text)
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
    folded = fold(question)
    best: _Candidate | None = None
    for cand in _candidates(question, folded, today):
        if best is None or (cand.end - cand.start, -cand.start) > (best.end - best.start, -best.start):
            best = cand
    return best.window if best else None
