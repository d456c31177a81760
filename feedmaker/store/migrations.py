"""The state store's schema as numbered migrations, each applied once and recorded in the file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from feedmaker.store.history import content_hash
from feedmaker.store.rows import DamagedRow, decode


@dataclass(frozen=True)
class Migration:
    """One step of the schema: SQL, then for data moves a function of the connection."""

    number: int
    name: str
    apply: str = ""
    then: Callable[[sqlite3.Connection], None] | None = None


def _move_meta_into_tables(db: sqlite3.Connection) -> None:
    # Before: the source that first listed a paper in its JSON, output records as one JSON
    # value in `meta`. After: every source that listed it, one row per output file.
    db.execute("INSERT OR IGNORE INTO entry_sources SELECT id, json_extract(data, '$.source'), "
               "first_seen, last_seen FROM entries")
    row = db.execute("SELECT value FROM meta WHERE key = 'outputs'").fetchone()
    for name, record in (json.loads(row[0]) if row else {}).items():
        db.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?)", (name, *record))
    # Topics are now keyed by the fields they read; computing them once again is the cheap
    # way to get every entry its key.
    db.execute("DELETE FROM meta WHERE key IN ('outputs', 'tag_key', 'schema')")


def _rehash_contents(db: sqlite3.Connection) -> None:
    # What readers see as an entry's content now includes its links, picture and notes:
    # the stored hashes are made again with that definition, so no paper looks edited.
    rows = db.execute("SELECT id, data FROM entries").fetchall()
    db.executemany("UPDATE entries SET content_hash = ? WHERE id = ?",
                   [(content_hash(decode(entry_id, data)), entry_id) for entry_id, data in rows])


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "history, topics, sources and rendered entries", """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,            -- JSON of the entry's fields other than its dates
    content_hash TEXT NOT NULL,    -- of what readers see as its content: `updated` follows it
    published TEXT NOT NULL,       -- the paper's date, else first_seen
    date_known INTEGER NOT NULL,   -- 1 when `published` came from a source
    updated TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    tag_key TEXT                   -- digest of the rules and the fields its topics were made from
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
"""),
    Migration(2, "every source of an entry; output records as a table", """
CREATE TABLE entry_sources (
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (entry_id, source)
);
CREATE INDEX entry_sources_source ON entry_sources (source, entry_id);
CREATE TABLE outputs (
    name TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,     -- digest of what the file was made from
    size INTEGER NOT NULL,         -- size and mtime when written: a file changed by
    mtime_ns INTEGER NOT NULL      -- someone else is written again
);
"""),
    Migration(3, "move source and output records out of meta", then=_move_meta_into_tables),
    Migration(4, "topics with their scores and the best one marked; views", """
DROP TABLE entry_topics;
CREATE TABLE entry_topics (
    name TEXT NOT NULL,            -- the topic's slug
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    published TEXT NOT NULL,
    score REAL NOT NULL,           -- the points the paper scored for the topic
    best INTEGER NOT NULL,         -- 1 for the entry's best-scoring topic (one per entry)
    PRIMARY KEY (name, entry_id)
);
CREATE INDEX entry_topics_newest ON entry_topics (name, published DESC, entry_id DESC);
CREATE INDEX entry_topics_entry ON entry_topics (entry_id);
UPDATE entries SET tag_key = NULL;
ALTER TABLE entries ADD COLUMN view_key TEXT;
CREATE INDEX entries_unviewed ON entries (id) WHERE view_key IS NULL;
CREATE TABLE entry_views (
    name TEXT NOT NULL,            -- the view's slug
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    published TEXT NOT NULL,
    PRIMARY KEY (name, entry_id)
);
CREATE INDEX entry_views_newest ON entry_views (name, published DESC, entry_id DESC);
CREATE INDEX entry_views_entry ON entry_views (entry_id);
"""),
    Migration(5, "a source's usual count belongs to its settings; counts it was failed for", """
ALTER TABLE sources ADD COLUMN settings TEXT;   -- digest of type, url and options
ALTER TABLE sources ADD COLUMN rejected TEXT NOT NULL DEFAULT '[]';  -- JSON: counts refused
"""),
    Migration(6, "like views: libraries, models, looked-up papers, scores", """
CREATE TABLE like_libraries (
    name TEXT PRIMARY KEY,         -- the view's slug
    files_key TEXT NOT NULL,       -- digest of the library files' bytes, as last read
    fingerprint TEXT NOT NULL,     -- of the papers read from them (feedmaker.like.refit)
    papers TEXT NOT NULL           -- JSON: the papers read from them
);
CREATE TABLE like_models (
    name TEXT PRIMARY KEY,
    inputs TEXT NOT NULL,          -- JSON: what the model was fitted on (feedmaker.like.refit)
    model BLOB NOT NULL
);
CREATE TABLE like_lookups (
    arxiv_id TEXT PRIMARY KEY,     -- a library paper known by id: what arXiv said of it
    title TEXT,                    -- NULL when arXiv does not know the id
    summary TEXT
);
CREATE TABLE like_scores (
    name TEXT NOT NULL,
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    published TEXT NOT NULL,
    score REAL NOT NULL,
    closest TEXT,                  -- the title of the library paper it is most like
    member INTEGER NOT NULL,       -- 1 once in the view (it stays), -1 never (the library's)
    PRIMARY KEY (name, entry_id)
);
CREATE INDEX like_scores_members ON like_scores (name, member, published DESC, entry_id DESC);
CREATE INDEX like_scores_entry ON like_scores (entry_id);
"""),
    Migration(7, "topic terms, source status, page pieces; content hashes with links", """
-- A JSON list of the words that hit; NULL for entries tagged before terms were kept.
ALTER TABLE entry_topics ADD COLUMN terms TEXT;
CREATE TABLE source_status (
    name TEXT PRIMARY KEY,
    last_attempt TEXT NOT NULL,
    last_success TEXT,             -- the source answered (new entries or "not modified")
    failing_since TEXT,            -- the first failed attempt since the last success
    last_error TEXT,               -- NULL when the last attempt succeeded
    entries_seen INTEGER           -- entries its last full read gave
);
CREATE TABLE page_fragments (
    entry_id TEXT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
    key TEXT NOT NULL,             -- digest of everything the piece was rendered from
    html BLOB NOT NULL             -- the entry's item in a web page
);
""", then=_rehash_contents),
    Migration(8, "files written instead of rendered pieces; view status", """
DROP TABLE fragments;
DROP TABLE page_fragments;
CREATE TABLE written_files (
    name TEXT PRIMARY KEY,         -- a file of out_dir that feedmaker wrote
    sha256 TEXT                    -- of its bytes as written; NULL: written by an older release
);
INSERT INTO written_files SELECT name, NULL FROM outputs;
DROP TABLE outputs;
DELETE FROM meta WHERE key = 'published';
CREATE TABLE view_status (
    name TEXT PRIMARY KEY,
    last_attempt TEXT NOT NULL,
    last_success TEXT,
    failing_since TEXT,
    last_error TEXT,
    entries_seen INTEGER
);
"""),
    # Like views count the papers first seen since their fit on every run: without an
    # index that reads every paper of the history.
    Migration(9, "an index of when each paper was first seen", """
CREATE INDEX entries_first_seen ON entries (first_seen);
"""),
    Migration(10, "paper news: events, facts each source reported, watched papers", """
-- The feedmaker.events BITS each source last showed of a paper (NULL: not kept yet).
ALTER TABLE entry_sources ADD COLUMN facts INTEGER;
-- 1 for a paper known only from watch lookups: only news views show it.
ALTER TABLE entries ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN watch_key TEXT;
CREATE INDEX entries_unwatched ON entries (id) WHERE watch_key IS NULL;
CREATE TABLE entry_events (
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    key TEXT NOT NULL,             -- "v3", "published", "accepted", "code", "popular-20"...
    kind TEXT NOT NULL,            -- version, published, accepted, code, project, popular
    seen TEXT NOT NULL,            -- when it was first seen
    detail TEXT NOT NULL,          -- JSON: what changed
    PRIMARY KEY (entry_id, key)
);
CREATE INDEX entry_events_newest ON entry_events (seen DESC, entry_id DESC);
CREATE TABLE entry_watched (
    name TEXT NOT NULL,            -- a news view's slug
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    published TEXT NOT NULL,
    PRIMARY KEY (name, entry_id)
);
CREATE INDEX entry_watched_entry ON entry_watched (entry_id);
CREATE TABLE watch_libraries (
    name TEXT PRIMARY KEY,         -- a news view's slug
    files_key TEXT NOT NULL,       -- digest of its watch files' bytes, as last read
    papers TEXT NOT NULL           -- JSON: [arxiv id, doi, title] of each paper read
);
CREATE TABLE watch_lookups (
    service TEXT NOT NULL,         -- "arxiv" or "hf"
    arxiv_id TEXT NOT NULL,
    asked TEXT NOT NULL,           -- when last asked (and answered)
    found INTEGER NOT NULL,        -- 1 when the service knew the paper
    PRIMARY KEY (service, arxiv_id)
);
"""),
    Migration(11, "a source's validators belong to the way it was read", """
-- Digest of the source's settings and of the code that read it: validators of another
-- reading are not sent (else a changed selector or a new release would wait for new bytes).
ALTER TABLE sources ADD COLUMN reader TEXT;
"""),
)
LATEST = MIGRATIONS[-1].number


def applied(db: sqlite3.Connection) -> int:
    """The number of the last migration applied to the file (0 for a new file)."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'migrations'").fetchone():
        return 0
    done = db.execute("SELECT coalesce(max(number), 0) FROM migrations").fetchone()[0]
    if not isinstance(done, int):  # a table of migrations edited by hand
        raise DamagedRow(f"a migration numbered {done!r}")
    return done


def migrate(db: sqlite3.Connection, stamp: str) -> None:
    """Apply the migrations the file lacks, all or nothing (see `all_or_nothing`): a file
    one of them fails on (a table dropped by hand, say) is left as it was."""
    with all_or_nothing(db):
        db.execute("CREATE TABLE IF NOT EXISTS migrations "
                   "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)")
        done = applied(db)
        for migration in MIGRATIONS:
            if migration.number <= done:
                continue
            # Statement by statement: executescript would end the transaction it runs in.
            pending = ""
            for line in migration.apply.splitlines(keepends=True):
                pending += line
                if sqlite3.complete_statement(pending):
                    db.execute(pending)
                    pending = ""
            if pending.strip():  # a last statement without its ";"
                db.execute(pending)
            if migration.then:
                migration.then(db)
            db.execute("INSERT INTO migrations VALUES (?, ?, ?)",
                       (migration.number, migration.name, stamp))


@contextmanager
def all_or_nothing(db: sqlite3.Connection) -> Iterator[None]:
    """A transaction of its own or, when the caller holds one (a dry run's, which rolls
    everything back), a savepoint of it: a failure inside undoes this part only, and the
    rest of the caller's transaction goes on."""
    nested = db.in_transaction
    db.execute("SAVEPOINT part" if nested else "BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:  # SQLite ends it itself on some errors (disk full)
            db.execute("ROLLBACK TO part" if nested else "ROLLBACK")
            if nested:
                db.execute("RELEASE part")
        raise
    db.execute("RELEASE part" if nested else "COMMIT")
