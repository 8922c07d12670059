"""The speaker in an article: its words, the speaker's name matched across scripts and forms, and the
titles an article gives the name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from assistant.text.arabic import ARABIC_LETTER_RE, normalize
from assistant.text.dates import WEEKDAY
from assistant.text.speech.lexicon import NAME_STOP, WORD_RE, Lexicon, ends_name, lexicon
from assistant.text.spelling import MAX_COST, may_spell, name_cost, same_name
from assistant.text.terms import ARTICLE_EN_RE, EXONYMS, GENERIC_CAPITALISED, fold_latin

__all__ = ["Mention", "SpeakerMatch", "Word", "institution_names", "titles_of", "words_of"]


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
    lead: str = ""
    """The punctuation between the word before and this one (quotation marks, commas), spaces dropped."""


def _readings(norm: str) -> tuple[frozenset[str], str]:
    forms = {norm, strip_article(norm)}
    clitic = ""
    w = norm
    for letters in ("وف", "بلك"):
        if len(w) > 3 and w[0] in letters and not w.startswith("ال"):
            clitic += w[0]
            w = w[1:]
            forms |= {w, strip_article(w)}
    if clitic.endswith("ل") and w.startswith("ل") and len(w) >= 4:  # "للبنك": ل + "البنك", the article's alif dropped
        forms |= {"ا" + w, w[1:]}
    return frozenset(forms), clitic


FAMILY = frozenset(normalize(w) for w in "آل بن بنت ابن أبو ولد".split())
"""Words that make the name after them a family or father's name ("آل الشيخ", "بن تركي", "ولد الشيخ")."""


PATRONYMIC = frozenset(normalize(w) for w in "بن بنت ابن ولد".split())
"""Family words that name the father: the name after them is shared by brothers, so it names a person
only after their given name ("سعود بن نايف")."""

ALLAH = "الله"
"""The second word of compound names ("نصر الله", "فضل الله"): never a last name on its own."""


KUNYA = normalize("أبو")
"""The word of a kunya last name ("أبو راس"), which the press writes apart or joined ("أبوراس")."""

COMPOUND_HEAD = "عبد"
"""The first word of names written joined or apart ("عبدالرحمن", "عبد الرحمن"), read as one word."""


@lru_cache(maxsize=1)
def _nationality_adjectives() -> frozenset[str]:
    return frozenset(normalize(a) for spellings in lexicon().nationalities.values() for a in spellings)


def _nationality(word: str) -> bool:
    """Whether a normalised word without the article is a nationality adjective ("سعودي", "سعوديه")."""
    adjectives = _nationality_adjectives()
    return word in adjectives or word.removesuffix("ه") in adjectives


def written_apart(word: str) -> tuple[str, str] | None:
    """A compound name word as two words ("عبدالرحمن" -> "عبد", "الرحمن"), the way a search index holds it
    when an article writes it apart; None for any other word."""
    head = COMPOUND_HEAD
    return (head, word[len(head) :]) if word.startswith(head + "ال") and len(word) > len(head) + 3 else None


def words_of(text: str, start: int = 0, end: int | None = None) -> list[Word]:
    """The words of ``text[start:end]`` with their offsets (diacritics and tatweel stay inside a word);
    "عبد الرحمن" is one word, as "عبدالرحمن" is written too."""
    out: list[Word] = []
    for m in WORD_RE.finditer(text, start, len(text) if end is None else end):
        norm = normalize(m.group())
        if not norm:
            continue
        begin = m.start()
        if out and out[-1].norm.lstrip("وفبل") == COMPOUND_HEAD and norm.startswith("ال") and not text[out[-1].end : begin].strip():
            begin, norm = out[-1].start, out.pop().norm + norm
        forms, clitic = _readings(norm)
        lead = "".join(text[out[-1].end if out else start : begin].split())
        out.append(Word(begin, m.end(), norm, forms, clitic, lead))
    return out


def has_article(word: str) -> bool:
    """Whether a normalised word carries the article, alone or after ل ("العيادات", "للعيادات")."""
    return word.startswith("ال") or word.startswith("لل")


def strip_article(word: str) -> str:
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
    bare_surname: bool = False
    """The question writes the last name without the article ("صالح"): "الصالح" is another family's."""
    unqualified: tuple[str, ...] = ()
    """A body's name of three words or more without the nationality the question gives it ("هيئة الهلال
    الأحمر"): it counts unless another nationality follows ("الهلال الأحمر الإماراتي")."""
    chain: tuple[str, ...] = ()
    """The rest of a chain of fathers' names after its first link, as the question gives it ("بن
    عبدالعزيز" of "فيصل بن عبدالله بن عبدالعزيز"): an article that goes on otherwise names someone else."""
    title: tuple[str, ...] = ()
    """The title the question gives a person before the name ("أمين محافظة الطائف" of "أمين محافظة الطائف
    المهندس محمد المخرج"), as a learnt title: in an article that names the person, it is them."""
    acronym: bool = False
    """The Latin name is a body's acronym ("FIFA", "SAMA"), looked for by sound: a body, not a person."""
    named_alone: bool = False
    """One Arabic word without the article ("بوتين"): a person asked by the last name alone, not a body."""
    heads: frozenset[str] = frozenset()
    """Head nouns a group's one-word Latin name must follow ("the militant group al-Shabaab": "حركة الشباب")."""

    @classmethod
    def of(cls, speaker: str) -> SpeakerMatch:
        lex = lexicon()
        if ARABIC_LETTER_RE.search(speaker):
            ws = words_of(speaker)
            after = _title_after_name(ws)
            if after is not None:  # "سعد الثويني مدير إدارة الإعلام بأمانة منطقة حائل": the name, then the title
                named = cls.of(speaker[: ws[after].start].strip())
                return replace(named, title=named.title or _title(ws, after, len(ws)))
            raw = [w.norm for w in ws]
            stop = [ends_name(speaker[w.start : w.end], w.norm) for w in ws]  # "علي" is Ali, "على" a preposition
            phrase = tuple(strip_article(w) for w in raw)
            variants: list[tuple[str, ...]] = []
            titled = 0
            while titled < len(raw) - 1 and raw[titled] in lex.titles:
                titled += 1
            rest = raw[titled:]
            # a person: a word without the article after the first ("حمودة الصباغ", "بشار الأسد",
            # "وزير التعليم عزام الدخيل"), or a bare last word ("وزير الحج بندر حجار")
            governed = "ال" + rest[0].removeprefix("ال") in lex.anaphors  # a body's noun: "مؤسسة النقد العربي السعودي" is no one's name,
            body = governed and not titled  # but after a title it is the body the title holder heads ("مدير جامعة المجمعة الدكتور خالد المقرن")
            person = len(rest) >= 2 and not body and any(not has_article(w) and w not in lex.titles and not stop[titled + k]
                                                         for k, w in enumerate(rest) if k or not governed)
            surname = phrase[-1] if person and len(phrase[-1]) >= 3 else None
            family = surname is not None and len(raw) >= 3 and (raw[-2] in FAMILY or surname == ALLAH)
            if family:  # "فيصل بن تركي", "عبدالعزيز آل الشيخ": the last name is both words ("تركي" alone is "Turkish");
                pair: tuple[str, ...] = (raw[-2], surname)  # "حسن نصر الله": "الله" alone is nobody's
                if raw[-2] in PATRONYMIC and not has_article(raw[-3]) and raw[-3] not in lex.titles:
                    pair = (raw[-3], *pair)  # "سعود بن نايف": "بن نايف" alone is his brother's name too
                variants.append(pair)
                if raw[-2] == KUNYA:  # "أبو راس" is also written "أبوراس"
                    variants.append((KUNYA + surname,))
                surname = None
            elif surname is not None and surname.startswith(KUNYA) and len(surname) > len(KUNYA) + 2:
                variants.append((KUNYA, surname[len(KUNYA) :]))  # "أبوراس" is also written "أبو راس"
            chain: tuple[str, ...] = ()
            named = [k for k, w in enumerate(raw) if not has_article(w) and not stop[k] and w not in lex.titles and w not in FAMILY]
            before = len(raw) - (3 if family else 2)  # the given name is the word before the last name,
            while before >= 2 and raw[before - 1] in FAMILY:  # or before its father's ("راشد بن عبدالله آل خليفة")
                before -= 2
            opening = max((k + 1 for k, w in enumerate(raw[: before + 1]) if w in lex.titles), default=0)
            names = [w for k, w in enumerate(raw) if k >= opening and not has_article(w) and not stop[k] and strip_article(w) != surname]
            given = raw[before] if person and before in named else (names[0] if (surname is not None or family) and names else None)
            links = [k for k in range(1, len(raw) - 1) if raw[k] in FAMILY and k - 1 in named]
            if person and (len(links) >= 2 or links and not family):  # "فيصل بن خالد بن عبدالعزيز", "إسماعيل ولد الشيخ أحمد":
                k = links[0]  # the first link names them; the rest is shared with their kin ("بن عبدالعزيز")
                variants = [(raw[k - 1], raw[k], strip_article(raw[k + 1]))]
                surname, given = None, raw[k - 1]
                chain = tuple(raw[k + 2 :])
            if titled and (len(rest) >= 2 or not rest[0].startswith("ال")):  # "وزارة الخارجية الروسية" -> "الخارجية الروسية"
                variants.append(tuple(strip_article(w) for w in rest))
            unqualified: tuple[str, ...] = ()
            if not person and len(phrase) >= 4 and _nationality(phrase[-1]):  # "هيئة الهلال الأحمر السعودي": its own
                unqualified = phrase[:-1]  # press names it without the nationality ("لهيئة الهلال الأحمر بالمنطقة الشرقية")
                variants.append(unqualified)
            short = _after_lil(raw) if not person else None
            if short:  # "الرئاسة العامة للأرصاد وحماية البيئة" ... "كما توقعت الأرصاد"
                variants.append(short)
            anaphor = "ال" + raw[0].removeprefix("ال")
            if anaphor in lex.anaphors:  # "... وأكدت الوزارة", "... وأكد الوزير"
                variants.append((anaphor,))
            title: tuple[str, ...] = ()
            if given is not None:  # the words before the given name, ranks ("المهندس") left out
                end = raw.index(given)
                while end > 0 and ws[end - 1].forms & lex.ranks:
                    end -= 1
                title = _title(ws, 0, end) if end >= 2 and ws[0].forms & lex.titles else ()
            return cls(phrase, surname, (), given=given, exonyms=tuple(variants), chain=chain, unqualified=unqualified,
                       bare_surname=surname is not None and not has_article(raw[-1]), title=title,
                       named_alone=len(raw) == 1 and not has_article(raw[0]))
        name = _latin_name(speaker)
        if name:
            return cls((), None, name, acronym=ACRONYM_RE.fullmatch(speaker.strip()) is not None, heads=_group_heads(speaker, name))
        forms = institution_names(speaker)
        if forms:  # "the Syrian presidency": the Arabic names, each read as an Arabic speaker would be
            readings = [cls.of(f) for f in forms]
            first, *others = dict.fromkeys(p for m in readings for p in (m.phrase, *m.exonyms))
            return cls(first, None, (), exonyms=tuple(others))
        lowered = speaker.lower()
        exonyms = tuple(
            tuple(strip_article(w) for w in normalize(form).split())
            for key, forms in EXONYMS.items() if re.search(rf"\b{re.escape(key)}\b", lowered) and lowered.endswith(key) for form in forms
        )
        acronym = re.search(r"\(([A-Z]{2,6})\)", speaker)
        if not exonyms and acronym:  # "the Saudi Arabian Monetary Agency (SAMA)": its acronym, by sound (ساما)
            return cls((), None, (acronym.group(1).lower(),), acronym=True)
        return cls((), None, (), exonyms=exonyms)

    def spelled(self, vocabulary: Iterable[str]) -> SpeakerMatch:
        """This match with the last name's Arabic spellings found in ``vocabulary`` (an index's words):
        the closest ones for a name given alone ("Putin": بوتين, not باطن), every close one when the
        full name is given (an article must then also write the full name, see :meth:`named_in`)."""
        if not self.latin:
            return self
        if any(w in _LATIN_FAMILY for w in self.latin[1:-1]):  # "Sultan bin Salman": a chain of fathers' names,
            arabic = _in_arabic(self.latin, vocabulary)  # read as its Arabic spelling is ("سلطان بن سلمان")
            if arabic is not None:
                return SpeakerMatch.of(arabic)
        costs = [(name_cost(self.latin[-1], w), w) for w in vocabulary if may_spell(self.latin[-1], w)]
        close = [(c, w) for c, w in costs if c <= MAX_COST]
        words = {w for _, w in close}  # "وتسيبراس" is "تسيبراس" after و, no other spelling (a word's readings drop it)
        close = [(c, w) for c, w in close if not (w[:1] in "وف" and w[1:] in words)]
        if len(self.latin) == 1 and close:
            best = min(c for c, _ in close)
            close = [(c, w) for c, w in close if c <= best + 0.05]
        return replace(self, spellings=frozenset(w for _, w in close))

    def named_in(self, words: list[Word]) -> bool:
        """Whether an article's words name the speaker in full: an Arabic person's first name must be
        there (the last name alone is often a common word or another person's); a Latin-script name of several words
        whose last name the archive spells several ways must stand whole once ("جون كيري" for "John
        Kerry": "خيري" and "جيري" spell "Kerry" too); a body with a name of several words must be named
        in full once (a university's "الجامعة" is not the Arab League's); any other speaker needs no such check."""
        if self.given is not None:  # beside the last name ("محمد بن عبدالرحمن المخرج"), not anywhere: "المخرج" is also "the director"
            if self.title and any(self._titled_here(words, i) for i, w in enumerate(words) if self.given in w.forms):
                return True  # "رئيس الوزراء التركي أحمد داود أغولو": the question's title, then the given name
            found = self.find(words)
            return any(
                f <= i <= l or i < f <= i + GIVEN_REACH and all(not words[k].lead and not has_article(words[k].norm) for k in range(i + 1, f))
                and not words[f].lead for i, w in enumerate(words) if self.given in w.forms for f, l, _ in found
            )
        if not self.latin and self.surname is None:  # a body: its name in full somewhere, not only "الجامعة"
            whole = [p for p in (self.phrase, *self.exonyms) if len(p) >= 2]
            return not whole or any(
                all(p[k] in words[i + k].forms for k in range(len(p))) for p in whole for i in range(len(words) - len(p) + 1)
            )
        if len(self.latin) < 2 or (self.spellings is not None and len(self.spellings) <= 1):
            return True  # one word, or a last name spelled one way only in the archive ("فابيوس")
        given = self.latin[-2]

        def given_before(last: int) -> bool:  # right before it, or before a father's name or two ("وليد بن علي الجلال")
            j = last - 1
            for _ in range(3):
                if j >= 0 and any(name_cost(given, f) <= 1.0 for f in words[j].forms):
                    return True
                if j < 2 or words[j - 1].norm not in PATRONYMIC:
                    return False
                j -= 2
            return False

        return any(self._reading(words[i]) is not None and given_before(i) for i in range(1, len(words)))

    def written_in(self, words: list[Word]) -> frozenset[str]:
        """A Latin-script name's words as an article spells them: its last name's readings, and the word
        before one that spells its given name ("ديمتري بيسكوف" for "Dmitry Peskov"); empty for an Arabic name."""
        if not self.latin:
            return frozenset()
        given = self.latin[-2] if len(self.latin) >= 2 else None
        out: set[str] = set()
        for i, w in enumerate(words):
            if self._reading(w) is not None:
                out |= w.forms
                if given is not None and i > 0 and any(name_cost(given, f) <= 1.0 for f in words[i - 1].forms):
                    out |= words[i - 1].forms
        return frozenset(out)

    def _titled_here(self, words: list[Word], i: int) -> bool:
        """Whether the question's title ends right before ``words[i]``, a rank ("الدكتور") between them allowed."""
        end = i - 1 if i > 0 and words[i - 1].forms & lexicon().ranks else i
        start = end - len(self.title)
        return start >= 0 and all(self.title[k] in words[start + k].forms for k in range(len(self.title)))

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
    def body(self) -> bool:
        """Whether the speaker is a body (a ministry, an agency), not a person."""
        return self.acronym or not (self.latin or self.named_alone) and self.surname is None and self.given is None and bool(self.phrase)

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

    def _goes_on_otherwise(self, words: list[Word], k: int) -> bool:
        """Whether the words from ``words[k]`` on carry a chain of fathers' names on otherwise than the
        question does: another father ("فيصل بن عبدالله بن محمد") or a family name of belonging
        ("فيصل بن عبدالله المشاري" for "فيصل بن عبدالله بن عبدالعزيز")."""
        if len(self.chain) == 1 and has_article(self.chain[0]) and k < len(words):  # "خالد بن محمد العطية" asked,
            w = words[k]  # "خالد بن محمد اليوسف" written: another family
            return (has_article(w.norm) and not w.lead and not w.forms & lexicon().titles
                    and not ({self.chain[0], strip_article(self.chain[0])} & w.forms))
        if len(self.chain) < 2 or k >= len(words):
            return False
        if words[k].norm in PATRONYMIC:
            return k + 1 < len(words) and self.chain[0] in PATRONYMIC and self.chain[1] not in words[k + 1].forms
        lex = lexicon()
        return words[k].norm not in lex.titles and named_on(words, k - 1, self.own, nisba=True)

    def find(self, words: list[Word]) -> list[Mention]:
        """Where the speaker is named in ``words``."""
        found: list[Mention] = []
        covered: set[int] = set()
        for phrase in sorted((self.phrase, *self.exonyms), key=len, reverse=True):  # the longest reading of a span wins
            n = len(phrase)
            for i in range(len(words) - n + 1) if n else ():
                if covered.isdisjoint(range(i, i + n)) and all(phrase[k] in words[i + k].forms for k in range(n)):
                    if n == 1 and phrase[0].startswith("ال") and named_on(words, i, self.own):
                        continue
                    if n == 3 and phrase[1] in PATRONYMIC and self._goes_on_otherwise(words, i + n):
                        continue
                    if phrase == self.unqualified and named_on(words, i + n - 1, self.own, nisba=True):
                        continue
                    found.append((i, i + n - 1, _addressed(words[i], phrase[0])))
                    covered.update(range(i, i + n))
        for i, w in enumerate(words):
            reading = None if i in covered else self._reading(w)
            if reading is not None and self.heads and not (i > 0 and words[i - 1].forms & self.heads):
                continue  # "الشباب" alone is "the youth": the group is "حركة الشباب"
            if reading is not None and not (reading == self.surname and self._someone_elses(words, i)):
                found.append((i, i, _addressed(w, reading)))
        return sorted(found)

    def _someone_elses(self, words: list[Word], i: int) -> bool:
        """Whether the last name at ``words[i]`` is another person's name: a given name with a father's
        after it ("صالح بن عبدالله القاضي"), a father's name ("عبدالله بن صالح العثيم"), or, for a last
        name asked without the article, a family name with it ("زكي الصالح" is not "علي عبدالله صالح"),
        unless it is an adjective of belonging, written either way ("بارزاني", "البارزاني")."""
        if i + 1 < len(words) and words[i + 1].norm in PATRONYMIC or i > 0 and words[i - 1].norm in PATRONYMIC:
            return True
        return self.bare_surname and has_article(words[i].norm) and not self.surname.endswith("ي")  # "البارزاني" is "بارزاني"


GIVEN_REACH = 4
"""Most words from a given name to the last name it goes with ("محمد بن عبدالرحمن المخرج")."""

ACRONYM_RE = re.compile(r"[A-Z]{2,6}")
"""A speaker written as one word in capitals: a body's acronym ("FIFA", "OPEC"), not a person's name."""

_PARTICLES = frozenset("van von de der den da di du del la le el al bin ibn abu bint".split())

_LATIN_FAMILY = {"bin": "بن", "ibn": "بن", "bint": "بنت", "al": "آل", "abu": "أبو"}
"""The family words of an Arabic name as English writes them ("Sultan bin Salman Al Saud")."""

SPELLING_REACH = 1.2
"""Highest cost at which an archive's closest word is taken as one word of an Arabic name written in Latin
letters ("Abdulmohsen" / "عبدالمحسن" costs 1.15): the name is then looked for whole, chain and all."""


def _in_arabic(latin: tuple[str, ...], vocabulary: Iterable[str]) -> str | None:
    """An Arabic name written in Latin letters, spelled with the archive's words: each word by its closest
    spelling in ``vocabulary`` (the most frequent among equals; a dict of word -> document frequency
    or any collection), family words by their Arabic; None when a word has no close spelling."""
    freq = vocabulary if isinstance(vocabulary, dict) else dict.fromkeys(vocabulary, 0)
    out = []
    for word in latin:
        if word in _LATIN_FAMILY:
            out.append(_LATIN_FAMILY[word])
            continue
        costs = [(name_cost(word, w), -freq[w], w) for w in freq if may_spell(word, w)]
        best = min(costs, default=None)
        if best is None or best[0] > SPELLING_REACH:
            return None
        out.append(best[2])
    return " ".join(out)


def _latin_name(speaker: str) -> tuple[str, ...]:
    """The person's name at the end of an English speaker ("Kremlin spokesman Dmitry Peskov" ->
    ("dmitry", "peskov"); "Robin van Persie"; of comma-separated parts, the first with a name of two
    words or more: "Maher Al-Hadrawi, executive director ...", "the Saudi ambassador to Lebanon, Ali Awad
    Asiri"); empty for a title or an institution ("the Syrian presidency")."""
    parts = [p for p in fold_latin(speaker).split(",") if p.strip()] or [""]
    runs = [_latin_run(p) for p in parts]  # "the Saudi ambassador to Lebanon, Ali Awad Asiri": the part with a full name
    return next((r for r in runs if len(r) >= 2), runs[0])


def _group_heads(speaker: str, name: tuple[str, ...]) -> frozenset[str]:
    """The Arabic head nouns a one-word group name follows, from the English word right before it ("the
    militant group al-Shabaab": حركة, جماعة, تنظيم); empty for a person or a name of several words."""
    words = [w.lower() for w in _LATIN_WORD.findall(fold_latin(speaker))]
    if len(name) != 1 or len(words) < 2:
        return frozenset()
    return lexicon().group_heads.get(words[-2], frozenset())


def _latin_run(part: str) -> tuple[str, ...]:
    """The person's name at the end of one comma-separated part of an English speaker (see :func:`_latin_name`)."""
    words = [p for w in _LATIN_WORD.findall(part) for p in ARTICLE_EN_RE.sub("", w).split("-") if p]  # "al-Jubeir": Jubeir;
    # "Frank-Walter": two names, as Arabic writes them ("فرانك فالتر")
    lex = lexicon()
    lowered = [w.lower().removesuffix("'s") for w in words]
    if any(w in lex.institution_words for w in lowered):
        return ()
    if any(lowered[-len(k.split()) :] == k.split() for k in lex.institutions):
        return ()  # "the International Monetary Fund": an institution of speech.toml, capitals and all
    run: list[str] = []
    for word in reversed(words):
        key = word.lower()
        if run and key in lex.nationalities:  # "the Afghan Taliban": a nationality before a name is no part of it
            break
        if word[0].isupper() and key not in GENERIC_CAPITALISED and key not in EXONYMS or (run and key in _PARTICLES):
            run.insert(0, key.removesuffix("'s"))
        else:
            break
    return tuple(run)


def institution_names(speaker: str) -> list[str]:
    """The Arabic names of an institution an English question names ("the Syrian presidency" ->
    "الرئاسة السورية"; "Saudi foreign ministry" -> "وزارة الخارجية السعودية", ...),
    the institution's noun then the nationality's adjective agreeing with it; empty when no institution of
    speech.toml is named, or a one-word one without a nationality ("the government": whose?)."""
    lex = lexicon()
    lowered = " ".join(w.lower().removesuffix("'s") for w in _LATIN_WORD.findall(speaker))
    keys = [k for k in lex.institutions if re.search(rf"\b{re.escape(k)}\b", lowered)]
    if not keys:
        return []
    key = max(keys, key=len)
    nationality = next((lex.nationalities[w] for w in lowered.split() if w in lex.nationalities), None)
    if nationality is None:
        return list(lex.institutions[key]) if " " in key or key in lex.international else []
    return [f"{form} ال{spelling}{_agreeing(form)}" for spelling in nationality for form in lex.institutions[key]]


def _agreeing(form: str) -> str:
    """The ending a nationality adjective takes after an institution's noun: ة after a feminine one
    ("وزارة الخارجية الأمريكية"; "وزير الخارجية الأمريكي" is the minister, a person), none after another."""
    return "ة" if normalize(form.split()[0]).endswith("ه") else ""


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


GENERAL = normalize("العامة")


def _after_lil(raw: list[str]) -> tuple[str, ...] | None:
    """The short name the press gives a general body named "… العامة لـX …" by its field: X and the
    adjectives with the article after it ("المديرية العامة للدفاع المدني" -> الدفاع المدني, "الرئاسة العامة
    للأرصاد وحماية البيئة" -> الأرصاد); counted, as a body's bare noun is, only in an article that names the
    body in full. Not "المفوضية السامية للأمم المتحدة …": after another word, لـX is whose body it is."""
    k = next((k for k in range(1, len(raw)) if raw[k].startswith("لل") and len(raw[k]) > 4 and raw[k - 1] == GENERAL), None)
    if k is None:
        return None
    short = [raw[k][2:]]
    for w in raw[k + 1 :]:
        if not w.startswith("ال"):
            break
        short.append(strip_article(w))
    return tuple(short)


def _title_after_name(ws: list[Word]) -> int | None:
    """Where a title begins after a person's name in a question's speaker ("سعد الثويني مدير إدارة
    الإعلام …", "الرائد بدر السحيباني المتحدث الإعلامي …"): a title word right after a name of two to
    four words (ranks before it skipped) that opens without the article, holds no preposition and has
    the article at most on its last word (a family name; "إمام وخطيب المسجد الحرام الشيخ …" is a title);
    else None."""
    lex = lexicon()
    i = 0
    while i < len(ws) and ws[i].forms & lex.ranks:
        i += 1
    if len(ws) - i < 3 or has_article(ws[i].norm) or ws[i].forms & lex.titles or "ال" + ws[i].norm in lex.anaphors:
        return None
    k = next((k for k in range(i + 2, min(len(ws), i + 5)) if ws[k].forms & (lex.titles | lex.insiders)), None)  # "… مسؤول إعلام"
    if k is None or any(w.norm in NAME_STOP or has_article(w.norm) for w in ws[i : k - 1]) or ws[k - 1].norm in NAME_STOP:
        return None
    return k


def _addressed(word: Word, reading: str) -> bool:
    """Whether the name was read off the word by taking away the preposition ل."""
    return reading not in (word.norm, strip_article(word.norm)) and word.clitic.endswith("ل")


TITLE_REACH = 10
"""Most words a title may open before the name it learns ("رئيس هيئة الأركان العامة في اليمن اللواء محمد المقدشي")."""

TITLE_GAP = 4
"""Most words of a given name between a title and the name it learns ("وزير الحج بندر بن محمد حجار")."""


def titles_of(words: list[Word], mentions: list[Mention]) -> set[tuple[str, ...]]:
    """The titles an article puts right before the speaker's name ("المتحدث باسم الكرملين، ديمتري
    بيسكوف" -> ("المتحدث", "باسم", "الكرملين")): the speaker's other names in that article."""
    lex = lexicon()
    titles: set[tuple[str, ...]] = set()
    for first, last, _ in mentions:
        after = title_after(words, last)
        if after:
            titles.add(after)
        heads = [i for i in range(max(0, first - TITLE_REACH), first) if words[i].forms & lex.titles]
        if not heads or ":" in words[first].lead:  # "رئيس النادي :” مورا لم يوقع": the name opens what the title holder said
            continue
        h = heads[0]
        end = h + 1
        while end < first and (words[end].norm.startswith("ال") or words[end].forms & lex.titles or words[end].norm == "باسم"
                               or _placed(words, end, first)):
            end += 1
        if end < first - TITLE_GAP or any(has_article(words[i].norm) for i in range(end, first)):
            continue  # only a given name ("بندر بن محمد") between the title and the name
        while end - h > 2 and words[end - 1].forms & lex.ranks:  # "وزير الحج الدكتور بندر": "وزير الحج"
            end -= 1
        if end - h >= 2:
            titles.add(_title(words, h, end))
    return titles


APPOSITION = 3
"""Most words of a name an article gives in apposition ("الرئاسة الروسية “الكرملين”")."""

OPENING = "“\"(«"


def aliases_of(words: list[Word], mention: Mention) -> set[tuple[str, ...]]:
    """The speaker's other name that an article writes beside theirs in quotation marks or brackets,
    two or three words with the article, before or after theirs ("أعلنت الرئاسة الروسية “الكرملين”",
    "الكرملين (الرئاسة الروسية)"): the article says the two are one, so it is theirs there."""
    first, last, _ = mention
    out: set[tuple[str, ...]] = set()
    if any(c in words[first].lead for c in OPENING):  # the phrase right before the opening mark
        h = first
        while h > 0 and first - h < APPOSITION and has_article(words[h - 1].norm) and (h == first or not words[h].lead):
            h -= 1
        if first - h >= 2:
            out.add(_title(words, h, first))
    if last + 1 < len(words) and any(c in words[last + 1].lead for c in OPENING):  # the phrase in the marks after it
        end = last + 1
        while end < len(words) and end - last <= APPOSITION and has_article(words[end].norm) and (end == last + 1 or not words[end].lead):
            end += 1
        closed = end == len(words) or bool(words[end].lead)
        if end - (last + 1) >= 2 and closed:
            out.add(_title(words, last + 1, end))
    return out


TITLE_AFTER = 4
"""Most words of a title learnt after the name ("الأمير سعود بن عبدالمحسن أمير منطقة حائل")."""


def title_after(words: list[Word], last: int) -> tuple[str, ...] | None:
    """The title an article puts right after the speaker's name, the rest of a chain of fathers' names
    skipped ("الأمير سعود بن عبدالمحسن بن عبدالعزيز أمير منطقة حائل، …" -> ("امير", "منطقه", "حائل")):
    a title word, then words up to a punctuation mark, a preposition, a verb or a family word, two or more."""
    lex = lexicon()
    h = last + 1
    while h + 1 < len(words) and words[h].norm in FAMILY:
        h += 2
    if h >= len(words) or not words[h].forms & lex.titles or words[h].start > words[h - 1].end + 1:
        return None
    end = h + 1
    while (end < len(words) and end - h < TITLE_AFTER and words[end].start == words[end - 1].end + 1
           and words[end].norm not in NAME_STOP and words[end].norm not in FAMILY and not words[end].forms & lex.verbs):
        end += 1
    if end - h < 2:
        return None
    return _title(words, h, end)


def _title(words: list[Word], h: int, end: int) -> tuple[str, ...]:
    """``words[h:end]`` as a learnt title: each word's title reading where it has one, without the article."""
    lex = lexicon()
    return tuple(strip_article(min(words[i].forms & lex.titles, default=words[i].norm)) for i in range(h, end))


def _placed(words: list[Word], k: int, first: int) -> bool:
    """Whether ``words[k]`` is "في" before a defined place inside a title ("رئيس هيئة الأركان العامة في اليمن")."""
    return words[k].norm == "في" and k + 1 < first and words[k + 1].norm.startswith("ال")


TITLE_PREFIX = 3
"""Fewest words of a learnt title that still name its holder when an article shortens it later
("رئيس هيئة الأركان العامة في اليمن" ... "وجدد رئيس هيئة الأركان")."""


def _shortened(title: tuple[str, ...]) -> set[tuple[str, ...]]:
    """A title and its shorter forms of at least :data:`TITLE_PREFIX` words, none ending on "في"."""
    return {title} | {title[:n] for n in range(TITLE_PREFIX, len(title)) if title[n - 1] != "في"}


def named_on(words: list[Word], last: int, own: frozenset[str], *, nisba: bool = False) -> bool:
    """Whether a bare noun or a learnt title ending at ``words[last]`` is named on as another body or
    holder by the word right after it ("المؤسسة العامة للتدريب", "وزير الخارجية الإيراني"): one with the
    article or ل, not in the speaker's own name, nor a weekday ("وأكدت الوزارة الأربعاء"). With
    ``nisba`` only an adjective of belonging (-ي, -ية) counts: after a title, a noun with the article is
    as often the verb's object ("وجدد رئيس هيئة الأركان التأكيد")."""
    if last + 1 >= len(words) or words[last].end + 1 != words[last + 1].start:
        return False
    after = words[last + 1]
    if nisba:
        return has_article(after.norm) and after.norm.endswith(("ي", "يه")) and not after.forms & own
    qualifies = has_article(after.norm) or after.clitic.endswith("ل") or after.norm.startswith("لل")
    return qualifies and not after.forms & own and not re.fullmatch(WEEKDAY, after.norm)


def titled_otherwise(words: list[Word], mention: Mention, speaker: SpeakerMatch, learnt: set[tuple[str, ...]]) -> bool:
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


def find_titles(words: list[Word], learnt: set[tuple[str, ...]]) -> list[Mention]:
    found: list[Mention] = []
    titles = set().union(*(_shortened(t) for t in learnt)) if learnt else set()
    lex = lexicon()
    for title in titles:
        n = len(title)
        found.extend(  # a title addressed ("لرئيس الوزراء") is marked so, as a name with ل is
            (i, i + n - 1, words[i].clitic.endswith("ل")) for i in range(len(words) - n + 1)
            if all(title[k] in words[i + k].forms for k in range(n)) and not _under_title(words, i, lex)
        )
    return found


def _under_title(words: list[Word], i: int, lex: Lexicon) -> bool:
    """Whether a title at ``words[i]`` is owned by another title right before it ("نائب رئيس الوزراء",
    "مستشار أمير المنطقة"): that one's holder, someone else. A rank before it ("الشيخ") is no such title."""
    return i > 0 and bool(words[i - 1].forms & lex.titles) and not words[i - 1].forms & lex.ranks and words[i - 1].end + 1 == words[i].start

