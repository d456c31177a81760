"""What the store remembers of each source: HTTP validators of its last good fetch, how many
entries its recent good fetches gave, and the counts it was refused for since."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import astuple
from typing import TYPE_CHECKING

from feedmaker import code_digest
from feedmaker.store.rows import loads

if TYPE_CHECKING:
    from feedmaker.fetch import Validators
    from feedmaker.sources import Source

# How many past counts a source's usual count is the median of.
COUNTS_KEPT = 7
# A source refused this many runs in a row for a steady count has a new size, not a
# broken page: a listing narrowed on purpose, say.
NEW_LEVEL_AFTER = 3


class SourceLog:
    """The `sources` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def validators(self, source: Source) -> Validators | None:
        """ETag, Last-Modified and body hash of the source's last good fetch, when it was
        read the same way: the same type, URL and options, and the same code."""
        from feedmaker.fetch import Validators  # not at import: commands without a run

        row = self.db.execute("SELECT etag, last_modified, body_hash FROM sources "
                              "WHERE name = ? AND reader = ?",
                              (source.name, reader(source))).fetchone()
        return Validators(*row) if row else None

    def judge(self, source: Source, count: int, validators: Validators | None,
              warnings: list[str]) -> str | None:
        """Why the source's `count` of entries is refused (its page looks broken), or None.

        A count believed is remembered, with the fetch's validators, among the source's
        recent ones, whose median is its usual count. These belong to its settings (a
        digest of its type, URL and options): pointed elsewhere, a source has no usual count
        yet. Counts refused runs in a row at a steady level are its new size, with a warning.
        """
        name, settings = source.name, source.settings
        row = self.db.execute("SELECT counts, rejected FROM sources WHERE name = ? AND "
                              "settings = ?", (name, settings)).fetchone()
        counts, streak = (loads(row[0]), loads(row[1])) if row else ([], [])
        usual = sorted(counts)[len(counts) // 2] if counts else None
        problem = judge_count(count, usual, source.allow_empty)
        if problem:
            streak = (streak + [count])[-COUNTS_KEPT:]
            if not new_level(streak):
                self.db.execute("UPDATE sources SET rejected = ? WHERE name = ? AND "
                                "settings = ?", (json.dumps(streak), name, settings))
                return (f"source {name!r} ({source.url}): {problem}; its entries were not "
                        "used and the history is kept")
            warnings.append(f"source {name!r} ({source.url}): {count} entries for "
                            f"{len(streak)} runs in a row, under a quarter of its usual "
                            f"{usual}; taking that as its size from now on")
            counts = streak
        elif count:  # an empty listing (allowed) is not a size
            counts.append(count)
        etag, last_modified, body = astuple(validators) if validators else (None, None, None)
        self.db.execute("INSERT OR REPLACE INTO sources (name, url, etag, last_modified, "
                        "body_hash, counts, settings, rejected, reader) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, '[]', ?)",
                        (name, source.url, etag, last_modified, body,
                         json.dumps(counts[-COUNTS_KEPT:]), settings, reader(source)))
        return None


def reader(source: Source) -> str:
    """A digest of the way a source is read: its settings, and the code that turns its
    bytes into entries."""
    code = code_digest("sources", "normalize.py", "collect.py", "model.py", "safexml.py")
    return hashlib.sha256(f"{source.settings}:{code}".encode()).hexdigest()


def new_level(streak: list[int]) -> bool:
    """Whether the counts a source was refused for in a row are a steady new size."""
    recent = streak[-NEW_LEVEL_AFTER:]
    return (len(recent) == NEW_LEVEL_AFTER and min(recent) > 0
            and max(recent) <= 2 * min(recent))


def judge_count(count: int, usual: int | None, allow_empty: bool) -> str | None:
    """Why a source's entry count means its page is broken, or None when it looks normal.

    A listing that suddenly shrinks to nothing, or to under a quarter of what it usually
    has, is far more often a changed layout or a page caught mid-update than real news.
    """
    if count == 0:
        if allow_empty:
            return None
        return ("gave no entries (a changed page layout? if an empty listing is normal for "
                "this source, set allow_empty = true)")
    if usual and count * 4 < usual:
        return (f"gave {count} entries, under a quarter of its usual {usual} (a changed page "
                "layout, or a page caught mid-update?)")
    return None
