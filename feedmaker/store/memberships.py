"""Derived memberships of entries: the topics the tagger gives each paper, and the views it
is in; each refreshed when anything it was computed from changes."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from feedmaker.model import Entry
from feedmaker.store.rows import ENTRY_COLUMNS, by_ids, decoded, entry_from_row, format_time

# Entries computed between two progress reports.
PROGRESS_STEP = 1000


def inputs_key(fingerprint: str, values: Sequence[object]) -> str:
    """The digest of the rules and of the values of an entry they read."""
    return hashlib.sha256(repr([fingerprint, *values]).encode("utf-8")).hexdigest()[:32]


class Derivation(Protocol):
    """How one kind of membership is computed from an entry (see `Memberships.refresh`)."""

    def prepare(self, entries: list[Entry]) -> None:
        """Load, in one go, what `key` and `rows` need for these entries."""

    def key(self, entry: Entry) -> str:
        """A digest of everything the entry's rows are computed from."""

    def rows(self, entry: Entry) -> Iterable[tuple]:
        """The entry's rows, as (name, *extras)."""


class Memberships:
    """One table of (name, entry_id, published, *extras) rows, such as `entry_topics`, and
    the column of `entries` holding the key each entry's rows were computed with."""

    def __init__(self, db: sqlite3.Connection, table: str, key_column: str,
                 extras: tuple[str, ...] = ()) -> None:
        self.db, self.table, self.key_column, self.extras = db, table, key_column, extras
        self.fingerprint_key = f"{table}_fingerprint"  # in the `meta` table

    def computed_with(self) -> str | None:
        """The rules' fingerprint every entry was last looked at with."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?",
                              (self.fingerprint_key,)).fetchone()
        return row[0] if row else None

    def refresh(self, fingerprint: str, derivation: Derivation, now: datetime,
                progress: Callable[[int, int], None] | None = None) -> int:
        """Compute the rows of every entry whose key (the rules' `fingerprint` and the values
        they read) differs from the one its rows were computed with.

        Only entries merged at `now` and entries never computed can have changed, unless the
        rules did: then every entry is looked at once. Returns how many entries were
        computed; `progress(done, total)` is told every 1,000 when there are more than that.
        """
        columns = f"{ENTRY_COLUMNS}, e.{self.key_column}"
        if self.computed_with() != fingerprint:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            (self.fingerprint_key, fingerprint))
            found = self.db.execute(f"SELECT {columns} FROM entries e")
        else:
            found = self.db.execute(
                f"SELECT {columns} FROM entries e WHERE last_seen = ? "
                f"UNION SELECT {columns} FROM entries e WHERE {self.key_column} IS NULL",
                (format_time(now),))
        candidates: list[Entry] = []
        stored: dict[str, str | None] = {}  # the key each one's rows were computed with
        for row in found:
            candidates.append(entry_from_row(row[:5]))
            stored[row[0]] = row[5]
        derivation.prepare(candidates)
        stale = [(entry, key) for entry in candidates
                 if stored[entry.id] != (key := derivation.key(entry))]
        marks = ", ".join("?" * (3 + len(self.extras)))
        for number, (entry, key) in enumerate(stale, 1):
            if progress and len(stale) > PROGRESS_STEP and number % PROGRESS_STEP == 0:
                progress(number, len(stale))
            published = format_time(entry.published)
            rows = list(derivation.rows(entry))  # before the old rows go: it may read them
            self.db.execute(f"DELETE FROM {self.table} WHERE entry_id = ?", (entry.id,))
            self.db.executemany(f"INSERT INTO {self.table} VALUES ({marks})",
                                [(row[0], entry.id, published, *row[1:]) for row in rows])
            self.db.execute(f"UPDATE entries SET {self.key_column} = ? WHERE id = ?",
                            (key, entry.id))
        if progress and len(stale) > PROGRESS_STEP:
            progress(len(stale), len(stale))
        return len(stale)

    def forget_keys(self, entry_ids: list[str]) -> None:
        """Have these entries computed again on the next refresh."""
        self.db.executemany(f"UPDATE entries SET {self.key_column} = NULL WHERE id = ?",
                            [(i,) for i in entry_ids])

    def newest(self, name: str, limit: int, since: datetime | None = None,
               memo: dict[str, Entry] | None = None, best_only: bool = False) -> list[Entry]:
        """The `limit` newest entries with rows of `name`, published at `since` or later;
        with `best_only`, only those whose row is marked best (see the topics table). Not
        the entries known only from watch lookups (see History.merge)."""
        best = " AND t.best = 1" if best_only else ""
        rows = self.db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM {self.table} t JOIN entries e ON e.id = t.entry_id "
            f"WHERE t.name = ? AND t.published >= ?{best} AND e.quiet = 0 "
            "ORDER BY t.published DESC, t.entry_id DESC LIMIT ?",
            (name, format_time(since) if since else "", limit))
        return decoded(rows, memo)

    def members(self, names: Iterable[str]) -> set[str]:
        """The ids of the entries with rows of any of these names."""
        return {row[0] for row in by_ids(
            self.db, f"SELECT DISTINCT entry_id FROM {self.table} WHERE name IN ({{ids}})", names)}

    def values_of(self, entry_ids: Iterable[str], column: str) -> dict[str, dict[str, object]]:
        """Each given entry's value of one extra column, by name: {id: {name: value}}."""
        found: dict[str, dict[str, object]] = {i: {} for i in entry_ids}
        for entry_id, name, value in by_ids(self.db, f"SELECT entry_id, name, {column} FROM "
                                            f"{self.table} WHERE entry_id IN ({{ids}})", found):
            found[entry_id][name] = value
        return found

    def of(self, entry_ids: Iterable[str]) -> dict[str, list[str]]:
        """The names each given entry has rows of."""
        return {entry_id: list(names)
                for entry_id, names in self.values_of(entry_ids, "name").items()}
