"""The like views' tables: libraries as last read, fitted models, arXiv lookups, scores."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from feedmaker.model import Entry
from feedmaker.store.rows import (
    ENTRY_COLUMNS,
    DamagedRow,
    by_ids,
    decoded,
    format_time,
    loads,
)


class Likes:
    """The `like_*` tables."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def library(self, name: str) -> tuple[str, str, dict] | None:
        """(files key, fingerprint, papers as JSON values) of the view's library as last
        read; None before the first read."""
        row = self.db.execute("SELECT files_key, fingerprint, papers FROM like_libraries "
                              "WHERE name = ?", (name,)).fetchone()
        return (row[0], row[1], loads(row[2])) if row else None

    def save_library(self, name: str, files_key: str, fingerprint: str, papers: dict) -> None:
        """Remember the library read from files with this key."""
        self.db.execute("INSERT OR REPLACE INTO like_libraries VALUES (?, ?, ?, ?)",
                        (name, files_key, fingerprint, json.dumps(papers, ensure_ascii=False)))

    def model_inputs(self, name: str) -> object:
        """What the view's saved model was fitted on (a JSON value), None when none is."""
        row = self.db.execute("SELECT inputs FROM like_models WHERE name = ?",
                              (name,)).fetchone()
        try:
            return loads(row[0]) if row else None
        except DamagedRow:  # a damaged record of a model, which is made again
            return None

    def model(self, name: str) -> bytes | None:
        """The view's saved model, as bytes."""
        row = self.db.execute("SELECT model FROM like_models WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def save_model(self, name: str, inputs: dict, model: bytes) -> None:
        """Keep a newly fitted model; papers already scored keep their scores (a refit does
        not judge past days again)."""
        self.db.execute("INSERT OR REPLACE INTO like_models VALUES (?, ?, ?)",
                        (name, json.dumps(inputs), model))

    def forget(self, name: str, leaving: Iterable[str]) -> None:
        """The library changed: the scores of papers not in the view are dropped (they are
        judged again), and these members leave the view for good (now in the library)."""
        self.db.execute("DELETE FROM like_scores WHERE name = ? AND member <= 0", (name,))
        self.db.executemany("UPDATE like_scores SET member = -1 WHERE name = ? AND entry_id = ?",
                            [(name, entry_id) for entry_id in leaving])

    def lookups(self) -> dict[str, list | None]:
        """What arXiv said of each id asked: [title, summary], or None."""
        return {arxiv_id: None if title is None else [title, summary]
                for arxiv_id, title, summary in self.db.execute("SELECT * FROM like_lookups")}

    def save_lookups(self, found: dict[str, list | None]) -> None:
        """Remember what arXiv said of these ids."""
        self.db.executemany("INSERT OR REPLACE INTO like_lookups VALUES (?, ?, ?)",
                            [(arxiv_id, *(text or (None, None)))
                             for arxiv_id, text in found.items()])

    def unscored(self, name: str, window: int) -> list[Entry]:
        """The entries among the `window` newest that the view has no score for (bounded
        by the window, whatever the history holds)."""
        return decoded(self.db.execute(
            f"SELECT * FROM (SELECT {ENTRY_COLUMNS} FROM entries e "
            "ORDER BY published DESC, id DESC LIMIT ?) WHERE id NOT IN "
            "(SELECT entry_id FROM like_scores WHERE name = ?)", (window, name)))

    def save_scores(self, name: str,
                    rows: Iterable[tuple[Entry, float, str | None, int]]) -> None:
        """Keep (entry, score, closest library title, member) rows: member 0 for a paper
        not (yet) in the view, -1 for one never to be (the library's own)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO like_scores VALUES (?, ?, ?, ?, ?, ?)",
            [(name, entry.id, format_time(entry.published), score, closest, member)
             for entry, score, closest, member in rows])

    def day_scores(self, name: str, day: str) -> list[tuple[str, float, int]]:
        """(entry id, score, member) of the papers published on `day` (YYYY-MM-DD) that may
        be members (not the library's own, and like some library paper), best first."""
        return self.db.execute(
            "SELECT entry_id, score, member FROM like_scores WHERE name = ? AND member >= 0 "
            "AND closest IS NOT NULL AND published >= ? AND published < ? "
            "ORDER BY score DESC, entry_id",
            (name, day, day + "T99")).fetchall()

    def admit(self, name: str, entry_ids: Iterable[str]) -> None:
        """Make these papers members of the view, for good."""
        self.db.executemany("UPDATE like_scores SET member = 1 WHERE name = ? AND entry_id = ? "
                            "AND member = 0", [(name, entry_id) for entry_id in entry_ids])

    def score_of(self, name: str, entry_id: str) -> tuple[float, str | None, int] | None:
        """(score, closest library title, member: 1, 0 or -1) of one paper, when scored."""
        return self.db.execute("SELECT score, closest, member FROM like_scores WHERE name = ? "
                               "AND entry_id = ?", (name, entry_id)).fetchone()

    def closest_of(self, entry_ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """For each given entry, the (view, closest library title) of every like view it is
        a member of."""
        found: dict[str, list[tuple[str, str]]] = {i: [] for i in entry_ids}
        for entry_id, name, closest in by_ids(
                self.db, "SELECT entry_id, name, closest FROM like_scores WHERE member = 1 AND "
                "closest IS NOT NULL AND entry_id IN ({ids}) ORDER BY name", found):
            found[entry_id].append((name, closest))
        return found

    def newest(self, name: str, limit: int, since: datetime | None = None,
               memo: dict[str, Entry] | None = None) -> list[Entry]:
        """The `limit` newest members of the view, published at `since` or later (not those
        known only from watch lookups)."""
        return decoded(self.db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM like_scores s JOIN entries e ON e.id = s.entry_id "
            "WHERE s.name = ? AND s.member = 1 AND s.published >= ? AND e.quiet = 0 "
            "ORDER BY s.published DESC, s.entry_id DESC LIMIT ?",
            (name, format_time(since) if since else "", limit)), memo)

    def first_seen_since(self, moment: str) -> int:
        """How many entries the store first saw after `moment` (RFC 3339)."""
        return self.db.execute("SELECT count(*) FROM entries WHERE first_seen > ?",
                               (moment,)).fetchone()[0]
