"""The chat's slash commands: their one-line help and the parser."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import BadInput


@dataclass(frozen=True)
class Command:
    """A parsed slash command: its name and the rest of the line."""

    name: str
    arg: str


COMMANDS: dict[str, str] = {
    "since": "/since DATE      only articles dated on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD); no DATE clears",
    "until": "/until DATE      only articles dated on or before DATE; no DATE clears",
    "docs": "/docs [ID ...]   list the articles; with IDs, answer only from those (/docs all: every article)",
    "open": "/open N          show the whole article behind source [N]",
    "history": "/history [WORDS] browse past questions, or search them",
    "model": "/model [PATH]    show the models in use, or answer with another GGUF file",
    "bidi": "/bidi auto|on|off  reorder right-to-left text ourselves, or leave it to the terminal",
    "clear": "/clear           forget the conversation and the filters",
    "copy": "/copy            copy the last answer and its sources (logical order)",
    "help": "/help            this list",
    "quit": "/quit            leave",
}


def parse_command(line: str) -> Command | None:
    """A slash command, None for a question; unknown commands raise BadInput."""
    text = line.strip()
    if not text.startswith("/"):
        return None
    name, _, arg = text[1:].partition(" ")
    name = name.lower()
    if name not in COMMANDS:
        raise BadInput(f"unknown command /{name}", hint="type /help for the list")
    return Command(name, arg.strip())
