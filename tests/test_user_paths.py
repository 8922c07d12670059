"""Paths users reach that other files do not test: plain `assistant ask` output, the chat's
/since, /until and /docs filters through the Session, `assistant eval` (dev.jsonl and SQuAD),
`assistant history` and `assistant models`."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from assistant.ingest.reader import read_text
from conftest import DEV, SEEDS, TODAY, run_cli

PESKOV = "ماذا قال بيسكوف؟"


# --- plain `assistant ask` ----------------------------------------------------------------------

CITATION_HEAD = re.compile(r"^\[(\d+)\] (.+) — (.+) — (\S+) \[(\d+):(\d+)\]$")


def test_plain_ask_prints_the_answer_then_sources_with_exact_spans(seed_index: Path) -> None:
    from assistant.app.catalog import list_documents

    indexed = {d["doc_id"]: d for d in list_documents(seed_index)}
    proc = run_cli("ask", "هل ينوي بوتين لقاء الأسد بحسب الكرملين في أيار 2021؟", "--index-dir", str(seed_index))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("الجواب: «"), proc.stdout  # the reader's verbatim span first; no draft before it
    assert "المصادر:" in lines, proc.stdout
    at = lines.index("المصادر:")
    answer = "\n".join(lines[:at]).strip()
    heads = [(i, CITATION_HEAD.match(line)) for i, line in enumerate(lines) if i > at and CITATION_HEAD.match(line)]
    assert heads, proc.stdout
    for i, m in heads:
        n, title, date, doc_id, start, end = m.groups()
        text = read_text(SEEDS / f"{doc_id}.txt")
        quote = text[int(start) : int(end)]
        assert lines[i + 1] == f"    «{' '.join(quote.split())}»"  # the verbatim span under its head
        assert f"[{n}]" in answer
        assert title == indexed[doc_id]["title"] and date == indexed[doc_id]["date"]
        assert date.startswith("2021-05")  # the question's window
    assert re.fullmatch(r"\d+\.\d s \(retrieve \d+ ms, generate \d+ ms\)", lines[-1]), lines[-1]
    assert any(line.startswith("(بحثتُ في 5 مقالات") for line in lines[at:])  # what was searched


# --- the chat's filters, through the Session ------------------------------------------------------


@pytest.fixture()
def session(seed_index: Path, tmp_path: Path, generator):  # type: ignore[no-untyped-def]
    from assistant.app.session import Session
    from assistant.config import load_settings

    # The reader always answers here: these tests are about what the filters let it see, not its decision.
    s = Session(load_settings(index_dir=seed_index, data_dir=tmp_path, answer={"reader_abstain": 0.0}))
    yield s
    s.close()


def _cited(exchange) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    answer = exchange.answer
    assert not answer.abstained and answer.citations, answer.answer
    return [(c.doc_id, c.date) for c in answer.citations]


def test_since_narrows_answers_to_later_articles(session) -> None:  # type: ignore[no-untyped-def]
    unfiltered = _cited(session.ask(PESKOV, today=TODAY))
    assert any(date and date < "2025" for _, date in unfiltered)  # without the filter, the 2021 articles answer
    session.conversation.since("2025")  # what `/since 2025` does
    narrowed = session.ask(PESKOV, today=TODAY)
    window = narrowed.answer.date_window
    assert window is not None and window.start == dt.date(2025, 1, 1)
    # nothing dated is that recent: only undated articles may answer, and the answer says so
    assert [date for _, date in _cited(narrowed)] == [None] * len(narrowed.answer.citations)
    assert narrowed.answer.date_rule == "undated-fallback"
    session.conversation.since("")  # `/since` alone clears it
    assert _cited(session.ask(PESKOV, today=TODAY)) == unfiltered


def test_until_narrows_answers_to_earlier_articles(session) -> None:  # type: ignore[no-untyped-def]
    question = "ماذا بحث الأسد وبوتين في الاتصال الهاتفي؟"
    session.conversation.until("2021-04")  # `/until 2021-04`: up to 2021-04-30
    exchange = session.ask(question, today=TODAY)
    answer = exchange.answer
    assert answer.date_window is not None and answer.date_window.end == dt.date(2021, 4, 30)
    dates = [date for _, date in _cited(exchange)]
    assert answer.date_rule == "in-window"
    assert all(date is not None and date <= "2021-04-30" for date in dates), dates


def test_docs_restricts_citations_to_the_chosen_article(session) -> None:  # type: ignore[no-untyped-def]
    unfiltered = {doc for doc, _ in _cited(session.ask(PESKOV, today=TODAY))}
    only = "004_c80ef43e0c326550"
    assert unfiltered - {only}  # other articles answer when nothing is restricted
    session.restrict([only])  # `/docs 004_c80ef43e0c326550`
    assert {doc for doc, _ in _cited(session.ask(PESKOV, today=TODAY))} == {only}
    session.conversation.only_docs(None)  # `/docs all`
    assert {doc for doc, _ in _cited(session.ask(PESKOV, today=TODAY))} == unfiltered


def test_docs_refuses_an_unknown_article(session) -> None:  # type: ignore[no-untyped-def]
    from assistant.errors import BadInput

    with pytest.raises(BadInput, match="no article 'nope' in the index"):
        session.restrict(["004_c80ef43e0c326550", "nope"])
    assert session.conversation.filters.docs is None


# --- `assistant eval` ---------------------------------------------------------------------------------


def test_eval_on_the_dev_set_reports_each_question(seed_index: Path) -> None:
    proc = run_cli("eval", str(DEV), "--limit", "3", "--json", "--index-dir", str(seed_index))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["format"] == "dev" and report["file"] == str(DEV)
    assert [r["id"] for r in report["rows"]] == ["d01", "d02", "d03"]
    summary = report["summary"]
    assert summary["questions"] == 3
    assert summary["quote_exactness"] == 1.0 and summary["must_not_violations"] == 0, summary
    assert summary["retrieval_hit_at_k"] == 1 - summary["false_abstention_rate"], summary  # every answer cites a gold article
    assert all(r["exact_quotes"] == r["quotes"] and (r["quotes"] > 0) != r["abstained"] for r in report["rows"]), report["rows"]


SQUAD = {
    "version": "test",
    "data": [
        {
            "title": "مقالات",
            "paragraphs": [
                {
                    "context": "افتتحت وزارة النقل في عمّان خطاً جديداً للحافلات السريعة يربط وسط المدينة بالجامعة الأردنية.",
                    "qas": [{"id": "q1", "question": "أين افتتح خط الحافلات السريعة الجديد؟",
                             "answers": [{"text": "عمّان", "answer_start": 22}]}],
                },
                {
                    "context": "سجّل محصول الزيتون في تونس هذا الموسم رقماً قياسياً بلغ مليون طن من الزيت.",
                    "qas": [{"id": "q2", "question": "كم بلغ محصول زيت الزيتون في تونس؟",
                             "answers": [{"text": "مليون طن", "answer_start": 50}]}],
                },
                {
                    "context": "فاز المنتخب المغربي لكرة القدم على نظيره البرتغالي في ربع نهائي كأس العالم.",
                    "qas": [{"id": "q3", "question": "على من فاز المنتخب المغربي في ربع النهائي؟",
                             "answers": [{"text": "البرتغالي", "answer_start": 35}]}],
                },
            ],
        }
    ],
}


@pytest.mark.models  # indexes the paragraphs with the real embedder
def test_eval_on_a_squad_file_indexes_its_paragraphs_and_ranks_them(tmp_path: Path) -> None:
    path = tmp_path / "tiny-squad.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    proc = run_cli("eval", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["format"], report["questions"], report["articles"]) == ("squad", 3, 3)
    assert set(report["retrieval"]) == {"nDCG@10", "MRR@10", "R@1", "R@5", "R@10"}
    assert report["retrieval"]["R@1"] == 1.0, report  # three unrelated paragraphs: each question finds its own
    plain = run_cli("eval", str(path))  # its index is kept in the cache and reused
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.splitlines()[0] == f"{path} (squad)"
    assert re.search(r"^  R@1 +1\.000$", plain.stdout, flags=re.M), plain.stdout


# --- `assistant history` ------------------------------------------------------------------------------


def _answer_record(question: str, answer: str) -> dict:  # type: ignore[type-arg]
    return {"question": question, "answer": answer, "language": "ar", "abstained": False, "citations": []}


def test_history_lists_searches_and_prints_json(tmp_path: Path) -> None:
    from assistant.app.history import History

    env = {"ASSISTANT_DATA_DIR": str(tmp_path)}
    empty = run_cli("history", env=env)
    assert (empty.returncode, empty.stdout, empty.stderr.strip()) == (0, "", "no matching history")

    history = History(tmp_path / "history.sqlite3")
    history.add("ماذا قال بيسكوف؟", _answer_record("ماذا قال بيسكوف؟", "قال بيسكوف إنه لا توجد خطط [1]"))
    history.add("What about Assad?", _answer_record("What about Assad?", "The articles do not answer this question."))

    shown = run_cli("history", env=env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].endswith("  What about Assad?") and lines[2].endswith("  ماذا قال بيسكوف؟")  # newest first
    assert lines[1] == "    The articles do not answer this question."
    assert lines[3] == "    قال بيسكوف إنه لا توجد خطط [1]"

    found = run_cli("history", "بيسكوف", "--json", env=env)
    assert found.returncode == 0, found.stderr
    (row,) = [json.loads(line) for line in found.stdout.splitlines()]
    assert row["question"] == "ماذا قال بيسكوف؟" and row["answer"]["answer"] == "قال بيسكوف إنه لا توجد خطط [1]"

    limited = run_cli("history", "--limit", "1", env=env)
    assert limited.stdout.splitlines()[0].endswith("  What about Assad?") and len(limited.stdout.splitlines()) == 2


# --- `assistant models` -------------------------------------------------------------------------------


def test_models_without_fetched_models_says_missing_and_how_to_fetch(tmp_path: Path) -> None:
    env = {"ASSISTANT_MODELS_DIR": str(tmp_path / "models")}
    proc = run_cli("models", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "run `assistant models fetch` to get the default models"
    lines = proc.stdout.splitlines()
    assert re.match(r"^generator  gemma-3-270m-q4_k_m  \[\w+\]  MISSING$", lines[0]), lines
    assert lines[1].strip().startswith(str(tmp_path / "models"))
    assert any(re.match(r"^embedder   embeddinggemma-300m  \[\w+\]  MISSING$", line) for line in lines), lines
    as_json = json.loads(run_cli("models", "--json", env=env).stdout)
    assert [(m["role"], m["present"], bool(m["verified"])) for m in as_json["models"]] == [
        ("generator", False, False), ("embedder", False, False), ("adapter", True, True)]  # the adapter ships with the package


@pytest.mark.models
def test_models_shows_the_fetched_defaults_verified() -> None:
    proc = run_cli("models")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    heads = [line for line in proc.stdout.splitlines() if not line.startswith(" ")]
    assert [h.split()[0] for h in heads] == ["generator", "embedder", "adapter"]
    assert all(h.endswith("  verified") for h in heads), proc.stdout
