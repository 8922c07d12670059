"""The reader's format, its copy-only decoding and its answer (unit logic; the real model is in test_answer_seeds)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.answer.compose import ShortAnswer, reader_answer
from assistant.answer.evidence import Source
from assistant.answer.prompts import load_prompts
from assistant.answer.reading import NO_ANSWER, parse_reading, reader_prompt, reader_target
from assistant.models.constrained import CopyConstraint
from assistant.types import Document

SENTENCES = ["أعلنت الوزارة أن إنتاج القمح بلغ 3.2 مليون طن.", "وقال الوزير إن الصوامع ستتوسع."]


@dataclass
class WordTokenizer:
    """A stand-in for llama.cpp's tokenizer: a token per word (with its leading space), per character
    otherwise; ids are stable per piece. Enough to drive the constraint's logic."""

    pieces: list[bytes] = field(default_factory=list)

    def _id(self, piece: bytes) -> int:
        if piece not in self.pieces:
            self.pieces.append(piece)
        return self.pieces.index(piece)

    def tokenize(self, text: bytes, add_bos: bool = False, special: bool = False) -> list[int]:
        out, word = [], b""
        for ch in text.decode("utf-8"):
            if ch == " " and word.strip():
                out.append(self._id(word))
                word = b""
            if ch in "[]\n":
                if word:
                    out.append(self._id(word))
                out.append(self._id(ch.encode()))
                word = b""
                continue
            word += ch.encode()
        if word:
            out.append(self._id(word))
        return out

    def detokenize(self, ids: list[int], special: bool = False) -> bytes:
        return b"".join(self.pieces[i] for i in ids)


def _decode(constraint: CopyConstraint, tok: WordTokenizer, prefer: list[str], steps: int = 30) -> str:
    """Greedy decoding where the 'model' always prefers the pieces in ``prefer`` (in order), else anything allowed."""
    ids: list[int] = []
    constraint.start(0)
    for _ in range(steps):
        vocab = len(tok.pieces)
        scores = np.zeros(vocab, dtype=np.float32)
        for rank, piece in enumerate(prefer):
            if piece.encode() in tok.pieces:
                scores[tok.pieces.index(piece.encode())] = 10.0 - rank * 0.1
        masked = constraint(np.array(ids, dtype=np.intc), scores)
        nxt = int(np.argmax(masked))
        ids.append(nxt)
        if tok.pieces[nxt] == b"\n":
            break
    return tok.detokenize(ids).decode()


def test_decoding_can_only_copy_a_span_and_then_its_own_number() -> None:
    tok = WordTokenizer()
    constraint = CopyConstraint(tok, SENTENCES, [NO_ANSWER])
    # The 'model' wants an invented word first, then the span, then the wrong source number.
    out = _decode(constraint, tok, [" الحصاد", " 3.2", " مليون", " طن.", "[", "2", "1", "]", "\n", " ["])
    reading = parse_reading(out)
    assert reading.span in " ".join(SENTENCES[0].split())
    assert reading.n == 1  # [2] does not hold the span: masked
    assert "الحصاد" not in out


def test_a_span_cannot_end_inside_a_word_and_the_marker_is_allowed() -> None:
    tok = WordTokenizer()
    constraint = CopyConstraint(tok, ["بلغ الإنتاج مليونين"], [NO_ANSWER])
    constraint.start(0)
    def allows(text: str) -> bool:
        return constraint.allows(text.encode())

    assert allows(" بلغ")
    assert allows(" بلغ الإنتاج [1")
    assert allows(" مليونين [1]\n")
    assert not allows(" بلغ الإنت [1")  # the span would stop mid-word
    assert not allows(" بلغ الإنتاج [2")  # no such sentence
    assert not allows(" الإنتاج بلغ")  # not a substring
    assert not allows(" بلغ\n")  # a span ends with its number
    assert allows(" " + NO_ANSWER[:5])
    assert allows(" " + NO_ANSWER + "\n")


def test_the_no_answer_share_is_read_at_the_first_step() -> None:
    tok = WordTokenizer()
    constraint = CopyConstraint(tok, SENTENCES, [NO_ANSWER])
    out = _decode(constraint, tok, [" " + NO_ANSWER.split()[0], " لا", " جواب", " في", " المصادر", "\n"])
    assert parse_reading(out).abstained
    assert constraint.first_step_fixed_share is not None and constraint.first_step_fixed_share > 0.5


def test_prompt_and_targets_share_one_format() -> None:
    prompt = reader_prompt(load_prompts(), "كم بلغ إنتاج القمح؟", SENTENCES)
    assert prompt.endswith("الجواب:") and "[1] " + SENTENCES[0] in prompt and "[2] " in prompt
    assert reader_target("3.2 مليون طن", 1) == " 3.2 مليون طن [1]\n"
    assert reader_target(None, 0) == f" {NO_ANSWER}\n"
    assert parse_reading(" 3.2 مليون طن [1]") == parse_reading("3.2 مليون طن [1]\n")
    assert parse_reading(f" {NO_ANSWER}").abstained


def test_the_answer_leads_with_the_span_and_quotes_its_sentence() -> None:
    text = "مقدمة. " + SENTENCES[0] + " " + SENTENCES[1]
    doc = Document("d1", "/x", text, "عنوان", None, None, None, "")
    a = text.index(SENTENCES[0])
    b = a + len(SENTENCES[0])
    c = text.index(SENTENCES[1])
    src = Source(1, doc, a, len(text), 1.0, ((a, b), (c, len(text))), (a, b))
    at = text.index("3.2 مليون طن")
    short = ShortAnswer("3.2 مليون طن", 1, "d1", at, at + len("3.2 مليون طن"))
    answer, cites, _ = reader_answer(short, src, (a, b), [(src, (a, b)), (src, (c, len(text)))], "en")
    assert answer.startswith("Answer: «3.2 مليون طن» [1]")
    assert [(ci.start, ci.end) for ci in cites] == [(a, b), (c, len(text))]
    assert all(text[ci.start : ci.end] == ci.quote for ci in cites)


def test_the_answer_decision_is_a_logistic_of_the_reader_and_retrieval_signals() -> None:
    from assistant.answer.reading import SIGNALS, confidence
    from assistant.config import AnswerSettings

    weights = AnswerSettings().reader_confidence
    assert len(weights) == len(SIGNALS) + 1
    sure = {"no_answer": 0.0, "span_logprob": -0.05, "dense": 0.7, "sentence": 0.9}
    doubtful = {"no_answer": 0.95, "span_logprob": -4.0, "dense": 0.3, "sentence": 0.2}
    assert confidence(weights, sure) > AnswerSettings().reader_abstain > confidence(weights, doubtful)
    assert confidence((0.0, 0.0, 0.0, 0.0, 0.0), sure) == 0.5


def test_each_step_records_how_much_the_model_wanted_the_allowed_token() -> None:
    tok = WordTokenizer()
    constraint = CopyConstraint(tok, SENTENCES, [NO_ANSWER])
    _decode(constraint, tok, [" 3.2", " مليون", "[", "1", "]", "\n"])
    assert constraint.step_logprobs and all(lp <= 0.0 for lp in constraint.step_logprobs)


def test_forced_to_copy_the_reader_cannot_slip_into_the_marker() -> None:
    """Forced to copy, the marker's opening piece ("لا") is not a span start, and a span that reaches a
    dead end ends the line rather than turn into the marker; forced to refuse, only the marker."""
    tok = WordTokenizer()
    sentence = "وقال في الانتخابات إنه لا توجد خطط في الوقت الحالي."  # "لا" also sits inside "الانتخابات"
    constraint = CopyConstraint(tok, [sentence], [NO_ANSWER], decide_at=1.01)
    out = _decode(constraint, tok, [" لا", " جواب", " توجد", " خطط", "[", "1", "]", "\n"])
    reading = parse_reading(out)
    assert not reading.abstained and reading.span in sentence and "جواب" not in out
    refuse = CopyConstraint(tok, [sentence], [NO_ANSWER], decide_at=0.0)
    assert parse_reading(_decode(refuse, tok, [" توجد", " لا", " جواب", " في", " المصادر", "\n"])).abstained


def test_a_left_out_question_answered_with_its_gold_answer_is_counted_apart() -> None:
    from types import SimpleNamespace

    from assistant.answer.compose import ShortAnswer
    from assistant.eval.run import EvalQuestion, evaluate_answers
    from assistant.index.copies import Copies

    def ask(question: str, today: object = None) -> SimpleNamespace:
        short = ShortAnswer("1949", 1, "p2", 0, 4) if "right" in question else ShortAnswer("1950", 1, "p2", 0, 4)
        return SimpleNamespace(citations=[], abstained=False, searched_docs=[], answer=f"الجواب: «{short.text}» [1]",
                               timings_ms={"total": 1.0}, mode="generated", short_answer=short, language="ar", signals=None)

    answerer = SimpleNamespace(k=5, ask=ask, search=SimpleNamespace(copies=Copies()))
    left = [EvalQuestion("a", "right", (), ("p1",), ("1949",), False), EvalQuestion("b", "wrong", (), ("p1",), ("1949",), False)]
    report = evaluate_answers(answerer, left, read_original=lambda d: None)
    assert [r.answered_elsewhere for r in report.rows] == [True, False]
    assert report.summary()["unanswerable_answered_elsewhere"] == 0.5
    assert report.summary()["abstention_accuracy"] == 0.0  # still not refused: the figure is unchanged
