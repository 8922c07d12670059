"""A model with a chat template (any instruct GGUF given with --model): its answer is checked, not trusted.

The logic is driven by a scripted generator (``has_chat_template=True``) that writes what each
test needs from the real prompt it is given, over the real seed index and the real embedder,
through ``Answerer.ask``: a good answer is kept with its citations; a number not in the cited
passages, the wrong language, a loop, a citation of a source that does not exist, or none at
all make the answer fall back to verified quotes, and say why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.ingest.reader import read_text
from conftest import SEEDS, TODAY

pytestmark = pytest.mark.models  # the real embedder searches the seed index

AR_QUESTION = "هل ينوي بوتين لقاء الأسد بحسب الكرملين في أيار 2021؟"
EN_QUESTION = "Does Putin plan to meet Assad, according to the Kremlin in May 2021?"
"""Not "what did Peskov say": that is a statement question, answered from the articles' own sentences
without the model (tests/test_statements.py)."""


@dataclass
class ScriptedChatModel:
    """The Generator interface (name, n_ctx, has_chat_template, count_tokens, chat, complete, close)
    with a reply written by ``reply(system, user)`` and streamed word by word."""

    reply: Callable[[str, str], str] = lambda system, user: ""
    name: str = "scripted-instruct"
    n_ctx: int = 4096
    has_chat_template: bool = True
    adapter: None = None  # no reader adapter on a user's chat model
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    def count_tokens(self, text: str) -> int:
        return len(text) // 2 + 1  # more than a real tokenizer gives for Arabic: the budget is not flattered

    def chat(self, system: str, user: str, *, max_tokens: int, on_token: Any = None, should_stop: Any = None) -> str:
        self.calls.append((system, user, max_tokens))
        text = self.reply(system, user)
        for piece in re.findall(r"\S+\s*", text):
            if on_token:
                on_token(piece)
        return text

    def complete(self, *args: Any, **kwargs: Any) -> str:
        raise AssertionError("a model with a chat template is asked through chat(), not complete()")

    def close(self) -> None:
        pass


def sources_in(user: str) -> dict[int, str]:
    """The numbered sources listed in the user message, as the model sees them."""
    return {int(n): text for n, text in re.findall(r"^\[(\d+)\] (.+)$", user, flags=re.M)}


def words_of(user: str, n: int = 1, count: int = 12) -> str:
    """The first ``count`` words of source ``n``: an answer made of the passage's own words."""
    return " ".join(sources_in(user)[n].split()[:count])


@pytest.fixture()
def chat_answerer(seed_index: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An Answerer over the seed index, as `assistant ask --model instruct.gguf` opens it, with the scripted model."""
    import assistant.app.api as api
    from assistant.config import load_settings

    model = ScriptedChatModel()
    monkeypatch.setattr(api, "generator_loader", lambda settings: (lambda: model))
    answerer = api.open_answerer(load_settings(index_dir=seed_index))
    yield answerer, model
    answerer.close()


def _exact(answer: Any) -> None:
    """Every citation is a verbatim span of the seed file, and the answer marks it."""
    assert answer.citations
    for c in answer.citations:
        assert read_text(SEEDS / f"{c.doc_id}.txt")[c.start : c.end] == c.quote
        assert f"[{c.n}]" in answer.answer


def test_a_good_arabic_answer_is_kept_with_its_citation(chat_answerer) -> None:  # type: ignore[no-untyped-def]
    answerer, model = chat_answerer
    model.reply = lambda system, user: words_of(user) + " [1]."
    streamed: list[str] = []
    answer = answerer.ask(AR_QUESTION, today=TODAY, on_token=streamed.append)
    ((system, user, max_tokens),) = model.calls
    assert "Answer in Arabic" in system and f"Question: {AR_QUESTION}" in user
    assert max_tokens == answerer.max_tokens
    assert set(sources_in(user)) == {1, 2, 3}
    assert answer.mode == "generated" and not answer.abstained and not answer.rejected
    assert answer.answer == words_of(user) + " [1]." == "".join(streamed)
    assert [c.n for c in answer.citations] == [1]
    _exact(answer)
    assert answer.model["generator"] == "scripted-instruct"


def test_a_good_english_answer_is_kept_and_says_what_was_checked(chat_answerer) -> None:  # type: ignore[no-untyped-def]
    answerer, model = chat_answerer
    model.reply = lambda system, user: "Peskov said that Putin has no plans to meet Assad [1]."
    answer = answerer.ask(EN_QUESTION, today=TODAY)
    assert "Answer in English" in model.calls[0][0]
    assert answer.mode == "generated", (answer.rejected, answer.draft)
    assert answer.answer == "Peskov said that Putin has no plans to meet Assad [1]."
    _exact(answer)
    assert any("only its names and numbers were checked" in note for note in answer.unverified)


def _rejected(answerer: Any, question: str) -> Any:
    """The answer after the model's draft was refused: the verified quotes, and the draft kept to show why."""
    answer = answerer.ask(question, today=TODAY)
    assert answer.mode == "extractive" and not answer.abstained, answer.answer
    assert answer.draft and answer.rejected
    assert answer.answer.startswith(("ما تقوله المقالات", "What the articles say"))
    assert any(note.startswith("the model's answer was rejected") for note in answer.unverified)
    _exact(answer)
    return answer


@pytest.mark.parametrize(
    ("what", "write", "reason"),
    [
        ("a number not in the passages", lambda u: words_of(u) + " 987654 [1].", "the number 987654 is not in the cited passages"),
        ("English to an Arabic question", lambda u: "The Kremlin spokesman said there are no plans for a meeting [1].",
         "the model answered in the wrong language"),
        ("a loop", lambda u: (words_of(u, count=6) + " ") * 3 + "[1].", "the model repeated itself"),
        ("a source that does not exist", lambda u: words_of(u) + " [7].", "the model cited source [7], which does not exist"),
        ("no citation", lambda u: words_of(u) + ".", "the model cited no source"),
        ("words from nowhere", lambda u: "أعلنت وزارة الزراعة المصرية ارتفاع محصول القمح والقطن هذا الموسم [1].",
         "most of the answer's words are not in the cited passages"),
    ],
    ids=["number", "language", "loop", "missing-source", "no-citation", "unsupported-words"],
)
def test_a_bad_arabic_answer_falls_back_to_verified_quotes(chat_answerer, what: str, write, reason: str) -> None:  # type: ignore[no-untyped-def]
    answerer, model = chat_answerer
    model.reply = lambda system, user: write(user)
    answer = _rejected(answerer, AR_QUESTION)
    assert reason in answer.rejected, (what, answer.rejected)
    assert answer.draft == write(model.calls[0][1])


def test_a_number_the_question_asked_is_not_held_against_the_answer(chat_answerer) -> None:  # type: ignore[no-untyped-def]
    """2021 is in the question; an answer repeating it is not inventing a number."""
    answerer, model = chat_answerer
    model.reply = lambda system, user: words_of(user) + " في 2021 [1]."
    answer = answerer.ask(AR_QUESTION, today=TODAY)
    assert answer.mode == "generated", answer.rejected
    _exact(answer)
