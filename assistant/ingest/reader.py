"""Read a folder (or files) of articles into Documents, skipping what cannot be read.

Articles: ``.txt`` and ``.md`` files (YAML or TOML front matter is metadata,
never body text), saved web pages (``.html``/``.htm``: :mod:`assistant.ingest.html`)
and dumps of many articles (``.jsonl``, ``.json``, ``.csv``, ``.tsv``:
:mod:`assistant.ingest.dumps`, one article a record).

Decoding (:mod:`assistant.ingest.decoding`): a UTF-16 or UTF-32 BOM decides; otherwise a file
with NUL bytes is binary; otherwise UTF-8 (a few damaged places, such as a lone surrogate,
become U+FFFD, with a warning), then -- unless a UTF-8 BOM said UTF-8 -- Windows-1256 (common
for Arabic) when the bytes are not UTF-8 and decode to plausible text. The decoded text is kept
exactly as it is -- line endings included -- and every offset (boilerplate spans, chunks,
quotes) points into it.

Skipped, each with a reason in the report, never stopping the rest: empty
files, binary or undecodable files, files over ``max_bytes``, unreadable
files, symlink loops, broken symlinks, files that resolve outside the folder
that was named (a file named directly is trusted), non-regular files, names
that are not valid UTF-8. Hidden files and folders (".name") are not read;
symlinked folders are not followed.

Metadata -- the optional sidecar file beside an article, the title, the
outlet, the publication date -- is :mod:`assistant.ingest.metadata`'s; the
reader reads the sidecar (ignoring, with a warning in the report, one that
cannot be read or resolves outside the folder named) and hashes its bytes into
the article's ``content_hash``, so editing it re-indexes the article.

``doc_id`` is the path relative to the folder named, without the extension,
with ``/`` separators (``world/2021/putin``); a file named directly gets its
stem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.decoding import UnreadableFile, decode, decode_bytes
from assistant.ingest.dumps import DUMP_SUFFIXES, DumpError, is_dump, read_dump
from assistant.ingest.html import HTML_SUFFIXES, read_page
from assistant.ingest.boilerplate import find_boilerplate, merge_spans
from assistant.ingest.metadata import (
    SIDECAR_MAX_BYTES,
    SIDECAR_SUFFIX,
    FrontMatter,
    Sidecar,
    find_outlet,
    find_title,
    parse_front_matter,
    parse_sidecar,
    publication_date,
    sidecar_path,
)
from assistant.text.spans import inside_any
from assistant.types import Document, IngestReport, SkippedFile, Span

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "ingest",
    "load_document",
    "read_text",
]

TEXT_SUFFIXES = (".txt", ".md")
ARTICLE_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES)
DEFAULT_MAX_BYTES = 20_000_000
DUMP_MAX_BYTES = 4_000_000_000
SUPPORTED = ", ".join((*ARTICLE_SUFFIXES, *DUMP_SUFFIXES))


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
    except RuntimeError:  # Python 3.11 reports symlink loops this way
        raise UnreadableFile("symlink loop") from None
    except OSError as exc:
        raise UnreadableFile(_os_reason(path, exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile("not a regular file")
    if info.st_size > max_bytes:
        raise UnreadableFile(f"too large: {info.st_size} bytes (limit {max_bytes})")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(_os_reason(path, exc)) from None
    if len(data) > max_bytes:
        raise UnreadableFile(f"too large: over {max_bytes} bytes")
    return data


def _os_reason(path: Path, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == 40 or "symbolic links" in str(exc).lower():  # ELOOP
        return "symlink loop"
    if isinstance(exc, FileNotFoundError):
        return "broken symlink" if path.is_symlink() else "file not found"
    return f"cannot read: {exc.strerror or exc}"


def read_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The decoded text of one article file; raises UnreadableFile with the reason it cannot be used."""
    text = decode_bytes(_read_bytes(path, max_bytes))
    if not text.strip():
        raise UnreadableFile("empty file")
    return text


def _read_sidecar(path: Path, confine_to: Path | None) -> Sidecar:
    """The sidecar beside ``path``, parsed; empty when there is none, only a problem when it cannot be read."""
    side = sidecar_path(path)
    if not os.path.lexists(side):
        return Sidecar()
    try:
        if confine_to is not None:
            _check_inside(confine_to, side)
        raw = _read_bytes(side, SIDECAR_MAX_BYTES)
    except UnreadableFile as exc:
        return Sidecar(problems=[f"sidecar {side.name} ignored: {exc.reason}"])
    return parse_sidecar(raw, side.name)


# --- documents --------------------------------------------------------------

def _relative(root: Path, path: Path) -> str:
    """``path.relative_to(root).as_posix()``, by string slicing where it can (pathlib's costs 0.4 s per 10k files)."""
    prefix = str(root)
    if not prefix.endswith(os.sep):
        prefix += os.sep
    full = str(path)
    if full.startswith(prefix) and len(full) > len(prefix):
        return full[len(prefix) :].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


def _doc_id(root: Path, path: Path) -> str:
    """The path relative to ``root``, POSIX-style, without its suffix (as ``PurePath.stem`` drops it)."""
    rel = _relative(root, path)
    folder, _, name = rel.rpartition("/")
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        name = name[:dot]
    return f"{folder}/{name}" if folder else name


def _check_inside(root: Path, path: Path) -> None:
    try:
        real = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11: "Symlink loop from ..."
        raise UnreadableFile("symlink loop") from None
    except OSError as exc:
        raise UnreadableFile(_os_reason(path, exc)) from None
    if not real.is_relative_to(root.resolve()):
        raise UnreadableFile(f"resolves outside the corpus root ({real})")


def _check_name(path: Path) -> None:
    """Refuse a path whose name is not valid UTF-8: the index stores ids and paths as UTF-8 text."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise UnreadableFile("file name is not valid UTF-8 (rename the file)") from None


def load_document(
    root: Path,
    path: Path,
    today: dt.date | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    warnings: list[SkippedFile] | None = None,
    confine: bool = True,
) -> Document:
    """One article as a Document; raises UnreadableFile when it has to be skipped.

    ``root`` is the folder ``doc_id`` is relative to and, with ``confine``,
    the folder the file must resolve inside. Sidecar problems are appended
    to ``warnings``.
    """
    if confine:
        _check_inside(root, path)
    _check_name(path)
    raw = _read_bytes(path, max_bytes)
    text, note = decode(raw)
    if not text.strip():
        raise UnreadableFile("empty file")
    side = _read_sidecar(path, root if confine else None)
    page = read_page(text) if path.name.lower().endswith(HTML_SUFFIXES) else None
    if page is not None:
        if page.text is None:
            raise UnreadableFile("no article text found in the page")
        text = page.text
        front = FrontMatter(span=Span(0, 0), date=page.date, title=page.title, outlet=page.outlet, url=page.url, author=page.author)
    else:
        front = parse_front_matter(text) or FrontMatter(span=Span(0, 0))
    if warnings is not None:
        problems = ([note] if note else []) + front.problems + side.problems
        warnings.extend(SkippedFile(str(path), problem) for problem in problems)
    boilerplate = find_boilerplate(text)
    if front.span.end:  # metadata, not body text: never chunked, searched or quoted
        boilerplate = merge_spans([front.span, *(sp for sp in boilerplate if sp.end > front.span.end)], text)
    if page is not None and inside_any(0, len(text.rstrip()), boilerplate):
        raise UnreadableFile("no article text found in the page")  # what the extractor kept is a menu or a footer
    date, source = publication_date(side.date or front.date, text, boilerplate, today or dt.date.today())
    digest = hashlib.sha256(raw)
    if side.raw:
        digest.update(b"\x00" + SIDECAR_SUFFIX.encode() + b"\x00" + side.raw)
    return Document(
        doc_id=_doc_id(root, path),
        path=str(path),
        text=text,
        title=side.title or front.title or find_title(text, boilerplate) or path.stem,
        outlet=side.outlet or front.outlet or find_outlet(text, boilerplate),
        date=date,
        date_source=source,
        content_hash=digest.hexdigest(),
        boilerplate=boilerplate,
        url=front.url,
        author=front.author,
        fetched=front.fetched,
    )


def _is_article(name: str) -> bool:
    return (name.lower().endswith(ARTICLE_SUFFIXES) or is_dump(name)) and not name.startswith(".")


def _read_dump_file(
    root: Path,
    path: Path,
    dated_on: Callable[[str], dt.date],
    fields: dict[str, str | None] | None,
    report: IngestReport,
    confine: bool,
) -> list[Document]:
    """The articles of one dump, its skipped records and summary added to ``report``; raises UnreadableFile."""
    if confine:
        _check_inside(root, path)
    _check_name(path)
    text = decode_bytes(_read_bytes(path, DUMP_MAX_BYTES))
    try:
        docs, skipped, info = read_dump(path, text, _doc_id(root, path), dated_on, fields)
    except DumpError as exc:
        raise UnreadableFile(exc.reason) from None
    report.skipped.extend(skipped)
    report.dumps.append(info)
    return docs


def _walk(root: Path, skipped: list[SkippedFile]) -> list[Path]:
    """Article files under ``root`` in sorted order; unlistable and symlinked folders are reported."""
    found: list[Path] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        skipped.append(SkippedFile(str(where), f"cannot list folder: {exc.strerror or exc}"))

    for folder, dirs, files in os.walk(root, onerror=on_error, followlinks=False):
        base = Path(folder)
        for d in list(dirs):
            if d.startswith("."):
                dirs.remove(d)
            elif (base / d).is_symlink():
                skipped.append(SkippedFile(str(base / d), "symlinked folder not followed"))
        dirs.sort()
        found.extend(base / f for f in files if _is_article(f))
    return sorted(found, key=lambda p: _relative(root, p))


def ingest(
    paths: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: dt.date | None = None,
    reuse: Callable[[str, Path], Document | None] | None = None,
    dated_on: Callable[[str], dt.date] | None = None,
    fields: dict[str, str | None] | None = None,
) -> IngestReport:
    """Read every article under ``paths`` (folders or files) into a report of documents and skipped files.

    Documents come sorted by ``doc_id``; a doc_id seen twice keeps the first
    (in the order of ``paths``) and reports the second. Raises CorpusError
    when a path does not exist. ``reuse(doc_id, path)``, when given, may
    return the Document a previous run read from that unchanged file; the
    file is then not read again. ``dated_on(doc_id)``, when given, is the day
    an article's dates are resolved against (default ``today``). ``fields``
    names a dump's fields by role (``{"text": "body"}``), over the detected ones.
    A dump is read whole each time (``reuse`` is told of it, to note its file);
    its unchanged records keep their ``content_hash``.
    """
    today = today or dt.date.today()
    day_of = dated_on if dated_on is not None else (lambda _doc_id: today)
    report = IngestReport()
    by_id: dict[str, Document] = {}
    for given in map(Path, paths):
        if not os.path.lexists(given):
            raise CorpusError(f"no such file or folder: {given}", hint="check the corpus path")
        if given.is_dir():
            root, files, confine = given, _walk(given, report.skipped), True
        else:
            root, files, confine = given.parent, [given], False
            if not _is_article(given.name.lstrip(".")):
                report.skipped.append(SkippedFile(str(given), f"not an article file ({SUPPORTED})"))
                continue
        for path in files:
            try:
                doc_id = _doc_id(root, path)
                if is_dump(path.name):
                    if reuse is not None:
                        reuse(doc_id, path)  # notes the dump's file; no record is reused without reading it
                    found = _read_dump_file(root, path, day_of, fields, report, confine)
                else:
                    doc = reuse(doc_id, path) if reuse is not None else None
                    found = [
                        doc
                        or load_document(root, path, day_of(doc_id), max_bytes=max_bytes, warnings=report.warnings, confine=confine)
                    ]
            except UnreadableFile as exc:
                report.skipped.append(SkippedFile(str(path), exc.reason))
                continue
            for doc in found:
                first = by_id.get(doc.doc_id)
                if first is not None:
                    report.skipped.append(SkippedFile(str(path), f"duplicate doc_id {doc.doc_id!r} (kept {first.path})"))
                    continue
                by_id[doc.doc_id] = doc
    report.documents = [by_id[k] for k in sorted(by_id)]
    return report
