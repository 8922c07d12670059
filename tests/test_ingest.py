"""Ingestion: the seeds' metadata, encodings, files that must be skipped, sidecars, doc_ids."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import pytest

from assistant.errors import CorpusError
from assistant.ingest.metadata import sidecar_path
from assistant.ingest.decoding import UnreadableFile, decode_bytes
from assistant.ingest.reader import ingest, load_document, read_text
from assistant.types import IngestReport

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TODAY = dt.date(2026, 11, 24)
ARTICLE = (
    "الكرملين: لا خطط للقاء بين بوتين والأسد\n"
    "طيف بوست – فريق التحرير\n"
    "موسكو - 28 مايو 2021 - قال المتحدث باسم الكرملين إن الرئيس لا ينوي عقد اجتماع.\n"
)


def reasons(report: IngestReport) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in report.skipped}


# --- the seeds ----------------------------------------------------------------

SEED_META = {
    "000_68dd4e1e43cb9c93": (
        "كشف الكرملين، الجمعة، أن الرئيس الروسي فلاديمير بوتين، ليس لديه نية في الوقت الحالي،",
        None,
        "2021-05",
        "header",
    ),
    "001_7c7fb83801401802": (
        "الرئاسة الروسية تتحدث عن خطط “بوتين” القادمة في سوريا بعد فوز بشار الأسد بالانتخابات الرئاسية!",
        "طيف بوست",
        "2021-05-28",
        "inferred",
    ),
    "002_09ee7769ac09c443": ("بشار الأسد إلى روسيا في زيارة غير معلنة", "ليفانت نيوز", None, None),
    "003_fd500e0c9f5cd60f": (
        "اتصال هاتفي بين بشار الأسد وبوتين بشأن الأوضاع الاقتصادية والحل في سوريا.. والرئاسة الروسية تصدر بياناً",
        "طيف بوست",
        "2021-04-26",
        "inferred",
    ),
    "004_c80ef43e0c326550": (
        "بوتين يبحث مع الشرع العلاقات الثنائية والتطورات في سوريا بعد سقوط نظام الأسد",
        None,
        None,
        None,
    ),
}


def test_seeds_metadata() -> None:
    report = ingest([SEEDS], today=TODAY)
    assert report.skipped == [] and report.warnings == []
    assert [d.doc_id for d in report.documents] == sorted(SEED_META)
    for doc in report.documents:
        title, outlet, iso, source = SEED_META[doc.doc_id]
        assert doc.title.startswith(title), doc.doc_id
        assert len(doc.title) <= 151
        assert doc.outlet == outlet, doc.doc_id
        assert (doc.date.iso if doc.date else None) == iso, doc.doc_id
        assert doc.date_source == source, doc.doc_id
        path = Path(doc.path)
        assert doc.text == path.read_bytes().decode("utf-8")  # the original, untouched
        assert len(doc.content_hash) == 64


def test_seed_000_title_has_no_date_header() -> None:
    (doc,) = [d for d in ingest([SEEDS], today=TODAY).documents if d.doc_id.startswith("000")]
    assert "date" not in doc.title and "2021" not in doc.title
    assert doc.text.startswith(" date 2021-05 ")


# --- encodings ------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-32", "cp1256"])
def test_encodings_decode_to_the_original(tmp_path: Path, encoding: str) -> None:
    text = ARTICLE + "سطر بنهاية ويندوز\r\nوسطر قديم\rوسطر أخير بلا نهاية"
    if encoding == "utf-16-le-bom":
        data = b"\xff\xfe" + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    (tmp_path / "a.txt").write_bytes(data)
    report = ingest([tmp_path], today=TODAY)
    (doc,) = report.documents
    assert doc.text == text  # exact: line endings kept, BOM dropped
    assert doc.date is not None and doc.date.iso == "2021-05-28"
    assert doc.outlet == "طيف بوست"


def test_read_text_and_decode_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes("مرحبا\r\nبالعالم".encode("cp1256"))
    assert read_text(path) == "مرحبا\r\nبالعالم"
    assert decode_bytes(b"plain ascii\n") == "plain ascii\n"
    with pytest.raises(UnreadableFile) as info:
        decode_bytes(b"ab\x00cd")
    assert "NUL" in info.value.reason


# --- files that are skipped ------------------------------------------------------

def test_bad_files_are_skipped_with_reasons_and_never_stop_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b"  \n\r\n\t")
    (tmp_path / "nul.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (tmp_path / "random.txt").write_bytes(random.Random(7).randbytes(1024).replace(b"\x00", b"\x01"))
    (tmp_path / "utf16-no-bom.txt").write_bytes(ARTICLE.encode("utf-16-le"))
    (tmp_path / "big.txt").write_text(ARTICLE * 50, encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    report = ingest([tmp_path], today=TODAY, max_bytes=2000)
    assert [d.doc_id for d in report.documents] == ["good"]
    got = reasons(report)
    assert got["empty.txt"] == "empty file"
    assert got["blank.md"] == "empty file"
    assert "NUL" in got["nul.txt"]
    assert "not text" in got["random.txt"] or "binary" in got["random.txt"]
    assert "NUL" in got["utf16-no-bom.txt"]
    assert got["big.txt"].startswith("too large")
    assert "notes.pdf" not in got and ".hidden.txt" not in got


def test_symlink_loop_broken_link_and_outside_root(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "loop-a.txt").symlink_to(corpus / "loop-b.txt")
    (corpus / "loop-b.txt").symlink_to(corpus / "loop-a.txt")
    (corpus / "self.txt").symlink_to(corpus / "self.txt")
    (corpus / "broken.txt").symlink_to(corpus / "missing.txt")
    outside = tmp_path / "secret.txt"
    outside.write_text(ARTICLE, encoding="utf-8")
    (corpus / "escape.txt").symlink_to(outside)
    (corpus / "inside-link.txt").symlink_to(corpus / "good.txt")
    (corpus / "linked-folder").symlink_to(tmp_path)
    report = ingest([corpus], today=TODAY)
    assert [d.doc_id for d in report.documents] == ["good", "inside-link"]
    got = reasons(report)
    assert got["loop-a.txt"] == got["loop-b.txt"] == got["self.txt"] == "symlink loop"
    assert got["broken.txt"] == "broken symlink"
    assert got["escape.txt"].startswith("resolves outside the corpus root")
    assert got["linked-folder"] == "symlinked folder not followed"


def test_a_file_named_directly_may_be_a_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "real.txt"
    target.parent.mkdir()
    target.write_text(ARTICLE, encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    (doc,) = ingest([link], today=TODAY).documents
    assert doc.doc_id == "link"


def test_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    report = ingest([tmp_path], today=TODAY)
    assert reasons(report) == {"pipe.txt": "not a regular file"}


def test_permission_denied_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text(ARTICLE, encoding="utf-8")
    real_open = Path.open

    def guarded_open(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    # Root reads any file whatever its mode, so the refusal is simulated.
    monkeypatch.setattr(Path, "open", guarded_open)
    report = ingest([tmp_path], today=TODAY)
    assert [d.doc_id for d in report.documents] == ["good"]
    assert reasons(report) == {"locked.txt": "permission denied"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file with mode 000")
def test_real_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(ARTICLE, encoding="utf-8")
    locked.chmod(0)
    try:
        assert reasons(ingest([tmp_path], today=TODAY)) == {"locked.txt": "permission denied"}
    finally:
        locked.chmod(0o644)


# --- paths, doc_ids, ordering ------------------------------------------------------

def test_arabic_names_with_spaces_and_nested_folders(tmp_path: Path) -> None:
    folder = tmp_path / "أخبار عربية" / "2021"
    folder.mkdir(parents=True)
    (folder / "مقال جديد.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b file.md").write_text(ARTICLE, encoding="utf-8")
    report = ingest([tmp_path], today=TODAY)
    assert [d.doc_id for d in report.documents] == ["b file", "أخبار عربية/2021/مقال جديد"]
    assert report.documents[1].path == str(folder / "مقال جديد.txt")


def test_several_roots_and_duplicate_doc_ids(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (one / "a.md").write_text(ARTICLE, encoding="utf-8")
    (two / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (two / "b.txt").write_text(ARTICLE, encoding="utf-8")
    report = ingest([two, one], today=TODAY)
    assert [(d.doc_id, Path(d.path).parent.name) for d in report.documents] == [("a", "two"), ("b", "two")]
    dupes = [s for s in report.skipped if "duplicate doc_id" in s.reason]
    assert sorted(Path(s.path).name for s in dupes) == ["a.md", "a.txt"]


def test_a_single_file_gets_its_stem(tmp_path: Path) -> None:
    path = tmp_path / "x.y.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (doc,) = ingest([path], today=TODAY).documents
    assert doc.doc_id == "x.y"


def test_missing_path_is_a_corpus_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(CorpusError) as info:
        ingest([missing])
    assert str(missing) in info.value.one_line()


def test_title_falls_back_to_the_file_stem(tmp_path: Path) -> None:
    (tmp_path / "short one.txt").write_text("كلمة\n-\n", encoding="utf-8")
    (doc,) = ingest([tmp_path], today=TODAY).documents
    assert doc.title == "short one"


# --- sidecar -------------------------------------------------------------------

def test_sidecar_overrides_date_title_and_outlet(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    before = load_document(tmp_path, article, TODAY)
    assert (before.date.iso if before.date else None, before.date_source) == ("2021-05-28", "dateline")
    side = sidecar_path(article)
    assert side.name == "a.txt.meta.toml"
    side.write_text('date = "2021-05"\ntitle = "عنوان من الملف"\noutlet = "وكالة ما"\n', encoding="utf-8")
    after = load_document(tmp_path, article, TODAY)
    assert after.date is not None and after.date.iso == "2021-05"
    assert after.date_source == "metadata"
    assert (after.title, after.outlet) == ("عنوان من الملف", "وكالة ما")
    assert after.content_hash != before.content_hash
    assert after.text == before.text
    side.write_text("date = 2020-01-02\n", encoding="utf-8")  # a TOML date works too
    edited = load_document(tmp_path, article, TODAY)
    assert edited.date is not None and edited.date.iso == "2020-01-02"
    assert edited.content_hash not in (before.content_hash, after.content_hash)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('date = "2021-13-01"\n', "ignored"),
        ('date = "yesterday"\n', "not a date"),
        ("date = [\n", "not valid TOML"),
        ('author = "x"\n', "unknown key 'author'"),
        ("title = 5\n", "title must be"),
    ],
)
def test_malformed_sidecar_is_a_warning_and_the_article_is_kept(tmp_path: Path, content: str, words: str) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    sidecar_path(article).write_text(content, encoding="utf-8")
    report = ingest([tmp_path], today=TODAY)
    (doc,) = report.documents
    assert report.skipped == []
    (warning,) = report.warnings
    assert warning.path == str(article)
    assert words in warning.reason
    assert doc.date_source == "dateline"  # fell back to the text
    assert doc.title == "الكرملين: لا خطط للقاء بين بوتين والأسد"


def test_sidecars_are_not_read_as_articles(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text(ARTICLE, encoding="utf-8")
    sidecar_path(article).write_text('title = "t t t"\n', encoding="utf-8")
    report = ingest([tmp_path], today=TODAY)
    assert [d.doc_id for d in report.documents] == ["a"]
    assert report.skipped == []


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_are_never_text(seed: int) -> None:
    rng = random.Random(seed)
    data = rng.randbytes(rng.randint(64, 4096)).replace(b"\x00", b"\x01")
    with pytest.raises(UnreadableFile):
        decode_bytes(data)


def test_a_damaged_utf8_byte_is_replaced_with_a_warning(tmp_path: Path) -> None:
    data = ARTICLE.encode("utf-8")
    damaged = data[:60] + b"\xff" + data[60:]
    (tmp_path / "a.txt").write_bytes(damaged)
    report = ingest([tmp_path], today=TODAY)
    (doc,) = report.documents
    assert doc.text == damaged.decode("utf-8", errors="replace")
    (warning,) = report.warnings
    assert "invalid UTF-8" in warning.reason


@pytest.mark.parametrize(
    "rel",
    ["a.txt", "sub/b.md", "x/y/z.tar.txt", "نص عربي/مقال ١.txt", "no_suffix", "dots./name.", "d.d/.hidden", "a/b.c/d"],
)
def test_doc_ids_are_the_relative_path_without_its_suffix(tmp_path: Path, rel: str) -> None:
    from pathlib import PurePosixPath

    from assistant.ingest.reader import _doc_id

    want = PurePosixPath(rel)
    want_id = (want.with_name(want.stem) if want.suffix else want).as_posix()
    assert _doc_id(tmp_path, tmp_path / rel) == want_id
    assert _doc_id(tmp_path / "", Path(str(tmp_path) + "/" + rel)) == want_id
