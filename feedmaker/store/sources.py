"""What the store remembers of each source: HTTP validators of its last good fetch, how many
entries its recent good fetches gave, and the counts it was refused for since."""

from __future__ import annotations

import json
import sqlite3

# How many past counts a source's usual count is the median of.
COUNTS_KEPT = 7


class SourceLog:
    """The `sources` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def validators(self, name: str, url: str) -> tuple[str | None, ...] | None:
        """ETag, Last-Modified and body hash of the source's last good fetch of `url`."""
        row = self.db.execute("SELECT etag, last_modified, body_hash FROM sources "
                              "WHERE name = ? AND url = ?", (name, url)).fetchone()
        return tuple(row) if row else None

    def usual_count(self, name: str, settings: str) -> int | None:
        """The median number of entries the source gave on its recent good fetches with
        these `settings` (a digest of its type, URL and options): pointed elsewhere, a
        source has no usual count yet."""
        counts = self._counts(name, settings)
        return sorted(counts)[len(counts) // 2] if counts else None

    def _counts(self, name: str, settings: str) -> list[int]:
        row = self.db.execute("SELECT counts FROM sources WHERE name = ? AND settings = ?",
                              (name, settings)).fetchone()
        return json.loads(row[0]) if row else []

    def record(self, name: str, url: str, settings: str,
               validators: tuple[str | None, ...] | None, count: int | None) -> None:
        """Remember a good fetch: its validators, and its entry count (None: not counted)."""
        counts = self._counts(name, settings)
        self.restart(name, url, settings, validators,
                     counts if count is None else counts + [count])

    def refused(self, name: str, settings: str, count: int) -> list[int]:
        """Note a count the source was failed for; returns the counts refused in a row."""
        row = self.db.execute("SELECT rejected FROM sources WHERE name = ? AND settings = ?",
                              (name, settings)).fetchone()
        if row is None:
            return [count]
        streak = (json.loads(row[0]) + [count])[-COUNTS_KEPT:]
        self.db.execute("UPDATE sources SET rejected = ? WHERE name = ?",
                        (json.dumps(streak), name))
        return streak

    def restart(self, name: str, url: str, settings: str,
                validators: tuple[str | None, ...] | None, counts: list[int]) -> None:
        """Take `counts` as the source's usual size from now on (with these validators),
        and forget the counts it was refused for."""
        etag, last_modified, body = validators or (None, None, None)
        self.db.execute("INSERT OR REPLACE INTO sources (name, url, etag, last_modified, "
                        "body_hash, counts, settings, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, '[]')",
                        (name, url, etag, last_modified, body, json.dumps(counts[-COUNTS_KEPT:]),
                         settings))
