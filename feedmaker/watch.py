"""Watched papers of news views: followed, and looked up on arXiv and Hugging Face daily."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from feedmaker import code_digest
from feedmaker.collect import normalize_all
from feedmaker.config import Config
from feedmaker.errors import FeedmakerError, FetchError
from feedmaker.fetch import Fetcher
from feedmaker.like.library import (
    LikeError,
    Progress,
    entry_identity,
    identity,
    read_files,
    read_library,
)
from feedmaker.model import Entry
from feedmaker.normalize import bare_arxiv_id, clean_text, entry_id
from feedmaker.sources import arxiv_api, hf_api
from feedmaker.store import Store
from feedmaker.store.memberships import inputs_key
from feedmaker.views import ViewRule

log = logging.getLogger(__name__)

# The names lookups merge under: no configured source can take them (a colon), and each
# keeps what it showed of a paper apart, so news is compared with what the same lookup
# said before (see feedmaker.events).
ARXIV_SOURCE, HF_SOURCE = "watch:arxiv", "watch:hf"
# Papers asked of arXiv per run (in requests of 100 ids, 3 s apart, as arXiv asks), and of
# Hugging Face (one request each, 1 s apart): the rest wait for the next runs.
ARXIV_PER_RUN = 200
HF_PER_RUN = 20
# A paper a listing showed this recently needs no lookup: the listing brings its news.
LISTED_WITHIN = timedelta(days=1)
# Hugging Face knows few papers that were never on its daily list: one it did not know is
# asked again after a week.
ASK_UNKNOWN_AFTER = timedelta(days=7)


@dataclass
class WatchOutcome:
    """What the watch step did: each view's papers (their identity keys), warnings, the
    views that failed (slug: why), and how many lookups and news events it made."""

    keys: dict[str, frozenset[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=lambda: {"arXiv": 0, "Hugging Face": 0})
    events: int = 0


@dataclass
class WatchStep:
    """A run's watch step, with what it needs of the run: config, store (inside the run's
    transaction), clock, fetcher and progress (a big watch file's reading)."""

    config: Config
    store: Store
    now: datetime
    fetcher: Fetcher
    progress: Progress = lambda stage, done, total: None

    def refresh(self) -> WatchOutcome:
        """Read each watching view's files (a view whose files cannot be read fails, and
        keeps the papers read last time), then look up the watched papers that are due,
        merging what arXiv and Hugging Face say as sightings of their own: news events come
        out as from any source. A lookup that fails is a warning, asked again next run.
        Last, record which stored papers each view follows."""
        store, outcome = self.store, WatchOutcome()
        ids: dict[str, None] = {}
        for view in self.config.watching:
            try:
                papers = self._library(view, outcome.warnings)
            except LikeError as exc:
                outcome.failures[view.slug] = f"view {view.slug!r}: {clean_text(str(exc))}"
                stored = store.watch.library(view.slug)
                papers = stored[1] if stored else []
            outcome.keys[view.slug] = frozenset().union(*(identity(*paper) for paper in papers))
            # Papers kept from an older release's reading may give an id a subject class.
            ids.update((bare_arxiv_id(arxiv_id) or arxiv_id, None)
                       for arxiv_id, _, _ in papers if arxiv_id)
        try:
            with store.transaction():
                self._look_up(list(ids), outcome)
        except Exception as exc:  # noqa: BLE001 - a lookup never stops the run
            why = (exc if isinstance(exc, FeedmakerError) else
                   f"internal error: {type(exc).__name__}: {clean_text(str(exc))[:300]}")
            outcome.warnings.append(f"watch: lookups failed ({why}); asked again next run")
        if any(outcome.asked.values()):
            log.info("watch: looked up " + ", ".join(f"{n} on {service}" for service, n
                                                      in outcome.asked.items())
                     + f"; {outcome.events} news events")
        watched = _Watched(outcome.keys)  # which stored papers each view follows
        store.watched.refresh(watched.fingerprint, watched, self.now)
        return outcome

    def _library(self, view: ViewRule, warnings: list[str]) -> list[list]:
        """[arxiv id, doi, title] of each paper of the view's files, read again only when their
        bytes, or the code that reads them, changed."""
        files_key, data = read_files(view.watch)
        stored = self.store.watch.library(view.slug)
        if stored and stored[0] == files_key:
            return stored[1]
        log.info(f"view {view.slug!r}: reading its watch files")
        library = read_library(view.watch, data, self.progress)
        warnings += [f"view {view.slug!r}: {clean_text(note)}" for note in library.notes]
        papers = [[p.arxiv_id, p.doi, p.title] for p in library.papers]
        self.store.watch.save_library(view.slug, files_key, papers)
        return papers

    def _look_up(self, ids: list[str], outcome: WatchOutcome) -> None:
        store, now, fetcher = self.store, self.now, self.fetcher
        site, bars = self.config.site, self.config.popular_bars
        # A listing brings the news of the ids it showed lately (arXiv's answers below are
        # no listing's).
        by_entry = {entry_id("", arxiv_id): arxiv_id for arxiv_id in ids}
        listed = store.watch.listed_since(list(by_entry), now - LISTED_WITHIN,
                                          (ARXIV_SOURCE, HF_SOURCE))
        ids = [arxiv_id for entry, arxiv_id in by_entry.items() if entry not in listed]
        due = _due(store, "arxiv", ids, now)[:ARXIV_PER_RUN]
        for start in range(0, len(due), arxiv_api.ID_BATCH):
            batch = due[start:start + arxiv_api.ID_BATCH]
            try:
                raws = arxiv_api.look_up(batch, fetcher, source_name=ARXIV_SOURCE,
                                         api_url=site.arxiv_api_url,
                                         warn=outcome.warnings.append)
            except FeedmakerError as exc:
                outcome.warnings.append(f"watch: looking up {len(batch)} papers on arXiv failed: "
                                        f"{exc}; they are asked again next run")
                break
            entries = _only_asked(normalize_all(raws, now, outcome.warnings), batch, "arXiv",
                                  outcome.warnings)
            outcome.events += store.history.merge(entries, now, bars=bars, quiet=True).events
            found = {entry.arxiv_id for entry in entries}
            store.watch.record("arxiv", {arxiv_id: arxiv_id in found for arxiv_id in batch}, now)
            outcome.asked["arXiv"] += len(batch)
        answers: dict[str, bool] = {}
        for arxiv_id in _due(store, "hf", ids, now)[:HF_PER_RUN]:
            url = site.hf_paper_api_url + arxiv_id
            try:
                entries = _only_asked(normalize_all(hf_api.parse(
                    fetcher(url).body, HF_SOURCE, url, outcome.warnings.append), now,
                    outcome.warnings), [arxiv_id], "Hugging Face", outcome.warnings)
            except FetchError as exc:
                if exc.status == 404:  # not a paper Hugging Face has a page for
                    answers[arxiv_id] = False
                    continue
                outcome.warnings.append(f"watch: looking up {arxiv_id} on Hugging Face failed: "
                                        f"{exc}; asked again next run")
                break
            except FeedmakerError as exc:
                outcome.warnings.append(f"watch: {exc}; asked again next run")
                continue
            outcome.events += store.history.merge(entries, now, bars=bars, quiet=True).events
            answers[arxiv_id] = bool(entries)
        store.watch.record("hf", answers, now)
        outcome.asked["Hugging Face"] += len(answers)


def _only_asked(entries: list[Entry], ids: Sequence[str], service: str,
                warnings: list[str]) -> list[Entry]:
    """The entries of the papers asked for. Any other paper in an answer (a wrong
    `arxiv_api_url` or `hf_paper_api_url`) is nobody's news, and is not stored."""
    extra = [entry.arxiv_id or entry.id for entry in entries if entry.arxiv_id not in ids]
    if extra:
        warnings.append(f"watch: {service} answered with papers not asked for, left out: "
                        + ", ".join(extra[:5]) + (", ..." if len(extra) > 5 else ""))
    return [entry for entry in entries if entry.arxiv_id in ids]


def _due(store: Store, service: str, ids: Sequence[str], now: datetime) -> list[str]:
    """The ids to ask `service` about: not asked yet today (UTC), nor in the last week when
    the service did not know them; those never asked first, then those asked longest ago."""
    asked = store.watch.asked(service, ids)
    due = []
    for arxiv_id in ids:
        when, known = asked.get(arxiv_id, (None, False))
        if when is not None and (when.date() == now.date()
                                 or (not known and now - when < ASK_UNKNOWN_AFTER)):
            continue
        due.append(arxiv_id)
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(due, key=lambda arxiv_id: asked.get(arxiv_id, (never,))[0])


class _Watched:
    """Each paper's watching views: those whose files' papers (`keys`, from `refresh`) share
    its arXiv id, DOI or title (a Derivation, see store.memberships)."""

    def __init__(self, keys: dict[str, frozenset[str]]) -> None:
        self.keys = keys
        # The papers' identities are made by like.library: its code is an input too.
        code = code_digest("watch.py", "like/library.py")
        papers = sorted((slug, sorted(found)) for slug, found in keys.items())
        self.fingerprint = hashlib.sha256(repr([papers, code]).encode()).hexdigest()

    def prepare(self, entries: list[Entry]) -> None:
        pass  # an entry alone says whether it is watched

    def key(self, entry: Entry) -> str:
        return inputs_key(self.fingerprint, [entry.arxiv_id, entry.links, entry.title,
                                             entry.published])

    def rows(self, entry: Entry) -> list[tuple[str]]:
        found = entry_identity(entry)
        return [(slug,) for slug, keys in self.keys.items() if found & keys]
