"""Archive dumps -- JSON Lines, JSON arrays, CSV/TSV -- read as one article a record.

Each record becomes a Document whose text is the record's text field exactly
as it is (quotes and offsets point into it), with ``doc_id``
``<dump's doc_id>/<record id>``: the record's ``id`` field when it has one, else
a hash of its URL, else its number in the dump (1-based). Fields are found by
their common names (:data:`assistant.ingest.metadata.FIELD_NAMES`: ``content``,
``text``, ``body``; ``title``, ``headline``; ``date``, ``published``...) and can
be named instead (``--field text=NAME``, ``--field date=`` for none); the mapping
chosen is reported and recorded in the index.

Dates: a ``date`` field is the publication date (``metadata``). A fetch-time
field (``date_extracted``, ``crawled``...) is kept as ``fetched`` and is never
taken for the publication date: on the SaudiNewsNet sample it matched the
day the text implies ("أمس الأحد") for only 141 of 215 articles. Without a date
field the text's own rules apply (header, dateline, weekday), resolved against
the fetch day when there is one.

A record's ``content_hash`` covers its mapped fields and the mapping, so an
edited record, and only it, is chunked and embedded again.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.ingest.boilerplate import find_boilerplate
from assistant.ingest.metadata import FIELD_NAMES, detect_fields, field_text, find_title, meta_date, publication_date
from assistant.types import FETCH_LAG_DAYS, Document, DumpInfo, PubDate, SkippedFile

__all__ = ["DUMP_SUFFIXES", "DumpInfo", "is_dump", "parse_field_overrides", "read_dump"]

DUMP_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv")
ROLES = tuple(FIELD_NAMES)
_ID_RE = re.compile(r"[^\w.-]+")
_ID_MAX = 64
_SAMPLE_RECORDS = 200  # fields are detected on the keys of the first records


class DumpError(Exception):
    """A dump that cannot be read at all; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_dump(name: str) -> bool:
    """Whether a file name is one of the dump formats."""
    return name.lower().endswith(DUMP_SUFFIXES)


def parse_field_overrides(pairs: list[str] | tuple[str, ...]) -> dict[str, str | None]:
    """``["text=body", "date="]`` as ``{"text": "body", "date": None}``; raises ValueError on a bad pair."""
    found: dict[str, str | None] = {}
    for pair in pairs:
        role, sep, name = pair.partition("=")
        role = role.strip().lower()
        if not sep or role not in ROLES:
            raise ValueError(f"--field {pair!r}: use ROLE=NAME with ROLE one of {', '.join(ROLES)} (NAME empty for none)")
        found[role] = name.strip() or None
    return found


# --- records ------------------------------------------------------------------

def _records(text: str, suffix: str) -> Iterator[tuple[int, Any]]:
    """(record number, record) for each record; a line that is not JSON gives (number, DumpError)."""
    if suffix in (".jsonl", ".ndjson"):
        number = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            number += 1
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                yield number, DumpError(f"not valid JSON ({exc.msg})")
        return
    if suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise DumpError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if isinstance(data, dict):  # {"articles": [...]}: the one list of records it holds
            lists = [v for v in data.values() if isinstance(v, list)]
            if len(lists) != 1:
                raise DumpError("a JSON dump is an array of records, or an object holding one such array")
            data = lists[0]
        if not isinstance(data, list):
            raise DumpError("a JSON dump is an array of records")
        yield from enumerate(data, start=1)
        return
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if suffix == ".tsv" else ",")
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise DumpError(f"not valid CSV: {exc}") from None


def _record_id(record: dict[str, Any], fields: dict[str, str | None], number: int) -> str:
    value = field_text(record.get(fields["id"])) if fields["id"] else None
    if value:
        clean = _ID_RE.sub("_", value).strip("_.")
        if clean and len(clean) <= _ID_MAX:
            return clean
        return hashlib.sha1(value.encode()).hexdigest()[:12]
    url = field_text(record.get(fields["url"])) if fields["url"] else None
    if url:
        return hashlib.sha1(url.encode()).hexdigest()[:12]
    return str(number)


def _near_fetch(date: PubDate, fetched: PubDate) -> bool:
    """Whether a date found in the text can be the publication date of a page fetched on ``fetched``."""
    first, last = date.span()
    return first <= fetched.span()[1] and last >= fetched.span()[0] - dt.timedelta(days=FETCH_LAG_DAYS)


def _mapping(sample: list[dict[str, Any]], overrides: dict[str, str | None]) -> dict[str, str | None]:
    names: list[str] = []
    for record in sample:
        names.extend(k for k in record if k not in names)
    fields = detect_fields(names)
    fields.update(overrides)
    return fields


def read_dump(
    path: Path,
    text: str,
    dump_id: str,
    dated_on: Callable[[str], dt.date],
    overrides: dict[str, str | None] | None = None,
) -> tuple[list[Document], list[SkippedFile], DumpInfo]:
    """The articles of the dump at ``path`` whose decoded text is ``text``; raises DumpError if none can be read.

    Returns the documents, the records skipped (each with its reason, path ``<dump>#<number>``) and
    the dump's :class:`DumpInfo`. ``dated_on(doc_id)`` is the day a record's text dates are resolved
    against (its fetch day when earlier).
    """
    suffix = path.suffix.lower()
    info = DumpInfo(path=str(path), format=suffix.lstrip("."))
    rows = list(_records(text, suffix))
    info.records = len(rows)
    objects = [r for _, r in rows if isinstance(r, dict)]
    if not objects:
        raise DumpError("no records" if not rows else "no record is an object of fields")
    fields = _mapping(objects[:_SAMPLE_RECORDS], overrides or {})
    info.fields = fields
    if not fields["text"]:
        keys = ", ".join(list(objects[0])[:12])
        raise DumpError(f"no text field among {keys} (name it: --field text=NAME)")
    missing = [f"{role}={name}" for role, name in (overrides or {}).items() if name and all(name not in o for o in objects[:_SAMPLE_RECORDS])]
    if missing:
        info.notes.append(f"not in the first records: {', '.join(missing)}")
    if fields["fetched"] and not fields["date"]:
        info.notes.append(
            f"{fields['fetched']} is a fetch time: kept as `fetched`, not taken for the publication date "
            f"(--field date={fields['fetched']} if it is one)"
        )
    docs: list[Document] = []
    skipped: list[SkippedFile] = []
    seen: dict[str, int] = {}
    bad_dates: Counter[str] = Counter()
    for number, record in rows:
        where = f"{path}#{number}"
        if isinstance(record, DumpError):
            skipped.append(SkippedFile(where, record.reason))
            continue
        if not isinstance(record, dict):
            skipped.append(SkippedFile(where, "not an object of fields"))
            continue
        body = record.get(fields["text"])
        if not isinstance(body, str) or not body.strip():
            skipped.append(SkippedFile(where, f"empty {fields['text']}"))
            continue
        rid = _record_id(record, fields, number)
        doc_id = f"{dump_id}/{rid}"
        if doc_id in seen:
            skipped.append(SkippedFile(where, f"duplicate record id {rid!r} (kept record {seen[doc_id]})"))
            continue
        seen[doc_id] = number
        dates: dict[str, PubDate | None] = {}
        for role in ("date", "fetched"):
            raw = record.get(fields[role]) if fields[role] else None
            try:
                dates[role] = meta_date(raw) if raw not in (None, "") else None
            except ValueError:
                dates[role], bad_dates[role] = None, bad_dates[role] + 1
        boilerplate = find_boilerplate(body)
        fetched, today = dates["fetched"], dated_on(doc_id)
        date, source = publication_date(dates["date"], body, boilerplate, min(today, fetched.span()[1]) if fetched else today)
        if fetched is not None and date is not None and source != "metadata" and not _near_fetch(date, fetched):
            date, source = None, None  # the text's date is not the publication date of a page fetched then
        meta = {role: field_text(record.get(name)) if name else None for role, name in fields.items() if role != "text"}
        digest = hashlib.sha256(json.dumps([fields, body, meta], ensure_ascii=False, sort_keys=True).encode())
        docs.append(
            Document(
                doc_id=doc_id,
                path=str(path),
                text=body,
                title=meta["title"] or find_title(body, boilerplate) or rid,
                outlet=meta["outlet"],
                date=date,
                date_source=source,
                content_hash=digest.hexdigest(),
                boilerplate=boilerplate,
                url=meta["url"],
                author=meta["author"],
                fetched=fetched,
            )
        )
    for role, count in bad_dates.items():
        info.notes.append(f"{count:,} record(s): {fields[role]} is not a date (left undated)")
    info.articles = len(docs)
    return docs, skipped, info
