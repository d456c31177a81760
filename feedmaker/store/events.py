"""Papers' news events, what news views watch, and when watched papers were looked up."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from feedmaker.events import Event
from feedmaker.model import Entry
from feedmaker.store.rows import ENTRY_COLUMNS, by_ids, decoded, format_time, loads, parse_time

if TYPE_CHECKING:
    from feedmaker.outputs import FeedDef


class Events:
    """The `entry_events` table: (paper, key) is recorded once, the first time it is seen."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def record(self, entry_id: str, events: Iterable[Event], now: datetime) -> int:
        """Keep the events not recorded before; returns how many were new."""
        return self.db.executemany(
            "INSERT OR IGNORE INTO entry_events (entry_id, key, kind, seen, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            [(entry_id, event.key, event.kind, format_time(now),
              json.dumps(event.detail, ensure_ascii=False, separators=(",", ":")))
             for event in events]).rowcount

    def of(self, entry_id: str) -> list[Event]:
        """A paper's events, oldest first."""
        return [_event(row) for row in self.db.execute(
            "SELECT kind, key, seen, detail FROM entry_events WHERE entry_id = ? "
            "ORDER BY seen, key", (entry_id,))]

    def newest(self, feed: FeedDef, limit: int, since: datetime | None = None,
               memo: dict[str, Entry] | None = None) -> list[tuple[Entry, Event]]:
        """The `limit` newest events of the papers a news feed follows (its rule's papers,
        in `entry_views`, and its watched ones, in `entry_watched`), of the kinds it asks
        for (`feed.news`); a `popular` event only for its upvote bar. Each with its paper."""
        kinds = feed.news
        rows = self.db.execute(
            f"SELECT {ENTRY_COLUMNS}, ev.kind, ev.key, ev.seen, ev.detail FROM entry_events ev "
            "JOIN entries e ON e.id = ev.entry_id "
            f"WHERE ev.kind IN ({','.join('?' * len(kinds))}) AND ev.seen >= ? "
            "AND (ev.kind != 'popular' OR ev.key = ?) "
            "AND (ev.entry_id IN (SELECT entry_id FROM entry_views WHERE name = ?) "
            "OR ev.entry_id IN (SELECT entry_id FROM entry_watched WHERE name = ?)) "
            "ORDER BY ev.seen DESC, ev.entry_id DESC, ev.key DESC LIMIT ?",
            (*kinds, format_time(since) if since else "", f"popular-{feed.bar}", feed.slug,
             feed.slug, limit)).fetchall()
        papers = decoded((row[:5] for row in rows), memo)
        return [(paper, _event(row[5:])) for paper, row in zip(papers, rows, strict=True)]


def _event(row: tuple) -> Event:
    kind, key, seen, detail = row
    return Event(kind, key, loads(detail), parse_time(seen))


class Watch:
    """What news views' `watch` files hold (`watch_libraries`), and when each watched paper
    was last asked of a service and whether the service knew it (`watch_lookups`)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def library(self, name: str) -> tuple[str, list[list]] | None:
        """A view's watch files' digest as last read, and the papers read from them."""
        row = self.db.execute("SELECT files_key, papers FROM watch_libraries WHERE name = ?",
                              (name,)).fetchone()
        return (row[0], loads(row[1])) if row else None

    def save_library(self, name: str, files_key: str, papers: list[list]) -> None:
        """Remember what a view's watch files held: [arxiv id, doi, title] per paper."""
        self.db.execute("INSERT OR REPLACE INTO watch_libraries VALUES (?, ?, ?)",
                        (name, files_key, json.dumps(papers, ensure_ascii=False)))

    def asked(self, service: str, arxiv_ids: Sequence[str]) -> dict[str, tuple[datetime, bool]]:
        """{arxiv id: (when last asked, whether it was found)} of those ever asked."""
        return {arxiv_id: (parse_time(asked), bool(known))
                for arxiv_id, asked, known in by_ids(
                    self.db, "SELECT arxiv_id, asked, found FROM watch_lookups WHERE service = ? "
                    "AND arxiv_id IN ({ids})", arxiv_ids, (service,))}

    def record(self, service: str, answers: dict[str, bool], now: datetime) -> None:
        """Remember that these ids were asked now, and whether each was found."""
        self.db.executemany("INSERT OR REPLACE INTO watch_lookups VALUES (?, ?, ?, ?)",
                            [(service, arxiv_id, format_time(now), int(known))
                             for arxiv_id, known in answers.items()])

    def listed_since(self, entry_ids: Sequence[str], since: datetime,
                     lookup_sources: Sequence[str]) -> set[str]:
        """The entries some source other than the lookups listed at `since` or later."""
        return {row[0] for row in by_ids(
            self.db, "SELECT DISTINCT entry_id FROM entry_sources WHERE last_seen >= ? AND "
            f"source NOT IN ({','.join('?' * len(lookup_sources))}) AND entry_id IN ({{ids}})",
            entry_ids, (format_time(since), *lookup_sources))}
