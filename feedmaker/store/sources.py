"""What the store remembers of each source: HTTP validators of its last good fetch, how many
entries its recent good fetches gave, the counts it was refused for since, and how its
last attempts went (its health)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

# How many past counts a source's usual count is the median of.
COUNTS_KEPT = 7


class SourceLog:
    """The `sources` and `source_status` tables."""

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
        if count is not None:
            counts = (counts + [count])[-COUNTS_KEPT:]
        self._save(name, url, settings, validators, counts)

    def _save(self, name: str, url: str, settings: str,
              validators: tuple[str | None, ...] | None, counts: list[int]) -> None:
        etag, last_modified, body = validators or (None, None, None)
        self.db.execute("INSERT OR REPLACE INTO sources (name, url, etag, last_modified, "
                        "body_hash, counts, settings, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, '[]')",
                        (name, url, etag, last_modified, body, json.dumps(counts), settings))

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
        """Take `counts` as the source's usual size from now on."""
        self._save(name, url, settings, validators, counts[-COUNTS_KEPT:])

    def record_attempt(self, name: str, now: str, error: str | None = None,
                       entries: int | None = None) -> None:
        """Remember one attempt to read a source (`now` as stored): its error, or that it
        answered, with how many entries it gave (None: "not modified", the count stands)."""
        self.db.execute(
            "INSERT INTO source_status (name, last_attempt, last_success, failing_since, "
            "last_error, entries_seen) VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, "
            "CASE WHEN ?3 IS NOT NULL THEN ?2 END, ?3, ?4) ON CONFLICT (name) DO UPDATE SET "
            "last_attempt = ?2, "
            "last_success = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success END, "
            "failing_since = CASE WHEN ?3 IS NULL THEN NULL ELSE coalesce(failing_since, ?2) END, "
            "last_error = ?3, entries_seen = coalesce(?4, entries_seen)",
            (name, now, error, entries))

    def status(self) -> dict[str, SourceStatus]:
        """What each source did on its last attempts, by name."""
        return {row[0]: SourceStatus(*row) for row in self.db.execute(
            "SELECT name, last_attempt, last_success, failing_since, last_error, entries_seen "
            "FROM source_status")}

    def health_changed(self, errors: dict[str, str | None]) -> bool:
        """Whether any source's health differs from its last recorded attempt: `errors`
        maps each source's name to this attempt's error, or None when it answered."""
        known = self.status()
        return any(name not in known or known[name].last_error != error
                   for name, error in errors.items())


@dataclass(frozen=True)
class SourceStatus:
    """A source's recorded attempts (times as stored, RFC 3339)."""

    name: str
    last_attempt: str
    last_success: str | None
    failing_since: str | None
    last_error: str | None
    entries_seen: int | None
