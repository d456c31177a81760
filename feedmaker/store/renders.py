"""What the store remembers of publishing: rendered entries, what each output file was made
from, and the last publication that finished."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from feedmaker.store.history import chunks
from feedmaker.store.meta import Meta


class Renders:
    """The `fragments` and `outputs` tables, and the publication record in `meta`."""

    def __init__(self, db: sqlite3.Connection, meta: Meta) -> None:
        self.db, self.meta = db, meta

    def fragments(self, entry_ids: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """The cached rendered entries of these ids: {id: (key, xml)}."""
        return self._pieces("SELECT entry_id, key, xml FROM fragments", entry_ids)

    def save_fragments(self, fragments: dict[str, tuple[str, bytes]]) -> None:
        """Cache rendered entries (see `fragments`)."""
        self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
                            [(i, key, xml) for i, (key, xml) in fragments.items()])

    def page_fragments(self, entry_ids: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """The cached web-page items of these ids: {id: (key, html)}."""
        return self._pieces("SELECT entry_id, key, html FROM page_fragments", entry_ids)

    def _pieces(self, select: str, entry_ids: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        found = {}
        for chunk in chunks(list(entry_ids)):
            for entry_id, key, piece in self.db.execute(
                    f"{select} WHERE entry_id IN ({','.join('?' * len(chunk))})", chunk):
                found[entry_id] = (key, piece)
        return found

    def save_page_fragments(self, fragments: dict[str, tuple[str, bytes]]) -> None:
        """Cache rendered web-page items (see `page_fragments`)."""
        self.db.executemany("INSERT OR REPLACE INTO page_fragments VALUES (?, ?, ?)",
                            [(i, key, html) for i, (key, html) in fragments.items()])

    def prune(self) -> None:
        """Forget the rendered entries of entries not in the temporary table `kept`: they
        are cached only while a feed shows them."""
        self.db.execute("DELETE FROM fragments WHERE entry_id NOT IN (SELECT id FROM kept)")
        self.db.execute("DELETE FROM page_fragments WHERE entry_id NOT IN (SELECT id FROM kept)")

    def output_records(self) -> dict[str, list]:
        """What each output file was made from when last written: fingerprint, size, mtime."""
        return {name: [fingerprint, size, mtime] for name, fingerprint, size, mtime
                in self.db.execute("SELECT name, fingerprint, size, mtime_ns FROM outputs")}

    def save_output_records(self, records: dict[str, list]) -> None:
        """Remember the output files just written (see `output_records`); the records of
        files no longer made are dropped."""
        self.db.execute("DELETE FROM outputs")
        self.db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?)",
                            [(name, *record) for name, record in records.items()])

    def published(self) -> dict | None:
        """What the last run that finished writing its files left: see pipeline."""
        value = self.meta.get("published")
        return json.loads(value) if value else None

    def set_published(self, value: dict | None) -> None:
        """Record (or, with None, forget) the last finished publication."""
        self.meta.set("published", json.dumps(value))
