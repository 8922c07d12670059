"""Archives: dumps (JSON Lines, JSON, CSV/TSV), front matter, saved web pages, and the dates they give."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from assistant.index import store
from assistant.index.manifest import read_manifest
from assistant.ingest.chunking import chunk_document
from assistant.ingest.dumps import parse_field_overrides
from assistant.ingest.reader import ingest
from conftest import TODAY, run_cli
from test_reindex_incremental import _run

BODY = "قال المتحدث باسم الوزارة إن الاجتماع المقبل سيعقد في الرياض لبحث التعاون الاقتصادي بين البلدين."
RECORDS = [
    {
        "source": "okaz",
        "url": "http://example.com/a/1",
        "date_extracted": "2015-07-22 09:57:26",
        "title": "اجتماع في الرياض",
        "author": "جدة - محرر",
        "content": "  " + BODY + " وأضاف أن اللجنة ستجتمع في 15 أكتوبر 2015.",
    },
    {"source": "was", "url": "http://example.com/a/2", "date_extracted": "2015-08-11 01:00:00", "title": "خبر واس",
     "author": "", "content": "كانبيرا 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس\nأعلنت الحكومة الأسترالية خطة جديدة للطاقة."},
    {"source": "sabq", "url": "http://example.com/a/3", "date_extracted": "2015-07-24 10:00:00", "title": "فارغ", "content": "   "},
    {"source": "sabq", "url": "http://example.com/a/1", "date_extracted": "2015-07-24 10:00:00", "title": "نسخة", "content": BODY},
]


def _jsonl(path: Path, records: list[object], extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- dumps ----------------------------------------------------------------------

def test_a_jsonl_dump_is_read_a_record_an_article(tmp_path: Path) -> None:
    dump = _jsonl(tmp_path / "snn.jsonl", RECORDS, ("{not json",))
    report = ingest([dump], today=TODAY)
    by_url = {d.url: d for d in report.documents}
    assert len(report.documents) == 2
    first = by_url["http://example.com/a/1"]
    assert first.doc_id.startswith("snn/") and len(first.doc_id) == len("snn/") + 12
    assert first.text == RECORDS[0]["content"]  # the record's text as it is: offsets point into it
    assert (first.title, first.outlet, first.author, first.path) == ("اجتماع في الرياض", "okaz", "جدة - محرر", str(dump))
    # A fetch time is kept, never taken for the publication date; a date in the body is not one either.
    assert first.fetched is not None and first.fetched.iso == "2015-07-22"
    assert (first.date, first.date_source) == (None, None)
    # A dateline at the top is (Hijri converted, the Gregorian pair taken).
    second = by_url["http://example.com/a/2"]
    assert (second.date.iso if second.date else None, second.date_source) == ("2015-08-10", "dateline")
    reasons = {s.path.rsplit("#", 1)[1]: s.reason for s in report.skipped}
    assert reasons["3"] == "empty content"
    assert "duplicate record id" in reasons["4"]
    assert reasons["5"].startswith("not valid JSON")
    (info,) = report.dumps
    assert (info.format, info.records, info.articles) == ("jsonl", 5, 2)
    assert info.fields == {
        "text": "content", "title": "title", "date": None, "fetched": "date_extracted",
        "outlet": "source", "url": "url", "id": None, "author": "author",
    }
    assert any("fetch time" in note for note in info.notes)


def test_fields_can_be_named(tmp_path: Path) -> None:
    dump = _jsonl(tmp_path / "d.jsonl", [{"body_ar": BODY, "when": "2015-07-20", "num": 7, "content": "x"}])
    (doc,) = ingest([dump], today=TODAY, fields=parse_field_overrides(["text=body_ar", "date=when", "id=num"])).documents
    assert (doc.doc_id, doc.text, doc.date.iso if doc.date else None, doc.date_source) == ("d/7", BODY, "2015-07-20", "metadata")
    with pytest.raises(ValueError, match="ROLE=NAME"):
        parse_field_overrides(["colour=red"])


def test_json_arrays_objects_and_csv(tmp_path: Path) -> None:
    rows = [{"id": "a1", "headline": "عنوان", "body": BODY, "published": "2015-08-10T10:00:00+03:00"}]
    (tmp_path / "arr.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "obj.json").write_text(json.dumps({"articles": rows}, ensure_ascii=False), encoding="utf-8")
    with open(tmp_path / "t.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = ingest([tmp_path], today=TODAY)
    assert sorted(d.doc_id for d in report.documents) == ["arr/a1", "obj/a1", "t/a1"]
    for doc in report.documents:
        assert (doc.title, doc.text, doc.date.iso if doc.date else None) == ("عنوان", BODY, "2015-08-10")


def test_a_dump_without_a_text_field_is_skipped_with_the_fix(tmp_path: Path) -> None:
    dump = _jsonl(tmp_path / "x.jsonl", [{"name": "a", "value": 1}])
    report = ingest([dump], today=TODAY)
    (skipped,) = report.skipped
    assert "no text field" in skipped.reason and "--field text=NAME" in skipped.reason


def test_an_edited_record_alone_is_embedded_again_and_the_mapping_is_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = [dict(RECORDS[0]), dict(RECORDS[1])]
    dump = _jsonl(folder / "snn.jsonl", records)
    index_dir = tmp_path / "index"
    stats, _ = _run(index_dir, folder)
    assert len(stats.added) == 2 and stats.dumps[0].articles == 2
    manifest = read_manifest(store.current_generation(index_dir))
    assert manifest.dumps[0]["fields"]["text"] == "content"
    records[1]["content"] += "\nوقال وزير الطاقة إن الخطة تبدأ العام المقبل."
    _jsonl(dump, records)
    stats, encoder = _run(index_dir, folder)
    assert (len(stats.updated), stats.unchanged) == (1, 1)
    assert all("وزير الطاقة" in t or "الحكومة" in t for t in encoder.encoded)


# --- front matter ---------------------------------------------------------------

def test_yaml_front_matter_is_metadata_not_text(tmp_path: Path) -> None:
    front = "---\ntitle: خطة الطاقة\ndate: 2015-08-10\nsource: الرياض\nurl: http://example.com/x\nauthor: [أ, ب]\n---\n"
    (tmp_path / "a.md").write_text(front + BODY + "\n", encoding="utf-8")
    (doc,) = ingest([tmp_path], today=TODAY).documents
    assert (doc.title, doc.date.iso if doc.date else None, doc.date_source) == ("خطة الطاقة", "2015-08-10", "metadata")
    assert (doc.outlet, doc.url, doc.author) == ("الرياض", "http://example.com/x", "أ, ب")
    assert doc.text.startswith("---")  # the file as it is, offsets into it...
    chunks = chunk_document(doc, chunk_chars=700, overlap=150)
    assert all("title:" not in c.text and "---" not in c.text for c in chunks)  # ...but never indexed or quoted
    assert BODY in "".join(c.text for c in chunks)


def test_toml_front_matter_and_a_malformed_one(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text('+++\ntitle = "عنوان"\ndate = 2015-08-10\n+++\n' + BODY + "\n", encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\n" + BODY + "\n", encoding="utf-8")
    report = ingest([tmp_path], today=TODAY)
    docs = {d.doc_id: d for d in report.documents}
    assert docs["t"].title == "عنوان" and docs["t"].date is not None and docs["t"].date.iso == "2015-08-10"
    assert "bad" in docs  # still read
    (warning,) = report.warnings
    assert "front matter ignored" in warning.reason


# --- saved web pages --------------------------------------------------------------

PAGE = """<!doctype html><html lang="ar"><head><meta charset="utf-8">
<title>خطة الطاقة الجديدة | صحيفة المثال</title>
<meta property="og:title" content="خطة الطاقة الجديدة">
<meta property="og:site_name" content="صحيفة المثال">
<meta property="article:published_time" content="2015-08-10T09:00:00+03:00">
</head><body>
<nav><a href="/">الرئيسية</a> <a href="/sport">رياضة</a> <a href="/eco">اقتصاد</a></nav>
<article><h1>خطة الطاقة الجديدة</h1>
<p>أعلنت الحكومة الأسترالية اليوم خطة جديدة للطاقة المتجددة تهدف إلى خفض الانبعاثات بحلول عام 2030، وقال وزير الطاقة إن الخطة ستوفر آلاف الوظائف.</p>
<p>وأضاف الوزير في مؤتمر صحفي أن الاستثمارات ستتركز في الطاقة الشمسية وطاقة الرياح، وأن المشاريع الأولى ستبدأ في 15 أكتوبر 2015.</p>
</article>
<aside><h3>اقرأ أيضاً</h3><ul><li><a href="/o">خبر آخر عن الرياضة</a> 19 ديسمبر 2024</li></ul></aside>
<footer>جميع الحقوق محفوظة</footer></body></html>"""


def test_a_saved_page_gives_its_main_text_and_meta_date(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "nodate.htm").write_text(PAGE.replace('<meta property="article:published_time" content="2015-08-10T09:00:00+03:00">', ""), encoding="utf-8")
    report = ingest([tmp_path], today=TODAY)
    docs = {d.doc_id: d for d in report.documents}
    page = docs["page"]
    assert "خطة جديدة للطاقة المتجددة" in page.text and "ستبدأ في 15 أكتوبر 2015" in page.text
    assert "الرئيسية" not in page.text and "جميع الحقوق" not in page.text and "<p>" not in page.text
    assert page.title == "خطة الطاقة الجديدة" and page.outlet == "صحيفة المثال"
    assert (page.date.iso if page.date else None, page.date_source) == ("2015-08-10", "metadata")
    # Without meta data the dates in the page (an event's, a sidebar's) are not publication dates.
    assert (docs["nodate"].date, docs["nodate"].date_source) == (None, None)


def test_a_page_without_article_text_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_text("<html><body><nav><a href='/'>x</a></nav></body></html>", encoding="utf-8")
    report = ingest([tmp_path], today=TODAY)
    assert report.documents == []
    assert report.skipped[0].reason == "no article text found in the page"


# --- the command ------------------------------------------------------------------

def test_index_rejects_a_bad_field_flag(tmp_path: Path) -> None:
    proc = run_cli("index", str(tmp_path), "--field", "colour=red", "--index-dir", str(tmp_path / "i"))
    assert proc.returncode == 2
    assert "ROLE=NAME" in proc.stderr and "Traceback" not in proc.stderr


# --- searchable before embedding; a killed run resumes ---------------------------

class _Killed(Exception):
    pass


def test_a_big_run_is_searchable_first_and_a_killed_one_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    import assistant.index.embedding_cache as embedding_cache
    from assistant.config import load_settings
    from assistant.index.build import build_index
    from assistant.retrieve.search import SearchIndex
    from conftest import SEEDS
    from test_reindex_incremental import _SpanHashEncoder

    folder = tmp_path / "corpus"
    folder.mkdir()
    records = [{"id": str(i), "content": f"{BODY} الخبر رقم {i} عن موضوع {i * 7}."} for i in range(12)]
    _jsonl(folder / "d.jsonl", records)
    index_dir = tmp_path / "index"
    settings = load_settings(index_dir=index_dir, stage_chunks=4)
    monkeypatch.setattr(embedding_cache, "EMBED_BATCH", 5)
    seen: list[tuple[int, int, int]] = []

    class Counting(_SpanHashEncoder):
        chunks = 0

        def encode_queries(self, queries):  # type: ignore[no-untyped-def]
            return self.encode_documents(list(queries), [""] * len(queries))

        def encode_documents_with_sentences(self, texts, titles, spans, progress=None):  # type: ignore[no-untyped-def]
            self.chunks += len(texts)
            return super().encode_documents_with_sentences(texts, titles, spans, progress)

    class Dying(Counting):
        def encode_documents_with_sentences(self, texts, titles, spans, progress=None):  # type: ignore[no-untyped-def]
            if self.chunks >= 10:  # two batches of 5 written, then killed
                raise _Killed
            return super().encode_documents_with_sentences(texts, titles, spans, progress)

    dying = Dying()
    with pytest.raises(_Killed):
        build_index(settings, [folder], embedder_path=SEEDS, load_embedder=lambda: dying, today=TODAY,
                    on_searchable=lambda *a: seen.append(a))
    assert seen == [(12, 12, 12)]
    # The lexical generation is live: every article searchable by its words, none by vectors yet.
    engine = SearchIndex.open(settings, SEEDS, Counting)
    assert engine.pending is not None and int(engine.pending.sum()) == 12 and "12 of 12" in (engine.missing or "")
    hits = engine.search("الخبر رقم 3", k=3).hits
    assert hits and all(h.dense_rank is None for h in hits)
    from assistant.app.catalog import index_status

    status = index_status(index_dir)
    assert status["embedding"]["pending"] == 12 and status["embedding"]["left"] == 2 and status["writing"] is None
    # Started again, it embeds only what the killed run had not finished.
    again = Counting()
    stats = build_index(settings, None, embedder_path=SEEDS, load_embedder=lambda: again, today=TODAY)
    assert stats.embedded_chunks == 2 and again.chunks == 2  # 12 - the 10 finished
    engine = SearchIndex.open(settings, SEEDS, Counting)
    assert engine.pending is None and engine.missing is None
    assert not (index_dir / "embedding").exists()
    # The same vectors as one uninterrupted run.
    fresh_dir = tmp_path / "fresh"
    build_index(load_settings(index_dir=fresh_dir), [folder], embedder_path=SEEDS, load_embedder=_SpanHashEncoder, today=TODAY)
    a = np.load(store.current_generation(index_dir) / "vectors.npy")
    b = np.load(store.current_generation(fresh_dir) / "vectors.npy")
    assert np.array_equal(a, b)


# --- wire copies -----------------------------------------------------------------

STORY = (
    "أعلنت الهيئة العامة للسياحة والتراث الوطني إغلاق عشر منشآت سياحية في منطقة تبوك لمخالفتها الاشتراطات "
    "والمواصفات وتشغيلها دون الحصول على الترخيص اللازم من الهيئة، وأوضح المتحدث باسم الهيئة أن فرق الرقابة "
    "زارت أكثر من ستين منشأة خلال إجازة العيد، وأن الغرامات المالية ستطبق على جميع المنشآت المخالفة وفق النظام."
)
OTHER = (
    "افتتح أمير منطقة الرياض مهرجان التمور السنوي في بريدة بحضور عدد من المسؤولين والمزارعين، وتضمن المهرجان "
    "معارض للتمور ومنتجاتها وفعاليات ثقافية للأسر، وقال رئيس اللجنة المنظمة إن المبيعات في اليوم الأول تجاوزت "
    "مليون ريال وإن المهرجان يستمر أسبوعين بمشاركة أكثر من مئتي مزارع من مختلف مناطق المملكة."
)


def _story_dump(folder: Path) -> Path:
    rows = [
        {"id": "okaz-1", "source": "okaz", "date": "2015-07-22", "content": STORY},
        {"id": "sabq-7", "source": "sabq", "date": "2015-07-23", "content": "سبق- تبوك: " + STORY.replace("عشر", "10")},
        {"id": "riyadh-3", "source": "alriyadh", "date": "2015-07-22", "content": OTHER},
    ]
    return _jsonl(folder / "d.jsonl", rows)


def test_wire_copies_are_found_and_grouped_earliest_first(tmp_path: Path) -> None:
    from assistant.index.copies import find_copies

    docs = ingest([_story_dump(tmp_path)], today=TODAY).documents
    copies, signatures = find_copies(docs)
    assert copies.groups == [["d/okaz-1", "d/sabq-7"]]
    assert copies.others("d/sabq-7") == ["d/okaz-1"] and copies.others("d/riyadh-3") == []
    # Again with the signatures and groups kept: nothing is shingled, the verdict is the same.
    import assistant.index.copies as module

    calls = []
    real = module._shingles
    module._shingles = lambda d: calls.append(d.doc_id) or real(d)  # type: ignore[assignment]
    try:
        again, _ = find_copies(docs, copies, signatures)
    finally:
        module._shingles = real  # type: ignore[assignment]
    assert again.groups == copies.groups and calls == []


def test_search_returns_a_story_once_and_names_its_other_prints(tmp_path: Path) -> None:
    from assistant.app.catalog import list_documents
    from assistant.config import load_settings
    from assistant.retrieve.search import SearchIndex
    from conftest import SEEDS
    from test_reindex_incremental import _HashEncoder

    class Encoder(_HashEncoder):
        def encode_queries(self, queries):  # type: ignore[no-untyped-def]
            return self.encode_documents(list(queries), [""] * len(queries))

    folder = tmp_path / "corpus"
    folder.mkdir()
    _story_dump(folder)
    index_dir = tmp_path / "index"
    stats, _ = _run(index_dir, folder)
    assert stats.copies == 2 and "copies of another's story" in stats.summary()
    engine = SearchIndex.open(load_settings(index_dir=index_dir), SEEDS, Encoder)
    hits = engine.search("إغلاق منشآت سياحية في تبوك", k=5).hits
    story = [h for h in hits if h.chunk.doc_id in ("d/okaz-1", "d/sabq-7")]
    assert len(story) == 1  # one print of the story, not two
    assert story[0].also == (({"d/okaz-1", "d/sabq-7"} - {story[0].chunk.doc_id}).pop(),)
    assert story[0].to_json()["also_reported_by"] == list(story[0].also)
    listed = {d["doc_id"]: d["copies"] for d in list_documents(index_dir)}
    assert listed == {"d/okaz-1": ["d/sabq-7"], "d/sabq-7": ["d/okaz-1"], "d/riyadh-3": []}


def test_status_on_a_missing_index_is_one_clear_line(tmp_path: Path) -> None:
    proc = run_cli("status", "--index-dir", str(tmp_path / "none"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2 and "index" in proc.stderr


def test_a_citation_of_an_undated_record_carries_its_fetch_day_and_other_prints(tmp_path: Path) -> None:
    from assistant.answer.compose import citation_for
    from assistant.answer.evidence import Source
    from assistant.cli.output import format_citation_head

    docs = {d.url: d for d in ingest([_jsonl(tmp_path / "s.jsonl", RECORDS[:2])], today=TODAY).documents}
    doc, other = docs["http://example.com/a/1"], docs["http://example.com/a/2"]
    start = doc.text.index(BODY)
    span = (start, start + len(BODY))
    cite = citation_for(Source(1, doc, *span, 1.0, (span,), span, also=(other,)), span, 1)
    assert cite is not None and cite.quote == BODY
    assert cite.to_json()["fetched"] == "2015-07-22"
    assert cite.to_json()["also_reported_by"] == [{"doc_id": other.doc_id, "outlet": "was"}]
    assert "undated (fetched 2015-07-22)" in format_citation_head(cite, "en")


@pytest.mark.models  # `assistant index` embeds with the real embedder
def test_indexing_a_dump_from_the_command_line_prints_its_mapping(tmp_path: Path) -> None:
    dump = _jsonl(tmp_path / "snn.jsonl", RECORDS)
    index_dir = str(tmp_path / "index")
    proc = run_cli("index", str(dump), "--index-dir", index_dir, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "text=content title=title fetched=date_extracted outlet=source url=url author=author" in proc.stderr
    assert "is a fetch time" in proc.stderr and "#3: empty content" in proc.stderr
    assert "2 added" in proc.stderr
    docs = json.loads(run_cli("docs", "--json", "--index-dir", index_dir).stdout)["documents"]
    assert sorted(d["outlet"] for d in docs) == ["okaz", "was"]
    status = run_cli("status", "--index-dir", index_dir)
    assert status.returncode == 0 and "embedding  complete" in status.stdout and "2 articles" not in status.stderr
    again = run_cli("index", "--index-dir", index_dir, "--quiet")  # the dump and its mapping are remembered
    assert again.returncode == 0 and "0 added, 0 updated, 0 removed, 2 unchanged" in again.stderr


def test_a_copy_of_the_gold_article_counts_as_the_gold_one() -> None:
    """The index shows one print of a duplicated story, so the evaluation counts any print of the gold text."""
    from assistant.eval.run import with_copies
    from assistant.index.copies import Copies

    copies = Copies.of([["p1", "p2"], ["p5", "p6", "p7"]])
    assert with_copies(("p1",), copies) == {"p1", "p2"}
    assert with_copies(("p6", "p9"), copies) == {"p5", "p6", "p7", "p9"}
    assert with_copies(("p3",), copies) == {"p3"}
