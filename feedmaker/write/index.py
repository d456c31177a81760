"""Render index.html, the front page: every feed with its size, pictures and newest titles,
its page and its feeds, the OPML link, and how each source's last attempts went."""

from __future__ import annotations

from datetime import datetime

from lxml import etree
from lxml.html import builder as E

from feedmaker.outputs import FEED_FORMATS, OPML, PAGE, FeedData, SiteData, SourceHealth, file_name
from feedmaker.write import entry_count, feed_title
from feedmaker.write.layout import document

# How many of each feed's newest pictures and titles the front page shows.
PICTURES_SHOWN, NEWEST_SHOWN = 4, 3
SOURCE_TYPES = {"hf-api": "Hugging Face API", "hf-page": "Hugging Face page",
                "arxiv-api": "arXiv API", "arxiv-rss": "arXiv announcements",
                "html": "web page", "feed": "feed"}


def render(site: SiteData) -> bytes:
    """The front page, with autodiscovery links to every feed; everything escaped."""
    formats = [fmt for fmt in site.formats if FEED_FORMATS[fmt].feed]
    pages = PAGE in site.formats
    discovery = [E.LINK(rel="alternate", type=FEED_FORMATS[fmt].media_type,
                        title=feed_title(site, feed)
                        + ("" if fmt == "atom" else f" ({FEED_FORMATS[fmt].label})"),
                        href=file_name(feed.feed.slug, fmt))
                 for fmt in formats for feed in site.feeds]
    header = E.HEADER(
        E.H1(site.title),
        *([E.P(site.subtitle)] if site.subtitle else []),
        E.P("Each topic below has " + ("a page to browse and " if pages else "")
            + "a feed to subscribe to in any feed reader; import them all at once with ",
            E.A("all feeds (OPML)", href=OPML), "."),
    )
    # Sources first, and short: a failing one is what a visitor most needs to know.
    main = E.E.main(
        *([E.SECTION(E.H2("Sources", id="sources"),
                     E.UL(*[_source_item(source) for source in site.sources],
                          E.CLASS("sources")),
                     **{"aria-labelledby": "sources"})] if site.sources else []),
        E.SECTION(E.H2("Topics", id="topics"),
                  E.UL(*[_feed_card(feed, formats, pages) for feed in site.feeds],
                       E.CLASS("cards")),
                  **{"aria-labelledby": "topics"}),
    )
    return document(site.title, discovery, header, main, site.version)


def _feed_card(feed: FeedData, formats: list[str], pages: bool) -> etree._Element:
    slug = feed.feed.slug
    atom = file_name(slug, "atom")
    home = file_name(slug, PAGE) if pages else atom
    others = [E.A(FEED_FORMATS[fmt].label, href=file_name(slug, fmt))
              for fmt in formats if fmt != "atom"]
    pictures = [(e.image, e.title, e.url) for e in feed.entries if e.image][:PICTURES_SHOWN]
    newest = [(e.title, e.url) for e in feed.entries[:NEWEST_SHOWN]]
    return E.LI(
        E.H3(E.A(feed.feed.title, href=home), " ",
             E.SPAN(entry_count(feed), E.CLASS("count"))),
        *([E.P(feed.feed.description)] if feed.feed.description else []),
        *([E.P(_failing(feed.failing_since),
               f": its files are as the last good run left them. {feed.error}")]
          if feed.error else []),
        *([E.UL(*[E.LI(E.A(E.IMG(src=image, alt=title, loading="lazy", decoding="async"),
                           href=url)) for image, title, url in pictures],
                E.CLASS("strip"))] if pictures else []),
        *([E.UL(*[E.LI(E.A(title, href=url)) for title, url in newest],
                E.CLASS("newest"))] if newest else []),
        E.P(*([E.A("Browse", href=home)] if pages else []),
            E.A("Subscribe", E.CLASS("subscribe"), href=atom,
                type=FEED_FORMATS["atom"].media_type),
            *others, E.CLASS("actions")),
        E.CLASS("card"), id=slug,
    )


def _source_item(source: SourceHealth) -> etree._Element:
    kind = SOURCE_TYPES.get(source.type, source.type)
    # A day, not a time, for its last good read: a run that changes nothing else leaves the
    # page alone.
    last_read = source.last_success.date() if source.last_success else None
    read = (f"last read successfully on {last_read.day} {last_read:%B %Y}" if last_read
            else "never read successfully yet")
    if source.error:
        return E.LI(E.STRONG(source.name), f" ({kind}): ",
                    _failing(source.failing_since),
                    f"; {read}. Last error: {source.error}")
    seen = (f" ({source.entries_seen} {'paper' if source.entries_seen == 1 else 'papers'})"
            if source.entries_seen is not None else "")
    return E.LI(E.STRONG(source.name), f" ({kind}): ", E.SPAN("working", E.CLASS("ok")),
                f"; {read}{seen}.")


def _failing(since: datetime | None) -> etree._Element:
    return E.SPAN(f"failing since {since:%Y-%m-%d %H:%M} UTC" if since else "failing",
                  E.CLASS("failing"))
