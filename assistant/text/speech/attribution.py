"""Which sentences of an article are the speaker's: a reporting verb with the speaker as its subject,
a refusal to comment, a sentence carrying the speaker on, a quotation running on, what the speaker's
statement says."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from assistant.text.arabic import normalize
from assistant.text.speech.lexicon import lexicon, without_conjunction
from assistant.text.speech.names import (
    FAMILY,
    Mention,
    SpeakerMatch,
    Word,
    aliases_of,
    find_titles,
    has_article,
    named_on,
    strip_article,
    title_after,
    titled_otherwise,
    titles_of,
    words_of,
)

__all__ = ["Cue", "Utterance", "attributed"]

Cue = Literal["verb", "declined", "continuation", "statement", "joint"]
"""Why a sentence is the speaker's: a reporting verb with the speaker as subject, a refusal to
comment, a sentence carrying on the previous one's speaker, or one reporting what "the statement"
the speaker issued says ("وذكر البيان أن ..."), or a joint statement of two sides, the speaker one ("وأكد الجانبان")."""
VSO_REACH = 9
"""Words a speaker may stand after its verb ("وقال المتحدث الرسمي باسم الكرملين، ديمتري بيسكوف")."""
TITLED_REACH = 20
"""Words a speaker may stand after its verb when a title or honorific opens them: the long titles of
official news ("أكد سماحة مفتي عام المملكة رئيس هيئة كبار العلماء وإدارة البحوث العلمية والإفتاء الشيخ
عبدالعزيز بن عبدالله آل الشيخ")."""
SVO_REACH = 4
"""Words a verb may stand after its speaker ("بيسكوف رفض التعليق", "الشرع طالب روسيا")."""
SVO_BETWEEN = frozenset(normalize(w) for w in "قد وقد لقد كان كانت بدوره بدورها من جهته جهتها جانبه جانبها".split())
"""The only words that may stand between a speaker and its verb ("الصباغ، قد أعلن", "بيسكوف من جهته قال");
any other ("والفلاسي هو ثاني عسكري تعلن الإمارات ...") makes the verb another subject's."""
PREPOSITIONS = frozenset(normalize(w) for w in "عن في على مع إلى الى من حول بشأن بشان ضد لدى عند بين تجاه حيال".split())
"""Between a verb and a name these make the name an addressee or a topic ("تتحدث عن خطط بوتين",
"في اتصال مع بوتين"), not the speaker -- except "عن" naming whom a report quotes ("نقلت تاس عن بيسكوف")."""
PRONOUN_PREPOSITIONS = frozenset(
    normalize(p + s) for p in ("في", "على", "عن", "من", "مع", "إلى", "ل", "ب") for s in ("ه", "ها", "هم", "هما", "هن")
) | frozenset(normalize(w) for w in "عليه عليها عليهم إليه إليها إليهم".split())
"""Prepositions with a pronoun ("فيها", "عليه", "له"): between a verb and a name, as a bare preposition."""



@dataclass(frozen=True)
class Utterance:
    """A sentence of an article in which the speaker speaks: ``text[start:end]``."""

    start: int
    end: int
    cue: Cue


def _speaks(words: list[Word], mentions: list[Mention], own: frozenset[str] = frozenset(), spelled: frozenset[str] = frozenset()) -> Cue | None:
    """Whether a sentence's words make a mentioned speaker the subject of a reporting verb (``own``:
    the words of the speaker's name as asked, which may stand between the verb and the name;
    ``spelled``: those and a Latin-script name's words as the article writes them, which a title after
    them belongs to)."""
    spelled = spelled or own
    lex = lexicon()
    verbs = [i for i, w in enumerate(words) if lex.is_verb(w.norm) and not _via(words, i) or _what_was_said(words, i)]
    if words and without_conjunction(words[0].norm) in lex.verbs_opening_a_report and any(w.norm in lex.complementizers for w in words[2:]):
        verbs.insert(0, 0)  # "وبيّن الصباغ أن ...", not "بين الطرفين"
    for first, last, addressed in mentions:
        if addressed and not _owner(words, first):
            continue
        if first > 0 and without_conjunction(words[first - 1].norm) in lex.according_to:
            return "verb"  # "والذي بلغ بحسب الصباغ 14 مليون": an indirect report, the name its source
        for phrase in lex.declined:
            n = len(phrase)
            if any(all(phrase[k] in words[i + k].forms for k in range(n))
                   for i in range(last + 1, min(len(words) - n + 1, last + 1 + SVO_REACH))):
                return "declined"
        for v in verbs:
            between = range(v + 1, first)
            titled = v + 1 < first and _opens_title(words[v + 1])
            foreign = sum(1 for k in between if _foreign(words[k], own) and not (titled and _in_title(words, k)))
            circumstantial = without_conjunction(words[v].norm) in lex.continuing_participles  # "مطالبا الرئيس …": its object
            if (v < first <= v + (TITLED_REACH if titled else VSO_REACH) and foreign <= 2 and not circumstantial
                    and not any(_blocks(words, k, first, lex.quotes_from(words[v].norm), own) for k in between)
                    and not (between and _coordinated(words[first], own)) and not _quoted(words, v, first, last)):
                return "verb"
            if last < v <= last + SVO_REACH and all(words[k].norm in SVO_BETWEEN for k in range(last + 1, v)):
                reported = circumstantial and (any(w.norm in lex.complementizers for w in words[:first]) or _has_subject(words, verbs, first, own))
                named = first  # a title after the name ("مع احمد داود اوغلو رئيس الوزراء التركي"): where the name begins
                while named > 0 and words[named - 1].forms & spelled:
                    named -= 1
                before = without_conjunction(words[named - 1].norm) if named else ""
                sourced = before == "عن" and any(lex.quotes_from(w.norm) for w in words[: named - 1])  # "نقلت … عن X قوله"
                if (before not in PREPOSITIONS or sourced) and not _possessor(words, first, spelled) and not reported:
                    return "verb"  # not a name in what was said ("وأكد أن … الربيعة، موضحا"): the speaker goes on
        subject = 1 <= first <= OPENING_SUBJECT and all(  # of the opening verb, after a title, rank or given name
            words[k].forms & (lex.titles | lex.ranks | spelled) for k in range(1, first))
        if subject and _opens_clause(words[0]) and any(
            w.norm in lex.continuing_participles or _coordinated_report(words, k) for k, w in enumerate(words[last + 1 :], last + 1)
        ):
            return "verb"  # "رفع وزير الحج … التهاني، سائلاً المولى أن …", "وقدر المهندس … الدعم، وأكد أن …": he goes on to speak
    return None


def _what_was_said(words: list[Word], i: int) -> bool:
    """Whether ``words[i]`` is a reporting verb with its object pronoun after "ما" ("حسب ما ذكره الوزير")."""
    lex = lexicon()
    norm = words[i].norm
    return i > 0 and words[i - 1].norm in lex.what_was_said and norm.endswith("ه") and lex.is_verb(norm[:-1])


def _has_subject(words: list[Word], verbs: list[int], first: int, own: frozenset[str]) -> bool:
    """Whether a reporting verb before the name at ``words[first]`` has a subject of its own right after
    it ("واوضح بوتين …"): no title, rank or honorific (which may open the speaker's own long title), no
    word of the speaker's name, no complementizer. A participle after the name goes on with that subject."""
    lex = lexicon()
    return any(
        v + 1 < first and not _opens_title(words[v + 1]) and not words[v + 1].forms & own
        and words[v + 1].norm not in lex.complementizers and not has_article(words[v + 1].norm)
        for v in verbs if v < first
    )


def _in_their_setting(words: list[Word]) -> bool:
    """Whether a sentence tells where the last speaker spoke and what else they said: it opens with
    "جاء ذلك" and a reporting verb follows "حيث" right away ("جاء ذلك خلال زيارة سموه …، حيث أشاد …")."""
    lex = lexicon()
    opens = any(len(words) > len(p) and all(words[k].norm == p[k] for k in range(len(p))) for p in lex.context_openers)
    return opens and any(
        w.norm in lex.context_links and k + 1 < len(words) and lex.is_verb(words[k + 1].norm) for k, w in enumerate(words)
    )


def _quoted(words: list[Word], v: int, first: int, last: int) -> bool:
    """Whether the name at ``words[first..last]`` stands inside a quotation opened after the verb at
    ``v`` ('واضاف بلاتر "الفيفا ستكون …"'): what was said, not who said it. A name quoted alone, the
    quotation closed right after it, is still the subject ("وقال “كيري” إنه …")."""
    inside = False
    for k in range(v + 1, first + 1):
        for i, ch in enumerate(words[k].lead):
            if ch in "«“" or ch == "”" and words[k].lead[:i].endswith(":"):  # ':”' opens, as articles often write it
                inside = True
            elif ch in "»”":
                inside = False
            elif ch == '"':
                inside = not inside
    closed_after = last + 1 < len(words) and any(ch in words[last + 1].lead for ch in '»”"')
    return inside and not closed_after


OPENING_SUBJECT = 4
"""Furthest word a name may stand at to be the opening verb's subject ("وقدر المهندس محمد المخرج")."""


def _coordinated_report(words: list[Word], k: int) -> bool:
    """Whether ``words[k]`` is a reporting verb joined by و with no subject of its own, a complementizer
    right after it ("…، وأكد أن …"): it shares the subject of the sentence's opening verb."""
    lex = lexicon()
    return (words[k].norm.startswith("و") and without_conjunction(words[k].norm) in lex.verbs
            and k + 1 < len(words) and words[k + 1].norm in lex.complementizers)


def _opens_clause(word: Word) -> bool:
    """Whether a sentence's first word may be its verb (not a noun with the article, a preposition or a particle)."""
    bare = without_conjunction(word.norm)
    return not has_article(word.norm) and bare not in PREPOSITIONS and bare not in lexicon().complementizers and len(bare) >= 3


def _owner(words: list[Word], first: int) -> bool:
    """Whether a name with ل attached owns the title before it ("الأمانة العامة لمنظمة التعاون",
    "المتحدث الرسمي لوزارة الداخلية"), and so speaks through it, rather than being addressed."""
    lex = lexicon()
    before = words[max(0, first - 2) : first]
    return any(w.forms & lex.titles for w in before) and all(has_article(w.norm) or w.forms & lex.titles for w in before)


VOICE_PLACE = 4
"""Most words of a place between a body's name and its spokesman's ("… لهيئة الهلال الأحمر بالمنطقة الشرقية فهد …")."""


def _voice(words: list[Word], mention: Mention) -> SpeakerMatch | None:
    """The person an article names right after a body's title, as its spokesman or official ("المتحدث
    الرسمي لهيئة الهلال الأحمر بالمنطقة الشرقية فهد بن عثمان الغامدي"), known by the last word of the
    name: the rest of the article may call them by it alone ("وأضاف الغامدي"), speaking for the body."""
    first, last, _ = mention
    if not (words[first].clitic.endswith("ل") or first > 0 and words[first - 1].norm == "باسم") or not _owner(words, first):
        return None
    k = last + 1
    while k < len(words) and k - last <= VOICE_PLACE and (has_article(words[k].norm) or words[k].norm == "في" or (
            words[k].norm[:1] in "بل" and has_article(words[k].norm[1:]))):
        k += 1
    lex = lexicon()
    run = []
    while k < len(words) and len(run) < 5 and words[k].start == words[k - 1].end + 1 and not words[k].forms & (lex.titles | lex.verbs):
        run.append(words[k])
        k += 1
        if has_article(run[-1].norm):  # the family name ends it ("الغامدي")
            break
    if len(run) < 2 or run[-1].norm in FAMILY or has_article(run[0].norm) or run[0].norm in PREPOSITIONS:
        return None
    name = strip_article(run[-1].norm)
    return SpeakerMatch((name,), name, ()) if len(name) >= 3 else None


def _genitive(words: list[Word], first: int, own: frozenset[str] = frozenset()) -> bool:
    """Whether a learnt title at ``words[first]`` is the possessor of the noun before it, and so not a
    speaker ("كما نقل تهاني وتبريكات سمو أمير المنطقة الشرقية", "وثمن الخميس تفضل أمير المنطقة"): a noun
    without the article, no title, rank, verb, preposition or complementizer, right before it (a rank
    such as "سمو" between them passed over), and not the sentence's first word, which is its verb
    whether the verb list knows it or not ("وقدم سمو أمير منطقة حائل شكره")."""
    lex = lexicon()
    if words[first].clitic:  # "لوزير الدفاع": a preposition, no possessor
        return False
    k = first - 1
    while k >= 0 and words[k].forms & lex.ranks:
        k -= 1
    if k <= 0 or words[k].end + 1 != words[k + 1].start:  # a sentence's first word is its verb ("ورفع سمو وزير …")
        return False
    return _bare_noun(words[k]) and not words[k].forms & own  # "ديمتري بيسكوف الناطق …": his title after his name


def _bare_noun(word: Word) -> bool:
    """Whether a word may be a noun without the article: no title, verb, preposition, complementizer or honorific."""
    lex = lexicon()
    bare = without_conjunction(word.norm)
    return (not has_article(word.norm) and not word.forms & (lex.titles | lex.verbs) and bare not in lex.verbs
            and bare not in PREPOSITIONS and bare not in lex.complementizers and word.norm not in lex.honorifics)


def _possessor(words: list[Word], first: int, own: frozenset[str]) -> bool:
    """Whether a name owns the noun right before it ("قوات نظام بشار الأسد": the regime's), and so is
    no subject of what follows: an indefinite noun (no article, title, rank, verb, preposition,
    complementizer or family word, and no word of the speaker's own name), written right before it,
    itself right after a word without the article that is no title (a noun it is possessed by, a
    preposition, a participle): after a title or an adjective with the article it is a given name
    ("البريطاني فيليب هاموند"), after punctuation or first it may be a verb ("، كان كارتر قد قال")."""
    lex = lexicon()

    def owned(w: Word) -> bool:
        return bool(w.forms & own) or strip_article(w.norm) in own

    while first > 0 and owned(words[first - 1]) and words[first - 1].end + 1 == words[first].start:
        first -= 1  # the rest of the name as asked ("بشار" before "الأسد")
    k = first - 1
    if k <= 0 or words[k].end + 1 != words[first].start or words[k - 1].end + 1 != words[k].start:
        return False
    if has_article(words[k - 1].norm) or words[k - 1].forms & lex.titles:
        return False  # "وزير الخارجية البريطاني فيليب هاموند": a given name after a title, not a possessed noun
    word = words[k]
    return _bare_noun(word) and not (word.forms & lex.ranks or owned(word) or word.norm in FAMILY
                                     or without_conjunction(word.norm) in FAMILY)


def _coordinated(word: Word, own: frozenset[str]) -> bool:
    """Whether a name after a verb's first words comes with the conjunction و ("وناشد المفتي الدول
    العربية … ومنظمة التعاون"): one of a list the verb is about, not its subject."""
    return word.norm.startswith("و") and word.norm not in own and strip_article(word.norm) not in own


def _via(words: list[Word], i: int) -> bool:
    """Whether a verb that is also a preposition ("عبر") is the preposition here: no "عن" after it."""
    if without_conjunction(words[i].norm) not in lexicon().verbs_with_an:
        return False
    return not any(w.norm in ("عن", "عما") for w in words[i + 1 : i + 1 + TITLED_REACH])  # past a subject as long as a title


def _opens_title(word: Word) -> bool:
    """Whether a word opens a title: a title, a rank or an honorific ("وزير", "اللواء", "سماحة")."""
    lex = lexicon()
    return bool(word.forms & (lex.titles | lex.ranks)) or word.norm in lex.honorifics


def _in_title(words: list[Word], k: int) -> bool:
    """Whether ``words[k]`` belongs to a long title or name without the article: a conjunct with it
    ("والإفتاء"), a family word or the father's name after one ("بن عبدالله")."""
    return words[k].norm.startswith("وال") or words[k].norm in FAMILY or k > 0 and words[k - 1].norm in FAMILY


def _foreign(word: Word, own: frozenset[str]) -> bool:
    """A word between a verb and a name that is no part of a title or of the name: a given name, an
    object ("وأكدت القيادة العامة «استشهاد» سيف ..." -- more than two, and the name is not the subject)."""
    lex = lexicon()
    return not (has_article(word.norm) or word.forms & lex.titles or word.forms & own or word.norm in ("باسم", "عن"))


def _blocks(words: list[Word], k: int, name: int, quoting: bool, own: frozenset[str] = frozenset()) -> bool:
    """Whether ``words[k]``, between a verb and a name, makes the name something other than the verb's
    subject: a complementizer or another verb (the name is in what was said), or a preposition
    (an addressee or topic) -- except "عن" right before the name after a quoting verb, and "علي" when
    the speaker's name has it ("علي عبدالله صالح": normalised, the preposition "على" reads the same)."""
    lex = lexicon()
    norm = words[k].norm
    if norm == "علي" and norm in own:  # the name Ali, which normalises as the preposition "على"
        return False
    if norm in lex.complementizers or lex.is_verb(norm):
        return True
    if norm == "في" and k > 0 and words[k - 1].norm in lex.insiders:
        return False  # "وأشار مسؤولون في الوزارة": the body speaks through them
    if norm in PRONOUN_PREPOSITIONS or norm[:1] == "و" and norm[1:] in PRONOUN_PREPOSITIONS or (
            words[k].clitic[-1:] in ("ب", "ل") and words[k].forms & lex.ranks):
        return True  # "ألقى … كلمة رحب فيها بسمو وزير الحرس الوطني": the one welcomed, not the speaker
    return norm in PREPOSITIONS and not (quoting and norm == "عن" and k == name - 1)


def _carries_on(text: str, words: list[Word]) -> bool:
    """Whether a sentence opens with a continuing verb and no speaker of its own ("وأضاف أن ...", "وتابع: ...",
    "كما أوضح، أن ..."), or has one open its main clause after a fronted phrase and a comma ("وفي رده على
    سؤال …، قال: …")."""
    lex = lexicon()
    lead = 0
    while lead < 2 and lead < len(words) - 1 and without_conjunction(words[lead].norm) in lex.connectives:
        lead += 1
    if lead and words[lead].norm in lex.continuation:
        words = words[lead:]
    elif not words or not lex.is_continuation(words[0].norm):
        fronted = _after_fronted_phrase(words)
        if fronted is None:
            return False
        words = words[fronted:]
    if len(words) == 1:
        return True
    gap = text[words[0].end : words[1].start]
    if _quoted_subject(text, words):
        return False
    after = words[1].norm
    return (any(ch in gap for ch in ":،,\"“«") or after in lex.complementizers or after in lex.honorifics
            or after in lex.complement_openers or after.startswith(lex.complement_prefixes) or _own_adverbial(text, words))


ADVERBIAL_REACH = 14
"""Most words from a continuing verb to its complement past such an adverbial."""


def _own_adverbial(text: str, words: list[Word]) -> bool:
    """Whether a continuing verb is followed by an adverbial with the speaker's pronoun, then by what was
    said ("وشدد لدى استقباله عددا من كبار المسؤولين على ضرورة …", "وأكد في كلمته أن …"): a verbal noun
    ending in the pronoun ه/ها (as written, not ة) right after the adverbial's head."""
    lex = lexicon()
    if len(words) < 4 or words[1].norm not in lex.adverbial_heads or not text[words[2].start : words[2].end].endswith(("ه", "ها")):
        return False
    for w in words[3:ADVERBIAL_REACH]:
        if lex.is_verb(without_conjunction(w.norm)):
            return False
        if w.norm in lex.complementizers or w.norm in lex.complement_openers or ":" in w.lead:
            return True
    return False


def _after_fronted_phrase(words: list[Word]) -> int | None:
    """Where a continuing verb opens the main clause after a phrase put first and a comma ("وقبل المباراة …،
    قال «…»"): the first reporting verb of the sentence, after a comma and without و (not "… اسف
    اوباما …، وقال", a second verb of a subject named before it), in a sentence that opens with a
    preposition or a word of time ("وفي", "وقبل"; not "وكان وزير الدفاع …، قال"); else None."""
    lex = lexicon()
    opening = PREPOSITIONS | lex.fronted_openers
    if not words or words[0].norm not in opening and not (words[0].norm[:1] in "وف" and words[0].norm[1:] in opening):  # "وفي"
        return None
    for k, w in enumerate(words):
        if lex.is_verb(w.norm) or lex.is_verb(without_conjunction(w.norm)):
            return k if k > 0 and any(c in w.lead for c in "،,") and w.norm in lex.continuation else None
    return None



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
    spelled = own | speaker.written_in([w for ws in words for w in ws])  # "ديمتري بيسكوف": a Latin name as written here
    mentions: list[list[Mention]] = []
    titles: set[tuple[str, ...]] = {speaker.title} if speaker.title else set()  # the article names them: the question's title is theirs
    voices: list[SpeakerMatch] = []  # people named as the body's spokesmen so far
    for ws in words:  # each mention's titles, learnt once: they both drop a mention titled otherwise and name the speaker later
        kept = [m for voice in voices for m in voice.find(ws)]
        for mention in speaker.find(ws):
            learnt = titles_of(ws, [mention])
            if speaker.body:  # before its name, "نائب رئيس فيفا" is its officer; "المتحدث باسم الوزارة" speaks for it
                after = title_after(ws, mention[1])  # after it, the one who speaks ("… باسم الوزارة السفير بدر عبدالعاطي")
                learnt = {t for t in learnt if t[0] in lexicon().spokesmen or "باسم" in t or t == after}
            learnt |= aliases_of(ws, mention)
            if not titled_otherwise(ws, mention, speaker, learnt):
                kept.append(mention)
                titles |= learnt
                voice = _voice(ws, mention) if speaker.body else None
                if voice is not None:
                    voices.append(voice)
        mentions.append(sorted(set(kept)))
    found: list[Utterance] = []
    since_theirs = CARRY_REACH + 1  # sentences since their last one (another speaker's resets it)
    statement_is_theirs = False  # whose statement "البيان" refers to, in this article so far
    quote_open = False  # a quotation of theirs runs on into the next sentence
    quote_run = 0  # sentences it has run on so far
    previous_named = False  # the sentence before named the speaker
    for (a, b), ws, ms in zip(sentences, words, mentions, strict=True):
        if titles:  # a learnt title named on by another adjective is another holder's ("وزير الخارجية الإيراني")
            ms = sorted(set(ms) | {m for m in find_titles(ws, titles) if not named_on(ws, m[1], own, nisba=True) and not _genitive(ws, m[0], spelled)})
        cue = _speaks(ws, ms, own, spelled) if ms else None
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
        if cue is None and since_theirs == 1 and not ms and _in_their_setting(ws):
            cue = "continuation"  # "جاء ذلك خلال زيارة سموه …، حيث أشاد بما …"
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
            if cue is None and statement_is_theirs and _tells_content(ws, issued[0]):
                cue = "statement"  # "أصدرت الرئاسة بياناً" alone says nothing yet; "… أفادت فيه بأن …" does
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

    return any(not addressed and last < n <= last + STATEMENT_REACH or after(n, first)  # "بيان لرئيس الوزراء": his
               for first, last, addressed in mentions for n in nouns)


def _tells_content(words: list[Word], noun: int) -> bool:
    """Whether a sentence telling of a statement says what it holds after the noun: a complementizer,
    a reporting verb, "in which" or a colon ("بياناً أفادت فيه بأن …", "بيان الكرملين، أن …", "بياناً جاء
    فيه"); not a name in quotation marks ("بياناً نقلته وكالة “تاس”")."""
    lex = lexicon()
    return any(w.norm in lex.complementizers or lex.is_verb(w.norm) or w.norm in lex.in_which or ":" in w.lead
               for w in words[noun + 1 :])


def _the_statement_says(words: list[Word]) -> bool:
    """Whether a sentence reports what "the statement" says: "وذكر البيان أن", "وبحسب البيان", "ولفت البيان";
    not one that names another issuer ("ولم يأت البيان الصادر عن الرئاسة السورية")."""
    lex = lexicon()
    for i, w in enumerate(words):
        if w.norm.startswith("ال") and w.forms & lex.statement_nouns or without_conjunction(w.norm) in ("البيان", "بالبيان"):
            if i + 1 < len(words) and words[i + 1].norm in lex.issued_by:
                continue  # "البيان الصادر عن …": another issuer's
            before = words[max(0, i - 2) : i]
            if any(lex.is_verb(v.norm) or without_conjunction(v.norm) in ("بحسب", "حسب", "وفق", "وفقا") for v in before):
                return True
    return False
