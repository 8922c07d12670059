"""The OpenVINO embedder backend (the default): the vectors of sentence-transformers, a cached conversion,
and an index identity that refuses the other backend or precision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.index import store
from assistant.index.manifest import read_manifest
from assistant.app.api import index_corpus, open_search
from assistant.ingest.chunking import chunk_document
from assistant.config import load_settings
from assistant.models.embed import Embedder, embedder_fingerprint, load_embedder
from assistant.models.openvino_convert import CONVERSION_FORMAT, _is_complete, converted_dir, ensure_converted
from assistant.models.openvino_int8 import CALIBRATION, INT8_FORMAT, ensure_int8, has_vnni, int8_dir
from assistant.models.openvino_int8 import _is_complete as int8_complete
from assistant.errors import IndexMismatch, ModelMissing
from assistant.ingest.reader import ingest
from assistant.models.locate import resolve_embedder
from assistant.text.sentences import candidate_spans
from conftest import SEEDS, TODAY, run_cli


@pytest.fixture(scope="module")
def pair(embedder: Embedder) -> tuple[Embedder, Embedder]:
    """The default embedder (OpenVINO, bf16; the session's shared one) and plain sentence-transformers in fp32."""
    settings = load_settings()
    assert (embedder.backend, embedder.precision) == (settings.embed_backend, settings.embed_precision)
    plain = load_embedder(resolve_embedder(settings), threads=settings.cpu_threads(), backend="torch", precision="f32")
    return embedder, plain


@pytest.mark.models
def test_default_is_openvino_bf16_and_matches_fp32_sentence_transformers(pair: tuple[Embedder, Embedder]) -> None:
    fast, plain = pair
    assert (fast.backend, fast.precision) == ("openvino", "bf16")
    assert type(fast.model).__name__ == "OpenVINOEncoder"
    docs = ingest([SEEDS]).documents[:3]
    chunks = [(c.text, d.title) for d in docs for c in chunk_document(d, chunk_chars=700, overlap=150)][:8]
    a = fast.encode_documents([t for t, _ in chunks], [t for _, t in chunks])
    b = plain.encode_documents([t for t, _ in chunks], [t for _, t in chunks])
    assert a.shape == b.shape == (len(chunks), 768)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(axis=1).min()) > 0.999
    questions = ["ما هي عاصمة فرنسا؟", "Who met the foreign minister in May 2021?"]
    qa, qb = fast.encode_queries(questions), plain.encode_queries(questions)
    assert float((qa * qb).sum(axis=1).min()) > 0.999
    # the nearest chunk to each chunk's own first sentence is the same under both
    probe = fast.encode_queries([t[:120] for t, _ in chunks])
    assert list((probe @ a.T).argmax(axis=1)) == list((plain.encode_queries([t[:120] for t, _ in chunks]) @ b.T).argmax(axis=1))


@pytest.mark.models
def test_sentence_vectors_come_from_the_chunk_pass_and_stand_for_their_sentence(pair: tuple[Embedder, Embedder]) -> None:
    """Late chunking: the chunk vector is the one encode_documents makes, and each pooled sentence vector
    is nearest to its own sentence embedded alone (among the chunk's sentences)."""
    fast, _ = pair
    assert fast.pools_spans
    docs = ingest([SEEDS]).documents[:2]
    chunks = [(c, d) for d in docs for c in chunk_document(d, chunk_chars=700, overlap=150)][:6]
    spans = [candidate_spans(d.text, c.start, c.end) for c, d in chunks]
    texts, titles = [c.text for c, _ in chunks], [d.title for _, d in chunks]
    vecs, pooled = fast.encode_documents_with_sentences(
        texts, titles, [[(a - c.start, b - c.start) for a, b in s] for (c, _), s in zip(chunks, spans, strict=True)]
    )
    assert float((vecs * fast.encode_documents(texts, titles)).sum(axis=1).min()) > 0.9999
    hits = total = 0
    for (c, d), s, p in zip(chunks, spans, pooled, strict=True):
        assert p.shape == (len(s), 768) and np.isfinite(p).all()
        assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
        alone = fast.encode_documents([d.text[a:b] for a, b in s], [d.title] * len(s))
        hits += int((np.argmax(p @ alone.T, axis=1) == np.arange(len(s))).sum())
        total += len(s)
    assert hits >= 0.8 * total, (hits, total)


def test_the_torch_backend_pools_no_spans() -> None:
    """sentence-transformers itself has no span head here: the index then keeps no sentence vectors."""
    embedder = Embedder("x", Path("."), "0", object(), backend="torch")
    assert not embedder.pools_spans


@pytest.mark.models
def test_long_and_short_texts_in_one_call_get_their_own_vectors(pair: tuple[Embedder, Embedder]) -> None:
    """Padding a short text to a long one's length made NaN in OpenVINO (sliding-window layers); batches are cut."""
    fast, _ = pair
    long = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(encoding="utf-8") * 2
    texts = [long, "خبر قصير.", long[:900]]
    together = fast.model.encode(texts, batch_size=8)
    alone = np.concatenate([fast.model.encode([t]) for t in texts])
    assert np.isfinite(together).all()
    assert float((together * alone).sum(axis=1).min()) > 0.9999


@pytest.mark.models
def test_conversion_is_cached_and_not_redone() -> None:
    settings = load_settings()
    path = resolve_embedder(settings)
    said: list[str] = []
    folder = ensure_converted(path, settings.models_dir, embedder_fingerprint(path), say=said.append)
    assert said == []  # the fixture above converted (or found) it already
    assert folder == converted_dir(settings.models_dir, path, embedder_fingerprint(path))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["format"] == CONVERSION_FORMAT and meta["dim"] == 768
    assert meta["prompts"]["query"] == "task: search result | query: "


def test_incomplete_or_stale_conversion_is_not_reused(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    folder.mkdir()
    for name in ("model.xml", "model.bin", "tokenizer.json"):
        (folder / name).write_text("x", encoding="utf-8")
    assert not _is_complete(folder, "abc")  # no meta.json: an interrupted conversion
    (folder / "meta.json").write_text(json.dumps({"format": CONVERSION_FORMAT, "fingerprint": "abc"}), encoding="utf-8")
    assert _is_complete(folder, "abc")
    assert not _is_complete(folder, "other")  # the model folder changed
    (folder / "meta.json").write_text(json.dumps({"format": CONVERSION_FORMAT + 1, "fingerprint": "abc"}), encoding="utf-8")
    assert not _is_complete(folder, "abc")  # made by another version of the conversion


@pytest.mark.models
def test_index_built_with_one_backend_or_precision_is_refused_by_the_other(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0], corpus)
    index_dir = tmp_path / "index"
    built = index_corpus(load_settings(index_dir=index_dir), [corpus], today=TODAY)
    assert built.written
    recorded = read_manifest(store.current_generation(index_dir)).config.embedder
    assert recorded is not None and (recorded.backend, recorded.precision) == ("openvino", "bf16")
    open_search(load_settings(index_dir=index_dir))  # the same settings open it
    for other in ({"embed_backend": "torch"}, {"embed_precision": "f32"}):
        with pytest.raises(IndexMismatch, match="embedder"):
            open_search(load_settings(index_dir=index_dir, **other))
        with pytest.raises(IndexMismatch, match="embedder"):
            index_corpus(load_settings(index_dir=index_dir, **other), [corpus], today=TODAY)


@pytest.fixture(scope="module")
def int8_embedder() -> Embedder:
    """embed_precision int8: the conversion quantized once (about two minutes the first time), then cached."""
    from assistant.app.api import embedder_loader  # the session's shared loader: the int8 index below reuses it

    settings = load_settings(embed_precision="int8")
    return embedder_loader(settings, resolve_embedder(settings))()


@pytest.mark.models
def test_int8_is_a_quantized_model_made_once_whose_vectors_stay_close_to_bf16(
    int8_embedder: Embedder, pair: tuple[Embedder, Embedder]
) -> None:
    fast, _ = pair
    assert (int8_embedder.backend, int8_embedder.precision, int8_embedder.model.precision) == ("openvino", "int8", "int8")
    settings = load_settings()
    path = resolve_embedder(settings)
    converted = converted_dir(settings.models_dir, path, embedder_fingerprint(path))
    said: list[str] = []
    folder = ensure_int8(converted, say=said.append)
    assert said == [] and folder == int8_dir(converted)  # quantized once, by the fixture
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["int8"]["calibration_texts"] == len(CALIBRATION.read_text(encoding="utf-8").splitlines())
    model_xml = (folder / "model.xml").read_text(encoding="utf-8")
    assert model_xml.count("FakeQuantize") >= 24 * 4  # int8 matrix products in every layer, not a copy
    docs = ingest([SEEDS]).documents
    chunks = [(c.text, d.title) for d in docs for c in chunk_document(d, chunk_chars=700, overlap=150)]
    a = int8_embedder.encode_documents([t for t, _ in chunks], [t for _, t in chunks])
    b = fast.encode_documents([t for t, _ in chunks], [t for _, t in chunks])
    cos = (a * b).sum(axis=1)
    assert np.isfinite(a).all() and float(np.median(cos)) > 0.98 and float(cos.min()) > 0.95, cos
    # each chunk's own opening, asked as a query, finds the same chunk under both
    probes = [t[:120] for t, _ in chunks]
    same = (int8_embedder.encode_queries(probes) @ a.T).argmax(axis=1) == (fast.encode_queries(probes) @ b.T).argmax(axis=1)
    assert same.mean() >= 0.9, same.mean()


def test_int8_runs_only_in_openvino(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ModelMissing, match="OpenVINO backend"):
        load_embedder(tmp_path, threads=1, backend="torch", precision="int8")


def test_a_stale_int8_model_is_made_again(tmp_path: Path) -> None:
    """Another conversion or another calibration file means another int8 model."""
    source = {"format": CONVERSION_FORMAT, "fingerprint": "abc"}
    folder = tmp_path / "conv-int8"
    folder.mkdir()
    for name in ("model.xml", "model.bin"):
        (folder / name).write_text("x", encoding="utf-8")
    assert not int8_complete(folder, source, "sha")  # no meta.json: an interrupted quantization
    meta = {**source, "int8": {"format": INT8_FORMAT, "calibration_sha256": "sha"}}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert int8_complete(folder, source, "sha")
    assert not int8_complete(folder, source, "other calibration")
    assert not int8_complete(folder, {**source, "fingerprint": "new model"}, "sha")


def test_vnni_is_read_from_the_cpu_flags(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("flags\t\t: fpu avx2 fma avx512f\n", encoding="utf-8")
    assert has_vnni(info) is False
    info.write_text("flags\t\t: fpu avx2 fma avx512f avx512_vnni\n", encoding="utf-8")
    assert has_vnni(info) is True
    assert has_vnni(tmp_path / "missing") is None


@pytest.mark.models
def test_an_int8_index_is_searched_and_extended_in_int8_unless_told_otherwise(tmp_path: Path, int8_embedder: Embedder) -> None:
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / names[0], corpus)
    index_dir = tmp_path / "index"
    index_corpus(load_settings(index_dir=index_dir, embed_precision="int8"), [corpus], today=TODAY)

    def recorded() -> str | None:
        embedder = read_manifest(store.current_generation(index_dir)).config.embedder
        return embedder.precision if embedder else None

    assert recorded() == "int8"
    status = run_cli("status", "--index-dir", str(index_dir))
    assert status.returncode == 0 and "(openvino, int8)" in status.stdout, status.stdout
    search = open_search(load_settings(index_dir=index_dir))  # no precision given: the index's
    assert search.search("بيسكوف الكرملين", k=3).hits
    shutil.copy(SEEDS / names[1], corpus)
    stats = index_corpus(load_settings(index_dir=index_dir), [corpus], today=TODAY)
    assert stats.written and recorded() == "int8"
    with pytest.raises(IndexMismatch, match="precision=int8"):  # a precision set explicitly is not overruled
        open_search(load_settings(index_dir=index_dir, embed_precision="bf16"))
