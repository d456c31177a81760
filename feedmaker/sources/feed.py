"""Any RSS 2.0, RSS 1.0 (RDF) or Atom feed, parsed without entity expansion or network."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from feedmaker.errors import ParseError
from feedmaker.model import RawEntry
from feedmaker.normalize import bare_arxiv_id
from feedmaker.sources.base import (
    Fetch,
    Warn,
    entries_of,
    parse_any_date,
    parse_xml,
    text_of,
)

if TYPE_CHECKING:
    from lxml import etree

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^>]*)?/?>")
ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
OPTIONS: dict = {}


@dataclass
class FeedItem:
    """One item of any feed format, its fields as loose strings (text, never HTML)."""

    element: etree._Element
    title: str | None = None
    link: str | None = None
    summary: str | None = None
    guid: str | None = None
    published: str | None = None  # Atom's <updated> when it has no <published>
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def read(source, fetch: Fetch, warn: Warn) -> list[RawEntry]:
    """Fetch the feed and turn its items into entries."""
    response = fetch(source.url, conditional=True)
    return parse(response.body, source.name, response.url, warn)


def parse(body: bytes, source_name: str, page_url: str, warn: Warn | None = None
          ) -> list[RawEntry]:
    """Entries of an RSS 2.0, RSS 1.0/RDF or Atom document; an item that cannot be read is
    left out with a warning (see `entries_of`)."""
    elements, read_item = feed_items(body, page_url)
    return entries_of(elements, lambda element: item_to_raw(read_item(element), source_name),
                      source_name, warn, name_of=item_name)


def item_to_raw(item: FeedItem, source_name: str) -> RawEntry:
    """A generic feed item as a RawEntry; arXiv ids are found in links and OAI guids."""
    guid_id = item.guid and item.guid.startswith("oai:arXiv.org:") and \
        bare_arxiv_id(item.guid.removeprefix("oai:arXiv.org:"))
    url = item.link or (item.guid if item.guid and item.guid.startswith("http") else None)
    return RawEntry(source=source_name, title=item.title, summary=item.summary, url=url,
                    arxiv_id=guid_id or None, authors=item.authors,
                    published=parse_any_date(item.published),
                    categories=item.categories)


def feed_items(body: bytes, page_url: str
               ) -> tuple[list[etree._Element], Callable[[etree._Element], FeedItem]]:
    """The item elements of a feed document, whatever its format, and the function that
    reads one; ParseError for anything that is not a feed."""
    root = parse_xml(body, page_url)
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise ParseError(f"{page_url}: RSS document without a <channel>")
        return list(channel.iterfind("item")), _rss2_item
    if root.tag == f"{RDF}RDF":
        return [item for item in root if item.tag in (f"{RSS1}item", f"{RSS090}item")], \
            _rdf_item
    if root.tag == f"{ATOM}feed":
        return list(root.iterfind(f"{ATOM}entry")), _atom_entry
    name = root.tag.rpartition("}")[2] if isinstance(root.tag, str) else "?"
    raise ParseError(f"{page_url}: not an RSS or Atom feed (the document is <{name}>)")


def item_name(element: etree._Element) -> str | None:
    """What names a feed item in a warning: its guid or id, else its link."""
    for tag in ("guid", f"{ATOM}id", "link", f"{RSS1}link", f"{RSS090}link"):
        text = element.findtext(tag)
        if text and text.strip():
            return text
    return element.get(f"{RDF}about")


def _rss2_item(item: etree._Element) -> FeedItem:
    authors = [t for t in (text_of(e) for e in item.iterfind(f"{DC}creator")) if t]
    if not authors and item.findtext("author"):
        # RSS 2.0's author is "email (Name)"; the name is what a reader shows.
        value = item.findtext("author").strip()
        authors = [value[value.find("(") + 1:value.rfind(")")] if value.endswith(")") else value]
    guid = item.findtext("guid")
    return FeedItem(
        element=item,
        title=html_to_text(item.findtext("title")),
        link=_absolute(item, item.findtext("link")),
        summary=html_to_text(item.findtext("description") or item.findtext(f"{CONTENT}encoded")),
        guid=guid.strip() if guid else None,
        published=item.findtext("pubDate") or item.findtext(f"{DC}date"),
        authors=authors,
        categories=[t for t in (text_of(e) for e in item.iterfind("category")) if t],
    )


def _rdf_item(item: etree._Element) -> FeedItem:
    ns = item.tag[:item.tag.index("}") + 1]
    return FeedItem(
        element=item,
        title=html_to_text(item.findtext(f"{ns}title")),
        link=_absolute(item, item.findtext(f"{ns}link") or item.get(f"{RDF}about")),
        summary=html_to_text(item.findtext(f"{ns}description")),
        guid=item.get(f"{RDF}about"),
        published=item.findtext(f"{DC}date"),
        authors=[t for t in (text_of(e) for e in item.iterfind(f"{DC}creator")) if t],
        categories=[t for t in (text_of(e) for e in item.iterfind(f"{DC}subject")) if t],
    )


def _atom_entry(entry: etree._Element) -> FeedItem:
    links = entry.findall(f"{ATOM}link")
    alternate = next((link for link in links if link.get("rel", "alternate") == "alternate"),
                     None)
    return FeedItem(
        element=entry,
        title=atom_text(entry.find(f"{ATOM}title")),
        link=_absolute(alternate, alternate.get("href")) if alternate is not None else None,
        summary=atom_text(entry.find(f"{ATOM}summary")) or atom_text(entry.find(f"{ATOM}content")),
        guid=entry.findtext(f"{ATOM}id"),
        published=entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated"),
        authors=[t for t in (a.findtext(f"{ATOM}name") for a in entry.iterfind(f"{ATOM}author"))
                 if t],
        categories=[c.get("term") for c in entry.iterfind(f"{ATOM}category") if c.get("term")],
    )


def html_to_text(value: str | None) -> str | None:
    """Text of an HTML fragment (scripts and styles dropped, entities left for normalize);
    a value with no tags in it is already text and is returned as it is."""
    if value is None or not _TAG.search(value):
        return value
    import nh3

    return nh3.clean(value, tags=set())


def atom_text(element: etree._Element | None) -> str | None:
    """The text of an Atom text construct, whatever its type (text, html or xhtml)."""
    if element is None:
        return None
    if element.get("type") == "html":
        return html_to_text(element.text or "")
    return text_of(element)


def _absolute(element: etree._Element | None, href: str | None) -> str | None:
    # xml:base (Atom) and the document's URL both count, as RFC 4287 section 2 says.
    if not href or element is None:
        return href
    return urljoin(element.base or "", href.strip())
