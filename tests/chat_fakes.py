"""A scripted session for chat tests of UI logic (cancel, snapshots). The real-model chat tests do not use it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from assistant.answer.compose import Answer, Citation
from assistant.models.generate import TokenSink
from assistant.app.session import Exchange, Session
from assistant.types import DateWindow, Document, PubDate

ARTICLE = (
    "الكرملين: لا خطط للقاء الأسد\n"
    "موسكو - وكالات\n"
    "قال المتحدث باسم الكرملين دميتري بيسكوف يوم الجمعة 28 مايو إن الرئيس لا ينوي لقاء الأسد حاليا. "
    "وأضاف أن الاتصالات مستمرة عبر القنوات الدبلوماسية.\n"
    "اقرأ أيضاً: أخبار أخرى"
)
QUOTE = "قال المتحدث باسم الكرملين دميتري بيسكوف يوم الجمعة 28 مايو إن الرئيس لا ينوي لقاء الأسد حاليا."
DOC = Document(
    doc_id="kremlin_001",
    path="kremlin_001.txt",
    text=ARTICLE,
    title="الكرملين: لا خطط للقاء الأسد",
    outlet="وكالات",
    date=PubDate(2021, 5, 28),
    date_source="inferred",
    content_hash="0",
)


def canned_answer(question: str) -> Answer:
    start = ARTICLE.index(QUOTE)
    cite = Citation(1, DOC.doc_id, DOC.title, "2021-05-28", QUOTE, start, start + len(QUOTE), 0.91)
    return Answer(
        question=question,
        answer=f"ما تقوله المقالات (اقتباس حرفي):\nبحسب «{DOC.title}» (2021-05-28): «{QUOTE}» [1]",
        language="ar",
        abstained=False,
        mode="extractive",
        date_window=DateWindow(dt.date(2021, 5, 1), dt.date(2021, 5, 31), "في أيار 2021"),
        date_rule="in-window",
        citations=[cite],
        unverified=[],
        coverage="(بحثتُ في 1 مقالات: 1 مؤرخة 2021-05-28 … 2021-05-28، و0 غير مؤرخة)",
        timings_ms={"retrieve": 42.0, "generate": 1200.0, "total": 1500.0},
        model={"generator": "fake", "embedder": "fake"},
    )


class ScriptedSession(Session):
    """Streams a few tokens (or, with ``endless``, until stopped) and returns a canned answer."""

    endless: bool = False

    def warm_up(self) -> None:
        pass

    def describe_index(self) -> str:
        return "1 articles, 2 chunks"

    def index_notice(self) -> str | None:
        return None

    def generator_name(self) -> str:
        return "scripted-model"

    def document(self, doc_id: str) -> Document:
        return DOC

    def documents(self) -> list[Document]:
        return [DOC]

    def ask(
        self,
        typed: str,
        *,
        today: dt.date | None = None,
        on_token: TokenSink | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Exchange:
        resolved = self.conversation.resolve(typed, today or dt.date(2026, 11, 24))
        deadline = time.monotonic() + 20
        pieces = 0
        while pieces < 5 or self.endless:
            if on_token:
                on_token("قال ")
            pieces += 1
            if (should_stop and should_stop()) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        return Exchange(resolved, canned_answer(resolved.asked))

    def close(self) -> None:
        pass


def scripted(settings: Any, *, endless: bool = False) -> ScriptedSession:
    s = ScriptedSession(settings)
    s.endless = endless
    return s
