"""Render status.json: how each source's last attempts went and what each feed holds, for
cron users and monitors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from feedmaker.outputs import SiteData, SourceHealth, file_name
from feedmaker.write import RenderCache

FORMAT_VERSION = 1


@dataclass(frozen=True)
class FeedStatus:
    """What status.json says of one feed."""

    slug: str
    title: str
    files: tuple[tuple[str, str], ...]  # (format, URL)
    count: int
    newest: datetime | None


@dataclass(frozen=True)
class StatusInputs:
    """What status.json is made from: this run's time, the sources' health, the feeds."""

    run_time: datetime | None
    version: str
    sources: tuple[SourceHealth, ...]
    feeds: tuple[FeedStatus, ...]


def inputs(site: SiteData) -> StatusInputs:
    """What status.json is made from."""
    return StatusInputs(site.run_time, site.version, site.sources, tuple(
        FeedStatus(feed.feed.slug, feed.feed.title,
                   tuple((fmt, site.url(file_name(feed.feed.slug, fmt)))
                         for fmt in site.formats),
                   len(feed.entries),
                   max((e.published for e in feed.entries if e.published), default=None))
        for feed in site.feeds))


def render(status: StatusInputs, cache: RenderCache | None = None) -> bytes:
    """The JSON document: times in UTC, RFC 3339; null where nothing is known yet."""
    document = {
        "format": FORMAT_VERSION,
        "generator": {"name": "feedmaker", "version": status.version},
        "written": _time(status.run_time),
        "ok": all(not source.error for source in status.sources),
        "sources": [{
            "name": source.name, "type": source.type, "url": source.url,
            "ok": not source.error,
            "last_attempt": _time(source.last_attempt),
            "last_success": _time(source.last_success),
            "failing_since": _time(source.failing_since),
            "last_error": source.error or None,
            "entries_seen": source.entries_seen,
        } for source in status.sources],
        "feeds": [{
            "slug": feed.slug, "title": feed.title, "files": dict(feed.files),
            "entries": feed.count, "newest": _time(feed.newest),
        } for feed in status.feeds],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _time(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
