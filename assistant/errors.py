"""One exception tree for every failure a user can cause or fix.

Each error carries a short message and a hint naming the fix; the CLI turns
them into one line on stderr and a non-zero exit code.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant reports to a user."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and its hint on one line."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(AssistantError):
    """The settings file, an environment variable or a flag is invalid."""

    exit_code = 2


class BadInput(AssistantError):
    """A question, query or argument the assistant cannot work with."""

    exit_code = 2


class CorpusError(AssistantError):
    """The corpus path does not exist or holds nothing readable."""


class ModelError(AssistantError):
    """Base for model provisioning and loading problems."""

    exit_code = 3


class ModelMissing(ModelError):
    """A model file or folder is not where the settings say."""


class ModelChecksumMismatch(ModelError):
    """A model file's sha256 differs from the expected one."""


class ModelFetchFailed(ModelError):
    """Fetching a default model from PyPI failed."""


class IndexError_(AssistantError):
    """Base for index problems (named with a trailing _ to keep the builtin)."""

    exit_code = 4


class IndexMissing(IndexError_):
    """No index has been built in the index directory."""


class IndexMismatch(IndexError_):
    """The index was built with another embedder or other chunk settings."""


class IndexCorrupt(IndexError_):
    """The index files are damaged or inconsistent with each other."""


class IndexLocked(IndexError_):
    """Another process is writing the index."""


class PromptError(AssistantError):
    """A prompt template is missing or uses an unknown variable."""


class GenerationError(AssistantError):
    """The local language model failed while answering."""


class ModelTooLarge(ModelError):
    """Loading a model would need more memory than the machine has free."""
