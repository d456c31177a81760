"""How the store keeps a paper in its rows: the columns, the times as text, the JSON of its
fields, reading rows back into Entry objects, and asking for the rows of many ids."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import UTC, datetime

from feedmaker.model import STORE, Entry

# An entry's columns, of the entries table named `e`.
ENTRY_COLUMNS = "e.id, e.data, e.published, e.updated, e.first_seen"


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with a `Z` and no fraction: sorts as text in time order."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class DamagedRow(sqlite3.DatabaseError):
    """A value in the store that feedmaker never writes (a time that is not one, JSON that
    does not read): the store was edited or damaged. An SQLite error, so that it is told
    like the others (see `store_error`)."""


def parse_time(text: str) -> datetime:
    """The inverse of `format_time` (fromisoformat: strptime costs 20x more per call)."""
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise DamagedRow(f"{shown(text)} where a time belongs") from None


def loads(text: str) -> object:
    """The value of a JSON column."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):  # NULL, a number, bytes or text that is no JSON
        raise DamagedRow(f"{shown(text)} where JSON belongs") from None


def shown(value: object) -> str:
    """A stored value as a damaged store's message quotes it: its first 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@functools.cache
def stored_fields(cls: type[Entry]) -> tuple:
    """The fields kept in the `data` JSON: all but `id` and the dates, which have columns."""
    return tuple(f for f in fields(cls) if f.name != "id" and f.metadata["merge"] != STORE)


def encode(entry: Entry) -> str:
    """The entry's JSON for the `data` column."""
    return json.dumps({f.name: getattr(entry, f.name) for f in stored_fields(type(entry))},
                      ensure_ascii=False, separators=(",", ":"))


def decode(entry_id: str, data: str, cls: type[Entry] = Entry, **dates: datetime) -> Entry:
    """An Entry from its `data` JSON and the `dates` given (published, updated, first_seen);
    a field the JSON lacks (added since) takes its default."""
    if not isinstance(entry_id, str):
        raise DamagedRow(f"{shown(entry_id)} where the id of a paper belongs")
    stored = loads(data)
    if not isinstance(stored, dict):
        raise DamagedRow(f"{shown(data)} where the JSON of a paper belongs")
    values = {f.name: _tupled(stored[f.name]) if isinstance(f.default, tuple) else stored[f.name]
              for f in stored_fields(cls) if f.name in stored}
    return cls(id=entry_id, **dates, **values)


def _tupled(value: object) -> object:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def entry_from_row(row: tuple) -> Entry:
    """An Entry from a row of ENTRY_COLUMNS."""
    entry_id, data, published, updated, first_seen = row
    return decode(entry_id, data, published=parse_time(published),
                  updated=parse_time(updated), first_seen=parse_time(first_seen))


def decoded(rows: Iterable[tuple], memo: dict[str, Entry] | None = None) -> list[Entry]:
    """Entries from rows of ENTRY_COLUMNS; those already in `memo` (by id) are not decoded
    again, and the others are added to it (a paper shows in several feeds)."""
    memo = {} if memo is None else memo
    found = []
    for row in rows:
        if row[0] not in memo:
            memo[row[0]] = entry_from_row(row)
        found.append(memo[row[0]])
    return found


def by_ids(db: sqlite3.Connection, sql: str, ids: Iterable[str],
           params: tuple = ()) -> Iterator[tuple]:
    """The rows of `sql` for `ids`: its `{ids}` stands for their placeholders, after those
    of `params`. Asked 500 ids at a time: few enough for one `IN (...)` of SQLite."""
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        yield from db.execute(sql.format(ids=",".join("?" * len(chunk))), (*params, *chunk))
