"""Sentence embeddings with sentence-transformers (EmbeddingGemma by default).

Queries and documents use the model's own prompts; for documents the article
title fills EmbeddingGemma's ``title:`` slot. Heavy imports happen on load.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import ModelMissing
from assistant.models.resources import check_memory, quiet_loading
from assistant.types import Advance

if TYPE_CHECKING:
    import numpy as np


def embedder_fingerprint(path: Path) -> str:
    """A short stable id of a sentence-transformers folder (file names, sizes, small configs)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and ".verified" not in p.name):
        rel = file.relative_to(path).as_posix()
        size = file.stat().st_size
        digest.update(f"{rel}\0{size}\0".encode())
        if file.suffix == ".json" and size < 1_000_000:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def document_prompt(prompts: dict[str, str], title: str) -> str:
    """The model's document prompt, with ``title`` in EmbeddingGemma's ``title:`` slot where it has one."""
    template = prompts.get("document", "")
    if "title: none" in template:
        clean = " ".join(title.split())[:200] or "none"
        return template.replace("title: none", f"title: {clean}")
    return template


@dataclass
class Embedder:
    """A loaded sentence-transformers model with query/document encoders."""

    name: str
    path: Path
    fingerprint: str
    model: Any
    """A SentenceTransformer, or an OpenVINOEncoder with the same encode/prompts members."""
    backend: str = "torch"
    precision: str = "f32"

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = getter()
        return int(dim) if dim else int(self.encode_queries(["x"]).shape[1])

    def _document_prompt(self, title: str) -> str:
        return document_prompt(getattr(self.model, "prompts", {}) or {}, title)

    def encode_queries(self, queries: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors for search queries."""
        prompts: dict[str, str] = getattr(self.model, "prompts", {}) or {}
        prompt = prompts.get("query", "")
        return self._encode([prompt + q for q in queries])

    def encode_documents(
        self,
        texts: Sequence[str],
        titles: Sequence[str],
        *,
        batch_size: int = 16,
        progress: Advance | None = None,
    ) -> np.ndarray:
        """Unit-length float32 vectors for passages, batched by length for speed."""
        import numpy as np

        full = [self._document_prompt(t) + x for x, t in zip(texts, titles, strict=True)]
        order = sorted(range(len(full)), key=lambda i: len(full[i]))
        out = np.zeros((len(full), self.dim), dtype=np.float32)
        for lo in range(0, len(order), batch_size):
            idx = order[lo : lo + batch_size]
            out[idx] = self._encode([full[i] for i in idx])
            if progress:
                progress(len(idx))
        return out

    @property
    def pools_spans(self) -> bool:
        """Whether ``encode_documents_with_sentences`` makes sentence vectors in the same pass (late chunking)."""
        return bool(getattr(self.model, "pools_spans", False))

    def encode_documents_with_sentences(
        self,
        texts: Sequence[str],
        titles: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        *,
        batch_size: int = 16,
        progress: Advance | None = None,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors as ``encode_documents`` makes them, plus a vector for each passage's ``spans``
        (character offsets into its text), pooled from the same pass. Needs ``pools_spans``."""
        import numpy as np

        prompts = [self._document_prompt(t) for t in titles]
        full = [p + x for p, x in zip(prompts, texts, strict=True)]
        shifted = [[(a + len(p), b + len(p)) for a, b in s] for p, s in zip(prompts, spans, strict=True)]
        order = sorted(range(len(full)), key=lambda i: len(full[i]))
        out = np.zeros((len(full), self.dim), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, self.dim), dtype=np.float32)] * len(full)
        for lo in range(0, len(order), batch_size):
            idx = order[lo : lo + batch_size]
            vecs, spans_out = self.model.encode_with_spans([full[i] for i in idx], [shifted[i] for i in idx])
            out[idx] = vecs
            for i, v in zip(idx, spans_out, strict=True):
                pooled[i] = v
            if progress:
                progress(len(idx))
        return out, pooled

    def _encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            texts, batch_size=len(texts), convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)  # bf16 norms are off by ~1e-3
        return vecs


def load_embedder(
    path: Path,
    *,
    threads: int,
    backend: Literal["openvino", "torch"] = "openvino",
    precision: Literal["bf16", "f32", "int8"] = "bf16",
    models_dir: Path | None = None,
) -> Embedder:
    """Load a sentence-transformers folder from disk, never from a hub.

    ``backend`` "openvino" runs a conversion cached in ``models_dir`` (made on
    first use); "torch" runs sentence-transformers itself. ``precision`` bf16
    computes in bfloat16, int8 (OpenVINO only) runs a quantized model (see
    Settings.embed_precision).
    """
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelMissing(
            f"no sentence-transformers model in {path}",
            hint="run `assistant models fetch`, or point --embedder/ASSISTANT_EMBEDDER at a model folder",
        )
    check_memory("embedder", path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    fingerprint = embedder_fingerprint(path)
    if backend == "openvino":
        from assistant.config import default_models_dir
        from assistant.models.openvino import load_openvino

        encoder = load_openvino(path, models_dir or default_models_dir(), fingerprint, precision=precision, threads=threads)
        return Embedder(path.name, path, fingerprint, encoder, backend=backend, precision=precision)
    if precision == "int8":
        raise ModelMissing(
            "embed_precision int8 runs only in the OpenVINO backend",
            hint='set embed_backend = "openvino", or embed_precision = "bf16"',
        )
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, threads))
    with quiet_loading():
        try:
            model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelMissing(
                f"cannot load the embedder in {path}: {str(exc).splitlines()[0][:160]}",
                hint="run `assistant models fetch --force`, or point --embedder at a complete model folder",
            ) from None
    if precision == "bf16":
        model = model.to(torch.bfloat16)
    return Embedder(path.name, path, fingerprint, model, backend=backend, precision=precision)

