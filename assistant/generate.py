"""The local GGUF language model (llama-cpp-python), streaming, with a hard token budget.

Base models (no chat template, like the default Gemma 3 270M) get a few-shot
completion prompt; models that ship a chat template get chat messages.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import GenerationError, ModelMissing
from assistant.resources import check_memory

TokenSink = Callable[[str], None]
STOP = ["\n", "<end_of_turn>", "<eos>"]
"""A base model's answer is one line, as in the few-shot example; the next line is never the answer."""


@dataclass
class Generator:
    """A loaded GGUF model."""

    name: str
    path: Path
    llm: Any
    n_ctx: int

    @property
    def has_chat_template(self) -> bool:
        meta: dict[str, str] = getattr(self.llm, "metadata", {}) or {}
        return bool(meta.get("tokenizer.chat_template"))

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for ``text``."""
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        on_token: TokenSink | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> str:
        """Greedy completion of ``prompt``, streamed to ``on_token``; stops early if asked."""
        stream = self.llm.create_completion(
            prompt, max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.3, stop=STOP, stream=True
        )
        return self._drain((part["choices"][0]["text"] for part in stream), on_token, should_stop)

    def chat(
        self,
        system: str,
        user: str,
        *,
        max_tokens: int,
        on_token: TokenSink | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> str:
        """Greedy chat completion using the model's own chat template."""
        stream = self.llm.create_chat_completion(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            max_tokens=max_tokens,
            temperature=0.0,
            repeat_penalty=1.1,
            stream=True,
        )
        return self._drain((c["choices"][0]["delta"].get("content") or "" for c in stream), on_token, should_stop)

    @staticmethod
    def _drain(pieces: Iterator[str], on_token: TokenSink | None, should_stop: Callable[[], bool] | None) -> str:
        out: list[str] = []
        try:
            for piece in pieces:
                if piece:
                    out.append(piece)
                    if on_token:
                        on_token(piece)
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


def load_generator(path: Path, *, threads: int, n_ctx: int = 4096) -> Generator:
    """Load a GGUF file from disk."""
    if not path.is_file():
        raise ModelMissing(f"no GGUF model at {path}", hint="run `assistant models fetch` or check --model")
    check_memory("generator", path)
    from llama_cpp import Llama

    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=max(1, threads), verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ModelMissing(f"cannot load GGUF model {path}: {exc}", hint="check that the file is a complete GGUF model") from None
    return Generator(name=path.stem, path=path, llm=llm, n_ctx=min(n_ctx, llm.n_ctx()))
