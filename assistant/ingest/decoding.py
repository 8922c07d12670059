"""Bytes to text: a BOM decides; otherwise UTF-8 (a few damaged places replaced, with a note), then
Windows-1256 (common for Arabic) when the bytes are not UTF-8 and decode to plausible text; NUL
bytes or too many control characters mean a binary file (:class:`UnreadableFile`).
"""

from __future__ import annotations

import codecs
import re

__all__ = ["UnreadableFile", "decode", "decode_bytes"]


class UnreadableFile(Exception):
    """A file ingestion skips; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAX_CONTROL_FRACTION = 0.01  # more control characters than this: not text
_MIN_LETTER_FRACTION = 0.5  # a legacy-encoded text is mostly letters, digits and spaces
_MAX_BAD_UTF8_FRACTION = 0.1  # of non-ASCII characters: more means another encoding
_DAMAGE_RE = re.compile("\ufffd+")


# Control characters other than whitespace (Cc), surrogates (Cs) and private-use characters (Co,
# the Basic Multilingual Plane's): one regex scan, not a category look-up a character (18 s on a 100 MB dump).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")


def _controls(text: str) -> int:
    return len(_CONTROL_RE.findall(text))


def _plausible(text: str, *, legacy: bool) -> bool:
    """Whether decoded bytes look like text rather than a binary blob."""
    if not text:
        return True
    if _controls(text) > _MAX_CONTROL_FRACTION * len(text):
        return False
    if not legacy:
        return True
    wordy = sum(1 for c in text if c.isalnum() or c.isspace())
    return wordy >= _MIN_LETTER_FRACTION * len(text) and (len(text) < 40 or any(c.isspace() for c in text))


def decode(data: bytes) -> tuple[str, str | None]:
    """The text in ``data`` and a note when some bytes had to be replaced; raises UnreadableFile."""
    invalid = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                # FF FE 00 00 is the UTF-32 LE BOM, or the UTF-16 LE BOM and a NUL: try the next.
                invalid = invalid or UnreadableFile(f"invalid {encoding.upper()} text")
                continue
            if not _plausible(text, legacy=False):
                raise UnreadableFile("binary file (control characters)")
            return text, None
    if invalid is not None:
        raise invalid
    declared = data.startswith(codecs.BOM_UTF8)  # then damage is damage, never another encoding
    if declared:
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data:
        raise UnreadableFile("binary file (NUL bytes)")
    note = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        runs = len(_DAMAGE_RE.findall(text))
        good = sum(1 for c in text if ord(c) > 0x7F) - bad
        if bad <= _MAX_BAD_UTF8_FRACTION * (good + bad) or runs * 2 <= good:
            # A few damaged bytes in a UTF-8 file (not a legacy encoding, where
            # nearly every non-ASCII byte is invalid UTF-8 and valid sequences
            # are rare): a lone surrogate written as UTF-8 is three bad bytes
            # in one place, so damaged places count, not bytes.
            note = f"{bad} invalid UTF-8 byte sequence(s) replaced with U+FFFD"
        elif declared:
            raise UnreadableFile("invalid UTF-8 text") from None
        else:
            text = data.decode("cp1256", errors="replace")
            if "\ufffd" in text or not _plausible(text, legacy=True):
                raise UnreadableFile("not text: neither UTF-8 nor Windows-1256") from None
            return text, None
    if not _plausible(text, legacy=False):
        raise UnreadableFile("binary file (control characters)")
    return text, note


def decode_bytes(data: bytes) -> str:
    """The text in ``data`` (BOM'd UTF-8/16/32, UTF-8, or Windows-1256); raises UnreadableFile."""
    return decode(data)[0]
