"""One run, top to bottom: collect → merge → watch → derive → select → render → validate → write."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from feedmaker import derive, like, publish
from feedmaker.collect import Collected, collect
from feedmaker.config import Config
from feedmaker.errors import ValidationError
from feedmaker.events import paper_of
from feedmaker.fetch import Fetcher
from feedmaker.outputs import SiteData
from feedmaker.store import Store, format_time, run_lock, store_error
from feedmaker.write import render_site
from feedmaker.write.files import OutputDir

# What a run does, step by step: `feedmaker run -v` shows the `feedmaker` logger's lines.
log = logging.getLogger(__name__)
# Entries no feed shows are dropped from the state once no source has listed them for this long.
PRUNE_AFTER = timedelta(days=7)
# The kinds of feed that are views: one that fails fails alone (see RunReport.fail_views).
VIEW_KINDS = ("view", "news", "like")


@dataclass
class RunReport:
    """What a run did, for the summary line and the exit status."""

    sources: int = 0
    failures: list[str] = field(default_factory=list)  # sources that failed, one line each
    views_failed: dict[str, str] = field(default_factory=dict)  # slug: why, one line
    warnings: list[str] = field(default_factory=list)
    seen: int = 0
    new: int = 0
    updated: int = 0
    events: int = 0  # news events recorded (feedmaker.events)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unpublishable: dict[str, str] = field(default_factory=dict)  # entry id: why
    unchanged_sources: int = 0

    @property
    def exit_code(self) -> int:
        """0 when every source and view worked, 1 when any failed (docs/operations.md)."""
        return 1 if self.failures or self.views_failed else 0

    def fail_views(self, failed: Mapping[str, str]) -> None:
        """Record the views that failed in this run ({slug: why}; a view's first failure is
        the one told): their files stay as they were."""
        for slug, why in failed.items():
            self.views_failed.setdefault(slug, why)


@dataclass
class Run:
    """One run: its config, store, clock, fetcher, output folder, report and progress; each
    method is one step, called in the order of the module's first line."""

    config: Config
    store: Store
    now: datetime
    fetcher: Fetcher
    out: OutputDir
    report: RunReport
    progress: Callable[[str, int, int], None]

    def execute(self, dry_run: bool) -> None:
        """Every step. State is committed before files are written: if writing fails, the
        next run writes what differs. A dry run writes nothing and rolls the state back."""
        if not dry_run:
            for name in self.out.remove_orphans():
                log.info(f"removed {name}, left behind by an interrupted run")
        collected = self.collect()
        with self.store.transaction():
            self.merge(collected)
            self.watch()
            self.derive()
            site, files = self.publish(collected)
            # Watched papers stay while watched: pruned, their news would start over.
            kept = publish.shown_ids(site) | self.store.watched.members(
                view.slug for view in self.config.watching)
            pruned = self.store.prune(kept, self.now - PRUNE_AFTER)
            log.info(f"pruned {pruned} entries no feed shows")
        self.write(files, dry_run)

    def collect(self) -> list[Collected]:
        """Read every source (conditionally: what did not change is not sent again)."""
        # Read here: the store's connection belongs to this thread.
        validators = {source.name: stored for source in self.config.sources
                      if (stored := self.store.sources.validators(source))}
        collected = collect(self.config, self.fetcher, self.now, validators, self.progress)
        for result in collected:
            log.info(result.summary)
        return collected

    def merge(self, collected: list[Collected]) -> None:
        """Merge each source's entries into the history, unless it failed or its count says
        its page is broken; record how its attempt went either way."""
        for result in collected:
            self.report.warnings += result.warnings
            error = result.error or (None if result.unchanged else self.store.sources.judge(
                result.source, len(result.entries), result.validators, self.report.warnings))
            if error:
                self.report.failures.append(error)
            elif result.unchanged:
                self.report.unchanged_sources += 1
            else:
                merged = self.store.history.merge(result.entries, self.now,
                                                  bars=self.config.popular_bars)
                self.report.seen += merged.seen
                self.report.new += merged.new
                self.report.updated += merged.updated
                self.report.events += merged.events
            self.store.source_health.record(
                result.source.name, format_time(self.now), error,
                None if error or result.unchanged else len(result.entries))

    def watch(self) -> None:
        """Look up the papers news views watch that no listing shows any more, and record
        which stored papers each follows (only when some news view has `watch` files: other
        runs ask nothing more)."""
        if not self.config.watching:
            return
        from feedmaker import watch

        outcome = watch.WatchStep(self.config, self.store, self.now, self.fetcher,
                                  self.progress).refresh()
        self.report.warnings += outcome.warnings
        self.report.events += outcome.events
        self.report.fail_views(outcome.failures)

    def derive(self) -> None:
        """Each paper's topics, then the rule views it is in, then the like views'."""
        tagged = derive.refresh_topics(
            self.config, self.store, self.now,
            lambda done, total: self.progress("tagging entries", done, total))
        log.info(f"tagged {tagged} entries")
        if self.config.views:
            self.report.fail_views(derive.refresh_views(self.config, self.store, self.now))
        if self.config.like_views:
            liked = like.LikeStep(self.store, self.now, self.fetcher, self.progress,
                                  self.config.site.arxiv_api_url).refresh(self.config.like_views)
            self.report.warnings += liked.warnings
            self.report.fail_views(liked.failures)

    def publish(self, collected: list[Collected]) -> tuple[SiteData, dict[str, bytes]]:
        """Select each feed's entries, validate the feeds, then render every file.

        An entry that cannot be rendered valid is left out of every feed (the next one takes
        its place), with a warning naming it and its source; a source none of whose entries
        could be published has failed. A view whose feed cannot be made valid has failed.
        """
        # RelaxNG validation lets other threads run: the other files render meanwhile
        # (a tenth of a second of a run over a long history, measured).
        with ThreadPoolExecutor(max_workers=1) as validation:
            while True:
                self.record_view_health()
                site = publish.select(self.config, self.store, self.now,
                                      self.report.unpublishable, self.report.views_failed)
                checked = validation.submit(publish.invalid_parts, *publish.atom_parts(site),
                                            self.now)
                files = render_site(site)
                bad_entries, bad_feeds = checked.result()
                if not bad_entries and not bad_feeds:
                    break
                for slug, problem in bad_feeds.items():
                    if site.feed(slug).feed.kind not in VIEW_KINDS:
                        raise ValidationError(f"the feed {slug!r} failed validation; nothing "
                                              f"was published: {problem}")
                    self.report.fail_views({slug: f"view {slug!r}: its feed is not valid: "
                                                  f"{problem}"})
                self.exclude(bad_entries, collected)
        log.info(f"rendered {len(files)} files")
        self.out.check_clashes(files)
        return site, files

    def exclude(self, bad: dict[str, str], collected: list[Collected]) -> None:
        """Warn of each entry that cannot be published; fail the sources all of whose
        entries of this run are such."""
        for entry_id, problem in bad.items():
            source = self.store.history.get(paper_of(entry_id)).source
            self.report.warnings.append(f"source {source!r}: entry {entry_id} cannot be "
                                        f"published ({problem}); it is left out of the feeds")
        self.report.unpublishable |= bad
        excluded = self.report.unpublishable.keys()
        for result in collected:
            ids = {entry.id for entry in result.entries}
            if not ids or not ids <= excluded:
                continue
            failure = (f"source {result.source.name!r} ({result.source.url}): none of its "
                       f"{len(ids)} entries could be published (the first: "
                       f"{self.report.unpublishable[min(ids)]})")
            if failure not in self.report.failures:
                self.report.failures.append(failure)
                self.store.source_health.record(result.source.name, format_time(self.now),
                                                failure)

    def record_view_health(self) -> None:
        """Remember how each view did in this run (its failure, or that it worked)."""
        for feed in self.config.feeds:
            if feed.kind in VIEW_KINDS:
                self.store.view_health.record(feed.slug, format_time(self.now),
                                              self.report.views_failed.get(feed.slug))

    def write(self, files: dict[str, bytes], dry_run: bool) -> None:
        """Write the files whose bytes changed, and remove those feedmaker wrote that this
        config no longer makes (a topic or view taken out, a format turned off) and that
        nobody changed since; then remember what feedmaker wrote: the only files it may
        replace or remove later. A dry run only reports what it would do."""
        made = publish.expected_names(self.config) | set(files)
        gone = [name for name in self.out.owned if name not in made]
        retired = sorted(name for name in gone if self.out.removable(name))
        if dry_run:
            self.report.unchanged = [n for n, data in files.items() if self.out.holds(n, data)]
            self.report.written = [n for n in files if n not in self.report.unchanged]
            self.report.removed = retired
            return
        for name, data in files.items():
            if self.out.write(name, data):
                log.info(f"wrote {name}")
        for name in retired:
            log.info(f"removing {name}: the config no longer makes it")
            self.out.remove(name)
        self.out.sync()
        with self.store.transaction():
            self.store.written.record(self.out.digests)
            self.store.written.forget(gone)
        self.report.written = self.out.written
        self.report.unchanged = self.out.unchanged
        self.report.removed = self.out.removed


def run(config: Config, *, now: datetime, fetcher: Fetcher | None = None,
        dry_run: bool = False,
        progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
        ) -> RunReport:
    """Fetch every source, merge into the history, derive topics and views, and write the
    files whose bytes changed; a dry run does it all and writes nothing.

    Each step is told to the `feedmaker` logger (INFO); `progress(stage, done, total)`
    follows the long stages: reading the sources, tagging when many entries need it (a
    first run, or new rules over a long history), and reading a big library.
    """
    report = RunReport(sources=len(config.sources))
    try:
        with (run_lock(config.site.state, create=not dry_run),
              Store(config.site.state, now, dry_run=dry_run) as store,
              contextlib.nullcontext(fetcher) if fetcher is not None else
              contextlib.closing(Fetcher(run_timeout=config.site.run_timeout)) as fetcher):
            out = OutputDir(config.site.out_dir, store.written.digests())
            Run(config, store, now, fetcher, out, report, progress).execute(dry_run)
    except sqlite3.Error as exc:  # a damaged store, a full disk: never a traceback
        raise store_error(config.site.state, exc) from exc
    return report
