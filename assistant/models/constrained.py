"""Decoding that can only copy: a llama-cpp-python logits processor that keeps the completion verbatim.

The reader answers with a span of one of its evidence sentences, then the
sentence's number ("… [2]") and a newline, or with a fixed marker (no answer).
:class:`CopyConstraint` masks, at every step, each token that would take the
completion off that shape, so every answer is an exact substring of a
sentence by construction (the answer layer still checks the offsets after),
and a span ends where a word of its sentence ends.

Only tokens that can occur in a copy are considered: those of the sentences'
own tokenization, of each word with and without a leading space and without a
one- or two-letter clitic ("والقمح" -> "القمح"), of the markers and of the
fixed strings. Each step checks those few hundred candidates against the
sentences' bytes (a byte-level token may hold half a character; UTF-8 keeps
substring tests sound) and sets every other logit to -inf. It also records the
probability, at the first step, of the first fixed string (the no-answer
marker) among the allowed tokens: the reader's confidence that there is no
answer; with ``decide_at`` that probability alone decides between the marker
and a span (a threshold calibrated on held-out training questions).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

END = b"\n"
"""What ends a completion (the generator's stop string for base models)."""


def _ends_a_word(text: bytes, span: bytes) -> bool:
    """Whether ``span`` occurs in ``text`` ending where a word ends (not inside one)."""
    at = text.find(span)
    while at >= 0:
        rest = text[at + len(span) : at + len(span) + 4].decode("utf-8", errors="ignore")
        if not rest or not rest[0].isalnum():
            return True
        at = text.find(span, at + 1)
    return False


def _softmax_share(scores: Any, allowed: Sequence[int], chosen: set[int]) -> float:
    vals = [float(scores[t]) for t in allowed]
    top = max(vals)
    weights = [math.exp(v - top) for v in vals]
    total = sum(weights)
    return sum(w for t, w in zip(allowed, weights, strict=True) if t in chosen) / total if total else 0.0


@dataclass
class CopyConstraint:
    """Keep a completion to ``" " + span-of-a-text + " [n]" + "\\n"`` or ``" " + fixed + "\\n"``.

    ``texts`` are the sentences as the prompt shows them, numbered from 1; the
    marker's number must be one of the texts holding the span. Call
    :meth:`start` with the prompt's token count before decoding.
    """

    llm: Any
    texts: list[str]
    fixed: list[str]
    decide_at: float | None = None
    """When set, the first step decides: at or above this first-token probability of the first fixed
    string, only it may follow; below, only a span (the model's own greedy choice is overruled)."""
    _texts: list[bytes] = field(default_factory=list)
    _fixed: list[bytes] = field(default_factory=list)
    _candidates: list[int] = field(default_factory=list)
    _pieces: dict[int, bytes] = field(default_factory=dict)
    _fixed_first: set[int] = field(default_factory=set)
    _prompt_tokens: int = 0
    _mode: str | None = None
    first_step_fixed_share: float | None = None
    """Probability of the first fixed string's opening token at the first step, among allowed tokens."""
    step_logprobs: list[float] = field(default_factory=list)
    """At each step, the log-probability (over the whole vocabulary, unconstrained) of the best
    allowed token: how much the model itself wanted what it was allowed to write."""

    def __post_init__(self) -> None:
        self._texts = [" ".join(t.split()).encode("utf-8") for t in self.texts]
        self._fixed = [f.encode("utf-8") + END for f in self.fixed]
        tok = self.llm.tokenize
        seen: set[int] = set()

        def add(text: str) -> list[int]:
            ids = tok(text.encode("utf-8"), add_bos=False, special=False) if text else []
            seen.update(ids)
            return ids

        for text in self.texts:
            add(" " + text)
            for word in text.split():
                add(word)
                add(" " + word)
                for cut in (1, 2):
                    if len(word) > cut + 2:
                        add(" " + word[cut:])
        for n in range(1, len(self.texts) + 1):
            add(f" [{n}]\n")
            add(f"[{n}]")
        for i, fixed in enumerate(self.fixed):
            ids = add(" " + fixed + "\n")
            if i == 0 and ids:
                self._fixed_first = {ids[0]}
        add("\n")
        self._candidates = sorted(seen)
        self._pieces = {t: self._piece(t) for t in self._candidates}

    def _piece(self, token: int) -> bytes:
        return bytes(self.llm.detokenize([token], special=False))

    def start(self, prompt_tokens: int) -> None:
        """Decoding starts after ``prompt_tokens`` tokens of prompt."""
        self._prompt_tokens = prompt_tokens
        self.first_step_fixed_share = None
        self.step_logprobs = []
        self._mode = None

    def _on_fixed(self, text: bytes) -> bool:
        """Whether ``text`` is (a prefix of) a fixed string."""
        body = text.lstrip(b" ")
        return bool(body) and any(f.startswith(body) for f in self._fixed)

    def _on_span(self, text: bytes) -> bool:
        """Whether ``text`` is on the span path: a span so far, or a span and (part of) its marker."""
        body = text.lstrip(b" ")
        return bool(body) and (b"[" in body or any(body.rstrip(b" ") in t for t in self._texts))

    def allows(self, text: bytes) -> bool:
        """Whether ``text`` (the completion so far, in bytes) can still become an allowed completion."""
        body = text.lstrip(b" ")
        if not body:
            return text in (b"", b" ")
        if any(f.startswith(body) for f in self._fixed):
            return True
        cut = body.find(b"[")
        if cut < 0:  # still in the span; a space before the marker may follow its last word
            core = body.rstrip(b" ")
            if body.endswith(END) or not any(core in t for t in self._texts):
                return False
            return core == body or any(_ends_a_word(t, core) for t in self._texts)
        span, marker = body[:cut].strip(), body[cut:]
        if not span:
            return False
        holders = [n for n, t in enumerate(self._texts, 1) if _ends_a_word(t, span)]
        return any(f"[{n}]\n".encode().startswith(marker) for n in holders)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import numpy as np

        done = b"".join(self._pieces.get(int(t)) or self._piece(int(t)) for t in input_ids[self._prompt_tokens :])
        allowed = [t for t in self._candidates if self.allows(done + self._pieces[t])]
        if not allowed:  # nothing can follow (cannot happen once a span has started): end the line
            allowed = [t for t in self._candidates if self._pieces[t] == END] or self._candidates
        if self.first_step_fixed_share is None:
            self.first_step_fixed_share = share = _softmax_share(scores, allowed, self._fixed_first)
            if self.decide_at is not None:  # a token may open both ("لا" starts the marker and many spans)
                self._mode = "fixed" if share >= self.decide_at else "span"
        if self._mode == "fixed":
            allowed = [t for t in allowed if self._on_fixed(done + self._pieces[t])] or allowed
        elif self._mode == "span":  # the marker's opening piece ("لا") stands for the marker here, not a span
            allowed = [t for t in allowed if self._on_span(done + self._pieces[t]) and (done or t not in self._fixed_first)] or [
                t for t in self._candidates if self._pieces[t] == END
            ]
        top = float(scores.max())
        lse = top + math.log(float(np.exp(scores - top).sum()))
        masked = np.full_like(scores, -np.inf)
        masked[allowed] = scores[allowed]
        self.step_logprobs.append(float(masked[allowed].max()) - lse)
        return masked
