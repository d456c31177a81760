"""Render one feed as JSON Feed 1.1 bytes, with the same ids and dates as its Atom twin."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from feedmaker.model import Entry
from feedmaker.write import FeedInfo, json_name
from feedmaker.write.atom import entry_html

VERSION = "https://jsonfeed.org/version/1.1"


def render_json(feed: FeedInfo, *, author: str, topic_titles: Mapping[str, str],
                entry_topics: Mapping[str, Sequence[str]], index_url: str,
                icon: str | None = None) -> bytes:
    """The JSON Feed document of `feed`; items newest first, as in the Atom feed."""
    document = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": index_url,
        "feed_url": feed.base_url + json_name(feed.file_name),
        "description": feed.description,
        "authors": [{"name": author}],
        "items": [_item(entry, topic_titles, entry_topics.get(entry.id, ()))
                  for entry in feed.entries],
    }
    if icon:
        document["icon"] = icon
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _item(entry: Entry, topic_titles: Mapping[str, str], topics: Sequence[str]) -> dict:
    item = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry_html(entry),
        "date_published": _time(entry.published),
        "date_modified": _time(entry.updated),
        "authors": [{"name": name} for name in entry.authors],
        "tags": [slug for slug in topics if slug in topic_titles],
    }
    if entry.summary:
        item["summary"] = entry.summary
    if entry.link("arxiv") and entry.link("arxiv") != entry.url:
        item["external_url"] = entry.link("arxiv")
    return item


def _time(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
