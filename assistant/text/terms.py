"""Checks that tie words to evidence: is a question's name in the sources, is an answer's claim?

Arabic sources and English questions share no words, but they share names.
A name is compared by its consonant skeleton: "Peskov" and "بيسكوف" both
reduce to B-S-K-F, "Erdogan" and "أردوغان" to R-D-K-N. Vowels (and the
letters Arabic uses to write them) are dropped, sounds English and Arabic
spell differently fall into one class. Exonyms whose sounds differ (Germany /
ألمانيا) come from a small table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.text.arabic import ARABIC_LETTER_RE, ARTICLE_PREFIXES, STOPWORDS, normalize, search_view, tokenize

# --- consonant skeletons ----------------------------------------------------

_EN_DIGRAPHS = (("kh", "K"), ("gh", "K"), ("sh", "C"), ("ch", "C"), ("th", "T"), ("ph", "F"), ("dh", "D"), ("ck", "K"), ("zh", "C"))
_EN_CLASS = {
    "b": "B", "p": "B", "t": "T", "d": "D", "s": "S", "z": "S", "c": "K", "k": "K", "q": "K",
    "g": "K", "j": "K", "x": "KS", "f": "F", "v": "F", "l": "L", "m": "M", "n": "N", "r": "R",
}
_AR_CLASS = {
    "ب": "B", "ت": "T", "ط": "T", "ث": "T", "د": "D", "ض": "D", "ذ": "D", "ظ": "D",
    "س": "S", "ص": "S", "ز": "S", "ش": "C", "ك": "K", "ق": "K", "غ": "K", "ج": "K", "خ": "K",
    "ف": "F", "ڤ": "F", "ل": "L", "م": "M", "ن": "N", "ر": "R", "پ": "B", "گ": "K", "چ": "C",
}
"""Arabic letters not listed (alef, waw, ya, hamza, ha, ain, ta marbuta) carry vowels or are silent in English."""


def _collapse(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=1 << 14)
def skeleton_en(word: str) -> str:
    """Consonant classes of a Latin-script word ("Peskov" -> "BSKF")."""
    w = word.lower()
    for digraph, cls in _EN_DIGRAPHS:
        w = w.replace(digraph, cls)
    return _collapse("".join(ch if ch.isupper() else _EN_CLASS.get(ch, "") for ch in w))


@lru_cache(maxsize=1 << 16)
def skeleton_ar(word: str) -> str:
    """Consonant classes of an Arabic word, its article dropped ("الأسد" -> "SD")."""
    w = normalize(word)
    for prefix in ARTICLE_PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 3:
            w = w[len(prefix):]
            break
    return _collapse("".join(_AR_CLASS.get(ch, "") for ch in w))


def _edit_distance_le1(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = 0
    edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


def skeletons_match(en: str, ar: str) -> bool:
    """Whether an English and an Arabic skeleton plausibly name the same thing."""
    if not en or not ar:
        return False
    if en == ar:
        return True
    if en.endswith("N") and en[:-1] == ar and len(ar) >= 2:  # Syrian/سوريا, Russian/روسيا
        return True
    return min(len(en), len(ar)) >= 4 and _edit_distance_le1(en, ar)


EXONYMS: dict[str, tuple[str, ...]] = {
    "germany": ("المانيا",), "german": ("الماني",), "damascus": ("دمشق",), "egypt": ("مصر",),
    "egyptian": ("مصري",), "greece": ("اليونان",), "greek": ("يونان",), "china": ("الصين",),
    "chinese": ("صيني",), "un": ("الامم المتحده",), "u.n.": ("الامم المتحده",),
    "united nations": ("الامم المتحده",), "security council": ("مجلس الامن",),
    "european union": ("الاتحاد الاوروبي",), "eu": ("الاتحاد الاوروبي",),
    "united states": ("الولايات المتحده", "امريكا", "اميركا"), "us": ("الولايات المتحده", "امريك", "اميرك"),
    "usa": ("الولايات المتحده",), "american": ("امريكي", "اميركي"), "america": ("امريكا", "اميركا"),
    "netherlands": ("هولندا",), "dutch": ("هولندي",), "switzerland": ("سويسرا",), "sweden": ("السويد",),
    "austria": ("النمسا",), "white house": ("البيت الابيض",), "west": ("الغرب",), "western": ("الغرب",),
    "kremlin": ("الكرملين",), "gulf": ("الخليج",), "hezbollah": ("حزب الله",), "muslim brotherhood": ("الاخوان",),
    "arab league": ("الجامعه العربيه",), "jerusalem": ("القدس",), "mecca": ("مكه",), "japan": ("اليابان",),
    "india": ("الهند",), "indian": ("هندي",), "algeria": ("الجزائر",), "morocco": ("المغرب",),
    "tunisia": ("تونس",), "yemen": ("اليمن",), "libya": ("ليبيا",), "sudan": ("السودان",),
    "saudi arabia": ("السعوديه",),
}
"""English names whose Arabic form a skeleton cannot find (keys lower-case, values normalised)."""

GENERIC_CAPITALISED = frozenset(
    """
    foreign ministry minister ministers president presidential prime council security defense defence
    affairs army forces force government parliament state states united nations national union general
    secretary office party republic democratic islamic arab arabic western eastern northern southern
    west east north south middle central international organization organisation agency news committee
    court supreme bank embassy ambassador spokesman spokesperson spokeswoman king queen prince sheikh
    emir mr mrs ms dr lord sir official officials election elections january february march april may
    june july august september october november december monday tuesday wednesday thursday friday saturday
    sunday english arabic what which who whom whose when where why how is are was were did does do can
    could would should will according the a an in on at of for from by with about
    """.split()
)
"""Capitalised English words that are titles, institutions or calendar words, not names to look for."""

ARTICLE_EN_RE = re.compile(r"^(?:[Aa]l|[Ee]l|[Aa][dnrstz]|[Aa]sh)-(?=[A-Z])")
"""The Arabic article as English transliterates it before a name ("al-Maliki", "el-Sisi", "ash-Sharaa"):
the name is the part after it, as the Arabic side drops its article when matching."""

_LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-.]*[A-Za-z]|[A-Za-z]")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


def _is_year(num: str) -> bool:
    return len(num) == 4 and 1900 <= int(num) <= 2100


def numbers_in(text: str) -> list[str]:
    """Numbers in ``text`` in ASCII, thousands separators dropped ("١٤,٠٠٠" -> "14000")."""
    out = []
    for m in _NUMBER_RE.finditer(normalize(text)):
        num = m.group().replace(",", "")
        if num.count(".") > 1:
            num = num.replace(".", "")
        out.append(num.rstrip("."))
    return out


_SUFFIXES = ("هما", "هم", "ها", "ات", "ون", "ين", "ان", "يه", "ه", "ا", "ي")


@lru_cache(maxsize=1 << 16)
def light_stems(token: str) -> frozenset[str]:
    """A token and its forms without one common suffix ("مرشحين" -> "مرشح", "صوتا" -> "صوت").

    Only for matching question words to evidence: a suffix comes off when at
    least three letters remain. Latin words and numbers are returned as they are.
    """
    forms = {token}
    if ARABIC_LETTER_RE.match(token):
        for suffix in _SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                forms.add(token[: -len(suffix)])
    return frozenset(forms)


def stem_doc_freqs(doc_freq: dict[str, int]) -> dict[str, int]:
    """Document frequency by light stem: the most passages any form of it appears in."""
    out: dict[str, int] = {}
    for token, df in doc_freq.items():
        for form in light_stems(token):
            if out.get(form, 0) < df:
                out[form] = df
    return out


@dataclass(frozen=True)
class Term:
    """A word of a question that evidence should contain, with its weight."""

    text: str
    kind: str  # "name", "number", "word"
    weight: float = 1.0
    alt: str | None = None
    """Another form that counts too (a word with its و/ف proclitic)."""


def fold_latin(text: str) -> str:
    """Latin letters without their accents ("José" -> "Jose"); other scripts untouched."""
    return "".join(
        "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)) if "\u00c0" <= ch <= "\u024f" else ch
        for ch in text
    )


def english_names(question: str) -> list[Term]:
    """Names and numbers in an English question (capitalised words not at its start, numbers not years)."""
    question = fold_latin(question)
    terms: list[Term] = []
    lowered = question.lower()
    for phrase in EXONYMS:
        if " " in phrase and phrase in lowered:
            terms.append(Term(phrase, "name"))
            lowered = lowered.replace(phrase, " ")
    words = [ARTICLE_EN_RE.sub("", w) for w in _LATIN_WORD_RE.findall(question)]
    for i, word in enumerate(words):
        key = word.lower().strip(".'")
        if i == 0 or not word[0].isupper() or key in GENERIC_CAPITALISED or len(key) < 2:
            if key in EXONYMS and i > 0 and word[0].isupper():
                terms.append(Term(key, "name"))
            continue
        if any(key in t.text.split() for t in terms):
            continue
        if key.endswith("'s"):
            key = key[:-2]
        terms.append(Term(key, "name"))
    terms.extend(Term(n, "number") for n in numbers_in(question) if not _is_year(n))
    return terms


def arabic_names(question: str) -> list[Term]:
    """Arabic-script names, Latin names and numbers that an Arabic question names."""
    terms = [Term(n, "number") for n in numbers_in(question) if not _is_year(n)]
    terms.extend(t for t in english_names(question) if t.kind == "name")
    return terms


@dataclass
class EvidenceText:
    """The sources' text prepared once for repeated look-ups."""

    text: str
    tokens: frozenset[str]
    stems: frozenset[str]
    skeletons: frozenset[str]
    numbers: frozenset[str]
    view: str

    @classmethod
    def of(cls, texts: Iterable[str]) -> EvidenceText:
        joined = "\n".join(texts)
        view = search_view(joined)
        words = re.findall(r"[^\W\d_]+", view)
        tokens = frozenset(tokenize(joined))
        return cls(
            text=joined,
            tokens=tokens,
            stems=frozenset(form for t in tokens for form in light_stems(t)),
            skeletons=frozenset(skeleton_ar(w) for w in words if ARABIC_LETTER_RE.match(w)),
            numbers=frozenset(numbers_in(joined)),
            view=view,
        )

    def has_name(self, name: str) -> bool:
        """Whether the evidence mentions an English or Arabic name."""
        key = name.lower()
        if key in EXONYMS:
            return any(form in self.view for form in EXONYMS[key])
        if ARABIC_LETTER_RE.search(name):
            return normalize(name) in self.view
        if re.search(rf"\b{re.escape(key)}\b", self.view):
            return True  # written in Latin script in the source
        skel = skeleton_en(key)
        if len(skel) < 2:
            return False
        return any(skeletons_match(skel, s) for s in self.skeletons)

    def has_number(self, num: str) -> bool:
        return num in self.numbers or any(n.startswith(num + ".") for n in self.numbers)

    def has(self, term: Term) -> bool:
        if term.kind == "number":
            return self.has_number(term.text)
        if term.kind == "name":
            return self.has_name(term.text)
        forms = light_stems(term.text) | (light_stems(term.alt) if term.alt else frozenset())
        return not forms.isdisjoint(self.stems)


def content_terms(tokens: Sequence[str], doc_freq: dict[str, int], n_docs: int) -> list[Term]:
    """A question's words worth finding (its BM25 ``tokens``), weighted by rarity in the corpus (absent
    words weigh most).

    ``doc_freq`` maps light stems to passage counts (see :func:`stem_doc_freqs`).
    """
    import math

    seen: set[str] = set()
    terms = []
    for i, token in enumerate(tokens):
        if i > 0 and tokens[i - 1][0] in "وف" and tokens[i - 1][1:] == token:
            continue  # the stem twin of the previous token: one word
        alt = tokens[i + 1] if i + 1 < len(tokens) and token[0] in "وف" and tokens[i + 1] == token[1:] else None
        if token in seen or token in QUESTION_WORDS or token.isdigit():
            continue
        seen.add(token)
        forms = light_stems(token) | (light_stems(alt) if alt else frozenset())
        df = max(doc_freq.get(f, 0) for f in forms)
        terms.append(Term(token, "word", math.log((n_docs + 1) / (df + 0.5)), alt))
    return terms


QUESTION_WORDS = frozenset(
    normalize(w)
    for w in """ماذا لماذا كيف متى اين أين كم اي أي ما من هل قال قالت يقول تقول بحسب حسب وفق وفقا ذكر ذكرت
    الذي التي هي هو شيء اخبرني أخبرني اشرح ماهي ماهو حول بخصوص بشان بشأن
    عليه عليها لديه لديها له لها منه منها عنه عنها فيه فيها به بها إليه اليه""".split()
) | STOPWORDS
"""Arabic words that shape a question but name nothing in it."""
