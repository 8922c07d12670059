"""Is a question asking what someone said, and whom? "What did Peskov say in May 2021?", "ماذا قال
بيسكوف في أيار 2021؟", "هل علّق بيسكوف على ...؟" -> the speaker asked about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from assistant.text.arabic import ARABIC_LETTER_RE, normalize
from assistant.text.speech.lexicon import NAME_STOP, WORD_RE, Lexicon, ends_name, lexicon, without_conjunction
from assistant.text.speech.names import SpeakerMatch, has_article

__all__ = ["StatementAsk", "statement_ask"]


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


_PARENTHESIS = re.compile(r"\(([^()]*)\)")


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


def _ends_name(word: tuple[str, str, int, int]) -> bool:
    """Whether a question's word (as written, normalised, offsets) ends a speaker's name: a preposition or
    date word after it."""
    return ends_name(word[0], word[1])


_TITLE_PREPOSITIONS = frozenset(normalize(w) for w in ("في", "على"))
"""Prepositions inside a title ("منسقة السياسة الخارجية في الاتحاد الأوروبي", "المشرف العام على الفريق")."""


def _of_place(words: list[tuple[str, str, int, int]], k: int) -> bool:
    """Whether a question's word is a noun after ب or ل with a defined word after it, inside a title's
    place ("بنادي الاتحاد", "لمنظمة الصحة")."""
    word = words[k][1]
    return word[:1] in "بل" and len(word) > 3 and k + 1 < len(words) and has_article(words[k + 1][1])


def _construct(words: list[tuple[str, str, int, int]], k: int, lex: Lexicon) -> bool:
    """Whether a question's word is a noun without the article owning the defined word after it, a
    title's place ("في نادي الهلال", "في مدينة الرياض")."""
    return _a_name(words[k][1], lex) and k + 1 < len(words) and has_article(words[k + 1][1])


def _a_name(word: str, lex: Lexicon) -> bool:
    """Whether a question's word may be part of a person's name: no article, no stop or title word."""
    return not has_article(word) and word not in NAME_STOP and word not in lex.titles


def _before_description(words: list[tuple[str, str, int, int]], start: int, end: int, lex: Lexicon) -> int:
    """Where a speaker ends before a description after the name ("تشونغ مونغ جون المرشح لرئاسة فيفا"):
    a defined noun after two name words, with ل or ب on the word after it; else ``end``."""
    for q in range(start + 2, end - 1):
        if (has_article(words[q][1]) and words[q + 1][1][:1] in "لب" and not has_article(words[q + 1][1])
                and _a_name(words[q - 1][1], lex) and _a_name(words[q - 2][1], lex)):
            return q
    return end


def statement_ask(question: str, language: str) -> StatementAsk | None:
    """The speaker a question asks the statements of, or None for any other question."""
    lex = lexicon()
    if language == "en":
        for pattern in _english_patterns():
            m = pattern.search(question)
            if m is None:
                continue
            # "the US Department of Defense (the Pentagon)": the name outside the parenthesis, else the one inside
            written = m.group("x").strip()
            for named in (_PARENTHESIS.sub(" ", written).strip(), *_PARENTHESIS.findall(written)):
                named = " ".join(named.split())
                speaker = re.sub(r"^(?:(?:how|what|when|did|does|has|have|the|a|an)\s+)+", "", named, flags=re.IGNORECASE)
                ask = StatementAsk(speaker, m.group("v").lower(), question[m.end() :].strip())
                if speaker and not ask.match.empty:
                    if not ask.match.latin and re.search(rf"\bthe\s+{re.escape(speaker)}$", named, re.IGNORECASE):
                        return replace(ask, speaker=f"the {speaker}")  # an institution keeps its article: "What the Kremlin said"
                    return ask
        return None
    words = [(m.group(), normalize(m.group()), m.start(), m.end()) for m in WORD_RE.finditer(question)]
    for i, (_, word, _, _) in enumerate(words):
        asking = any(w in _AR_INTERROGATIVE for _, w, _, _ in words[max(0, i - 3) : i])
        bare = without_conjunction(word)
        is_verb = _past(bare, lex) or (bare.endswith("ه") and _past(bare[:-1], lex))
        passive = any(w in _AR_AUXILIARIES for _, w, _, _ in words[max(0, i - 2) : i])
        if not asking or passive or not (is_verb or bare in _AR_NOUNS):
            continue
        j = i + 1
        while j < len(words) and not _ends_name(words[j]) and j - i <= 12:
            j += 1
        if j == i + 1:
            continue
        for k in range(j, len(words) - 1):  # "المدير الطبي ... في مخيم الزعتري الدكتور محمد الزعبي": the name after the place
            if words[k][1] in lex.titles and not has_article(words[k + 1][1]) and not _ends_name(words[k + 1]):
                j = k + 2
                while j < len(words) and not _ends_name(words[j]) and j - k <= 5:
                    j += 1
                break
        else:  # "منسقة السياسة الخارجية في الاتحاد الأوروبي فيديريكا موغيريني": a defined place, then the name;
            k = j + 1  # "المشرف العام على الفريق الكروي بنادي الاتحاد منصور البلوي": "بنادي الاتحاد" is of the place
            owned = j < len(words) and words[j][1] == "في" and k < len(words) and _construct(words, k, lex)  # "مدير الكرة في نادي الهلال فهد المفرج"
            while k < len(words) and k - j <= 6 and (has_article(words[k][1]) or _of_place(words, k) or (owned and k == j + 1)):
                k += 1
            if j < len(words) and words[j][1] in _TITLE_PREPOSITIONS and j + 1 < k < len(words) and _a_name(words[k][1], lex):
                end = k + 1
                while end < len(words) and _a_name(words[end][1], lex) and end - k <= 4:
                    end += 1
                if end == len(words) - 1 and has_article(words[end][1]):  # a family name last: "منصور البلوي"
                    end += 1
                if not owned or end - k >= 2:  # after an owned place, a whole name ("... بجدة" is another place)
                    j = end
        j = _before_description(words, i + 1, j, lex)
        return StatementAsk(question[words[i + 1][2] : words[j - 1][3]], words[i][0], question[words[j - 1][3] :].strip())
    return None
