"""Render one feed as JSON Feed 1.1 bytes, with the same ids and dates as its Atom twin."""

from __future__ import annotations

import json

from feedmaker.model import Entry
from feedmaker.outputs import FeedData, SiteData, file_name
from feedmaker.write import feed_title, home_url, rfc3339, shown_entries
from feedmaker.write.content import (
    LINK_TITLES,
    PDF_TYPE,
    Category,
    Change,
    Similar,
    entry_html,
)

VERSION = "https://jsonfeed.org/version/1.1"


def render(site: SiteData, feed: FeedData) -> bytes:
    """The JSON Feed document of a feed; items newest first, as in the Atom feed."""
    document = {
        "version": VERSION,
        "title": feed_title(site, feed),
        "home_page_url": home_url(site, feed),
        "feed_url": site.url(file_name(feed.feed.slug, "json")),
        "description": feed.feed.description,
        "user_comment": f"Written by feedmaker {site.version}.",
        "authors": [{"name": site.author}],
        "items": [_item(*shown) for shown in shown_entries(site, feed)],
    }
    if site.icon:
        document["icon"] = site.icon
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _item(entry: Entry, categories: tuple[Category, ...], similar: tuple[Similar, ...],
          changes: tuple[Change, ...]) -> dict:
    item = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry_html(entry, categories, similar, changes),
        "date_published": rfc3339(entry.published),
        "date_modified": rfc3339(entry.updated),
        "authors": [{"name": name} for name in entry.authors],
        "tags": [slug for slug, _, _ in categories],
    }
    if entry.summary:
        item["summary"] = entry.summary
    if entry.image:
        item["image"] = entry.image
    if entry.link("pdf"):
        item["attachments"] = [{"url": entry.link("pdf"), "mime_type": PDF_TYPE,
                                "title": LINK_TITLES["pdf"]}]
    if entry.link("arxiv") and entry.link("arxiv") != entry.url:
        item["external_url"] = entry.link("arxiv")
    return item
