"""SQLite history of every entry ever seen: merge, first-seen, content hash, topics, selection."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from feedmaker.errors import FeedmakerError, LockedError
from feedmaker.model import LINK_KINDS, Entry

SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,            -- JSON of the entry's fields other than its dates
    content_hash TEXT NOT NULL,    -- of title, summary and authors: what `updated` follows
    published TEXT NOT NULL,       -- the paper's date, else first_seen
    date_known INTEGER NOT NULL,   -- 1 when `published` came from a source
    updated TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    tag_key TEXT                   -- fingerprint of the rules its topics were computed with
);
CREATE INDEX IF NOT EXISTS entries_newest ON entries (published DESC, id DESC);
CREATE INDEX IF NOT EXISTS entries_last_seen ON entries (last_seen);
CREATE INDEX IF NOT EXISTS entries_untagged ON entries (id) WHERE tag_key IS NULL;
CREATE TABLE IF NOT EXISTS entry_topics (
    topic TEXT NOT NULL,
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    published TEXT NOT NULL,
    PRIMARY KEY (topic, entry_id)
);
CREATE INDEX IF NOT EXISTS entry_topics_newest
    ON entry_topics (topic, published DESC, entry_id DESC);
-- retag, topics_of and the cascade on prune find an entry's topics by entry_id.
CREATE INDEX IF NOT EXISTS entry_topics_entry ON entry_topics (entry_id);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,             -- validators are only sent to the URL they came from
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    counts TEXT NOT NULL           -- JSON list: entries per good fetch, newest last
);
CREATE TABLE IF NOT EXISTS fragments (
    entry_id TEXT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
    key TEXT NOT NULL,             -- digest of everything the fragment was rendered from
    xml BLOB NOT NULL              -- the entry's serialized, validated <entry> element
);
"""
# Entries tagged between two progress reports.
PROGRESS_STEP = 1000
# How many past counts a source's usual count is the median of.
COUNTS_KEPT = 7
_ENTRY_COLUMNS = "id, data, published, updated, first_seen"


class StoreError(FeedmakerError):
    """The state store cannot be opened or is not a feedmaker store."""


@dataclass
class MergeResult:
    """What one merge did: entries new to the store, and stored entries whose content changed."""

    new: int = 0
    updated: int = 0
    seen: int = 0


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with a `Z` and no fraction: sorts as text in time order."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """The inverse of `format_time` (fromisoformat: strptime costs 20x more per call)."""
    return datetime.fromisoformat(text)


def content_hash(entry: Entry) -> str:
    """Hash of what readers show as the entry's content: title, summary, authors."""
    payload = json.dumps([entry.title, entry.summary, list(entry.authors)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@contextmanager
def run_lock(state_path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the state store, or raise LockedError at once."""
    lock_path = state_path.with_name(state_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"another feedmaker run holds {lock_path}; not starting") from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock, also when the process dies


class Store:
    """The history of entries, one SQLite file. Use as a context manager."""

    def __init__(self, path: Path, now: datetime) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('created', ?)",
                            (format_time(now),))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the state store: {exc}") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside rolls every change back."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @property
    def created(self) -> datetime:
        """When this store was first created: the `updated` of a feed with no entries."""
        return parse_time(self.db.execute("SELECT value FROM meta WHERE key='created'")
                          .fetchone()[0])

    def merge(self, entries: Iterable[Entry], now: datetime) -> MergeResult:
        """Add new entries and fold re-seen ones into what is stored.

        A re-seen entry keeps its id, first-seen time and published date; `updated`
        moves to `now` only when its title, summary or authors change.
        """
        result = MergeResult()
        stamp = format_time(now)
        for entry in entries:
            result.seen += 1
            row = self.db.execute("SELECT data, content_hash, published, date_known, updated "
                                  "FROM entries WHERE id = ?", (entry.id,)).fetchone()
            if row is None:
                published = format_time(entry.published) if entry.published else stamp
                self.db.execute(
                    "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    (entry.id, _encode(entry), content_hash(entry), published,
                     int(entry.published is not None), published, stamp, stamp))
                result.new += 1
                continue
            data, old_hash, published, date_known, updated = row
            merged = merge_entries(_decode(entry.id, data), entry)
            new_hash = content_hash(merged)
            if not date_known and entry.published is not None:
                published, date_known = format_time(entry.published), 1
            if new_hash != old_hash:
                updated = max(stamp, published)
                result.updated += 1
            self.db.execute(
                "UPDATE entries SET data = ?, content_hash = ?, published = ?, date_known = ?, "
                "updated = ?, last_seen = ?, tag_key = CASE WHEN ? THEN NULL ELSE tag_key END "
                "WHERE id = ?",
                (_encode(merged), new_hash, published, date_known, updated, stamp,
                 new_hash != old_hash, entry.id))
        return result

    def retag(self, tag, fingerprint: str,
              progress: Callable[[int, int], None] | None = None) -> int:
        """Compute topics with `tag(entry)` for entries tagged by other rules or not yet.

        When the rules change, every entry is marked untagged once; after that only new
        and changed entries are read, through a partial index, whatever the history size.
        `progress(done, total)` is told every 1,000 entries when there are more than that.
        """
        if self._meta("tag_key") != fingerprint:
            self.db.execute("UPDATE entries SET tag_key = NULL")
            self._set_meta("tag_key", fingerprint)
        rows = self.db.execute(f"SELECT {_ENTRY_COLUMNS} FROM entries "
                               "WHERE tag_key IS NULL").fetchall()
        for number, row in enumerate(rows, 1):
            if progress and len(rows) > PROGRESS_STEP and number % PROGRESS_STEP == 0:
                progress(number, len(rows))
            entry = _entry_from_row(row)
            self.db.execute("DELETE FROM entry_topics WHERE entry_id = ?", (entry.id,))
            self.db.executemany("INSERT INTO entry_topics VALUES (?, ?, ?)",
                                [(topic, entry.id, row[2]) for topic in tag(entry)])
            self.db.execute("UPDATE entries SET tag_key = ? WHERE id = ?", (fingerprint, entry.id))
        if progress and len(rows) > PROGRESS_STEP:
            progress(len(rows), len(rows))
        return len(rows)

    def newest(self, limit: int, topic: str | None = None, since: datetime | None = None,
               memo: dict[str, Entry] | None = None) -> list[Entry]:
        """The `limit` newest entries (by published date), of one topic or of all,
        published at `since` or later when given. Entries already in `memo` (by id) are
        not decoded again, and the others are added to it."""
        oldest = format_time(since) if since else ""
        if topic is None:
            rows = self.db.execute(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE published >= ? "
                                   "ORDER BY published DESC, id DESC LIMIT ?", (oldest, limit))
        else:
            columns = ", ".join("e." + c.strip() for c in _ENTRY_COLUMNS.split(","))
            rows = self.db.execute(
                f"SELECT {columns} FROM entry_topics t JOIN entries e ON e.id = t.entry_id "
                "WHERE t.topic = ? AND t.published >= ? "
                "ORDER BY t.published DESC, t.entry_id DESC LIMIT ?", (topic, oldest, limit))
        if memo is None:
            return [_entry_from_row(row) for row in rows]
        found = []
        for row in rows:
            entry = memo.get(row[0])
            if entry is None:
                entry = memo[row[0]] = _entry_from_row(row)
            found.append(entry)
        return found

    def prune(self, keep: Iterable[str], unseen_since: datetime) -> int:
        """Delete the entries no feed shows that no source has listed since `unseen_since`.

        Entries still on a source page are kept even when no feed shows them, so a
        listing that keeps an old paper does not make it new again on every run.
        """
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM kept")
        self.db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((i,) for i in keep))
        # Rendered entries are kept only while a feed shows them.
        self.db.execute("DELETE FROM fragments WHERE entry_id NOT IN (SELECT id FROM kept)")
        return self.db.execute(
            "DELETE FROM entries WHERE last_seen < ? AND id NOT IN (SELECT id FROM kept)",
            (format_time(unseen_since),)).rowcount

    def topics_of(self, entry_ids: Iterable[str]) -> dict[str, list[str]]:
        """The stored topics of each given entry."""
        ids = list(entry_ids)
        found: dict[str, list[str]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for entry_id, topic in self.db.execute(
                    f"SELECT entry_id, topic FROM entry_topics WHERE entry_id IN ({marks})",
                    chunk):
                found[entry_id].append(topic)
        return found

    def source_validators(self, name: str, url: str) -> tuple[str | None, ...] | None:
        """ETag, Last-Modified and body hash of the source's last good fetch of `url`."""
        row = self.db.execute("SELECT etag, last_modified, body_hash FROM sources "
                              "WHERE name = ? AND url = ?", (name, url)).fetchone()
        return tuple(row) if row else None

    def usual_count(self, name: str) -> int | None:
        """The median number of entries the source gave on its recent good fetches."""
        row = self.db.execute("SELECT counts FROM sources WHERE name = ?", (name,)).fetchone()
        counts = sorted(json.loads(row[0])) if row else []
        return counts[len(counts) // 2] if counts else None

    def record_source(self, name: str, url: str, validators: tuple[str | None, ...] | None,
                      count: int | None) -> None:
        """Remember a good fetch: its validators, and its entry count (None: not counted)."""
        row = self.db.execute("SELECT counts FROM sources WHERE name = ?", (name,)).fetchone()
        counts = json.loads(row[0]) if row else []
        if count is not None:
            counts = (counts + [count])[-COUNTS_KEPT:]
        etag, last_modified, body = validators or (None, None, None)
        self.db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?)",
                        (name, url, etag, last_modified, body, json.dumps(counts)))

    def fragments(self, entry_ids: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """The cached rendered entries of these ids: {id: (key, xml)}."""
        ids = list(entry_ids)
        found = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for entry_id, key, xml in self.db.execute(
                    f"SELECT entry_id, key, xml FROM fragments WHERE entry_id IN ({marks})",
                    chunk):
                found[entry_id] = (key, xml)
        return found

    def save_fragments(self, fragments: dict[str, tuple[str, bytes]]) -> None:
        """Cache rendered entries (see `fragments`)."""
        self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
                            [(i, key, xml) for i, (key, xml) in fragments.items()])

    def published(self) -> dict | None:
        """What the last run that finished writing its files left: see pipeline."""
        value = self._meta("published")
        return json.loads(value) if value else None

    def set_published(self, value: dict | None) -> None:
        """Record (or, with None, forget) the last finished publication."""
        self._set_meta("published", json.dumps(value))

    def output_records(self) -> dict[str, list]:
        """What each output file was made from when last written: fingerprint, size, mtime."""
        return json.loads(self._meta("outputs") or "{}")

    def save_output_records(self, records: dict[str, list]) -> None:
        """Remember the output files just written (see `output_records`)."""
        self._set_meta("outputs", json.dumps(records, sort_keys=True))

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get(self, entry_id: str) -> Entry | None:
        """One stored entry by its id, or None."""
        row = self.db.execute(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?",
                              (entry_id,)).fetchone()
        return _entry_from_row(row) if row else None

    def count(self) -> int:
        """How many entries the store holds."""
        return self.db.execute("SELECT count(*) FROM entries").fetchone()[0]


def merge_entries(old: Entry, new: Entry) -> Entry:
    """The union of what two sightings of one paper know; the newer wins where both know."""
    keep_old_summary = old.summary and (not new.summary or
                                        (old.summary_is_abstract and not new.summary_is_abstract))
    links = dict(old.links) | dict(new.links)
    return replace(
        old,
        title=new.title or old.title,
        summary=old.summary if keep_old_summary else new.summary,
        summary_is_abstract=old.summary_is_abstract if keep_old_summary
        else new.summary_is_abstract,
        authors=new.authors or old.authors,
        links=tuple((kind, links[kind]) for kind in LINK_KINDS if kind in links),
        categories=tuple(dict.fromkeys(old.categories + new.categories)),
        upvotes=new.upvotes if new.upvotes is not None else old.upvotes,
        arxiv_id=old.arxiv_id or new.arxiv_id,
    )


def _encode(entry: Entry) -> str:
    return json.dumps({
        "title": entry.title, "summary": entry.summary,
        "summary_is_abstract": entry.summary_is_abstract, "url": entry.url,
        "arxiv_id": entry.arxiv_id, "authors": entry.authors, "links": entry.links,
        "categories": entry.categories, "upvotes": entry.upvotes, "source": entry.source,
    }, ensure_ascii=False, separators=(",", ":"))


def _decode(entry_id: str, data: str, published: datetime | None = None,
            updated: datetime | None = None, first_seen: datetime | None = None) -> Entry:
    fields = json.loads(data)
    return Entry(id=entry_id, title=fields["title"], url=fields["url"], source=fields["source"],
                 arxiv_id=fields["arxiv_id"], summary=fields["summary"],
                 summary_is_abstract=fields["summary_is_abstract"],
                 authors=tuple(fields["authors"]),
                 links=tuple(tuple(link) for link in fields["links"]),
                 categories=tuple(fields["categories"]), upvotes=fields["upvotes"],
                 published=published, updated=updated, first_seen=first_seen)


def _entry_from_row(row) -> Entry:
    entry_id, data, published, updated, first_seen = row
    return _decode(entry_id, data, parse_time(published), parse_time(updated),
                   parse_time(first_seen))
