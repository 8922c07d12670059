"""The generator's context between questions, the base-model prompt's size, and the quick query tokenizer."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.answer.evidence import Source
from assistant.answer.prompting import base_listing
from assistant.config import load_settings
from assistant.answer.prompts import load_prompts

# Two evidence lines from the seeds (001 and 000), as the Arabic base-model prompt shows them.
PESKOV_1 = ("[1] وأكد المتحدث باسم الرئاسة الروسية “ديمتري بيسكوف” في تصريحات صحفية أدلى بها اليوم الجمعة 28 مايو/ أيار، "
            "أن الرئيس “بوتين” لا ينوي في الوقت الراهن عقد اجتماع مع “بشار الأسد” بعد فوز الأخير بانتخابات الرئاسة السورية.")
PESKOV_2 = ("[1] ورداً على سؤال حول ما إذا كان سيتم إجراء محادثة هاتفية بين الزعيمين، قال بيسكوف، إنه "
            "“لا توجد خطط محددة في الوقت الحالي وليس لدي ما أقوله”.")


@pytest.mark.models
def test_a_question_after_another_gets_what_a_fresh_context_gives(base_generator) -> None:  # type: ignore[no-untyped-def]
    """The few-shot start is evaluated once and restored; the answers are those of a cleared context.
    (llama-cpp-python's own prefix reuse made the second answer an invented sentence here.)"""
    generator = base_generator
    generator._snapshots.clear()  # the session's shared model: forget what earlier tests kept in memory
    prompts = load_prompts()
    start = prompts.fixed_start("answer_ar")
    asks = [
        prompts.render("answer_ar", sources=PESKOV_1, question="ماذا قال بيسكوف؟").rstrip(),
        prompts.render("answer_ar", sources=PESKOV_2, question="ماذا قال الكرملين؟").rstrip(),
    ]
    fresh = [generator.complete(p, max_tokens=40) for p in reversed(asks)][::-1]  # no fixed start: cleared each time
    cached = [generator.complete(p, max_tokens=40, fixed_start=start) for p in asks + asks]
    assert cached == fresh + fresh
    assert len(generator._snapshots) == 1
    assert "لا توجد خطط محددة" in fresh[1]  # the copy the model makes from a clean context


def test_fixed_start_is_the_text_before_the_first_variable() -> None:
    prompts = load_prompts()
    start = prompts.fixed_start("answer_ar")
    assert start and "{" not in start
    assert prompts.render("answer_ar", sources="S", question="Q").startswith(start)
    assert start.rstrip().endswith("المصادر:")


@dataclass
class _Doc:
    text: str


def _source(n: int, text: str, strong: list[tuple[int, int, float]]) -> Source:
    spans = tuple((a, b) for a, b, _ in strong)
    return Source(n, _Doc(text), 0, len(text), strong[0][2], spans, spans[0], tuple(strong))  # type: ignore[arg-type]


def test_base_listing_shows_best_ranked_sentences_within_the_budget() -> None:
    one = "alpha beta gamma. delta epsilon zeta eta theta iota kappa."
    two = "lambda mu. nu xi omicron."
    sources = [
        _source(1, one, [(0, 17, 0.9), (18, len(one), 0.5)]),
        _source(2, two, [(0, 10, 0.7), (11, len(two), 0.4)]),
    ]
    words = lambda text: len(text.split())  # noqa: E731
    assert base_listing(sources, words, 5) == "[1] alpha beta gamma.\n[2] lambda mu."  # 3 + 2 words
    assert base_listing(sources, words, 8) == "[1] alpha beta gamma.\n[2] lambda mu. nu xi omicron."  # the 8-word one skipped
    assert base_listing(sources, words, 1) == "[1] alpha beta gamma."  # the best one always
    assert base_listing(sources, words, 100) == f"[1] {one}\n[2] {two}"  # in text order within a source


# --- the quick query tokenizer -------------------------------------------------------------------


@pytest.fixture(scope="module")
def conversion() -> Path:
    from assistant.models.embed import embedder_fingerprint
    from assistant.models.openvino_convert import ensure_converted
    from assistant.models.locate import resolve_embedder

    settings = load_settings()
    path = resolve_embedder(settings)
    return ensure_converted(path, settings.models_dir, embedder_fingerprint(path))


@pytest.mark.models
def test_the_sentencepiece_model_gives_tokenizer_json_ids(conversion: Path) -> None:
    from assistant.models.openvino_tokenizer import QUICK_TOKENIZER, QuickTokenizer
    from assistant.models.openvino_tokenizer import hf_tokenizer as _hf_tokenizer

    record = json.loads((conversion / QUICK_TOKENIZER).read_text(encoding="utf-8"))
    assert record["agrees"], record
    quick = QuickTokenizer.load(conversion)
    assert quick is not None
    full = _hf_tokenizer(conversion / "tokenizer.json", record["max_length"])
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    texts = [json.loads(line)["question"] for line in (Path(__file__).parent / "data" / "dev.jsonl").open(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    assert quick.encode(texts) == [e.ids for e in full.encode_batch(texts)]


@pytest.mark.models
def test_a_quick_tokenizer_that_disagrees_is_not_used(conversion: Path, tmp_path: Path) -> None:
    from assistant.models.openvino_tokenizer import QUICK_TOKENIZER, QuickTokenizer

    copy = tmp_path / "conv"
    copy.mkdir()
    for name in ("tokenizer.model", QUICK_TOKENIZER):
        shutil.copy(conversion / name, copy / name)
    assert QuickTokenizer.load(copy) is not None
    record = json.loads((copy / QUICK_TOKENIZER).read_text(encoding="utf-8"))
    (copy / QUICK_TOKENIZER).write_text(json.dumps({**record, "suffix": []}), encoding="utf-8")
    assert QuickTokenizer.load(copy) is None  # its ids no longer match the recorded probe
    (copy / QUICK_TOKENIZER).write_text(json.dumps(record), encoding="utf-8")
    (copy / "tokenizer.model").write_bytes(b"not a model")
    assert QuickTokenizer.load(copy) is None
    (copy / QUICK_TOKENIZER).unlink()
    assert QuickTokenizer.load(copy) is None


@pytest.mark.models
def test_a_snapshot_kept_on_disk_serves_the_next_process_and_a_damaged_one_is_made_again(tmp_path: Path) -> None:
    from assistant.models.generate import load_generator
    from assistant.models.locate import resolve_generator

    path = resolve_generator(load_settings())
    prompts = load_prompts()
    start = prompts.fixed_start("answer_ar")
    prompt = prompts.render("answer_ar", sources=PESKOV_2, question="ماذا قال الكرملين؟").rstrip()
    first = load_generator(path, threads=2, state_dir=tmp_path)
    try:
        made = first.complete(prompt, max_tokens=40, fixed_start=start)
        fresh = first.complete(prompt, max_tokens=40)
    finally:
        first.close()
    files = list(tmp_path.glob("*.state"))
    assert len(files) == 1 and made == fresh
    for damage in (None, "flip", "truncate"):
        if damage == "flip":
            blob = bytearray(files[0].read_bytes())
            blob[len(blob) // 2] ^= 0xFF
            files[0].write_bytes(bytes(blob))
        elif damage == "truncate":
            files[0].write_bytes(files[0].read_bytes()[:1000])
        later = load_generator(path, threads=2, state_dir=tmp_path)
        try:
            head = later.llm.tokenize(start.encode(), add_bos=True, special=True)
            full = later.llm.tokenize(prompt.encode(), add_bos=True, special=True)
            n = next(i for i, (a, b) in enumerate(zip(head, full, strict=False)) if a != b) if head != full[: len(head)] else len(head)
            assert (later._read_snapshot(tuple(full[:n])) is None) == (damage is not None)
            assert later.complete(prompt, max_tokens=40, fixed_start=start) == fresh, damage
        finally:
            later.close()
        assert files[0].stat().st_size > 1_000_000  # a damaged file was replaced by a good one


def test_the_copy_guard_stops_a_draft_that_left_the_sources() -> None:
    from assistant.answer.verify import copy_guard

    text = "وقال المتحدث إنه لا توجد خطط محددة في الوقت الحالي."
    keep = copy_guard([_source(1, text, [(0, len(text), 1.0)])])
    assert keep(" لا توجد خطط محددة")  # a copy so far
    assert keep(" لا توجد خطط محددة في الوقت [1")  # a citation being written
    assert keep(" قال الرئيس")  # too short to judge
    assert not keep(" قال الرئيس الأمريكي إن الولايات")  # three words in no source
    assert not keep(" لا تذكر المصادر ذلك")  # an abstention: settled


def test_loading_quiets_only_its_own_thread(capsys: pytest.CaptureFixture[str]) -> None:
    """The model loads in a thread; an error the main thread prints meanwhile must reach the user."""
    import sys
    import threading

    from assistant.models.generate import _quiet_thread

    inside, done = threading.Event(), threading.Event()

    def load() -> None:
        with _quiet_thread():
            print("llama chatter", file=sys.stderr)
            inside.set()
            done.wait(5)

    worker = threading.Thread(target=load)
    worker.start()
    inside.wait(5)
    print("error: shown", file=sys.stderr)
    done.set()
    worker.join()
    err = capsys.readouterr().err
    assert "error: shown" in err and "llama chatter" not in err
