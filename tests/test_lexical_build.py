"""The vectorised BM25 build scores exactly as bm25s's own indexing; token tables splice rows correctly."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from assistant.text.arabic import tokenize
from assistant.index.lexical import EMPTY_TOKEN, Bm25Index, TokenTable, build_bm25, chunk_tokens

SENTENCES = [
    "أعلن الكرملين أن الرئيس الروسي فلاديمير بوتين لا ينوي لقاء بشار الأسد.",
    "وقال المتحدث باسم الرئاسة ديمتري بيسكوف إن الاتصالات مستمرة.",
    "فازت البعثة بثلاث ميداليات ذهبية في الألعاب الأولمبية عام 2021.",
    "ارتفعت أسعار النفط بنسبة 95.1 في المئة خلال الربع الأول.",
    "The ministry said 14,000 people were evacuated from the coast.",
    "والمدينة القديمة تضم أسواقاً ومساجد تعود إلى القرن الثاني عشر.",
    "وأكدت الوزارة أن الانتخابات ستجري في موعدها المحدد.",
]


def _corpus(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 4))) for _ in range(n)]
    texts.append("... !!")  # no tokens at all
    titles = [rng.choice(["عنوان الخبر", "أخبار اليوم", ""]) for _ in texts]
    return texts, titles


def _rows(table: TokenTable) -> list[list[str]]:
    return [[table.vocab[i] for i in table.ids[a:b]] for a, b in zip(table.offsets[:-1], table.offsets[1:])]


def test_bm25_build_matches_bm25s_scores(tmp_path: Path) -> None:
    import bm25s

    texts, titles = _corpus(300, seed=1)
    build_bm25(TokenTable.from_texts(texts, titles), tmp_path / "bm25")
    ours = Bm25Index.load(tmp_path / "bm25")
    ref = bm25s.BM25()
    ref.index([chunk_tokens(t, h) or [EMPTY_TOKEN] for t, h in zip(texts, titles)], show_progress=False)
    queries = ["بوتين والأسد", "ميداليات ذهبية 2021", "أسعار النفط 95.1", "people evacuated", "الانتخابات في موعدها"]
    for query in queries:
        known = [t for t in tokenize(query) if t in ref.vocab_dict]
        assert known
        expected = ref.get_scores(known)
        got = ours.scores(query)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        assert got.max() > 0
    assert ours.size == len(texts)


def test_token_table_assemble_interleaves_and_compacts() -> None:
    texts, titles = _corpus(20, seed=2)
    old = TokenTable.from_texts(texts[:10], titles[:10])
    new = TokenTable.from_texts(texts[10:], titles[10:])
    keep = np.array([0, 2, 3, 7], dtype=np.int64)
    order = np.array([1, 0, 0, 1, 0, 1, 1, 0] + [1] * 7, dtype=np.int64)
    merged = TokenTable.assemble([(old, keep), (new, np.arange(len(new)))], order)
    expected_rows = []
    olds, news = iter(keep), iter(range(len(new)))
    for part in order:
        i = next(olds) if part == 0 else next(news)
        src, src_texts, src_titles = (old, texts[:10], titles[:10]) if part == 0 else (new, texts[10:], titles[10:])
        expected_rows.append(chunk_tokens(src_texts[i], src_titles[i]) or [EMPTY_TOKEN])
    assert _rows(merged) == expected_rows
    used = {tok for row in expected_rows for tok in row}
    assert set(merged.vocab) == used  # tokens of dropped rows are gone
    assert len(merged.vocab) == len(used)


def test_token_table_save_load_roundtrip(tmp_path: Path) -> None:
    texts, titles = _corpus(15, seed=3)
    table = TokenTable.from_texts(texts, titles)
    table.save(tmp_path)
    loaded = TokenTable.load(tmp_path)
    assert loaded is not None and _rows(loaded) == _rows(table)
    (tmp_path / "tokens.offsets.npy").write_bytes(b"garbage")
    assert TokenTable.load(tmp_path) is None


@pytest.mark.parametrize("n", [0, 1])
def test_bm25_build_tiny(tmp_path: Path, n: int) -> None:
    texts, titles = SENTENCES[:n], ["t"] * n
    build_bm25(TokenTable.from_texts(texts, titles), tmp_path / "bm25")
    index = Bm25Index.load(tmp_path / "bm25")
    assert index.size == n
    scores = index.scores("بوتين")
    assert scores.shape == (n,) and (n == 0 or scores[0] > 0)
