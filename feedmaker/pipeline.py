"""One run, top to bottom: fetch → parse → normalize → store → tag → write."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from feedmaker import __version__
from feedmaker.config import Config
from feedmaker.errors import SourceError, ValidationError
from feedmaker.fetch import Fetcher
from feedmaker.model import Entry
from feedmaker.normalize import DropEntry, normalize
from feedmaker.sources import Fetch, read_source
from feedmaker.store import Store, run_lock
from feedmaker.tagger import Tagger, rules_fingerprint
from feedmaker.validate import FUTURE_TOLERANCE, validate_bytes
from feedmaker.write import FeedInfo
from feedmaker.write.atom import render_atom
from feedmaker.write.files import OutputDir
from feedmaker.write.index import NEWEST_SHOWN, render_index
from feedmaker.write.jsonfeed import json_name, render_json
from feedmaker.write.opml import render_opml

ALL_FEED = "all.atom"
# Entries no feed shows are dropped from the state once no source has listed them for this long.
PRUNE_AFTER = timedelta(days=7)
INDEX = "index.html"
OPML = "feeds.opml"


@dataclass
class RunReport:
    """What a run did, for the summary line and the exit status."""

    sources: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seen: int = 0
    new: int = 0
    updated: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every source worked, 1 when any failed (SPEC.md)."""
        return 1 if self.failures else 0


class _DryRun(Exception):
    """Raised inside the store transaction to roll a dry run back."""


def run(config: Config, *, now: datetime, fetch: Fetch | None = None, dry_run: bool = False,
        log: Callable[[str], None] = lambda message: None) -> RunReport:
    """Fetch every source, merge into the history, tag, and write the feeds that changed."""
    report = RunReport(sources=len(config.sources))
    # Compiled only when some entry needs tagging: an unchanged run never pays for it.
    tagger = functools.cache(lambda: Tagger(config.topics))
    out = OutputDir(config.site.out_dir)
    with run_lock(config.site.state):
        fetched = _fetch_all(config, fetch, report, log, now)
        with Store(config.site.state, now) as store:
            try:
                with store.transaction():
                    for entries in fetched:
                        merged = store.merge(entries, now)
                        report.seen += merged.seen
                        report.new += merged.new
                        report.updated += merged.updated
                    tagged = store.retag(lambda entry: tagger().tag(entry),
                                         rules_fingerprint(config.topics))
                    log(f"tagged {tagged} entries")
                    feeds = select_feeds(config, store, now)
                    shown = {entry.id for feed in feeds for entry in feed.entries}
                    entry_topics = store.topics_of(shown)
                    plans = plan_outputs(config, feeds, entry_topics, store.created)
                    records = store.output_records()
                    stale = {name for name, fingerprint in plans.items()
                             if not out.unchanged_since(name, records.get(name), fingerprint)}
                    log(f"{len(stale)} of {len(plans)} files need rendering")
                    outputs = render_site(config, feeds, entry_topics, store.created, stale)
                    _check(outputs, now)
                    log(f"pruned {store.prune(shown, now - PRUNE_AFTER)} entries no feed shows")
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                report.unchanged = [name for name in plans
                                    if name not in outputs or _same_file(out, name,
                                                                         outputs[name])]
                report.written = [name for name in outputs if name not in report.unchanged]
                return report
            # State is committed first: if writing fails, the next run rewrites what differs.
            for name, data in outputs.items():
                out.write(name, data)
            stamps = {name: out.stamp(name) for name in plans}
            with store.transaction():
                store.save_output_records(
                    {name: [fingerprint, *stamps[name]] for name, fingerprint in plans.items()
                     if stamps[name] and (name in outputs or name not in stale)})
    report.written = out.written
    report.unchanged = out.unchanged + sorted(set(plans) - set(outputs))
    return report


def _fetch_all(config: Config, fetch: Fetch | None, report: RunReport,
               log: Callable[[str], None], now: datetime) -> list[list[Entry]]:
    fetcher = Fetcher() if fetch is None else None
    fetched = []
    try:
        for source in config.sources:
            try:
                raws = read_source(source, fetch or fetcher)
            except SourceError as exc:
                report.failures.append(str(exc))
                log(f"source {source.name!r} failed: {exc}")
                continue
            entries = []
            for raw in raws:
                try:
                    entry = normalize(raw)
                except DropEntry as exc:
                    report.warnings.append(str(exc))
                    continue
                if entry.published and entry.published > now + FUTURE_TOLERANCE:
                    report.warnings.append(f"{source.name}: {entry.id} is dated "
                                           f"{entry.published:%Y-%m-%d}, in the future; "
                                           "using the time it was first seen")
                    entry = replace(entry, published=None)
                entries.append(entry)
            log(f"source {source.name!r}: {len(entries)} entries")
            fetched.append(entries)
    finally:
        if fetcher:
            fetcher.close()
    return fetched


def select_feeds(config: Config, store: Store, now: datetime) -> list[FeedInfo]:
    """The feeds to write, each with its newest entries: all.atom first, then each topic."""
    site = config.site
    since = now - timedelta(days=site.max_age_days) if site.max_age_days else None
    feeds = [FeedInfo(ALL_FEED, f"{site.title}: All papers", "Every paper, whatever its topics",
                      site.base_url, tuple(store.newest(site.max_entries, since=since)))]
    feeds += [FeedInfo(f"{topic.slug}.atom", f"{site.title}: {topic.title}", topic.description,
                       site.base_url, tuple(store.newest(site.max_entries, topic.slug, since)))
              for topic in config.topics]
    return feeds


def plan_outputs(config: Config, feeds: list[FeedInfo], entry_topics: dict[str, list[str]],
                 empty_updated: datetime) -> dict[str, str]:
    """For each output file, a fingerprint of everything it is rendered from.

    A file whose fingerprint, size and mtime match what the last run recorded is not
    rendered again: an unchanged run costs a few queries, not 18 feeds of feedgen.
    """
    site = config.site
    shared = (__version__, site.title, site.subtitle, site.base_url, site.author, site.icon,
              site.formats, [(t.slug, t.title, t.description) for t in config.topics],
              empty_updated)
    plans = {}
    for feed in feeds:
        fingerprint = _digest((shared, feed, [entry_topics.get(e.id) for e in feed.entries]))
        plans[feed.file_name] = fingerprint
        if "json" in site.formats:
            plans[json_name(feed.file_name)] = fingerprint
    plans[INDEX] = _digest((shared, [(f.file_name, f.title, f.description, len(f.entries),
                                      [(e.title, e.url) for e in f.entries[:NEWEST_SHOWN]])
                                     for f in feeds]))
    plans[OPML] = _digest((shared, [(f.file_name, f.title, f.description) for f in feeds]))
    return plans


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def render_site(config: Config, feeds: list[FeedInfo], entry_topics: dict[str, list[str]],
                empty_updated: datetime, only: set[str] | None = None) -> dict[str, bytes]:
    """The bytes of the output files (all, or those named in `only`): the Atom (and JSON)
    feeds, index.html and feeds.opml."""
    site = config.site
    titles = {topic.slug: topic.title for topic in config.topics}
    order = {slug: number for number, slug in enumerate(titles)}
    topics_in_order = {entry_id: sorted((s for s in slugs if s in order), key=order.__getitem__)
                       for entry_id, slugs in entry_topics.items()}
    index_url = site.base_url + INDEX
    wanted = (lambda name: True) if only is None else only.__contains__
    outputs = {}
    for feed in feeds:
        if wanted(feed.file_name):
            outputs[feed.file_name] = render_atom(
                feed, author=site.author, updated=empty_updated, topic_titles=titles,
                entry_topics=topics_in_order, index_url=index_url, icon=site.icon)
        if "json" in site.formats and wanted(json_name(feed.file_name)):
            outputs[json_name(feed.file_name)] = render_json(
                feed, author=site.author, topic_titles=titles, entry_topics=topics_in_order,
                index_url=index_url, icon=site.icon)
    if wanted(INDEX):
        outputs[INDEX] = render_index(site.title, site.subtitle, feeds, OPML,
                                      json_feeds="json" in site.formats)
    if wanted(OPML):
        outputs[OPML] = render_opml(site.title, feeds, index_url)
    return outputs


def _check(outputs: dict[str, bytes], now: datetime) -> None:
    problems = [p for name, data in outputs.items() if name.endswith(".atom")
                for p in validate_bytes(data, name, now)]
    if problems:
        raise ValidationError("generated feeds failed validation; nothing was published:\n"
                              + "\n".join(problems[:20]))


def _same_file(out: OutputDir, name: str, data: bytes) -> bool:
    path = out.path / name
    return path.is_file() and path.read_bytes() == data
