"""Render status.json: how each source's last attempts went and what each feed holds, for
cron users and monitors."""

from __future__ import annotations

import json

from feedmaker.outputs import SiteData, file_name
from feedmaker.write import rfc3339

FORMAT_VERSION = 1


def render(site: SiteData) -> bytes:
    """The JSON document: times in UTC, RFC 3339; null where nothing is known yet. `ok` is
    false when a source or a view failed on its last attempt."""
    document = {
        "format": FORMAT_VERSION,
        "generator": {"name": "feedmaker", "version": site.version},
        "written": rfc3339(site.run_time),
        "ok": (all(not source.error for source in site.sources)
               and all(not feed.error for feed in site.feeds)),
        "sources": [{
            "name": source.name, "type": source.type, "url": source.url,
            "ok": not source.error,
            "last_attempt": rfc3339(source.last_attempt),
            "last_success": rfc3339(source.last_success),
            "failing_since": rfc3339(source.failing_since),
            "last_error": source.error or None,
            "entries_seen": source.entries_seen,
        } for source in site.sources],
        "feeds": [{
            "slug": feed.feed.slug, "title": feed.feed.title, "kind": feed.feed.kind,
            "ok": not feed.error,
            "failing_since": rfc3339(feed.failing_since),
            "last_error": feed.error or None,
            "files": {fmt: site.url(file_name(feed.feed.slug, fmt)) for fmt in site.formats},
            "entries": len(feed.entries),
            "newest": rfc3339(max((e.published for e in feed.entries if e.published),
                                default=None)),
        } for feed in site.feeds],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
