"""Who said what, and when: every statement of one speaker in the question's window, each once, in time order.

A statement question ("What did Peskov say in May 2021?", "هل علّق بيسكوف على
...؟") is answered without the reader: every article in the window that names
the speaker (found through the BM25 postings of the name, so the whole archive
is covered, not the top passages) is read sentence by sentence for the
speaker's reported speech (:func:`assistant.text.speech.attribution.attributed`). The
sentences that say the same thing -- an agency story printed by several
outlets, a light rewrite -- are grouped into one statement
(:func:`group_statements`), which is shown once with every print cited and the
other outlets named. Statements are listed by date, undated ones last; a
question spanning several years is answered year by year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from assistant.answer.compose import Citation, cite_span, readable
from assistant.text.arabic import normalize, tokenize
from assistant.text.sentences import candidate_spans
from assistant.text.speech.attribution import Utterance, attributed
from assistant.text.speech.lexicon import lexicon
from assistant.text.speech.names import SpeakerMatch, words_of, written_apart
from assistant.text.speech.question import StatementAsk
from assistant.text.terms import EXONYMS, QUESTION_WORDS, english_names, light_stems
from assistant.types import Chunk, DateWindow, Document, Language, date_label

if TYPE_CHECKING:
    import numpy as np

    from assistant.retrieve.query import Query
    from assistant.retrieve.search import SearchIndex

SAME_STATEMENT_COSINE = 0.51
"""Sentences of two articles paired one to one report one statement when their cosine (index-time
sentence vectors) reaches this: the best balanced accuracy between lightly rewritten sentences of the
SaudiNewsNet sample's wire copies and different sentences of one article (benchmarks/statements.py
--calibrate; no seed or gold answer used)."""
SAME_STATEMENT_OVERLAP = 0.5
"""Or when this share of the shorter sentence's words is in the other (prints of one story)."""


@dataclass
class Said:
    """One sentence in which the speaker speaks, in one article."""

    doc: Document
    start: int
    end: int
    cue: str
    vector: np.ndarray | None = None

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


@dataclass
class Statement:
    """What the speaker said once, with every sentence that reports it (first: the one quoted)."""

    speaker: str
    reports: list[Said] = field(default_factory=list)

    @property
    def first(self) -> Said:
        return self.reports[0]

    @property
    def date(self) -> str | None:
        dated = [r.doc.date for r in self.reports if r.doc.date is not None]
        return min(dated, key=lambda d: d.span()[0]).iso if dated else None

    def sort_key(self) -> tuple[int, int, str, int]:
        days = [r.doc.date.span()[0] for r in self.reports if r.doc.date is not None]
        return (0, min(days).toordinal(), self.first.doc.doc_id, self.first.start) if days else (1, 0, self.first.doc.doc_id, self.first.start)

    def outlets(self) -> list[tuple[str, str | None]]:
        """The articles reporting it other than the quoted one: (doc_id, outlet) each, once."""
        seen = {self.first.doc.doc_id}
        out = []
        for r in self.reports[1:]:
            if r.doc.doc_id not in seen:
                seen.add(r.doc.doc_id)
                out.append((r.doc.doc_id, r.doc.outlet))
        return out


@dataclass(frozen=True)
class StatementsFound:
    """The speaker's statements in the window, in time order, and how the window was applied."""

    ask: StatementAsk
    statements: list[Statement]
    rule: str
    """The date rule: none, in-window, undated-fallback, empty-window (as search's)."""
    articles: int
    """Articles that name the speaker within the window (read in full)."""
    off_topic: int = 0
    """The speaker's statements left out because they do not speak of the question's topic."""


def _name_tokens(speaker: SpeakerMatch) -> list[list[list[str]]]:
    """How to find the articles naming the speaker through BM25 postings: phrases (any of them), each a
    list of words (all of them), each word its search tokens (any: "فلاسي" is also read "لاسي"). The
    last name of a person, its Arabic spellings for a Latin-script name, else the whole name or one of
    its other phrases (a bare institution noun alone finds nothing: it names the speaker only in an
    article that names them in full)."""
    if speaker.surname is not None:
        phrases = [(speaker.surname,)]
    elif speaker.spellings is not None:
        return [[[w]] for w in sorted(speaker.spellings)]
    else:
        phrases = [p for p in (speaker.phrase, *speaker.exonyms) if len(p) >= 2 or not speaker.phrase or p == speaker.phrase]
    apart = [tuple(part for w in p for part in (written_apart(w) or (w,))) for p in phrases]  # "عبد الرحمن" as indexed
    return [[tokens for tokens in (tokenize(w) for w in p) if tokens] for p in dict.fromkeys(phrases + apart)]


def _rows_naming(search: SearchIndex, phrases: list[list[list[str]]]) -> Any:
    import numpy as np

    found = np.zeros(len(search.chunks), dtype=bool)
    for words in phrases:
        if not words:
            continue
        rows = np.ones(len(search.chunks), dtype=bool)
        for tokens in words:
            rows &= search.bm25.scores(tokens) > 0  # BM25 of the word's readings: any one present
        found |= rows
    return found


def _sentences(search: SearchIndex, doc: Document, chunks: Iterable[Chunk]) -> tuple[list[tuple[int, int]], dict[tuple[int, int], Chunk]]:
    """An article's candidate sentences (the index's own, boilerplate excluded), with the chunk each was found in."""
    where: dict[tuple[int, int], Chunk] = {}
    for chunk in chunks:
        for span in candidate_spans(doc.text, chunk.start, chunk.end):
            where.setdefault(span, chunk)
    spans = sorted(where)
    whole = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return whole, where


def _several_periods(window: DateWindow) -> bool:
    """Whether a window is open to today ("since 2021") or spans years ("between 2021 and 2025"): answered
    per period, where an undated article may belong to any of them."""
    return window.start is None or window.end is None or window.start.year != window.end.year


def find_said(search: SearchIndex, query: Query, ask: StatementAsk) -> tuple[list[Said], str, int]:
    """Every sentence in the window's articles where the asked speaker speaks; the date rule; articles read."""
    import numpy as np

    speaker = ask.match
    if speaker.latin:  # its Arabic spellings come from the index's vocabulary
        speaker = speaker.spelled(search.bm25.doc_freqs())
    rows = _rows_naming(search, _name_tokens(speaker))
    if query.doc_ids is not None:
        rows &= np.array([c.doc_id in query.doc_ids for c in search.chunks], dtype=bool)
    rule = "none"
    if query.window is not None:
        in_window, undated = search.date_masks(query.window)
        said, n = _read(search, speaker, rows & in_window)
        if said and not _several_periods(query.window):
            return said, "in-window", n
        more, m = _read(search, speaker, rows & undated)
        if said:  # a window open to today ("since 2021") or of several years may hold an undated article: last, marked
            return said + more, "in-window", n + m
        return more, ("undated-fallback" if more else "empty-window"), m
    said, n = _read(search, speaker, rows)
    return said, rule, n


def _read(search: SearchIndex, speaker: SpeakerMatch, rows: Any) -> tuple[list[Said], int]:
    import numpy as np

    naming = dict.fromkeys(search.chunks[int(row)].doc_id for row in np.flatnonzero(rows))
    by_doc = {doc_id: [search.chunks[int(r)] for r in search.doc_rows(doc_id)] for doc_id in naming}  # whole articles
    said: list[Said] = []
    for doc_id, chunks in by_doc.items():
        doc = search.docs[doc_id]
        spans, where = _sentences(search, doc, chunks)
        found: list[Utterance] = attributed(doc.text, spans, speaker)
        first = {a: (a, b) for a, b in spans}  # a quotation run on over sentences is known by its first
        vectors: dict[str, dict[tuple[int, int], Any]] = {}
        for u in found:
            chunk = where[first[u.start]]
            if chunk.chunk_id not in vectors:
                vectors[chunk.chunk_id] = search.sentence_vectors(chunk)
            vector = vectors[chunk.chunk_id].get(first[u.start])
            if vector is not None and not np.any(vector):  # a passage still waiting to be embedded
                vector = None
            said.append(Said(doc, u.start, u.end, u.cue, vector))
    missing = [s for s in said if s.vector is None]
    if missing:
        made = search.embedder.encode_documents([s.text for s in missing], [s.doc.title for s in missing])
        for s, vec in zip(missing, made, strict=True):
            s.vector = vec
    return said, len(by_doc)


def _words(text: str) -> set[str]:
    return set(tokenize(text))


def overlap(a: str, b: str) -> float:
    """Share of the shorter sentence's words found in the other."""
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


SAME_STATEMENT_DAYS = 31
"""Reports of one statement by cosine alone are dated within this many days of each other."""


def similarity(a: Said, b: Said) -> float:
    """How alike two reports are: 1.0 for prints of one sentence (word overlap), else their cosine --
    which counts only between reports dated (or fetched) within a month of each other: one occasion."""
    import numpy as np

    if overlap(a.text, b.text) >= SAME_STATEMENT_OVERLAP:
        return 1.0
    days_a, days_b = a.doc.window_span(), b.doc.window_span()  # the date, else the week before the fetch
    if a.vector is None or b.vector is None or days_a is None or days_b is None:
        return 0.0
    if (days_b[0] - days_a[1]).days > SAME_STATEMENT_DAYS or (days_a[0] - days_b[1]).days > SAME_STATEMENT_DAYS:
        return 0.0
    return float(np.asarray(a.vector, dtype=np.float32) @ np.asarray(b.vector, dtype=np.float32))


def group_statements(said: list[Said], speaker: str, cosine: float = SAME_STATEMENT_COSINE) -> list[Statement]:
    """Reports grouped into statements, articles taken in time order.

    An article reports each statement once, so its sentences are aligned one to one with the
    statements found so far (the best total similarity, scipy's assignment solver): a sentence
    joins the statement it is paired with when their similarity (the best over that statement's
    reports) reaches ``cosine``; the others open statements of their own. Statements come out by date.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    by_doc: dict[str, list[Said]] = {}
    for s in sorted(said, key=lambda s: (s.doc.date is None, s.doc.date.span()[0] if s.doc.date else dt.date.min, s.doc.doc_id, s.start)):
        by_doc.setdefault(s.doc.doc_id, []).append(s)
    statements: list[Statement] = []
    for reports in by_doc.values():
        sim = np.array([[max(similarity(r, old) for old in st.reports) for st in statements] for r in reports]).reshape(len(reports), len(statements))
        joined: dict[int, int] = {}
        if statements:
            rows, cols = linear_sum_assignment(-sim)
            joined = {int(r): int(c) for r, c in zip(rows, cols, strict=True) if sim[r, c] >= cosine}
        opened = []
        for i, r in enumerate(reports):
            if i in joined:
                statements[joined[i]].reports.append(r)
            else:
                opened.append(Statement(speaker, [r]))
        statements.extend(opened)
    return sorted(statements, key=Statement.sort_key)


@dataclass(frozen=True)
class Topic:
    """What a statement question is about ("... عن سوريا", "... about Assad's win"): its words and names."""

    words: frozenset[str]
    """Light stems of the Arabic topic words (a statement matches with any of them)."""
    names: tuple[SpeakerMatch, ...]
    """Names in the topic, matched across scripts as speakers are."""
    text: str

    @classmethod
    def of(cls, ask: StatementAsk, window: DateWindow | None, language: Language) -> Topic:
        rest = ask.topic
        if window is not None and window.text and window.text in rest:
            rest = rest.replace(window.text, " ")
        # english_names gives names lower-cased; a speaker's parse reads a name by its capitals, and a
        # name of several words with a known Arabic form ("saudi arabia") by that form
        latin = tuple(
            m for m in (SpeakerMatch.of(t.text if t.text in EXONYMS else t.text.title()) for t in english_names("X " + rest) if t.kind == "name")
            if not m.empty
        )
        if language == "en":
            return cls(frozenset(), latin, rest.strip(" ?.!"))
        words = [t for t in tokenize(rest) if not t.isdigit() and t not in QUESTION_WORDS and len(t) > 2]
        stems = frozenset(f for w in words for f in light_stems(w))
        return cls(stems, latin, rest.strip(" ?؟.!"))

    def spelled(self, vocabulary: Collection[str]) -> Topic:
        """The topic with its Latin-script names' Arabic spellings found in ``vocabulary`` (an index's
        words), light-stemmed into its words as an Arabic question's would be ("Syria": سوريا, which
        then matches السوريين too)."""
        names = tuple(m.spelled(vocabulary) for m in self.names)
        stems = frozenset(f for m in names for w in m.spellings or () for f in light_stems(normalize(w)))
        return replace(self, words=self.words | stems, names=names)

    @property
    def empty(self) -> bool:
        return not (self.words or self.names)

    @property
    def restricted(self) -> bool:
        """Whether the question asks about something ("about …", "عن …"), not only when or whom."""
        first = next(iter(self.text.split()), "")
        return bool({first.lower(), normalize(first)} & lexicon().topic_openers)

    def matches(self, text: str) -> bool:
        """Whether a sentence speaks of the topic: any of its words (any reading, light-stemmed) or names."""
        words = words_of(text)
        if any(not self.words.isdisjoint(light_stems(f)) for w in words for f in w.forms):
            return True
        return any(m.find(words) for m in self.names)


TOPIC_SHARE = 0.5
"""By meaning, a statement is on the topic when its cosine to it is at least this share of the closest one's
(set beforehand, not fitted: "the closer half")."""


def on_topic(
    statements: list[Statement], topic: Topic, embed: Callable[[str], np.ndarray] | None = None
) -> tuple[list[Statement], int]:
    """The statements that speak of the topic (through any of their reports), and how many did not.
    When none holds its words or names ("about commodity prices" asked in English of Arabic articles),
    a topic the question opens with "about"/"عن" is matched by meaning (``embed``: the query embedder),
    the statements within :data:`TOPIC_SHARE` of the closest one's cosine kept; else all of them."""
    kept = [st for st in statements if any(topic.matches(r.text) or topic.matches(r.doc.title) for r in st.reports)] if not topic.empty else []
    if kept:
        return kept, len(statements) - len(kept)
    if embed is None or not topic.restricted or not statements:
        return statements, 0
    import numpy as np

    asked = np.asarray(embed(topic.text), dtype=np.float32)
    scores = [max((float(np.asarray(r.vector, dtype=np.float32) @ asked) for r in st.reports if r.vector is not None), default=0.0)
              for st in statements]
    best = max(scores)
    if best <= 0:
        return statements, 0
    kept = [st for st, score in zip(statements, scores, strict=True) if score >= TOPIC_SHARE * best]
    return kept, len(statements) - len(kept)


def periods(statements: list[Statement], window: DateWindow | None) -> list[tuple[str, list[Statement]]]:
    """Statements by year when the window spans several years (undated last); otherwise one period."""
    if window is None or window.start is None or window.end is None or window.start.year == window.end.year:
        return [("", statements)]
    out: dict[str, list[Statement]] = {}
    for s in statements:
        out.setdefault(s.date[:4] if s.date else "", []).append(s)
    return sorted(out.items(), key=lambda kv: (kv[0] == "", kv[0]))


# --- the answer -----------------------------------------------------------------

MAX_STATEMENTS = 12
"""Statements listed in one answer (the rest are counted, not shown)."""


@dataclass(frozen=True)
class StatementView:
    """One statement as an answer shows it: ``--json``'s ``statements[]``."""

    speaker: str
    date: str | None
    quote: str
    citations: list[Citation]
    also_reported_by: list[tuple[str, str | None]]

    def to_json(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker, "date": self.date, "quote": self.quote,
            "citations": [c.to_json() for c in self.citations],
            "also_reported_by": [{"doc_id": d, "outlet": o} for d, o in self.also_reported_by],
        }


OUTLET_TITLE_CHARS = 60
"""The longest title shown in place of an outlet's name."""


def _outlet(doc_id: str, outlet: str | None, docs: dict[str, Document]) -> str:
    """The outlet's name, or for an article that names none its title («…», cut at a word), or its id."""
    if outlet or doc_id not in docs:
        return outlet or doc_id
    title = " ".join(docs[doc_id].title.split())
    if len(title) > OUTLET_TITLE_CHARS:
        cut = title.rfind(" ", 0, OUTLET_TITLE_CHARS)
        title = title[: cut if cut > 0 else OUTLET_TITLE_CHARS].rstrip(" ،,") + "…"
    return f"«{title}»"


def statements_answer(
    found: StatementsFound, window: DateWindow | None, language: Language, docs: dict[str, Document]
) -> tuple[str, list[Citation], list[StatementView]]:
    """The answer: the speaker's statements by date (by year across years), each quoted once with its
    [n] and the other outlets that printed it; the citations (every print of every statement)."""
    shown = found.statements[:MAX_STATEMENTS]
    citations: list[Citation] = []
    views: list[StatementView] = []
    lines: list[str] = []
    speaker = found.ask.speaker
    when = f" ({window.text})" if window is not None and window.text else ""
    count = len(found.statements)
    if language == "ar":
        lines.append(f"ما قاله {speaker}{when}، بحسب المقالات ({count} تصريحات، مرتبة حسب التاريخ):")
    else:
        lines.append(f"What {speaker} said{when}, according to the articles ({count} statement{'s' * (count != 1)}, by date):")
    for period, statements in periods(shown, window):
        if period or len(lines) > 1 and any(p for p, _ in periods(shown, window)):
            lines.append(f"{period or date_label(None, language)}:")
        for st in statements:
            cites: list[Citation] = []
            for r in st.reports:  # numbered on from the statements before, without gaps
                cite = cite_span(r.doc, (r.start, r.end), len(citations) + len(cites) + 1, 1.0)
                if cite is not None:
                    cites.append(cite)
            if not cites:
                continue
            citations.extend(cites)
            others = st.outlets()
            views.append(StatementView(speaker, st.date, cites[0].quote, cites, others))
            marks = "".join(f"[{c.n}]" for c in cites)
            line = f"{len(views)}. {date_label(st.date, language)} — «{readable(cites[0].quote)}» {marks}"
            if others:
                names = ("، " if language == "ar" else ", ").join(dict.fromkeys(_outlet(d, o, docs) for d, o in others))  # each outlet once
                line += f" ({'ورد أيضاً في' if language == 'ar' else 'also reported by'}: {names})"
            lines.append(line)
    if found.off_topic:
        n = found.off_topic
        lines.append(f"({n} تصريحات أخرى له في موضوعات أخرى لم تُعرض.)" if language == "ar"
                     else f"({n} other statement{'s' * (n != 1)} by {speaker} on other subjects not shown.)")
    if count > len(shown):
        rest = count - len(shown)
        lines.append(f"… و{rest} تصريحات أخرى." if language == "ar" else f"… and {rest} more statement{'s' * (rest != 1)}.")
    return "\n".join(lines), citations, views


def silent_text(found: StatementsFound, window: DateWindow | None, language: Language) -> str:
    """The answer when no article names the speaker, or when those that do quote nothing they said."""
    speaker, n = found.ask.speaker, found.articles
    if language == "ar":
        when = f" ضمن «{window.text}»" if window is not None else ""
        if not n:
            return f"لا تتضمن المقالات المتاحة جواباً عن هذا السؤال: لا تذكر أي مقالة{when} {speaker}."
        return f"لم أجد في المقالات{when} أي تصريح منسوب إلى {speaker}: ورد ذكره في {n} مقالة دون أن يُنقل عنه قول."
    when = f" within \"{window.text}\"" if window is not None else ""
    if not n:
        return f"The articles do not answer this question: no article{when} names {speaker}."
    return f"The articles{when} quote nothing {speaker} said: {n} article{'s' * (n != 1)} mention {speaker}, none reports a statement of theirs."


def find_statements(search: SearchIndex, query: Query, ask: StatementAsk) -> StatementsFound:
    """The asked speaker's statements within the question's window and filters, grouped and in time order."""
    said, rule, articles = find_said(search, query, ask)
    shorter = ask.shorter()
    while not articles and shorter is not None:  # the longest start of the words after the verb that an article names
        ask, shorter = shorter, shorter.shorter()
        said, rule, articles = find_said(search, query, ask)
    topic = Topic.of(ask, query.window, query.language)
    if topic.names:  # Latin-script names: their Arabic spellings come from the index's vocabulary
        topic = topic.spelled(search.bm25.doc_freqs())
    statements, off_topic = on_topic(group_statements(said, ask.speaker), topic, lambda text: search.embedder.encode_queries([text])[0])
    return StatementsFound(ask, statements, rule, articles, off_topic)
