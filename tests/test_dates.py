"""Publication dates (header / dateline / inferred; never a date merely in the body) and question date windows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.ingest.boilerplate import find_boilerplate
from assistant.text.date_window import parse_date_window
from assistant.text.dates import month_number
from assistant.text.pubdate import extract_date, header_date
from assistant.errors import BadInput
from assistant.types import DateWindow, PubDate, Span

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TODAY = dt.date(2026, 11, 24)
BODY = "وقال المتحدث باسم الكرملين إن الرئيس لا ينوي عقد اجتماع في الوقت الحالي.\n"


def date_of(text: str, today: dt.date = TODAY) -> tuple[str | None, str | None]:
    date, source = extract_date(text, find_boilerplate(text), today)
    return (date.iso if date else None), source


# --- the seeds ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("prefix", "iso", "source"),
    [
        ("000", "2021-05", "header"),
        ("001", "2021-05-28", "inferred"),
        ("002", None, None),
        ("003", "2021-04-26", "inferred"),
        ("004", None, None),
    ],
)
def test_seed_dates(prefix: str, iso: str | None, source: str | None) -> None:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    assert date_of(path.read_bytes().decode("utf-8")) == (iso, source)


def test_seed_002_sidebar_date_is_the_trap() -> None:
    (path,) = SEEDS.glob("002_*.txt")
    text = path.read_bytes().decode("utf-8")
    assert "- December 19, 2024" in text
    # A date inside the body (here a sidebar's) is never the publication date, boilerplate or not.
    assert extract_date(text, (), TODAY) == (None, None)
    assert extract_date(text, find_boilerplate(text), TODAY) == (None, None)


# --- header -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("first_line", "iso"),
    [
        (" date 2021-05 كشف الكرملين، الجمعة، أن الرئيس", "2021-05"),
        ("التاريخ: 28/05/2021", "2021-05-28"),
        ("التاريخ: ٢٨/٠٥/٢٠٢١", "2021-05-28"),
        ("Date: 2021-05-28", "2021-05-28"),
        ("نشر في 28 مايو 2021", "2021-05-28"),
        ("نُشر في 28 أيار 2021 - 10:30", "2021-05-28"),
        ("Published on May 28, 2021", "2021-05-28"),
        ("الجمعة 28 مايو 2021", "2021-05-28"),
        ("Date: 2021", "2021"),
        ("تاريخ النشر: مايو 2021", "2021-05"),
    ],
)
def test_header_dates(first_line: str, iso: str) -> None:
    assert date_of(first_line + "\n" + BODY) == (iso, "header")


def test_header_wins_over_a_body_date() -> None:
    assert date_of("Date: 2021-05\n" + BODY + "وفي 12 مارس 2020 قال...\n") == ("2021-05", "header")


def test_header_span_covers_label_and_date() -> None:
    text = " date 2021-05 كشف الكرملين، الجمعة"
    found = header_date(text, ())
    assert found is not None
    assert found[0] == PubDate(2021, 5)
    assert text[found[1].start : found[1].end] == " date 2021-05"


def test_a_year_in_the_first_line_is_not_a_header() -> None:
    assert date_of("نشر 2000 جندي روسي في المنطقة\n" + BODY) == (None, None)


# --- body dates and datelines ------------------------------------------------

FULL_DATES = [
    ("28 مايو 2021", "2021-05-28"),
    ("28 أيار/مايو 2021", "2021-05-28"),
    ("28 مايو/ أيار 2021", "2021-05-28"),
    ("28 من شهر مايو عام 2021", "2021-05-28"),
    ("May 28, 2021", "2021-05-28"),
    ("28 May 2021", "2021-05-28"),
    ("Dec. 19, 2024", "2024-12-19"),
    ("2021-05-28", "2021-05-28"),
    ("28/5/2021", "2021-05-28"),
    ("5/28/2021", "2021-05-28"),
    ("٢٨ مايو ٢٠٢١", "2021-05-28"),
    ("٢٨/٥/٢٠٢١", "2021-05-28"),
    ("25 شوال 1436 هـ", "2015-08-10"),
    ("25 من شهر شوال لعام 1436هـ", "2015-08-10"),
    ("10-10-1436هـ", "2015-07-26"),
    ("9 / 10 / 1436 هـ", "2015-07-25"),
    ("1 جمادى الأولى 1442هـ", "2020-12-16"),
    ("١٠ ذو الحجة ١٤٤٤ هـ", "2023-06-28"),
]


@pytest.mark.parametrize(("phrase", "iso"), FULL_DATES)
def test_a_date_in_the_body_is_never_the_publication_date(phrase: str, iso: str) -> None:
    assert date_of(BODY + f"وقال في تصريح بتاريخ {phrase} إن الاجتماع مؤجل.\n") == (None, None)


@pytest.mark.parametrize(("phrase", "iso"), FULL_DATES)
def test_a_dateline_at_the_top_is(phrase: str, iso: str) -> None:
    assert date_of(f"الرياض - {phrase} - " + BODY) == (iso, "dateline")
    assert date_of(f"عنوان الخبر في سطر أول\nجدة {phrase} (واس) " + BODY) == (iso, "dateline")
    assert date_of(f"{phrase} — " + BODY) == (iso, "dateline")


def test_a_hijri_dateline_with_its_gregorian_pair() -> None:
    line = "كانبيرا 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس\n"
    assert date_of(line + BODY) == ("2015-08-10", "dateline")
    # The two calendars disagree by more than two days: unsure, so none.
    assert date_of(line.replace("10 أغسطس", "20 أغسطس") + BODY) == (None, None)


def test_a_date_after_a_preposition_is_an_event_not_a_dateline() -> None:
    assert date_of("في 28 مايو 2021 قال المتحدث إن الاجتماع مؤجل.\n" + BODY) == (None, None)
    assert date_of("صرح الناطق بأنه صباح أمس الأحد الموافق 10-10-1436هـ باشرت الشرطة\n" + BODY) == (None, None)


def test_only_the_first_lines_hold_a_dateline() -> None:
    assert date_of("عنوان\nسطر ثان من النص\nسطر ثالث من النص\nالرياض - 28 مايو 2021 - قال\n") == (None, None)


def test_a_hijri_header() -> None:
    assert date_of("التاريخ: 9/10/1436هـ\n" + BODY) == ("2015-07-25", "header")


GREGORIAN = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split()
LEVANTINE = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]
ENGLISH = "January February March April May June July August September October November December".split()


@pytest.mark.parametrize("month", range(1, 13))
def test_both_arabic_month_series_and_english(month: int) -> None:
    for name in (GREGORIAN[month - 1], LEVANTINE[month - 1], ENGLISH[month - 1], ENGLISH[month - 1][:3]):
        assert month_number(name) == month, name
        text = f"بيروت - 15 {name} 2020 - " + BODY
        assert date_of(text) == (f"2020-{month:02d}-15", "dateline"), name
    combined = f"{GREGORIAN[month - 1]}/ {LEVANTINE[month - 1]}"
    assert date_of(f"بيروت، 15 {combined} 2020 - " + BODY) == (f"2020-{month:02d}-15", "dateline")


@pytest.mark.parametrize("name", ["إبريل", "ابريل", "أبريل", "يونيه", "يوليه", "اب", "اذار", "ايار", "أيلول", "تشرين الاول"])
def test_spelling_variants(name: str) -> None:
    assert month_number(name) is not None


def test_month_and_year_without_a_day_is_not_a_date() -> None:
    assert date_of(BODY + "وتدخلت روسيا في سوريا في سبتمبر 2015 مع حملة قصف جوي.\n") == (None, None)


def test_future_dates_are_not_publication_dates() -> None:
    assert date_of("دمشق - 26 مايو 2030 - " + BODY) == (None, None)


def test_impossible_body_dates_are_ignored() -> None:
    assert date_of(BODY + "في 31 فبراير 2021 ثم في 30/02/2021.\n") == (None, None)


def test_dates_inside_boilerplate_are_not_used() -> None:
    text = BODY + "قال إن الاجتماع عقد في 12 مارس 2021.\n"
    start = text.index("12 مارس 2021")
    assert extract_date(text, (Span(start - 2, start + 12),), TODAY) == (None, None)


# --- inferred -----------------------------------------------------------------

def test_weekday_day_month_infers_the_latest_agreeing_year() -> None:
    assert date_of(BODY + "أدلى بها اليوم الجمعة 28 مايو/ أيار، أن الرئيس.\n") == ("2021-05-28", "inferred")
    assert date_of(BODY + "Speaking on Friday, May 28 he said.\n") == ("2021-05-28", "inferred")
    assert date_of(BODY + "اليوم الإثنين 26 نيسان/ أبريل بياناً\n") == ("2021-04-26", "inferred")
    assert date_of(BODY + "اليوم الاثنين ٢٦ أبريل\n") == ("2021-04-26", "inferred")


def test_inferred_date_is_never_after_today() -> None:
    # 28 May is a Friday in 2021 and 2027; on 2021-05-27 the answer is an earlier year.
    today = dt.date(2021, 5, 27)
    expected = max(y for y in range(1990, 2021) if dt.date(y, 5, 28).weekday() == 4)
    assert date_of(BODY + "اليوم الجمعة 28 مايو\n", today) == (f"{expected}-05-28", "inferred")


def test_day_and_month_without_a_weekday_give_nothing() -> None:
    assert date_of(BODY + "يوم 26 من شهر أيار/ مايو القادم\n") == (None, None)


def test_a_body_date_never_outranks_the_weekday_rule() -> None:
    text = BODY + "اليوم الجمعة 28 مايو، وكان قد التقاه في 3 مارس 2021.\n"
    assert date_of(text) == ("2021-05-28", "inferred")


# --- question windows ------------------------------------------------------------

def window(question: str) -> tuple[str | None, str | None, str] | None:
    found = parse_date_window(question, TODAY)
    if found is None:
        return None
    return (
        found.start.isoformat() if found.start else None,
        found.end.isoformat() if found.end else None,
        found.text,
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did Putin say in May 2021?", ("2021-05-01", "2021-05-31", "in May 2021")),
        ("ماذا قال بوتين في أيار 2021؟", ("2021-05-01", "2021-05-31", "في أيار 2021")),
        ("ماذا قال بوتين في مايو ٢٠٢١", ("2021-05-01", "2021-05-31", "في مايو ٢٠٢١")),
        ("الانتخابات عام 2021", ("2021-01-01", "2021-12-31", "عام 2021")),
        ("ماذا حدث سنة 2021", ("2021-01-01", "2021-12-31", "سنة 2021")),
        ("what happened in 2025", ("2025-01-01", "2025-12-31", "in 2025")),
        ("sanctions during 2021", ("2021-01-01", "2021-12-31", "during 2021")),
        ("Putin in April 2021", ("2021-04-01", "2021-04-30", "in April 2021")),
        ("Putin April 2021 call", ("2021-04-01", "2021-04-30", "April 2021")),
        ("talks in May of 2021", ("2021-05-01", "2021-05-31", "in May of 2021")),
        ("Kremlin on May 28, 2021", ("2021-05-28", "2021-05-28", "May 28, 2021")),
        ("ماذا قال الكرملين في 28 مايو 2021", ("2021-05-28", "2021-05-28", "في 28 مايو 2021")),
        ("news 2021-05", ("2021-05-01", "2021-05-31", "2021-05")),
        ("news 2021-05-28", ("2021-05-28", "2021-05-28", "2021-05-28")),
        ("بيان 28/5/2021", ("2021-05-28", "2021-05-28", "28/5/2021")),
        ("between April and May 2021", ("2021-04-01", "2021-05-31", "between April and May 2021")),
        ("بين أبريل ومايو 2021", ("2021-04-01", "2021-05-31", "بين أبريل ومايو 2021")),
        ("from March 2021 to May 2021", ("2021-03-01", "2021-05-31", "from March 2021 to May 2021")),
        ("من مارس إلى مايو 2021", ("2021-03-01", "2021-05-31", "من مارس إلى مايو 2021")),
        ("from November to February 2021", ("2020-11-01", "2021-02-28", "from November to February 2021")),
        ("بين عامي 2019 و2021", ("2019-01-01", "2021-12-31", "بين عامي 2019 و2021")),
        ("since 2021", ("2021-01-01", None, "since 2021")),
        ("ماذا تغير منذ 2021", ("2021-01-01", None, "منذ 2021")),
        ("since May 2021", ("2021-05-01", None, "since May 2021")),
        ("after May 2021", ("2021-06-01", None, "after May 2021")),
        ("before 2022", (None, "2021-12-31", "before 2022")),
        ("قبل 2022", (None, "2021-12-31", "قبل 2022")),
        ("حتى 2022", (None, "2022-12-31", "حتى 2022")),
        ("في شهر 5 عام 2021", ("2021-05-01", "2021-05-31", "في شهر 5 عام 2021")),
        ("this year", ("2026-01-01", "2026-12-31", "this year")),
        ("ماذا حدث العام الماضي", ("2025-01-01", "2025-12-31", "العام الماضي")),
    ],
)
def test_question_windows(question: str, expected: tuple[str | None, str | None, str]) -> None:
    assert window(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "the 2021 presidential election",
        "الانتخابات الرئاسية 2021",
        "what does resolution 2254 say",
        "القرار 2254 لعام 2015",
        "What did Putin say in May?",
        "ماذا قال بوتين عن الأسد",
        "95.1% of the votes",
    ],
)
def test_no_window(question: str) -> None:
    assert parse_date_window(question, TODAY) is None


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("ماذا حدث في شهر 13", "month 13"),
        ("news 2021-13", "month 13"),
        ("31 February 2021", "day 31"),
        ("30/2/2021", "day 30"),
        ("32 مايو 2021", "day 32"),
        ("between 2022 and 2020", "ends before it starts"),
    ],
)
def test_impossible_dates_raise_bad_input(question: str, words: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_date_window(question, TODAY)
    assert words in info.value.one_line()
    assert "\n" not in info.value.one_line()


def test_window_overlaps_partial_dates() -> None:
    found = parse_date_window("in May 2021", TODAY)
    assert isinstance(found, DateWindow)
    assert found.overlaps(PubDate(2021, 5))
    assert found.overlaps(PubDate(2021))
    assert not found.overlaps(PubDate(2021, 4, 26))
