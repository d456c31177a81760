"""Each entry's topics, derived by the tagger and refreshed when anything they read changes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from feedmaker.model import Entry
from feedmaker.store.history import ENTRY_COLUMNS, chunks, decoded, format_time
from feedmaker.store.meta import Meta

# Entries tagged between two progress reports.
PROGRESS_STEP = 1000
# What a tagger gives for one entry: its topics' slugs, or each slug with the terms that
# put the entry there (the words as found in the paper).
Tags = Iterable[str] | Mapping[str, Sequence[str]]


def inputs_key(fingerprint: str, reads: Sequence[str], entry: Entry) -> str:
    """The digest of the rules and of the entry's fields they read."""
    values = [fingerprint] + [getattr(entry, name) for name in reads]
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()[:32]


class Topics:
    """The `entry_topics` table, and the key each entry's topics were computed with."""

    def __init__(self, db: sqlite3.Connection, meta: Meta) -> None:
        self.db, self.meta = db, meta

    def refresh(self, fingerprint: str, reads: Sequence[str], tag: Callable[[Entry], Tags],
                now: datetime, progress: Callable[[int, int], None] | None = None) -> int:
        """Compute topics with `tag(entry)` for every entry whose rules (`fingerprint`) or
        whose fields in `reads` differ from those its topics were computed from.

        Only entries merged at `now` and entries never tagged can have changed, unless the
        rules did: then every entry is looked at once. An entry seen before this run whose
        topics, or the terms that put it there, change is updated at `now` (its feeds show
        them). Returns how many were tagged; `progress(done, total)` is told every 1,000
        when there are more than that.
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
        stamp = format_time(now)
        for number, (entry, key) in enumerate(stale, 1):
            if progress and len(stale) > PROGRESS_STEP and number % PROGRESS_STEP == 0:
                progress(number, len(stale))
            published = self.db.execute("SELECT published FROM entries WHERE id = ?",
                                        (entry.id,)).fetchone()[0]
            found = tag(entry)
            terms = ({topic: tuple(words) for topic, words in found.items()}
                     if isinstance(found, Mapping) else dict.fromkeys(found))
            before = self.of([entry.id])[entry.id]
            self.db.execute("DELETE FROM entry_topics WHERE entry_id = ?", (entry.id,))
            self.db.executemany(
                "INSERT INTO entry_topics (topic, entry_id, published, terms) VALUES (?, ?, ?, ?)",
                [(topic, entry.id, published, None if words is None else json.dumps(words))
                 for topic, words in terms.items()])
            self.db.execute("UPDATE entries SET tag_key = ? WHERE id = ?", (key, entry.id))
            if entry.first_seen and format_time(entry.first_seen) != stamp \
                    and _shown_differently(before, terms):
                self.db.execute("UPDATE entries SET updated = max(?, published) WHERE id = ?",
                                (stamp, entry.id))
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

    def of(self, entry_ids: Iterable[str]) -> dict[str, dict[str, tuple[str, ...] | None]]:
        """The stored topics of each given entry, each with the terms that put it there
        (None when it was tagged before terms were kept)."""
        found: dict[str, dict[str, tuple[str, ...] | None]] = {i: {} for i in entry_ids}
        for chunk in chunks(list(found)):
            for entry_id, topic, terms in self.db.execute(
                    "SELECT entry_id, topic, terms FROM entry_topics WHERE entry_id IN "
                    f"({','.join('?' * len(chunk))}) ORDER BY rowid", chunk):
                found[entry_id][topic] = None if terms is None else tuple(json.loads(terms))
        return found


def _shown_differently(before: Mapping[str, tuple[str, ...] | None],
                       after: Mapping[str, tuple[str, ...] | None]) -> bool:
    """Whether an entry's topics, or the terms shown for them, changed. Terms not known
    before (tagged by an older feedmaker) are no change: nothing showed them."""
    if set(before) != set(after):
        return True
    return any(before[topic] is not None and before[topic] != after[topic] for topic in after)
