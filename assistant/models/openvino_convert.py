"""The one-time conversion of the sentence-transformers embedder folder to OpenVINO IR, cached.

The whole sentence-transformers pipeline (transformer, mean pooling, the two
Dense layers) is exported with ``torch.export`` and converted to OpenVINO IR,
kept in ``<models_dir>/openvino/<name>-<fingerprint>/`` with the tokenizer,
the quick tokenizer's record (:mod:`assistant.models.openvino_tokenizer`),
the prompts, the linear head for span vectors (when the pipeline has one)
and a ``meta.json``; a folder that is complete is reused as is. Conversions
take a lock, so two processes never convert at once, and are written aside
then moved into place, so an interrupted one never looks complete. :mod:`assistant.models.openvino` runs
the result.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.errors import ModelMissing
from assistant.locks import file_lock
from assistant.models.openvino_tokenizer import QUICK_TOKENIZER, record_quick_tokenizer

__all__ = ["CONVERSION_FORMAT", "build_once", "converted_dir", "ensure_converted"]

CONVERSION_FORMAT = 2
"""Bump when the conversion changes what the IR computes; older caches are then rebuilt.
2: the IR also returns the token states, and a linear head (``head.npz``) is kept for span vectors."""

_FILES = ("model.xml", "model.bin", "tokenizer.json", "meta.json")


def converted_dir(models_dir: Path, embedder_path: Path, fingerprint: str) -> Path:
    """Where the OpenVINO conversion of the embedder folder with this fingerprint is cached."""
    return Path(models_dir).expanduser() / "openvino" / f"{embedder_path.name}-{fingerprint}"


def _is_complete(folder: Path, fingerprint: str) -> bool:
    if not all((folder / name).is_file() for name in _FILES):
        return False
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("format") == CONVERSION_FORMAT and meta.get("fingerprint") == fingerprint


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """An exclusive lock beside ``folder``, so two processes never convert at once."""
    with file_lock(folder.parent / f".{folder.name}.lock"):
        yield


def ensure_converted(
    embedder_path: Path, models_dir: Path, fingerprint: str, *, say: Callable[[str], None] | None = None
) -> Path:
    """The cached OpenVINO conversion of ``embedder_path``, converting it first if needed (idempotent).

    ``say`` receives one line before a conversion starts (default: stderr).
    Raises ModelMissing when the folder cannot be converted.
    """
    folder = converted_dir(models_dir, embedder_path, fingerprint)
    if _is_complete(folder, fingerprint):
        if not (folder / QUICK_TOKENIZER).is_file() and os.access(folder, os.W_OK):
            with contextlib.suppress(OSError), _lock(folder):  # a conversion made before the record existed
                if not (folder / QUICK_TOKENIZER).is_file():
                    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
                    record_quick_tokenizer(folder, embedder_path, int(meta["max_seq_length"]))
        return folder
    return build_once(
        folder,
        lambda: _is_complete(folder, fingerprint),
        lambda work: _convert(embedder_path, work, fingerprint),
        line=f"converting the embedder {embedder_path.name} for OpenVINO (once; a minute or two)…",
        say=say,
        what="the OpenVINO conversion",
    )


def build_once(
    folder: Path,
    complete: Callable[[], bool],
    build: Callable[[Path], None],
    *,
    line: str,
    say: Callable[[str], None] | None,
    what: str,
) -> Path:
    """``folder``, made by ``build`` (into an empty folder) unless ``complete()`` says it is there.

    Under a lock beside ``folder``, so two processes never build at once; written aside and moved
    into place, so an interrupted build never looks complete (its leftovers are removed by the
    next). ``say`` (default: stderr) receives ``line`` before a build starts. Raises ModelMissing
    when the folder cannot be written.
    """
    if complete():
        return folder
    try:
        with _lock(folder):
            if complete():  # another process finished it while we waited
                return folder
            for stale in folder.parent.glob(f".partial-{folder.name}-*"):  # left by a killed build (we hold the lock)
                shutil.rmtree(stale, ignore_errors=True)
            (say or _stderr)(line)
            work = Path(tempfile.mkdtemp(prefix=f".partial-{folder.name}-", dir=folder.parent))
            try:
                build(work)
                work.chmod(0o755)
                if folder.exists():
                    shutil.rmtree(folder)
                os.replace(work, folder)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:
        raise ModelMissing(
            f"cannot write {what} to {folder.parent}: {exc.strerror or exc}",
            hint="check free space and permissions there, or set embed_backend = \"torch\"",
        ) from None
    return folder


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _convert(embedder_path: Path, out: Path, fingerprint: str) -> None:
    """Export the sentence-transformers pipeline with torch.export and save it as OpenVINO IR in ``out``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import openvino as ov
    import torch
    from sentence_transformers import SentenceTransformer

    from assistant.models.resources import quiet_loading

    started = time.perf_counter()
    with quiet_loading():
        st = SentenceTransformer(str(embedder_path), device="cpu", local_files_only=True)
    tokenizer_file = embedder_path / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ModelMissing(
            f"cannot convert {embedder_path} for OpenVINO: it has no tokenizer.json",
            hint='set embed_backend = "torch" (ASSISTANT_EMBED_BACKEND=torch)',
        )

    class Pipeline(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            out = self.model({"input_ids": input_ids, "attention_mask": attention_mask})
            return out["sentence_embedding"], out["token_embeddings"]

    example = st.tokenizer(["title: none | text: مثال", "task: search result | query: سؤال أطول قليلا"],
                           padding=True, return_tensors="pt")
    batch = torch.export.Dim("batch", max=4096)
    seq = torch.export.Dim("seq", min=2, max=max(int(st.max_seq_length or 2048), 8))
    try:
        with torch.no_grad():
            program = torch.export.export(
                Pipeline(st).eval(),
                (example["input_ids"], example["attention_mask"]),
                dynamic_shapes=({0: batch, 1: seq}, {0: batch, 1: seq}),
            )
            model = ov.convert_model(program)
    except Exception as exc:  # noqa: BLE001 - export/convert raise many unrelated types; all mean "cannot convert"
        raise ModelMissing(
            f"cannot convert {embedder_path.name} for OpenVINO: {str(exc).splitlines()[0][:160]}",
            hint='set embed_backend = "torch" (ASSISTANT_EMBED_BACKEND=torch)',
        ) from None
    ov.save_model(model, out / "model.xml", compress_to_fp16=False)
    shutil.copyfile(tokenizer_file, out / "tokenizer.json")
    head = _linear_head(st)
    if head is not None:
        import numpy as np

        np.savez(out / "head.npz", weight=head[0], bias=head[1])
    meta = {
        "format": CONVERSION_FORMAT,
        "fingerprint": fingerprint,
        "source": str(embedder_path),
        "prompts": dict(getattr(st, "prompts", {}) or {}),
        "max_seq_length": int(st.max_seq_length or 2048),
        "pad_token_id": int(st.tokenizer.pad_token_id or 0),
        "dim": int((getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension)() or 0),
        "openvino": ov.__version__,
        "torch": torch.__version__,
        "seconds": round(time.perf_counter() - started, 1),
        "span_vectors": head is not None,
    }
    record_quick_tokenizer(out, embedder_path, meta["max_seq_length"])
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def _linear_head(st: Any) -> tuple[Any, Any] | None:
    """(weight, bias) such that ``normalize(mean_pool(tokens) @ weight + bias)`` is the sentence embedding,
    when the pipeline after the transformer is mean pooling (prompt included) then identity-activation Dense
    layers and a Normalize; None for any other pipeline (no span vectors then).
    """
    import numpy as np
    import torch

    def kind(module: Any) -> str:  # class names, not imports: sentence-transformers moves these modules between versions
        return type(module).__name__

    modules = list(st)
    if len(modules) < 2 or kind(modules[1]) != "Pooling":
        return None
    config = modules[1].get_config_dict()
    if "pooling_mode" in config:  # sentence-transformers >= 5.2
        modes = config["pooling_mode"] if isinstance(config["pooling_mode"], list) else [config["pooling_mode"]]
        mean = modes == ["mean"]
        dim = int(config.get("embedding_dimension") or 0)
    else:
        mean = [k for k, v in config.items() if k.startswith("pooling_mode_") and v] == ["pooling_mode_mean_tokens"]
        dim = int(config.get("word_embedding_dimension") or 0)
    if not mean or not dim or not config.get("include_prompt", True):
        return None
    weight, bias = np.eye(dim, dtype=np.float64), np.zeros(dim, dtype=np.float64)
    for module in modules[2:]:
        if kind(module) == "Normalize":
            continue
        if kind(module) != "Dense" or not isinstance(getattr(module, "activation_function", None), torch.nn.Identity):
            return None
        w = module.linear.weight.detach().double().numpy()  # (out, in)
        b = module.linear.bias.detach().double().numpy() if module.linear.bias is not None else 0.0
        weight, bias = weight @ w.T, bias @ w.T + b
    return weight.astype(np.float32), np.asarray(bias, dtype=np.float32)
