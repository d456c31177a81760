"""Choose what a run publishes: each feed's newest entries with their topics and terms, and
the site's own facts (the health of its sources and views): the data every output is
rendered from."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from urllib.parse import SplitResult, urlsplit, urlunsplit

from feedmaker import __version__
from feedmaker.config import Config
from feedmaker.derive import stored_terms
from feedmaker.errors import cut_urls
from feedmaker.events import Event, changes, event_entry, event_id, paper_of
from feedmaker.model import Entry, shown_entry
from feedmaker.normalize import shorten, without_dropped
from feedmaker.outputs import (
    PAGE,
    SITE_FILES,
    FeedData,
    FeedDef,
    SiteData,
    SourceHealth,
    file_name,
)
from feedmaker.store import Store, parse_time

Selector = Callable[[Store, FeedDef, int, datetime | None, dict], list[Entry]]

# How each kind of feed (FeedDef.kind) picks its entries, newest first.
SELECTORS: dict[str, Selector] = {
    "all": lambda store, feed, limit, since, memo: store.history.newest(limit, since, memo),
    "topic": lambda store, feed, limit, since, memo: store.topics.newest(
        feed.slug, limit, since, memo, best_only=feed.best_only),
    "view": lambda store, feed, limit, since, memo: store.views.newest(feed.slug, limit,
                                                                       since, memo),
    "like": lambda store, feed, limit, since, memo: store.likes.newest(feed.slug, limit,
                                                                       since, memo),
}


def select(config: Config, store: Store, now: datetime, excluded: Collection[str],
           failed: Mapping[str, str]) -> SiteData:
    """Every feed with its newest entries (only what outputs may show of them) and their
    topics, plus the site's own facts: all that any output is made from. Entries whose ids
    are `excluded` (they cannot be published) are left out, and the next ones take their
    place; the views `failed` in this run ({slug: why}) carry their error. A news feed's
    entries are events (feedmaker.events), dated when first seen, each with what changed."""
    site = config.site
    since = now - timedelta(days=site.max_age_days) if site.max_age_days else None
    memo: dict[str, Entry] = {}  # one decode per entry, though a paper shows in several feeds
    limit = site.max_entries + len(excluded)
    chosen: list[tuple[FeedDef, list[tuple[Entry, Event | None]]]] = []
    for feed in config.feeds:
        items = (store.events.newest(feed, limit, since, memo)
                 if feed.kind == "news" else
                 [(e, None) for e in SELECTORS[feed.kind](store, feed, limit, since, memo)])
        chosen.append((feed, [(paper, event) for paper, event in items
                              if paper.id not in excluded and (event is None or event_id(
                                  paper.id, event.key) not in excluded)][:site.max_entries]))
    topics, terms = {}, {}
    for entry_id, values in store.topics.values_of(memo, "terms").items():
        found = stored_terms(values)
        topics[entry_id] = tuple(t.slug for t in config.topics if t.slug in found)  # config order
        terms[entry_id] = tuple(found[slug] or () for slug in topics[entry_id])
    shown = {entry_id: shown_entry(entry) for entry_id, entry in memo.items()}
    titles = {view.slug: view.title for view in config.like_views}
    health = store.view_health.status()
    similar = {entry_id: tuple((titles[slug], closest) for slug, closest in found
                               if slug in titles)
               for entry_id, found in store.likes.closest_of(memo).items()}
    return SiteData(
        title=site.title, subtitle=site.subtitle, base_url=site.base_url, author=site.author,
        icon=site.icon, formats=formats(config),
        topic_titles=tuple((topic.slug, topic.title) for topic in config.topics),
        empty_updated=store.created, version=__version__,
        feeds=tuple(FeedData(feed, tuple(shown[e.id] if event is None
                                         else event_entry(shown[e.id], event)
                                         for e, event in items),
                             tuple(topics[e.id] for e, _ in items),
                             tuple(terms[e.id] for e, _ in items),
                             tuple(similar[e.id] for e, _ in items),
                             error=public_text(failed.get(feed.slug, "")),
                             failing_since=_time(health[feed.slug].failing_since)
                             if feed.slug in health else None,
                             changes=tuple(changes(event) for _, event in items
                                           if event is not None))
                    for feed, items in chosen),
        sources=source_health(config, store), run_time=now)


def source_health(config: Config, store: Store) -> tuple[SourceHealth, ...]:
    """How each configured source's attempts went, in config order, as the site shows it."""
    status = store.source_health.status()
    found = []
    for source in config.sources:
        known = status.get(source.name)
        found.append(SourceHealth(
            source.name, source.type, public_url(source.url),
            _time(known and known.last_attempt), _time(known and known.last_success),
            _time(known and known.failing_since),
            public_text(known.last_error) if known and known.last_error else "",
            known.entries_seen if known else None))
    return tuple(found)


def _time(text: str | None) -> datetime | None:
    return parse_time(text) if text else None


_URL = re.compile(r"\b(?:https?|file)://[^\s'\"<>]+")


def public_url(url: str) -> str:
    """A source URL as the public site may show it: no user, password, query or fragment
    (they may hold keys), and of a local file only its name."""
    return _public(urlsplit(url))


def _public(parts: SplitResult) -> str:
    if parts.scheme == "file":
        return "file:" + PurePosixPath(parts.path).name
    try:
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        host = parts.hostname or ""
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def public_text(message: str) -> str:
    """An error message as the public site may show it: one line, at most 300 characters,
    each URL in it shortened as `public_url` does, without the characters XML forbids (a
    server's status line may hold any)."""
    return shorten(cut_urls(" ".join(without_dropped(message).split()), _URL, _public), 300)


def formats(config: Config) -> tuple[str, ...]:
    """Every format each feed is written in: the feed formats, then its page unless pages
    are off."""
    return config.site.formats + ((PAGE,) if config.site.pages else ())


def expected_names(config: Config) -> set[str]:
    """The names of every file the config makes (without looking at any entry)."""
    return {file_name(feed.slug, format_name) for feed in config.feeds
            for format_name in formats(config)} | set(SITE_FILES)


def shown_ids(site: SiteData) -> set[str]:
    """The ids of every paper some feed shows (a news feed's events show their papers)."""
    return {paper_of(entry.id) for feed in site.feeds for entry in feed.entries}


def atom_parts(site: SiteData) -> tuple[dict[str, tuple[str, bytes]], dict[str, bytes]]:
    """The parts of every Atom feed of the site, rendered (the feeds that failed left out):
    each feed's own elements (its file name and skeleton, by slug) and every paper's
    `<entry>` once (by id)."""
    from feedmaker.write import atom

    skeletons, entries = {}, {}
    for feed in site.feeds:
        if not feed.error:
            name = file_name(feed.feed.slug, "atom")
            skeletons[feed.feed.slug] = (name, atom.skeleton(site, feed))
            entries.update(atom.pieces(site, feed))
    return skeletons, entries


def invalid_parts(skeletons: dict[str, tuple[str, bytes]], entries: dict[str, bytes],
                  now: datetime) -> tuple[dict[str, str], dict[str, str]]:
    """The entries ({id: the first problem}) and the feeds ({slug: the first problem}) that
    make a rendered Atom feed fail validation; the parts are those of `atom_parts`.

    RFC 4287's schema checks a feed's own elements and each entry apart, so each feed is
    checked without its entries, and every entry once, all in one document (a paper is in
    several feeds); only when that fails is each entry checked alone, to find the culprits.
    `feedmaker validate` checks whole files.
    """
    from feedmaker.validate import validate_bytes
    from feedmaker.write.atom import assemble

    bad_feeds: dict[str, str] = {}
    good_skeleton = None
    for slug, (name, skeleton) in skeletons.items():
        problems = validate_bytes(skeleton, name, now)
        if problems:
            bad_feeds[slug] = _problem(problems[0])
        else:
            good_skeleton = good_skeleton or (name, skeleton)
    if not entries or good_skeleton is None:
        return {}, bad_feeds
    name, skeleton = good_skeleton
    if not validate_bytes(assemble(skeleton, list(entries.values())), name, now):
        return {}, bad_feeds
    bad_entries = {}
    for entry_id, xml in entries.items():
        problems = validate_bytes(assemble(skeleton, [xml]), entry_id, now)
        if problems:
            bad_entries[entry_id] = _problem(problems[0])
    return bad_entries, bad_feeds


def _problem(line: str) -> str:
    """A validation problem without its `file:line: ` prefix."""
    return line.split(": ", 1)[-1]
