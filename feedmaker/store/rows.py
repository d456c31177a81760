"""How the store keeps a paper in its rows: the columns, the times as text, the JSON of its
fields, and reading rows back into Entry objects."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime

from feedmaker.model import STORE, Entry

ENTRY_COLUMNS = "id, data, published, updated, first_seen"
# The same, of the entries table joined as `e`.
JOINED_COLUMNS = ", ".join("e." + column for column in ENTRY_COLUMNS.split(", "))


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with a `Z` and no fraction: sorts as text in time order."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """The inverse of `format_time` (fromisoformat: strptime costs 20x more per call)."""
    return datetime.fromisoformat(text)


@functools.cache
def stored_fields(cls: type[Entry] = Entry) -> tuple:
    """The fields kept in the `data` JSON: all but `id` and the dates, which have columns."""
    return tuple(f for f in fields(cls) if f.name != "id" and f.metadata["merge"] != STORE)


def encode(entry: Entry) -> str:
    """The entry's JSON for the `data` column."""
    return json.dumps({f.name: getattr(entry, f.name) for f in stored_fields(type(entry))},
                      ensure_ascii=False, separators=(",", ":"))


def decode(entry_id: str, data: str, published: datetime | None = None,
           updated: datetime | None = None, first_seen: datetime | None = None,
           cls: type[Entry] = Entry) -> Entry:
    """An Entry from its `data` JSON; a field the JSON lacks (added since) takes its default."""
    stored = json.loads(data)
    values = {f.name: _tupled(stored[f.name]) if isinstance(f.default, tuple) else stored[f.name]
              for f in stored_fields(cls) if f.name in stored}
    return cls(id=entry_id, published=published, updated=updated, first_seen=first_seen,
               **values)


def _tupled(value: object) -> object:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def entry_from_row(row: tuple) -> Entry:
    """An Entry from a row of ENTRY_COLUMNS."""
    entry_id, data, published, updated, first_seen = row
    return decode(entry_id, data, parse_time(published), parse_time(updated),
                  parse_time(first_seen))


def decoded(rows: Iterable[tuple], memo: dict[str, Entry] | None = None) -> list[Entry]:
    """Entries from rows of ENTRY_COLUMNS; those already in `memo` (by id) are not decoded
    again, and the others are added to it (a paper shows in several feeds)."""
    if memo is None:
        return [entry_from_row(row) for row in rows]
    found = []
    for row in rows:
        entry = memo.get(row[0])
        if entry is None:
            entry = memo[row[0]] = entry_from_row(row)
        found.append(entry)
    return found


def chunks(items: list, size: int = 500) -> Iterable[list]:
    """`items` in pieces small enough for one `IN (...)` of SQLite."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
