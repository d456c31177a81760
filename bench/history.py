"""Build a large state store for the benchmarks in minutes: the papers written in bulk, their
topics and views computed by feedmaker's own derivations, once per distinct text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from feedmaker import derive, like
from feedmaker.config import Config
from feedmaker.model import Entry
from feedmaker.store import Store, format_time
from feedmaker.store.history import content_hash
from feedmaker.store.rows import encode

BATCH = 20_000


def build(path, config: Config, papers: Iterable[Entry], seen: datetime,
          text_of: Callable[[Entry], object],
          log: Callable[[str], None] = lambda message: None) -> None:
    """A store at `path` holding `papers`, all first and last seen at `seen`, tagged, placed
    in the config's views and scored by its like views, as runs would leave it.

    `text_of(entry)` names what a paper's topics and views depend on: papers of one text
    (the synthetic history repeats a few thousand texts) get the rows computed for the
    first of them. Each paper's own key is computed, so a run sees nothing stale; `build`
    checks that with a refresh that must find nothing to do.
    """
    with Store(path, seen) as store, store.transaction():
        added = _insert(store, papers, seen)
        log(f"wrote {added:,} papers")
        topics = derive.Topics(config, store, seen)
        store.topics.refresh(derive.tagging_key(config), _Once(topics, text_of), seen)
        log("tagged them")
        views = derive.Views(config, store)
        store.views.refresh(views.rules, _Once(views, text_of), seen)
        log("placed them in views")
        assert derive.refresh_topics(config, store, seen) == 0, "a paper's topics are stale"
        outcome = like.LikeStep(store, seen, None).refresh(config.like_views)
        assert not outcome.failures, outcome.failures
        log("scored the like views")


def _insert(store: Store, papers: Iterable[Entry], seen: datetime) -> int:
    """Write new papers in bulk, as History.merge writes a paper it has not seen."""
    stamp, count, batch = format_time(seen), 0, []
    for entry in papers:
        published = format_time(entry.published) if entry.published else stamp
        batch.append((entry.id, encode(entry), content_hash(entry), published,
                      int(entry.published is not None), published, stamp, stamp, entry.source))
        if len(batch) == BATCH:
            count += _write(store, batch)
            batch = []
    return count + _write(store, batch)


def _write(store: Store, rows: list[tuple]) -> int:
    store.db.executemany(
        "INSERT INTO entries (id, data, content_hash, published, date_known, updated, "
        "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [row[:8] for row in rows])
    store.db.executemany("INSERT INTO entry_sources (entry_id, source, first_seen, last_seen) "
                         "VALUES (?, ?, ?, ?)", [(row[0], row[8], row[6], row[7])
                                                 for row in rows])
    return len(rows)


class _Once:
    """A derivation whose rows are computed once per text (each paper keeps its own key)."""

    def __init__(self, derivation, text_of: Callable[[Entry], object]) -> None:
        self.derivation, self.text_of = derivation, text_of
        self.rows_of: dict[object, list[tuple]] = {}

    def prepare(self, entries: list[Entry]) -> None:
        self.derivation.prepare(entries)

    def key(self, entry: Entry) -> str:
        return self.derivation.key(entry)

    def rows(self, entry: Entry) -> list[tuple]:
        text = self.text_of(entry)
        if text not in self.rows_of:
            self.rows_of[text] = list(self.derivation.rows(entry))
        return self.rows_of[text]
