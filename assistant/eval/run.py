"""Evaluation: question sets in the dev.jsonl format (answers) or SQuAD format (retrieval, answers).

dev.jsonl metrics follow ../shared/eval/README.md: a retrieval hit is a gold
article among the *cited* sources; an answer hit is an accepted string inside
the normalised answer; quote exactness re-reads every quoted span from the
article file on disk.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.text.arabic import normalize
from assistant.errors import BadInput
from assistant.types import Advance, Progress

if TYPE_CHECKING:
    from assistant.index.copies import Copies

@dataclass(frozen=True)
class EvalQuestion:
    """One question of a set, with what counts as right."""

    id: str
    question: str
    gold_docs: tuple[str, ...]
    must_not_docs: tuple[str, ...] = ()
    answer_any: tuple[str, ...] = ()
    answerable: bool = True


def normalise_answer(text: str) -> str:
    """The eval README's normalisation: diacritics, tatweel, alef/ya/ta marbuta, digits, case."""
    return " ".join(normalize(text.replace("ـ", "")).split())


def answer_hit(answer: str, accepted: tuple[str, ...]) -> bool:
    """Whether the normalised answer contains any accepted string (commas in numbers ignored)."""
    got = normalise_answer(answer)
    got_plain = got.replace(",", "")
    return any(normalise_answer(a) in got or normalise_answer(a).replace(",", "") in got_plain for a in accepted)


_PUNCT = re.compile(r"[^\w\s]|_")
_ARTICLE = re.compile(r"^(و|ف|ب|ل|ك)?ال(?=\w{2,})")


def answer_tokens(text: str) -> list[str]:
    """SQuAD-style answer tokens: normalised, punctuation removed, the article "ال" (and a clitic before it) dropped."""
    return [_ARTICLE.sub("", t) for t in _PUNCT.sub(" ", normalise_answer(text)).split()]


def token_f1(prediction: str, accepted: tuple[str, ...]) -> float:
    """SQuAD token F1 of ``prediction`` against the best of the accepted answers."""
    got = answer_tokens(prediction)
    best = 0.0
    for gold in accepted:
        want = answer_tokens(gold)
        common = sum((Counter(got) & Counter(want)).values())
        if got and want and common:
            p, r = common / len(got), common / len(want)
            best = max(best, 2 * p * r / (p + r))
    return best


def _field(row: dict[str, Any], name: str, line: int, path: Path) -> Any:
    if name not in row:
        raise BadInput(f"{path}:{line}: missing field {name!r}", hint="see ../shared/eval/README.md for the format")
    return row[name]


def load_dev(path: Path) -> list[EvalQuestion]:
    """Read a dev.jsonl-style file: one JSON object per line."""
    out = []
    for n, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise BadInput(f"{path}:{n}: expected a JSON object")
        out.append(
            EvalQuestion(
                id=str(row.get("id", n)),
                question=str(_field(row, "question", n, path)),
                gold_docs=tuple(row.get("gold_docs", ())),
                must_not_docs=tuple(row.get("must_not_docs", ())),
                answer_any=tuple(row.get("answer_any", ())),
                answerable=bool(row.get("answerable", True)),
            )
        )
    if not out:
        raise BadInput(f"{path} holds no questions")
    return out


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None


def is_squad(path: Path) -> bool:
    """SQuAD files are one JSON document with a "data" list; dev files are JSON lines."""
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and isinstance(data.get("data"), list)


@dataclass(frozen=True)
class SquadSet:
    """A SQuAD file turned into one article per paragraph plus its questions."""

    paragraphs: list[tuple[str, str]]  # (doc_id, context)
    questions: list[EvalQuestion]


def load_squad(path: Path) -> SquadSet:
    """Every paragraph becomes an article ``p00000``...; every question's gold is its paragraph."""
    try:
        data = json.loads(_read(path))
        articles = data["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadInput(f"{path} is not a SQuAD-format file ({exc})") from None
    paragraphs, questions = [], []
    for article in articles:
        for para in article.get("paragraphs", []):
            doc_id = f"p{len(paragraphs):05d}"
            paragraphs.append((doc_id, para["context"]))
            for qa in para.get("qas", []):
                answers = tuple(a["text"] for a in qa.get("answers", []) if a.get("text"))
                questions.append(EvalQuestion(str(qa.get("id", len(questions))), qa["question"], (doc_id,), (), answers, True))
    if not questions:
        raise BadInput(f"{path} holds no questions")
    return SquadSet(paragraphs, questions)


def write_squad_corpus(squad: SquadSet, folder: Path) -> None:
    """One .txt per paragraph; files already right are left alone (so re-indexing is a no-op)."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, context in squad.paragraphs:
        path = folder / f"{doc_id}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != context:
            path.write_text(context, encoding="utf-8")


def squad_workdir(path: Path, cache: Path) -> Path:
    """Where a SQuAD file's corpus and index are kept between runs."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return cache / f"{path.stem}-{digest}"


def ranking_metrics(ranks: list[int | None]) -> dict[str, float]:
    """nDCG@10, MRR@10, R@1/5/10 from the gold article's 0-based rank (None: not in the top 10)."""
    n = max(1, len(ranks))

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r < k) / n

    return {
        "nDCG@10": sum(1 / math.log2(r + 2) for r in ranks if r is not None and r < 10) / n,
        "MRR@10": sum(1 / (r + 1) for r in ranks if r is not None and r < 10) / n,
        "R@1": recall(1),
        "R@5": recall(5),
        "R@10": recall(10),
    }


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return float(statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1])


@dataclass
class Row:
    """One question's outcome."""

    id: str
    question: str
    answerable: bool
    abstained: bool
    cited: list[str]
    searched: list[str]
    answer: str
    answer_hit: bool | None
    must_not_hit: bool
    quotes: int
    exact_quotes: int
    total_ms: float
    mode: str
    short_answer: str | None = None
    """The reader's span (None: no short answer)."""
    f1: float | None = None
    """SQuAD token F1 of the short answer (else of the whole answer text) against the accepted answers; 0 when refused."""
    language: str = "ar"
    signals: dict[str, float] | None = None
    answered_elsewhere: bool | None = None
    """An unanswerable question (its paragraph left out of the index) whose short answer (else its
    answer text) holds one of the left-out paragraph's gold answers all the same: another indexed
    passage held it. None when no gold answer is known or the question is answerable."""


@dataclass
class Report:
    """Summary figures plus every row."""

    k: int
    rows: list[Row] = field(default_factory=list)

    def summary(self) -> dict[str, float | int | None]:
        answerable = [r for r in self.rows if r.answerable]
        unanswerable = [r for r in self.rows if not r.answerable]
        quotes = sum(r.quotes for r in self.rows)
        lat = [r.total_ms for r in self.rows]

        def share(rows: list[Row], pred: Callable[[Row], bool]) -> float | None:
            return sum(1 for r in rows if pred(r)) / len(rows) if rows else None

        return {
            "questions": len(self.rows),
            "retrieval_hit_at_k": share(answerable, lambda r: bool(r.cited)),
            "search_hit_at_k": share(answerable, lambda r: bool(r.searched)),
            "must_not_violations": sum(1 for r in self.rows if r.must_not_hit),
            "answer_hit": share(answerable, lambda r: bool(r.answer_hit)),
            "quote_exactness": (sum(r.exact_quotes for r in self.rows) / quotes) if quotes else 1.0,
            "abstention_accuracy": share(unanswerable, lambda r: r.abstained),
            "false_abstention_rate": share(answerable, lambda r: r.abstained),
            "unanswerable_answered_elsewhere": share(unanswerable, lambda r: bool(r.answered_elsewhere)),
            "short_answer_f1": (sum(r.f1 or 0.0 for r in scored) / len(scored)) if (scored := [r for r in answerable if r.f1 is not None]) else None,
            "short_answer_share": share(answerable, lambda r: r.short_answer is not None),
            "model_written_share": share(answerable, lambda r: r.mode == "generated"),
            "p50_ms": percentile(lat, 0.5),
            "p95_ms": percentile(lat, 0.95),
        }

    def by_language(self) -> dict[str, dict[str, float | int | None]]:
        """The summary for the questions of each language ("ar", "en"), when there are several."""
        languages = sorted({r.language for r in self.rows})
        if len(languages) < 2:
            return {}
        return {lang: Report(self.k, [r for r in self.rows if r.language == lang]).summary() for lang in languages}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.k, "summary": self.summary(), "rows": [r.__dict__ for r in self.rows]}
        if split := self.by_language():
            out["by_language"] = split
        return out


def quote_is_exact(original: str | None, quote: str, start: int, end: int) -> bool:
    return original is not None and 0 <= start <= end <= len(original) and original[start:end] == quote


def evaluate_answers(
    answerer: Any,
    questions: list[EvalQuestion],
    *,
    read_original: Callable[[str], str | None],
    today: Any = None,
    tick: Advance | None = None,
) -> Report:
    """Ask every question through the full pipeline and score it."""
    report = Report(k=answerer.k)
    for q in questions:
        ans = answerer.ask(q.question, today=today)
        cited = [c.doc_id for c in ans.citations]
        exact = sum(1 for c in ans.citations if quote_is_exact(read_original(c.doc_id), c.quote, c.start, c.end))
        gold = with_copies(q.gold_docs, answerer.search.copies)
        report.rows.append(
            Row(
                id=q.id,
                question=q.question,
                answerable=q.answerable,
                abstained=ans.abstained,
                cited=[d for d in cited if d in gold],
                searched=[d for d in ans.searched_docs if d in gold],
                answer=ans.answer,
                answer_hit=answer_hit(ans.answer, q.answer_any) if q.answerable and not ans.abstained else (False if q.answerable else None),
                must_not_hit=any(d in q.must_not_docs for d in cited),
                quotes=len(ans.citations),
                exact_quotes=exact,
                total_ms=ans.timings_ms["total"],
                mode=ans.mode,
                short_answer=ans.short_answer.text if ans.short_answer else None,
                f1=(0.0 if ans.abstained else token_f1(ans.short_answer.text if ans.short_answer else ans.answer, q.answer_any))
                if q.answerable and q.answer_any else None,
                language=ans.language,
                signals=ans.signals,
                answered_elsewhere=None if q.answerable or not q.answer_any else (
                    not ans.abstained and answer_hit(ans.short_answer.text if ans.short_answer else ans.answer, q.answer_any)),
            )
        )
        if tick:
            tick(1)
    return report


def with_copies(docs: tuple[str, ...], copies: Copies) -> set[str]:
    """Gold articles and their copies: the index shows one print of a story that several articles hold
    (near-duplicate text), so citing any of them cites the gold text."""
    return set(docs) | {o for d in docs for o in copies.others(d)}


def retrieval_ranks(search: Any, questions: list[EvalQuestion], *, tick: Advance | None = None) -> Iterator[int | None]:
    """The gold article's rank (articles, not chunks) for each question, through the full date-aware search."""
    for q in questions:
        result = search.search(q.question, k=50)
        order = list(dict.fromkeys(h.chunk.doc_id for h in result.hits))
        gold = [order.index(g) for g in with_copies(q.gold_docs, search.copies) if g in order[:10]]
        yield min(gold) if gold else None
        if tick:
            tick(1)


def run_eval(
    settings: Any, file: Path, *, limit: int | None, answers: bool, progress: Progress | None = None, today: Any = None
) -> dict[str, Any]:
    """Evaluate a dev.jsonl or SQuAD file end to end; returns the JSON-ready report."""
    import dataclasses

    from assistant.app.api import index_corpus, open_answerer, open_search
    from assistant.ingest.reader import read_text

    start = progress or (lambda label, total: (lambda n: None))
    if not file.is_file():
        raise BadInput(f"no such question file: {file}")
    if not is_squad(file):
        questions = load_dev(file)[:limit]
        answerer = open_answerer(settings)
        docs = answerer.search.docs

        def original(doc_id: str) -> str | None:
            doc = docs.get(doc_id)
            try:
                return read_text(Path(doc.path)) if doc else None
            except Exception:  # noqa: BLE001 - a vanished file just counts as not exact
                return None

        try:
            step = start("questions", len(questions))
            report = evaluate_answers(answerer, questions, read_original=original, today=today, tick=step)
        finally:
            answerer.close()
        return {"file": str(file), "format": "dev", **report.to_json()}

    squad = load_squad(file)
    questions = squad.questions[:limit]
    work = squad_workdir(file, settings.models_dir.parent / "eval")
    write_squad_corpus(squad, work / "corpus")
    squad_settings = settings.model_copy(update={"index_dir": work / "index"})
    index_corpus(squad_settings, [work / "corpus"], progress=progress)
    search = open_search(squad_settings)
    step = start("retrieval", len(questions))
    ranks = list(retrieval_ranks(search, questions, tick=step))
    out: dict[str, Any] = {
        "file": str(file), "format": "squad", "questions": len(questions), "articles": len(squad.paragraphs),
        "retrieval": {k: round(v, 4) for k, v in ranking_metrics(ranks).items()},
    }
    if answers:
        answerer = open_answerer(squad_settings)
        answerer = dataclasses.replace(answerer, search=search)
        try:
            step = start("answers", len(questions))
            report = evaluate_answers(
                answerer, questions, read_original=lambda d: dict(squad.paragraphs).get(d), today=today, tick=step
            )
        finally:
            answerer.close()
        out.update(report.to_json())
    return out
