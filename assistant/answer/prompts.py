"""Prompt templates live as files in prompts/; they are loaded and checked at start-up.

A template that names a variable its caller does not provide fails loudly
(PromptError) before any model is loaded.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import PromptError

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "prompts"
"""The repository's prompts/ folder."""

TEMPLATES: dict[str, frozenset[str]] = {
    "answer_ar": frozenset({"sources", "question"}),
    "answer_en": frozenset({"sources", "question"}),
    "chat_system": frozenset({"language_name", "abstain_marker"}),
    "chat_user": frozenset({"sources", "question"}),
    "reader": frozenset({"sources", "question"}),
}
"""Each template's file stem and the variables it may use."""


@dataclass(frozen=True)
class Prompts:
    """The validated templates, by name."""

    texts: dict[str, str]

    def render(self, name: str, **values: str) -> str:
        """Fill a template; every variable it uses must be given."""
        return self.texts[name].format(**values)

    def fixed_start(self, name: str) -> str:
        """What every rendering of a template begins with: its text before the first variable."""
        for literal, field, _, _ in string.Formatter().parse(self.texts[name]):
            return literal if field is not None else ""
        return ""


def template_fields(text: str) -> set[str]:
    """Variable names a str.format template uses."""
    try:
        return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text) if field}
    except ValueError as exc:
        raise PromptError(f"malformed template: {exc}") from None


def load_prompts(folder: Path | None = None) -> Prompts:
    """Read every template from ``folder`` and validate its variables."""
    folder = folder or DEFAULT_DIR
    texts = {}
    for name, allowed in TEMPLATES.items():
        path = folder / f"{name}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(f"cannot read prompt template {path}: {exc.strerror}", hint="restore it from the repository") from None
        try:
            used = template_fields(text)
        except PromptError as exc:
            raise PromptError(f"{path}: {exc.message}", hint="escape literal braces as {{ and }}") from None
        unknown = used - allowed
        if unknown:
            raise PromptError(
                f"prompt template {path} uses unknown variable(s) {', '.join(sorted(unknown))}",
                hint=f"it may use only {', '.join(sorted(allowed))}",
            )
        missing = {"sources", "question"} & allowed - used
        if missing:
            raise PromptError(f"prompt template {path} never uses {', '.join(sorted(missing))}")
        texts[name] = text
    return Prompts(texts)
