"""Boilerplate spans: exact offsets on the real seeds and on small made-up pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.ingest.boilerplate import find_boilerplate
from assistant.text.spans import split_lines
from assistant.types import Span

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_bytes().decode("utf-8")


def covered(text: str, spans: tuple[Span, ...], piece: str) -> bool:
    """Whether every occurrence of ``piece`` lies wholly inside one span."""
    start = text.index(piece)
    while start >= 0:
        end = start + len(piece)
        if not any(sp.start <= start and end <= sp.end for sp in spans):
            return False
        start = text.find(piece, end)
    return True


def touched(text: str, spans: tuple[Span, ...], piece: str) -> bool:
    """Whether any span overlaps the first occurrence of ``piece``."""
    start = text.index(piece)
    end = start + len(piece)
    return any(sp.start < end and start < sp.end for sp in spans)


def assert_well_formed(text: str, spans: tuple[Span, ...]) -> None:
    for sp in spans:
        assert 0 <= sp.start < sp.end <= len(text)
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end < b.start


def test_seeds_spans_are_sorted_and_disjoint() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_bytes().decode("utf-8")
        assert_well_formed(text, find_boilerplate(text))


def test_clean_seeds_have_no_boilerplate() -> None:
    assert find_boilerplate(seed("000")) == ()
    assert find_boilerplate(seed("004")) == ()


def test_seed_001_read_also_lines_and_repeated_title() -> None:
    text = seed("001")
    spans = find_boilerplate(text)
    lines = text.split("\n")
    read_also = [ln for ln in lines if ln.startswith("اقرأ أيضاً")]
    assert len(read_also) == 2
    for ln in read_also:
        assert covered(text, spans, ln)
    # The title appears twice in a row: the repeat is boilerplate, the first is not.
    title = lines[0]
    assert lines[1] == title
    assert not touched(text, spans, title)
    second = text.index(title, 1)
    assert Span(second, second + len(title)) in spans
    for body in ("طيف بوست – فريق التحرير", "اليوم الجمعة 28 مايو/ أيار", "تجدر الإشارة إلى أن كل من أمريكا"):
        assert not touched(text, spans, body)


def test_seed_002_url_line_and_trailing_sidebar() -> None:
    text = seed("002")
    spans = find_boilerplate(text)
    assert spans[0] == Span(0, 1)  # the lone "-" line
    url_line = next(ln for ln in text.split("\n") if ln.startswith("https://www.facebook.com/"))
    assert covered(text, spans, url_line)
    assert covered(text, spans, "اقرأ أيضاً: رأس النظام السوري يعيد تكليف حسين عرنوس “لتشكيل الحكومة”")
    sidebar = text.index("قد تحب أيضا")
    assert spans[-1] == Span(sidebar, len(text))
    assert covered(text, spans, "- December 19, 2024")
    assert covered(text, spans, "اشترك في قائمتنا البريدية للحصول على التحديثات الجديدة!")
    for body in (
        "بشار الأسد إلى روسيا في زيارة غير معلنة",
        "وتدخلت روسيا في سوريا في سبتمبر 2015",
        "ليفانت نيوز_ وكالات",
        "وساهم التدخل العسكري الروسي",
    ):
        assert not touched(text, spans, body)


def test_seed_003_nav_blurb_comment_form_and_footer() -> None:
    text = seed("003")
    spans = find_boilerplate(text)
    assert spans[0] == Span(0, len("أخر الأخبار"))
    assert covered(text, spans, "اقرأ أيضاً: “مذكرات خدام”")
    assert covered(text, spans, "اقرأ أيضاً: مصادر تتحدث عن تحضيرات")
    blurb = text.index("rami fakhori")
    assert spans[-1] == Span(blurb, len(text))
    for piece in ("كاتب صحفي متخصص", "مقالات ذات صلة", "اترك تعليقاً", "لن يتم نشر عنوان بريدك", "زر الذهاب إلى الأعلى", "error:"):
        assert covered(text, spans, piece)
    for body in (
        "طيف بوست – فريق التحرير",
        "اليوم الاثنين 26 أبريل/ نيسان",
        "فيما يرى المحللون أن روسيا حاولت",
        "وركز البيان الصادر عن النظام السوري",
    ):
        assert not touched(text, spans, body)


def test_url_inside_a_line_is_a_sub_line_span() -> None:
    text = "قال المتحدث إن البيان منشور على https://example.com/a?b=1, وأضاف أن الاجتماع انتهى.\n"
    (span,) = find_boilerplate(text)
    assert text[span.start : span.end] == "https://example.com/a?b=1"


def test_bare_url_line_and_read_more_variants() -> None:
    text = (
        "هذا سطر من متن الخبر فيه كلام كثير عن الاجتماع والمباحثات بين الطرفين.\r\n"
        "www.example.org/news/123\r\n"
        "Read more: Putin meets Assad in Moscow\r\n"
        "إقرأ أيضا: عنوان خبر آخر\r\n"
        "وهذا سطر آخر من المتن يكمل الحديث عن نتائج الاجتماع بين الطرفين.\r\n"
    )
    spans = find_boilerplate(text)
    assert covered(text, spans, "www.example.org/news/123")
    assert covered(text, spans, "Read more: Putin meets Assad in Moscow")
    assert covered(text, spans, "إقرأ أيضا: عنوان خبر آخر")
    assert not touched(text, spans, "هذا سطر من متن الخبر")
    assert not touched(text, spans, "وهذا سطر آخر من المتن")
    # CRLF: the span ends before the line ending of its last line.
    assert text[spans[0].end : spans[0].end + 2] == "\r\n"


def test_share_widget_but_not_a_sentence_starting_with_share() -> None:
    text = "شارك الآلاف في المظاهرة.\nشارك على فيسبوك تويتر واتساب\nتابعونا على تلغرام\n"
    spans = find_boilerplate(text)
    assert not touched(text, spans, "شارك الآلاف في المظاهرة.")
    assert covered(text, spans, "شارك على فيسبوك تويتر واتساب")
    assert covered(text, spans, "تابعونا على تلغرام")


def test_block_header_early_with_long_text_after_is_only_its_line() -> None:
    paragraph = "وقال المتحدث إن الحكومة ستواصل العمل على تنفيذ الخطة الاقتصادية خلال الأشهر المقبلة رغم الصعوبات الكبيرة. "
    text = "عنوان الخبر هنا للتجربة\nمقالات ذات صلة\n" + paragraph * 3 + "\n" + paragraph * 3 + "\n"
    spans = find_boilerplate(text)
    assert covered(text, spans, "مقالات ذات صلة")
    assert not touched(text, spans, paragraph)


def test_author_blurb_needs_a_bio_line_near_the_end() -> None:
    body = "وأضاف البيان أن الجانبين اتفقا على مواصلة التنسيق في الملفات المشتركة خلال المرحلة المقبلة.\n" * 4
    text = body + "John Smith\nصحفي مستقل يكتب عن الشؤون السياسية\n"
    spans = find_boilerplate(text)
    assert covered(text, spans, "John Smith\nصحفي مستقل يكتب عن الشؤون السياسية")
    alone = body + "John Smith\nوأضاف أن المحادثات ستستمر.\n"
    assert not touched(alone, find_boilerplate(alone), "John Smith")


@pytest.mark.parametrize(
    "line",
    [
        "-", "—", "***", "|", "error:", "Error: Content is protected !!", "زر الذهاب إلى الأعلى",
        "آخر الأخبار", "جميع الحقوق محفوظة © 2024", "الوسوم: سوريا، روسيا", "Tags:",
    ],
)
def test_single_boilerplate_lines(line: str) -> None:
    text = "نص الخبر الأساسي يتحدث عن الاجتماع بين الرئيسين في موسكو.\n" + line + "\n"
    spans = find_boilerplate(text)
    assert covered(text, spans, line)
    assert not touched(text, spans, "نص الخبر الأساسي")


def test_split_lines_keeps_exact_offsets() -> None:
    text = "a\r\nbb\rccc\n\nd"
    lines = split_lines(text)
    assert [ln.text for ln in lines] == ["a", "bb", "ccc", "", "d"]
    assert all(text[ln.start : ln.end] == ln.text for ln in lines)


@given(st.text(alphabet=st.sampled_from(list("اقرأ أيضاً:-\n\r https://x.y مقالات ذات صلة error")), max_size=300))
def test_spans_always_well_formed(text: str) -> None:
    assert_well_formed(text, find_boilerplate(text))
