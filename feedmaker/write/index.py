"""Render index.html: every feed with its description, size, newest titles and subscribe links."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.html import builder as E

from feedmaker.outputs import FEED_FORMATS, OPML, SiteData, file_name
from feedmaker.write import NEWEST_SHOWN, RenderCache

STYLE = """
:root { color-scheme: light dark; --muted: #667; --line: #dde; --accent: #c45500; }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
header p, .meta { color: var(--muted); }
section { border-top: 1px solid var(--line); padding: 0.8rem 0; }
h2 { font-size: 1.15rem; margin: 0 0 0.2rem; }
h2 a { color: inherit; text-decoration: none; }
.subscribe { display: inline-block; margin-left: 0.5rem; padding: 0 0.5rem; border-radius: 4px;
  background: var(--accent); color: #fff; font-size: 0.8rem; text-decoration: none; }
ul { margin: 0.3rem 0 0; padding-left: 1.2rem; }
li { margin: 0.1rem 0; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.9rem; }
"""


@dataclass(frozen=True)
class FeedSummary:
    """What the index shows of one feed."""

    slug: str
    title: str
    description: str
    count: int
    newest: tuple[tuple[str, str], ...]  # (title, url) of its newest entries


@dataclass(frozen=True)
class IndexInputs:
    """What index.html is made from."""

    title: str
    subtitle: str
    formats: tuple[str, ...]
    feeds: tuple[FeedSummary, ...]


def inputs(site: SiteData) -> IndexInputs:
    """What index.html is made from: each feed's identity, size and newest titles."""
    return IndexInputs(site.title, site.subtitle, site.formats, tuple(
        FeedSummary(feed.feed.slug, feed.feed.title, feed.feed.description, len(feed.entries),
                    tuple((e.title, e.url) for e in feed.entries[:NEWEST_SHOWN]))
        for feed in site.feeds))


def render(index: IndexInputs, cache: RenderCache | None = None) -> bytes:
    """The HTML page listing the feeds, with autodiscovery links; everything escaped."""
    discovery = [E.LINK(rel="alternate", type=FEED_FORMATS[fmt].media_type,
                        title=f"{index.title}: {feed.title}"
                        + ("" if fmt == "atom" else f" ({FEED_FORMATS[fmt].label})"),
                        href=file_name(feed.slug, fmt))
                 for fmt in index.formats for feed in index.feeds]
    page = E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.META(name="viewport", content="width=device-width, initial-scale=1"),
            E.TITLE(index.title),
            *discovery,
            E.LINK(rel="outline", type="text/x-opml", title="All feeds (OPML)", href=OPML),
            E.STYLE(STYLE),
        ),
        E.BODY(
            E.HEADER(
                E.H1(index.title),
                *([E.P(index.subtitle)] if index.subtitle else []),
                E.P("Subscribe to any feed below in your feed reader, or import ",
                    E.A("all feeds at once (OPML)", href=OPML), "."),
            ),
            E.E.main(*[_feed_section(feed) for feed in index.feeds]),
            E.FOOTER("Made by feedmaker."),
        ),
        lang="en",
    )
    return etree.tostring(page, method="html", encoding="utf-8", doctype="<!DOCTYPE html>",
                          pretty_print=True)


def _feed_section(feed: FeedSummary) -> etree._Element:
    atom = file_name(feed.slug, "atom")
    newest = [E.LI(E.A(title, href=url)) for title, url in feed.newest]
    return E.SECTION(
        E.H2(E.A(feed.title, href=atom), E.A("Subscribe", E.CLASS("subscribe"), href=atom)),
        *([E.P(feed.description)] if feed.description else []),
        E.P(f"{feed.count} {'entry' if feed.count == 1 else 'entries'} · ", E.CODE(atom),
            E.CLASS("meta")),
        *([E.UL(*newest)] if newest else []),
        id=feed.slug,
    )
