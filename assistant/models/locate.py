"""Which models are in use: the defaults' names, paths and checksums, user paths, status, resolving.

The defaults live in ``models_dir`` (put there by
:func:`assistant.models.fetch.fetch_defaults`):

- generator: Gemma 3 270M Q4_K_M, ``<models_dir>/gemma-3-270m-q4_k_m.gguf``;
- embedder: EmbeddingGemma-300m, ``<models_dir>/embeddinggemma-300m/``.

Verifying a file records a stamp next to it (sha256, size, mtime_ns), so
later checks hash only when the file has changed. Models the user points at
(``Settings.generator`` / ``Settings.embedder``) are used as given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.config import Settings
from assistant.errors import ModelChecksumMismatch, ModelMissing

__all__ = [
    "EMBEDDER_NAME",
    "EMBEDDER_SHA256",
    "EMBEDDER_WEIGHTS",
    "FETCH_HINT",
    "GENERATOR_FILE",
    "GENERATOR_SHA256",
    "ModelInfo",
    "Role",
    "default_embedder_name",
    "default_embedder_path",
    "default_generator_name",
    "default_generator_path",
    "default_info",
    "default_sha256",
    "model_status",
    "resolve_embedder",
    "resolve_generator",
    "sha256_file",
    "stamp_path",
    "write_stamp",
]

Role = Literal["generator", "embedder", "adapter"]
Source = Literal["default", "user"]

GENERATOR_NAME = "gemma-3-270m-q4_k_m"
GENERATOR_FILE = f"{GENERATOR_NAME}.gguf"
GENERATOR_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
EMBEDDER_NAME = "embeddinggemma-300m"
EMBEDDER_WEIGHTS = "model.safetensors"
EMBEDDER_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"

FETCH_HINT = "run `assistant models fetch`"
_USER_HINTS: dict[Role, str] = {
    "generator": "check --model/ASSISTANT_GENERATOR",
    "embedder": "check --embedder/ASSISTANT_EMBEDDER",
    "adapter": "check ASSISTANT_READER_ADAPTER, or set ASSISTANT_READER=false",
}


@dataclass(frozen=True)
class ModelInfo:
    """Where one model is and whether it checks out."""

    role: Role
    name: str
    path: Path
    source: Source
    present: bool
    verified: bool | None
    """True/False once hashed against ``expected_sha256``; None when there is nothing to check."""
    detail: str
    expected_sha256: str | None

    @property
    def ok(self) -> bool:
        """Whether the model can be used: present, and not known to be corrupt."""
        return self.present and self.verified is not False

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields, path as a string."""
        data = asdict(self)
        data["path"] = str(self.path)
        return data


# ----------------------------------------------------------------- names and paths


def default_generator_name() -> str:
    """Display name of the default generator."""
    return GENERATOR_NAME


def default_embedder_name() -> str:
    """Display name of the default embedder."""
    return EMBEDDER_NAME


def default_generator_path(models_dir: Path) -> Path:
    """Where the default GGUF lives inside ``models_dir``."""
    return Path(models_dir).expanduser() / GENERATOR_FILE


def default_embedder_path(models_dir: Path) -> Path:
    """Where the default sentence-transformers folder lives inside ``models_dir``."""
    return Path(models_dir).expanduser() / EMBEDDER_NAME


def default_sha256(role: Role) -> str:
    """The sha256 of the file that identifies the default ``role`` model (the GGUF, or the embedder's weights)."""
    return GENERATOR_SHA256 if role == "generator" else EMBEDDER_SHA256


# ----------------------------------------------------------------- hashing and stamps


def sha256_file(path: Path) -> str:
    """A file's sha256, hashed in full."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(4 * 2**20):
            digest.update(block)
    return digest.hexdigest()


def stamp_path(path: Path) -> Path:
    """Where the verification stamp of ``path`` lives: beside it, hidden."""
    return path.with_name(f".{path.name}.verified.json")


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_stamp(path: Path, sha256: str) -> None:
    """Record a file's sha256 with the size and mtime it had when hashed."""
    st = path.stat()
    data = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    with contextlib.suppress(OSError):  # a read-only models dir only costs a re-hash next time
        _write_json_atomic(stamp_path(path), data)


def _stamped_sha256(path: Path) -> str | None:
    """The sha256 a stamp records, if the stamp still matches the file's size and mtime."""
    try:
        stamp = json.loads(stamp_path(path).read_text(encoding="utf-8"))
        st = path.stat()
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("size") != st.st_size or stamp.get("mtime_ns") != st.st_mtime_ns:
        return None
    sha = stamp.get("sha256")
    return sha if isinstance(sha, str) else None


def _file_sha256(path: Path) -> str:
    """A file's sha256: from its stamp when still valid, else hashed and stamped."""
    sha = _stamped_sha256(path)
    if sha is None:
        sha = sha256_file(path)
        write_stamp(path, sha)
    return sha


# ----------------------------------------------------------------- status


def _checked_file(role: Role, path: Path) -> Path:
    """The file whose sha256 identifies a default model."""
    return path if role == "generator" else path / EMBEDDER_WEIGHTS


def default_info(role: Role, models_dir: Path) -> ModelInfo:
    """Where the default ``role`` model is in ``models_dir`` and whether it checks out (hashed only when its stamp is stale)."""
    if role == "generator":
        name, path = GENERATOR_NAME, default_generator_path(models_dir)
    else:
        name, path = EMBEDDER_NAME, default_embedder_path(models_dir)
    expected = default_sha256(role)
    checked = _checked_file(role, path)
    if not checked.is_file():
        detail = f"incomplete: no {checked.name}" if path.exists() else "not fetched"
        return ModelInfo(role, name, path, "default", False, None, detail, expected)
    actual = _file_sha256(checked)
    if actual != expected:
        detail = f"sha256 mismatch in {checked.name}: got {actual[:12]}…, expected {expected[:12]}…"
        return ModelInfo(role, name, path, "default", True, False, detail, expected)
    return ModelInfo(role, name, path, "default", True, True, "sha256 verified", expected)


def _is_gguf(path: Path) -> bool:
    """Whether a file starts with the GGUF magic (a cheap check; llama.cpp checks the rest on load)."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"GGUF"
    except OSError:
        return False


def _user_problem(role: Role, path: Path) -> str | None:
    """Why a user-supplied model path cannot be used, or None if it looks usable."""
    if not path.exists():
        return "does not exist"
    if role == "generator" and not path.is_file():
        return "is not a file (expected a .gguf file)"
    if role == "generator" and not _is_gguf(path):
        return "is not a GGUF model file (it does not start with the GGUF signature)"
    if role == "embedder":
        if not path.is_dir():
            return "is not a folder (expected a sentence-transformers folder)"
        if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
            return "has no modules.json or config.json (not a sentence-transformers folder)"
    return None


def _user_info(role: Role, path: Path) -> ModelInfo:
    problem = _user_problem(role, path)
    detail = f"user-supplied; {problem}" if problem else "user-supplied; not checksummed"
    return ModelInfo(role, path.name, path, "user", problem is None, None, detail, None)


def _user_path(settings: Settings, role: Role) -> Path | None:
    given = settings.generator if role == "generator" else settings.embedder
    return Path(given).expanduser() if given is not None else None


def _info(settings: Settings, role: Role) -> ModelInfo:
    user = _user_path(settings, role)
    return _user_info(role, user) if user is not None else default_info(role, settings.models_dir)


def model_status(settings: Settings) -> list[ModelInfo]:
    """The generator and embedder the settings select, with presence and checksum state.

    Cheap once verified: a file is hashed only when its stamp is missing or stale.
    """
    infos = [_info(settings, "generator"), _info(settings, "embedder")]
    adapter = adapter_info(settings)
    return infos if adapter is None else [*infos, adapter]


# ----------------------------------------------------------------- resolving


def _resolve(settings: Settings, role: Role) -> Path:
    info = _info(settings, role)
    if info.source == "user":
        if not info.present:
            raise ModelMissing(f"{role} {info.path} {info.detail.removeprefix('user-supplied; ')}", _USER_HINTS[role])
        return info.path
    if not info.present:
        raise ModelMissing(f"default {role} {info.name} is not in {info.path.parent}", FETCH_HINT)
    if info.verified is False:
        raise ModelChecksumMismatch(f"default {role} {info.name}: {info.detail}", FETCH_HINT)
    return info.path


def resolve_generator(settings: Settings) -> Path:
    """The GGUF file to generate with; raises ModelMissing or ModelChecksumMismatch."""
    return _resolve(settings, "generator")


READER_ADAPTER = Path(__file__).resolve().parent / "adapters" / "reader-gemma3-270m-lora.gguf"
"""The fine-tuned reader's LoRA adapter for the default generator, shipped with the package."""


def resolve_reader_adapter(settings: Settings) -> Path | None:
    """The LoRA adapter to load on the generator: the reader's, when the reader is on and the
    generator is the default one it was trained for (a user's GGUF keeps its own path); else None."""
    if not settings.reader or _user_path(settings, "generator") is not None:
        return None
    return Path(settings.reader_adapter).expanduser() if settings.reader_adapter is not None else READER_ADAPTER


def adapter_info(settings: Settings) -> ModelInfo | None:
    """The reader's adapter in use (None: the reader is off or a user's generator is used), checked
    against the sha256 in its training record (``<adapter>.json``) when that record is beside it."""
    path = resolve_reader_adapter(settings)
    if path is None:
        return None
    source: Source = "default" if path == READER_ADAPTER else "user"
    if not path.is_file():
        return ModelInfo("adapter", path.stem, path, source, False, None, "missing", None)
    try:
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("gguf_sha256")
    except (OSError, ValueError):
        expected = None
    if expected is None:
        return ModelInfo("adapter", path.stem, path, source, True, None, "no training record beside it; not checksummed", None)
    ok = sha256_file(path) == expected
    return ModelInfo("adapter", path.stem, path, source, True, ok, "sha256 verified" if ok else "sha256 differs from its training record", expected)


def resolve_embedder(settings: Settings) -> Path:
    """The sentence-transformers folder to embed with; raises ModelMissing or ModelChecksumMismatch."""
    return _resolve(settings, "embedder")
