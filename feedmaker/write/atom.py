"""Render one feed as Atom bytes with feedgen."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feedmaker import PROJECT_URL
from feedmaker.model import Entry
from feedmaker.outputs import FeedData, SiteData, file_name
from feedmaker.write import feed_title, home_url, shown_entries
from feedmaker.write.content import (
    LINK_TITLES,
    LINK_TYPES,
    Category,
    Change,
    Similar,
    entry_html,
)

MEDIA = "http://search.yahoo.com/mrss/"  # Media RSS: readers show its thumbnail as the picture


class _LinksEntry(BaseEntryExtension):
    """Writes an entry's links with rel, type and title, and its picture as a Media RSS
    `<media:thumbnail>`.

    feedgen 1.0's own entry links lose every attribute but href (a shadowed loop variable,
    feedgen issue #135), which turns related links into duplicate alternates.
    """

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []
        self.thumbnail = ""

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for link in self.links:
            etree.SubElement(entry, "link", link)
        if self.thumbnail:
            etree.SubElement(entry, f"{{{MEDIA}}}thumbnail", url=self.thumbnail,
                             nsmap={"media": MEDIA})
        return entry


def render(site: SiteData, feed: FeedData) -> bytes:
    """The Atom document of a feed: its own elements, then each entry's `<entry>`."""
    return assemble(skeleton(site, feed), [xml for _, xml in pieces(site, feed)])


def skeleton(site: SiteData, feed: FeedData) -> bytes:
    """The feed's Atom document without its entries (see `assemble`)."""
    url = site.url(file_name(feed.feed.slug, "atom"))
    fg = FeedGenerator()
    fg.id(url)
    fg.title(feed_title(site, feed))
    if feed.feed.description:
        fg.subtitle(feed.feed.description)
    fg.link(href=url, rel="self", type="application/atom+xml")
    fg.link(href=home_url(site, feed), rel="alternate", type="text/html")
    fg.author({"name": site.author})
    fg.generator("feedmaker", version=site.version, uri=PROJECT_URL)
    if site.icon:
        fg.icon(site.icon)
    fg.updated(max((e.updated for e in feed.entries), default=site.empty_updated))
    return fg.atom_str(pretty=True)


def pieces(site: SiteData, feed: FeedData) -> list[tuple[str, bytes]]:
    """Each entry of the feed as (id, its serialized `<entry>`)."""
    return [(entry.id, render_entry(entry, entry_categories, site.base_url, similar, changes))
            for entry, entry_categories, similar, changes
            in shown_entries(site, feed)]


# A paper shows in several feeds of a run, always the same: each is rendered once.
@functools.lru_cache(maxsize=4096)
def render_entry(entry: Entry, categories: Sequence[Category], scheme: str,
                 similar: Sequence[Similar] = (), changes: Sequence[Change] = ()) -> bytes:
    """One `<entry>` element, serialized: the unit feeds are assembled from.

    The PDF is an enclosure, the other pages related links; `categories` are the entry's
    topics, each with the words that put it there (shown in the content); `changes` what
    changed, for an event of a news feed."""
    fe = FeedEntry()
    fe.register_extension("feedmaker_links", _LinksEntry, atom=True, rss=False)
    fe.id(entry.id)
    fe.title(entry.title)
    fe.published(entry.published)
    fe.updated(entry.updated)
    for name in entry.authors:
        fe.author({"name": name})
    for slug, title, _ in categories:
        fe.category(term=slug, label=title, scheme=scheme)
    if entry.summary:
        fe.summary(entry.summary)
    fe.content(entry_html(entry, tuple(categories), tuple(similar), tuple(changes)),
               type="html")
    fe.feedmaker_links.links = [{"rel": "alternate", "type": "text/html", "href": entry.url}] + [
        {"rel": "enclosure" if kind == "pdf" else "related", "type": LINK_TYPES[kind],
         "title": LINK_TITLES[kind], "href": href}
        for kind, href in entry.links if href != entry.url
    ]
    fe.feedmaker_links.thumbnail = entry.image
    # Like feedgen's own entries, the element has no namespace of its own: inside the feed
    # it takes the feed's default namespace, Atom's.
    return etree.tostring(fe.atom_entry(), encoding="utf-8", pretty_print=True)


def assemble(skeleton: bytes, entries: Sequence[bytes]) -> bytes:
    """A feed document: the skeleton (the feed without entries) with the serialized entries
    appended, in order.

    Each piece is a complete element serialized by feedgen or lxml, so the pieces join
    into the well-formed document feedgen itself would write for the feed, without parsing
    each paper's element back into one tree for every feed it is in.
    """
    head, closing, tail = skeleton.rpartition(b"</feed>")
    if not closing:
        raise ValueError("the feed skeleton has no closing </feed> tag")
    return b"".join([head, *entries, closing, tail])
