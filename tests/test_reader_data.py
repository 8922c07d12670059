"""The reader's training data (training/reader_data.py): verbatim targets, honest negatives, reproducible."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("reader_data", ROOT / "training" / "reader_data.py")
assert _spec is not None and _spec.loader is not None
reader_data = importlib.util.module_from_spec(_spec)
sys.modules["reader_data"] = reader_data  # dataclasses look their module up there
_spec.loader.exec_module(reader_data)

PARAS = [
    ("أعلنت وزارة الزراعة أن إنتاج القمح بلغ 3.2 مليون طن هذا الموسم. وقال الوزير إن الصوامع ستتوسع.",
     [("كم بلغ إنتاج القمح؟", "3.2 مليون طن")]),
    ("تأسست جامعة أم القرى في مكة عام 1949. وتضم الجامعة كليات عدة للعلوم والآداب.",
     [("متى تأسست جامعة أم القرى؟", "1949")]),
    ("عاصمة جورجيا هي تبليسي. ويعبرها نهر كورا من الشمال إلى الجنوب.",
     [("ما هي عاصمة جورجيا؟", "تبليسي")]),
]


def _squad(path: Path) -> Path:
    data = {"version": "1.1", "data": [{"title": f"t{i}", "paragraphs": [{"context": ctx, "qas": [
        {"id": f"q{i}{j}", "question": q, "answers": [{"text": a, "answer_start": ctx.index(a)}]} for j, (q, a) in enumerate(qas)
    ]}]} for i, (ctx, qas) in enumerate(PARAS)]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_targets_copy_the_answer_from_the_numbered_source_and_negatives_lack_it(tmp_path: Path) -> None:
    paragraphs, questions = reader_data.load_squad(_squad(tmp_path / "train.json"))
    examples, skipped = reader_data.build(paragraphs, questions, seed=1, negative_share=1.0, variants=3)
    answers = {qid: a for qid, (_, a) in ((f"q{i}0", qas[0]) for i, (_, qas) in enumerate(PARAS))}
    assert skipped == {"answer_across_sentences": 0, "answer_not_verbatim": 0}
    positives = [e for e in examples if e.kind == "positive"]
    negatives = [e for e in examples if e.kind == "negative"]
    assert len(positives) == 9 and negatives
    for e in positives:
        answer = answers[e.qid]
        assert e.target == f"{answer} [{e.answer_n}]"
        assert answer in e.sources[e.answer_n - 1]
    for e in negatives:
        assert e.target == reader_data.NO_ANSWER and e.answer_n == 0
        assert all(answers[e.qid] not in s for s in e.sources)


def test_the_same_seed_gives_the_same_file_and_a_test_set_is_refused(tmp_path: Path) -> None:
    data = _squad(tmp_path / "train.json")
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        assert reader_data.main(["--data", str(data), "--out", str(tmp_path / name), "--variants", "2"]) == 0
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1] and outs[0]
    meta = json.loads((tmp_path / "a.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta["counts"]["positive"] == 6 and len(meta["data_sha256"]) == 64
    test_file = _squad(tmp_path / "arcd-test.json")
    assert reader_data.main(["--data", str(test_file), "--out", str(tmp_path / "c.jsonl")]) == 2
    assert not (tmp_path / "c.jsonl").exists()
