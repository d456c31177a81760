"""What a run derives from the history: each paper's topics (the tagger's verdict, with the
best-scoring one marked), then the views it is in."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime

from feedmaker.config import Config
from feedmaker.model import Entry
from feedmaker.outputs import fingerprint
from feedmaker.store import Store
from feedmaker.store.memberships import inputs_key
from feedmaker.tagger import Tagger, rules_fingerprint
from feedmaker.views import ViewTagger


def refresh_topics(config: Config, store: Store, now: datetime,
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Tag the entries whose topics may have changed; returns how many were tagged."""
    rules = rules_fingerprint(config.topics)
    # Compiled only when some entry needs tagging: an unchanged run never pays for it.
    tagger = functools.cache(lambda: Tagger(config.topics))
    return store.topics.refresh(
        rules, lambda entry: inputs_key(rules, _values(entry, Tagger.READS)),
        lambda entry: best_marked(tagger().scored(entry)), now, progress)


def best_marked(scored: Sequence[tuple[str, float]]) -> list[tuple[str, float, int]]:
    """(slug, score, best) rows: best is 1 for the highest score, the first on a tie."""
    best = max(scored, key=lambda pair: pair[1])[0] if scored else None
    return [(slug, score, int(slug == best)) for slug, score in scored]


def refresh_views(config: Config, store: Store, now: datetime,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Place the entries whose views may have changed; returns how many were looked at."""
    # Views read topics: new topic rules may move any paper in or out of a view.
    rules = fingerprint((rules_fingerprint(config.topics), config.views))
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
