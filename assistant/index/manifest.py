"""A generation's manifest.json as a typed object, and the settings an index depends on.

The manifest says what a generation holds (counts, vector size, dense index
type, the corpus roots, each article's hash and file key) and what it was
built with (``config``: pipeline version, embedder, chunking). Readers refuse
a generation whose ``config`` differs from theirs (``check_compatible``).
Fields added after the first format are optional, so older generations load.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import IndexCorrupt, IndexMismatch

if TYPE_CHECKING:
    from assistant.config import Settings

__all__ = [
    "FORMAT_VERSION",
    "INGEST_VERSION",
    "PIPELINE_VERSION",
    "ChunkingConfig",
    "Counts",
    "DenseInfo",
    "DocumentEntry",
    "EmbedderConfig",
    "IndexConfig",
    "Manifest",
    "check_compatible",
    "index_config",
    "read_manifest",
    "write_manifest",
]

FORMAT_VERSION = 1
"""The on-disk layout of a generation; another value is refused as corrupt."""

PIPELINE_VERSION = 1
INGEST_VERSION = 1
"""How articles are read (formats, metadata, dating rules): when it changes, every article is read again and
re-dated on its next indexing run, keeping the chunks and vectors of unchanged text."""
"""Bump when ingestion, chunking or tokenisation changes what an index holds."""

MANIFEST = "manifest.json"


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class EmbedderConfig(_Part):
    """The embedder an index's vectors come from; any difference makes the vectors incomparable."""

    name: str | None = None
    """The model folder's name."""
    fingerprint: str | None = None
    """A hash of the model folder's weights and configuration."""
    backend: str | None = None
    """``openvino`` or ``torch`` (absent in the oldest indexes)."""
    precision: str | None = None
    """``bf16`` or ``f32`` (absent in the oldest indexes)."""


class ChunkingConfig(_Part):
    """How articles were cut into chunks."""

    chunk_chars: int | None = None
    chunk_overlap: int | None = None


class IndexConfig(_Part):
    """The settings an index depends on; a loaded index must match them exactly."""

    pipeline: int | None = None
    """PIPELINE_VERSION of the code that built it."""
    embedder: EmbedderConfig | None = None
    chunking: ChunkingConfig | None = None


class DenseInfo(_Part):
    """The dense index's entry: its type (``flat`` or ``pq-fastscan``) and FAISS factory string."""

    type: str = "flat"
    factory: str = "Flat"
    build_seconds: float | None = None
    rerank: int | None = None
    """Candidates re-scored exactly (quantised indexes only)."""


class Counts(_Part):
    """How many articles and chunks a generation holds."""

    documents: int | None = None
    chunks: int | None = None


class DocumentEntry(_Part):
    """One article in a generation."""

    hash: str | None = None
    """Its content hash (text and sidecar)."""
    chunks: int = 0
    """How many chunks it was cut into."""
    file: list[Any] | None = None
    """What says its file is unchanged since it was read (size, mtime, inode, symlink, sidecar key)."""
    dated_on: dt.date | None = None
    """The day its text dates were resolved against (body dates are not after it, weekday dates take
    the latest year up to it); kept from run to run so an article's date does not move with time.
    Absent in older generations: the manifest's ``today`` then stands for it."""


class Manifest(BaseModel):
    """manifest.json: what a generation holds and what it was built with."""

    model_config = ConfigDict(extra="allow")

    format: int = FORMAT_VERSION
    config: IndexConfig = Field(default_factory=IndexConfig)
    dim: int | None = None
    """Vector dimension."""
    dense: DenseInfo | None = None
    """None in indexes from before the dense type was chosen by size: those are flat."""
    roots: list[str] = Field(default_factory=list)
    """The corpus folders or files indexed, resolved."""
    created: str | None = None
    """When the generation was written (UTC, ISO 8601)."""
    counts: Counts = Field(default_factory=Counts)
    sentence_vectors: int = 0
    """How many sentence vectors the sentence store holds (0: none)."""
    documents: dict[str, DocumentEntry] = Field(default_factory=dict)
    """Each article by doc_id."""
    scanned_ns: int = 0
    """When the run that wrote it started scanning the corpus (files modified later are read again)."""
    today: dt.date | None = None
    """The day the run that wrote it took as today."""
    pending: int = 0
    """Chunks not embedded yet (pending.npy marks them): searched lexically until a later generation embeds them."""
    ingest: int = 0
    """INGEST_VERSION of the code that read the articles (0: before it was kept); another one reads them all again."""
    fields: dict[str, str | None] = Field(default_factory=dict)
    """Dump fields named by the user (``--field ROLE=NAME``), kept for later runs that name none."""
    dumps: list[dict[str, Any]] = Field(default_factory=list)
    """Each dump read: its path, format, records, articles, the field each role was read from, notes."""

    def dated_on(self, doc_id: str) -> dt.date | None:
        """The day ``doc_id``'s dates were resolved against, or None when it is not in this generation."""
        entry = self.documents.get(doc_id)
        if entry is None:
            return None
        return entry.dated_on or self.today


def index_config(settings: Settings, embedder_path: Path) -> IndexConfig:
    """The settings an index depends on; a loaded index must match them exactly."""
    from assistant.models.embed import embedder_fingerprint

    return IndexConfig(
        pipeline=PIPELINE_VERSION,
        embedder=EmbedderConfig(
            name=embedder_path.name,
            fingerprint=embedder_fingerprint(embedder_path),
            backend=settings.embed_backend,
            precision=settings.embed_precision,
        ),
        chunking=ChunkingConfig(chunk_chars=settings.chunk_chars, chunk_overlap=settings.chunk_overlap),
    )


def check_compatible(manifest: Manifest, config: IndexConfig, index_dir: Path) -> None:
    """Refuse an index built with another embedder, chunking or pipeline version (IndexMismatch)."""
    built = manifest.config
    for key, what in (("embedder", "embedder"), ("chunking", "chunk settings"), ("pipeline", "pipeline version")):
        if getattr(built, key) != getattr(config, key):
            raise IndexMismatch(
                f"the index in {index_dir} was built with another {what} "
                f"({_short(getattr(built, key))}, now {_short(getattr(config, key))})",
                hint=f"rebuild it with `assistant index --rebuild --index-dir {index_dir}`",
            )


def _short(value: Any) -> str:
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}={v}" for k, v in value.model_dump(exclude_none=True).items())
    return str(value)


def write_manifest(gen: Path, manifest: Manifest) -> None:
    """Write manifest.json into a generation."""
    data = manifest.model_dump(mode="json", exclude_none=True)
    (gen / MANIFEST).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read_manifest(gen: Path) -> Manifest:
    """Read and check a generation's manifest; an unreadable or malformed one is IndexCorrupt."""
    hint = "rebuild with `assistant index --rebuild`"
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"unreadable index manifest in {gen}: {exc}", hint=hint) from None
    if not isinstance(data, dict):
        raise IndexCorrupt(f"malformed index manifest in {gen}: not a JSON object", hint=hint)
    if data.get("format") != FORMAT_VERSION:
        raise IndexCorrupt(f"index format {data.get('format')!r} is not {FORMAT_VERSION}", hint=hint)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "manifest"
        raise IndexCorrupt(f"malformed index manifest in {gen}: {where}: {first['msg']}", hint=hint) from None
