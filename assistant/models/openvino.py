"""The embedder run by OpenVINO: a one-time conversion of the sentence-transformers folder, cached.

The whole sentence-transformers pipeline (transformer, mean pooling, the two
Dense layers) is exported with ``torch.export`` and converted to OpenVINO IR,
kept in ``<models_dir>/openvino/<name>-<fingerprint>/`` with the tokenizer,
the prompts and a ``meta.json``; a folder that is complete is reused as is.
OpenVINO fuses the normalisation, rotary and attention steps, and with
``precision="bf16"`` runs the matrix products in bfloat16 on CPUs that have it
(AVX512_BF16 or AMX; elsewhere OpenVINO computes in f32). Loading needs
neither torch nor the 1.2 GB of torch weights once converted.

The encoder mimics the few ``SentenceTransformer`` members that
:class:`assistant.models.embed.Embedder` uses (``encode``, ``prompts``,
``get_sentence_embedding_dimension``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import ModelMissing
from assistant.locks import file_lock

if TYPE_CHECKING:
    import numpy as np

__all__ = ["CONVERSION_FORMAT", "QUICK_TOKENIZER", "OpenVINOEncoder", "QuickTokenizer", "converted_dir", "ensure_converted", "load_openvino", "record_quick_tokenizer"]

Precision = Literal["bf16", "f32"]

CONVERSION_FORMAT = 2
"""Bump when the conversion changes what the IR computes; older caches are then rebuilt.
2: the IR also returns the token states, and a linear head (``head.npz``) is kept for span vectors."""

MAX_PAD_TOKENS = 128
"""Most padding one text gets in a batch. EmbeddingGemma's sliding-window layers leave a pad
position far from every real token with nothing to attend to; OpenVINO then makes NaN there,
which leaks into the real tokens. Batches are cut so that never happens."""

_FILES = ("model.xml", "model.bin", "tokenizer.json", "meta.json")

QUICK_TOKENIZER = "sentencepiece.json"
"""Beside ``tokenizer.model`` in a conversion: the record that the SentencePiece model gives exactly
tokenizer.json's ids (special tokens and truncation included) on PROBE_TEXTS. Queries are then
tokenized with it: it loads in about 0.2 s, where tokenizer.json takes 2.5-3 s (Gemma's 262k
vocabulary and merges as JSON), which was most of a cold `ask`'s embedder load."""

PROBE_TEXTS = (
    "task: search result | query: ماذا قال بيسكوف في أيار 2021؟",
    "title: none | text: أعلنت وزارة الزراعة اليوم أن إنتاج القمح بلغ 3.2 مليون طن هذا الموسم.",
    "Who met the foreign minister in May 2021? Peskov said: “no plans”.",
    "الإرهـ.ـاب  كـ ـورونا\n\nسطر\tجديد  ١٢٣ ٤٥٦ ﻻ ﷲ 😀 \u200f<b>x</b> <start_of_turn>",
    "",
    "كلمة عربية وword " * 1200,  # past any max_seq_length: truncation must agree too
)


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
    try:
        with _lock(folder):
            if _is_complete(folder, fingerprint):  # another process finished it while we waited
                return folder
            for stale in folder.parent.glob(f".partial-{folder.name}-*"):  # left by a killed conversion (we hold the lock)
                shutil.rmtree(stale, ignore_errors=True)
            (say or _stderr)(f"converting the embedder {embedder_path.name} for OpenVINO (once; a minute or two)…")
            work = Path(tempfile.mkdtemp(prefix=f".partial-{folder.name}-", dir=folder.parent))
            try:
                _convert(embedder_path, work, fingerprint)
                work.chmod(0o755)
                if folder.exists():
                    shutil.rmtree(folder)
                os.replace(work, folder)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:
        raise ModelMissing(
            f"cannot write the OpenVINO conversion to {folder.parent}: {exc.strerror or exc}",
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


def _keep_newest_blob(cache: Path, before: set[Path]) -> None:
    """After a compilation that wrote a new cache blob (another OpenVINO version, thread count or
    precision), delete the older ones: each is as large as the model."""
    if not cache.is_dir():
        return
    new = set(cache.glob("*.blob")) - before
    if new:
        for old in before:
            old.unlink(missing_ok=True)


def _hf_tokenizer(path: Path, max_length: int) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _probe_digest(ids: list[list[int]]) -> str:
    return hashlib.sha256(json.dumps(ids).encode()).hexdigest()


@dataclass(frozen=True)
class QuickTokenizer:
    """The SentencePiece model standing in for tokenizer.json: its ids, wrapped in the same special
    tokens and cut to the same length."""

    processor: Any
    prefix: tuple[int, ...]
    suffix: tuple[int, ...]
    max_length: int

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        room = max(0, self.max_length - len(self.prefix) - len(self.suffix))
        return [[*self.prefix, *ids[:room], *self.suffix] for ids in self.processor.encode(list(texts))]

    @classmethod
    def load(cls, folder: Path) -> QuickTokenizer | None:
        """The recorded stand-in, checked again on the probe texts; None when there is none or it disagrees."""
        try:
            record = json.loads((folder / QUICK_TOKENIZER).read_text(encoding="utf-8"))
            if not record.get("agrees"):
                return None
            import sentencepiece

            quick = cls(
                sentencepiece.SentencePieceProcessor(model_file=str(folder / "tokenizer.model")),
                tuple(record["prefix"]), tuple(record["suffix"]), int(record["max_length"]),
            )
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, ImportError):
            return None
        return quick if _probe_digest(quick.encode(PROBE_TEXTS)) == record.get("probe_sha256") else None


def record_quick_tokenizer(folder: Path, embedder_path: Path, max_length: int) -> bool:
    """Copy the embedder's tokenizer.model into ``folder`` and write QUICK_TOKENIZER: whether it gives
    tokenizer.json's ids on every probe text (then with the special tokens around them). Once per
    conversion; True when queries can use it."""
    record: dict[str, Any] = {"agrees": False}
    try:
        import sentencepiece

        source = embedder_path / "tokenizer.model"
        if source.is_file():
            shutil.copyfile(source, folder / "tokenizer.model")
            processor = sentencepiece.SentencePieceProcessor(model_file=str(folder / "tokenizer.model"))
            full = [enc.ids for enc in _hf_tokenizer(folder / "tokenizer.json", max_length).encode_batch(list(PROBE_TEXTS))]
            bare = processor.encode(list(PROBE_TEXTS))
            empty = full[PROBE_TEXTS.index("")]  # only the special tokens; which are prefix and which suffix:
            cut = next((n for n in range(len(empty) + 1) if full[0][:n] == empty[:n] and full[0][n:n + len(bare[0])] == bare[0]), None)
            if cut is not None:
                quick = QuickTokenizer(processor, tuple(empty[:cut]), tuple(empty[cut:]), max_length)
                if quick.encode(PROBE_TEXTS) == full:
                    record = {"agrees": True, "prefix": empty[:cut], "suffix": empty[cut:],
                              "max_length": max_length, "probe_sha256": _probe_digest(full)}
    except (OSError, ValueError, RuntimeError, ImportError) as exc:
        record["why"] = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    tmp = folder / f".{QUICK_TOKENIZER}.tmp"
    tmp.write_text(json.dumps(record) + "\n", encoding="utf-8")
    os.replace(tmp, folder / QUICK_TOKENIZER)
    return bool(record["agrees"])


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
            "INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
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
        self.precision = str(self._compiled.get_property("INFERENCE_PRECISION_HINT"))
        self._head: tuple[np.ndarray, np.ndarray] | None = None
        if meta.get("span_vectors") and (folder / "head.npz").is_file():
            import numpy as np

            with np.load(folder / "head.npz") as head:
                self._head = (np.asarray(head["weight"], dtype=np.float32), np.asarray(head["bias"], dtype=np.float32))

    @property
    def tokenizer(self) -> Any:
        """tokenizer.json's tokenizer (character offsets, for span vectors), loaded on first use."""
        if self._tokenizer is None:
            self._tokenizer = _hf_tokenizer(self._folder / "tokenizer.json", self.max_seq_length)
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
    try:
        return OpenVINOEncoder(folder, precision=precision, threads=threads)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise ModelMissing(
            f"cannot load the OpenVINO embedder in {folder}: {str(exc).splitlines()[0][:160]}",
            hint=f"delete {folder} to convert it again, or set embed_backend = \"torch\"",
        ) from None
