"""The embedder run by OpenVINO: the compiled conversion, its tokenizer, and ``encode``.

:func:`load_openvino` converts the sentence-transformers folder once
(:mod:`assistant.models.openvino_convert`) and compiles the result for this
CPU. OpenVINO fuses the normalisation, rotary and attention steps, and with
``precision="bf16"`` runs the matrix products in bfloat16 on CPUs that have it
(AVX512_BF16 or AMX; elsewhere OpenVINO computes in f32); ``"int8"`` runs the
model quantized once by :mod:`assistant.models.openvino_int8`. Loading needs
neither torch nor the 1.2 GB of torch weights once converted.

The encoder mimics the few ``SentenceTransformer`` members that
:class:`assistant.models.embed.Embedder` uses (``encode``, ``prompts``,
``get_sentence_embedding_dimension``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import ModelMissing
from assistant.models.openvino_convert import ensure_converted
from assistant.models.openvino_tokenizer import QuickTokenizer, hf_tokenizer

if TYPE_CHECKING:
    import numpy as np

__all__ = ["OpenVINOEncoder", "load_openvino"]

Precision = Literal["bf16", "f32", "int8"]

MAX_PAD_TOKENS = 128
"""Most padding one text gets in a batch. EmbeddingGemma's sliding-window layers leave a pad
position far from every real token with nothing to attend to; OpenVINO then makes NaN there,
which leaks into the real tokens. Batches are cut so that never happens."""


def _keep_newest_blob(cache: Path, before: set[Path]) -> None:
    """After a compilation that wrote a new cache blob (another OpenVINO version, thread count or
    precision), delete the older ones: each is as large as the model."""
    if not cache.is_dir():
        return
    new = set(cache.glob("*.blob")) - before
    if new:
        for old in before:
            old.unlink(missing_ok=True)


class OpenVINOEncoder:
    """A compiled OpenVINO embedder with the ``SentenceTransformer`` members the Embedder needs."""

    def __init__(self, folder: Path, *, precision: Precision, threads: int) -> None:
        import openvino as ov

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self._folder = folder
        self._tokenizer: Any = None
        self.prompts: dict[str, str] = meta.get("prompts", {})
        self.max_seq_length = int(meta["max_seq_length"])
        self._dim = int(meta.get("dim") or 0)
        self._pad_id = int(meta.get("pad_token_id", 0))
        core = ov.Core()
        config: dict[str, Any] = {
            # int8: the quantized matrix products in int8, the other operations in bf16 where the CPU has it
            "INFERENCE_PRECISION_HINT": "f32" if precision == "f32" else "bf16",
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_NUM_THREADS": max(1, threads),
        }
        cache = folder / "compiled"
        before = set(cache.glob("*.blob")) if cache.is_dir() else set()
        if os.access(folder, os.W_OK):  # compiled-model cache: a later load takes about a third of the time
            config["CACHE_DIR"] = str(cache)
        # Compiled from the path, not from a read model: with a cache hit OpenVINO then never holds
        # the IR weights and the compiled blob in memory at once. The compilation runs beside the
        # tokenizer's load, which holds the GIL while OpenVINO does not: the SentencePiece one when
        # it is known to agree (QUICK_TOKENIZER), else tokenizer.json.
        compiled: dict[str, Any] = {}

        def compile_model() -> None:
            try:
                compiled["model"] = core.compile_model(str(folder / "model.xml"), "CPU", config)
            except (RuntimeError, OSError, ValueError) as exc:
                compiled["error"] = exc

        worker = threading.Thread(target=compile_model, name="openvino-compile", daemon=True)
        worker.start()
        try:
            self._quick = QuickTokenizer.load(folder)
            if self._quick is None:
                self.tokenizer  # noqa: B018 - loads it
        finally:
            worker.join()
        if "error" in compiled:
            raise compiled["error"]
        self._compiled = compiled["model"]
        _keep_newest_blob(cache, before)
        hint = str(self._compiled.get_property("INFERENCE_PRECISION_HINT"))
        self.precision = "int8" if precision == "int8" else hint
        self._head: tuple[np.ndarray, np.ndarray] | None = None
        if meta.get("span_vectors") and (folder / "head.npz").is_file():
            import numpy as np

            with np.load(folder / "head.npz") as head:
                self._head = (np.asarray(head["weight"], dtype=np.float32), np.asarray(head["bias"], dtype=np.float32))

    @property
    def tokenizer(self) -> Any:
        """tokenizer.json's tokenizer (character offsets, for span vectors), loaded on first use."""
        if self._tokenizer is None:
            self._tokenizer = hf_tokenizer(self._folder / "tokenizer.json", self.max_seq_length)
        return self._tokenizer

    def _ids(self, texts: Sequence[str]) -> list[list[int]]:
        if self._quick is not None:
            return self._quick.encode(texts)
        return [enc.ids for enc in self.tokenizer.encode_batch(list(texts))]

    def get_sentence_embedding_dimension(self) -> int:
        """Length of the output vectors."""
        return self._dim

    def _run(self, ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Sentence embeddings (batch, dim) and token states (batch, width, hidden) for one padded batch."""
        import numpy as np

        width = max(len(x) for x in ids)
        input_ids = np.full((len(ids), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, seq in enumerate(ids):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        result = self._compiled({"input_ids": input_ids, "attention_mask": mask})
        states = result[1] if len(result) > 1 else np.zeros((len(ids), width, 0), dtype=np.float32)
        return np.asarray(result[0], dtype=np.float32), np.asarray(states, dtype=np.float32)

    def _batches(self, ids: list[list[int]], batch_size: int) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """(text indices, their embeddings, their token states) in batches of similar token length,
        at most ``MAX_PAD_TOKENS`` padding each; a row that came out non-finite is run again alone."""
        import numpy as np

        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        lo = 0
        while lo < len(order):
            hi = lo + 1
            while hi < len(order) and hi - lo < batch_size and len(ids[order[hi]]) - len(ids[order[lo]]) <= MAX_PAD_TOKENS:
                hi += 1
            idx = order[lo:hi]
            vecs, states = self._run([ids[i] for i in idx])
            bad = ~np.isfinite(vecs).all(axis=1)
            for j in np.flatnonzero(bad):  # never seen with the padding limit; alone, a text has no padding
                one_vec, one_states = self._run([ids[idx[j]]])
                vecs[j] = one_vec[0]
                states[j] = 0.0
                states[j, : one_states.shape[1]] = one_states[0]
            yield idx, vecs, states
            lo = hi

    def encode(
        self,
        sentences: Sequence[str],
        *,
        batch_size: int = 32,
        normalize_embeddings: bool = True,
        **_: Any,
    ) -> np.ndarray:
        """Vectors for ``sentences`` in order."""
        import numpy as np

        ids = self._ids(sentences)
        out = np.zeros((len(ids), self._dim or 1), dtype=np.float32)
        for idx, vecs, _ in self._batches(ids, batch_size):
            if out.shape[1] != vecs.shape[1]:
                out = np.zeros((len(ids), vecs.shape[1]), dtype=np.float32)
                self._dim = vecs.shape[1]
            out[idx] = vecs
        if normalize_embeddings and len(out):
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    @property
    def pools_spans(self) -> bool:
        """Whether ``encode_with_spans`` can make span vectors (the conversion kept a linear head)."""
        return self._head is not None

    def encode_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *, batch_size: int = 16
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unit vectors of ``texts`` and, from the same pass, of each text's character ``spans``
        (token states over the span mean-pooled, then the head: late chunking).

        A span that covers no token (cut off by truncation) gets its text's vector.
        """
        import numpy as np

        if self._head is None:
            raise ValueError("this conversion has no span head")
        weight, bias = self._head
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = [enc.ids for enc in encodings]
        out = np.zeros((len(ids), self._dim or weight.shape[1]), dtype=np.float32)
        pooled: list[np.ndarray] = [np.zeros((0, weight.shape[1]), dtype=np.float32)] * len(ids)
        for idx, vecs, states in self._batches(ids, batch_size):
            out[idx] = vecs
            for j, i in enumerate(idx):
                offsets = np.asarray(encodings[i].offsets, dtype=np.int64).reshape(-1, 2)
                real = offsets[:, 1] > offsets[:, 0]
                rows = []
                for a, b in spans[i]:
                    take = real & (offsets[:, 0] < b) & (offsets[:, 1] > a)
                    rows.append(states[j, : len(offsets)][take].mean(axis=0) if take.any() else None)
                mean = np.stack([r if r is not None else np.full(weight.shape[0], np.nan, np.float32) for r in rows]) \
                    if rows else np.zeros((0, weight.shape[0]), dtype=np.float32)
                vec = mean @ weight + bias
                missing = ~np.isfinite(vec).all(axis=1)
                vec[missing] = vecs[j]
                pooled[i] = vec.astype(np.float32)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        for vec in pooled:
            vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return out, pooled


def load_openvino(
    embedder_path: Path, models_dir: Path, fingerprint: str, *, precision: Precision, threads: int
) -> OpenVINOEncoder:
    """Convert once (cached), then compile the embedder for this CPU."""
    try:
        import openvino  # noqa: F401
    except ImportError:
        raise ModelMissing(
            "the OpenVINO embedder backend needs the openvino package",
            hint='reinstall the assistant (`make setup`), or set embed_backend = "torch"',
        ) from None
    folder = ensure_converted(embedder_path, models_dir, fingerprint)
    if precision == "int8":
        from assistant.models.openvino_int8 import ensure_int8

        folder = ensure_int8(folder)
    try:
        return OpenVINOEncoder(folder, precision=precision, threads=threads)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise ModelMissing(
            f"cannot load the OpenVINO embedder in {folder}: {str(exc).splitlines()[0][:160]}",
            hint=f"delete {folder} to convert it again, or set embed_backend = \"torch\"",
        ) from None
