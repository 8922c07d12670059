"""Reliability: hostile files, bad questions (CLI and chat), broken indexes, model and memory limits.

Crash safety (SIGKILL) and concurrent runs are in test_crash_safety.py. Each
kind of bad question and broken index is checked in-process, through the library
calls the commands make (the error's one line and its exit code); one real
`assistant` run per exit code checks that the command prints that line alone on
stderr, with that exit code and no traceback. Counts for the issue's closing
note are printed with ``-s`` (``reliability totals``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.index import store
from assistant.config import load_settings
from assistant.errors import AssistantError, BadInput, GenerationError, ModelMissing, ModelTooLarge
from assistant.ingest.reader import DEFAULT_MAX_BYTES, ingest
from conftest import SEEDS, TODAY, run_cli

TALLY: Counter[str] = Counter()
"""What was tried, for the closing note: files, questions, broken indexes."""


@pytest.fixture(scope="module", autouse=True)
def _print_totals() -> Iterator[None]:
    yield
    print(f"\nreliability totals: {dict(sorted(TALLY.items()))}")


def library_error(call: Callable[[], object], *, code: int) -> str:
    """The line the CLI would print for the error ``call`` raises (asserting its exit code)."""
    with pytest.raises(AssistantError) as err:
        call()
    assert err.value.exit_code == code, (type(err.value).__name__, err.value.one_line())
    line = f"error: {err.value.one_line()}"
    assert "\n" not in line, line
    return line


def one_line_error(proc: subprocess.CompletedProcess[str], *, code: int | None = None) -> str:
    """The single stderr line of a failed command (asserting there is exactly one and no traceback)."""
    assert proc.returncode != 0, proc.stdout
    if code is not None:
        assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: "), proc.stderr
    return lines[0]


ARTICLE = (
    "الكرملين: لا خطط للقاء بين بوتين والأسد\n"
    "طيف بوست – فريق التحرير\n"
    "وقال المتحدث باسم الكرملين في 28 مايو 2021 إن الرئيس لا ينوي عقد اجتماع.\n"
)


# --- hostile files: what test_ingest.py does not already cover ----------------------


def test_a_50_mb_file_is_skipped_with_its_size_and_nothing_else_is_affected(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    line = ("سطر طويل من مقال ضخم جداً. " * 40 + "\n").encode("utf-8")
    with big.open("wb") as fh:
        while fh.tell() < 50 * 2**20:
            fh.write(line)
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    report = ingest([tmp_path], today=TODAY)
    TALLY["files"] += 2
    assert [d.doc_id for d in report.documents] == ["good"]
    (skipped,) = report.skipped
    assert Path(skipped.path).name == "huge.txt"
    assert skipped.reason == f"too large: {big.stat().st_size} bytes (limit {DEFAULT_MAX_BYTES})"


def test_a_file_that_grows_past_the_limit_while_read_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """stat() said small, the read found more (a log being appended to): reading stops at the limit."""
    path = tmp_path / "growing.txt"
    path.write_bytes(ARTICLE.encode("utf-8") * 100)
    real_stat = Path.stat

    def small_stat(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        st = real_stat(self, *args, **kwargs)
        if self.name == "growing.txt":
            return type("S", (), {"st_mode": st.st_mode, "st_size": 10})()
        return st

    monkeypatch.setattr(Path, "stat", small_stat)
    report = ingest([tmp_path], today=TODAY, max_bytes=1000)
    TALLY["files"] += 1
    assert [s.reason for s in report.skipped] == ["too large: over 1000 bytes"]


OTHER_STORY = (
    "قال الكرملين إن بوتين سيزور الصين في الخريف المقبل لبحث التعاون الاقتصادي والتجاري، "
    "وأوضح أن الزيارة تستمر ثلاثة أيام يلتقي خلالها رجال أعمال ومسؤولين في بكين وشنغهاي.\n"
)

HOSTILE: dict[str, bytes] = {
    "huge.txt": b"",  # written separately: 50 MB
    "nul-in-middle.txt": ARTICLE.encode("utf-8") + b"\x00\x00" + ARTICLE.encode("utf-8"),
    "lone-surrogate.txt": ARTICLE.encode("utf-8")[:80] + "\udc80".encode("utf-8", "surrogatepass") + ARTICLE.encode("utf-8")[80:],
    "mixed endings.md": ARTICLE.replace("\n", "\r\n", 1).replace("\n", "\r", 2).encode("utf-8") + "وسطر أخير\u2028بفاصل\u2029".encode(),
    "cp1256 مقال.txt": ARTICLE.encode("cp1256"),
    "utf16.txt": ARTICLE.encode("utf-16"),
    "empty.txt": b"",
    "binary.txt": bytes(range(256)) * 8,
    # Its own story (the other files all print ARTICLE, and copies of one story are searched once).
    "ansi escapes.txt": ("\x1b[2J\x1b[31m" + OTHER_STORY * 3 + "الكرملين \x1b]0;pwned\x07\n").encode("utf-8"),
    "terminal control.txt": ("\x1b[2J\x1b]0;pwned\x07" + ARTICLE).encode("utf-8"),  # 3% control characters: binary
    "bidi overrides.txt": ("\u202e" + ARTICLE + "\u202c\u2066x\u2069").encode("utf-8"),
}


@pytest.mark.models  # `assistant index` and `search` with the real embedder
def test_cli_index_of_a_folder_of_hostile_files_reports_each_and_indexes_the_rest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, data in HOSTILE.items():
        (corpus / name).write_bytes(data)
    with (corpus / "huge.txt").open("wb") as fh:
        fh.truncate(50 * 2**20)  # sparse: 50 MB of NULs without writing them
    (corpus / "../outside.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "escape.txt").symlink_to(tmp_path / "outside.txt")
    TALLY["files"] += len(HOSTILE) + 1
    index_dir = tmp_path / "index"
    proc = run_cli("index", str(corpus), "--index-dir", str(index_dir), "-q")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    skipped = {line.split(": ")[0].removeprefix("skipped ") for line in proc.stderr.splitlines() if line.startswith("skipped ")}
    names = {Path(p).name for p in skipped}
    assert {"huge.txt", "nul-in-middle.txt", "empty.txt", "binary.txt", "escape.txt", "terminal control.txt"} <= names
    assert "too large" in proc.stderr and "NUL" in proc.stderr and "outside the corpus root" in proc.stderr
    assert "\x1b" not in proc.stderr
    # The lone surrogate is a warning (the article is kept, the damaged place replaced), not a loss.
    assert "invalid UTF-8" in proc.stderr

    gen = store.current_generation(index_dir)
    docs = {r["doc_id"]: r for r in store.read_jsonl(gen / "documents.jsonl")}
    assert set(docs) == {"lone-surrogate", "mixed endings", "cp1256 مقال", "utf16", "ansi escapes", "bidi overrides"}
    assert "\x1b]0;pwned" in docs["ansi escapes"]["text"]  # the original text is kept, untouched
    assert docs["mixed endings"]["text"] == HOSTILE["mixed endings.md"].decode("utf-8")  # line endings kept as they are
    assert docs["lone-surrogate"]["text"] == HOSTILE["lone-surrogate.txt"].decode("utf-8", errors="replace")
    for row in store.read_jsonl(gen / "chunks.jsonl"):
        text = docs[row["doc_id"]]["text"]
        assert 0 <= row["start"] < row["end"] <= len(text)

    found = run_cli("search", "الكرملين بوتين", "--json", "--k", "20", "--index-dir", str(index_dir))
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["results"]
    for hit in hits:
        assert docs[hit["doc_id"]]["text"][hit["start"] : hit["end"]] == hit["text"]  # verbatim, escapes included
    assert any("\x1b" in h["text"] for h in hits) and any("\u202e" in h["text"] for h in hits)
    # printed for a person, an article's escape sequences and bidi overrides never reach the terminal
    shown = run_cli("search", "الكرملين بوتين", "--k", "20", "--index-dir", str(index_dir))
    assert shown.returncode == 0, shown.stderr
    assert "ansi escapes" in shown.stdout and "bidi overrides" in shown.stdout
    assert not any(ch in shown.stdout for ch in "\x1b\x07\u202e\u2066")


# --- bad questions ---------------------------------------------------------------

BAD_QUESTIONS: list[tuple[str, str, str]] = [
    ("empty", "", "the question is empty"),
    ("whitespace", "  \t \u00a0\u3000 ", "the question is empty"),
    ("punctuation", "؟!... ،؛ «» - ?", "the question is empty"),
    ("controls only", "\x01\x02\x07\x1b\x7f", "the question is empty"),
    ("bidi overrides only", "\u202e\u202d\u2066\u2067\u2068\u2069\u200f\u200e", "the question is empty"),
    ("100k characters", ("What did Peskov say " * 5000)[:-1] + "?", "the question is 100,000 characters long; the limit is 2,000"),
    ("impossible month", "ماذا قال بيسكوف في شهر 13؟", "there is no month 13"),
    ("impossible day", "ماذا حدث في 30 شباط 2021؟", "no day 30"),
    ("month 13 numeric", "what happened in 2021-13?", "there is no month 13"),
]


@pytest.mark.parametrize(("what", "question", "message"), BAD_QUESTIONS, ids=[b[0] for b in BAD_QUESTIONS])
def test_ask_refuses_a_bad_question_in_one_line(seed_answerer, what: str, question: str, message: str) -> None:  # type: ignore[no-untyped-def]
    line = library_error(lambda: seed_answerer.ask(question, today=TODAY), code=BadInput.exit_code)
    TALLY["questions"] += 1
    assert message in line, line


def test_cli_ask_refuses_a_bad_question_in_one_line(seed_index: Path) -> None:
    """The one real command for exit code 2: the library's line, alone on stderr."""
    what, question, message = BAD_QUESTIONS[7]
    assert what == "impossible day"
    proc = run_cli("ask", question, "--index-dir", str(seed_index))
    TALLY["questions"] += 1
    line = one_line_error(proc, code=2)
    assert message in line, line
    assert proc.stdout == ""


@pytest.mark.parametrize("command", ["search", "ask"])
def test_a_100k_arabic_question_is_refused_through_batch(seed_index: Path, tmp_path: Path, command: str) -> None:
    """100k Arabic characters (200 kB) exceed what one argv string may hold, so a batch file carries them."""
    batch = tmp_path / "q.txt"
    batch.write_text(("ماذا قال بيسكوف " * 6250)[:-1] + "؟\n", encoding="utf-8")
    proc = run_cli(command, "--batch", str(batch), "--index-dir", str(seed_index))
    TALLY["questions"] += 1
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    (row,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "100,000 characters long" in row["error"]


def test_control_and_bidi_characters_around_words_are_stripped_and_answered(seed_index: Path) -> None:
    question = "\u202e\x1b[31mماذا قال بيسكوف في أيار 2021؟\u202c\x07"
    proc = run_cli("ask", question, "--json", "--max-tokens", "16", "--index-dir", str(seed_index))
    TALLY["questions"] += 1
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["question"] == "[31mماذا قال بيسكوف في أيار 2021؟"
    assert answer["date_window"]["from"] == "2021-05-01"
    assert not any(ch in proc.stdout for ch in "\u202e\u202c\x1b\x07")


async def test_chat_shows_each_bad_question_as_a_message_and_keeps_running(seed_index: Path, tmp_path: Path) -> None:
    from textual.widgets import Input

    from assistant.app.session import Session
    from assistant.tui.app import ChatApp
    from assistant.tui.components.message import ChatMessage

    app = ChatApp(Session(load_settings(index_dir=seed_index, data_dir=tmp_path)), bidi="on", today=TODAY)
    async with app.run_test(size=(130, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.ready, app.load_error
        box = app.query_one("#question", Input)
        for what, question, message in BAD_QUESTIONS:
            before = len([m for m in app.query(ChatMessage) if m.role == "error"])
            box.focus()
            box.value = question
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            TALLY["questions"] += 1
            errors = [m for m in app.query(ChatMessage) if m.role == "error"]
            assert len(errors) == before + 1, what
            shown = errors[-1].logical_text
            assert message in shown.replace("\\", ""), (what, shown)
            assert "\n" not in shown.strip() and "Traceback" not in shown
            assert app.is_running and not app.busy
        assert app.last_answer is None
    assert History_is_empty(tmp_path)


def History_is_empty(data_dir: Path) -> bool:  # noqa: N802 - reads as a sentence in the assert
    from assistant.app.history import History

    return History(data_dir / "history.sqlite3").recent() == []


# --- broken indexes ---------------------------------------------------------------


@pytest.fixture()
def index_copy(seed_index: Path, tmp_path: Path) -> Path:
    """A copy of the seed index to damage."""
    copy = tmp_path / "index"
    shutil.copytree(seed_index, copy)
    return copy


def _gen(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _drop_last_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def _duplicate_a_line(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + lines[:1]), encoding="utf-8")


def _one(gen: Path, pattern: str) -> Path:
    """The generation's one file matching ``pattern`` (a freshly built index has one sentence segment)."""
    (path,) = gen.glob(pattern)
    return path


def _np_drop_row(path: Path) -> None:
    import numpy as np

    np.save(path, np.load(path)[:-1])


def _edit_manifest(edit: Callable[[dict], None]) -> Callable[[Path], None]:  # type: ignore[type-arg]
    def apply(gen: Path) -> None:
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        edit(manifest)
        (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return apply


def _other_embedder(m: dict) -> None:  # type: ignore[type-arg]
    m["config"]["embedder"] = {"name": "multilingual-e5-small", "fingerprint": "0123456789abcdef"}


def _other_dim(m: dict) -> None:  # type: ignore[type-arg]
    m["dim"] = 384


BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "chunk store one row short": (lambda g: _drop_last_line(g / "chunks.jsonl"), "disagree"),
    "chunk store one row too many": (lambda g: _duplicate_a_line(g / "chunks.jsonl"), "disagree"),
    "chunk store cut mid-row": (lambda g: _truncate(g / "chunks.jsonl", 0.5), "chunks.jsonl"),
    "document store deleted": (lambda g: (g / "documents.jsonl").unlink(), "documents.jsonl"),
    "BM25 folder deleted": (lambda g: shutil.rmtree(g / "bm25"), "BM25"),
    "manifest of another embedder": (_edit_manifest(_other_embedder), "another embedder"),
    "manifest of another dimension": (_edit_manifest(_other_dim), "disagree"),
    "manifest not JSON": (lambda g: (g / "manifest.json").write_text("{", encoding="utf-8"), "manifest"),
    "live generation deleted": (lambda g: shutil.rmtree(g), "missing generation"),
    "sentence vectors deleted": (lambda g: _one(g, "sentence_vectors.*.npy").unlink(), "sentence vectors"),
    "sentence offsets truncated": (lambda g: _truncate(g / "sentence_offsets.npy", 0.5), "sentence vectors"),
    "sentence spans one row short": (lambda g: _np_drop_row(_one(g, "sentence_spans.*.npy")), "sentence vectors"),
    "sentence segment list deleted": (lambda g: (g / "sentence_segments.json").unlink(), "sentence vectors"),
}


def _search(index_dir: Path) -> Callable[[], object]:
    """What `assistant search` does: open the index, then search it."""
    from assistant.app.api import open_search

    return lambda: open_search(load_settings(index_dir=index_dir)).search("ماذا قال بيسكوف؟", k=5, today=TODAY)


def _ask(index_dir: Path) -> Callable[[], object]:
    """What `assistant ask` does: open the answerer, then ask it."""
    from assistant.app.api import open_answerer

    return lambda: open_answerer(load_settings(index_dir=index_dir)).ask("ماذا قال بيسكوف؟", today=TODAY)


def _index(index_dir: Path) -> Callable[[], object]:
    """What `assistant index SEEDS` does."""
    from assistant.app.api import index_corpus

    return lambda: index_corpus(load_settings(index_dir=index_dir), [SEEDS], today=TODAY)


@pytest.mark.parametrize("damage", list(BROKEN))
@pytest.mark.parametrize("command", ["search", "ask"])
def test_a_broken_index_is_one_line_naming_the_rebuild(index_copy: Path, damage: str, command: str, generator) -> None:  # type: ignore[no-untyped-def]
    breaker, words = BROKEN[damage]
    breaker(_gen(index_copy))
    TALLY["broken indexes"] += 1
    line = library_error((_search if command == "search" else _ask)(index_copy), code=4)
    assert words in line, line
    assert "assistant index --rebuild" in line, line


def test_cli_search_on_a_broken_index_is_one_line_naming_the_rebuild(index_copy: Path) -> None:
    """The one real command for exit code 4 on a damaged index."""
    breaker, words = BROKEN["chunk store one row short"]
    breaker(_gen(index_copy))
    TALLY["broken indexes"] += 1
    line = one_line_error(run_cli("search", "ماذا قال بيسكوف؟", "--index-dir", str(index_copy)), code=4)
    assert words in line and "assistant index --rebuild" in line, line


@pytest.mark.parametrize(
    "damage",
    [
        "chunk store one row short", "chunk store one row too many", "manifest of another dimension",
        "manifest of another embedder", "sentence spans one row short",
    ],
)
def test_indexing_over_a_broken_index_refuses_instead_of_losing_chunks(index_copy: Path, damage: str) -> None:
    """`assistant index` (no --rebuild) must not carry a damaged generation forward."""
    breaker, _ = BROKEN[damage]
    live = _gen(index_copy)
    breaker(live)
    TALLY["broken indexes"] += 1
    line = library_error(_index(index_copy), code=4)
    assert "assistant index --rebuild" in line, line
    assert _gen(index_copy) == live  # nothing published


def test_indexing_over_truncated_vectors_refuses(index_copy: Path) -> None:
    """The one real `assistant index` run that refuses a damaged index (exit code 4)."""
    _truncate(_gen(index_copy) / "vectors.npy", 0.5)
    TALLY["broken indexes"] += 1
    proc = run_cli("index", str(SEEDS), "--index-dir", str(index_copy), "-q")
    line = one_line_error(proc, code=4)
    assert "vectors.npy" in line and "assistant index --rebuild" in line, line


def test_a_deleted_index_folder_names_the_build_command(index_copy: Path) -> None:
    shutil.rmtree(index_copy)
    TALLY["broken indexes"] += 1
    expected = f"error: no index in {index_copy} (build it with `assistant index`)"
    assert library_error(_search(index_copy), code=4) == expected
    assert library_error(_ask(index_copy), code=4) == expected
    assert one_line_error(run_cli("ask", "ماذا قال بيسكوف؟", "--index-dir", str(index_copy)), code=4) == expected


def test_an_index_built_at_another_dimension_is_refused_before_searching(index_copy: Path) -> None:
    """A whole, self-consistent generation whose vectors the current embedder cannot match."""
    import numpy as np

    gen = _gen(index_copy)
    vectors = np.load(gen / "vectors.npy")[:, :256].copy()
    np.save(gen / "vectors.npy", vectors)
    segment = _one(gen, "sentence_vectors.*.npy")
    np.save(segment, np.load(segment)[:, :256].copy())
    _edit_manifest(lambda m: m.update(dim=256))(gen)
    TALLY["broken indexes"] += 1
    line = library_error(_search(index_copy), code=4)
    assert "256-dimensional" in line and "768" in line and "assistant index --rebuild" in line, line


# --- models and memory ----------------------------------------------------------------


def test_max_tokens_is_a_hard_cap_on_what_the_real_model_writes(generator) -> None:  # type: ignore[no-untyped-def]
    prompt = "Count from one to two hundred, one number per word: one two three four five six seven eight"
    counts = {}
    for cap in (8, 40):
        pieces: list[str] = []
        text = generator.complete(prompt, max_tokens=cap, on_token=pieces.append)
        counts[cap] = generator.count_tokens(text)
        assert len(pieces) <= cap
        assert counts[cap] <= cap
    assert counts[8] < counts[40]  # the cap, not the model stopping on its own, ended the short run


def test_ask_passes_max_tokens_and_the_model_stays_within_it(seed_index: Path, generator) -> None:  # type: ignore[no-untyped-def]
    from assistant.app.api import open_answerer

    answerer = open_answerer(load_settings(index_dir=seed_index, max_tokens=8))
    seen: list[int] = []
    written: list[str] = []
    real = generator.llm.create_completion

    def spy(prompt, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs["max_tokens"])
        for part in real(prompt, **kwargs):
            written.append(part["choices"][0]["text"])
            yield part

    generator.llm.create_completion = spy
    try:
        answerer._generator = generator
        answer = answerer.ask("هل ينوي بوتين لقاء الأسد بحسب الكرملين في أيار 2021؟", today=TODAY)
    finally:
        generator.llm.create_completion = real
        answerer._generator = None
    assert seen == [8]
    assert generator.count_tokens("".join(written)) <= 8
    assert answer.citations  # a capped draft still ends in a verified, cited answer


def test_context_overflow_is_handled_by_dropping_the_weakest_passages(seed_index: Path, generator, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A model with a small context: the prompt keeps the best passages that fit beside max_tokens."""
    from assistant.answer.prompting import Drafting
    from assistant.config import AnswerSettings
    from assistant.retrieve.query import Query
    from assistant.app.api import open_answerer
    from assistant.models.generate import load_generator
    from assistant.models.locate import resolve_generator

    question = "هل ينوي بوتين لقاء الأسد بحسب الكرملين في أيار 2021؟"
    settings = load_settings(index_dir=seed_index, max_tokens=64)
    MAX_SOURCES = AnswerSettings().max_sources  # noqa: N806
    answerer = open_answerer(settings)
    offered: list[list] = []  # type: ignore[type-arg]
    real_fit = Drafting.fit

    def fit(self, query, sources):  # type: ignore[no-untyped-def]
        offered.append(list(sources))
        return real_fit(self, query, sources)

    monkeypatch.setattr(Drafting, "fit", fit)
    answerer._generator = generator  # the real model at its usual context: all sources fit
    full = answerer.ask(question, today=TODAY)
    answerer._generator = None
    (sources,) = offered
    assert len(sources) == MAX_SOURCES and {c.n for c in full.citations} <= {1, 2, 3}
    query = Query.parse(question, today=TODAY)
    drafting = answerer.drafting(generator)
    sizes = [drafting.prompt_tokens(query, sources[:n]) for n in range(1, MAX_SOURCES + 1)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]

    # A context with room for the best passage but not all of them.
    n_ctx = (sizes[0] + sizes[-1]) // 2 + 64
    small = load_generator(resolve_generator(settings), threads=settings.cpu_threads(), n_ctx=n_ctx)
    prompts: list[str] = []
    real_complete = small.complete

    def spy(prompt: str, **kwargs):  # type: ignore[no-untyped-def]
        prompts.append(prompt)
        return real_complete(prompt, **kwargs)

    small.complete = spy  # type: ignore[method-assign]
    answerer._generator = small
    offered.clear()
    try:
        answer = answerer.ask(question, today=TODAY)
        (prompt,) = prompts
        used = small.count_tokens(prompt) + 1  # and the BOS token
    finally:
        answerer.close()
    assert used + 64 <= n_ctx  # the prompt and the answer budget fit
    assert "[1]" in prompt and f"[{MAX_SOURCES}]" not in prompt
    assert answer.citations and all(c.n < MAX_SOURCES for c in answer.citations)

    # A context too small for even the best passage: a clear error, not a truncated prompt.
    tiny = load_generator(resolve_generator(settings), threads=1, n_ctx=sizes[0])
    answerer = open_answerer(settings)
    answerer._generator = tiny
    with pytest.raises(GenerationError, match=f"do not fit in the model's context of {sizes[0]} tokens"):
        answerer.ask(question, today=TODAY)
    answerer.close()


def test_a_very_long_unpunctuated_article_gives_bounded_passages() -> None:
    """One 60,000-character sentence: chunks and the passages put before the model stay small."""
    from assistant.answer.evidence import SOURCE_CHARS, choose_sources
    from assistant.config import AnswerSettings
    from assistant.ingest.chunking import chunk_document
    from assistant.types import Document, Hit

    text = "عنوان المقال\n" + " ".join(f"كلمة{i} بوتين" for i in range(6000))
    doc = Document("long", "long.txt", text, "عنوان المقال", None, None, None, "0")
    chunks = chunk_document(doc, chunk_chars=700, overlap=150)
    assert max(c.end - c.start for c in chunks) <= 1400
    hits = [Hit(chunk=c, score=1.0 / (i + 1), date=None) for i, c in enumerate(chunks[:50])]
    tuning = AnswerSettings()
    sources = choose_sources(hits, {"long": doc}, lambda keys, _hits: [float(b - a) for _, a, b in keys], tuning)
    assert len(sources) == tuning.max_sources
    for s in sources:  # each passage lies inside one retrieved chunk: never the whole article
        assert any(c.start <= s.start and s.end <= c.end for c in chunks)
        assert s.end - s.start <= max(SOURCE_CHARS, max(c.end - c.start for c in chunks))


def test_a_truncated_gguf_fails_before_any_search(seed_index: Path, tmp_path: Path) -> None:
    from assistant.app.api import open_answerer
    from assistant.models.locate import resolve_generator

    real = resolve_generator(load_settings())
    broken = tmp_path / "truncated.gguf"
    with real.open("rb") as src, broken.open("wb") as dst:
        dst.write(src.read(real.stat().st_size // 3))
    answerer = open_answerer(load_settings(index_dir=seed_index, generator=broken))

    def no_embedder():  # type: ignore[no-untyped-def]
        raise AssertionError("the embedder was loaded before the model was checked")

    answerer.search.embedder_loader = no_embedder
    with pytest.raises(ModelMissing, match="cannot load GGUF model"):
        answerer.ask("ماذا قال بيسكوف؟", today=TODAY)
    TALLY["broken models"] += 1

    proc = run_cli("ask", "ماذا قال بيسكوف؟", "--model", str(broken), "--index-dir", str(seed_index))
    line = one_line_error(proc, code=3)
    assert "cannot load GGUF model" in line and "complete GGUF model" in line, line


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "is not a GGUF model file"), (b"hello, not a model\n", "is not a GGUF model file"), (None, "does not exist")],
)
def test_a_file_that_is_not_a_gguf_model_is_refused_at_once(tmp_path: Path, content: bytes | None, words: str) -> None:
    """Refused when `ask` or the chat resolves its model, before anything loads (the CLI's exit code 3
    is checked with the truncated GGUF above)."""
    from assistant.app.api import generator_loader

    path = tmp_path / "model.gguf"
    if content is not None:
        path.write_bytes(content)
    TALLY["broken models"] += 1
    line = library_error(lambda: generator_loader(load_settings(generator=path)), code=3)
    assert words in line and str(path) in line, line


def test_memory_reading_parses_meminfo_and_cgroup_limits(tmp_path: Path) -> None:
    from assistant.models.resources import available_memory

    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    2048000 kB\n", encoding="ascii")
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    assert available_memory(meminfo, cgroup) == 2048000 * 1024
    (cgroup / "memory.max").write_text("max\n", encoding="ascii")
    assert available_memory(meminfo, cgroup) == 2048000 * 1024
    (cgroup / "memory.max").write_text(f"{1024 * 2**20}\n", encoding="ascii")
    (cgroup / "memory.current").write_text(f"{700 * 2**20}\n", encoding="ascii")
    assert available_memory(meminfo, cgroup) == 324 * 2**20  # the container's limit is the tighter one


def test_too_little_memory_is_a_clear_message_before_the_model_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.models import resources
    from assistant.models.generate import load_generator
    from assistant.models.locate import resolve_generator
    from assistant.models.resources import check_memory, memory_needed

    path = resolve_generator(load_settings())
    need = memory_needed(path)
    assert need > path.stat().st_size
    check_memory("generator", path, available=need)  # just enough passes
    with pytest.raises(ModelTooLarge, match=r"needs about \d[\d,]* MiB of memory, but only 100 MiB are available"):
        check_memory("generator", path, available=100 * 2**20)

    monkeypatch.setattr(resources, "available_memory", lambda: 100 * 2**20)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # any attempt to load would fail differently
    with pytest.raises(ModelTooLarge) as err:
        load_generator(path, threads=1)
    assert "close other programs" in (err.value.hint or "")


def test_too_little_memory_through_the_cli_edge(
    seed_index: Path, unshared_models: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real CLI entry point, in-process so that the memory reading can be faked (and with the
    library's own loaders: the session's shared models are already loaded)."""
    from assistant.cli import main as cli
    from assistant.models import resources

    monkeypatch.setattr(resources, "available_memory", lambda: 64 * 2**20)
    monkeypatch.setattr(sys, "argv", ["assistant", "ask", "ماذا قال بيسكوف؟", "--index-dir", str(seed_index)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: loading the generator gemma-3-270m-q4_k_m.gguf needs about"), err
    assert "only 64 MiB are available" in err
