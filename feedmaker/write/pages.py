"""Render one feed as a web page (`vision.html`): its papers by day, each with its picture,
title, authors, notes, links, topics (linked to their pages) and folded abstract.

No script; every link between the site's files is relative, so the pages work from file://
and from any server. Each paper's item is rendered once and cached like the Atom entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import nh3
from lxml import etree
from lxml.html import builder as E

from feedmaker.model import Entry
from feedmaker.outputs import FEED_FORMATS, INDEX, PAGE, FeedData, SiteData, piece_key
from feedmaker.outputs import file_name as output_file
from feedmaker.write import RenderCache, categories
from feedmaker.write import similar as similar_of
from feedmaker.write.content import (
    Category,
    Similar,
    all_terms,
    highlighted,
    links,
    similar_text,
)
from feedmaker.write.layout import document, join_at_marker, marker

# Authors listed on a page before "and N more".
AUTHORS_SHOWN = 12
ITEM_TAGS = {"li", "article", "div", "h3", "a", "p", "img", "details", "summary", "mark",
             "span", "strong"}
ITEM_ATTRIBUTES = {"*": {"class"}, "a": {"href"},
                   "img": {"src", "alt", "loading", "decoding"}}


@dataclass(frozen=True)
class PageInputs:
    """What one feed's page is made from."""

    file_name: str
    site_title: str
    slug: str
    title: str
    description: str
    formats: tuple[str, ...]  # the feed formats written beside it
    nav: tuple[tuple[str, str], ...]  # (slug, title) of every feed
    version: str
    entries: tuple[Entry, ...]
    categories: tuple[tuple[Category, ...], ...]
    similar: tuple[tuple[Similar, ...], ...] = ()


def inputs(site: SiteData, feed: FeedData, name: str) -> PageInputs:
    """What one feed's page is made from."""
    return PageInputs(
        file_name=name, site_title=site.title, slug=feed.feed.slug, title=feed.feed.title,
        description=feed.feed.description,
        formats=tuple(f for f in site.formats if FEED_FORMATS[f].feed),
        nav=tuple((other.feed.slug, other.feed.title) for other in site.feeds),
        version=site.version, entries=feed.entries, categories=categories(site, feed),
        similar=similar_of(feed))


def render(page: PageInputs, cache: RenderCache | None = None) -> bytes:
    """The page: a head and header made here, then each day's papers, each paper's item
    taken from `cache` when an earlier render of it is there, else rendered and added."""
    cache = cache if cache is not None else RenderCache()
    days: list[tuple[date, list[bytes]]] = []
    for entry, entry_categories, similar in zip(page.entries, page.categories,
                                                similar_of(page), strict=True):
        day = entry.published.date() if entry.published else None
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(_item(page.version, entry, entry_categories, similar, cache))
    sections = [_day_section(day, items) for day, items in days] or [
        b"<p>No papers yet.</p>"]
    return join_at_marker(_document(page, E.E.main(marker())), sections)


def _document(page: PageInputs, main: etree._Element) -> bytes:
    feeds = [(fmt, output_file(page.slug, fmt)) for fmt in page.formats]
    count = len(page.entries)
    return document(
        f"{page.site_title}: {page.title}",
        [E.LINK(rel="alternate", type=FEED_FORMATS[fmt].media_type,
                title=f"{page.site_title}: {page.title} ({FEED_FORMATS[fmt].label})",
                href=name) for fmt, name in feeds],
        E.HEADER(
            E.P(E.A(page.site_title, href=INDEX), E.CLASS("crumbs")),
            E.H1(page.title),
            *([E.P(page.description)] if page.description else []),
            E.P(E.A("Subscribe", E.CLASS("subscribe"), href=feeds[0][1],
                    type=FEED_FORMATS[feeds[0][0]].media_type),
                *[E.A(FEED_FORMATS[fmt].label, href=name) for fmt, name in feeds[1:]],
                f" {count} {'paper' if count == 1 else 'papers'}, newest first",
                E.CLASS("actions")),
            E.E.nav(E.UL(*[E.LI(E.A(title, href=output_file(slug, PAGE),
                                    **({"aria-current": "page"} if slug == page.slug else {})))
                           for slug, title in page.nav], E.CLASS("chips")),
                    **{"aria-label": "Topics"}),
        ),
        main,
        page.version)


def _day_section(day: date | None, items: list[bytes]) -> bytes:
    heading = (E.H2(E.E.time(f"{day:%A} {day.day} {day:%B %Y}", datetime=day.isoformat()))
               if day else E.H2("Undated"))
    section = etree.tostring(E.SECTION(heading, E.OL(marker(), E.CLASS("papers"))),
                             method="html", encoding="utf-8")
    return join_at_marker(section, items)


def _item(version: str, entry: Entry, entry_categories: tuple[Category, ...],
          similar: tuple[Similar, ...], cache: RenderCache) -> bytes:
    key = piece_key(entry, version, entry_categories, similar)
    for known in (cache.pages_fresh, cache.pages_stored):
        if entry.id in known and known[entry.id][0] == key:
            return known[entry.id][1]
    html = render_item(entry, entry_categories, similar)
    cache.pages_fresh[entry.id] = (key, html)
    return html


def render_item(entry: Entry, entry_categories: Sequence[Category],
                similar: Sequence[Similar] = ()) -> bytes:
    """One paper's `<li>` on a page, serialized and sanitized: the unit pages are assembled
    from and that the state store caches."""
    authors = ", ".join(entry.authors[:AUTHORS_SHOWN])
    if len(entry.authors) > AUTHORS_SHOWN:
        authors += f" and {len(entry.authors) - AUTHORS_SHOWN} more"
    notes = "; ".join(note for note in (entry.comment, entry.journal_ref) if note)
    text = E.DIV(
        E.H3(E.A(entry.title, href=entry.url)),
        *([E.P(authors, E.CLASS("authors"))] if authors else []),
        *([E.P(notes, E.CLASS("note"))] if notes else []),
        *([E.P("Similar to: ", similar_text(similar), E.CLASS("note"))] if similar else []),
        E.P(*[E.A(title, href=href) for title, href in links(entry)], E.CLASS("links")),
        *([E.P(*[E.SPAN(E.A(title, href=output_file(slug, PAGE)),
                        *([" ", E.SPAN(", ".join(words), E.CLASS("why"))] if words else []))
                 for slug, title, words in entry_categories], E.CLASS("topics"))]
          if entry_categories else []),
        *([E.E.details(E.E.summary("Abstract"),
                       E.P(*highlighted(entry.summary, all_terms(entry_categories))))]
          if entry.summary else []),
    )
    picture = ([E.IMG(E.CLASS("thumb"), src=entry.image, alt=entry.title, loading="lazy",
                      decoding="async")] if entry.image else [])
    item = E.LI(E.E.article(*picture, text), E.CLASS("paper"))
    markup = etree.tostring(item, method="html", encoding="unicode")
    return nh3.clean(markup, tags=ITEM_TAGS, attributes=ITEM_ATTRIBUTES,
                     url_schemes={"http", "https"}, link_rel="noopener noreferrer"
                     ).encode("utf-8")
