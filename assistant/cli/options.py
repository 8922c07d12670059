"""What the `assistant` commands share: settings from the flags, JSON output, batch files, common options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from assistant.errors import BadInput

__all__ = ["answer_options", "embedder_option", "emit", "index_dir_option", "read_lines", "settings_from"]


def settings_from(ctx: click.Context, **flags: Any) -> Any:
    """The settings, with the flags that were given (not None) over the group's and the usual sources."""
    from assistant.config import load_settings

    base = dict(ctx.obj or {})
    base.update({k: v for k, v in flags.items() if v is not None})
    return load_settings(**base)


def emit(obj: Any) -> None:
    """One JSON object on one line of stdout, Arabic as is."""
    click.echo(json.dumps(obj, ensure_ascii=False))


def read_lines(path: Path) -> Iterator[str]:
    """The non-blank lines of a batch file, stripped; raises BadInput when it cannot be read."""
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
    """The options every answering command takes: --k, --model, --max-tokens, --index-dir, --embedder.

    They arrive as keyword arguments named after their settings (``--model`` is ``generator``), for
    the command to pass on to :func:`settings_from` as ``**answering``.
    """
    for option in reversed((
        click.option("--k", "k", type=click.IntRange(1, 100), help="Passages to retrieve (default 5)."),
        click.option("--model", "generator", type=click.Path(path_type=Path, dir_okay=False), help="A GGUF file to answer with (default: Gemma 3 270M)."),
        click.option("--max-tokens", type=click.IntRange(8, 2048), help="Most tokens the model may write (default 96)."),
        index_dir_option,
        embedder_option,
    )):
        command = option(command)
    return command
