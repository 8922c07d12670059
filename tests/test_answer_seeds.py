"""The core path with the real default models on the real seeds: ask -> retrieve -> generate -> cite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.eval.run import answer_hit, load_dev, quote_is_exact
from assistant.ingest.reader import read_text
from conftest import DEV, SEEDS, TODAY, run_cli

CONTRACT = {"question", "answer", "language", "abstained", "date_window", "short_answer", "citations", "unverified", "timings_ms", "model"}
CITATION = {"n", "doc_id", "title", "date", "quote", "start", "end", "score"}


@pytest.fixture(scope="session")
def answerer(seed_answerer):  # type: ignore[no-untyped-def]
    """The session's answerer over the seed index (shared embedder and generator)."""
    return seed_answerer


@pytest.fixture(scope="session")
def dev_report(answerer):  # type: ignore[no-untyped-def]
    from assistant.eval.run import evaluate_answers

    docs = answerer.search.docs
    return evaluate_answers(
        answerer, load_dev(DEV), read_original=lambda d: read_text(Path(docs[d].path)), today=TODAY
    ).summary()


def test_dev_set_meets_floors(dev_report) -> None:  # type: ignore[no-untyped-def]
    """The issue's done-criteria, measured on dev.jsonl with the default models."""
    assert dev_report["retrieval_hit_at_k"] == 1.0, dev_report
    assert dev_report["must_not_violations"] == 0, dev_report
    assert dev_report["quote_exactness"] == 1.0, dev_report
    assert dev_report["answer_hit"] >= 0.8, dev_report
    assert dev_report["abstention_accuracy"] >= 0.9, dev_report
    assert dev_report["false_abstention_rate"] <= 0.1, dev_report


def test_answer_quotes_are_exact_spans_of_the_files_on_disk(answerer) -> None:  # type: ignore[no-untyped-def]
    ans = answerer.ask("كم صوتاً حصل عليه المرشح محمود مرعي؟", today=TODAY)
    assert not ans.abstained and ans.language == "ar"
    assert ans.citations
    for c in ans.citations:
        original = read_text(SEEDS / f"{c.doc_id}.txt")
        assert quote_is_exact(original, c.quote, c.start, c.end)
        assert f"[{c.n}]" in ans.answer
    assert answer_hit(ans.answer, ("470276", "470,276"))


def test_a_passage_naming_the_subject_is_evidence_even_when_ranked_low(answerer) -> None:  # type: ignore[no-untyped-def]
    """In 2025 only undated articles can answer; the one sentence quoting Peskov must be evidence, though
    its passage ranks last for an English question (the reader's decision to answer is off here: this
    is about what it is shown)."""
    import dataclasses

    always = dataclasses.replace(answerer, tuning=answerer.tuning.model_copy(update={"reader_abstain": 0.0}))
    ans = always.ask("Is there any news about Peskov in 2025?", today=TODAY)
    assert not ans.abstained
    assert any(c.doc_id == "004_c80ef43e0c326550" and "بيسكوف" in c.quote for c in ans.citations), ans.citations
    assert not any(c.date for c in ans.citations)  # dated articles (2021) lie outside the window


def test_evidence_uses_the_index_sentence_vectors_without_embedding_sentences(answerer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The seed index keeps a vector per candidate sentence, so a question embeds only itself."""
    assert answerer.search.sentences is not None and len(answerer.search.sentences) == len(answerer.search.chunks)
    embedder = answerer.search.embedder

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a sentence was embedded at question time")

    monkeypatch.setattr(embedder, "encode_documents", refuse)
    ans = answerer.ask("How many invalid ballots were there in the 2021 Syrian presidential election?", today=TODAY)
    assert not ans.abstained and ans.citations
    assert answer_hit(ans.answer, ("14000", "14,000")), ans.answer


def test_english_question_finds_arabic_evidence_in_the_date_window(answerer) -> None:  # type: ignore[no-untyped-def]
    ans = answerer.ask("Does Putin plan to meet Assad, according to the Kremlin in May 2021?", today=TODAY)
    assert not ans.abstained and ans.language == "en"
    assert ans.date_window is not None and ans.date_window.start.isoformat() == "2021-05-01"
    assert {c.doc_id for c in ans.citations} <= {"000_68dd4e1e43cb9c93", "001_7c7fb83801401802"}
    assert ans.answer.startswith("Answer: «"), ans.answer  # English framing around the Arabic span
    assert ans.short_answer is not None and ans.short_answer.text in ans.answer


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("What did Erdogan say about the Syrian elections?", "en"),
        ("ما هي نتيجة مباراة ريال مدريد وبرشلونة؟", "ar"),
        ("ماذا قال ماكرون عن الانتخابات السورية؟", "ar"),  # a statement question: no article names him
    ],
)
def test_abstains_in_the_question_language(answerer, question: str, language: str) -> None:  # type: ignore[no-untyped-def]
    ans = answerer.ask(question, today=TODAY)
    assert ans.abstained and not ans.citations
    assert ans.language == language
    assert ("لا تتضمن" in ans.answer) if language == "ar" else ("do not answer" in ans.answer)


def test_window_with_no_dated_match_falls_back_to_undated_and_says_so(answerer) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    always = dataclasses.replace(answerer, tuning=answerer.tuning.model_copy(update={"reader_abstain": 0.0}))  # about the window rule
    ans = always.ask("What did Peskov say in March 2019?", today=TODAY)
    window = ans.to_json()["date_window"]
    assert window["from"] == "2019-03-01" and window["rule"] == "undated-fallback"
    assert all(c.date is None for c in ans.citations)
    assert any("undated" in note for note in ans.unverified)


def test_cli_ask_json_contract(seed_index: Path) -> None:
    proc = run_cli("ask", "ماذا طلب الشرع من روسيا بحسب رويترز؟", "--json", "--index-dir", str(seed_index))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert CONTRACT <= set(obj)
    assert obj["language"] == "ar" and isinstance(obj["abstained"], bool)
    assert set(obj["timings_ms"]) == {"retrieve", "generate", "total"}
    assert obj["model"] == {"generator": "gemma-3-270m-q4_k_m", "embedder": "embeddinggemma-300m", "adapter": "reader-gemma3-270m-lora"}
    for c in obj["citations"]:
        assert CITATION <= set(c)
        assert read_text(SEEDS / f"{c['doc_id']}.txt")[c["start"] : c["end"]] == c["quote"]
    short = obj["short_answer"]
    if not obj["abstained"]:
        assert set(short) == {"text", "n", "doc_id", "start", "end"}
        assert read_text(SEEDS / f"{short['doc_id']}.txt")[short["start"] : short["end"]] == short["text"]
        assert short["n"] in {c["n"] for c in obj["citations"]} and obj["answer"].startswith("الجواب: «")


def test_cli_ask_batch_one_line_per_question(seed_index: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("What did Peskov say in May 2021?\n\n؟؟\nما هي نتيجة مباراة ريال مدريد وبرشلونة؟\n", encoding="utf-8")
    proc = run_cli("ask", "--batch", str(batch), "--index-dir", str(seed_index), "--max-tokens", "16")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["language"] == "en" and not rows[0]["abstained"]
    assert "error" in rows[1] and "empty" in rows[1]["error"]
    assert rows[2]["abstained"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "error: the question is empty"),
        (["ask", "q", "--model", "/nonexistent/model.gguf"], "error: generator /nonexistent/model.gguf does not exist"),
        (["ask", "q", "--batch", "/nonexistent.txt"], "error: give either a QUESTION or --batch FILE"),
        (["eval", "/nonexistent.jsonl"], "error: no such question file"),
    ],
)
def test_cli_bad_input_is_one_line_and_nonzero(seed_index: Path, args: list[str], message: str) -> None:
    proc = run_cli(*args, "--index-dir", str(seed_index))
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith(message), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_reader_answer_is_a_verbatim_span_of_its_article(answerer) -> None:  # type: ignore[no-untyped-def]
    """Decoding is constrained to copy: every short answer on the dev questions is an exact slice, cited."""
    answered = 0
    for q in load_dev(DEV):
        ans = answerer.ask(q.question, today=TODAY)
        if ans.abstained or ans.mode == "statements":  # "what did X say" lists X's statements (test_statements.py)
            continue
        short = ans.short_answer
        assert short is not None and ans.mode == "generated", ans.answer
        assert read_text(SEEDS / f"{short.doc_id}.txt")[short.start : short.end] == short.text
        assert any(c.doc_id == short.doc_id and c.start <= short.start and short.end <= c.end for c in ans.citations)
        answered += 1
    assert answered >= 10


def test_off_topic_questions_on_the_seeds_are_refused(answerer) -> None:  # type: ignore[no-untyped-def]
    """20 general questions of our own (tests/data/offtopic.jsonl), none answerable from the seeds."""
    from conftest import ROOT

    refused = [answerer.ask(q.question, today=TODAY).abstained for q in load_dev(ROOT / "tests" / "data" / "offtopic.jsonl")]
    assert sum(refused) >= 19, refused  # 20/20 measured (issue 13 target: all)
