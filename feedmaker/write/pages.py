"""Render one feed as a web page (`vision.html`): its papers by day, each with its picture,
title, authors, notes, links, topics (linked to their pages) and folded abstract.

No script; every link between the site's files is relative, so the pages work from file://
and from any server.
"""

from __future__ import annotations

import functools
import itertools
from datetime import date
from html import escape

import nh3
from lxml.html import builder as E

from feedmaker.model import Entry
from feedmaker.outputs import FEED_FORMATS, INDEX, PAGE, FeedData, SiteData
from feedmaker.outputs import file_name as output_file
from feedmaker.write import entry_count, feed_title, shown_entries
from feedmaker.write.content import (
    Category,
    Change,
    Similar,
    all_terms,
    change_html,
    highlighted,
    href,
    links,
    names,
    similar_text,
)
from feedmaker.write.layout import document

# Authors listed on a page before "and N more".
AUTHORS_SHOWN = 12
ITEM_CLEANER = nh3.Cleaner(
    tags={"li", "article", "div", "h3", "a", "p", "img", "details", "summary", "mark", "span",
          "strong", "bdi"},
    attributes={"*": {"class"}, "a": {"href"}, "img": {"src", "alt", "loading", "decoding"}},
    url_schemes={"http", "https"}, link_rel="noopener noreferrer")


def render(site: SiteData, feed: FeedData) -> bytes:
    """The page: a head and header, then each day's papers."""
    days = itertools.groupby(shown_entries(site, feed), key=lambda shown: (
        shown[0].published.date() if shown[0].published else None))
    sections = [_day_section(day, [render_item(*shown) for shown in day_entries])
                for day, day_entries in days] or [b"<p>No papers yet.</p>"]
    # The sections are HTML text already: they go into the page's empty <main>. Only the
    # footer follows it, and no "</main>" can be in that (lxml escapes every "<" of text).
    head, closing, tail = _document(site, feed).rpartition(b"</main>")
    return b"".join([head, *sections, closing, tail])


def _document(site: SiteData, feed: FeedData) -> bytes:
    slug, title = feed.feed.slug, feed.feed.title
    feeds = [(fmt, output_file(slug, fmt)) for fmt in site.formats if FEED_FORMATS[fmt].feed]
    return document(
        feed_title(site, feed),
        [E.LINK(rel="alternate", type=FEED_FORMATS[fmt].media_type,
                title=f"{feed_title(site, feed)} ({FEED_FORMATS[fmt].label})",
                href=name) for fmt, name in feeds],
        E.HEADER(
            E.P(E.A(site.title, href=INDEX), E.CLASS("crumbs")),
            E.H1(title),
            *([E.P(feed.feed.description)] if feed.feed.description else []),
            E.P(E.A("Subscribe", E.CLASS("subscribe"), href=feeds[0][1],
                    type=FEED_FORMATS[feeds[0][0]].media_type),
                *[E.A(FEED_FORMATS[fmt].label, href=name) for fmt, name in feeds[1:]],
                f" {entry_count(feed)}, newest first",
                E.CLASS("actions")),
            E.E.nav(E.UL(*[E.LI(E.A(other.feed.title, href=output_file(other.feed.slug, PAGE),
                                    **({"aria-current": "page"}
                                       if other.feed.slug == slug else {})))
                           for other in site.feeds], E.CLASS("chips")),
                    **{"aria-label": "Topics"}),
        ),
        E.E.main(),
        site.version)


def _day_section(day: date | None, items: list[bytes]) -> bytes:
    heading = (f'<time datetime="{day.isoformat()}">{day:%A} {day.day} {day:%B %Y}</time>'
               if day else "Undated")
    return b"".join([f'<section><h2>{heading}</h2><ol class="papers">'.encode(), *items,
                     b"</ol></section>"])


# A paper shows in several pages of a run, always the same: each is rendered once.
@functools.lru_cache(maxsize=4096)
def render_item(entry: Entry, categories: tuple[Category, ...],
                similar: tuple[Similar, ...] = (), changes: tuple[Change, ...] = ()) -> bytes:
    """One paper's `<li>` on a page (or an event's, with what changed), as sanitized HTML:
    the unit pages are assembled from."""
    shown = entry.authors[:AUTHORS_SHOWN]
    notes = "; ".join(note for note in (entry.comment, entry.journal_ref) if note)
    parts = [f'<h3><a href="{href(entry.url)}">{escape(entry.title)}</a></h3>']
    parts += [f'<p class="change">{change_html(label, text)}</p>' for label, text in changes]
    if shown:
        parts.append(f'<p class="authors">{names(shown, len(entry.authors) - len(shown))}</p>')
    if notes:
        parts.append(f'<p class="note">{escape(notes)}</p>')
    if similar:
        parts.append(f'<p class="note">Similar to: {escape(similar_text(similar))}</p>')
    parts.append(f'<p class="links">{"".join(links(entry))}</p>')
    if categories:
        topics = [f'<span><a href="{href(output_file(slug, PAGE))}">{escape(title)}</a>'
                  + (f' <span class="why">{escape(", ".join(words))}</span>' if words else "")
                  + "</span>" for slug, title, words in categories]
        parts.append(f'<p class="topics">{"".join(topics)}</p>')
    if entry.summary:
        abstract = highlighted(entry.summary, all_terms(categories))
        parts.append(f"<details><summary>Abstract</summary><p>{abstract}</p></details>")
    picture = (f'<img src="{href(entry.image)}" alt="{escape(entry.title)}" loading="lazy"'
               ' decoding="async" class="thumb">' if entry.image else "")
    markup = f'<li class="paper"><article>{picture}<div>{"".join(parts)}</div></article></li>'
    return ITEM_CLEANER.clean(markup).encode("utf-8")
