"""Unit logic of name matching across scripts and of answer verification (no models)."""

from __future__ import annotations

import pytest

from assistant.text.terms import EvidenceText, english_names, numbers_in, skeleton_ar, skeleton_en, skeletons_match

EVIDENCE = EvidenceText.of(
    [
        "وقال المتحدث باسم الكرملين دميتري بيسكوف إن بوتين التقى الأسد في موسكو.",
        "وانضم إلى اللقاء وزير الخارجية فيصل المقداد ووزير الدفاع سيرغي شويغو، وحصل على 95.1% و14,000 ورقة.",
    ]
)


@pytest.mark.parametrize("name", ["Peskov", "Putin", "Assad", "Moscow", "Mekdad", "Shoigu", "Kremlin", "Dmitry"])
def test_names_found_across_scripts(name: str) -> None:
    assert EVIDENCE.has_name(name), (name, skeleton_en(name))


@pytest.mark.parametrize("name", ["Erdogan", "Macron", "Barcelona", "Germany", "Netanyahu"])
def test_absent_names_not_found(name: str) -> None:
    assert not EVIDENCE.has_name(name)


def test_skeletons() -> None:
    assert skeleton_en("Peskov") == skeleton_ar("بيسكوف") == "BSKF"
    assert skeleton_ar("الأسد") == "SD"
    assert skeletons_match(skeleton_en("Syrian"), skeleton_ar("سوريا"))
    assert not skeletons_match("", "SD")


def test_numbers_normalised_and_found() -> None:
    assert numbers_in("حصل على ١٤,٠٠٠ صوت و95.1%") == ["14000", "95.1"]
    assert EVIDENCE.has_number("14000") and EVIDENCE.has_number("95.1")
    assert not EVIDENCE.has_number("470276")


def test_english_names_skip_titles_calendar_and_years() -> None:
    terms = english_names("What did the Russian Foreign Ministry say about Erdogan in May 2021 and resolution 2254?")
    texts = {t.text for t in terms}
    assert {"russian", "erdogan", "2254"} <= texts
    assert not texts & {"foreign", "ministry", "may", "2021", "what"}
    assert {t.text for t in english_names("Which countries backed the UN Security Council plan?")} >= {"security council"}
