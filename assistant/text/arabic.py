"""Arabic text handling for the search view: de-obfuscation, normalisation, BM25 tokens.

Everything here builds the *search view* of a text (what BM25 and the
embedder see). Nothing here is ever applied to text that is quoted back to a
user: quotes always come from the original document text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from camel_tools.utils.normalize import normalize_unicode

__all__ = [
    "ARABIC_LETTERS",
    "ARABIC_LETTER_RE",
    "ARTICLE_PREFIXES",
    "DIGIT_FOLD",
    "FOLD",
    "INVISIBLE",
    "LETTER_FOLD",
    "STOPWORDS",
    "TATWEEL",
    "deobfuscate",
    "detect_language",
    "normalize",
    "search_view",
    "tokenize",
]

TATWEEL = "\u0640"

#: Character class (without brackets) of Arabic-script letters, presentation
#: forms included; tatweel, diacritics and Arabic digits excluded.
ARABIC_LETTERS = (
    "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef"
    "\u06fa-\u06fc\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdff\ufe70-\ufefc"
)
ARABIC_LETTER_RE = re.compile(f"[{ARABIC_LETTERS}]")

# Arabic harakat, Quranic marks and superscript alef: may sit between a letter
# and an inserted tatweel ("مكـَ.ـافحة").
_DIACRITICS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"

# Punctuation that filter-dodgers insert inside a word. Quotes and brackets are
# deliberately absent: "بـ”تصحيح" is a real prefix before a quotation.
_INSERTED = r".,\u060c\-_*\u00b7\u2022\u2027|/\\~+:'`\u066b\u066c\u06d4"

# An inserted break counts only when a tatweel touches it, and only between two
# Arabic letters: "الإرهـ.ـاب", "مكـ.افحة", "رفـ.ض", "كـ ـورونا" are undone;
# a bare "الأسد.وقال" or "كلمة-كلمة" is left alone, since it is as likely a
# missing space after a full stop or a real hyphen.
_OBFUSCATION_RE = re.compile(
    f"(?<=[{ARABIC_LETTERS}{_DIACRITICS}])"
    f"(?:{TATWEEL}+[{_INSERTED}]+{TATWEEL}*"
    f"|[{_INSERTED}]+{TATWEEL}+"
    f"|{TATWEEL}+[ \u00a0]+{TATWEEL}+)"
    f"(?=[{ARABIC_LETTERS}])"
)

#: Invisible characters: zero-width space/joiners, word joiner, BOM, soft
#: hyphen, Mongolian vowel separator, Arabic letter mark and the bidi controls.
#: The search view drops them; the date fold (same length) makes them spaces.
INVISIBLE = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}{TATWEEL}]+")

# camel-tools' Arabic diacritics (AR_DIAC_CHARSET: harakat U+064B-U+0652 and superscript alef
# U+0670, what dediac_ar strips), plus the marks dediac_ar leaves (Quranic marks, maddah and hamza
# above/below, small high letters) and tatweel. One regex instead of dediac_ar: importing
# camel_tools.utils.dediac builds every Unicode category set (1.0 s, most of a cold `ask`'s
# imports); tests/test_arabic.py checks the set against camel-tools' own.
AR_DIACRITICS = "\u064b-\u0652\u0670"
_MARKS_RE = re.compile(
    f"[{AR_DIACRITICS}\u0610-\u061a\u0653-\u065f\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed{TATWEEL}]+"
)

# --- the fold table -----------------------------------------------------------
# One table, one character for one, so offsets survive it: the search view
# (:func:`normalize`) and the date patterns (:mod:`assistant.text.dates`) both
# unify these and nothing else. camel-tools' normalize_alef_ar /
# normalize_alef_maksura_ar / normalize_teh_marbuta_ar map exactly LETTER_FOLD
# (tests/test_arabic.py checks it); the table replaces them.

#: Alef variants (أ إ آ ٱ) to ا, alef maksura ى to ي, teh marbuta ة to ه.
LETTER_FOLD: dict[str, str] = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
    "\u0649": "\u064a",
    "\u0629": "\u0647",
}
#: Arabic-Indic and Persian digits, the Arabic decimal and thousands separators
#: and the Arabic percent sign to ASCII.
DIGIT_FOLD: dict[str, str] = {
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    "\u066b": ".",
    "\u066c": ",",
    "\u066a": "%",
}
#: The whole fold: letters and digits.
FOLD: dict[str, str] = {**LETTER_FOLD, **DIGIT_FOLD}

# Letters are frequent: one constant-replacement pass per target letter is
# several times faster than str.translate on Arabic text. Digits are rare.
_LETTER_FOLD_PASSES = tuple(
    (re.compile(f"[{''.join(src for src, dst in LETTER_FOLD.items() if dst == target)}]"), target)
    for target in dict.fromkeys(LETTER_FOLD.values())
)
_DIGIT_FOLD_RE = re.compile(f"[{''.join(DIGIT_FOLD)}]")


def _fold(text: str) -> str:
    """``text`` with :data:`FOLD` applied (same length)."""
    for rx, target in _LETTER_FOLD_PASSES:
        text = rx.sub(target, text)
    return _DIGIT_FOLD_RE.sub(lambda m: DIGIT_FOLD[m.group()], text)


# Characters camel-tools' normalize_unicode expands before NFKC.
_CAMEL_UNICODE_FIXES = ("\ufdfc", "\ufdfd")


def deobfuscate(text: str) -> str:
    """Undo filter-dodging word breaks: ``الإرهـ.ـاب`` -> ``الإرهاب``.

    Removes punctuation inserted inside a word when a tatweel touches it
    (between two Arabic letters), then every tatweel and every invisible
    character (zero-width space/joiners, soft hyphen, bidi marks, BOM).
    A dot between letters with no tatweel ("الأسد.وقال") is left alone: it is
    as likely a full stop missing its space.
    """
    if TATWEEL in text:
        text = _OBFUSCATION_RE.sub("", text)
    return _INVISIBLE_RE.sub("", text)


def normalize(text: str) -> str:
    """Normalise for matching: NFKC, no diacritics or tatweel, ا/ي/ه unified, ASCII digits, lower case.

    Alef variants (أ إ آ ٱ) become ا, alef maksura ى becomes ي, teh marbuta ة
    becomes ه; Arabic-Indic and Persian digits become ASCII; Latin is lower-cased.
    """
    if any(c in text for c in _CAMEL_UNICODE_FIXES):
        text = normalize_unicode(text)
    else:  # same result, without camel's per-character pass
        text = unicodedata.normalize("NFKC", text)
    return _fold(_MARKS_RE.sub("", text)).lower()


def search_view(text: str) -> str:
    """The text as search sees it: de-obfuscated, then normalised."""
    return normalize(deobfuscate(text))


# --- tokens -----------------------------------------------------------------

# Numbers (with a decimal part or 3-digit thousands groups) or runs of letters.
_TOKEN_RE = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[^\W\d_]+")

_AR_STOPWORDS = """
في من على إلى الى عن أن إن ان ما ماذا هل كيف متى لماذا أين اين كم أي
هذا هذه ذلك تلك هؤلاء هناك هنا التي الذي الذين اللذين اللتين اللواتي
أو او ثم قد لقد مع عند حتى إذا اذا إذ كما لكن بل بين منذ خلال عبر
هو هي هم هن نحن أنا انت أنت كان كانت يكون تكون وقد ولا لا لم لن
"""
_EN_STOPWORDS = """
a an the of in on at to for from by with about into over after before
and or but not no nor is are was were be been being am do does did done
what which who whom whose when where why how that this these those it its
as than then there here he she they them his her their i you we me my our
say said tell told
"""

#: Normalised stopwords dropped by :func:`tokenize` (Arabic and English).
STOPWORDS: frozenset[str] = frozenset(
    normalize(w) for w in (_AR_STOPWORDS + _EN_STOPWORDS).split()
)

#: The definite article with the proclitics that attach before it (و ف ب ك ل),
#: normalised, longest first. :func:`tokenize` strips one when the stem keeps
#: >= 3 letters ("والإرهاب" -> "ارهاب", "بالانتخابات" -> "انتخابات",
#: "للصحفيين" -> "صحفيين"). Too short a stem means the letters are the word
#: ("الله", "والد").
ARTICLE_PREFIXES: tuple[str, ...] = (
    "وبال", "وكال", "فبال", "فكال", "ولل", "فلل",
    "وال", "فال", "بال", "كال", "لل", "ال",
)
_MIN_STEM_AFTER_ARTICLE = 3

# A bare و/ف (no article) is ambiguous: "وقال" is و+قال but "وزارة" is one
# word. Stripping always would split "وزارة" from its article form "الوزارة"
# (-> "وزاره"); never stripping would split "وقال" from "قال". So the token is
# emitted twice, surface form then stem (>= 3 letters), and documents and
# questions match either way; the price is a doubled weight for such words.
# Bare ب/ل are not stripped at all: too many names start with them (بوتين،
# بشار، بيسكوف، لبنان), and "بسوريا" not matching "سوريا" is the lesser loss.
_BARE_PROCLITICS = {"و": 3, "ف": 3}  # letter -> min stem length


def _is_stop(token: str) -> bool:
    return token in STOPWORDS or (
        len(token) > 2 and token[0] in "وف" and token[1:] in STOPWORDS
    )


@lru_cache(maxsize=1 << 16)
def _word_tokens(word: str) -> tuple[str, ...]:
    """Tokens for one normalised word: clitics stripped, stopwords dropped."""
    if len(word) < 2 or _is_stop(word):
        return ()
    if not ARABIC_LETTER_RE.match(word):
        return (word,)
    for prefix in ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM_AFTER_ARTICLE:
            stem = word[len(prefix):]
            return () if _is_stop(stem) else (stem,)
    min_stem = _BARE_PROCLITICS.get(word[0])
    if min_stem is not None and len(word) - 1 >= min_stem:
        return (word, word[1:])
    return (word,)


def tokenize(text: str) -> list[str]:
    """BM25 tokens of ``text``: search view, words and numbers, light clitic stripping, no stopwords.

    Numbers are kept whole ("95.1", "470276", "14,000" -> "14000"); Latin is
    lower-cased; single letters and punctuation are dropped. A word with a
    bare و/ف proclitic yields two tokens, surface form then stem. Deterministic.
    """
    tokens: list[str] = []
    for token in _TOKEN_RE.findall(search_view(text)):
        if token[0].isdigit():
            tokens.append(token.replace(",", ""))
        else:
            tokens.extend(_word_tokens(token))
    return tokens


_LETTER_RE = re.compile(r"[^\W\d_]")


def detect_language(text: str) -> Literal["ar", "en"]:
    """``"ar"`` when Arabic letters are the majority of the letters in ``text``, else ``"en"``."""
    arabic = len(ARABIC_LETTER_RE.findall(text))
    letters = len(_LETTER_RE.findall(text))
    return "ar" if arabic * 2 > letters else "en"
