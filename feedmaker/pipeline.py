"""One run, top to bottom: fetch → parse → normalize → store → tag → write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from feedmaker.config import Config
from feedmaker.errors import SourceError, ValidationError
from feedmaker.fetch import Fetcher
from feedmaker.model import Entry
from feedmaker.normalize import DropEntry, normalize
from feedmaker.sources import Fetch, read_source
from feedmaker.store import Store, run_lock
from feedmaker.tagger import Tagger
from feedmaker.validate import validate_bytes
from feedmaker.write import FeedInfo
from feedmaker.write.atom import render_atom
from feedmaker.write.files import OutputDir
from feedmaker.write.index import render_index
from feedmaker.write.opml import render_opml

ALL_FEED = "all.atom"
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
    tagger = Tagger(config.topics)
    out = OutputDir(config.site.out_dir)
    with run_lock(config.site.state):
        fetched = _fetch_all(config, fetch, report, log)
        with Store(config.site.state, now) as store:
            try:
                with store.transaction():
                    for entries in fetched:
                        merged = store.merge(entries, now)
                        report.seen += merged.seen
                        report.new += merged.new
                        report.updated += merged.updated
                    log(f"tagged {store.retag(tagger.tag, tagger.fingerprint)} entries")
                    outputs = render_site(config, store, now)
                    _check(outputs, now)
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                report.unchanged = [name for name, data in outputs.items()
                                    if _same_file(out, name, data)]
                report.written = [name for name in outputs if name not in report.unchanged]
                return report
        # State is committed first: if writing fails, the next run rewrites what differs.
        for name, data in outputs.items():
            out.write(name, data)
    report.written, report.unchanged = out.written, out.unchanged
    return report


def _fetch_all(config: Config, fetch: Fetch | None, report: RunReport,
               log: Callable[[str], None]) -> list[list[Entry]]:
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
                    entries.append(normalize(raw))
                except DropEntry as exc:
                    report.warnings.append(str(exc))
            log(f"source {source.name!r}: {len(entries)} entries")
            fetched.append(entries)
    finally:
        if fetcher:
            fetcher.close()
    return fetched


def render_site(config: Config, store: Store, now: datetime) -> dict[str, bytes]:
    """Every output file's bytes: one Atom feed per topic, all.atom, index.html, feeds.opml."""
    site = config.site
    titles = {topic.slug: topic.title for topic in config.topics}
    feeds = [FeedInfo(f"{topic.slug}.atom", f"{site.title}: {topic.title}", topic.description,
                      site.base_url, tuple(store.newest(site.max_entries, topic.slug)))
             for topic in config.topics]
    feeds.insert(0, FeedInfo(ALL_FEED, f"{site.title}: all papers",
                             "Every paper, whatever its topics", site.base_url,
                             tuple(store.newest(site.max_entries))))
    entry_topics = store.topics_of({e.id for feed in feeds for e in feed.entries})
    order = {slug: number for number, slug in enumerate(titles)}
    for slugs in entry_topics.values():
        slugs.sort(key=order.__getitem__)
    index_url = site.base_url + INDEX
    outputs = {
        feed.file_name: render_atom(feed, author=site.author, updated=store.created,
                                    topic_titles=titles, entry_topics=entry_topics,
                                    index_url=index_url, icon=site.icon)
        for feed in feeds
    }
    outputs[INDEX] = render_index(site.title, site.subtitle, feeds, OPML)
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
