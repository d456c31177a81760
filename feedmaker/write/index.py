"""Render index.html, the front page: every feed with its size, pictures and newest titles,
its page and its feeds, the OPML link, and how each source's last attempts went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree
from lxml.html import builder as E

from feedmaker.outputs import FEED_FORMATS, OPML, PAGE, SiteData, SourceHealth, file_name
from feedmaker.write import NEWEST_SHOWN, RenderCache
from feedmaker.write.layout import document

# How many of each feed's newest pictures the front page shows.
PICTURES_SHOWN = 4
SOURCE_TYPES = {"hf-api": "Hugging Face API", "hf-page": "Hugging Face page",
                "arxiv-api": "arXiv API", "arxiv-rss": "arXiv announcements",
                "html": "web page", "feed": "feed"}


@dataclass(frozen=True)
class FeedSummary:
    """What the front page shows of one feed."""

    slug: str
    title: str
    description: str
    count: int
    newest: tuple[tuple[str, str], ...]  # (title, url) of its newest entries
    pictures: tuple[tuple[str, str, str], ...] = ()  # (image, title, url) of its newest


@dataclass(frozen=True)
class SourceLine:
    """What the front page shows of one source: only what changes when its health does (a
    day, not a time, for its last good read), so a run that changes nothing else leaves the
    page alone."""

    name: str
    type: str
    last_read: date | None
    failing_since: datetime | None
    error: str
    entries_seen: int | None


@dataclass(frozen=True)
class IndexInputs:
    """What index.html is made from."""

    title: str
    subtitle: str
    formats: tuple[str, ...]  # the feed formats written
    pages: bool  # whether each feed has its web page
    feeds: tuple[FeedSummary, ...]
    sources: tuple[SourceLine, ...] = ()
    version: str = ""


def inputs(site: SiteData) -> IndexInputs:
    """What index.html is made from: each feed's identity, size, newest titles and pictures,
    and each source's health."""
    return IndexInputs(
        site.title, site.subtitle, tuple(f for f in site.formats if FEED_FORMATS[f].feed),
        PAGE in site.formats,
        tuple(FeedSummary(feed.feed.slug, feed.feed.title, feed.feed.description,
                          len(feed.entries),
                          tuple((e.title, e.url) for e in feed.entries[:NEWEST_SHOWN]),
                          tuple((e.image, e.title, e.url) for e in feed.entries
                                if e.image)[:PICTURES_SHOWN])
              for feed in site.feeds),
        tuple(_source_line(source) for source in site.sources), site.version)


def _source_line(source: SourceHealth) -> SourceLine:
    return SourceLine(source.name, source.type,
                      source.last_success.date() if source.last_success else None,
                      source.failing_since, source.error, source.entries_seen)


def render(index: IndexInputs, cache: RenderCache | None = None) -> bytes:
    """The front page, with autodiscovery links to every feed; everything escaped."""
    discovery = [E.LINK(rel="alternate", type=FEED_FORMATS[fmt].media_type,
                        title=f"{index.title}: {feed.title}"
                        + ("" if fmt == "atom" else f" ({FEED_FORMATS[fmt].label})"),
                        href=file_name(feed.slug, fmt))
                 for fmt in index.formats for feed in index.feeds]
    header = E.HEADER(
        E.H1(index.title),
        *([E.P(index.subtitle)] if index.subtitle else []),
        E.P("Each topic below has " + ("a page to browse and " if index.pages else "")
            + "a feed to subscribe to in any feed reader; import them all at once with ",
            E.A("all feeds (OPML)", href=OPML), "."),
    )
    # Sources first, and short: a failing one is what a visitor most needs to know.
    main = E.E.main(
        *([E.SECTION(E.H2("Sources", id="sources"),
                     E.UL(*[_source_item(source) for source in index.sources],
                          E.CLASS("sources")),
                     **{"aria-labelledby": "sources"})] if index.sources else []),
        E.SECTION(E.H2("Topics", id="topics"),
                  E.UL(*[_feed_card(feed, index) for feed in index.feeds], E.CLASS("cards")),
                  **{"aria-labelledby": "topics"}),
    )
    return document(index.title, discovery, header, main, index.version)


def _feed_card(feed: FeedSummary, index: IndexInputs) -> etree._Element:
    atom = file_name(feed.slug, "atom")
    home = file_name(feed.slug, PAGE) if index.pages else atom
    others = [E.A(FEED_FORMATS[fmt].label, href=file_name(feed.slug, fmt))
              for fmt in index.formats if fmt != "atom"]
    return E.LI(
        E.H3(E.A(feed.title, href=home), " ",
             E.SPAN(f"{feed.count} {'paper' if feed.count == 1 else 'papers'}",
                    E.CLASS("count"))),
        *([E.P(feed.description)] if feed.description else []),
        *([E.UL(*[E.LI(E.A(E.IMG(src=image, alt=title, loading="lazy", decoding="async"),
                           href=url)) for image, title, url in feed.pictures],
                E.CLASS("strip"))] if feed.pictures else []),
        *([E.UL(*[E.LI(E.A(title, href=url)) for title, url in feed.newest],
                E.CLASS("newest"))] if feed.newest else []),
        E.P(*([E.A("Browse", href=home)] if index.pages else []),
            E.A("Subscribe", E.CLASS("subscribe"), href=atom,
                type=FEED_FORMATS["atom"].media_type),
            *others, E.CLASS("actions")),
        E.CLASS("card"), id=feed.slug,
    )


def _source_item(source: SourceLine) -> etree._Element:
    kind = SOURCE_TYPES.get(source.type, source.type)
    read = (f"last read successfully on {_day(source.last_read)}" if source.last_read
            else "never read successfully yet")
    if source.error:
        return E.LI(E.STRONG(source.name), f" ({kind}): ",
                    E.SPAN(f"failing since {source.failing_since:%Y-%m-%d %H:%M} UTC"
                           if source.failing_since else "failing", E.CLASS("failing")),
                    f"; {read}. Last error: {source.error}")
    seen = (f" ({source.entries_seen} {'paper' if source.entries_seen == 1 else 'papers'})"
            if source.entries_seen is not None else "")
    return E.LI(E.STRONG(source.name), f" ({kind}): ", E.SPAN("working", E.CLASS("ok")),
                f"; {read}{seen}.")


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
