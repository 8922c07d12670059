"""Past questions and answers, kept in SQLite in the user's data folder.

The standard library's sqlite3 is enough: one table, written once per answer,
read when browsing or searching. Each call opens its own connection, so the
chat's workers and UI thread never share one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    asked TEXT NOT NULL,
    answer TEXT NOT NULL,
    language TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    record TEXT NOT NULL
)
"""


class HistoryError(AssistantError):
    """The history database cannot be opened or written."""


@dataclass(frozen=True)
class Turn:
    """One stored exchange."""

    id: int
    asked_at: str
    question: str
    asked: str
    answer: str
    abstained: bool
    record: dict[str, Any]
    """The answer's full JSON (citations, timings, model)."""


class History:
    """The history database at ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=5)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"cannot open history {self.path}: {exc}", hint="check ASSISTANT_DATA_DIR") from None
        try:
            con.execute(SCHEMA)
            with con:
                yield con
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"history {self.path} is unusable: {exc}", hint="move the file aside to start afresh") from None
        finally:
            con.close()

    def add(self, question: str, answer: dict[str, Any]) -> int:
        """Store one exchange (``answer`` is Answer.to_json()); returns its id."""
        with self._db() as con:
            cur = con.execute(
                "INSERT INTO turns (asked_at, question, asked, answer, language, abstained, record)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    dt.datetime.now().isoformat(timespec="seconds"),
                    question,
                    answer["question"],
                    answer["answer"],
                    answer["language"],
                    int(answer["abstained"]),
                    json.dumps(answer, ensure_ascii=False),
                ),
            )
            return int(cur.lastrowid or 0)

    def recent(self, limit: int = 50) -> list[Turn]:
        """The latest exchanges, newest first."""
        return self._select("1 = 1", (), limit)

    def search(self, words: str, limit: int = 50) -> list[Turn]:
        """Exchanges whose question or answer contains every word (case-insensitive), newest first."""
        terms = words.split()
        if not terms:
            return self.recent(limit)
        where = " AND ".join(["(question LIKE ? OR asked LIKE ? OR answer LIKE ?)"] * len(terms))
        params: list[str] = []
        for t in terms:
            like = f"%{t}%"
            params += [like, like, like]
        return self._select(where, tuple(params), limit)

    def _select(self, where: str, params: tuple[str, ...], limit: int) -> list[Turn]:
        with self._db() as con:
            rows = con.execute(
                f"SELECT id, asked_at, question, asked, answer, abstained, record FROM turns WHERE {where}"
                " ORDER BY id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [Turn(r[0], r[1], r[2], r[3], r[4], bool(r[5]), json.loads(r[6])) for r in rows]
