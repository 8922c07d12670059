"""`assistant chat`: the conversation, the sources panel, filters, history; all blocking work in workers.

Workers never touch widgets: tokens go into a buffer that a 100 ms timer
flushes into the message being written (so Markdown is re-laid out a few
times a second, not per token), and results come back as messages.

It stays one module (about 410 lines): it is the one App class, whose handlers share the
chat's state; the widgets are already in components/, the display helpers in display/, the
slash commands in commands.py and the messages in messages.py.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import termios
import threading
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from assistant.answer.compose import Answer
from assistant.tui.display.bidi import BIDI_MODES, BidiMode, is_rtl, reorder_enabled
from assistant.retrieve.query import validate_query
from assistant.tui.commands import COMMANDS, Command, parse_command
from assistant.errors import AssistantError, BadInput
from assistant.tui.display.layout import Block
from assistant.tui.display.markdown import answer_markdown, md_escape
from assistant.app.session import Session
from assistant.tui.components.article import ArticleScreen
from assistant.tui.components.bidi_view import BidiView
from assistant.tui.components.history import HistoryScreen
from assistant.tui.components.message import ChatMessage, Role
from assistant.tui.components.sources import SourceCard, SourcesPanel, statement_heading
from assistant.tui.components.status import StatusBar
from assistant.tui.messages import Answered, ModelsReady, WorkFailed
from assistant.types import date_label

FLUSH_SECONDS = 0.1
"""How often streamed tokens are drawn: batched, never per token."""

WELCOME = """**Ask about the indexed articles, in Arabic or English.**

Every answer quotes its sources verbatim; they appear in the panel on the right (Tab to reach them, Enter to open an article). Follow-ups such as "and in April 2021?" keep the previous subject. Type /help for commands."""


TERMINAL_CHECK_SECONDS = 2.0
"""How often the chat checks that its terminal is still there."""


def _tty(stream: object) -> int | None:
    """The file descriptor of ``stream`` when it is a terminal (None: tests, pipes)."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
    return fd if os.isatty(fd) else None


def _alive(fd: int) -> bool:
    """Whether a terminal still answers (after a hang-up its attributes cannot be read)."""
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return False
    return True


class ChatApp(App[None]):
    """The interactive assistant."""

    CSS_PATH = "chat.tcss"
    TITLE = "Arabic news assistant"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel answer"),
        Binding("ctrl+r", "history", "History"),
        Binding("ctrl+b", "cycle_bidi", "Bidi mode"),
        Binding("ctrl+y", "copy_answer", "Copy answer"),
        Binding("ctrl+l", "clear", "Clear"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, session: Session, *, bidi: BidiMode = "auto", today: dt.date | None = None) -> None:
        super().__init__()
        self.session = session
        self.bidi_mode: BidiMode = bidi
        self.reorder = reorder_enabled(bidi)
        self.today = today
        self.busy = False
        self.ready = False
        self.load_error: str | None = None
        self.last_answer: Answer | None = None
        self.model_name = "model loading…"
        self.index_desc = "index loading…"
        self.timings = ""
        self._stop = threading.Event()
        self._session_lock = threading.Lock()
        self._tokens_lock = threading.Lock()
        self._pending: list[str] = []
        self._draft = ""
        self._writing: ChatMessage | None = None

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield VerticalScroll(id="conversation")
            yield SourcesPanel(id="sources")
        yield BidiView(id="preview", reorder=True)
        yield Input(placeholder="Ask in Arabic or English, or type /help", id="question")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sources", SourcesPanel).border_title = "Sources"
        self.query_one("#conversation").border_title = "Conversation"
        self.query_one("#preview", BidiView).display = False
        self.set_interval(FLUSH_SECONDS, self._draw_streamed)
        self._terminal = _tty(sys.__stdout__)
        if self._terminal is not None:
            self.set_interval(TERMINAL_CHECK_SECONDS, self._exit_if_terminal_gone)
        self.say("system", WELCOME)
        self._refresh_status()
        self.query_one("#question", Input).focus()
        self.load()

    def _exit_if_terminal_gone(self) -> None:
        """Quit once the terminal is gone (its window closed): under ``make run`` no hang-up signal
        reaches the chat, which would otherwise go on reading a dead terminal at full CPU."""
        if self._terminal is not None and not _alive(self._terminal):
            self.exit()

    def say(self, role: Role, markdown: str) -> ChatMessage:
        """Add a message to the conversation and scroll to it."""
        message = ChatMessage(role, markdown, reorder=self.reorder)
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.mount(message)
        conversation.scroll_end(animate=False)
        return message

    def _refresh_status(self) -> None:
        how = "reordering" if self.reorder else "terminal"
        self.query_one("#status", StatusBar).set_state(
            model=self.model_name,
            index=self.index_desc,
            filters=self.session.conversation.filters.describe(),
            timings=self.timings,
            bidi=f"{self.bidi_mode} ({how})",
        )

    # ---------------------------------------------------------------- workers

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Open the index and load both models in the background."""
        with self._session_lock:
            try:
                self.session.warm_up()
                self.post_message(ModelsReady(self.session.describe_index(), self.session.generator_name()))
            except AssistantError as exc:
                self.post_message(WorkFailed(exc.one_line()))

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def answer(self, typed: str) -> None:
        """Answer one question; tokens go to the buffer, the result comes back as a message."""
        with self._session_lock:
            try:
                exchange = self.session.ask(typed, today=self.today, on_token=self._token, should_stop=self._stop.is_set)
            except AssistantError as exc:
                self.post_message(WorkFailed(exc.one_line()))
                return
        self.post_message(Answered(exchange, cancelled=self._stop.is_set()))

    def _token(self, piece: str) -> None:
        """Runs in the worker thread: only buffers."""
        with self._tokens_lock:
            self._pending.append(piece)

    def _draw_streamed(self) -> None:
        """Runs on the UI thread every FLUSH_SECONDS: draw what streamed since last time."""
        with self._tokens_lock:
            pieces, self._pending = self._pending, []
        if pieces and self._writing is not None:
            self._draft += "".join(pieces)
            self._writing.show(f"*checked:* {md_escape(' '.join(self._draft.split()))}")

    # ---------------------------------------------------------------- results

    def on_models_ready(self, message: ModelsReady) -> None:
        self.ready = True
        self.load_error = None
        self.index_desc = message.index_text
        self.model_name = message.model_name
        notice = self.session.index_notice()  # an archive still being embedded: say what is missing
        if notice:
            self.say("system", f"*{md_escape(notice)}*")
        self._refresh_status()

    def on_work_failed(self, message: WorkFailed) -> None:
        if not self.ready and not self.busy:
            self.load_error = message.text
            self.model_name, self.index_desc = "no model", "no index"
            self._refresh_status()
        self._finish_writing(role="error", markdown=md_escape(message.text))

    def on_answered(self, message: Answered) -> None:
        self._draw_streamed()
        if message.cancelled:
            self._finish_writing(role="system", markdown="*Cancelled.*")
            return
        exchange = message.exchange
        answer = exchange.answer
        shown = answer_markdown(answer)
        if exchange.resolved.followup:
            shown = f"> ↳ {md_escape(exchange.resolved.asked)}\n\n{shown}"
        self._finish_writing(role="assistant", markdown=shown)
        self.last_answer = answer
        t = answer.timings_ms
        self.timings = f"{t['total'] / 1000:.1f} s (search {t['retrieve']:.0f} ms, model {t['generate'] / 1000:.1f} s)"
        self._show_sources(answer)
        self._refresh_status()
        try:
            self.session.keep(exchange)
        except AssistantError as exc:
            self.say("error", md_escape(exc.one_line()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a worker becomes a message, never a crash or a frozen prompt."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self._finish_writing(role="error", markdown=md_escape(f"internal error: {error!r}"))

    def _finish_writing(self, *, role: Role, markdown: str) -> None:
        if self._writing is not None:
            self._writing.remove()
            self._writing = None
        self.busy = False
        self._draft = ""
        self.say(role, markdown)

    def _show_sources(self, answer: Answer) -> None:
        cards = [SourceCard(c, self.session.document(c.doc_id), reorder=self.reorder) for c in answer.citations]
        groups = [(statement_heading(i, s), len(s.citations)) for i, s in enumerate(answer.statements or [], 1)]
        self.query_one("#sources", SourcesPanel).show(cards, groups)

    # ---------------------------------------------------------------- input

    @on(Input.Changed, "#question")
    def _preview(self, event: Input.Changed) -> None:
        """Typed Arabic shown readable above the input line (the input itself cannot reorder)."""
        preview = self.query_one("#preview", BidiView)
        show = self.reorder and bool(event.value.strip()) and is_rtl(event.value)
        preview.display = show
        if show:
            preview.update_blocks([Block(Text(event.value))])

    @on(Input.Submitted, "#question")
    def _submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        event.input.clear()
        try:
            command = parse_command(line)
            if command is None:
                validate_query(line)  # an empty question is refused here, not in a worker
        except BadInput as exc:
            self.say("error", md_escape(exc.one_line()))
            return
        if command is not None:
            self.run_command(command)
            return
        self.ask(line)

    def ask(self, question: str) -> None:
        """Start answering ``question`` (refused while another answer is being written)."""
        if self.busy:
            self.say("error", "Still answering the previous question: press Esc to cancel it.")
            return
        self.say("user", md_escape(question))
        self._writing = self.say("assistant", "*searching…*")
        self._draft = ""
        self._stop.clear()
        self.busy = True
        self.answer(question)

    # ---------------------------------------------------------------- commands

    def run_command(self, command: Command) -> None:
        """Carry out a slash command; a mistake in it becomes an error message."""
        try:
            getattr(self, f"_cmd_{command.name}")(command.arg)
        except AssistantError as exc:
            self.say("error", md_escape(exc.one_line()))

    def _need_index(self) -> None:
        if not self.ready:
            raise BadInput(self.load_error or "the index and models are still loading", hint="try again in a moment")

    def _cmd_help(self, _: str) -> None:
        keys = "Esc cancel · Ctrl+R history · Ctrl+B bidi mode · Ctrl+Y copy answer · Ctrl+L clear · Tab sources · Ctrl+Q quit"
        lines = "\n".join(f"- `{md_escape(text)}`" for text in COMMANDS.values())
        self.say("system", f"**Commands**\n\n{lines}\n\n**Keys**: {keys}")

    def _cmd_since(self, arg: str) -> None:
        self.session.conversation.since(arg)
        self._filters_changed()

    def _cmd_until(self, arg: str) -> None:
        self.session.conversation.until(arg)
        self._filters_changed()

    def _filters_changed(self) -> None:
        described = self.session.conversation.filters.describe() or "none (all articles, all dates)"
        self.say("system", f"Filters: {md_escape(described)}")
        self._refresh_status()

    def _cmd_docs(self, arg: str) -> None:
        self._need_index()
        if arg.lower() == "all":
            self.session.conversation.only_docs(None)
            self._filters_changed()
            return
        if arg:
            self.session.restrict(arg.split())
            self._filters_changed()
            return
        only = self.session.conversation.filters.docs
        rows = []
        for doc in self.session.documents():
            mark = "✓ " if only is None or doc.doc_id in only else "  "
            date = date_label(doc.date.iso if doc.date else None)
            rows.append(f"- {mark}`{doc.doc_id}` {date} · {md_escape(doc.outlet or '-')} · {md_escape(doc.title)}")
        self.say("system", "**Articles** (`/docs ID …` to answer only from some)\n\n" + "\n".join(rows))

    def _cmd_open(self, arg: str) -> None:
        if self.last_answer is None or not self.last_answer.citations:
            raise BadInput("no sources to open yet", hint="ask a question first")
        try:
            n = int(arg or "1")
            citation = next(c for c in self.last_answer.citations if c.n == n)
        except (ValueError, StopIteration):
            numbers = ", ".join(str(c.n) for c in self.last_answer.citations)
            raise BadInput(f"no source [{arg}]", hint=f"the last answer cites {numbers}") from None
        self._open(citation.doc_id)

    def _open(self, doc_id: str) -> None:
        spans = [(c.start, c.end) for c in (self.last_answer.citations if self.last_answer else []) if c.doc_id == doc_id]
        self.push_screen(ArticleScreen(self.session.document(doc_id), spans, reorder=self.reorder))

    def on_source_card_open(self, message: SourceCard.Open) -> None:
        self._open(message.citation.doc_id)

    def _cmd_history(self, arg: str) -> None:
        assert self.session.history is not None

        def chosen(question: str | None) -> None:
            if question:
                box = self.query_one("#question", Input)
                box.value = question
                box.focus()

        self.push_screen(HistoryScreen(self.session.history, reorder=self.reorder, words=arg), chosen)

    def _cmd_model(self, arg: str) -> None:
        if not arg:
            models = self.session.models()
            self.say("system", "\n\n".join(f"**{k}**: `{md_escape(v)}`" for k, v in models.items()))
            return
        if self.busy:
            raise BadInput("cannot switch models while answering", hint="press Esc first")
        self.session.use_model(Path(arg).expanduser())
        self.ready = False
        self.model_name = "model loading…"
        self._refresh_status()
        self.say("system", f"Switching to `{md_escape(arg)}`…")
        self.load()

    def _cmd_bidi(self, arg: str) -> None:
        if arg not in BIDI_MODES:
            raise BadInput(f"unknown bidi mode {arg!r}", hint="use /bidi auto, /bidi on or /bidi off")
        self.set_bidi(arg)  # type: ignore[arg-type]

    def set_bidi(self, mode: BidiMode) -> None:
        """Switch who reorders right-to-left text: us (on), the terminal (off), or detect (auto)."""
        self.bidi_mode = mode
        self.reorder = reorder_enabled(mode)
        for view in self.query(BidiView):
            if view.id != "preview":
                view.reorder = self.reorder
        self._refresh_status()

    def _cmd_clear(self, _: str) -> None:
        self.action_clear()

    def _cmd_copy(self, _: str) -> None:
        self.action_copy_answer()

    def _cmd_quit(self, _: str) -> None:
        self.exit()

    # ---------------------------------------------------------------- actions

    def action_cancel(self) -> None:
        if self.busy:
            self._stop.set()
            if self._writing is not None:
                self._writing.show("*cancelling…*")

    def action_history(self) -> None:
        self._cmd_history("")

    def action_cycle_bidi(self) -> None:
        self.set_bidi(BIDI_MODES[(BIDI_MODES.index(self.bidi_mode) + 1) % len(BIDI_MODES)])
        self.notify(f"bidi {self.bidi_mode}: {'reordering' if self.reorder else 'left to the terminal'}")

    def action_copy_answer(self) -> None:
        """Copy the last answer and its quotes, in logical order."""
        if self.last_answer is None:
            self.notify("Nothing to copy yet.", severity="warning")
            return
        a = self.last_answer
        quotes = [f"[{c.n}] {c.title} ({c.date or 'undated'}) {c.doc_id} [{c.start}:{c.end}]\n{c.quote}" for c in a.citations]
        self.copy_to_clipboard("\n\n".join([a.answer, *quotes]))
        self.notify("Answer and sources copied.")

    def action_clear(self) -> None:
        if self.busy:
            self.notify("Still answering: press Esc first.", severity="warning")
            return
        self.session.conversation.clear()
        self.last_answer = None
        self.query_one("#conversation", VerticalScroll).remove_children()
        self.query_one("#sources", SourcesPanel).show([])
        self._refresh_status()
        self.say("system", "Conversation and filters cleared.")

    def action_help(self) -> None:
        self._cmd_help("")

    def on_unmount(self) -> None:
        self._stop.set()
        if self._session_lock.acquire(timeout=5):
            try:
                self.session.close()
            finally:
                self._session_lock.release()
