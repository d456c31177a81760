"""What a run derives from the history: each paper's topics (the tagger's verdict, with the
best-scoring one marked), then the views it is in."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from feedmaker.config import Config
from feedmaker.model import Entry
from feedmaker.outputs import digest
from feedmaker.store import Store, format_time
from feedmaker.store.memberships import inputs_key
from feedmaker.tagger import Tagger, rules_fingerprint
from feedmaker.tagger.reasons import topic_terms
from feedmaker.views import ViewTagger


def refresh_topics(config: Config, store: Store, now: datetime,
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Tag the entries whose topics may have changed; returns how many were tagged.

    Each topic keeps the terms that put the paper there (see tagger.reasons). A paper seen
    before this run whose topics, or those terms, change is updated: its entry shows them.
    """
    rules = rules_fingerprint(config.topics)
    # Compiled only when some entry needs tagging: an unchanged run never pays for it.
    tagger = functools.cache(lambda: Tagger(config.topics))
    stamp = format_time(now)
    before: dict[str, dict[str, object]] = {}  # the terms kept for papers seen before

    def prepare(entries: list[Entry]) -> None:
        before.update(store.topics.values_of(
            [e.id for e in entries if e.first_seen and format_time(e.first_seen) != stamp],
            "terms"))

    def compute(entry: Entry) -> list[tuple[str, float, int, str]]:
        scored = tagger().scored(entry)
        terms = topic_terms(tagger(), entry, [slug for slug, _ in scored])
        if entry.id in before and shown_differently(stored_terms(before[entry.id]), terms):
            store.history.touch(entry.id, now)
        return [(slug, score, best, json.dumps(terms[slug]))
                for slug, score, best in best_marked(scored)]

    return store.topics.refresh(
        rules, lambda entry: inputs_key(rules, _values(entry, Tagger.READS)), compute, now,
        progress, prepare)


def stored_terms(values: Mapping[str, object]) -> dict[str, tuple[str, ...] | None]:
    """The terms column of an entry's topics, decoded: None where it was never kept."""
    return {name: None if value is None else tuple(json.loads(value))
            for name, value in values.items()}


def shown_differently(before: Mapping[str, tuple[str, ...] | None],
                      after: Mapping[str, Sequence[str]]) -> bool:
    """Whether an entry's topics, or the terms shown for them, changed. Terms not known
    before (tagged by an older feedmaker) are no change: nothing showed them."""
    if set(before) != set(after):
        return True
    return any(before[topic] is not None and before[topic] != tuple(after[topic])
               for topic in after)


def best_marked(scored: Sequence[tuple[str, float]]) -> list[tuple[str, float, int]]:
    """(slug, score, best) rows: best is 1 for the highest score, the first on a tie."""
    best = max(scored, key=lambda pair: pair[1])[0] if scored else None
    return [(slug, score, int(slug == best)) for slug, score in scored]


def refresh_views(config: Config, store: Store, now: datetime,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Place the entries whose views may have changed; returns how many were looked at."""
    # Views read topics: new topic rules may move any paper in or out of a view.
    rules = digest((rules_fingerprint(config.topics), config.views))
    views = functools.cache(lambda: ViewTagger(config.views))
    topics: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = {}

    def prepare(entries: list[Entry]) -> None:
        ids = [entry.id for entry in entries]
        topics.update(store.topics.of(ids))
        sources.update(store.history.sources_of(ids))

    def key_of(entry: Entry) -> str:
        return inputs_key(rules, [*_values(entry, ViewTagger.READS), sorted(topics[entry.id]),
                                  sources[entry.id]])

    def compute(entry: Entry) -> list[tuple[str]]:
        return [(slug,) for slug in views().evaluate(entry, topics[entry.id], sources[entry.id])]

    return store.views.refresh(rules, key_of, compute, now, progress, prepare)


def _values(entry: Entry, reads: Sequence[str]) -> list[object]:
    # The date is read too: it orders the feeds.
    return [getattr(entry, name) for name in reads] + [entry.published]
