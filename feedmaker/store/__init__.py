"""The state store, one SQLite file: the history of every paper (`history`), their topics
and views (`topics`, `views`, `likes`), what is known of each source (`sources`), the health
of sources and views, and the files feedmaker wrote (`written`).

Runs open it read-write under the run lock, and bring its schema up to date with numbered
migrations; a dry run does the same inside a transaction it rolls back, so nothing on disk
changes; readers such as `feedmaker explain` open it read-only, and never wait for a run.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

from feedmaker.errors import InputError, LockedError, StoreError
from feedmaker.store.events import Events, Watch
from feedmaker.store.health import Health
from feedmaker.store.history import History, merge_entries
from feedmaker.store.likes import Likes
from feedmaker.store.memberships import Memberships
from feedmaker.store.migrations import LATEST, all_or_nothing, applied, migrate
from feedmaker.store.rows import DamagedRow, format_time, parse_time
from feedmaker.store.sources import SourceLog
from feedmaker.store.written import WrittenFiles

__all__ = ["Store", "StoreError", "format_time", "merge_entries", "parse_time", "run_lock",
           "store_error"]


# What SQLite says, and what it means for someone running feedmaker from cron.
_MEANINGS = {
    "file is not a database": "not a feedmaker state store (not an SQLite database)",
    "database disk image is malformed": "the state store is damaged (SQLite: database disk "
    "image is malformed); restore it from a backup, or move it away to start a new history",
    "database or disk is full": "the disk holding the state store is full",
    "attempt to write a readonly database": "cannot write the state store (read-only: check "
    "the permissions of the file and its folder)",
    "unable to open database file": "cannot open the state store (check that its folder "
    "exists and is writable)",
    "disk I/O error": "the state store could not be read or written (disk I/O error)",
    "database is locked": "the state store is busy: another program has been writing to it "
    "for 5 s (an open transaction in the sqlite3 shell, say); try again once it is done",
}


def store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """The one-line StoreError for an SQLite failure on the state store at `path`."""
    if isinstance(exc, DamagedRow):
        return StoreError(f"{path}: the state store is damaged ({exc}); restore it from a "
                          "backup, or move it away to start a new history")
    text = str(exc)
    meaning = next((m for said, m in _MEANINGS.items() if said in text), None)
    return StoreError(f"{path}: {meaning or f'cannot use the state store: {text}'}")


@contextmanager
def run_lock(state_path: Path, *, create: bool = True) -> Iterator[None]:
    """Hold an exclusive lock beside the state store, or raise LockedError at once.

    With `create` false (a dry run, which changes nothing on disk) a lock file that is not
    there is not made: no run has started beside this store, so there is none to exclude.
    """
    lock_path = state_path.with_name(state_path.name + ".lock")
    try:
        if not create and not lock_path.exists():  # exists() raises for a private folder
            fd = None
        else:
            if create:
                lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
    except OSError as exc:
        raise StoreError(f"{lock_path}: cannot open the run lock: {exc.strerror or exc} (run "
                         "feedmaker as the user that owns the state folder)") from None
    if fd is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"another feedmaker run holds {lock_path}; not starting") from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock, also when the process dies


class Store:
    """The state store; use as a context manager. `Store(path, now)` opens it for a run
    (creating and migrating it as needed); with `dry_run`, every change, the migrations'
    too, is rolled back when it closes (a store not there yet is made in memory);
    `Store.reader(path)` opens it read-only."""

    def __init__(self, path: Path, now: datetime, *, readonly: bool = False,
                 dry_run: bool = False) -> None:
        self.path, self.dry_run = path, dry_run
        try:
            if readonly:
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                          isolation_level=None, timeout=5)
            elif dry_run:
                self.db = sqlite3.connect(path if path.is_file() else ":memory:",
                                          isolation_level=None)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, isolation_level=None)
            self._check_kind(writable=not readonly)
            self.db.execute("PRAGMA foreign_keys = ON")  # a no-op inside a transaction
            if not readonly:
                # A dry run's transaction is rolled back on close.
                self.db.execute("BEGIN IMMEDIATE" if dry_run else "PRAGMA journal_mode = WAL")
                migrate(self.db, format_time(now))
                # A new store, or one made before `created` was kept, is created now.
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('created', ?)",
                                (format_time(now),))
        except sqlite3.DatabaseError as exc:
            raise store_error(path, exc) from exc
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the state store: {exc.strerror or exc}") from exc
        self.events = Events(self.db)
        self.history = History(self.db, self.events)
        self.topics = Memberships(self.db, "entry_topics", "tag_key", ("score", "best", "terms"))
        self.views = Memberships(self.db, "entry_views", "view_key")
        self.watched = Memberships(self.db, "entry_watched", "watch_key")
        self.watch = Watch(self.db)
        self.likes = Likes(self.db)
        self.sources = SourceLog(self.db)
        self.source_health = Health(self.db, "source_status")
        self.view_health = Health(self.db, "view_status")
        self.written = WrittenFiles(self.db)

    @classmethod
    def reader(cls, path: Path) -> Store:
        """The store opened read-only: it never writes, and a run holding its transaction
        does not keep it waiting."""
        try:
            found = path.is_file()
        except OSError as exc:  # its folder cannot be searched, or its name is too long
            raise StoreError(f"{path}: cannot open the state store: {exc.strerror}") from None
        if not found:
            raise InputError(f"{path}: no state store there; run `feedmaker run` first")
        return cls(path, datetime.min, readonly=True)

    def _check_kind(self, writable: bool) -> None:
        tables = {row[0] for row in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and not tables & {"meta", "migrations"}:
            raise StoreError(f"{self.path}: not a feedmaker state store (it holds the tables "
                             f"{', '.join(sorted(tables)[:5])}); point site.state elsewhere")
        done = applied(self.db)
        if done > LATEST:
            raise StoreError(f"{self.path}: written by a newer feedmaker (schema {done}; this "
                             f"one knows up to {LATEST}); upgrade feedmaker")
        if not writable and done < LATEST:
            raise StoreError(f"{self.path}: written by an older feedmaker; run `feedmaker run` "
                             "once to bring it up to date")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self.dry_run and self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.close()
        # A page found damaged only when read (by `explain`, say) is the store's fault too.
        if isinstance(exc, sqlite3.Error):
            raise store_error(self.path, exc) from exc

    def transaction(self) -> AbstractContextManager[None]:
        """All or nothing: a failure inside rolls every change back. Inside a transaction
        (a dry run's, or another of these) it is one part of it, whose failure undoes that
        part only (one view's work, say) while the rest goes on."""
        return all_or_nothing(self.db)

    @property
    def created(self) -> datetime:
        """When this store was first created: the `updated` of a feed with no entries."""
        return parse_time(self.db.execute(
            "SELECT value FROM meta WHERE key = 'created'").fetchone()[0])

    def prune(self, keep: Iterable[str], unseen_since: datetime) -> int:
        """Delete the entries no feed shows (not in `keep`) that no source has listed since
        `unseen_since`; returns how many.

        Entries still on a source page are kept even when no feed shows them, so a listing
        that keeps an old paper does not make it new again on every run.
        """
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM kept")
        self.db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((i,) for i in keep))
        return self.db.execute(
            "DELETE FROM entries WHERE last_seen < ? AND id NOT IN (SELECT id FROM kept)",
            (format_time(unseen_since),)).rowcount
