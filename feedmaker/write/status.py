"""Render status.json: how each source's last attempts went and what each feed holds, for
cron users and monitors."""

from __future__ import annotations

import json
from datetime import datetime

from feedmaker.outputs import SiteData, file_name

FORMAT_VERSION = 1


def render(site: SiteData) -> bytes:
    """The JSON document: times in UTC, RFC 3339; null where nothing is known yet. `ok` is
    false when a source or a view failed on its last attempt."""
    document = {
        "format": FORMAT_VERSION,
        "generator": {"name": "feedmaker", "version": site.version},
        "written": _time(site.run_time),
        "ok": (all(not source.error for source in site.sources)
               and all(not feed.error for feed in site.feeds)),
        "sources": [{
            "name": source.name, "type": source.type, "url": source.url,
            "ok": not source.error,
            "last_attempt": _time(source.last_attempt),
            "last_success": _time(source.last_success),
            "failing_since": _time(source.failing_since),
            "last_error": source.error or None,
            "entries_seen": source.entries_seen,
        } for source in site.sources],
        "feeds": [{
            "slug": feed.feed.slug, "title": feed.feed.title, "kind": feed.feed.kind,
            "ok": not feed.error,
            "failing_since": _time(feed.failing_since),
            "last_error": feed.error or None,
            "files": {fmt: site.url(file_name(feed.feed.slug, fmt)) for fmt in site.formats},
            "entries": len(feed.entries),
            "newest": _time(max((e.published for e in feed.entries if e.published),
                                default=None)),
        } for feed in site.feeds],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _time(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
