"""Fuzzing ingestion and chunking with hypothesis: whatever bytes a file holds, nothing crashes.

Every generated input goes through the real pipeline: bytes on disk ->
``load_document`` (decoding, boilerplate, dates, title, outlet) ->
``chunk_document`` -> the index's JSONL rows and back. A file is either a
Document or an ``UnreadableFile`` with a reason; any other exception is a
crash. Offsets always slice back to the original text. The examples are
derandomised so a run is repeatable; each test checks how many it ran, and
the module prints the totals (10,000 inputs or more).
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.index import store
from assistant.text.arabic import tokenize
from assistant.ingest.chunking import chunk_document
from assistant.text.sentences import split_sentences
from assistant.ingest.decoding import UnreadableFile, decode_bytes
from assistant.ingest.reader import ingest, load_document
from assistant.types import Document
from test_chunking import check_chunks

pytestmark = pytest.mark.fuzz  # about 7,000 generated inputs: minutes, no model

TODAY = dt.date(2026, 11, 24)
STATS: Counter[str] = Counter()

def fuzz(examples: int) -> settings:
    """Settings for one fuzz run of ``examples`` inputs: repeatable, no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )

# Article-like material: Arabic words and punctuation, dates, boilerplate
# phrases, URLs, every kind of line ending, bidi and zero-width marks,
# tatweel and filter-dodging dots, plus arbitrary characters.
_PIECES = st.sampled_from(
    [
        "الكرملين", "بوتين", "الأسد", "وقال", "المتحدث", "الإرهـ.ـاب", "سوريا", "في", "عن",
        "الجمعة 28 مايو", "28 مايو 2021", "2021-05-28", "أيار 2021", "٢٠٢١", "95.1", "U.N.", "Dr.",
        "اقرأ أيضاً:", "اقرأ أيضا", "شارك", "تعليقات", "https://example.com/a?b=1", "www.x.com",
        "طيف بوست – فريق التحرير", "المصدر: وكالات", "# عنوان", "date 2021-05",
        " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\x0b", "\x0c", "\u2028", "\u2029",
        ".", "...", "؟", "!", "؛", "،", ",", ":", "ـ", "“", "”", "«", "»", "\"", "(", ")", "-", "–",
        "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202e", "\u2066", "\u2069",
        "\ufeff", "\u0651", "\u064b", "é", "a", "word", "😀", "\U0001f1f8\U0001f1fe",
    ]
)
_READABLE = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"))
_ANY_CHAR = st.characters(blacklist_categories=("Cs",))  # lone surrogates cannot be encoded
_CLEAN = st.one_of(_PIECES, st.text(_READABLE, max_size=8))
_NOISY = st.one_of(_PIECES, st.text(_READABLE, max_size=8), st.text(_ANY_CHAR, max_size=2), st.sampled_from("\x00\x85\x1c\ufffd"))
# One text in four is noisy (control characters, NULs, unassigned code points): a
# file that is mostly control characters is rightly refused, the rest must be read.
TEXTS = (
    st.sampled_from([_CLEAN, _CLEAN, _CLEAN, _NOISY])
    .flatmap(lambda part: st.integers(0, 160).flatmap(lambda n: st.lists(part, min_size=n, max_size=n)))
    .map("".join)
)

_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "utf-32", "cp1256", "utf-16-le"]


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if encoding == "cp1256":
        return text.encode("cp1256", errors="replace")
    return text.encode(encoding)


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """Bytes a file might hold: encoded text, damaged text, a lone surrogate, or noise."""
    kind = draw(st.sampled_from(["text", "text", "damaged", "surrogate", "noise", "prefixed-noise"]))
    if kind == "noise":
        return draw(st.binary(max_size=2000))
    text = draw(TEXTS)
    if kind == "surrogate":  # a lone surrogate written with surrogatepass (WTF-8 / CESU-style)
        at = draw(st.integers(0, len(text)))
        cp = draw(st.integers(0xD800, 0xDFFF))
        data = text[:at].encode("utf-8") + chr(cp).encode("utf-8", "surrogatepass") + text[at:].encode("utf-8")
        if draw(st.booleans()):
            data = codecs.BOM_UTF16_LE + (text[:at] + "\x00").encode("utf-16-le")[:-2] + cp.to_bytes(2, "little")
        return data
    data = _encode(text, draw(st.sampled_from(_ENCODINGS)))
    if kind == "damaged" and data:
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    if kind == "prefixed-noise":
        data = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE, b""])) + draw(
            st.binary(max_size=300)
        )
    return data


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-ingest-") as tmp:
        yield Path(tmp)
    print(
        f"\nfuzz totals: {STATS['inputs']} inputs ({STATS['documents']} documents, "
        f"{STATS['unreadable']} reported unreadable, {STATS['chunks']} chunks checked), 0 crashes"
    )


def _check_document(doc: Document, data: bytes, chunk_chars: int, overlap: int) -> None:
    """A document from ``data`` is its decoded text, untouched, and chunks slice back into it."""
    assert doc.text == decode_bytes(data)
    assert doc.text.strip()
    n = len(doc.text)
    for bp in doc.boilerplate:
        assert 0 <= bp.start < bp.end <= n
    assert doc.title and "\n" not in doc.title and len(doc.title) <= 151
    if doc.date is not None:
        doc.date.span()  # a real calendar date
        if doc.date_source in ("dateline", "inferred"):
            assert doc.date.span()[0] <= TODAY
    chunks = chunk_document(doc, chunk_chars=chunk_chars, overlap=overlap)
    check_chunks(doc, chunks, chunk_chars, overlap)
    # What the index writes and reads back is the same document and the same chunks.
    row = json.loads(json.dumps(store.document_to_row(doc), ensure_ascii=False))
    back = store.document_from_row(row)
    assert back == doc
    docs = {doc.doc_id: back}
    for chunk in chunks:
        again = store.chunk_from_row(json.loads(json.dumps(store.chunk_to_row(chunk))), docs, chunk.search_text)
        assert again == chunk
        tokenize(chunk.text)
    STATS["chunks"] += len(chunks)


@pytest.mark.parametrize("part", range(3))
def test_any_file_is_a_document_or_reported(workdir: Path, part: int) -> None:
    """6,000 files of arbitrary content through load_document and chunking."""
    ran = 0
    path = workdir / f"article-{part}.txt"

    @fuzz(2000)
    @given(data=file_bytes(), chunk_chars=st.integers(100, 1200), overlap=st.integers(0, 300))
    def run(data: bytes, chunk_chars: int, overlap: int) -> None:
        nonlocal ran
        ran += 1
        STATS["inputs"] += 1
        path.write_bytes(data)
        try:
            doc = load_document(workdir, path, TODAY)
        except UnreadableFile as exc:
            assert exc.reason and "\n" not in exc.reason
            STATS["unreadable"] += 1
            return
        STATS["documents"] += 1
        _check_document(doc, data, chunk_chars, overlap)

    run()
    assert ran >= 2000


def test_text_in_a_declared_encoding_decodes_exactly() -> None:
    """2,500 texts: with a BOM, or as UTF-8, the decoded text is exactly the original."""
    ran = 0

    @fuzz(2500)
    @given(text=TEXTS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "utf-32"]))
    def run(text: str, encoding: str) -> None:
        nonlocal ran
        ran += 1
        STATS["inputs"] += 1
        data = _encode(text, encoding)
        try:
            decoded = decode_bytes(data)
        except UnreadableFile as exc:
            # Only NUL bytes (plain UTF-8) or a text that is mostly control characters is refused.
            STATS["unreadable"] += 1
            assert ("NUL" in exc.reason and "\x00" in text) or "control" in exc.reason, (exc.reason, text)
            return
        expected = text[1:] if encoding == "utf-8" and text.startswith("\ufeff") else text
        if data.startswith(codecs.BOM_UTF32_LE) and encoding == "utf-16":
            # UTF-16 LE's BOM and a NUL are UTF-32 LE's BOM: where the rest is valid
            # UTF-32 too, the bytes are ambiguous and either reading is right.
            assert decoded in (expected, data[4:].decode("utf-32-le")), (decoded, text)
            return
        assert decoded == expected

    run()
    assert ran >= 2500


def test_damaged_utf8_keeps_its_text() -> None:
    """1,000 UTF-8 texts with lone surrogates or stray bytes: read as UTF-8, never as Windows-1256 mojibake."""
    ran = 0
    damage = st.one_of(
        st.integers(0xD800, 0xDFFF).map(lambda cp: chr(cp).encode("utf-8", "surrogatepass")),
        st.sampled_from([b"\xff", b"\xc0", b"\xed\xa0", b"\x80\x80"]),
    )

    @fuzz(1000)
    @given(text=TEXTS, cuts=st.lists(st.tuples(st.floats(0, 1), damage), min_size=1, max_size=3))
    def run(text: str, cuts: list[tuple[float, bytes]]) -> None:
        nonlocal ran
        ran += 1
        STATS["inputs"] += 1
        text = text.replace("\x00", "").replace("\ufffd", "")
        parts, last = [], 0
        for at in sorted(int(f * len(text)) for f, _ in cuts):
            parts.append(text[last:at])
            last = at
        parts.append(text[last:])
        data = b"".join(p.encode("utf-8") + (cuts[i][1] if i < len(cuts) else b"") for i, p in enumerate(parts))
        readable_non_ascii = sum(1 for c in text if ord(c) > 0x7F)
        try:
            decoded = decode_bytes(data)
        except UnreadableFile as exc:
            STATS["unreadable"] += 1
            # Refused only as mostly control characters, or as too little UTF-8 to tell.
            assert "control" in exc.reason or readable_non_ascii < 2 * len(cuts), (exc.reason, text)
            return
        if readable_non_ascii >= 2 * len(cuts):
            # A U+FEFF is a BOM only where the bytes begin with it; after damaged bytes it is text.
            bom = data.startswith("\ufeff".encode("utf-8"))
            assert decoded.replace("\ufffd", "") == (text.removeprefix("\ufeff") if bom else text)

    run()
    assert ran >= 1000


def test_sentences_and_chunks_of_any_text_slice_back() -> None:
    """1,500 texts chunked directly (no decoding), with their own boilerplate and odd sizes."""
    ran = 0

    @fuzz(1500)
    @given(text=TEXTS, chunk_chars=st.integers(1, 900), overlap=st.integers(0, 400), max_sentence=st.integers(1, 600))
    def run(text: str, chunk_chars: int, overlap: int, max_sentence: int) -> None:
        nonlocal ran
        ran += 1
        STATS["inputs"] += 1
        from assistant.ingest.boilerplate import find_boilerplate

        doc = Document("d", "d.txt", text, "t", None, None, None, "", find_boilerplate(text))
        chunks = chunk_document(doc, chunk_chars=chunk_chars, overlap=overlap, max_sentence_chars=max_sentence)
        check_chunks(doc, chunks, chunk_chars, overlap)
        for span in split_sentences(text, max_sentence_chars=max_sentence):
            part = text[span.start : span.end]
            assert part and part == part.strip()
        STATS["chunks"] += len(chunks)

    run()
    assert ran >= 1500


def test_folders_of_hostile_files_never_stop_ingest(workdir: Path) -> None:
    """300 folders of 1-4 arbitrary files with odd names: every file is a document or a reported skip."""
    ran = 0
    names = st.sampled_from(
        ["a.txt", "b.md", "مقال جديد.txt", "with space.txt", "x.y.TXT", "-dash.md", "'quote'.txt", "tab\tname.txt"]
    )

    @fuzz(300)
    @given(files=st.dictionaries(names, file_bytes(), min_size=1, max_size=4))
    def run(files: dict[str, bytes]) -> None:
        nonlocal ran
        ran += 1
        folder = workdir / f"folder-{ran}"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        STATS["inputs"] += len(files)
        report = ingest([folder], today=TODAY)
        seen = {Path(d.path).name for d in report.documents} | {Path(s.path).name for s in report.skipped}
        assert seen == set(files)
        for doc in report.documents:
            assert doc.text == decode_bytes(files[Path(doc.path).name])
        STATS["documents"] += len(report.documents)
        STATS["unreadable"] += len(report.skipped)

    run()
    assert ran >= 300
