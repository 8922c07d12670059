"""The quick tokenizer of an OpenVINO conversion: the SentencePiece model, where it gives tokenizer.json's ids.

tokenizer.json (Gemma's 262k vocabulary and merges as JSON) takes 2.5-3 s to
load; the SentencePiece model beside it about 0.2 s. At conversion
(:mod:`assistant.models.openvino_convert`) :func:`record_quick_tokenizer`
checks on ``PROBE_TEXTS`` that the two give the same ids (special tokens and
truncation included) and records the answer; at run time
(:mod:`assistant.models.openvino`) :meth:`QuickTokenizer.load` checks the
record again and the encoder tokenizes queries with it when it agrees.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PROBE_TEXTS", "QUICK_TOKENIZER", "QuickTokenizer", "hf_tokenizer", "record_quick_tokenizer"]

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


def hf_tokenizer(path: Path, max_length: int) -> Any:
    """tokenizer.json's tokenizer, without padding, truncating at ``max_length`` tokens."""
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
            full = [enc.ids for enc in hf_tokenizer(folder / "tokenizer.json", max_length).encode_batch(list(PROBE_TEXTS))]
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
