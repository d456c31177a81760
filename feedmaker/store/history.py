"""Every paper ever seen: merged sightings, first and last seen, content hash, every source."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime

from feedmaker.events import events_of, facts
from feedmaker.model import (
    ABSTRACT,
    CONTENT_FIELDS,
    FIRST,
    LINK_KINDS,
    LINKS,
    MAX,
    NEWER,
    OWNED,
    OWNERS,
    STORE,
    UNION,
    Entry,
)
from feedmaker.store.events import Events
from feedmaker.store.rows import (
    ENTRY_COLUMNS,
    DamagedRow,
    by_ids,
    decode,
    decoded,
    encode,
    entry_from_row,
    format_time,
)


@dataclass
class MergeResult:
    """What one merge did: entries new to the store, and stored entries whose content changed."""

    new: int = 0
    updated: int = 0
    seen: int = 0
    events: int = 0  # news events recorded (see feedmaker.events)


def content_hash(entry: Entry) -> str:
    """Hash of what readers see as the entry's content (CONTENT_FIELDS)."""
    payload = json.dumps([getattr(entry, name) for name in CONTENT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _known(value: object) -> bool:
    return value is not None and value != "" and value != ()


def merge_entries(old: Entry, new: Entry) -> Entry:
    """The union of what two sightings of one paper know, field by field as Entry declares."""
    changes = {}
    owners = dict(old.owners)
    for f in fields(old):
        how, mine, theirs = f.metadata["merge"], getattr(old, f.name), getattr(new, f.name)
        if how == NEWER:
            changes[f.name] = theirs if _known(theirs) else mine
        elif how == OWNED:
            owner = owners.get(f.name, old.source)
            if _known(theirs) and (not _known(mine) or owner == new.source):
                changes[f.name] = theirs
                owners[f.name] = new.source
        elif how == FIRST:
            changes[f.name] = mine if _known(mine) else theirs
        elif how == UNION:
            changes[f.name] = tuple(dict.fromkeys(mine + theirs))
        elif how == MAX:
            changes[f.name] = max((v for v in (mine, theirs) if v is not None), default=None)
        elif how == LINKS:
            links = dict(mine) | dict(theirs)
            changes[f.name] = tuple((kind, links[kind]) for kind in LINK_KINDS if kind in links)
        elif how not in (ABSTRACT, OWNERS, STORE):  # handled below, and by the store
            raise ValueError(f"Entry.{f.name}: no merge policy {how!r}")
    # An abstract is never replaced by a card's AI summary, nor by nothing; one abstract by
    # another only when the source that gave it says something new.
    if _takes_summary(old, new, owners.get("summary", old.source)):
        changes.update({f.name: getattr(new, f.name) for f in fields(old)
                        if f.metadata["merge"] == ABSTRACT})
        owners["summary"] = new.source
    owned = tuple(sorted((name, source) for name, source in owners.items()
                         if source != old.source))
    changes.update({f.name: owned for f in fields(old) if f.metadata["merge"] == OWNERS})
    return replace(old, **changes)


def _takes_summary(old: Entry, new: Entry, owner: str) -> bool:
    if not new.summary:
        return False
    if not old.summary or new.summary_is_abstract != old.summary_is_abstract:
        return not old.summary or new.summary_is_abstract
    return owner == new.source


class History:
    """The `entries` and `entry_sources` tables."""

    def __init__(self, db: sqlite3.Connection, events: Events) -> None:
        self.db, self.events = db, events
        # Each entry's (content hash, updated, entry) before the run merged it first: what
        # its content and its news are compared with, whatever order the sources came in.
        self._before: dict[str, tuple[str, str, Entry]] = {}
        self._run: str | None = None

    def merge(self, entries: Iterable[Entry], now: datetime, *, bars: Sequence[int] = (),
              quiet: bool = False) -> MergeResult:
        """Add new entries and fold re-seen ones into what is stored.

        A re-seen entry keeps its id, first-seen time and published date; `updated` moves
        to `now` only when what readers see of it differs from what it was before this run
        (`now`), and not at all in the run that first saw it: two sources that tell one
        paper a little apart, each run, do not make it look edited each run.

        What changed about a paper known before this run is recorded as news events (see
        feedmaker.events; `bars` are the upvote counts whose reaching is one). Entries
        merged `quiet` (watch lookups) and new to the store are shown by news views only,
        until a listing shows them.
        """
        result = MergeResult()
        stamp = format_time(now)
        if stamp != self._run:
            self._before, self._run = {}, stamp
        for entry in entries:
            result.seen += 1
            shown = facts(entry)
            row = self.db.execute(
                "SELECT e.data, e.content_hash, e.published, e.date_known, e.updated, "
                "e.first_seen, s.first_seen, s.facts FROM entries e LEFT JOIN entry_sources s "
                "ON s.entry_id = e.id AND s.source = ? WHERE e.id = ?",
                (entry.source, entry.id)).fetchone()
            if row is None:
                published = format_time(entry.published) if entry.published else stamp
                self.db.execute(
                    "INSERT INTO entries (id, data, content_hash, published, date_known, updated, "
                    "first_seen, last_seen, quiet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry.id, encode(entry), content_hash(entry), published,
                     int(entry.published is not None), published, stamp, stamp, int(quiet)))
                result.new += 1
            else:
                data, old_hash, published, date_known, updated, first_seen, source_first, \
                    source_facts = row
                old = decode(entry.id, data)
                if not isinstance(source_facts, int | None):
                    raise DamagedRow(f"{source_facts!r} where the facts a source showed belong")
                start_hash, start_updated, start = self._before.setdefault(
                    entry.id, (old_hash, updated, old))
                merged = merge_entries(old, entry)
                if first_seen != stamp:  # a paper new in this run has no news yet
                    # What this source shows now and did not before (when it saw it before).
                    newly_shown = (shown & ~source_facts if source_first not in (None, stamp)
                                   and source_facts is not None else 0)
                    result.events += self.events.record(entry.id, events_of(
                        start, merged, entry, newly_shown=newly_shown, bars=bars), now)
                new_hash = content_hash(merged)
                if not date_known and entry.published is not None:
                    published, date_known = format_time(entry.published), 1
                    if first_seen == stamp:
                        updated = published
                if first_seen != stamp and new_hash != old_hash:
                    if new_hash == start_hash:  # another source said it as it was
                        updated = start_updated
                        result.updated -= 1
                    else:
                        updated = max(stamp, published)
                        result.updated += old_hash == start_hash
                self.db.execute(
                    "UPDATE entries SET data = ?, content_hash = ?, published = ?, "
                    "date_known = ?, updated = ?, last_seen = ?, quiet = quiet AND ? "
                    "WHERE id = ?", (encode(merged), new_hash, published, date_known, updated,
                                     stamp, int(quiet), entry.id))
            # What a source once showed it keeps showing as far as news goes: a field it
            # drops and gives again is no news.
            self.db.execute(
                "INSERT INTO entry_sources VALUES (?, ?, ?, ?, ?) ON CONFLICT (entry_id, source) "
                "DO UPDATE SET last_seen = excluded.last_seen, "
                "facts = coalesce(entry_sources.facts, 0) | excluded.facts",
                (entry.id, entry.source, stamp, stamp, shown))
        return result

    def touch(self, entry_id: str, now: datetime) -> None:
        """Date the entry updated at `now` (or its own date, if later): what it shows changed
        other than by a merge (its topics, say)."""
        self.db.execute("UPDATE entries SET updated = max(?, published) WHERE id = ?",
                        (format_time(now), entry_id))

    def get(self, entry_id: str) -> Entry | None:
        """One stored entry by its id, or None."""
        row = self.db.execute(f"SELECT {ENTRY_COLUMNS} FROM entries e WHERE id = ?",
                              (entry_id,)).fetchone()
        return entry_from_row(row) if row else None

    def count(self) -> int:
        """How many entries the store holds."""
        return self.db.execute("SELECT count(*) FROM entries").fetchone()[0]

    def newest(self, limit: int, since: datetime | None = None,
               memo: dict[str, Entry] | None = None) -> list[Entry]:
        """The `limit` newest entries (by published date), published at `since` or later;
        not those known only from watch lookups (see `merge`)."""
        rows = self.db.execute(f"SELECT {ENTRY_COLUMNS} FROM entries e WHERE published >= ? "
                               "AND quiet = 0 ORDER BY published DESC, id DESC LIMIT ?",
                               (format_time(since) if since else "", limit))
        return decoded(rows, memo)

    def sources_of(self, entry_ids: Iterable[str]) -> dict[str, list[str]]:
        """Every source that listed each given entry, first sighting first."""
        found: dict[str, list[str]] = {i: [] for i in entry_ids}
        for entry_id, source in by_ids(self.db, "SELECT entry_id, source FROM entry_sources "
                                       "WHERE entry_id IN ({ids}) ORDER BY first_seen, source",
                                       found):
            found[entry_id].append(source)
        return found
