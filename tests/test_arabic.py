"""Search-view text handling: de-obfuscation, normalisation, tokens, language."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.text import arabic
from assistant.text.arabic import (
    STOPWORDS,
    deobfuscate,
    detect_language,
    normalize,
    search_view,
    tokenize,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(
    ("obfuscated", "clean"),
    [
        ("الإرهـ.ـاب", "الإرهاب"),
        ("لمكـ.ـافحة", "لمكافحة"),
        ("كـ.ـورونا", "كورونا"),
        ("هـ.ـزيلة", "هزيلة"),
        ("انتقـ.ـاد", "انتقاد"),
        ("رفـ.ـض", "رفض"),
        ("القـ.ـضايا", "القضايا"),
        ("وزعـ.ـمت", "وزعمت"),
        ("اللقـ.ـاحات", "اللقاحات"),
        ("العقـ.ـوبات", "العقوبات"),
        ("مكـ.افحة", "مكافحة"),  # tatweel on one side only
        ("مكـ-ـافحة", "مكافحة"),
        ("مكـَ.ـافحة", "مكَافحة"),  # a diacritic before the tatweel
        ("كـ ـورونا", "كورونا"),
    ],
)
def test_deobfuscate_undoes_filter_dodging(obfuscated: str, clean: str) -> None:
    assert deobfuscate(obfuscated) == clean


def test_deobfuscate_keeps_real_boundaries_and_sentence_dots() -> None:
    # No tatweel: a full stop missing its space, not a dodge.
    assert deobfuscate("الأسد.وقال") == "الأسد.وقال"
    assert deobfuscate("ليفانت-خاص") == "ليفانت-خاص"
    # The final dot of "والتطـ.ـرف." ends the sentence and stays.
    assert deobfuscate("قوى الإرهـ.ـاب والتطـ.ـرف.") == "قوى الإرهاب والتطرف."
    # A prefix before a quotation keeps its quote mark.
    assert deobfuscate("بـ”تصحيح أخطاء") == "ب”تصحيح أخطاء"
    assert deobfuscate("95.1% و 2021.") == "95.1% و 2021."


def test_deobfuscate_removes_invisible_characters() -> None:
    assert deobfuscate("الإر\u200bهاب") == "الإرهاب"
    assert deobfuscate("بو\u200cتين\u200f و\u00adبشار\ufeff") == "بوتين وبشار"
    assert deobfuscate("\u202bمرحبا\u202c") == "مرحبا"


def test_deobfuscate_on_seed_text() -> None:
    text = (SEEDS / "003_fd500e0c9f5cd60f.txt").read_text(encoding="utf-8")
    view = deobfuscate(text)
    for word in ("القضايا", "مكافحة", "فيروس", "كورونا", "اللقاحات", "العقوبات", "رفض"):
        assert word in view
    assert "ـ" not in view
    assert ".ـ" not in view and "ـ." not in view


def test_normalize_letters_diacritics_digits_case() -> None:
    assert normalize("أحمد إبراهيم آمال ٱلله") == "احمد ابراهيم امال الله"
    assert normalize("مصطفى") == "مصطفي"
    assert normalize("المدرسة") == "المدرسه"
    assert normalize("مُحَمَّدٌ") == "محمد"
    assert normalize("مبـــاشر") == "مباشر"
    assert normalize("عام ٢٠٢١") == "عام 2021"
    assert normalize("۱۴۰۰") == "1400"
    assert normalize("٩٥٫١٪") == "95.1%"
    assert normalize("Vladimir PUTIN") == "vladimir putin"
    assert normalize("ﻻ") == "لا"  # presentation form (NFKC)


def test_search_view_deobfuscates_then_normalizes() -> None:
    assert search_view("مكـ.ـافحة الإرهـ.ـاب عام ٢٠٢١") == "مكافحه الارهاب عام 2021"
    assert search_view("هـ.ـزيلة") == "هزيله"


def test_tokenize_strips_article_clitics() -> None:
    assert tokenize("والإرهاب") == ["ارهاب"]
    assert tokenize("بالانتخابات") == ["انتخابات"]
    assert tokenize("للصحفيين") == ["صحفيين"]
    assert tokenize("الانتخابات الرئاسية") == ["انتخابات", "رئاسيه"]
    assert tokenize("فالأمر كالعادة") == ["امر", "عاده"]
    # Too short a stem: the letters belong to the word.
    assert tokenize("الله") == ["الله"]


def test_tokenize_bare_proclitic_gives_surface_and_stem() -> None:
    assert tokenize("وقال") == ["وقال", "قال"]
    # "وزارة" is one word: its surface form still matches "الوزارة".
    assert tokenize("وزارة") == ["وزاره", "زاره"]
    assert tokenize("الوزارة") == ["وزاره"]
    # Names starting with ب/ل are never cut.
    assert tokenize("بوتين بيسكوف لبنان") == ["بوتين", "بيسكوف", "لبنان"]


def test_tokenize_drops_stopwords_and_punctuation_keeps_numbers() -> None:
    tokens = tokenize("ماذا قال بيسكوف في أيار 2021؟")
    assert tokens == ["قال", "بيسكوف", "ايار", "2021"]
    assert tokenize("حصل على 95.1% من الأصوات، و470276 صوت والقرار 2254.") == [
        "حصل", "95.1", "اصوات", "470276", "صوت", "قرار", "2254",
    ]
    assert tokenize("14,000 صوت") == ["14000", "صوت"]
    assert tokenize("What did Putin say about the elections?") == ["putin", "elections"]
    assert tokenize("وفي هذا من على إلى عن") == []
    assert tokenize("- ، . ؟ “ ”") == []
    assert tokenize("٢٠٢١") == ["2021"]


def test_stopwords_are_normalized() -> None:
    assert "الي" in STOPWORDS and "إلى" not in STOPWORDS
    assert all(word == normalize(word) for word in STOPWORDS)


def test_tokenize_seed_sentence() -> None:
    sentence = "وأوضحت أن الرئيس الروسي شدد في رسالة التهنئة التي أرسلها إلى بشار الأسد على أن روسيا ستواصل الوقوف إلى جانب النظام السوري في الفترة القادمة لمكـ.ـافحة قوى الإرهـ.ـاب والتطـ.ـرف."
    tokens = tokenize(sentence)
    assert tokens[:2] == ["واوضحت", "اوضحت"]
    assert "ارهاب" in tokens and "تطرف" in tokens and "بشار" in tokens
    assert "لمكافحه" in tokens
    assert not {"في", "الي", "ان", "على", "التي"} & set(tokens)


def test_detect_language() -> None:
    assert detect_language("ماذا قال بيسكوف في أيار 2021؟") == "ar"
    assert detect_language("What did Peskov say in May 2021?") == "en"
    assert detect_language("What did Peskov say about بشار الأسد?") == "en"
    assert detect_language("ماذا قال Putin عن الانتخابات السورية؟") == "ar"
    assert detect_language("2021") == "en"


_ALPHABET = st.sampled_from(
    list("ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإةىئؤ") + ["ـ", ".", "،", " ", "\n", "٢", "7", "ً", "ّ", "\u200b", "a", "Z", "-"]
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(_ALPHABET, st.characters()), max_size=200))
def test_tokenize_is_total_and_deterministic(text: str) -> None:
    tokens = tokenize(text)
    assert tokens == tokenize(text)
    assert all(tok and not any(c.isspace() for c in tok) for tok in tokens)
    assert not set(tokens) & STOPWORDS


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=200))
def test_search_view_is_idempotent_on_arabic(text: str) -> None:
    view = search_view(text)
    assert search_view(view) == view
    assert "ـ" not in view


def test_diacritics_stripped_are_camel_tools_own() -> None:
    """normalize strips camel-tools' AR_DIAC_CHARSET itself (not via dediac_ar, whose import costs a second)."""
    import re

    from camel_tools.utils.charsets import AR_DIAC_CHARSET
    from camel_tools.utils.dediac import dediac_ar

    ours = {chr(c) for c in range(0x110000) if re.fullmatch(f"[{arabic.AR_DIACRITICS}]", chr(c))}
    assert ours == set(AR_DIAC_CHARSET)
    voweled = "وَقَالَ المُتَحَدِّثُ بِاسْمِ الكَرْمَلِينِ إِنَّهُ لَا تُوجَدُ خُطَطٌ هٰذَا"
    assert normalize(voweled) == normalize(dediac_ar(voweled))
    assert not any(c in normalize(voweled) for c in AR_DIAC_CHARSET)


def test_fold_letters_are_camel_tools_own() -> None:
    """LETTER_FOLD maps exactly what camel-tools' alef / alef maksura / teh marbuta normalisers map."""
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
    )

    def camel(c: str) -> str:
        return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(c)))

    arabic_blocks = [*range(0x0600, 0x0900), *range(0xFB50, 0xFF00)]
    changed = {chr(c): camel(chr(c)) for c in arabic_blocks if camel(chr(c)) != chr(c)}
    assert changed == arabic.LETTER_FOLD
    assert all(len(src) == len(dst) == 1 for src, dst in arabic.FOLD.items())


def test_dates_fold_is_the_search_fold() -> None:
    """The date patterns see the same letters and digits as search (plus invisible marks as spaces)."""
    from assistant.text.dates import fold as _fold

    text = "أُعلن في ٢٨ أيار ٢٠٢١ عن ىة إ آ ٱ\u200f\u00a0\ufeff٫٬٪ ۱۲"
    folded = _fold(text)
    assert len(folded) == len(text)
    for src, dst in zip(text, folded, strict=True):
        expected = " " if src in arabic.INVISIBLE or src == "\u00a0" else arabic.FOLD.get(src, src)
        assert dst == expected
