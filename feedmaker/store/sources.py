"""What the store remembers of each source: HTTP validators of its last good fetch, and how
many entries its recent good fetches gave."""

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

    def usual_count(self, name: str) -> int | None:
        """The median number of entries the source gave on its recent good fetches."""
        row = self.db.execute("SELECT counts FROM sources WHERE name = ?", (name,)).fetchone()
        counts = sorted(json.loads(row[0])) if row else []
        return counts[len(counts) // 2] if counts else None

    def record(self, name: str, url: str, validators: tuple[str | None, ...] | None,
               count: int | None) -> None:
        """Remember a good fetch: its validators, and its entry count (None: not counted)."""
        row = self.db.execute("SELECT counts FROM sources WHERE name = ?", (name,)).fetchone()
        counts = json.loads(row[0]) if row else []
        if count is not None:
            counts = (counts + [count])[-COUNTS_KEPT:]
        etag, last_modified, body = validators or (None, None, None)
        self.db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?)",
                        (name, url, etag, last_modified, body, json.dumps(counts)))
