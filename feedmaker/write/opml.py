"""Render feeds.opml (OPML 2.0): every feed, for one-step import into a reader."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from feedmaker.write import FeedInfo


def render_opml(title: str, feeds: Sequence[FeedInfo], index_url: str) -> bytes:
    """An OPML 2.0 subscription list of `feeds`."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(opml, "body")
    for feed in feeds:
        etree.SubElement(body, "outline", type="rss", text=feed.title, title=feed.title,
                         xmlUrl=feed.url, htmlUrl=index_url,
                         **({"description": feed.description} if feed.description else {}))
    return etree.tostring(opml, pretty_print=True, xml_declaration=True, encoding="UTF-8")
