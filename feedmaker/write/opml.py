"""Render feeds.opml (OPML 2.0): every feed, for one-step import into a reader."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from feedmaker.outputs import SiteData, file_name
from feedmaker.write import RenderCache


@dataclass(frozen=True)
class OpmlInputs:
    """The site's title and page, and each feed's (title, description, Atom URL)."""

    title: str
    index_url: str
    feeds: tuple[tuple[str, str, str], ...]


def inputs(site: SiteData) -> OpmlInputs:
    """What feeds.opml is made from."""
    return OpmlInputs(site.title, site.index_url, tuple(
        (f"{site.title}: {feed.feed.title}", feed.feed.description,
         site.url(file_name(feed.feed.slug, "atom"))) for feed in site.feeds))


def render(opml_inputs: OpmlInputs, cache: RenderCache | None = None) -> bytes:
    """An OPML 2.0 subscription list of the feeds."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = opml_inputs.title
    body = etree.SubElement(opml, "body")
    for title, description, url in opml_inputs.feeds:
        etree.SubElement(body, "outline", type="rss", text=title, title=title, xmlUrl=url,
                         htmlUrl=opml_inputs.index_url,
                         **({"description": description} if description else {}))
    return etree.tostring(opml, pretty_print=True, xml_declaration=True, encoding="UTF-8")
