"""One run, top to bottom: fetch → parse → normalize → store → tag → write."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from feedmaker import __version__
from feedmaker.collect import Collected, collect
from feedmaker.config import Config
from feedmaker.errors import ValidationError
from feedmaker.fetch import Fetcher, Validators
from feedmaker.model import Entry
from feedmaker.store import Store, run_lock
from feedmaker.tagger import Tagger, rules_fingerprint
from feedmaker.write import NEWEST_SHOWN, FeedInfo, json_name
from feedmaker.write.files import OutputDir

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
    unchanged_sources: int = 0

    @property
    def exit_code(self) -> int:
        """0 when every source worked, 1 when any failed (SPEC.md)."""
        return 1 if self.failures else 0


class _DryRun(Exception):
    """Raised inside the store transaction to roll a dry run back."""


def run(config: Config, *, now: datetime, fetcher: Fetcher | None = None,
        dry_run: bool = False, log: Callable[[str], None] = lambda message: None,
        progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
        ) -> RunReport:
    """Fetch every source, merge into the history, tag, and write the feeds that changed.

    `progress(stage, done, total)` follows the long stages: reading the sources, and
    tagging when many entries need it (a first run, or new rules over a long history).
    """
    report = RunReport(sources=len(config.sources))
    # Compiled only when some entry needs tagging: an unchanged run never pays for it.
    tagger = functools.cache(lambda: Tagger(config.topics))
    out = OutputDir(config.site.out_dir)
    with run_lock(config.site.state), Store(config.site.state, now) as store:
        for name in out.remove_orphans():
            log(f"removed {name}, left behind by an interrupted run")
        collected = _collect(config, store, fetcher, now, log, progress)
        if not dry_run and _still_published(config, store, collected, out, now):
            for result in collected:
                _merge_source(store, result, report, now)  # only reports: nothing to merge
            report.unchanged = sorted(store.output_records())
            log("no source changed and every file is as last written: nothing to do")
            return report
        try:
            with store.transaction():
                # Until this run's files are written, no later run may skip work for them.
                store.set_published(None)
                for result in collected:
                    _merge_source(store, result, report, now)
                tagged = store.retag(lambda entry: tagger().tag(entry),
                                     rules_fingerprint(config.topics),
                                     lambda done, total: progress("tagging entries", done, total))
                log(f"tagged {tagged} entries")
                feeds = select_feeds(config, store, now)
                shown = {entry.id for feed in feeds for entry in feed.entries}
                entry_topics = store.topics_of(shown)
                plans = plan_outputs(config, feeds, entry_topics, store.created)
                records = store.output_records()
                stale = {name for name, fingerprint in plans.items()
                         if not out.unchanged_since(name, records.get(name), fingerprint)}
                log(f"{len(stale)} of {len(plans)} files need rendering")
                rendered = render_site(config, feeds, entry_topics, store.created, stale,
                                       store.fragments(shown))
                check_rendered(rendered, now)
                store.save_fragments(rendered.fresh)
                outputs = rendered.outputs
                log(f"rendered {len(rendered.fresh)} entries, reused the others")
                log(f"pruned {store.prune(shown, now - PRUNE_AFTER)} entries no feed shows")
                if dry_run:
                    raise _DryRun
        except _DryRun:
            report.unchanged = [name for name in plans
                                if name not in outputs or _same_file(out, name, outputs[name])]
            report.written = [name for name in outputs if name not in report.unchanged]
            return report
        # State is committed first: if writing fails, the next run rewrites what differs.
        for name, data in outputs.items():
            log(f"writing {name}")
            out.write(name, data)
        stamps = {name: out.stamp(name) for name in plans}
        with store.transaction():
            store.save_output_records(
                {name: [fingerprint, *stamps[name]] for name, fingerprint in plans.items()
                 if stamps[name] and (name in outputs or name not in stale)})
            store.set_published({"key": _published_key(config),
                                 "valid_until": _valid_until(config, feeds)})
    report.written = out.written
    report.unchanged = out.unchanged + sorted(set(plans) - set(outputs))
    return report


def _still_published(config: Config, store: Store, collected: list[Collected],
                     out: OutputDir, now: datetime) -> bool:
    """Whether the files on disk are exactly what this run would write, known cheaply.

    True when no source has anything new (each answered "not modified" or failed), the
    last run that wrote files finished, the config is the same, no shown paper has aged
    out of `max_age_days` since, and every file is as that run left it.
    """
    if not all(result.unchanged or result.error for result in collected):
        return False
    published = store.published()
    if not published or published["key"] != _published_key(config):
        return False
    if published["valid_until"] and now.isoformat() >= published["valid_until"]:
        return False
    records = store.output_records()
    return bool(records) and all(out.stamp(name) == record[1:]
                                 for name, record in records.items())


def _published_key(config: Config) -> str:
    return _digest((__version__, config.site, config.topics))


def _valid_until(config: Config, feeds: list[FeedInfo]) -> str | None:
    """When the first paper shown will have aged out of `max_age_days`, if ever."""
    if not config.site.max_age_days:
        return None
    oldest = min((e.published for feed in feeds for e in feed.entries), default=None)
    return (oldest + timedelta(days=config.site.max_age_days)).isoformat() if oldest else None


def _collect(config: Config, store: Store, fetcher: Fetcher | None, now: datetime,
             log: Callable[[str], None],
             progress: Callable[[str, int, int], None]) -> list[Collected]:
    validators = {}  # read here: the store's connection belongs to this thread
    for source in config.sources:
        stored = store.source_validators(source.name, source.url)
        if stored:
            validators[source.name] = Validators(*stored)
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    try:
        return collect(config, fetcher, now, validators, log, progress)
    finally:
        if own:
            fetcher.close()


def _merge_source(store: Store, result: Collected, report: RunReport, now: datetime) -> None:
    """Merge one source's entries, unless it failed or its count says its page is broken."""
    source = result.source
    report.warnings += result.warnings
    if result.error:
        report.failures.append(result.error)
        return
    if result.unchanged:
        report.unchanged_sources += 1
        return
    count, usual = len(result.entries), store.usual_count(source.name)
    problem = judge_count(count, usual, source.allow_empty)
    if problem:
        report.failures.append(f"source {source.name!r} ({source.url}): {problem}; "
                               "its entries were not used and the history is kept")
        return
    merged = store.merge(result.entries, now)
    report.seen += merged.seen
    report.new += merged.new
    report.updated += merged.updated
    validators = result.validators
    store.record_source(source.name, source.url,
                        (validators.etag, validators.last_modified, validators.body_hash)
                        if validators else None,
                        count if count else None)


def judge_count(count: int, usual: int | None, allow_empty: bool) -> str | None:
    """Why a source's entry count means its page is broken, or None when it looks normal.

    A listing that suddenly shrinks to nothing, or to under a quarter of what it usually
    has, is far more often a changed layout or a page caught mid-update than real news.
    """
    if count == 0:
        if allow_empty:
            return None
        return ("gave no entries (a changed page layout? if an empty listing is normal for "
                "this source, set allow_empty = true)")
    if usual and count * 4 < usual:
        return (f"gave {count} entries, under a quarter of its usual {usual} (a changed page "
                "layout, or a page caught mid-update?)")
    return None


def select_feeds(config: Config, store: Store, now: datetime) -> list[FeedInfo]:
    """The feeds to write, each with its newest entries: all.atom first, then each topic."""
    site = config.site
    since = now - timedelta(days=site.max_age_days) if site.max_age_days else None
    memo: dict = {}  # one decode per entry, though a paper shows in several feeds
    feeds = [FeedInfo(ALL_FEED, f"{site.title}: All papers", "Every paper, whatever its topics",
                      site.base_url,
                      tuple(store.newest(site.max_entries, since=since, memo=memo)))]
    feeds += [FeedInfo(f"{topic.slug}.atom", f"{site.title}: {topic.title}", topic.description,
                       site.base_url,
                       tuple(store.newest(site.max_entries, topic.slug, since, memo)))
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
        fingerprint = _digest((shared, feed.file_name, feed.title, feed.description,
                               [(shown_key(e), entry_topics.get(e.id)) for e in feed.entries]))
        plans[feed.file_name] = fingerprint
        if "json" in site.formats:
            plans[json_name(feed.file_name)] = fingerprint
    plans[INDEX] = _digest((shared, [(f.file_name, f.title, f.description, len(f.entries),
                                      [(e.title, e.url) for e in f.entries[:NEWEST_SHOWN]])
                                     for f in feeds]))
    plans[OPML] = _digest((shared, [(f.file_name, f.title, f.description) for f in feeds]))
    return plans


@functools.lru_cache(maxsize=8192)
def shown_key(entry: Entry) -> str:
    """A digest of what the outputs show of an entry: not live counters such as upvotes,
    so a counter ticking up on the source renders nothing again."""
    return _digest((entry.id, entry.title, entry.summary, entry.url, entry.authors,
                    entry.links, entry.published, entry.updated))


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


@dataclass
class Rendered:
    """The bytes of the output files, with what validating them needs: each Atom feed's
    skeleton (the feed without entries) and the entries rendered in this run."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    skeletons: dict[str, bytes] = field(default_factory=dict)
    fresh: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def render_site(config: Config, feeds: list[FeedInfo], entry_topics: dict[str, list[str]],
                empty_updated: datetime, only: set[str] | None = None,
                cached: Mapping[str, tuple[str, bytes]] | None = None) -> Rendered:
    """The output files (all, or those named in `only`): the Atom (and JSON) feeds,
    index.html and feeds.opml. Entries are taken from `cached` ({id: (key, xml)}) when
    their key still matches, and rendered otherwise."""
    from feedmaker.write.atom import assemble, feed_skeleton, render_entry
    from feedmaker.write.index import render_index
    from feedmaker.write.jsonfeed import render_json
    from feedmaker.write.opml import render_opml

    site = config.site
    titles = {topic.slug: topic.title for topic in config.topics}
    order = {slug: number for number, slug in enumerate(titles)}
    topics_in_order = {entry_id: sorted((s for s in slugs if s in order), key=order.__getitem__)
                       for entry_id, slugs in entry_topics.items()}
    index_url = site.base_url + INDEX
    wanted = (lambda name: True) if only is None else only.__contains__
    cached = cached or {}
    rendered = Rendered()

    done: dict[str, bytes] = {}

    def fragment(entry: Entry) -> bytes:
        if entry.id in done:
            return done[entry.id]
        topics = topics_in_order.get(entry.id, [])
        key = _digest((__version__, shown_key(entry), topics, [titles[t] for t in topics],
                       site.base_url))
        if entry.id in cached and cached[entry.id][0] == key:
            xml = cached[entry.id][1]
        else:
            xml = render_entry(entry, titles, topics, site.base_url)
            rendered.fresh[entry.id] = (key, xml)
        done[entry.id] = xml
        return xml

    for feed in feeds:
        if wanted(feed.file_name):
            skeleton = feed_skeleton(feed, author=site.author, updated=empty_updated,
                                     index_url=index_url, icon=site.icon)
            rendered.skeletons[feed.file_name] = skeleton
            rendered.outputs[feed.file_name] = assemble(skeleton,
                                                        [fragment(e) for e in feed.entries])
        if "json" in site.formats and wanted(json_name(feed.file_name)):
            rendered.outputs[json_name(feed.file_name)] = render_json(
                feed, author=site.author, topic_titles=titles, entry_topics=topics_in_order,
                index_url=index_url, icon=site.icon)
    if wanted(INDEX):
        rendered.outputs[INDEX] = render_index(site.title, site.subtitle, feeds, OPML,
                                               json_feeds="json" in site.formats)
    if wanted(OPML):
        rendered.outputs[OPML] = render_opml(site.title, feeds, index_url)
    return rendered


def check_rendered(rendered: Rendered, now: datetime) -> None:
    """Validate every part of every Atom feed to publish, or raise ValidationError.

    A feed is its skeleton plus entries, and RFC 4287's schema checks entries one by one,
    so each skeleton is checked, and every entry once, when it is rendered (all of this
    run's new ones together in one document). Entries from the cache were checked in the
    run that rendered them; `feedmaker validate` checks whole files.
    """
    from feedmaker.validate import validate_bytes
    from feedmaker.write.atom import assemble

    problems = [p for name, skeleton in rendered.skeletons.items()
                for p in validate_bytes(skeleton, name, now)]
    if rendered.fresh and rendered.skeletons:
        name, skeleton = next(iter(rendered.skeletons.items()))
        batch = assemble(skeleton, [xml for _, xml in rendered.fresh.values()])
        problems += validate_bytes(batch, f"entries rendered in this run (in {name})", now)
    if problems:
        raise ValidationError("generated feeds failed validation; nothing was published:\n"
                              + "\n".join(problems[:20]))


def _same_file(out: OutputDir, name: str, data: bytes) -> bool:
    path = out.path / name
    return path.is_file() and path.read_bytes() == data
