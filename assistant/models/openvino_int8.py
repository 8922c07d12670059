"""The int8 embedder (``embed_precision = "int8"``): the OpenVINO conversion quantized once, cached.

NNCF's post-training quantization (transformer mode, SmoothQuant) turns the
conversion's matrix products into int8, its ranges set on the shipped
calibration texts (``calibration/int8-arcd-train.jsonl``, made by
``training/int8_calibration.py`` from ARCD *train*), so every machine makes
the same model. The result is kept beside the conversion in
``<models_dir>/openvino/<name>-<fingerprint>-int8/`` and rebuilt when the
conversion or the calibration file changes.

Int8 is fast where the CPU has VNNI (AVX512_VNNI, AVX-VNNI or AMX): measured
1.4-1.5x the bf16 embedder there on the indexing pipeline, ARCD nDCG@10 0.873
against bf16's 0.872 (README). Without VNNI it is slower than f32 (0.9x), so it
is opt-in, and :func:`has_vnni` lets the CLI suggest it only where it helps.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import ModelMissing
from assistant.models.openvino_convert import build_once

__all__ = ["CALIBRATION", "INT8_FORMAT", "calibration_texts", "ensure_int8", "has_vnni", "int8_dir"]

CALIBRATION = Path(__file__).parent / "calibration" / "int8-arcd-train.jsonl"

INT8_FORMAT = 1
"""Bump when the quantization changes what the int8 model computes; older ones are then rebuilt."""

_KEEP_OUT = {"model.xml", "model.bin", "meta.json", "compiled"}


def int8_dir(converted: Path) -> Path:
    """Where the int8 model of the conversion in ``converted`` is cached."""
    return converted.parent / f"{converted.name}-int8"


def has_vnni(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool | None:
    """Whether this CPU has int8 dot-product instructions (None when it cannot be told)."""
    try:
        flags = set(cpuinfo.read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return None
    return bool(flags & {"avx512_vnni", "avx_vnni", "amx_int8"})


def _calibration_sha256() -> str:
    return hashlib.sha256(CALIBRATION.read_bytes()).hexdigest()


def calibration_texts(prompts: dict[str, str]) -> list[str]:
    """The calibration texts as the embedder sees them: passages under the document prompt with
    their title, questions under the query prompt."""
    from assistant.models.embed import document_prompt

    texts = []
    for line in CALIBRATION.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] == "query":
            texts.append(prompts.get("query", "") + row["text"])
        else:
            texts.append(document_prompt(prompts, row.get("title", "")) + row["text"])
    return texts


def _is_complete(folder: Path, source_meta: dict[str, Any], calibration: str) -> bool:
    if not ((folder / "model.xml").is_file() and (folder / "model.bin").is_file()):
        return False
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    int8 = meta.get("int8") or {}
    return (
        meta.get("fingerprint") == source_meta.get("fingerprint")
        and meta.get("format") == source_meta.get("format")
        and int8.get("format") == INT8_FORMAT
        and int8.get("calibration_sha256") == calibration
    )


def ensure_int8(converted: Path, *, say: Callable[[str], None] | None = None) -> Path:
    """The cached int8 model of the OpenVINO conversion in ``converted``, quantizing it first if needed."""
    source_meta = json.loads((converted / "meta.json").read_text(encoding="utf-8"))
    calibration = _calibration_sha256()
    folder = int8_dir(converted)
    if _is_complete(folder, source_meta, calibration):
        return folder
    os.environ.setdefault("NNCF_CI", "1")  # makes nncf's telemetry a stub: the assistant sends nothing anywhere
    try:
        import nncf  # noqa: F401
    except ImportError:
        raise ModelMissing(
            "embed_precision int8 needs the nncf package to quantize the embedder",
            hint='reinstall the assistant (`make setup`), or set embed_precision = "bf16"',
        ) from None
    return build_once(
        folder,
        lambda: _is_complete(folder, source_meta, calibration),
        lambda work: _quantize(converted, work, source_meta, calibration),
        line="quantizing the embedder to int8 (once; about two minutes)…",
        say=say,
        what="the int8 embedder",
    )


def _quantize(converted: Path, out: Path, source_meta: dict[str, Any], calibration: str) -> None:
    """Quantize ``converted``'s model.xml with NNCF on the calibration texts into ``out``."""
    import logging

    import nncf
    import numpy as np
    import openvino as ov

    from assistant.models.openvino_tokenizer import hf_tokenizer

    started = time.perf_counter()
    for item in converted.iterdir():
        if item.is_file() and item.name not in _KEEP_OUT:
            shutil.copyfile(item, out / item.name)
    tokenizer = hf_tokenizer(converted / "tokenizer.json", int(source_meta["max_seq_length"]))
    ids = [enc.ids for enc in tokenizer.encode_batch(calibration_texts(source_meta.get("prompts", {})))]
    feeds = [
        {"input_ids": np.array([seq], dtype=np.int64), "attention_mask": np.ones((1, len(seq)), dtype=np.int64)}
        for seq in ids
    ]
    nncf.set_log_level(logging.ERROR)
    chatter = io.StringIO()  # nncf draws progress bars on stdout, which belongs to --json
    with contextlib.redirect_stdout(chatter):
        model = nncf.quantize(
            ov.Core().read_model(str(converted / "model.xml")),
            nncf.Dataset(feeds),
            model_type=nncf.ModelType.TRANSFORMER,
            subset_size=len(feeds),
        )
    ov.save_model(model, str(out / "model.xml"))
    meta = {
        **source_meta,
        "int8": {
            "format": INT8_FORMAT,
            "calibration": CALIBRATION.name,
            "calibration_sha256": calibration,
            "calibration_texts": len(feeds),
            "nncf": nncf.__version__,
            "seconds": round(time.perf_counter() - started, 1),
        },
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
