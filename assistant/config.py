"""One settings object: defaults < config file < environment < command-line flags.

The config file is TOML, at ``$ASSISTANT_CONFIG`` or
``~/.config/assistant/config.toml``. Environment variables are the field names
upper-cased with the ``ASSISTANT_`` prefix (``ASSISTANT_MODELS_DIR``...).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
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


class SearchSettings(BaseModel):
    """How hybrid retrieval ranks passages (weighted reciprocal rank fusion of dense and BM25).

    The defaults were chosen on ARCD (see benchmarks/arcd_retrieval.py): BM25 counts half as much
    as the dense ranking, since the multilingual embedder alone beats BM25 there and an English
    question has no BM25 signal over Arabic text.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dense_weight: float = Field(default=1.0, ge=0.0)
    """Weight of the dense (embedding) ranking in the fusion."""
    bm25_weight: float = Field(default=0.5, ge=0.0)
    """Weight of the BM25 ranking in the fusion."""
    rrf_k: int = Field(default=20, ge=1)
    """Reciprocal-rank-fusion constant: 20 rather than the usual 60 lets the top ranks count more."""
    pool: int = Field(default=100, ge=1)
    """Candidates taken from each retriever before fusion."""
    dense_match: float = Field(default=0.30, ge=-1.0, le=1.0)
    """Cosine at or above which a dense hit counts as a match for the date rule."""


class AnswerSettings(BaseModel):
    """How evidence is chosen and when the assistant abstains."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_sources: int = Field(default=3, ge=1, le=20)
    """Passages put before the model; more costs prompt time and confuses a small model."""
    candidate_hits: int = Field(default=4, ge=1, le=100)
    """Retrieved passages whose sentences compete to be evidence."""
    strong_ranks: int = Field(default=4, ge=1, le=50)
    """Candidate sentences ranked this high count as a passage's strong sentences (shown to a base model, quotable)."""
    quoted_sources: int = Field(default=2, ge=1, le=20)
    """Best-ranked sentences every non-abstaining answer quotes."""
    lexical_weight: float = Field(default=0.15, ge=0.0)
    """How much a sentence's share of the question's words and names adds to its cosine."""
    base_prompt_tokens: int = Field(default=160, ge=16, le=4096)
    """Most tokens of source sentences a base model (no chat template) is shown; the best sentence always."""
    min_coverage: float = Field(default=0.5, ge=0.0, le=1.0)
    """Share of a question's weighted terms the retrieved passages must contain, or we abstain."""
    min_dense: float = Field(default=0.30, ge=-1.0, le=1.0)
    """Below this cosine for the best passage, and with no names or words to look for, we abstain."""
    doubt_coverage: float = Field(default=0.75, ge=0.0, le=1.0)
    """When the model says the sources hold no answer and the coverage is below this, we abstain."""
    reader_prompt_tokens: int = Field(default=240, ge=16, le=4096)
    """Most tokens of evidence sentences the fine-tuned reader is shown; the best sentence always."""
    reader_max_tokens: int = Field(default=48, ge=4, le=512)
    """Most tokens the reader may write (its span, the number, the newline)."""
    reader_confidence: tuple[float, float, float, float, float] = (-3.4829, -1.2644, -0.0073, 0.242, 5.8221)
    """Logistic weights (bias, then one per signal of assistant.answer.reading.SIGNALS: the reader's
    first-token no-answer probability, its span's mean log-probability, the best passage's cosine,
    the best evidence sentence's score) giving the probability that the shown sentences answer;
    fitted on ARCD train (benchmarks/calibrate_abstention.py)."""
    reader_abstain: float = Field(default=0.2, ge=0.0, le=1.0)
    """The reader abstains when that probability is below this: the highest threshold that still
    answered 95% of the answerable ARCD-train calibration questions (issue 13's false-refusal
    target; chosen with the weights)."""
    reader_gate: Literal["off", "names", "all"] = "names"
    """What of the lexical relevance gate still applies before the reader: nothing, the question's
    names and numbers only (a name absent from every retrieved passage cannot be answered about), or
    names and rare words. Chosen on ARCD train (benchmarks/arcd_answers.py --data arcd-train.json)."""


class Settings(BaseSettings):
    """Everything the assistant can be told; each field documents itself."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid")

    models_dir: Path = Field(default_factory=default_models_dir)
    """Cache folder for the default models fetched from PyPI."""

    generator: Path | None = None
    """A GGUF file to answer with; None means the default Gemma 3 270M in models_dir."""

    embedder: Path | None = None
    """A sentence-transformers folder to embed with; None means the default EmbeddingGemma."""

    reader: bool = True
    """Answer with the fine-tuned reader: the default generator plus its LoRA adapter, decoding
    constrained to copy a span of the evidence (or to say there is none). Off, or with another
    GGUF as the generator, a base model copies a phrase few-shot and a chat model writes prose."""

    reader_adapter: Path | None = None
    """The reader's LoRA adapter (GGUF); None means the one shipped in assistant/models/adapters/."""

    embed_backend: Literal["openvino", "torch"] = "openvino"
    """What runs the embedder: OpenVINO (default; the folder is converted once into models_dir/openvino,
    about 3x the throughput of plain sentence-transformers on CPU) or torch (plain sentence-transformers).
    Part of the index's identity: an index built with one is refused by the other."""

    embed_precision: Literal["bf16", "f32", "int8"] = "bf16"
    """Arithmetic of the embedder: bf16 (default; OpenVINO falls back to f32 on CPUs without bf16, and
    ARCD nDCG@10 moves by well under 0.005), f32, or int8 (OpenVINO only: the embedder quantized once
    with NNCF; 1.4-1.5x the speed of bf16 on CPUs with VNNI, slower without; ARCD nDCG@10 0.873
    against bf16's 0.872). With the torch backend, bf16 casts the weights. Part of the index's identity; an
    index built with one precision is searched with it unless this is set explicitly."""

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

    stage_chunks: int = Field(default=256, ge=1)
    """When an indexing run has at least this many chunks to embed, it first publishes a generation that
    searches them lexically (BM25, dates, metadata), then embeds them in batches."""

    k: int = Field(default=5, ge=1, le=100)
    """How many passages a search returns."""

    max_tokens: int = Field(default=96, ge=8, le=2048)
    """Most tokens the model may write for one answer."""

    threads: int = Field(default=0, ge=0, le=256)
    """CPU threads for the models; 0 means all cores."""

    n_ctx: int = Field(default=4096, ge=256, le=131072)
    """The generator's context window in tokens (the prompt keeps only the best passages that fit beside max_tokens)."""

    search: SearchSettings = Field(default_factory=SearchSettings)
    """Retrieval tuning ([search] in the config file; ASSISTANT_SEARCH__BM25_WEIGHT=... in the environment)."""

    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    """Evidence and abstention tuning ([answer] in the config file; ASSISTANT_ANSWER__MIN_COVERAGE=...)."""

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
