"""Each entry's topics, derived by the tagger and refreshed when anything they read changes."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from feedmaker.model import Entry
from feedmaker.store.history import ENTRY_COLUMNS, chunks, decoded, format_time
from feedmaker.store.meta import Meta

# Entries tagged between two progress reports.
PROGRESS_STEP = 1000


def inputs_key(fingerprint: str, reads: Sequence[str], entry: Entry) -> str:
    """The digest of the rules and of the entry's fields they read."""
    values = [fingerprint] + [getattr(entry, name) for name in reads]
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()[:32]


class Topics:
    """The `entry_topics` table, and the key each entry's topics were computed with."""

    def __init__(self, db: sqlite3.Connection, meta: Meta) -> None:
        self.db, self.meta = db, meta

    def refresh(self, fingerprint: str, reads: Sequence[str],
                tag: Callable[[Entry], Iterable[str]], now: datetime,
                progress: Callable[[int, int], None] | None = None) -> int:
        """Compute topics with `tag(entry)` for every entry whose rules (`fingerprint`) or
        whose fields in `reads` differ from those its topics were computed from.

        Only entries merged at `now` and entries never tagged can have changed, unless the
        rules did: then every entry is looked at once. Returns how many were tagged;
        `progress(done, total)` is told every 1,000 when there are more than that.
        """
        if self.meta.get("topics_fingerprint") != fingerprint:
            candidates = decoded(self.db.execute(f"SELECT {ENTRY_COLUMNS} FROM entries"))
            self.meta.set("topics_fingerprint", fingerprint)
        else:
            candidates = decoded(self.db.execute(
                f"SELECT {ENTRY_COLUMNS} FROM entries WHERE last_seen = ? "
                f"UNION SELECT {ENTRY_COLUMNS} FROM entries WHERE tag_key IS NULL",
                (format_time(now),)))
        stored = self._keys([entry.id for entry in candidates])
        # The date is read too: it orders the topic's feed.
        reads = (*reads, "published")
        stale = [(entry, key) for entry in candidates
                 if stored.get(entry.id) != (key := inputs_key(fingerprint, reads, entry))]
        for number, (entry, key) in enumerate(stale, 1):
            if progress and len(stale) > PROGRESS_STEP and number % PROGRESS_STEP == 0:
                progress(number, len(stale))
            published = self.db.execute("SELECT published FROM entries WHERE id = ?",
                                        (entry.id,)).fetchone()[0]
            self.db.execute("DELETE FROM entry_topics WHERE entry_id = ?", (entry.id,))
            self.db.executemany("INSERT INTO entry_topics VALUES (?, ?, ?)",
                                [(topic, entry.id, published) for topic in tag(entry)])
            self.db.execute("UPDATE entries SET tag_key = ? WHERE id = ?", (key, entry.id))
        if progress and len(stale) > PROGRESS_STEP:
            progress(len(stale), len(stale))
        return len(stale)

    def _keys(self, entry_ids: list[str]) -> dict[str, str | None]:
        found = {}
        for chunk in chunks(entry_ids):
            found.update(self.db.execute(
                f"SELECT id, tag_key FROM entries WHERE id IN ({','.join('?' * len(chunk))})",
                chunk))
        return found

    def newest(self, topic: str, limit: int, since: datetime | None = None,
               memo: dict[str, Entry] | None = None) -> list[Entry]:
        """The `limit` newest entries of one topic, published at `since` or later."""
        columns = ", ".join("e." + c.strip() for c in ENTRY_COLUMNS.split(","))
        rows = self.db.execute(
            f"SELECT {columns} FROM entry_topics t JOIN entries e ON e.id = t.entry_id "
            "WHERE t.topic = ? AND t.published >= ? "
            "ORDER BY t.published DESC, t.entry_id DESC LIMIT ?",
            (topic, format_time(since) if since else "", limit))
        return decoded(rows, memo)

    def of(self, entry_ids: Iterable[str]) -> dict[str, list[str]]:
        """The stored topics of each given entry."""
        found: dict[str, list[str]] = {i: [] for i in entry_ids}
        for chunk in chunks(list(found)):
            for entry_id, topic in self.db.execute(
                    "SELECT entry_id, topic FROM entry_topics WHERE entry_id IN "
                    f"({','.join('?' * len(chunk))})", chunk):
                found[entry_id].append(topic)
        return found
