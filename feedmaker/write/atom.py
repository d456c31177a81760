"""Render one feed as Atom bytes with lxml: its own elements, then each entry's."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from lxml import etree

from feedmaker import PROJECT_URL
from feedmaker.model import Entry
from feedmaker.outputs import FeedData, SiteData, file_name
from feedmaker.write import feed_title, home_url, shown_entries
from feedmaker.write.content import (
    LINK_TITLES,
    PDF_TYPE,
    Category,
    Change,
    Similar,
    entry_html,
)

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"  # Media RSS: readers show its thumbnail as the picture


def render(site: SiteData, feed: FeedData) -> bytes:
    """The Atom document of a feed: its own elements, then each entry's `<entry>`."""
    return assemble(skeleton(site, feed), [xml for _, xml in pieces(site, feed)])


def skeleton(site: SiteData, feed: FeedData) -> bytes:
    """The feed's Atom document without its entries (see `assemble`).

    The bytes feedgen 1.0 wrote for it, which feedmaker used before, without importing
    feedgen and python-dateutil into every run (a fiftieth of a run's time).
    """
    url = site.url(file_name(feed.feed.slug, "atom"))
    # Children without a namespace under a declared default one, as feedgen's: parsed,
    # they are Atom's.
    element = etree.Element("feed", xmlns=ATOM)
    updated = max((e.updated for e in feed.entries), default=site.empty_updated)
    for tag, text in (("id", url), ("title", feed_title(site, feed)),
                      ("updated", updated.isoformat())):
        etree.SubElement(element, tag).text = text
    if site.author:
        etree.SubElement(etree.SubElement(element, "author"), "name").text = site.author
    etree.SubElement(element, "link", href=url, rel="self", type="application/atom+xml")
    etree.SubElement(element, "link", href=home_url(site, feed), rel="alternate",
                     type="text/html")
    etree.SubElement(element, "generator", uri=PROJECT_URL,
                     version=site.version).text = "feedmaker"
    for tag, text in (("icon", site.icon), ("subtitle", feed.feed.description)):
        if text:
            etree.SubElement(element, tag).text = text
    return etree.tostring(etree.ElementTree(element), pretty_print=True, encoding="UTF-8",
                          xml_declaration=True)


def pieces(site: SiteData, feed: FeedData) -> list[tuple[str, bytes]]:
    """Each entry of the feed as (id, its serialized `<entry>`)."""
    return [(entry.id, render_entry(entry, categories, site.base_url, similar, changes))
            for entry, categories, similar, changes in shown_entries(site, feed)]


# A paper shows in several feeds of a run, always the same: each is rendered once.
@functools.lru_cache(maxsize=4096)
def render_entry(entry: Entry, categories: tuple[Category, ...], scheme: str,
                 similar: tuple[Similar, ...] = (), changes: tuple[Change, ...] = ()) -> bytes:
    """One `<entry>` element, serialized: the unit feeds are assembled from.

    The PDF is an enclosure, the other pages related links; `categories` are the entry's
    topics, each with the words that put it there (shown in the content); `changes` what
    changed, for an event of a news feed.

    In the order feedgen 1.0 wrote an entry's elements, which feedmaker used before.
    feedgen's entry links lost every attribute but href (a shadowed loop variable, feedgen
    issue #135), and going through its FeedEntry took twice as long as the entry itself.
    """
    # No namespace of its own, as feedgen's entries: inside the feed it takes the feed's
    # default namespace, Atom's.
    element = etree.Element("entry")
    for tag, text in (("id", entry.id), ("title", entry.title),
                      ("updated", entry.updated.isoformat())):
        etree.SubElement(element, tag).text = text
    for name in entry.authors:
        etree.SubElement(etree.SubElement(element, "author"), "name").text = name
    etree.SubElement(element, "content", type="html").text = entry_html(
        entry, categories, similar, changes)
    if entry.summary:
        etree.SubElement(element, "summary").text = entry.summary
    for slug, title, _ in categories:
        etree.SubElement(element, "category", term=slug, scheme=scheme, label=title)
    if entry.published:
        etree.SubElement(element, "published").text = entry.published.isoformat()
    etree.SubElement(element, "link", rel="alternate", type="text/html", href=entry.url)
    for kind, href in entry.links:
        if href != entry.url:
            rel, media_type = (("enclosure", PDF_TYPE) if kind == "pdf"
                               else ("related", "text/html"))
            etree.SubElement(element, "link", rel=rel, type=media_type,
                             title=LINK_TITLES[kind], href=href)
    if entry.image:
        etree.SubElement(element, f"{{{MEDIA}}}thumbnail", url=entry.image,
                         nsmap={"media": MEDIA})
    return etree.tostring(element, encoding="utf-8", pretty_print=True)


def assemble(skeleton: bytes, entries: Sequence[bytes]) -> bytes:
    """A feed document: the skeleton (the feed without entries) with the serialized entries
    appended, in order.

    Each piece is a complete element serialized by lxml, so the pieces join into one
    well-formed document, without parsing each paper's element back into one tree for
    every feed it is in. A skeleton always has its closing tag: its `<feed>` has children.
    """
    head, closing, tail = skeleton.rpartition(b"</feed>")
    return b"".join([head, *entries, closing, tail])
