"""How the last attempts of each source, or of each view, went: their health."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    """One source's or view's recorded attempts (times as stored, RFC 3339)."""

    name: str
    last_attempt: str
    last_success: str | None
    failing_since: str | None
    last_error: str | None
    entries_seen: int | None


class Health:
    """One table of attempts by name: `source_status` or `view_status`."""

    def __init__(self, db: sqlite3.Connection, table: str) -> None:
        self.db, self.table = db, table

    def record(self, name: str, now: str, error: str | None = None,
               entries: int | None = None) -> None:
        """Remember one attempt (`now` as stored): its error, or that it worked, with how
        many entries it gave (None: not counted, as a source's "not modified")."""
        self.db.execute(
            f"INSERT INTO {self.table} (name, last_attempt, last_success, failing_since, "
            "last_error, entries_seen) VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, "
            "CASE WHEN ?3 IS NOT NULL THEN ?2 END, ?3, ?4) ON CONFLICT (name) DO UPDATE SET "
            "last_attempt = ?2, "
            "last_success = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success END, "
            "failing_since = CASE WHEN ?3 IS NULL THEN NULL ELSE coalesce(failing_since, ?2) END, "
            "last_error = ?3, entries_seen = coalesce(?4, entries_seen)",
            (name, now, error, entries))

    def status(self) -> dict[str, Status]:
        """What each name did on its last attempts."""
        return {row[0]: Status(*row) for row in self.db.execute(
            "SELECT name, last_attempt, last_success, failing_since, last_error, entries_seen "
            f"FROM {self.table}")}
