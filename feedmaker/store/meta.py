"""The `meta` table: a few named values of the whole store (creation time, rules fingerprint)."""

from __future__ import annotations

import sqlite3


class Meta:
    """Named text values, one row each."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        """The value of `key`, or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        """Set `key` to `value`."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
