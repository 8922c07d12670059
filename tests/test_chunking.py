"""Sentence splitting and chunking: exact offsets into the original text."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.text.arabic import search_view
from assistant.ingest.chunking import chunk_document, content_spans
from assistant.text.sentences import split_sentences
from assistant.types import Chunk, Document, Span

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
WORD_CHAR = re.compile(r"[^\W_]")


def make_doc(text: str, boilerplate: tuple[Span, ...] = (), doc_id: str = "doc") -> Document:
    return Document(
        doc_id=doc_id,
        path=f"{doc_id}.txt",
        text=text,
        title="",
        outlet=None,
        date=None,
        date_source=None,
        content_hash="",
        boilerplate=boilerplate,
    )


def seed_doc(path: Path, boilerplate: tuple[Span, ...] = ()) -> Document:
    return make_doc(path.read_text(encoding="utf-8"), boilerplate, doc_id=path.stem)


def line_span(text: str, needle: str) -> Span:
    """The span of the whole line holding ``needle``."""
    at = text.index(needle)
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return Span(start, len(text) if end == -1 else end)


def check_chunks(doc: Document, chunks: list[Chunk], chunk_chars: int, overlap: int) -> None:
    """Invariants every chunking must satisfy."""
    text = doc.text
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.chunk_id == f"{doc.doc_id}#{chunk.start}-{chunk.end}"
        assert chunk.doc_id == doc.doc_id
        assert chunk.search_text == search_view(chunk.text)
        assert len(chunk.text) <= chunk_chars
        assert chunk.text == chunk.text.strip()
        assert WORD_CHAR.search(chunk.text)
        for bp in doc.boilerplate:
            if max(0, bp.start) < min(len(text), bp.end):
                assert chunk.end <= bp.start or chunk.start >= bp.end, (chunk, bp)
    for prev, nxt in pairwise(chunks):
        assert prev.start < nxt.start and prev.end < nxt.end
        if nxt.start < prev.end:
            assert prev.end - nxt.start <= overlap
    # Every letter or digit outside boilerplate lands in some chunk.
    covered = bytearray(len(text))
    for chunk in chunks:
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    for bp in doc.boilerplate:
        s, e = max(0, bp.start), min(len(text), bp.end)
        if s < e:
            covered[s:e] = b"\x01" * (e - s)
    missing = [i for i, c in enumerate(text) if WORD_CHAR.match(c) and not covered[i]]
    assert not missing, [text[i] for i in missing[:10]]


# --- split_sentences ----------------------------------------------------------


def test_split_sentences_offsets_and_whitespace() -> None:
    text = "  الجملة الأولى.  الجملة الثانية؟\n\nالثالثة! والرابعة؛ الخامسة  "
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == [
        "الجملة الأولى.",
        "الجملة الثانية؟",
        "الثالثة!",
        "والرابعة؛",
        "الخامسة",
    ]


def test_split_sentences_line_is_a_sentence() -> None:
    text = "عنوان بلا نقطة\nطيف بوست – فريق التحرير\r\nأعلنت الرئاسة الروسية."
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "عنوان بلا نقطة",
        "طيف بوست – فريق التحرير",
        "أعلنت الرئاسة الروسية.",
    ]


def test_split_sentences_keeps_decimals_urls_and_initials() -> None:
    text = "بنسبة 95.1% من الأصوات و٩٥.١ أيضا. The U.N. said no. See www.example.com/a?b=1 now. د. محمد قال."
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "بنسبة 95.1% من الأصوات و٩٥.١ أيضا.",
        "The U.N. said no.",
        "See www.example.com/a?b=1 now.",
        "د. محمد قال.",
    ]


def test_split_sentences_ignores_filter_dodging_dots() -> None:
    text = "لمكـ.ـافحة قوى الإرهـ.ـاب والتطـ.ـرف. وزعـ.ـمت الرئاسة"
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "لمكـ.ـافحة قوى الإرهـ.ـاب والتطـ.ـرف.",
        "وزعـ.ـمت الرئاسة",
    ]


def test_split_sentences_missing_space_and_closing_quotes() -> None:
    text = "قال: \"إنها الشرعية\".وفقاً لتعبيره. ثم “انتهى.” الكلام"
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "قال: \"إنها الشرعية\".",
        "وفقاً لتعبيره.",
        "ثم “انتهى.”",
        "الكلام",
    ]


def test_split_sentences_commas_only_when_too_long() -> None:
    text = "أولا، ثانيا، ثالثا، رابعا."
    assert len(split_sentences(text)) == 1
    parts = split_sentences(text, max_sentence_chars=13)
    assert [text[s.start : s.end] for s in parts] == ["أولا، ثانيا،", "ثالثا، رابعا."]


def test_split_sentences_respects_start_and_end() -> None:
    text = "أول. ثاني. ثالث."
    spans = split_sentences(text, 5, 10)
    assert spans == [Span(5, 10)]
    assert text[5:10] == "ثاني."
    assert split_sentences(text, 10, 10) == []


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_split_sentences_on_seeds(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert spans
    for prev, nxt in pairwise(spans):
        assert prev.end <= nxt.start
    for span in spans:
        part = text[span.start : span.end]
        assert part == part.strip()
        assert "\n" not in part
        # Decimals never end a sentence: the text right after is never a digit.
        assert not (part.endswith(".") and text[span.end : span.end + 1].isdigit())
        # A filter-dodging dot never ends one either.
        assert not part.endswith("ـ.")


def test_seed_decimals_stay_in_one_sentence() -> None:
    text = (SEEDS / "000_68dd4e1e43cb9c93.txt").read_text(encoding="utf-8")
    sentences = [text[s.start : s.end] for s in split_sentences(text)]
    for number in ("95.1%", "0.1 في المائة", "3.3 في المائة", "1.5 في المائة"):
        assert sum(number in s for s in sentences) == 1, number


# --- chunk_document -----------------------------------------------------------


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize(("chunk_chars", "overlap"), [(700, 150), (300, 120), (120, 40), (60, 0)])
def test_chunk_seeds_slice_back_exactly(path: Path, chunk_chars: int, overlap: int) -> None:
    doc = seed_doc(path)
    chunks = chunk_document(doc, chunk_chars=chunk_chars, overlap=overlap)
    assert chunks
    check_chunks(doc, chunks, chunk_chars, overlap)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_chunk_ids_are_stable(path: Path) -> None:
    first = chunk_document(seed_doc(path), chunk_chars=700, overlap=150)
    second = chunk_document(seed_doc(path), chunk_chars=700, overlap=150)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert first == second
    assert len({c.chunk_id for c in first}) == len(first)


def test_chunks_overlap_by_whole_trailing_sentences() -> None:
    doc = seed_doc(SEEDS / "001_7c7fb83801401802.txt")
    chunks = chunk_document(doc, chunk_chars=300, overlap=150)
    starts = {s.start for s in split_sentences(doc.text, max_sentence_chars=300)}
    overlapping = [(a, b) for a, b in pairwise(chunks) if b.start < a.end]
    assert overlapping
    for a, b in overlapping:
        assert b.start in starts  # a whole sentence, not a fragment
        assert a.end - b.start <= 150
        assert doc.text[b.start : a.end] in a.text
    no_overlap = chunk_document(doc, chunk_chars=300, overlap=0)
    assert all(a.end <= b.start for a, b in pairwise(no_overlap))


def test_overlap_repeats_trailing_sentences() -> None:
    sentences = [f"الجملة رقم {i} هنا." for i in range(10)]  # 18 or 19 chars each
    text = " ".join(sentences)
    chunks = chunk_document(make_doc(text), chunk_chars=60, overlap=20)
    assert [c.text for c in chunks[:2]] == [
        " ".join(sentences[0:3]),
        " ".join(sentences[2:5]),
    ]


def test_boilerplate_is_never_chunked() -> None:
    path = SEEDS / "002_09ee7769ac09c443.txt"
    text = path.read_text(encoding="utf-8")
    url = line_span(text, "https://www.facebook.com")
    read_also = line_span(text, "اقرأ أيضاً: رأس النظام")
    footer = Span(text.index("ليفانت نيوز_"), len(text))
    doc = seed_doc(path, (footer, url, read_also))  # unordered on purpose
    for chunk_chars, overlap in [(700, 150), (250, 100), (80, 30)]:
        chunks = chunk_document(doc, chunk_chars=chunk_chars, overlap=overlap)
        check_chunks(doc, chunks, chunk_chars, overlap)
        joined = "\n".join(c.text for c in chunks)
        assert "facebook" not in joined
        assert "اقرأ أيضاً" not in joined
        assert "النشرة الإخبارية" not in joined
        assert "وتدخلت روسيا في سوريا في سبتمبر 2015" in joined
    plain = chunk_document(seed_doc(path), chunk_chars=700, overlap=150)
    assert any("facebook" in c.text for c in plain)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_boilerplate_lines_on_every_seed(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = [m.span() for m in re.finditer(r"[^\n]+", text)]
    boilerplate = tuple(Span(s, e) for s, e in lines[1::3])  # every third line
    doc = seed_doc(path, boilerplate)
    chunks = chunk_document(doc, chunk_chars=400, overlap=100)
    check_chunks(doc, chunks, 400, 100)


def test_decimals_are_not_split_in_chunks() -> None:
    doc = seed_doc(SEEDS / "000_68dd4e1e43cb9c93.txt")
    for chunk_chars in (700, 200, 120):
        chunks = chunk_document(doc, chunk_chars=chunk_chars, overlap=50)
        for chunk in chunks:
            # A chunk never ends inside "95.1" nor starts at its "1".
            assert not (chunk.text.endswith(".") and doc.text[chunk.end : chunk.end + 1].isdigit())
            assert not (chunk.text[0].isdigit() and doc.text[chunk.start - 1] == ".")
        for number in ("95.1%", "0.1 في المائة", "3.3 في المائة", "1.5 في المائة"):
            assert any(number in c.text for c in chunks), number


def test_chunk_prefers_paragraph_end_when_half_full() -> None:
    para1 = "هذه فقرة أولى طويلة بما يكفي لتملأ نصف القطعة."  # 47 chars
    para2 = "جملة ثانية هنا. جملة ثالثة هنا. جملة رابعة هنا."  # 47 chars
    text = f"{para1}\n{para2}"
    chunks = chunk_document(make_doc(text), chunk_chars=80, overlap=0)
    # Greedy packing would take two sentences of para2 too (79 chars).
    assert [c.text for c in chunks] == [para1, para2]
    # A break with the chunk less than half full is packed across.
    short = f"قصيرة.\n{para2}"
    chunks = chunk_document(make_doc(f"{short}\n{para2}"), chunk_chars=80, overlap=0)
    assert chunks[0].text == short


def test_overlong_sentence_is_cut_between_words() -> None:
    text = " ".join(f"كلمة{i}" for i in range(200))
    doc = make_doc(text)
    chunks = chunk_document(doc, chunk_chars=100, overlap=30)
    check_chunks(doc, chunks, 100, 30)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.start == 0 or text[chunk.start - 1] == " "
        assert chunk.end == len(text) or text[chunk.end] == " "


def test_token_longer_than_a_chunk_is_cut_hard() -> None:
    text = "رابط: " + "x" * 250 + " انتهى."
    doc = make_doc(text)
    chunks = chunk_document(doc, chunk_chars=100, overlap=0)
    check_chunks(doc, chunks, 100, 0)


@pytest.mark.parametrize("text", ["", "   \n\n  ", "-", "-\n—\n• ...", "“ ”"])
def test_no_content_gives_no_chunks(text: str) -> None:
    assert chunk_document(make_doc(text), chunk_chars=700, overlap=150) == []


def test_whole_document_boilerplate_gives_no_chunks() -> None:
    text = "نص كامل."
    doc = make_doc(text, (Span(0, len(text)),))
    assert chunk_document(doc, chunk_chars=700, overlap=150) == []


def test_content_spans() -> None:
    assert content_spans(10, ()) == [Span(0, 10)]
    assert content_spans(10, (Span(6, 8), Span(0, 2), Span(1, 3))) == [Span(3, 6), Span(8, 10)]
    assert content_spans(10, (Span(-5, 4), Span(9, 50))) == [Span(4, 9)]
    assert content_spans(0, (Span(0, 1),)) == []


def test_invalid_sizes_raise() -> None:
    with pytest.raises(ValueError):
        chunk_document(make_doc("نص."), chunk_chars=0, overlap=0)
    with pytest.raises(ValueError):
        chunk_document(make_doc("نص."), chunk_chars=10, overlap=-1)


# --- properties ---------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "الإرهـ.ـاب", "بشار", "الأسد", "95.1", "٢٠٢١", "U.N.", "www.x.com", " ", "  ",
        "\n", "\n\n", "\r\n", ".", "..", "؟", "!", "؛", "،", ",", "ـ", "“", "”", "\"",
        "-", "\x00", "\u200b", "a", "word", "é", "\u0651",
    ]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=80).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = draw(_TEXT)
    n = len(text)
    raw = draw(st.lists(st.tuples(st.integers(-3, n + 3), st.integers(0, 40)), max_size=4))
    boilerplate = tuple(Span(a, a + length) for a, length in raw)
    return make_doc(text, boilerplate)


@settings(max_examples=500, deadline=None)
@given(documents(), st.integers(1, 200), st.integers(0, 300))
def test_chunking_properties(doc: Document, chunk_chars: int, overlap: int) -> None:
    chunks = chunk_document(doc, chunk_chars=chunk_chars, overlap=overlap)
    check_chunks(doc, chunks, chunk_chars, overlap)
    assert chunks == chunk_document(doc, chunk_chars=chunk_chars, overlap=overlap)


@settings(max_examples=500, deadline=None)
@given(_TEXT, st.integers(0, 50), st.integers(0, 400), st.integers(1, 100))
def test_split_sentences_properties(text: str, start: int, length: int, max_chars: int) -> None:
    end = min(len(text), start + length)
    spans = split_sentences(text, start, end, max_sentence_chars=max_chars)
    prev_end = min(start, len(text))
    for span in spans:
        assert prev_end <= span.start < span.end <= max(end, 0)
        part = text[span.start : span.end]
        assert part == part.strip()
        prev_end = span.end
    # Nothing but whitespace falls between or around the sentences.
    kept: set[int] = set()
    for span in spans:
        kept.update(range(span.start, span.end))
    lo = min(start, len(text))
    assert all(text[i].isspace() or i in kept for i in range(lo, max(end, lo)))
