"""Reported speech: is a question asking what someone said, and which sentences of an article are theirs?

:func:`statement_ask` reads "What did Peskov say in May 2021?", "ماذا قال بيسكوف
في أيار 2021؟", "هل علّق بيسكوف على ...؟" and returns the speaker asked about.
:class:`SpeakerMatch` finds that speaker in an article (across scripts: "Peskov"
is "بيسكوف"; and by the title the article itself gives the name: "المتحدث باسم
الكرملين ديمتري بيسكوف" makes "المتحدث باسم الكرملين" Peskov in that article),
and :func:`attributed` marks the sentences where the speaker speaks: a
reporting verb with the speaker as its subject ("وقال بيسكوف", "بيسكوف رفض
التعليق", "نقلت تاس عن بيسكوف تأكيده أن"), and the sentences that carry the
speaker on ("وأضاف أن ..."). The verbs are data (speech.toml), the one word
list of this stage.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from assistant.text.arabic import ARABIC_LETTER_RE, normalize
from assistant.text.dates import WEEKDAY
from assistant.text.spelling import MAX_COST, may_spell, name_cost, same_name
from assistant.text.terms import ARTICLE_EN_RE, EXONYMS, GENERIC_CAPITALISED, fold_latin

__all__ = ["Cue", "Lexicon", "SpeakerMatch", "StatementAsk", "Utterance", "attributed", "lexicon", "statement_ask"]

Cue = Literal["verb", "declined", "continuation", "statement", "joint"]
"""Why a sentence is the speaker's: a reporting verb with the speaker as subject, a refusal to
comment, a sentence carrying on the previous one's speaker, or one reporting what "the statement"
the speaker issued says ("وذكر البيان أن ..."), or a joint statement of two sides, the speaker one ("وأكد الجانبان")."""

_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u064b-\u065f\u0670\u0640])*")
_PROCLITICS = "وفبلك"
VSO_REACH = 9
"""Words a speaker may stand after its verb ("وقال المتحدث الرسمي باسم الكرملين، ديمتري بيسكوف")."""
SVO_REACH = 4
"""Words a verb may stand after its speaker ("بيسكوف رفض التعليق", "الشرع طالب روسيا")."""
SVO_BETWEEN = frozenset(normalize(w) for w in "قد وقد لقد كان كانت بدوره بدورها من جهته جهتها جانبه جانبها".split())
"""The only words that may stand between a speaker and its verb ("الصباغ، قد أعلن", "بيسكوف من جهته قال");
any other ("والفلاسي هو ثاني عسكري تعلن الإمارات ...") makes the verb another subject's."""
PREPOSITIONS = frozenset(normalize(w) for w in "عن في على مع إلى الى من حول بشأن بشان ضد لدى عند بين تجاه حيال".split())
"""Between a verb and a name these make the name an addressee or a topic ("تتحدث عن خطط بوتين",
"في اتصال مع بوتين"), not the speaker -- except "عن" naming whom a report quotes ("نقلت تاس عن بيسكوف")."""


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
    honorifics: frozenset[str]
    connectives: frozenset[str]
    """Words that may open a continuing sentence before its verb ("كما أوضح", "إلا أنه أشار")."""
    ranks: frozenset[str]
    """Ranks and forms of address written between a title and a name ("الدكتور", "اللواء")."""
    continuing_participles: frozenset[str]
    """Reporting participles that, opening a sentence, continue the speaker of the one before ("مشيراً إلى أن")."""
    verbs_opening_a_report: frozenset[str]
    """Verbs that are also prepositions ("بيّن"/"بين"): verbs only opening a sentence, before a complementizer."""
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
    english_verbs: frozenset[str]
    institution_words: frozenset[str]
    """English words that make a speaker an institution, not a person's name."""
    institutions: dict[str, tuple[str, ...]]
    """English institution -> its Arabic names (as written, not normalised: they are parsed as speakers)."""
    nationalities: dict[str, str]
    """English nationality or country -> the Arabic adjective, masculine, without the article."""

    def is_verb(self, word: str) -> bool:
        return word in self.verbs or (len(word) > 3 and word[0] in "وف" and word[1:] in self.verbs)

    def quotes_from(self, word: str) -> bool:
        """Whether a verb reports from a source named after "عن" ("نقلت وكالة تاس عن بيسكوف")."""
        return word in self.reported_from or (len(word) > 3 and word[0] in "وف" and word[1:] in self.reported_from)

    def is_continuation(self, word: str) -> bool:
        return word[0] in "وف" and word[1:] in self.continuation if len(word) > 3 else False


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
        honorifics=norm(ar["honorifics"]),
        connectives=norm(ar["connectives"]),
        ranks=norm(ar["ranks"]),
        continuing_participles=norm(ar["continuing_participles"]),
        verbs_opening_a_report=norm(ar["verbs_opening_a_report"]),
        generic_anaphors=norm(ar["generic_anaphors"]),
        insiders=norm(ar["insiders"]),
        according_to=norm(ar["according_to"]),
        complement_openers=norm(ar["complement_openers"]),
        complement_prefixes=tuple(normalize(w) for w in ar["complement_prefixes"]),
        statement_nouns=norm(ar["statement_nouns"]) | norm(["ال" + w for w in ar["statement_nouns"]]),
        issued_by=norm(ar["issued_by"]),
        joint_subjects=norm(ar["joint_subjects"]),
        joint_participles=norm(ar["joint_participles"]),
        english_verbs=frozenset(w.lower() for w in en["verbs"]),
        institution_words=frozenset(w.lower() for w in en["institution_words"]),
        institutions={k.lower(): tuple(v) for k, v in en["institutions"].items()},
        nationalities={k.lower(): v for k, v in en["nationalities"].items()},
    )


# --- the question ------------------------------------------------------------


@dataclass(frozen=True)
class StatementAsk:
    """A question about what someone said: the speaker as the question writes it."""

    speaker: str
    verb: str
    topic: str = ""
    """The question's words after the speaker (and verb): what the statements should be about, if anything."""
    match: SpeakerMatch = field(init=False, compare=False, repr=False)
    """The speaker parsed (once, here) into what an article's words are matched against."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "match", SpeakerMatch.of(self.speaker))

    def shorter(self) -> StatementAsk | None:
        """The same question with the speaker's last word moved to the topic ("الكرملين المحادثة" ->
        "الكرملين"): an Arabic question does not mark where its speaker ends; None for one word."""
        words = self.speaker.split()
        if len(words) < 2 or not ARABIC_LETTER_RE.search(self.speaker):
            return None
        if all(normalize(w) in lexicon().titles for w in words[:-1]):
            return None  # "رئيس وزراء كندا" is not "رئيس وزراء" or "رئيس": a title alone names nobody
        return StatementAsk(" ".join(words[:-1]), self.verb, f"{words[-1]} {self.topic}".strip())


_EN_ASK = (
    r"\b(?:what|what\s+else|which\s+\w+)\s+(?:did|has|have|had|does|do)\s+(?P<x>.+?)\s+(?P<v>(?-i:{verbs}))\b",
    r"^\s*(?:did|has|have|had|does)\s+(?P<x>.+?)\s+(?P<v>(?-i:{verbs}))\b",
    r"\b(?:what|how)\s+(?:was|were|is|has\s+been)\s+(?:said|stated|announced|claimed|declared)\s+by\s+(?P<x>[^?,.;]+)(?P<v>)",
    r"\b(?P<x>[^\s?,.;]+(?:\s+[^\s?,.;]+){{0,3}}?)['’]s\s+(?P<v>statements?|remarks?|comments?|words|position|stance|response|reaction)\b",
)
_AR_INTERROGATIVE = frozenset(normalize(w) for w in "ماذا بماذا بم عم عما ما هل الذي وماذا وهل".split())
"""Words that ask what was said ("كيف وصف X ...؟" asks for one description: the reader answers it)."""
_AR_NOUNS = frozenset(normalize(w) for w in "تصريحات تصريح أقوال موقف رد تعليق بيان".split())
"""Nouns that ask for statements: "ما تصريحات X", "ما موقف X من ...", "ما رد X", "ماذا جاء في بيان X"."""
_AR_STOP = frozenset(
    normalize(w)
    for w in """في عن حول بشأن بشان على من إلى الى خلال منذ بين حيال تجاه بخصوص بعد قبل عام سنة شهر
    يوم أمس اليوم لل ل بـ أن إن ان""".split()
)
"""Where an Arabic question's speaker ends: a preposition or a date word after the name."""


@lru_cache(maxsize=1)
def _english_patterns() -> tuple[re.Pattern[str], ...]:
    verbs = "|".join(sorted(lexicon().english_verbs, key=len, reverse=True))
    return tuple(re.compile(p.format(verbs=verbs), re.IGNORECASE) for p in _EN_ASK)


_AR_AUXILIARIES = frozenset(normalize(w) for w in "تم يتم يمكن أن ان هو هي".split())
"""Right before a verb-like word these make it no question of what was said: "هل تم ذكر ...",
"هل يمكن أن ...", "ما هو وزن ذكر ..." (a noun)."""


def _past(word: str, lex: Lexicon) -> bool:
    """A reporting verb in a form that asks what was said: not the present ("ماذا تعتبر مسقط؟",
    "ماذا تقول النظرية؟" ask what something is) and not a participle."""
    return word in lex.verbs and not (word[:1] in "يت" and word[1:2] != "ا" and len(word) > 3) and not word.startswith("م")


def statement_ask(question: str, language: str) -> StatementAsk | None:
    """The speaker a question asks the statements of, or None for any other question."""
    lex = lexicon()
    if language == "en":
        for pattern in _english_patterns():
            m = pattern.search(question)
            if m is None:
                continue
            speaker = re.sub(r"^(?:(?:how|what|when|did|does|has|have|the|a|an)\s+)+", "", m.group("x").strip(), flags=re.IGNORECASE)
            ask = StatementAsk(speaker, m.group("v").lower(), question[m.end() :].strip())
            if speaker and not ask.match.empty:
                if not ask.match.latin and re.search(rf"\bthe\s+{re.escape(speaker)}$", m.group("x"), re.IGNORECASE):
                    return replace(ask, speaker=f"the {speaker}")  # an institution keeps its article: "What the Kremlin said"
                return ask
        return None
    words = [(m.group(), normalize(m.group()), m.start(), m.end()) for m in _WORD_RE.finditer(question)]
    for i, (_, word, _, _) in enumerate(words):
        asking = any(w in _AR_INTERROGATIVE for _, w, _, _ in words[max(0, i - 3) : i])
        bare = word[1:] if word[:1] in "وف" and len(word) > 3 else word
        is_verb = _past(bare, lex) or (bare.endswith("ه") and _past(bare[:-1], lex))
        passive = any(w in _AR_AUXILIARIES for _, w, _, _ in words[max(0, i - 2) : i])
        if not asking or passive or not (is_verb or bare in _AR_NOUNS):
            continue
        j = i + 1
        while j < len(words) and words[j][1] not in _AR_STOP and j - i <= 12:
            j += 1
        if j == i + 1:
            continue
        for k in range(j, len(words) - 1):  # "المدير الطبي ... في مخيم الزعتري الدكتور محمد الزعبي": the name after the place
            if words[k][1] in lex.titles and not _has_article(words[k + 1][1]) and words[k + 1][1] not in _AR_STOP:
                j = k + 2
                while j < len(words) and words[j][1] not in _AR_STOP and j - k <= 5:
                    j += 1
                break
        return StatementAsk(question[words[i + 1][2] : words[j - 1][3]], words[i][0], question[words[j - 1][3] :].strip())
    return None


# --- the speaker in an article --------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word of an article: its offsets, its normalised form, and the forms it may be read as."""

    start: int
    end: int
    norm: str
    forms: frozenset[str]
    """``norm`` and its readings without a proclitic (و/ف, then ب/ل/ك) and without the article ال,
    each keeping at least three letters: "وبيسكوف" is read as "بيسكوف", "والكرملين" as "كرملين"."""
    clitic: str = ""
    """The proclitic letters of the shortest reading ("ل" in "لبوتين" read as "بوتين")."""


def _readings(norm: str) -> tuple[frozenset[str], str]:
    forms = {norm, _strip_article(norm)}
    clitic = ""
    w = norm
    for letters in ("وف", "بلك"):
        if len(w) > 3 and w[0] in letters and not w.startswith("ال"):
            clitic += w[0]
            w = w[1:]
            forms |= {w, _strip_article(w)}
    return frozenset(forms), clitic


_FAMILY = frozenset(normalize(w) for w in "آل بن بنت ابن أبو".split())
"""Words that make the name after them a family or father's name ("آل الشيخ", "بن تركي")."""


def words_of(text: str, start: int = 0, end: int | None = None) -> list[Word]:
    """The words of ``text[start:end]`` with their offsets (diacritics and tatweel stay inside a word);
    "عبد الرحمن" is one word, as "عبدالرحمن" is written too."""
    out: list[Word] = []
    for m in _WORD_RE.finditer(text, start, len(text) if end is None else end):
        norm = normalize(m.group())
        if not norm:
            continue
        begin = m.start()
        if out and out[-1].norm.lstrip("وفبل") == "عبد" and norm.startswith("ال") and not text[out[-1].end : begin].strip():
            begin, norm = out[-1].start, out.pop().norm + norm
        forms, clitic = _readings(norm)
        out.append(Word(begin, m.end(), norm, forms, clitic))
    return out


def _has_article(word: str) -> bool:
    """Whether a normalised word carries the article, alone or after ل ("العيادات", "للعيادات")."""
    return word.startswith("ال") or word.startswith("لل")


def _strip_article(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


Mention = tuple[int, int, bool]
"""Where a speaker is named in a sentence's words: first and last word index, and whether the name
carries the preposition ل ("لبوتين": to Putin, an addressee)."""


@dataclass(frozen=True)
class SpeakerMatch:
    """Finds one speaker's name in an article's words, in Arabic or Latin script."""

    phrase: tuple[str, ...]
    """The name as the question writes it, normalised words without the article (Arabic); an English
    institution's first Arabic name ("the Syrian presidency": رئاسه سوريه); else empty."""
    surname: str | None
    """A person's last name alone also counts ("بيسكوف" for "ديمتري بيسكوف")."""
    latin: tuple[str, ...]
    """A Latin-script name's words, lower-case, the last name last ("dmitry", "peskov")."""
    given: str | None = None
    """An Arabic person's first name ("بندر" of "وزير الحج بندر حجار"): an article must write it
    somewhere for the last name alone to count there."""
    spellings: frozenset[str] | None = None
    """The Arabic spellings of the last name an archive uses (:meth:`spelled`); None: any close spelling."""
    exonyms: tuple[tuple[str, ...], ...] = ()
    """Other phrases that name the speaker: the Arabic forms of a Latin-script name a skeleton cannot
    find (the Kremlin: الكرملين); an Arabic name without its title, an institution by its bare noun."""

    @classmethod
    def of(cls, speaker: str) -> SpeakerMatch:
        lex = lexicon()
        if ARABIC_LETTER_RE.search(speaker):
            raw = [w.norm for w in words_of(speaker)]
            phrase = tuple(_strip_article(w) for w in raw)
            variants: list[tuple[str, ...]] = []
            titled = 0
            while titled < len(raw) - 1 and raw[titled] in lex.titles:
                titled += 1
            rest = raw[titled:]
            # a person: a word without the article after the first ("حمودة الصباغ", "بشار الأسد",
            # "وزير التعليم عزام الدخيل"), or a bare last word ("وزير الحج بندر حجار")
            body = "ال" + rest[0].removeprefix("ال") in lex.anaphors  # "مؤسسة النقد العربي السعودي" is no one's name
            person = len(rest) >= 2 and not body and any(not _has_article(w) and w not in lex.titles and w not in _AR_STOP for w in rest)
            surname = phrase[-1] if person and len(phrase[-1]) >= 3 else None
            family = surname is not None and len(raw) >= 3 and raw[-2] in _FAMILY
            if family:  # "فيصل بن تركي", "عبدالعزيز آل الشيخ": the last name is both words ("تركي" alone is "Turkish")
                variants.append((raw[-2], surname))
                surname = None
            named = [k for k, w in enumerate(raw) if not _has_article(w) and w not in _AR_STOP and w not in lex.titles and w not in _FAMILY]
            before = len(raw) - (3 if family else 2)  # the given name is the word before the last name,
            while before >= 2 and raw[before - 1] in _FAMILY:  # or before its father's ("راشد بن عبدالله آل خليفة")
                before -= 2
            after_title = raw[max((k + 1 for k, w in enumerate(raw[: before + 1]) if w in lex.titles), default=0) :]
            names = [w for w in after_title if not _has_article(w) and w not in _AR_STOP and _strip_article(w) != surname]
            given = raw[before] if person and before in named else (names[0] if (surname is not None or family) and names else None)
            if titled and (len(rest) >= 2 or not rest[0].startswith("ال")):  # "وزارة الخارجية الروسية" -> "الخارجية الروسية"
                variants.append(tuple(_strip_article(w) for w in rest))
            anaphor = "ال" + raw[0].removeprefix("ال")
            if anaphor in lex.anaphors:  # "... وأكدت الوزارة", "... وأكد الوزير"
                variants.append((anaphor,))
            return cls(phrase, surname, (), given=given, exonyms=tuple(variants))
        name = _latin_name(speaker)
        if name:
            return cls((), None, name)
        forms = institution_names(speaker)
        if forms:  # "the Syrian presidency": the Arabic names, each read as an Arabic speaker would be
            readings = [cls.of(f) for f in forms]
            first, *others = dict.fromkeys(p for m in readings for p in (m.phrase, *m.exonyms))
            return cls(first, None, (), exonyms=tuple(others))
        lowered = speaker.lower()
        exonyms = tuple(
            tuple(_strip_article(w) for w in normalize(form).split())
            for key, forms in EXONYMS.items() if re.search(rf"\b{re.escape(key)}\b", lowered) and lowered.endswith(key) for form in forms
        )
        acronym = re.search(r"\(([A-Z]{2,6})\)", speaker)
        if not exonyms and acronym:  # "the Saudi Arabian Monetary Agency (SAMA)": its acronym, by sound (ساما)
            return cls((), None, (acronym.group(1).lower(),))
        return cls((), None, (), exonyms=exonyms)

    def spelled(self, vocabulary: Iterable[str]) -> SpeakerMatch:
        """This match with the last name's Arabic spellings found in ``vocabulary`` (an index's words):
        the closest ones for a name given alone ("Putin": بوتين, not باطن), every close one when the
        full name is given (an article must then also write the full name, see :meth:`named_in`)."""
        if not self.latin:
            return self
        costs = [(name_cost(self.latin[-1], w), w) for w in vocabulary if may_spell(self.latin[-1], w)]
        close = [(c, w) for c, w in costs if c <= MAX_COST]
        if len(self.latin) == 1 and close:
            best = min(c for c, _ in close)
            close = [(c, w) for c, w in close if c <= best + 0.05]
        return replace(self, spellings=frozenset(w for _, w in close))

    def named_in(self, words: list[Word]) -> bool:
        """Whether an article's words name the speaker in full: an Arabic person's first name must be
        there (the last name alone is often a common word or another person's); a Latin-script name of several words
        whose last name the archive spells several ways must stand whole once ("جون كيري" for "John
        Kerry": "خيري" and "جيري" spell "Kerry" too); any other speaker needs no such check."""
        if self.given is not None:
            return any(self.given in w.forms for w in words)
        if len(self.latin) < 2 or (self.spellings is not None and len(self.spellings) <= 1):
            return True  # one word, or a last name spelled one way only in the archive ("فابيوس")
        given = self.latin[-2]
        return any(
            self._reading(words[i + 1]) is not None and any(name_cost(given, f) <= 1.0 for f in words[i].forms)
            for i in range(len(words) - 1)
        )

    @cached_property
    def own(self) -> frozenset[str]:
        """The words of the speaker's name as asked, in all its readings."""
        return frozenset(self.phrase) | frozenset(w for p in self.exonyms for w in p)

    @cached_property
    def titled(self) -> bool:
        """Whether the question gives the speaker a title ("رئيس الوزراء التركي …")."""
        lex = lexicon()
        return any(w in lex.titles or "ال" + w in lex.titles for w in self.phrase)

    def within(self, words: list[Word]) -> SpeakerMatch | None:
        """This match as one article's words allow it, or None when they do not name the speaker
        (:meth:`named_in`). Where the archive spells a last name several ways and the article writes the
        whole name, only the spellings it writes beside the first name count there: "عادل الجبير"
        makes "الجبير" Jubeir in that article, not "كبير" (big), another close spelling of "Jubeir"."""
        if not self.named_in(words):
            return None
        if len(self.latin) < 2 or self.spellings is None or len(self.spellings) <= 1:
            return self
        given = self.latin[-2]
        beside = {
            reading for i in range(len(words) - 1)
            if (reading := self._reading(words[i + 1])) is not None and any(name_cost(given, f) <= 1.0 for f in words[i].forms)
        }
        return replace(self, spellings=frozenset(beside)) if beside else self

    @property
    def empty(self) -> bool:
        """Whether nothing could be looked for (an English title or body with no Arabic form known)."""
        return not (self.phrase or self.latin or self.exonyms)

    def _reading(self, word: Word) -> str | None:
        """The reading of ``word`` that is the speaker's name alone, if one is."""
        for form in sorted(word.forms, key=len, reverse=True):
            if self.surname is not None and form == self.surname:
                return form
            if self.latin and ARABIC_LETTER_RE.match(form):
                if form in self.spellings if self.spellings is not None else same_name(self.latin[-1], form):
                    return form
        return None

    def names(self, word: Word) -> bool:
        """Whether one word is the speaker's (last) name."""
        return self._reading(word) is not None

    def find(self, words: list[Word]) -> list[Mention]:
        """Where the speaker is named in ``words``."""
        found: list[Mention] = []
        covered: set[int] = set()
        for phrase in sorted((self.phrase, *self.exonyms), key=len, reverse=True):  # the longest reading of a span wins
            n = len(phrase)
            for i in range(len(words) - n + 1) if n else ():
                if covered.isdisjoint(range(i, i + n)) and all(phrase[k] in words[i + k].forms for k in range(n)):
                    if n == 1 and phrase[0].startswith("ال") and _named_on(words, i, self.own):
                        continue
                    found.append((i, i + n - 1, _addressed(words[i], phrase[0])))
                    covered.update(range(i, i + n))
        for i, w in enumerate(words):
            reading = None if i in covered else self._reading(w)
            if reading is not None:
                found.append((i, i, _addressed(w, reading)))
        return sorted(found)


_PARTICLES = frozenset("van von de der den da di du del la le el al bin ibn abu bint".split())


def _latin_name(speaker: str) -> tuple[str, ...]:
    """The person's name at the end of an English speaker ("Kremlin spokesman Dmitry Peskov" ->
    ("dmitry", "peskov"); "Robin van Persie"; "Maher Al-Hadrawi, executive director ..." -> the name
    before the comma); empty for a title or an institution ("the Syrian presidency")."""
    words = [ARTICLE_EN_RE.sub("", w) for w in _LATIN_WORD.findall(fold_latin(speaker).split(",")[0])]  # "al-Jubeir": Jubeir
    if any(w.lower() in lexicon().institution_words for w in words):
        return ()
    run: list[str] = []
    for word in reversed(words):
        key = word.lower()
        if word[0].isupper() and key not in GENERIC_CAPITALISED and key not in EXONYMS or (run and key in _PARTICLES):
            run.insert(0, key.removesuffix("'s"))
        else:
            break
    return tuple(run)


def institution_names(speaker: str) -> list[str]:
    """The Arabic names of an institution an English question names ("the Syrian presidency" ->
    "الرئاسة السورية", "الرئاسة السوري"; "Saudi foreign ministry" -> "وزارة الخارجية السعودية", ...),
    the institution's noun then the nationality's adjective in both genders; empty when no institution of
    speech.toml is named, or a one-word one without a nationality ("the government": whose?)."""
    lex = lexicon()
    lowered = " ".join(w.lower().removesuffix("'s") for w in _LATIN_WORD.findall(speaker))
    keys = [k for k in lex.institutions if re.search(rf"\b{re.escape(k)}\b", lowered)]
    if not keys:
        return []
    key = max(keys, key=len)
    nationality = next((lex.nationalities[w] for w in lowered.split() if w in lex.nationalities), None)
    if nationality is None:
        return list(lex.institutions[key]) if " " in key else []
    return [f"{form} ال{nationality}{ending}" for form in lex.institutions[key] for ending in ("ة", "")]


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def _addressed(word: Word, reading: str) -> bool:
    """Whether the name was read off the word by taking away the preposition ل."""
    return reading not in (word.norm, _strip_article(word.norm)) and word.clitic.endswith("ل")


TITLE_REACH = 10
"""Most words a title may open before the name it learns ("رئيس هيئة الأركان العامة في اليمن اللواء محمد المقدشي")."""

TITLE_GAP = 4
"""Most words of a given name between a title and the name it learns ("وزير الحج بندر بن محمد حجار")."""


def titles_of(words: list[Word], mentions: list[Mention]) -> set[tuple[str, ...]]:
    """The titles an article puts right before the speaker's name ("المتحدث باسم الكرملين، ديمتري
    بيسكوف" -> ("المتحدث", "باسم", "الكرملين")): the speaker's other names in that article."""
    lex = lexicon()
    titles: set[tuple[str, ...]] = set()
    for first, _, _ in mentions:
        heads = [i for i in range(max(0, first - TITLE_REACH), first) if words[i].forms & lex.titles]
        if not heads:
            continue
        h = heads[0]
        end = h + 1
        while end < first and (words[end].norm.startswith("ال") or words[end].forms & lex.titles or words[end].norm == "باسم"
                               or _placed(words, end, first)):
            end += 1
        if end < first - TITLE_GAP or any(_has_article(words[i].norm) for i in range(end, first)):
            continue  # only a given name ("بندر بن محمد") between the title and the name
        while end - h > 2 and words[end - 1].forms & lex.ranks:  # "وزير الحج الدكتور بندر": "وزير الحج"
            end -= 1
        if end - h >= 2:
            titles.add(tuple(_strip_article(min(words[i].forms & lex.titles, default=words[i].norm)) for i in range(h, end)))
    return titles


def _placed(words: list[Word], k: int, first: int) -> bool:
    """Whether ``words[k]`` is "في" before a defined place inside a title ("رئيس هيئة الأركان العامة في اليمن")."""
    return words[k].norm == "في" and k + 1 < first and words[k + 1].norm.startswith("ال")


TITLE_PREFIX = 3
"""Fewest words of a learnt title that still name its holder when an article shortens it later
("رئيس هيئة الأركان العامة في اليمن" ... "وجدد رئيس هيئة الأركان")."""


def _shortened(title: tuple[str, ...]) -> set[tuple[str, ...]]:
    """A title and its shorter forms of at least :data:`TITLE_PREFIX` words, none ending on "في"."""
    return {title} | {title[:n] for n in range(TITLE_PREFIX, len(title)) if title[n - 1] != "في"}


def _named_on(words: list[Word], last: int, own: frozenset[str], *, nisba: bool = False) -> bool:
    """Whether a bare noun or a learnt title ending at ``words[last]`` is named on as another body or
    holder by the word right after it ("المؤسسة العامة للتدريب", "وزير الخارجية الإيراني"): one with the
    article or ل, not in the speaker's own name, nor a weekday ("وأكدت الوزارة الأربعاء"). With
    ``nisba`` only an adjective of belonging (-ي, -ية) counts: after a title, a noun with the article is
    as often the verb's object ("وجدد رئيس هيئة الأركان التأكيد")."""
    if last + 1 >= len(words) or words[last].end + 1 != words[last + 1].start:
        return False
    after = words[last + 1]
    if nisba:
        return _has_article(after.norm) and after.norm.endswith(("ي", "يه")) and not after.forms & own
    qualifies = _has_article(after.norm) or after.clitic.endswith("ل") or after.norm.startswith("لل")
    return qualifies and not after.forms & own and not re.fullmatch(WEEKDAY, after.norm)


def _titled_otherwise(words: list[Word], mention: Mention, speaker: SpeakerMatch, learnt: set[tuple[str, ...]]) -> bool:
    """Whether a last name alone is another person's by the title the article gives it (``learnt``, the
    titles before this mention): the question titles its speaker ("رئيس الوزراء التركي أحمد داود أوغلو")
    and the article puts a title of another head right before the name ("وزير الخارجية التركي مولود
    جاويش أوغلو")."""
    first, last, _ = mention
    if first != last or speaker.surname is None or not speaker.titled or not speaker.names(words[first]):
        return False
    lex = lexicon()
    heads = (next((w for w in title if w not in lex.ranks and "ال" + w not in lex.ranks), None) for title in learnt)
    return any(head is not None and head not in speaker.own for head in heads)  # "معالي وزير الحج": the head is "وزير"


def _find_titles(words: list[Word], learnt: set[tuple[str, ...]]) -> list[Mention]:
    found: list[Mention] = []
    titles = set().union(*(_shortened(t) for t in learnt)) if learnt else set()
    for title in titles:
        n = len(title)
        found.extend(
            (i, i + n - 1, False) for i in range(len(words) - n + 1) if all(title[k] in words[i + k].forms for k in range(n))
        )
    return found


# --- sentences that are the speaker's -------------------------------------------


@dataclass(frozen=True)
class Utterance:
    """A sentence of an article in which the speaker speaks: ``text[start:end]``."""

    start: int
    end: int
    cue: Cue


def _speaks(words: list[Word], mentions: list[Mention], own: frozenset[str] = frozenset()) -> Cue | None:
    """Whether a sentence's words make a mentioned speaker the subject of a reporting verb (``own``:
    the words of the speaker's name as asked, which may stand between the verb and the name)."""
    lex = lexicon()
    verbs = [i for i, w in enumerate(words) if lex.is_verb(w.norm)]
    if words and words[0].norm.lstrip("وف") in lex.verbs_opening_a_report and any(w.norm in lex.complementizers for w in words[2:]):
        verbs.insert(0, 0)  # "وبيّن الصباغ أن ...", not "بين الطرفين"
    for first, last, addressed in mentions:
        if addressed and not _owner(words, first):
            continue
        if first > 0 and words[first - 1].norm.lstrip("وف") in lex.according_to:
            return "verb"  # "والذي بلغ بحسب الصباغ 14 مليون": an indirect report, the name its source
        for phrase in lex.declined:
            n = len(phrase)
            if any(all(phrase[k] in words[i + k].forms for k in range(n))
                   for i in range(last + 1, min(len(words) - n + 1, last + 1 + SVO_REACH))):
                return "declined"
        for v in verbs:
            between = range(v + 1, first)
            if (v < first <= v + VSO_REACH and not any(_blocks(words, k, first, lex.quotes_from(words[v].norm)) for k in between)
                    and sum(1 for k in between if _foreign(words[k], own)) <= 2 and not (between and _coordinated(words[first], own))):
                return "verb"
            if last < v <= last + SVO_REACH and all(words[k].norm in SVO_BETWEEN for k in range(last + 1, v)):
                if first == 0 or words[first - 1].norm not in PREPOSITIONS:
                    return "verb"
        subject = first == 1 or first == 2 and bool(words[1].forms & lex.titles)  # of the opening verb
        if subject and _opens_clause(words[0]) and any(w.norm in lex.continuing_participles for w in words[last + 1 :]):
            return "verb"  # "رفع وزير الحج … التهاني، سائلاً المولى أن …": the subject of the opening verb goes on to speak
    return None


def _opens_clause(word: Word) -> bool:
    """Whether a sentence's first word may be its verb (not a noun with the article, a preposition or a particle)."""
    bare = word.norm[1:] if word.norm[:1] in "وف" and len(word.norm) > 3 else word.norm
    return not _has_article(word.norm) and bare not in PREPOSITIONS and bare not in lexicon().complementizers and len(bare) >= 3


def _owner(words: list[Word], first: int) -> bool:
    """Whether a name with ل attached owns the title before it ("الأمانة العامة لمنظمة التعاون",
    "المتحدث الرسمي لوزارة الداخلية"), and so speaks through it, rather than being addressed."""
    lex = lexicon()
    before = words[max(0, first - 2) : first]
    return any(w.forms & lex.titles for w in before) and all(_has_article(w.norm) or w.forms & lex.titles for w in before)


def _coordinated(word: Word, own: frozenset[str]) -> bool:
    """Whether a name after a verb's first words comes with the conjunction و ("وناشد المفتي الدول
    العربية … ومنظمة التعاون"): one of a list the verb is about, not its subject."""
    return word.norm.startswith("و") and word.norm not in own and _strip_article(word.norm) not in own


def _foreign(word: Word, own: frozenset[str]) -> bool:
    """A word between a verb and a name that is no part of a title or of the name: a given name, an
    object ("وأكدت القيادة العامة «استشهاد» سيف ..." -- more than two, and the name is not the subject)."""
    lex = lexicon()
    return not (_has_article(word.norm) or word.forms & lex.titles or word.forms & own or word.norm in ("باسم", "عن"))


def _blocks(words: list[Word], k: int, name: int, quoting: bool) -> bool:
    """Whether ``words[k]``, between a verb and a name, makes the name something other than the verb's
    subject: a complementizer or another verb (the name is in what was said), or a preposition
    (an addressee or topic) -- except "عن" right before the name after a quoting verb."""
    lex = lexicon()
    norm = words[k].norm
    if norm in lex.complementizers or lex.is_verb(norm):
        return True
    if norm == "في" and k > 0 and words[k - 1].norm in lex.insiders:
        return False  # "وأشار مسؤولون في الوزارة": the body speaks through them
    return norm in PREPOSITIONS and not (quoting and norm == "عن" and k == name - 1)


def _carries_on(text: str, words: list[Word]) -> bool:
    """Whether a sentence opens with a continuing verb and no speaker of its own ("وأضاف أن ...", "وتابع: ...",
    "كما أوضح، أن ...")."""
    lex = lexicon()
    lead = 0
    while lead < 2 and lead < len(words) - 1 and words[lead].norm.lstrip("وف") in lex.connectives:
        lead += 1
    if lead and words[lead].norm in lex.continuation:
        words = words[lead:]
    elif not words or not lex.is_continuation(words[0].norm):
        return False
    if len(words) == 1:
        return True
    gap = text[words[0].end : words[1].start]
    if _quoted_subject(text, words):
        return False
    after = words[1].norm
    return (any(ch in gap for ch in ":،,\"“«") or after in lex.complementizers or after in lex.honorifics
            or after in lex.complement_openers or after.startswith(lex.complement_prefixes))


def _quoted_subject(text: str, words: list[Word]) -> bool:
    """Whether the quotation marks after a verb hold a name, then what it said ("وقال “كيري” إنه …"): a
    new speaker, not a quotation that carries on the last one. The words after the verb (one to three)
    are closed by a quotation mark and followed by a complementizer."""
    lex = lexicon()
    for k in range(2, min(len(words), 5)):
        closing = text[words[k - 1].end : words[k].start]
        if any(ch in closing for ch in "\"”»"):
            return words[k].norm in lex.complementizers
    return False


def _anaphors(words: list[Word]) -> list[Mention]:
    """Where a sentence refers back to whoever just spoke ("ولفت المسؤول اليمني")."""
    lex = lexicon()
    return [(i, i, False) for i, w in enumerate(words) if w.norm in lex.generic_anaphors]


def _reports(words: list[Word]) -> bool:
    """Whether a sentence has a reporting verb at all (someone, perhaps another speaker, speaks in it)."""
    lex = lexicon()
    return any(lex.is_verb(w.norm) for w in words)


def attributed(text: str, sentences: list[tuple[int, int]], speaker: SpeakerMatch) -> list[Utterance]:
    """The sentences (given as spans, in text order) in which ``speaker`` speaks."""
    words = [words_of(text, a, b) for a, b in sentences]
    narrowed = speaker.within([w for ws in words for w in ws])
    if narrowed is None:
        return []
    speaker = narrowed
    own = speaker.own
    mentions: list[list[Mention]] = []
    titles: set[tuple[str, ...]] = set()
    for ws in words:  # each mention's titles, learnt once: they both drop a mention titled otherwise and name the speaker later
        kept = []
        for mention in speaker.find(ws):
            learnt = titles_of(ws, [mention])
            if not _titled_otherwise(ws, mention, speaker, learnt):
                kept.append(mention)
                titles |= learnt
        mentions.append(kept)
    found: list[Utterance] = []
    since_theirs = CARRY_REACH + 1  # sentences since their last one (another speaker's resets it)
    statement_is_theirs = False  # whose statement "البيان" refers to, in this article so far
    quote_open = False  # a quotation of theirs runs on into the next sentence
    quote_run = 0  # sentences it has run on so far
    previous_named = False  # the sentence before named the speaker
    for (a, b), ws, ms in zip(sentences, words, mentions, strict=True):
        if titles:  # a learnt title named on by another adjective is another holder's ("وزير الخارجية الإيراني")
            ms = sorted(set(ms) | {m for m in _find_titles(ws, titles) if not _named_on(ws, m[1], own, nisba=True)})
        cue = _speaks(ws, ms, own) if ms else None
        if cue is None and not ms and quote_open:  # open only right after a sentence of theirs
            found[-1] = replace(found[-1], end=b)  # the rest of a quotation their sentence opened: one statement
            quote_run += 1
            quote_open = _opens_quote(text[a:b], True) and quote_run < QUOTE_REACH
            previous_named = False
            continue
        if cue is None and since_theirs == 1 and not ms and ws and ws[0].norm in lexicon().continuing_participles:
            found[-1] = replace(found[-1], end=b)  # "مشيراً إلى أن …": the rest of their sentence, split off
            quote_open = _opens_quote(text[a:b], quote_open)
            previous_named = False
            continue
        if cue is None and since_theirs <= CARRY_REACH and not ms and (_carries_on(text, ws) or _speaks(ws, _anaphors(ws))):
            cue = "continuation"  # "وأضاف أن …", "ولفت المسؤول إلى أن …", past a sentence in which nobody speaks
        if cue is None and (ms or previous_named) and _joint(ws):
            cue = "joint"  # "… بوتين …" then "أكد الجانبان": the speaker is one of the two sides
        previous_named = bool(ms)
        if cue is None and statement_is_theirs and not ms and _the_statement_says(ws):
            cue = "statement"
        issued = _statement_nouns(ws)
        if issued:  # "أصدرت الرئاسة الروسية بياناً": a later "البيان" is theirs only if this one is
            statement_is_theirs = _owns(ws, ms, issued)
            if cue is None and statement_is_theirs:
                cue = "statement"
        if cue is not None:
            found.append(Utterance(a, b, cue))
        since_theirs = 1 if cue is not None else (since_theirs + 1 if not _reports(ws) else CARRY_REACH + 1)
        quote_open = cue is not None and _opens_quote(text[a:b], False)
        quote_run = 0
    return found


CARRY_REACH = 2
"""A continuation ("وأضاف أن …") carries the speaker of the sentence before it, or of the one before
that when the sentence between has no reporting verb (a subheading, a sentence split in two)."""

QUOTE_REACH = 4
"""Most sentences a quotation left open is followed into (an unclosed quote mark is often a typo)."""


def _opens_quote(sentence: str, already_open: bool) -> bool:
    """Whether a quotation is still open after ``sentence``, given whether one was open before it:
    «…» by depth; double quotes (“ ” and ") by parity, since articles often close with “ or open with ”."""
    guillemets = sentence.count("«") - sentence.count("»")
    if guillemets:
        return guillemets > 0
    odd = (sentence.count("“") + sentence.count("”") + sentence.count('"')) % 2 == 1
    return already_open != odd


def _joint(words: list[Word]) -> bool:
    """Whether "the two sides" state something together: a reporting verb right before the dual
    subject ("وأكد الجانبان"), or a reporting participle after it ("ناقش الزعيمان … مؤكدين")."""
    lex = lexicon()
    for i, w in enumerate(words):
        if w.norm.lstrip("و") in lex.joint_subjects:
            if i > 0 and lex.is_verb(words[i - 1].norm):
                return True
            if any(v.norm.lstrip("و") in lex.joint_participles for v in words[i + 1 : i + 16]):
                return True
    return False


def _statement_nouns(words: list[Word]) -> list[int]:
    """Where a sentence tells of a statement issued or reported ("بياناً", "بيان الكرملين"), by word index."""
    lex = lexicon()
    return [i for i, w in enumerate(words) if not w.norm.startswith("ال") and w.forms & lex.statement_nouns]


STATEMENT_REACH = 6
"""Words between a speaker's name and the statement it issued ("أصدرت الرئاسة الروسية الكرملين، اليوم
الاثنين، بياناً"), or between the statement and its issuer after it ("بيان صادر عن الكرملين")."""


def _owns(words: list[Word], mentions: list[Mention], nouns: list[int]) -> bool:
    """Whether the speaker named in a sentence is the one whose statement it tells of: named a few words
    before it, or right after it ("بيان الكرملين", "بيان صادر عن الكرملين"; not "بيان الكرملين أن بوتين")."""
    lex = lexicon()

    def after(n: int, first: int) -> bool:
        return n < first <= n + 3 and not any(words[k].norm in lex.complementizers for k in range(n + 1, first))

    return any(last < n <= last + STATEMENT_REACH or after(n, first)
               for first, last, addressed in mentions if not addressed for n in nouns)


def _the_statement_says(words: list[Word]) -> bool:
    """Whether a sentence reports what "the statement" says: "وذكر البيان أن", "وبحسب البيان", "ولفت البيان";
    not one that names another issuer ("ولم يأت البيان الصادر عن الرئاسة السورية")."""
    lex = lexicon()
    for i, w in enumerate(words):
        if w.norm.startswith("ال") and w.forms & lex.statement_nouns or w.norm.lstrip("وف") in ("البيان", "بالبيان"):
            if i + 1 < len(words) and words[i + 1].norm in lex.issued_by:
                continue  # "البيان الصادر عن …": another issuer's
            before = words[max(0, i - 2) : i]
            if any(lex.is_verb(v.norm) or v.norm.lstrip("وف") in ("بحسب", "حسب", "وفق", "وفقا") for v in before):
                return True
    return False
