"""The words of reported speech: speech.toml's verbs, titles and phrases, normalised, and the few
closed word classes every stage of :mod:`assistant.text.speech` shares."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.text.arabic import normalize

__all__ = ["NAME_STOP", "WORD_RE", "ends_name", "Lexicon", "lexicon", "without_conjunction"]

WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u064b-\u065f\u0670\u0640])*")
NAME_STOP = frozenset(
    normalize(w)
    for w in """في عن حول بشأن بشان على من إلى الى خلال منذ بين حيال تجاه بخصوص بعد قبل عام سنة شهر
    يوم أمس اليوم لل ل بـ أن إن ان""".split()
)
"""Where an Arabic question's speaker ends: a preposition or a date word after the name."""


def ends_name(written: str, norm: str) -> bool:
    """Whether a word (as written, normalised) is one of :data:`NAME_STOP`. "على" (ى) is the preposition;
    "علي" written with ي is the name Ali ("علي خامنئي"): one word once normalised."""
    return norm in NAME_STOP and not (norm == "علي" and "ى" not in written)


@dataclass(frozen=True)
class Lexicon:
    """The reporting verbs and phrases of speech.toml, normalised."""

    verbs: frozenset[str]
    declined: tuple[tuple[str, ...], ...]
    continuation: frozenset[str]
    complementizers: frozenset[str]
    titles: frozenset[str]
    reported_from: frozenset[str]
    anaphors: frozenset[str]
    spokesmen: frozenset[str]
    """Titles that speak for the body named after them ("المتحدث باسم ..."), without the article."""
    honorifics: frozenset[str]
    what_was_said: frozenset[str]
    """Words that make a reporting verb with its object pronoun "what X said" ("ما أعلنه عون")."""
    context_openers: tuple[tuple[str, ...], ...]
    """Openings that tell where the last speaker spoke ("جاء ذلك خلال …")."""
    context_links: frozenset[str]
    """Words after which such a sentence's verb is the last speaker's ("حيث أشاد")."""
    connectives: frozenset[str]
    """Words that may open a continuing sentence before its verb ("كما أوضح", "إلا أنه أشار")."""
    ranks: frozenset[str]
    """Ranks and forms of address written between a title and a name ("الدكتور", "اللواء")."""
    continuing_participles: frozenset[str]
    """Reporting participles that, opening a sentence, continue the speaker of the one before ("مشيراً إلى أن")."""
    verbs_opening_a_report: frozenset[str]
    """Verbs that are also prepositions ("بيّن"/"بين"): verbs only opening a sentence, before a complementizer."""
    verbs_with_an: frozenset[str]
    """Verbs that are also prepositions ("عبر": expressed / via): verbs only with "عن" after their subject."""
    generic_anaphors: frozenset[str]
    """Nouns that refer back to whoever just spoke ("المسؤول")."""
    according_to: frozenset[str]
    """Words that name a report's source right after them ("بحسب الصباغ", "حسب المتحدث")."""
    complement_openers: frozenset[str]
    """Words after a continuing verb that open what was said ("يقول", "إلى", "على")."""
    complement_prefixes: tuple[str, ...]
    """Beginnings of such words ("قائلاً", "بأهمية")."""
    insiders: frozenset[str]
    """Officials and sources who speak for the body they are in ("مسؤولون في وزارة الخارجية")."""
    statement_nouns: frozenset[str]
    issued_by: frozenset[str]
    joint_subjects: frozenset[str]
    joint_participles: frozenset[str]
    adverbial_heads: frozenset[str]
    """Words that open an adverbial of the speaker's own before what was said ("وشدد لدى استقباله … على")."""
    fronted_openers: frozenset[str]
    """Words besides the prepositions that open a phrase put before the main clause ("وقبل المباراة …، قال")."""
    in_which: frozenset[str]
    """"In which" after a statement noun: what the statement holds follows ("بياناً جاء فيه")."""
    topic_openers: frozenset[str]
    """Words that open a question's topic ("عن سوريا", "about Syria"), Arabic normalised and English lower-cased."""
    english_verbs: frozenset[str]
    institution_words: frozenset[str]
    """English words that make a speaker an institution, not a person's name."""
    institutions: dict[str, tuple[str, ...]]
    """English institution -> its Arabic names (as written, not normalised: they are parsed as speakers)."""
    international: frozenset[str]
    """Institutions of no country ("the Arab League", "UNICEF"): looked for without a nationality, one word or several."""
    nationalities: dict[str, tuple[str, ...]]
    """English nationality or country -> the Arabic adjective, masculine, without the article, in each
    spelling the press uses ("أمريكي", "أميركي")."""
    group_heads: dict[str, frozenset[str]]
    """English words for a group ("group", "movement") -> the Arabic head nouns its name follows ("حركة")."""

    def is_verb(self, word: str) -> bool:
        return word in self.verbs or without_conjunction(word) in self.verbs

    def quotes_from(self, word: str) -> bool:
        """Whether a verb reports from a source named after "عن" ("نقلت وكالة تاس عن بيسكوف")."""
        return word in self.reported_from or without_conjunction(word) in self.reported_from

    def is_continuation(self, word: str) -> bool:
        return (bare := without_conjunction(word)) != word and bare in self.continuation


def without_conjunction(word: str) -> str:
    """A normalised word without a leading و or ف, taken from words of four letters or more only
    ("وأكد" -> "أكد"; "وفد" stays)."""
    return word[1:] if word[:1] in "وف" and len(word) > 3 else word


def _ministries(portfolios: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """English names of ministries ("justice ministry", "ministry of justice", "justice department",
    "department of justice") -> their Arabic names ("وزارة العدل"), from the portfolios table."""
    out: dict[str, tuple[str, ...]] = {}
    for english, arabic in portfolios.items():
        names = tuple(f"وزارة {a}" for a in arabic)
        for key in (f"{english} ministry", f"ministry of {english}", f"{english} department", f"department of {english}"):
            out[key.lower()] = names
    return out


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon shipped beside this module (loaded once)."""
    data = tomllib.loads((Path(__file__).with_name("speech.toml")).read_text(encoding="utf-8"))
    ar, en = data["arabic"], data["english"]

    def norm(words: list[str]) -> frozenset[str]:
        return frozenset(normalize(w) for w in words)

    return Lexicon(
        verbs=norm(ar["verbs"]),
        declined=tuple(tuple(normalize(p).split()) for p in ar["declined"]),
        continuation=norm(ar["continuation"]),
        complementizers=norm(ar["complementizers"]),
        titles=norm(ar["titles"]),
        reported_from=norm(ar["reported_from"]),
        anaphors=norm(ar["anaphors"]),
        spokesmen=frozenset(normalize(w).removeprefix("ال") for w in ar["spokesmen"]),
        honorifics=norm(ar["honorifics"]),
        what_was_said=norm(ar["what_was_said"]),
        context_openers=tuple(tuple(normalize(p).split()) for p in ar["context_openers"]),
        context_links=norm(ar["context_links"]),
        connectives=norm(ar["connectives"]),
        ranks=norm(ar["ranks"]),
        continuing_participles=norm(ar["continuing_participles"]),
        verbs_opening_a_report=norm(ar["verbs_opening_a_report"]),
        verbs_with_an=norm(ar["verbs_with_an"]),
        generic_anaphors=norm(ar["generic_anaphors"]),
        insiders=norm(ar["insiders"]),
        according_to=norm(ar["according_to"]),
        complement_openers=norm(ar["complement_openers"]),
        complement_prefixes=tuple(normalize(w) for w in ar["complement_prefixes"]),
        statement_nouns=norm(ar["statement_nouns"]) | norm(["ال" + w for w in ar["statement_nouns"]]),
        issued_by=norm(ar["issued_by"]),
        joint_subjects=norm(ar["joint_subjects"]),
        joint_participles=norm(ar["joint_participles"]),
        adverbial_heads=norm(ar["adverbial_heads"]),
        fronted_openers=norm(ar["fronted_openers"]),
        in_which=norm(ar["in_which"]),
        topic_openers=norm(ar["topic_openers"]) | frozenset(w.lower() for w in en["topic_openers"]),
        english_verbs=frozenset(w.lower() for w in en["verbs"]),
        institution_words=frozenset(w.lower() for w in en["institution_words"]),
        institutions=_ministries(en["portfolios"]) | {k.lower(): tuple(v) for k, v in (en["institutions"] | en["international"]).items()},
        international=frozenset(k.lower() for k in en["international"]),
        nationalities={k.lower(): (v,) if isinstance(v, str) else tuple(v) for k, v in en["nationalities"].items()},
        group_heads={k.lower(): norm(v) for k, v in en["group_heads"].items()},
    )
