"""Is this Arabic word that Latin-script name? ("Peskov" / "بيسكوف", "Fabius" / "فابيوس").

A name is compared sound by sound, vowels included: both spellings become a
string of consonant classes (the classes of :mod:`assistant.text.terms`) and
vowel classes (A: a, ا; I: e i y, ي ى; U: o u, و), then aligned by an
edit distance that knows how the two scripts differ: a Latin vowel Arabic
leaves unwritten costs 0.35, an Arabic long vowel with no Latin vowel 0.5, a
Latin h Arabic drops 0.1, ع written as a vowel 0.1, another vowel 0.5, any other
difference one.
A name is written in Arabic as it sounds in its own language, so a Latin word has
a few readings besides the English one (:data:`READINGS`: German, French,
Persian...), each costing 0.1 more, and the cheapest counts.
Short words stay ambiguous ("Putin" is also one unwritten vowel from "باطن"),
so the statements stage keeps, of an archive's words, only the closest
spellings, and asks for a person's full name somewhere in the article. The consonant
skeleton alone (``terms.skeletons_match``) is too loose for an archive:
"Putin"'s B-T-N also fits "بحث" and "بيت", "Persie"'s B-R-S fits "ابرز";
with vowels they do not ("بوتين" is B V T V N, like "Putin").
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.text.arabic import normalize
from assistant.text.terms import _AR_CLASS, _EN_CLASS, _EN_DIGRAPHS

__all__ = ["MAX_COST", "READINGS", "may_spell", "name_cost", "same_name", "spelling_cost"]

MAX_COST = 0.8
"""Highest alignment cost at which an Arabic word still spells a Latin name: two unwritten short
vowels and a final "a" written ة ("Basalama" / "باسلمة", 0.8), or one unwritten long vowel. It was
0.6 until 2026-12-07, below the two short vowels this always meant to allow."""

_LATIN_VOWELS = {"a": "A", "e": "I", "i": "I", "y": "I", "o": "U", "u": "U"}
_ARABIC_VOWELS = {"ا": "A", "ى": "I", "ي": "I", "و": "U"}
_VOWELS = frozenset("AIU")
_SOFT = "H"
"""h, ح, ه, ع: sounds one script writes and the other often drops ("Mohammed" / "محمد", "Ali" / "علي")."""


READINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(a), b) for a, b in (
    (r"^s(?=[tp])", "sh"),  # German "Steinmeier", "Spahn": شتاينماير
    (r"sch", "sh"),  # German "Schmidt": شميدت
    (r"ei", "ai"),  # German "Steinmeier": اي
    (r"w", "v"),  # German and Polish "Walter": فالتر
    (r"w", "u"),  # English "Walter": والتر (the English reading drops w)
    (r"c(?=[eiy]|ois)", "s"),  # "Vincent", French ç folded to c: "François" / فرانسوا
    (r"oi[st]?$|oi", "ua"),  # French "Benoît" / بنوا, "François" / فرانسوا (a final s or t unsaid)
    (r"j", "y"),  # Hebrew, German, Slavic "Benjamin" / بنيامين, "Jan" / يان
    (r"z", "dh"),  # Persian and Arabic ظ, which English writes z: "Zarif" / ظريف
    (r"v", "u"),  # Persian و, which English writes v: "Javad" / جواد
    (r"ic$", "itch"),  # Slavic -ić/-ič, folded to -ic: "Djokovic" / ديوكوفيتش
    (r"eu", "u"),  # French "Cazeneuve" / كازنوف
    (r"(?<=[bcdfgklmnprstvz])e$", ""),  # a final e unsaid: French "Cazeneuve" / كازنوف
    (r"(?<=r)[dt]$", ""),  # French "Bernard" / برنار (a final d or t after r unsaid)
))
"""Another language's reading of some Latin letters, each a (pattern, replacement) tried on top of the others."""

READING_COST = 0.1
"""What each reading of :data:`READINGS` adds to a spelling's cost: the English reading wins a tie."""


@lru_cache(maxsize=1 << 14)
def latin_readings(word: str) -> tuple[tuple[str, float], ...]:
    """A Latin-script word's sound strings (:func:`latin_sounds`) under the English reading and under
    every combination of :data:`READINGS` that changes it, each with its added cost."""
    spelled = {word.lower(): 0.0}
    for pattern, replacement in READINGS:
        for w, extra in list(spelled.items()):
            other = pattern.sub(replacement, w)
            if other != w and spelled.get(other, 9.0) > extra + READING_COST:
                spelled[other] = extra + READING_COST
    sounds: dict[str, float] = {}
    for w, extra in spelled.items():
        s = latin_sounds(w)
        sounds[s] = min(extra, sounds.get(s, 9.0))
    return tuple(sorted(sounds.items(), key=lambda kv: kv[1]))


def _collapse(symbols: list[str]) -> str:
    out: list[str] = []
    for s in symbols:
        if not out or out[-1] != s:
            out.append(s)
    return "".join(out)


@lru_cache(maxsize=1 << 14)
def latin_sounds(word: str) -> str:
    """A Latin-script word as consonant classes and vowel classes A, I, U ("Peskov" -> "BISKUF")."""
    w = word.lower().removeprefix("al-").removeprefix("el-")
    for digraph, cls in _EN_DIGRAPHS:
        w = w.replace(digraph, cls)
    return _sounds(w, _LATIN_VOWELS, "h", _EN_CLASS)


@lru_cache(maxsize=1 << 16)
def arabic_sounds(word: str) -> str:
    """An Arabic word (its article dropped) as consonant classes and vowel classes for its long vowels
    (ا A, ي ى I, و U: "بيسكوف" -> "BISKUF")."""
    w = normalize(word)
    if w.startswith("ال") and len(w) > 4:
        w = w[2:]
    if w[:2] in ("او", "اي") and len(w) > 3:  # the alif carrying an initial vowel ("أوبك", "إيران") is no sound
        w = w[1:]
    return _sounds(w, _ARABIC_VOWELS, "حهعء", _AR_CLASS)


def _sounds(letters: str, vowels: dict[str, str], soft: str, classes: dict[str, str]) -> str:
    """Letters as sound classes (a class already written in capitals, as a Latin digraph's, is kept)."""
    out = []
    for ch in letters:
        if ch.isupper():
            out.append(ch)
        elif ch in vowels:
            out.append(vowels[ch])
        elif ch in soft:
            out.append(_SOFT)
        elif ch in classes:
            out.append(classes[ch])
    return _collapse(out)


@lru_cache(maxsize=1 << 17)
def consonants(sounds: str) -> str:
    """The consonant classes of a sound string, vowels and soft sounds left out."""
    return "".join(ch for ch in sounds if ch not in _VOWELS and ch != _SOFT)


def may_spell(latin: str, arabic: str) -> bool:
    """A cheap test before the alignment: under some reading, the same first consonant and consonant
    counts within one."""
    b = consonants(arabic_sounds(arabic))
    return bool(b) and any(
        (a := consonants(s)) and a[0] == b[0] and abs(len(a) - len(b)) <= 1 for s, _ in latin_readings(latin)
    )


def spelling_cost(latin: str, arabic: str) -> float:
    """The cheapest alignment of two sound strings (see the module's docstring for the costs)."""
    n, m = len(latin), len(arabic)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0

    def drop(symbol: str, arabic_side: bool) -> float:
        if symbol == _SOFT:
            return 0.8 if arabic_side else 0.1
        if symbol in _VOWELS:
            return 0.5 if arabic_side else 0.35
        return 1.0

    def sub(a: str, b: str) -> float:
        if a == b:
            return 0.0
        if a in _VOWELS and b in _VOWELS:
            return 0.5  # "e" written ا, "o" written ي ...
        return 0.1 if _SOFT in (a, b) and (a in _VOWELS or b in _VOWELS) else 1.0  # ع written as a vowel ("Ali" / "علي")

    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i][j]
            if c == inf:
                continue
            if i < n:
                cost[i + 1][j] = min(cost[i + 1][j], c + drop(latin[i], False))
            if j < m:
                cost[i][j + 1] = min(cost[i][j + 1], c + drop(arabic[j], True))
            if i < n and j < m:
                cost[i + 1][j + 1] = min(cost[i + 1][j + 1], c + sub(latin[i], arabic[j]))
    return cost[n][m]


@lru_cache(maxsize=1 << 16)
def name_cost(latin: str, arabic: str) -> float:
    """How far an Arabic word is from spelling a Latin-script name word (0: the same sounds), under
    the word's cheapest reading (:func:`latin_readings`)."""
    b = arabic_sounds(arabic)
    best = float("inf")
    for a, extra in latin_readings(latin) if b else ():
        if not a or extra >= best:
            continue
        if sum(1 for s in a if s not in _VOWELS and s != _SOFT) < 2:  # one consonant: only the same sounds
            cost = 0.0 if a == b else float("inf")
        else:
            cost = spelling_cost(a, b)
        best = min(best, cost + extra)
    return best


def same_name(latin: str, arabic: str, max_cost: float = MAX_COST) -> bool:
    """Whether an Arabic word spells a Latin-script name word."""
    return name_cost(latin, arabic) <= max_cost
