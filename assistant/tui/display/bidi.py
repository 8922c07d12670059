"""Arabic for terminals that do not do bidi: letters shaped, lines put in visual order.

Most terminals draw characters left to right in the order they arrive, so
Arabic comes out mirrored and unjoined. This module turns one *logical* line
into the *visual* line such a terminal should draw, following the Unicode
bidirectional algorithm (UAX #9), with a map from every visual character back
to its logical index. The map lets a display keep styles (a highlighted quote,
a bold word, a ``[n]`` marker) on the right characters and lets copying give
the text back in logical order.

Library choice: python-bidi's pure-Python ``bidi.algorithm`` implements the
whole algorithm including rule L4 (mirroring brackets and guillemets in
right-to-left runs), which its faster Rust ``get_display`` skips; its
per-character storage also lets us carry the logical index through the
reordering. arabic-reshaper picks each letter's joined form (initial, medial,
final, isolated, and the lam-alef ligature), which terminals without a
shaping engine need. Wrapping happens on the logical text, before reordering,
so a right-to-left paragraph's first words stay on its first line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

BidiMode = Literal["auto", "on", "off"]
BIDI_MODES: tuple[BidiMode, ...] = ("auto", "on", "off")

_ARABIC_RUN = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]+")
_LTR_RUN = re.compile(
    r"\d{4}-\d{1,2}(?:-\d{1,2})?(?:\s*…\s*\d{4}-\d{1,2}(?:-\d{1,2})?)?"
    r"|(?<![\w])[0-9A-Za-z]*[0-9][0-9A-Za-z]*_[0-9A-Za-z_]+"
)
"""ISO dates (and ranges of them) and ids such as "001_7c7f…" keep their order inside Arabic:
without this, UAX #9 turns the digits after Arabic letters into Arabic numbers, so
"2021-05-28" is drawn "28-05-2021" and "001_7c7f" splits around the underscore."""
_LRE, _PDF = "\u202a", "\u202c"


def terminal_does_bidi(env: Mapping[str, str]) -> bool:
    """Whether the terminal described by ``env`` reorders right-to-left text itself.

    Known to: mlterm, Konsole, Apple Terminal, and VTE-based terminals
    (GNOME Terminal, Tilix …) since VTE 0.58. Everything else is assumed not to.
    """
    if env.get("MLTERM") or env.get("KONSOLE_VERSION"):
        return True
    if env.get("TERM_PROGRAM") == "Apple_Terminal":
        return True
    vte = env.get("VTE_VERSION", "")
    return vte.isdigit() and int(vte) >= 5800


def reorder_enabled(mode: BidiMode, env: Mapping[str, str] | None = None) -> bool:
    """Whether we should reorder and shape ourselves: ``on``, ``off`` or ``auto`` (detect the terminal)."""
    if mode == "on":
        return True
    if mode == "off":
        return False
    return not terminal_does_bidi(os.environ if env is None else env)


def is_rtl(text: str) -> bool:
    """Whether a paragraph's base direction is right-to-left (its first strong character, UAX #9 P2)."""
    from bidi.algorithm import get_base_level

    return get_base_level(text) == 1


@cache
def _reshaper() -> Any:
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": True, "support_ligatures": True})


def shape(text: str) -> tuple[str, list[int]]:
    """Arabic letters in their joined presentation forms, with each output character's logical index.

    Words are shaped one at a time (letters only join within a word); a word
    whose length changes (a lam-alef ligature, dropped diacritics) maps its
    characters proportionally onto the original ones.
    """
    out: list[str] = []
    index: list[int] = []
    pos = 0
    reshaper = _reshaper()
    for m in _ARABIC_RUN.finditer(text):
        out.append(text[pos : m.start()])
        index.extend(range(pos, m.start()))
        word = m.group(0)
        shaped = reshaper.reshape(word)
        out.append(shaped)
        n, w = len(shaped), len(word)
        index.extend(m.start() + (j * w) // max(1, n) for j in range(n))
        pos = m.end()
    out.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(out), index


def reorder(text: str, *, rtl: bool | None = None) -> tuple[str, list[int]]:
    """One line in visual order (UAX #9, with mirroring) and, per visual character, its index in ``text``.

    ``rtl`` forces the paragraph direction (a wrapped line of an Arabic
    paragraph stays right-to-left even if it starts with a number); None
    takes it from the line's first strong character. Explicit embedding and
    override controls are honoured and dropped from the output.
    """
    from bidi import algorithm as uba

    if not text:
        return "", []
    storage = uba.get_empty_storage()
    base = uba.get_base_level(text) if rtl is None else int(rtl)
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uba.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["i"] = i
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    uba.apply_mirroring(storage, False)
    chars = storage["chars"]
    return "".join(c["ch"] for c in chars), [c["i"] for c in chars]


def _embed_ltr_runs(text: str) -> tuple[str, list[int]]:
    """Wrap ISO dates in a left-to-right embedding; the map gives each character's index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _LTR_RUN.finditer(text):
        out += [text[pos : m.start()], _LRE, m.group(0), _PDF]
        index += [*range(pos, m.start()), m.start(), *range(m.start(), m.end()), m.end() - 1]
        pos = m.end()
    out.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(out), index


def visual_line(text: str, *, rtl: bool | None = None, shaped: bool = True) -> tuple[str, list[int]]:
    """Shape (optionally) then reorder one logical line; the map points into ``text``."""
    embedded, emap = _embed_ltr_runs(text)
    if shaped:
        s, smap = shape(embedded)
    else:
        s, smap = embedded, list(range(len(embedded)))
    v, vmap = reorder(s, rtl=rtl)
    return v, [emap[smap[i]] for i in vmap]


def display(text: str, *, rtl: bool | None = None) -> str:
    """The visual form of a multi-line text, line by line (for plain printing and tests)."""
    return "\n".join(visual_line(line, rtl=rtl)[0] for line in text.split("\n"))
