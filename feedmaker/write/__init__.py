"""Renderers of the output files, one module each with `render(site, feed)` (a feed format)
or `render(site)` (a site file), and `files`, the one module that writes to out_dir. No
clock, no store, no config here: everything comes in through the SiteData."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING

from feedmaker.outputs import FEED_FORMATS, INDEX, PAGE, SITE_FILES, FeedData, Output, SiteData
from feedmaker.outputs import file_name as output_file

if TYPE_CHECKING:
    from feedmaker.model import Entry
    from feedmaker.write.content import Category, Change, Similar


def renderer(output: Output) -> ModuleType:
    """The module that renders an output (imported when first needed: lxml and nh3
    load only in runs that render)."""
    return importlib.import_module(f"feedmaker.write.{output.module}")


def render_site(site: SiteData) -> dict[str, bytes]:
    """Every file of the site by name: each feed in each format, then the site files. A
    feed that failed in this run (`FeedData.error`) is not rendered: its files stay."""
    files = {}
    for feed in site.feeds:
        if feed.error:
            continue
        for format_name in site.formats:
            files[output_file(feed.feed.slug, format_name)] = renderer(
                FEED_FORMATS[format_name]).render(site, feed)
    for name, output in SITE_FILES.items():
        files[name] = renderer(output).render(site)
    return files


def feed_title(site: SiteData, feed: FeedData) -> str:
    """A feed's title as readers show it: the site's title, then the feed's."""
    return f"{site.title}: {feed.feed.title}"


def entry_count(feed: FeedData) -> str:
    """"1 paper", "12 papers"; a news feed's entries are events."""
    count, noun = len(feed.entries), "event" if feed.feed.kind == "news" else "paper"
    return f"{count} {noun if count == 1 else noun + 's'}"


def home_url(site: SiteData, feed: FeedData) -> str:
    """A feed's web page: its own when pages are written, else index.html."""
    return site.url(output_file(feed.feed.slug, PAGE) if PAGE in site.formats else INDEX)


def shown_entries(site: SiteData, feed: FeedData
                  ) -> Iterator[tuple[Entry, tuple[Category, ...], tuple[Similar, ...],
                                      tuple[Change, ...]]]:
    """Each entry of a feed with what its renderings show beside it: its topics (slug,
    title, the words that put the entry there), the library papers it is like (like views)
    and what changed (news views)."""
    titles = dict(site.topic_titles)
    nothing = ((),) * len(feed.entries)
    for entry, topics, terms, similar, changes in zip(
            feed.entries, feed.topics, feed.terms, feed.similar or nothing,
            feed.changes or nothing, strict=True):
        yield (entry, tuple((slug, titles[slug], words)
                            for slug, words in zip(topics, terms, strict=True)),
               similar, changes)


def rfc3339(moment: datetime | None) -> str | None:
    """A time as the JSON files write it (UTC), or None."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
