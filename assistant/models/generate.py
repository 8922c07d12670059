"""The local GGUF language model (llama-cpp-python), streaming, with a hard token budget.

Base models (no chat template, like the default Gemma 3 270M) get a few-shot
completion prompt; models that ship a chat template get chat messages.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import GenerationError, ModelMissing
from assistant.models.resources import check_memory

if TYPE_CHECKING:
    from assistant.models.constrained import CopyConstraint

TokenSink = Callable[[str], None]
STOP = ["\n", "<end_of_turn>", "<eos>"]
"""A base model's answer is one line, as in the few-shot example; the next line is never the answer."""


MIN_CACHED_PREFIX = 16
"""A prompt's fixed start shorter than this many tokens is not worth a snapshot."""


@dataclass(frozen=True)
class _Snapshot:
    """The model's state right after evaluating a prompt's fixed start, and nothing else."""

    tokens: tuple[int, ...]
    state: Any
    size: int


@dataclass
class Generator:
    """A loaded GGUF model."""

    name: str
    path: Path
    llm: Any
    n_ctx: int
    state_dir: Path | None = None
    """Where fixed-start snapshots are kept between processes (None: in memory only)."""
    adapter: Path | None = None
    """The LoRA adapter (GGUF) applied on top of the model, if any: the fine-tuned reader."""
    _snapshots: dict[tuple[int, ...], _Snapshot] = field(default_factory=dict)

    @property
    def has_chat_template(self) -> bool:
        meta: dict[str, str] = getattr(self.llm, "metadata", {}) or {}
        return bool(meta.get("tokenizer.chat_template"))

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for ``text``."""
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _start_from(self, tokens: list[int], fixed_start: str) -> None:
        """Leave the model's context holding exactly the tokens ``tokens`` shares with ``fixed_start``
        (restored from a snapshot taken the first time), or nothing.

        Never what the previous prompt left: llama-cpp-python would keep its matching prefix and
        drop the rest of the cache from there, and with Gemma 3's sliding-window cache that partial
        removal corrupts the answer (measured: a second question over the same few-shot start got
        an invented sentence, the same prompt in a fresh context a verbatim copy). A cache restored
        whole is exact, and the fixed start (a third of a base-model prompt) is evaluated once.
        """
        import llama_cpp

        llm = self.llm
        llm.reset()  # n_tokens = 0: the next evaluation clears the whole cache first
        head = llm.tokenize(fixed_start.encode("utf-8"), add_bos=True, special=True) if fixed_start else []
        n = 0
        while n < min(len(head), len(tokens) - 1) and head[n] == tokens[n]:
            n += 1
        if n < MIN_CACHED_PREFIX:
            return
        key = tuple(tokens[:n])
        snapshot = self._snapshots.get(key) or self._read_snapshot(key)
        if snapshot is not None:
            if llama_cpp.llama_state_set_data(llm._ctx.ctx, snapshot.state, snapshot.size) == snapshot.size:
                self._remember(snapshot)
                llm.input_ids[:n] = key
                llm.n_tokens = n
                return
            llm.reset()
        llm.eval(list(key))
        size = llama_cpp.llama_state_get_size(llm._ctx.ctx)
        # Llama.save_state would also copy its whole logits buffer (n_batch x 262k floats).
        state = (ctypes.c_uint8 * size)()
        snapshot = _Snapshot(key, state, llama_cpp.llama_state_get_data(llm._ctx.ctx, state, size))
        self._remember(snapshot)
        self._write_snapshot(snapshot)

    def _remember(self, snapshot: _Snapshot) -> None:
        self._snapshots = {**dict(list(self._snapshots.items())[-3:]), snapshot.tokens: snapshot}

    def _snapshot_file(self, tokens: tuple[int, ...]) -> Path | None:
        """The file for a snapshot of ``tokens``, named by everything its bytes depend on."""
        if self.state_dir is None:
            return None
        import llama_cpp

        try:
            stat = self.path.stat()
        except OSError:  # the model file went away under us: no file to name
            return None
        adapter = self.adapter.resolve() if self.adapter is not None else ""
        who = f"{self.path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0{llama_cpp.__version__}\0{self.n_ctx}\0{adapter}\0{tokens}"
        return self.state_dir / f"{self.name}-{hashlib.sha256(who.encode()).hexdigest()[:20]}.state"

    def _read_snapshot(self, tokens: tuple[int, ...]) -> _Snapshot | None:
        """A snapshot another process wrote, if its checksum holds (anything else: None, and it is made again)."""
        file = self._snapshot_file(tokens)
        try:
            blob = file.read_bytes() if file is not None else b""
        except OSError:
            return None
        digest, data = blob[:32], blob[32:]
        if not data or hashlib.sha256(data).digest() != digest:
            return None
        return _Snapshot(tokens, (ctypes.c_uint8 * len(data)).from_buffer_copy(data), len(data))

    def _write_snapshot(self, snapshot: _Snapshot) -> None:
        """Keep a snapshot for later processes (about 2 MB); a folder that cannot be written is skipped."""
        file = self._snapshot_file(snapshot.tokens)
        if file is None:
            return
        data = bytes(snapshot.state)[: snapshot.size]
        tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(hashlib.sha256(data).digest() + data)
            os.replace(tmp, file)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        on_token: TokenSink | None = None,
        should_stop: Callable[[], bool] | None = None,
        fixed_start: str = "",
        keep_going: Callable[[str], bool] | None = None,
        constraint: CopyConstraint | None = None,
    ) -> str:
        """Greedy completion of ``prompt``, streamed to ``on_token``; stops early if asked.

        ``fixed_start``: what the prompt begins with for every question (the few-shot part); its
        evaluation is kept and restored instead of being redone. ``keep_going`` sees the text so
        far after each piece; False ends the completion there. ``constraint`` masks every token
        that would leave a verbatim copy (then no repeat penalty: a copy repeats the prompt).
        """
        tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        self._start_from(tokens, fixed_start)
        extra: dict[str, Any] = {"repeat_penalty": 1.3}
        if constraint is not None:
            from llama_cpp import LogitsProcessorList

            constraint.start(len(tokens))
            extra = {"repeat_penalty": 1.0, "logits_processor": LogitsProcessorList([constraint])}
        stream = self.llm.create_completion(tokens, max_tokens=max_tokens, temperature=0.0, stop=STOP, stream=True, **extra)
        return self._drain((part["choices"][0]["text"] for part in stream), on_token, should_stop, keep_going)

    def chat(
        self,
        system: str,
        user: str,
        *,
        max_tokens: int,
        on_token: TokenSink | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> str:
        """Greedy chat completion using the model's own chat template, from a cleared context (see _start_from)."""
        self.llm.reset()
        stream = self.llm.create_chat_completion(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            max_tokens=max_tokens,
            temperature=0.0,
            repeat_penalty=1.1,
            stream=True,
        )
        return self._drain((c["choices"][0]["delta"].get("content") or "" for c in stream), on_token, should_stop)

    @staticmethod
    def _drain(
        pieces: Iterator[str],
        on_token: TokenSink | None,
        should_stop: Callable[[], bool] | None,
        keep_going: Callable[[str], bool] | None = None,
    ) -> str:
        out: list[str] = []
        try:
            for piece in pieces:
                if piece:
                    out.append(piece)
                    if on_token:
                        on_token(piece)
                    if keep_going and not keep_going("".join(out)):
                        break
                if should_stop and should_stop():
                    break
        except (RuntimeError, ValueError) as exc:
            raise GenerationError(f"the language model failed: {exc}") from None
        finally:
            close = getattr(pieces, "close", None)
            if close:
                close()
        return "".join(out)

    def close(self) -> None:
        """Free the model now (llama-cpp's destructor is noisy at interpreter exit)."""
        with contextlib.suppress(Exception):
            self.llm.close()


class _Filtered:
    """A standard stream that drops what one thread writes and passes the rest on."""

    def __init__(self, real: Any, thread: threading.Thread) -> None:
        self.real, self.thread = real, thread

    def write(self, text: str) -> int:
        return len(text) if threading.current_thread() is self.thread else int(self.real.write(text) or 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@contextlib.contextmanager
def _quiet_thread() -> Iterator[None]:
    """Drop what this thread prints to sys.stdout and sys.stderr, and only that: other threads
    (the UI, an error message) keep theirs."""
    me = threading.current_thread()
    swapped = {name: _Filtered(getattr(sys, name), me) for name in ("stdout", "stderr")}
    for name, stream in swapped.items():
        setattr(sys, name, stream)
    try:
        yield
    finally:
        for name, stream in swapped.items():
            if getattr(sys, name) is stream:  # unless someone else has swapped it since
                setattr(sys, name, stream.real)


def load_generator(
    path: Path, *, threads: int, n_ctx: int = 4096, state_dir: Path | None = None, adapter: Path | None = None
) -> Generator:
    """Load a GGUF file from disk; ``state_dir`` keeps prompt snapshots between processes, ``adapter``
    is a LoRA adapter (GGUF) applied on top."""
    if not path.is_file():
        raise ModelMissing(f"no GGUF model at {path}", hint="run `assistant models fetch` or check --model")
    if adapter is not None and not adapter.is_file():
        raise ModelMissing(f"no reader adapter at {adapter}", hint="restore it from the repository, or set reader = false")
    check_memory("generator", path)
    from llama_cpp import Llama

    from llama_cpp._logger import set_verbose

    try:
        # verbose=True only so that llama-cpp-python does not silence the process's file descriptors
        # 1 and 2 while it loads (its verbose=False does, which swallowed the main thread's error
        # messages when the model loads in a background thread); its chatter is dropped per thread.
        with _quiet_thread():
            llm = Llama(
                model_path=str(path), n_ctx=n_ctx, n_threads=max(1, threads), verbose=True,
                lora_path=str(adapter) if adapter is not None else None,
            )
    except (ValueError, RuntimeError) as exc:
        raise ModelMissing(f"cannot load GGUF model {path}: {exc}", hint="check that the file is a complete GGUF model") from None
    finally:
        set_verbose(False)  # llama.cpp's log: errors only from here on
    llm.verbose = False
    return Generator(name=path.stem, path=path, llm=llm, n_ctx=min(n_ctx, llm.n_ctx()), state_dir=state_dir, adapter=adapter)
