"""The Textual chat: pilot tests with the real models on the seeds, UI logic with a scripted session, snapshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rich.style import Style

from assistant.answer.compose import readable
from assistant.config import load_settings
from assistant.app.history import History
from assistant.app.session import Session
from assistant.tui.app import ChatApp
from assistant.tui.components.article import ArticleScreen
from assistant.tui.components.message import ChatMessage
from assistant.tui.components.sources import HIGHLIGHT, SourceCard
from chat_fakes import QUOTE, scripted

TODAY = dt.date(2026, 11, 24)
SIZE = (130, 40)


async def _ask(app: ChatApp, pilot, question: str) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    box = app.query_one("#question", Input)
    box.focus()
    box.value = question
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


def _messages(app: ChatApp, role: str) -> list[ChatMessage]:
    return [m for m in app.query(ChatMessage) if m.role == role]


def _highlighted(card: SourceCard) -> str:
    """The characters of a source card drawn with the quote highlight."""
    text = card.view.blocks[2].text
    return "".join(text.plain[s.start : s.end] for s in text.spans if s.style == HIGHLIGHT)


@pytest.mark.models
async def test_real_question_answer_sources_followup_and_history(seed_index: Path, tmp_path: Path) -> None:
    settings = load_settings(index_dir=seed_index, data_dir=tmp_path)
    app = ChatApp(Session(settings), bidi="on", today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.ready, app.load_error
        assert "5 articles" in app.index_desc

        await _ask(app, pilot, "ماذا قال بيسكوف في أيار 2021؟")
        answer = app.last_answer
        assert answer is not None and not answer.abstained
        assert answer.citations
        shown = _messages(app, "assistant")[-1].logical_text
        assert "[1]" in shown
        # a statement question: a compact list, each statement's opening words with its markers
        assert answer.mode == "statements" and answer.statements
        for statement in answer.statements:
            assert readable(statement.quote)[:60] in " ".join(shown.split())
            assert "".join(f"[{c.n}]" for c in statement.citations) in shown
        # the sources panel: grouped by statement, one card per citation, the verbatim quote highlighted
        headings = [str(label.render()) for label in app.query("#sources .group")]
        assert [h.split(" · ")[0] for h in headings] == [f"Statement {i}" for i in range(1, len(answer.statements) + 1)]
        cards = list(app.query(SourceCard))
        assert [c.citation.n for c in cards] == [c.n for c in answer.citations]
        for card in cards:
            assert _highlighted(card) == card.citation.quote.replace("\n", " ")
            assert card.citation.date is not None and card.citation.date.startswith("2021-05")
        # opening the article shows the whole text with the quote highlighted
        cards[0].focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        doc_text = "\n".join(b.text.plain for b in app.screen.view.blocks)
        assert doc_text == app.session.document(cards[0].citation.doc_id).text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ArticleScreen)

        # follow-up: keeps "بيسكوف", swaps the window to April 2021
        await _ask(app, pilot, "وفي نيسان 2021؟")
        follow = app.last_answer
        assert follow is not None and follow is not answer
        assert "بيسكوف" in follow.question and "نيسان 2021" in follow.question
        assert follow.date_window is not None
        assert (follow.date_window.start, follow.date_window.end) == (dt.date(2021, 4, 1), dt.date(2021, 4, 30))
        for c in follow.citations:
            assert c.date is None or c.date.startswith("2021-04")
        assert "↳" in _messages(app, "assistant")[-1].logical_text or follow.abstained

    stored = History(tmp_path / "history.sqlite3").recent()
    assert [t.question for t in stored] == ["وفي نيسان 2021؟", "ماذا قال بيسكوف في أيار 2021؟"]
    assert stored[1].record["citations"][0]["quote"] == answer.citations[0].quote


async def test_missing_index_is_a_message_not_a_crash(tmp_path: Path) -> None:
    settings = load_settings(index_dir=tmp_path / "no-index", data_dir=tmp_path)
    app = ChatApp(Session(settings), bidi="off", today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.ready
        errors = _messages(app, "error")
        assert errors and "index" in errors[-1].logical_text.lower()
        assert "assistant index" in errors[-1].logical_text
        await _ask(app, pilot, "ماذا قال بيسكوف؟")
        assert len(_messages(app, "error")) == 2
        assert not app.busy
        await _ask(app, pilot, "/docs")  # needs the index: refused with the same clear reason
        assert "index" in _messages(app, "error")[-1].logical_text.lower()
        assert app.is_running


async def test_escape_cancels_generation(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    app = ChatApp(scripted(settings, endless=True), bidi="on", today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        from textual.widgets import Input

        app.query_one("#question", Input).value = "ماذا قال بيسكوف؟"
        await pilot.press("enter")
        for _ in range(100):  # wait until tokens have been drawn
            await pilot.pause(0.05)
            if app._draft:
                break
        assert app.busy and app._draft.startswith("قال")
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.busy
        assert _messages(app, "system")[-1].logical_text == "Cancelled."
        assert app.last_answer is None
    assert History(tmp_path / "history.sqlite3").recent() == []  # a cancelled answer is not kept


async def test_commands_filters_bidi_and_bad_input(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    app = ChatApp(scripted(settings), bidi="on", today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await _ask(app, pilot, "/since 2021-05")
        assert app.session.conversation.filters.since == dt.date(2021, 5, 1)
        assert "since 2021-05-01" in str(app.query_one("#status").render())
        await _ask(app, pilot, "/since May")
        assert "not a date" in _messages(app, "error")[-1].logical_text
        await _ask(app, pilot, "/nonsense")
        assert "unknown command /nonsense" in _messages(app, "error")[-1].logical_text
        await _ask(app, pilot, "/docs")
        assert "kremlin_001" in _messages(app, "system")[-1].logical_text
        await _ask(app, pilot, "/open 1")
        assert "no sources" in _messages(app, "error")[-1].logical_text
        await _ask(app, pilot, "ماذا قال بيسكوف؟")
        assert app.last_answer is not None and _highlighted(next(iter(app.query(SourceCard)))) == QUOTE
        await _ask(app, pilot, "/open 1")
        assert isinstance(app.screen, ArticleScreen)
        await pilot.press("escape")
        # history: Ctrl+R lists past questions, typing searches, Enter puts one back in the input
        await pilot.press("ctrl+r")
        await pilot.pause()
        from textual.widgets import Input, OptionList

        from assistant.tui.components.history import HistoryScreen

        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.query_one(OptionList).option_count == 1
        app.screen.query_one("#history-search", Input).value = "لافروف"
        await pilot.pause()
        assert app.screen.query_one(OptionList).option_count == 0
        app.screen.query_one("#history-search", Input).value = "بيسكوف"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)
        assert app.query_one("#question", Input).value == "ماذا قال بيسكوف؟"
        app.query_one("#question", Input).value = ""
        await _ask(app, pilot, "/bidi off")
        assert not app.reorder and all(not m.body.reorder for m in app.query(ChatMessage))
        await _ask(app, pilot, "/bidi sideways")
        assert "unknown bidi mode" in _messages(app, "error")[-1].logical_text
        await _ask(app, pilot, "/clear")
        assert app.session.conversation.filters.since is None
        assert len(list(app.query(ChatMessage))) == 1


def _snapshot_app(tmp_path: Path, bidi: str) -> ChatApp:
    return ChatApp(scripted(load_settings(data_dir=tmp_path)), bidi=bidi, today=TODAY)  # type: ignore[arg-type]


async def _run_question(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await _ask(pilot.app, pilot, "ماذا قال بيسكوف في أيار 2021؟")
    pilot.app.query_one("#question").blur()
    await pilot.pause()


@pytest.mark.parametrize("bidi", ["on", "off"])
def test_snapshot_arabic_answer(bidi: str, tmp_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_snapshot_app(tmp_path, bidi), terminal_size=SIZE, run_before=_run_question)


def test_highlight_style_is_distinct() -> None:
    assert HIGHLIGHT != Style() and HIGHLIGHT.bgcolor is not None


def test_the_chat_app_overrides_no_private_textual_method() -> None:
    """A private name of ours that Textual's App also has replaces Textual's own: a `_flush` here once
    broke Textual's captured-stderr flushing (`_flush() got an unexpected keyword argument 'stderr'`)."""
    import inspect

    from textual.app import App
    from textual.screen import Screen

    from assistant.tui.components.history import HistoryScreen

    for ours, theirs in ((ChatApp, App), (ArticleScreen, Screen), (HistoryScreen, Screen)):
        clashes = sorted(
            name
            for name, value in vars(ours).items()
            if name.startswith("_") and not name.startswith("__") and inspect.isfunction(value) and hasattr(theirs, name)
        )
        assert clashes == [], f"{ours.__name__} shadows {theirs.__name__}'s {clashes}"


def test_the_chat_knows_when_its_terminal_is_gone() -> None:
    """Closing the terminal window under `make run` sends the chat no hang-up signal: it must notice
    the dead terminal itself (it went on reading it at full CPU)."""
    import io
    import os

    from assistant.tui.app import _alive, _tty

    master, slave = os.openpty()
    try:
        assert _alive(slave)
        os.close(master)  # the terminal window closes
        assert not _alive(slave)
    finally:
        os.close(slave)
    assert _tty(io.StringIO()) is None  # tests and pipes: no terminal to watch
