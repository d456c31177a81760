"""One run, top to bottom: fetch → parse → normalize → store → tag → write."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from feedmaker import __version__, derive, like, publish
from feedmaker.collect import Collected, collect
from feedmaker.config import Config
from feedmaker.fetch import Fetcher, Validators
from feedmaker.outputs import SiteData, digest
from feedmaker.store import Store, format_time, run_lock, store_error
from feedmaker.write import RenderCache
from feedmaker.write.files import OutputDir

# Entries no feed shows are dropped from the state once no source has listed them for this long.
PRUNE_AFTER = timedelta(days=7)


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
    removed: list[str] = field(default_factory=list)
    unpublishable: dict[str, str] = field(default_factory=dict)  # entry id: why
    unchanged_sources: int = 0

    @property
    def exit_code(self) -> int:
        """0 when every source worked, 1 when any failed (README.md)."""
        return 1 if self.failures else 0


def run(config: Config, *, now: datetime, fetcher: Fetcher | None = None,
        dry_run: bool = False, log: Callable[[str], None] = lambda message: None,
        progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
        ) -> RunReport:
    """Fetch every source, merge into the history, tag, and write the files that changed.

    Gather (read the sources, merge what they list, refresh the topics), then publish
    (select, plan, render and check the files, all in the same transaction; then write).
    A dry run does the same in a transaction that is rolled back, and writes nothing.
    `progress(stage, done, total)` follows the long stages: reading the sources, and
    tagging when many entries need it (a first run, or new rules over a long history).
    """
    report = RunReport(sources=len(config.sources))
    try:
        _run(config, report, now, fetcher, dry_run, log, progress)
    except sqlite3.Error as exc:  # a damaged store, a full disk: never a traceback
        raise store_error(config.site.state, exc) from exc
    return report


def _run(config: Config, report: RunReport, now: datetime, fetcher: Fetcher | None,
         dry_run: bool, log: Callable[[str], None],
         progress: Callable[[str, int, int], None]) -> None:
    out = OutputDir(config.site.out_dir)
    own = fetcher is None
    fetcher = fetcher or Fetcher(run_timeout=config.site.run_timeout)
    with run_lock(config.site.state), Store(config.site.state, now) as store, \
            contextlib.closing(fetcher) if own else contextlib.nullcontext():
        known = set(store.renders.output_records()) | publish.expected_names(config)
        for name in out.remove_orphans(known):
            log(f"removed {name}, left behind by an interrupted run")
        key = _published_key(config)
        collected = _collect(config, store, fetcher, now, log, progress)
        if not dry_run and _still_published(key, store, collected, out, now):
            for result in collected:
                _merge_source(store, result, report, now)  # only reports: nothing to merge
            report.unchanged = sorted(store.renders.output_records())
            log("no source changed and every file is as last written: nothing to do")
        else:
            with store.transaction(commit=not dry_run):
                # Until this run's files are written, no later run may skip work for them.
                store.renders.set_published(None)
                _gather(config, store, collected, report, now, log, progress)
                liked = like.refresh(config.like_views, store, now, fetcher, log)
                report.warnings += liked.warnings
                report.failures += liked.failures.values()
                if liked.failures:  # so the next run tries again, though nothing changed
                    key = "a like view failed"
                site, planned, outputs = _publish(config, store, out, now, log, report,
                                                  collected)
            retired = _retired(store, out, planned)
            if dry_run:
                report.unchanged = [name for name in planned if name not in outputs
                                    or out.holds(name, outputs[name])]
                report.written = [name for name in outputs if name not in report.unchanged]
                report.removed = retired
            else:
                _write(store, out, site, planned, outputs, config, key, log)
                for name in retired:
                    log(f"removing {name}: the config no longer makes it")
                    out.remove(name)
                out.sync()
                report.written = out.written
                report.unchanged = out.unchanged + sorted(set(planned) - set(outputs))
                report.removed = out.removed


def _retired(store: Store, out: OutputDir, planned: dict) -> list[str]:
    """Files an earlier run wrote that this config no longer makes (a topic or view taken
    out, a format turned off), still exactly as written: a file someone changed stays."""
    return sorted(name for name, record in store.renders.output_records().items()
                  if name not in planned and out.stamp(name) == record[1:])


def _gather(config: Config, store: Store, collected: list[Collected], report: RunReport,
            now: datetime, log: Callable[[str], None],
            progress: Callable[[str, int, int], None]) -> None:
    """Merge every source's entries into the history, then refresh their topics and views."""
    for result in collected:
        _merge_source(store, result, report, now)
    tagged = derive.refresh_topics(config, store, now,
                                   lambda done, total: progress("tagging entries", done, total))
    log(f"tagged {tagged} entries")
    if config.views:
        log(f"placed {derive.refresh_views(config, store, now)} entries in views")


def _publish(config: Config, store: Store, out: OutputDir, now: datetime,
             log: Callable[[str], None], report: RunReport, collected: list[Collected],
             ) -> tuple[SiteData, dict[str, publish.Planned], dict[str, bytes]]:
    """Select, prune, plan, render what changed and check it; the rendered entries are
    cached in the store. Returns the site, the plan and the rendered files.

    An entry that cannot be rendered valid is left out of every feed (the next one takes
    its place), with a warning naming it and its source; the rest is published. A source
    none of whose entries could be published has failed (and its health says so).
    """
    excluded: dict[str, str] = {}
    while True:
        site = publish.select(config, store, now, excluded)
        planned = publish.plan(site)
        records = store.renders.output_records()
        stale = [p for p in planned.values()
                 if p.output.every_run or not out.unchanged_since(p.name, records.get(p.name),
                                                                    p.fingerprint)]
        shown = publish.shown_ids(site)
        cache = RenderCache(stored=store.renders.fragments(shown),
                            pages_stored=store.renders.page_fragments(shown))
        outputs = publish.render(stale, cache)
        bad = publish.unpublishable(cache, now)
        if not bad:
            break
        for entry_id, problem in bad.items():
            entry = store.history.get(entry_id)
            report.warnings.append(f"source {entry.source!r}: entry {entry_id} cannot be "
                                   f"published ({problem}); it is left out of the feeds")
        excluded |= bad
        for name, failure in _unpublishable_sources(collected, excluded).items():
            if failure not in report.failures:
                report.failures.append(failure)
                store.sources.record_attempt(name, format_time(now), failure)
    report.unpublishable = excluded
    log(f"{len(stale)} of {len(planned)} files need rendering")
    publish.check(cache, now)  # the last guard: feed skeletons, and every fresh entry
    store.renders.save_fragments(cache.fresh)
    store.renders.save_page_fragments(cache.pages_fresh)
    log(f"rendered {len(cache.fresh)} entries, reused the others")
    log(f"pruned {store.prune(publish.shown_ids(site), now - PRUNE_AFTER)} entries no feed "
        "shows")
    return site, planned, outputs


def _unpublishable_sources(collected: list[Collected], excluded: dict[str, str]
                           ) -> dict[str, str]:
    """{source name: failure} of the sources none of whose entries of this run could be
    published, since the entries in `excluded` could not."""
    found = {}
    for result in collected:
        ids = {entry.id for entry in result.entries}
        if ids and ids <= excluded.keys():
            found[result.source.name] = (
                f"source {result.source.name!r} ({result.source.url}): none of its "
                f"{len(ids)} entries could be published (the first: {excluded[min(ids)]})")
    return found


def _write(store: Store, out: OutputDir, site: SiteData, planned: dict[str, publish.Planned],
           outputs: dict[str, bytes], config: Config, key: str,
           log: Callable[[str], None]) -> None:
    """Write the files that changed, then record what each file was made from.

    State is committed first: if writing fails, the next run rewrites what differs.
    """
    for name, data in outputs.items():
        log(f"writing {name}")
        out.write(name, data)
    out.sync()
    records = store.renders.output_records()
    kept = {name: [plan.fingerprint, *out.stamp(name)] for name, plan in planned.items()
            if out.stamp(name) and (name in outputs or out.unchanged_since(
                name, records.get(name), plan.fingerprint))}
    with store.transaction():
        store.renders.save_output_records(kept)
        store.renders.set_published({"key": key,
                                     "valid_until": _valid_until(config, site)})


def _still_published(key: str, store: Store, collected: list[Collected],
                     out: OutputDir, now: datetime) -> bool:
    """Whether the files on disk are exactly what this run would write, known cheaply.

    True when no source has anything new (each answered "not modified" or failed), the
    last run that wrote files finished, the config (`key`: with the library files of like
    views) is the same, no shown paper has aged
    out of `max_age_days` since, and every file is as that run left it.
    """
    if not all(result.unchanged or result.error for result in collected):
        return False
    if store.sources.health_changed({r.source.name: r.error for r in collected}):
        return False  # a source failed, recovered or failed differently: pages show it
    published = store.renders.published()
    if not published or published["key"] != key:
        return False
    if published["valid_until"] and now.isoformat() >= published["valid_until"]:
        return False
    records = store.renders.output_records()
    return bool(records) and all(out.stamp(name) == record[1:]
                                 for name, record in records.items())


def _published_key(config: Config) -> str:
    # The config holds no entry: its repr is the whole of it, read in one go.
    return digest((__version__, config.site, config.topics, config.views, config.like_views,
                   like.files_stamp(config.like_views)))


def _valid_until(config: Config, site: SiteData) -> str | None:
    """When the first paper shown will have aged out of `max_age_days`, if ever."""
    if not config.site.max_age_days:
        return None
    oldest = min((e.published for feed in site.feeds for e in feed.entries), default=None)
    return (oldest + timedelta(days=config.site.max_age_days)).isoformat() if oldest else None


def _collect(config: Config, store: Store, fetcher: Fetcher, now: datetime,
             log: Callable[[str], None],
             progress: Callable[[str, int, int], None]) -> list[Collected]:
    validators = {}  # read here: the store's connection belongs to this thread
    for source in config.sources:
        stored = store.sources.validators(source.name, source.url)
        if stored:
            validators[source.name] = Validators(*stored)
    return collect(config, fetcher, now, validators, log, progress)


def _merge_source(store: Store, result: Collected, report: RunReport, now: datetime) -> None:
    """Merge one source's entries, unless it failed or its count says its page is broken;
    record how the attempt went either way."""
    source = result.source
    report.warnings += result.warnings
    stamp = format_time(now)
    if result.error:
        report.failures.append(result.error)
        store.sources.record_attempt(source.name, stamp, error=result.error)
        return
    if result.unchanged:
        report.unchanged_sources += 1
        store.sources.record_attempt(source.name, stamp)
        return
    settings = digest((source.type, source.url, source.options))
    count, usual = len(result.entries), store.sources.usual_count(source.name, settings)
    problem = judge_count(count, usual, source.allow_empty)
    validators = result.validators
    validators = ((validators.etag, validators.last_modified, validators.body_hash)
                  if validators else None)
    if problem:
        streak = store.sources.refused(source.name, settings, count)
        if not new_level(streak):
            report.failures.append(f"source {source.name!r} ({source.url}): {problem}; "
                                   "its entries were not used and the history is kept")
            store.sources.record_attempt(source.name, stamp,
                                         error=f"source {source.name!r}: {problem}")
            return
        report.warnings.append(f"source {source.name!r} ({source.url}): {count} entries for "
                               f"{len(streak)} runs in a row, under a quarter of its usual "
                               f"{usual}; taking that as its size from now on")
        store.sources.restart(source.name, source.url, settings, validators, streak[:-1])
    store.sources.record_attempt(source.name, stamp, entries=count)
    merged = store.history.merge(result.entries, now)
    report.seen += merged.seen
    report.new += merged.new
    report.updated += merged.updated
    store.sources.record(source.name, source.url, settings, validators,
                         count if count else None)


# A source refused this many runs in a row for a steady count has a new size, not a
# broken page: a listing narrowed on purpose, say.
NEW_LEVEL_AFTER = 3


def new_level(streak: list[int]) -> bool:
    """Whether the counts a source was refused for in a row are a steady new size."""
    recent = streak[-NEW_LEVEL_AFTER:]
    return (len(recent) == NEW_LEVEL_AFTER and min(recent) > 0
            and max(recent) <= 2 * min(recent))


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
