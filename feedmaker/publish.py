"""The second half of a run: select each feed's entries, plan every output file with the
digest of its inputs, render the files whose inputs changed, and check them."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from feedmaker import __version__
from feedmaker.config import Config
from feedmaker.derive import stored_terms
from feedmaker.errors import ValidationError
from feedmaker.model import Entry, shown_entry
from feedmaker.normalize import shorten
from feedmaker.outputs import (
    FEED_FORMATS,
    PAGE,
    SITE_FILES,
    FeedData,
    FeedDef,
    Output,
    SiteData,
    SourceHealth,
    file_name,
    fingerprint,
)
from feedmaker.store import Store, parse_time
from feedmaker.write import RenderCache, renderer

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


def select(config: Config, store: Store, now: datetime,
           excluded: Collection[str] = ()) -> SiteData:
    """Every feed with its newest entries (only what outputs may show of them) and their
    topics, plus the site's own facts: all that any output is made from. Entries whose ids
    are `excluded` (they cannot be published) are left out, and the next ones take their
    place."""
    site = config.site
    since = now - timedelta(days=site.max_age_days) if site.max_age_days else None
    memo: dict[str, Entry] = {}  # one decode per entry, though a paper shows in several feeds
    limit = site.max_entries + len(excluded)
    chosen = [(feed, [e for e in SELECTORS[feed.kind](store, feed, limit, since, memo)
                      if e.id not in excluded][:site.max_entries])
              for feed in config.feeds]
    order = {topic.slug: number for number, topic in enumerate(config.topics)}
    stored = {entry_id: stored_terms(values) for entry_id, values
              in store.topics.values_of(memo, "terms").items()}
    topics = {entry_id: tuple(sorted((s for s in slugs if s in order), key=order.__getitem__))
              for entry_id, slugs in stored.items()}
    terms = {entry_id: tuple(stored[entry_id][slug] or () for slug in slugs)
             for entry_id, slugs in topics.items()}
    shown = {entry_id: shown_entry(entry) for entry_id, entry in memo.items()}
    titles = {view.slug: view.title for view in config.like_views}
    similar = {entry_id: tuple((titles[slug], closest) for slug, closest in found
                               if slug in titles)
               for entry_id, found in store.likes.closest_of(memo).items()}
    return SiteData(
        title=site.title, subtitle=site.subtitle, base_url=site.base_url, author=site.author,
        icon=site.icon, formats=formats(config),
        topic_titles=tuple((topic.slug, topic.title) for topic in config.topics),
        empty_updated=store.created, version=__version__,
        feeds=tuple(FeedData(feed, tuple(shown[e.id] for e in entries),
                             tuple(topics[e.id] for e in entries),
                             tuple(terms[e.id] for e in entries),
                             tuple(similar[e.id] for e in entries))
                    for feed, entries in chosen),
        sources=source_health(config, store), run_time=now)


def source_health(config: Config, store: Store) -> tuple[SourceHealth, ...]:
    """How each configured source's attempts went, in config order, as the site shows it."""
    status = store.sources.status()
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
    parts = urlsplit(url)
    if parts.scheme == "file":
        return "file:" + PurePosixPath(parts.path).name
    try:
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:
        host = parts.hostname or ""
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def public_text(message: str) -> str:
    """An error message as the public site may show it: one line, at most 300 characters,
    each URL in it shortened by `public_url`."""
    def shortened(match: re.Match) -> str:
        url = match.group(0)
        end = url.rstrip(":,.;)")  # "...: HTTP 404": the colon ends the sentence's URL
        return public_url(end) + url[len(end):]

    return shorten(_URL.sub(shortened, " ".join(message.split())), 300)


def formats(config: Config) -> tuple[str, ...]:
    """Every format each feed is written in: the feed formats, then its page unless pages
    are off."""
    return config.site.formats + ((PAGE,) if config.site.pages else ())


def expected_names(config: Config) -> set[str]:
    """The names of every file the config makes (without looking at any entry)."""
    return {file_name(feed.slug, format_name) for feed in config.feeds
            for format_name in formats(config)} | set(SITE_FILES)


def shown_ids(site: SiteData) -> set[str]:
    """The ids of every entry some feed shows."""
    return {entry.id for feed in site.feeds for entry in feed.entries}


@dataclass(frozen=True)
class Planned:
    """One output file of this run: its kind, its inputs and their digest."""

    name: str
    output: Output
    inputs: object
    fingerprint: str


def plan(site: SiteData) -> dict[str, Planned]:
    """Every output file this run publishes, by name: each feed in each format, then the
    site files."""
    planned = {}
    for feed in site.feeds:
        for format_name in site.formats:
            output = FEED_FORMATS[format_name]
            name = file_name(feed.feed.slug, format_name)
            planned[name] = _planned(name, output, renderer(output).inputs(site, feed, name))
    for name, output in SITE_FILES.items():
        planned[name] = _planned(name, output, renderer(output).inputs(site))
    return planned


def _planned(name: str, output: Output, inputs: object) -> Planned:
    return Planned(name, output, inputs, fingerprint((__version__, inputs)))


def render(planned: Iterable[Planned], cache: RenderCache) -> dict[str, bytes]:
    """The bytes of each planned file, each renderer reading only its own inputs."""
    return {p.name: renderer(p.output).render(p.inputs, cache) for p in planned}


def unpublishable(cache: RenderCache, now: datetime) -> dict[str, str]:
    """The entries rendered in this run that fail validation on their own: {id: the first
    problem}. All of them are checked together first, and one by one only when that fails."""
    from feedmaker.validate import validate_bytes
    from feedmaker.write.atom import assemble

    if not cache.fresh:
        return {}
    valid = next(((name, skeleton) for name, skeleton in cache.skeletons.items()
                  if not validate_bytes(skeleton, name, now)), None)
    if valid is None:  # an invalid feed is not its entries' fault: `check` says so
        return {}
    name, skeleton = valid
    if not validate_bytes(assemble(skeleton, [xml for _, xml in cache.fresh.values()]), name,
                          now):
        return {}
    bad = {}
    for entry_id, (_, xml) in cache.fresh.items():
        problems = validate_bytes(assemble(skeleton, [xml]), entry_id, now)
        if problems:
            bad[entry_id] = problems[0].split(": ", 1)[-1]
    return bad


def check(cache: RenderCache, now: datetime) -> None:
    """Validate every part of every Atom feed rendered, or raise ValidationError.

    A feed is its skeleton plus entries, and RFC 4287's schema checks entries one by one,
    so each skeleton is checked, and every entry once, when it is rendered (all of this
    run's new ones together in one document). Entries from the cache were checked in the
    run that rendered them; `feedmaker validate` checks whole files.
    """
    from feedmaker.validate import validate_bytes
    from feedmaker.write.atom import assemble

    problems = [p for name, skeleton in cache.skeletons.items()
                for p in validate_bytes(skeleton, name, now)]
    if cache.fresh and cache.skeletons:
        name, skeleton = next(iter(cache.skeletons.items()))
        batch = assemble(skeleton, [xml for _, xml in cache.fresh.values()])
        problems += validate_bytes(batch, f"entries rendered in this run (in {name})", now)
    if problems:
        raise ValidationError("generated feeds failed validation; nothing was published:\n"
                              + "\n".join(problems[:20]))
