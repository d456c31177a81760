"""Renderers of the output files, each a module with `inputs(...)` and `render(inputs, cache)`
(see outputs.Output), and `files`, the one module that writes to out_dir. No clock, no store,
no config here: everything comes in through the inputs."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType

from feedmaker import outputs
from feedmaker.model import Entry
from feedmaker.outputs import INDEX, PAGE, Output, SiteData

# How many of each feed's newest titles index.html lists.
NEWEST_SHOWN = 3


def renderer(output: Output) -> ModuleType:
    """The module that renders an output (imported when first needed: lxml and feedgen
    load only in runs that render)."""
    return importlib.import_module(f"feedmaker.write.{output.module}")


@dataclass(frozen=True)
class FeedInputs:
    """What one feed file is made from, in any format: the feed's identity and its entries,
    each with the (slug, title) of its topics."""

    file_name: str
    title: str
    description: str
    base_url: str
    author: str
    icon: str | None
    empty_updated: datetime
    version: str
    entries: tuple[Entry, ...]
    # Each entry's topics: (slug, title, the words that put the entry there).
    categories: tuple[tuple[tuple[str, str, tuple[str, ...]], ...], ...] = field(default=())
    page: str = ""  # the feed's web page, when it has one
    # Each entry's `like` views: (view title, the library paper it is most like).
    similar: tuple[tuple[tuple[str, str], ...], ...] = field(default=())

    @property
    def url(self) -> str:
        """The feed's own URL: its id and its `rel="self"` link."""
        return self.base_url + self.file_name

    @property
    def home_url(self) -> str:
        """The feed's web page: its own, else index.html."""
        return self.base_url + (self.page or INDEX)


def feed_inputs(site: SiteData, feed, file_name: str) -> FeedInputs:
    """The FeedInputs of one feed (an outputs.FeedData) written as `file_name`."""
    return FeedInputs(
        file_name=file_name, title=f"{site.title}: {feed.feed.title}",
        description=feed.feed.description, base_url=site.base_url, author=site.author,
        icon=site.icon, empty_updated=site.empty_updated, version=site.version,
        entries=feed.entries, categories=categories(site, feed),
        page=outputs.file_name(feed.feed.slug, PAGE) if PAGE in site.formats else "",
        similar=similar(feed))


def similar(feed) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Each entry's `like` views in a feed (FeedData or FeedInputs), none when not given."""
    return feed.similar or ((),) * len(feed.entries)


def categories(site: SiteData, feed) -> tuple[tuple[tuple[str, str, tuple[str, ...]], ...], ...]:
    """Each entry's topics in a feed (an outputs.FeedData): (slug, title, the words that put
    the entry there, when known)."""
    titles = dict(site.topic_titles)
    terms = feed.terms or tuple(((),) * len(topics) for topics in feed.topics)
    return tuple(tuple((slug, titles[slug], tuple(words)) for slug, words
                       in zip(topics, entry_terms, strict=True))
                 for topics, entry_terms in zip(feed.topics, terms, strict=True))


@dataclass
class RenderCache:
    """What the renderers of one run share: entries rendered by earlier runs (`stored`,
    {id: (key, xml)}), those rendered in this run (`fresh`), each Atom feed's skeleton,
    kept for validation, and the same two for the entries' items in web pages."""

    stored: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    fresh: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    skeletons: dict[str, bytes] = field(default_factory=dict)
    pages_stored: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    pages_fresh: dict[str, tuple[str, bytes]] = field(default_factory=dict)
