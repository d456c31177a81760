"""What a run derives from the history: each paper's topics (the tagger's verdict, with the
best-scoring one marked), then the rule views it is in."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from feedmaker import code_digest
from feedmaker.config import Config
from feedmaker.model import Entry
from feedmaker.store import Store
from feedmaker.store.memberships import inputs_key
from feedmaker.store.rows import DamagedRow, loads, shown
from feedmaker.tagger import Tagger, rules_fingerprint
from feedmaker.tagger.reasons import topic_terms
from feedmaker.views import ViewTagger


def tagging_key(config: Config) -> str:
    """What every paper's topics are computed from besides the paper: rules and code."""
    return f"{rules_fingerprint(config.topics)}:{code_digest('tagger', 'derive.py')}"


def refresh_topics(config: Config, store: Store, now: datetime,
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Tag the entries whose topics may have changed; returns how many were tagged.

    Each topic keeps the terms that put the paper there (see tagger.reasons). A paper whose
    topics, or those terms, change because the paper changed is updated: its entry shows
    them. Not when the rules or feedmaker changed: readers would see every old paper again.
    """
    topics = Topics(config, store, now)
    return store.topics.refresh(topics.rules, topics, now, progress)


class Topics:
    """Each paper's topics, with their scores, the best one marked and the terms that hit."""

    def __init__(self, config: Config, store: Store, now: datetime) -> None:
        self.config, self.store, self.now = config, store, now
        self.rules = tagging_key(config)
        self.papers_only = store.topics.computed_with() == self.rules  # only papers changed
        self.before: dict[str, dict[str, object]] = {}  # the terms kept for papers

    @functools.cached_property
    def tagger(self) -> Tagger:
        # Compiled only when some entry needs tagging: an unchanged run never pays for it.
        return Tagger(self.config.topics)

    def prepare(self, entries: list[Entry]) -> None:
        if self.papers_only:
            self.before.update(self.store.topics.values_of([e.id for e in entries], "terms"))

    def key(self, entry: Entry) -> str:
        return inputs_key(self.rules, _values(entry, Tagger.READS))

    def rows(self, entry: Entry) -> list[tuple[str, float, int, str]]:
        verdicts = self.tagger.verdicts(entry)
        terms = topic_terms(self.tagger, entry, verdicts)
        if self.before.get(entry.id) and shown_differently(stored_terms(self.before[entry.id]),
                                                           terms):
            self.store.history.touch(entry.id, self.now)
        # The highest score is marked best (1), the first of them on a tie.
        best = max(verdicts, key=lambda verdict: verdict.score).slug if verdicts else None
        return [(verdict.slug, verdict.score, int(verdict.slug == best),
                 json.dumps(terms[verdict.slug])) for verdict in verdicts]


def stored_terms(values: Mapping[str, object]) -> dict[str, tuple[str, ...] | None]:
    """The terms column of an entry's topics, decoded: None where it was never kept."""
    return {name: None if value is None else _terms(value) for name, value in values.items()}


def _terms(value: object) -> tuple[str, ...]:
    terms = loads(value)
    if not isinstance(terms, list):
        raise DamagedRow(f"{shown(value)} where a topic's terms belong")
    return tuple(terms)


def shown_differently(before: Mapping[str, tuple[str, ...] | None],
                      after: Mapping[str, Sequence[str]]) -> bool:
    """Whether an entry's topics, or the terms shown for them, changed. Terms not known
    before (tagged by an older feedmaker) are no change: nothing showed them."""
    if set(before) != set(after):
        return True
    return any(before[topic] is not None and before[topic] != tuple(after[topic])
               for topic in after)


def refresh_views(config: Config, store: Store, now: datetime) -> dict[str, str]:
    """Place the entries whose views may have changed; returns the views that failed, each
    with why ({slug: message}).

    A view that fails on a paper keeps the paper where it was, and the paper is placed
    again on the next run; the other views go on.
    """
    views = Views(config, store)
    store.views.refresh(views.rules, views, now)
    store.views.forget_keys(views.unsettled)
    return views.failed


class Views:
    """The rule views each paper is in."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config, self.store = config, store
        # Views read topics: new topic rules may move any paper in or out of a view.
        self.rules = f"{tagging_key(config)}:{config.views!r}:{code_digest('views.py')}"
        self.topics: dict[str, list[str]] = {}
        self.sources: dict[str, list[str]] = {}
        self.placed_before: dict[str, list[str]] = {}
        self.failed: dict[str, str] = {}
        self.unsettled: list[str] = []  # papers a view failed on: placed again next run

    def prepare(self, entries: list[Entry]) -> None:
        ids = [entry.id for entry in entries]
        self.topics.update(self.store.topics.of(ids))
        self.sources.update(self.store.history.sources_of(ids))
        self.placed_before.update(self.store.views.of(ids))

    def key(self, entry: Entry) -> str:
        return inputs_key(self.rules, [*_values(entry, ViewTagger.READS),
                                       sorted(self.topics[entry.id]), self.sources[entry.id]])

    @functools.cached_property
    def tagger(self) -> ViewTagger:
        # Built only when some paper needs placing.
        return ViewTagger(self.config.views)

    def rows(self, entry: Entry) -> list[tuple[str]]:
        matched, failures = self.tagger.place(entry, self.topics[entry.id],
                                              self.sources[entry.id])
        if failures:
            self.failed.update(failures)
            self.unsettled.append(entry.id)
        kept = [slug for slug in self.placed_before.get(entry.id, ()) if slug in failures]
        return [(slug,) for slug in [*matched, *kept]]


def _values(entry: Entry, reads: Sequence[str]) -> list[object]:
    # The date is read too: it orders the feeds.
    return [getattr(entry, name) for name in reads] + [entry.published]
