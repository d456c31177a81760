"""The state store as one self-contained file: a complete copy of a live store to commit, and
the check that a file is a sound feedmaker state store before a run may use it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from feedmaker.errors import StoreError
from feedmaker.store import run_lock, store_error

NOT_SAVED = "not saving it: the branch keeps the last state saved"


def copy(state: Path, target: Path) -> None:
    """Write a complete copy of the store at `state` to `target`, checked.

    A run leaves the store in WAL mode, where committed pages may still sit in the
    `-wal` file beside it; VACUUM INTO writes one file holding all of them (and nothing
    of the free pages), under the run lock so no run writes meanwhile.
    """
    target.unlink(missing_ok=True)
    with run_lock(state):
        try:
            with closing(sqlite3.connect(state, isolation_level=None)) as db:
                db.execute("VACUUM INTO ?", (str(target),))
        except sqlite3.Error as exc:
            raise StoreError(f"{store_error(state, exc)}; {NOT_SAVED}") from exc
    problem = check(target)
    if problem:
        raise StoreError(f"{state}: {problem}; {NOT_SAVED}")


def check(path: Path) -> str | None:
    """What is wrong with the state store at `path`, in words, or None when it is sound: an
    SQLite database that passes its integrity check and holds feedmaker's tables.

    The file is opened immutable: nothing else uses it, and nothing (no -wal, no -shm) is
    written beside it."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True,
                                     isolation_level=None)) as db:
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            verdict = [row[0] for row in db.execute("PRAGMA integrity_check(3)")]
    except sqlite3.Error as exc:
        return str(store_error(path, exc)).removeprefix(f"{path}: ")
    if verdict != ["ok"]:
        return f"the state store is damaged (SQLite: {'; '.join(verdict)})"
    if not tables & {"meta", "migrations"}:
        return "not a feedmaker state store (it holds none of feedmaker's tables)"
    return None
