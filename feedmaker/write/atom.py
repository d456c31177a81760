"""Render one feed's entries as Atom bytes with feedgen; no clock and no files here."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime

import nh3
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from lxml.html import builder as E

from feedmaker import PROJECT_URL, __version__
from feedmaker.model import Entry
from feedmaker.write import FeedInfo

LINK_TITLES = {"arxiv": "arXiv abstract", "pdf": "PDF", "code": "Code", "project": "Project page"}
LINK_TYPES = {"arxiv": "text/html", "pdf": "application/pdf", "code": "text/html",
              "project": "text/html"}
CONTENT_TAGS = {"p", "a", "strong", "br"}


class _LinksFeed(BaseExtension):
    """Feed half of the links extension; feedgen needs one, it adds nothing."""


class _LinksEntry(BaseEntryExtension):
    """Writes an entry's links with rel, type and title.

    feedgen 1.0's own entry links lose every attribute but href (a shadowed loop variable,
    feedgen issue #135), which turns related links into duplicate alternates.
    """

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for link in self.links:
            etree.SubElement(entry, "link", link)
        return entry


def render_atom(feed: FeedInfo, *, author: str, updated: datetime,
                topic_titles: Mapping[str, str], entry_topics: Mapping[str, Sequence[str]],
                index_url: str, icon: str | None = None, subtitle: str = "") -> bytes:
    """The Atom document of `feed`. `updated` is used only when the feed has no entries."""
    fg = FeedGenerator()
    fg.register_extension("feedmaker_links", _LinksFeed, _LinksEntry, atom=True, rss=False)
    fg.id(feed.url)
    fg.title(feed.title)
    if subtitle or feed.description:
        fg.subtitle(subtitle or feed.description)
    fg.link(href=feed.url, rel="self", type="application/atom+xml")
    fg.link(href=index_url, rel="alternate", type="text/html")
    fg.author({"name": author})
    fg.generator("feedmaker", version=__version__, uri=PROJECT_URL)
    if icon:
        fg.icon(icon)
    fg.updated(max((e.updated for e in feed.entries), default=updated))
    for entry in feed.entries:
        _add_entry(fg, entry, topic_titles, entry_topics.get(entry.id, ()), feed.base_url)
    return fg.atom_str(pretty=True)


def _add_entry(fg: FeedGenerator, entry: Entry, topic_titles: Mapping[str, str],
               topics: Sequence[str], scheme: str) -> None:
    fe = fg.add_entry(order="append")
    fe.id(entry.id)
    fe.title(entry.title)
    fe.published(entry.published)
    fe.updated(entry.updated)
    for name in entry.authors:
        fe.author({"name": name})
    for slug in topics:
        if slug in topic_titles:
            fe.category(term=slug, label=topic_titles[slug], scheme=scheme)
    if entry.summary:
        fe.summary(entry.summary)
    fe.content(entry_html(entry), type="html")
    fe.feedmaker_links.links = [{"rel": "alternate", "type": "text/html", "href": entry.url}] + [
        {"rel": "related", "type": LINK_TYPES[kind], "title": LINK_TITLES[kind], "href": href}
        for kind, href in entry.links if href != entry.url
    ]


@functools.lru_cache(maxsize=4096)
def entry_html(entry: Entry) -> str:
    """The entry body as sanitized HTML: abstract, authors, then its links.

    Cached: a paper in three topics appears in four feeds of one run.
    """
    parts = []
    if entry.summary:
        parts.append(E.P(entry.summary))
    if entry.authors:
        parts.append(E.P(E.STRONG("Authors: "), ", ".join(entry.authors)))
    anchors = [E.A("Paper page", href=entry.url)]
    anchors += [E.A(LINK_TITLES[kind], href=href) for kind, href in entry.links
                if href != entry.url]
    for anchor in anchors[:-1]:
        anchor.tail = " · "
    parts.append(E.P(*anchors))
    markup = "".join(etree.tostring(part, method="html", encoding="unicode") for part in parts)
    return nh3.clean(markup, tags=CONTENT_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https"}, link_rel="noopener noreferrer")
