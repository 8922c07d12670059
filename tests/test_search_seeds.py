"""Real-model retrieval on the real seeds: the dev questions, date windows, the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DEV, TODAY, run_cli

DEV_QUESTIONS = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
ANSWERABLE = [q for q in DEV_QUESTIONS if q["answerable"]]


@pytest.mark.parametrize("q", ANSWERABLE, ids=[q["id"] for q in ANSWERABLE])
def test_dev_gold_article_in_top3_and_no_must_not(seed_search, q) -> None:  # type: ignore[no-untyped-def]
    result = seed_search.search(q["question"], k=5, today=TODAY)
    docs = [h.chunk.doc_id.split("/")[-1] for h in result.hits]
    assert set(docs[:3]) & set(q["gold_docs"]), f"{q['id']}: top docs {docs}"
    assert not set(docs) & set(q.get("must_not_docs", [])), f"{q['id']}: must-not doc returned: {docs}"


def test_every_hit_text_is_an_exact_slice_of_the_original_file(seed_search) -> None:  # type: ignore[no-untyped-def]
    for q in DEV_QUESTIONS:
        for hit in seed_search.search(q["question"], k=5, today=TODAY).hits:
            doc = seed_search.docs[hit.chunk.doc_id]
            original = Path(doc.path).read_text(encoding="utf-8")
            assert original[hit.chunk.start : hit.chunk.end] == hit.chunk.text


def test_date_window_excludes_articles_outside_it(seed_search) -> None:  # type: ignore[no-untyped-def]
    result = seed_search.search("What did Peskov say in May 2021?", k=10, today=TODAY)
    assert result.date_window is not None
    assert result.date_window.to_json()["from"] == "2021-05-01"
    assert result.date_window.to_json()["to"] == "2021-05-31"
    assert result.date_rule == "in-window"
    assert {h.date[:7] for h in result.hits} == {"2021-05"}


def test_april_window_finds_the_april_article_only(seed_search) -> None:  # type: ignore[no-untyped-def]
    result = seed_search.search("ماذا ناقش الأسد وبوتين في نيسان 2021؟", k=10, today=TODAY)
    assert result.date_rule == "in-window"
    assert {h.chunk.doc_id for h in result.hits} == {"003_fd500e0c9f5cd60f"}


def test_window_with_no_dated_article_falls_back_to_undated(seed_search) -> None:  # type: ignore[no-untyped-def]
    result = seed_search.search("ماذا قال بوتين عن الشرع في عام 2025؟", k=5, today=TODAY)
    assert result.date_rule == "undated-fallback"
    assert result.hits
    assert all(h.date is None for h in result.hits)


def test_cli_search_json_contract(seed_index: Path) -> None:
    proc = run_cli("search", "في مايو ٢٠٢١ بيسكوف", "--json", "--k", "3", "--index-dir", str(seed_index))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"query", "date_window", "results"}
    assert out["date_window"]["from"] == "2021-05-01"
    assert len(out["results"]) == 3
    for r in out["results"]:
        assert set(r) == {"doc_id", "chunk_id", "text", "start", "end", "score", "date"}
        assert r["date"].startswith("2021-05")


def test_cli_search_batch_one_line_per_query(seed_index: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("بيسكوف\n\nWho is Bogdanov?\n", encoding="utf-8")
    proc = run_cli("search", "--batch", str(batch), "--index-dir", str(seed_index))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [json.loads(x)["query"] for x in lines] == ["بيسكوف", "Who is Bogdanov?"]


def test_cli_docs_lists_dates_and_sources(seed_index: Path) -> None:
    proc = run_cli("docs", "--json", "--index-dir", str(seed_index))
    assert proc.returncode == 0, proc.stderr
    docs = {d["doc_id"]: d for d in json.loads(proc.stdout)["documents"]}
    assert docs["000_68dd4e1e43cb9c93"]["date"] in {"2021-05", "2021-05-28"}
    assert (docs["001_7c7fb83801401802"]["date"], docs["001_7c7fb83801401802"]["date_source"]) == ("2021-05-28", "inferred")
    assert (docs["003_fd500e0c9f5cd60f"]["date"], docs["003_fd500e0c9f5cd60f"]["date_source"]) == ("2021-04-26", "inferred")
    assert docs["002_09ee7769ac09c443"]["date"] is None
    assert docs["004_c80ef43e0c326550"]["date"] is None
    for d in docs.values():
        assert set(d) == {"doc_id", "path", "title", "date", "date_source", "outlet", "chars", "chunks", "copies"}
        assert d["chunks"] > 0


@pytest.mark.parametrize("bad", ["", "   ", "؟!..."])
def test_cli_search_rejects_empty_queries_in_one_line(seed_index: Path, bad: str) -> None:
    proc = run_cli("search", bad, "--index-dir", str(seed_index))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: the question is empty")
    assert "Traceback" not in proc.stderr
