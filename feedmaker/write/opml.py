"""Render feeds.opml (OPML 2.0): every feed, for one-step import into a reader."""

from __future__ import annotations

from lxml import etree

from feedmaker.outputs import INDEX, SiteData, file_name
from feedmaker.write import feed_title


def render(site: SiteData) -> bytes:
    """An OPML 2.0 subscription list of the feeds."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = site.title
    opml.addprevious(etree.Comment(f" Written by feedmaker {site.version}. "))
    body = etree.SubElement(opml, "body")
    for feed in site.feeds:
        title = feed_title(site, feed)
        etree.SubElement(body, "outline", type="rss", text=title, title=title,
                         xmlUrl=site.url(file_name(feed.feed.slug, "atom")),
                         htmlUrl=site.url(INDEX),
                         **({"description": feed.feed.description}
                            if feed.feed.description else {}))
    return etree.tostring(opml.getroottree(), pretty_print=True, xml_declaration=True,
                          encoding="UTF-8")
