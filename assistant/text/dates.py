"""Date building blocks: the offset-preserving fold, month and weekday names, date patterns, numbers.

Shared by :mod:`assistant.text.pubdate` (an article's publication date) and
:mod:`assistant.text.date_window` (the date window a question asks about).

Matching runs on an offset-preserving fold of the text (one character for
one: the search view's table :data:`assistant.text.arabic.FOLD`, i.e.
Arabic-Indic digits to ASCII, أ/إ/آ/ٱ to ا, ى to ي, ة to ه; invisible and bidi
marks to spaces), so every match maps straight back to the original. Month names are
a small table here rather than a dependency: about forty names in two Arabic
series (يناير... and كانون الثاني...), Maghrebi forms and English; the twelve
Hijri months likewise, with Hijri dates converted to Gregorian by ``hijridate``
(the maintained Umm al-Qura converter: its table covers 1343-1500 AH).
"""

from __future__ import annotations

import re

from assistant.text.arabic import FOLD, INVISIBLE
from assistant.types import PubDate

__all__ = [
    "DAY",
    "DMY",
    "HIJRI_DMY",
    "HIJRI_NUM",
    "MDY",
    "MONTH",
    "NOT_LETTER_AFTER",
    "NOT_LETTER_BEFORE",
    "NUM",
    "OF",
    "WEEKDAY",
    "WORD_START",
    "YEAR",
    "YEAR_WORD",
    "YMD",
    "fold",
    "hijri_to_gregorian",
    "hijri_month_number",
    "int_day",
    "month_number",
    "valid_date",
    "weekday_number",
]

# --- offset-preserving fold -------------------------------------------------

# The search view's fold table (digits, alef/yeh/teh marbuta), plus invisible
# marks and no-break spaces as plain spaces: one character for one.
_FOLD = str.maketrans({**FOLD, **{c: " " for c in INVISIBLE + "\u00a0"}})


def fold(text: str) -> str:
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

# Hijri months (folded forms): ربيع الأول/الآخر, جمادى الأولى/الآخرة and ذو/ذي are written several ways.
_HIJRI_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("محرم",),
    2: ("صفر",),
    3: ("ربيع الاول", "ربيع اول"),
    4: ("ربيع الثاني", "ربيع الاخر", "ربيع ثاني"),
    5: ("جمادي الاولي", "جمادي الاول", "جمادي اولي"),
    6: ("جمادي الاخره", "جمادي الثانيه", "جمادي الاخر", "جمادي الثاني"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعده", "ذي القعده"),
    12: ("ذو الحجه", "ذي الحجه"),
}

NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
# Like NOT_LETTER_BEFORE, but also just after a separate conjunction و: "بين أبريل ومايو".
WORD_START = r"(?:(?<![^\W\d_])|(?<=\sو))"
NOT_LETTER_AFTER = r"(?![^\W\d_])"


def _names_re(names: tuple[str, ...] | list[str]) -> str:
    ordered = sorted(names, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, n.split())) + (r"\.?" if n.isascii() else "") for n in ordered)


def _month_alternative(names: tuple[str, ...]) -> str:
    # "مايو", "مايو/ أيار", "أيار (مايو)": a pair is always the same month.
    one = f"(?:{_names_re(names)})"
    return rf"{one}(?:\s*[/\\(\-–—،,]\s*{one}\s*\)?)?{NOT_LETTER_AFTER}"


MONTH = "(?:" + "|".join(_month_alternative(n) for n in _MONTH_NAMES.values()) + ")"
WEEKDAY = rf"(?:{_names_re([n for ns in _WEEKDAY_NAMES.values() for n in ns])}){NOT_LETTER_AFTER}"
HIJRI_MONTH = rf"(?:{_names_re([n for ns in _HIJRI_MONTH_NAMES.values() for n in ns])}){NOT_LETTER_AFTER}"
_HIJRI_LOOKUP = [
    (re.compile(rf"{_names_re((name,))}{NOT_LETTER_AFTER}"), month)
    for month, names in _HIJRI_MONTH_NAMES.items()
    for name in sorted(names, key=len, reverse=True)
]
_MONTH_LOOKUP = [
    (re.compile(rf"{_names_re((name,))}{NOT_LETTER_AFTER}", re.IGNORECASE), month)
    for month, names in _MONTH_NAMES.items()
    for name in sorted(names, key=len, reverse=True)
]
_WEEKDAY_LOOKUP = [
    (re.compile(re.escape(name), re.IGNORECASE), wd) for wd, names in _WEEKDAY_NAMES.items() for name in names
]


def month_number(name: str) -> int | None:
    """The month (1-12) a month name starts with, in any of the known spellings; None if none."""
    folded = fold(name).strip()
    best: tuple[int, int] | None = None
    for rx, month in _MONTH_LOOKUP:
        m = rx.match(folded)
        if m and (best is None or m.end() > best[0]):
            best = (m.end(), month)
    return best[1] if best else None


def hijri_month_number(name: str) -> int | None:
    """The Hijri month (1-12) a Hijri month name starts with; None if none."""
    folded = " ".join(fold(name).split())
    for rx, month in _HIJRI_LOOKUP:
        if rx.match(folded):
            return month
    return None


def hijri_to_gregorian(year: int, month: int, day: int) -> PubDate | None:
    """The Gregorian date of a Hijri (Umm al-Qura) date; None when it is not a date or out of the table."""
    from hijridate import Hijri  # imported here: only archives with Hijri datelines need it

    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return PubDate(g.year, g.month, g.day)


def weekday_number(name: str) -> int:
    """The weekday (Monday = 0) of a weekday name, in any of the known spellings."""
    folded = fold(name).strip()
    for rx, wd in _WEEKDAY_LOOKUP:
        if rx.match(folded):
            return wd
    raise ValueError(name)  # unreachable: only called on regex matches


# --- date patterns (on folded text) -------------------------------------------
# Arabic literals below are written folded (ي for ى, ه for ة, ا for أ/إ/آ).

YEAR = r"(?:1[89]|20)\d\d"
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
OF = r"(?:\s*من)?(?:\s*شهر)?"
YEAR_WORD = r"(?:(?:من\s+)?(?:ال)?(?:عام|سنه)\s+|of\s+)?"

# 28 مايو 2021 / 28 أيار/مايو 2021 / 28 من شهر مايو عام 2021 / 28 May, 2021 / 28-May-2021
DMY = rf"(?<![\d.,/-])(?P<d>{DAY}){OF}\s*[-./]?\s*(?P<mon>{MONTH})\s*[-.,،/]?\s*{YEAR_WORD}(?P<y>{YEAR})(?!\d)"
# May 28, 2021 / Dec. 19 2024
MDY = rf"{NOT_LETTER_BEFORE}(?P<mon>{MONTH})\s*(?P<d>{DAY})(?!\d)\s*[,،]?\s*(?P<y>{YEAR})(?!\d)"
# 2021-05-28 / 2021/5/28
YMD = rf"(?<![\d/.-])(?P<y>{YEAR})(?P<s>[-/.])(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}})(?![\d])"
# 28/5/2021 / 28-05-2021 / 28.05.2021 (day first unless that is impossible)
NUM = rf"(?<![\d/.-])(?P<a>\d{{1,2}})(?P<s>[-/.])(?P<b>\d{{1,2}})(?P=s)(?P<y>{YEAR})(?![\d]|[.,]\d)"


# Hijri: 25 شوال 1436 هـ / 25 من شهر شوال لعام 1436هـ / 10-10-1436هـ / 9 / 10 / 1436 هـ
# (a numeric Hijri date needs its هـ; the year is 1300-1499 AH).
_HIJRI_YEAR = r"1[34]\d\d"
_HIJRI_MARK = r"\s*ه\u0640*(?:جري(?:ه)?)?(?![^\W\d_])\.?"
HIJRI_DMY = (
    rf"(?<![\d.,/-])(?P<hd>{DAY}){OF}\s*[-./]?\s*(?P<hmon>{HIJRI_MONTH})\s*[-.,،/]?\s*(?:ل?(?:ل|ال)?(?:عام|سنه)\s+)?"
    rf"(?P<hy>{_HIJRI_YEAR})(?!\d)(?:{_HIJRI_MARK})?"
)
HIJRI_NUM = rf"(?<![\d/.-])(?P<hd>\d{{1,2}})\s*(?P<hs>[-/.])\s*(?P<hm>\d{{1,2}})\s*(?P=hs)\s*(?P<hy>{_HIJRI_YEAR})(?!\d){_HIJRI_MARK}"


def int_day(text: str) -> int:
    """The number a day starts with ("28th" -> 28)."""
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def valid_date(year: int, month: int | None, day: int | None) -> bool:
    """Whether the year, month and day (either may be None) name a real date."""
    try:
        PubDate(year, month, day).span()
    except (ValueError, TypeError):
        return False
    return True
