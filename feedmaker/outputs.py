"""Every output file, declared once: the feeds (their definitions and formats), the site-wide
files, the one function that names them, and the data all of them are rendered from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from feedmaker.model import Entry

ALL_SLUG = "all"
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Names Windows cannot store, whatever the extension.
DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)}
                         | {f"lpt{i}" for i in range(10)})


@dataclass(frozen=True)
class FeedDef:
    """One feed: its slug (the stem of its files), display title and description, and which
    papers it selects: `kind` "all" (every paper), "topic" (the papers tagged `slug`; with
    `best_only`, only those for which it is the best-scoring topic), "view" or "like" (the
    papers in the view `slug`) or "news" (the events of the `news` kinds of the papers the
    view `slug` follows; `popular` ones for the upvote bar `bar`)."""

    slug: str
    title: str
    description: str
    kind: str = "topic"
    best_only: bool = False
    news: tuple[str, ...] = ()
    bar: int | None = None


@dataclass(frozen=True)
class Output:
    """A kind of output file, rendered by `render` of the module `module` of feedmaker.write:
    `render(site, feed)` for a feed format, `render(site)` for a site file."""

    name: str          # the file name of a site file; for a feed format, its extension
    module: str
    media_type: str
    label: str = ""
    feed: bool = True  # a feed format readers subscribe to (not the feed's web page)


PAGE = "html"
# Each feed is written in every format of `site.formats`, as `<slug>.<extension>`, and as a
# web page, `<slug>.html`, unless `site.pages` is false.
FEED_FORMATS: dict[str, Output] = {o.name: o for o in (
    Output("atom", "atom", "application/atom+xml", "Atom"),
    Output("json", "jsonfeed", "application/feed+json", "JSON Feed"),
    Output(PAGE, "pages", "text/html", "Web page", feed=False),
)}
INDEX, OPML, STATUS = "index.html", "feeds.opml", "status.json"
# Written once per site, after the feeds.
SITE_FILES: dict[str, Output] = {o.name: o for o in (
    Output(INDEX, "index", "text/html"),
    Output(OPML, "opml", "text/x-opml"),
    Output(STATUS, "status", "application/json"),
)}


def file_name(slug: str, format_name: str) -> str:
    """The file of one feed in one format: `vision` + `atom` -> `vision.atom`."""
    return f"{slug}.{FEED_FORMATS[format_name].name}"


def reserved_slugs() -> frozenset[str]:
    """Slugs no topic may take: the all-papers feed's, the stems of the site files (a
    `vision.atom` beside `index.html` is fine, an `index.atom` would confuse), and device
    names."""
    return frozenset({ALL_SLUG} | {name.split(".")[0] for name in SITE_FILES} | DEVICE_NAMES)


def slug_problem(slug: str) -> str | None:
    """What makes `slug` unusable as a feed's file stem, or None."""
    if not SLUG.match(slug):
        return (f"slug {slug!r} must be lower-case letters, digits and inner hyphens "
                "(it becomes a file name)")
    if slug in reserved_slugs():
        return f"slug {slug!r} is reserved; choose another name"
    return None


@dataclass(frozen=True)
class FeedData:
    """One feed with its selected entries (newest first, only the fields outputs show) and
    each entry's topics, in config order, with (in `terms`) the words that put it in each
    of them, when known: `terms[i][j]` are those of `topics[i][j]`."""

    feed: FeedDef
    entries: tuple[Entry, ...]
    topics: tuple[tuple[str, ...], ...]
    terms: tuple[tuple[tuple[str, ...], ...], ...]
    # Each entry's `like` views: (view title, the library paper it is most like).
    similar: tuple[tuple[tuple[str, str], ...], ...] = ()
    # Why this run could not publish the feed (a view that failed): its files stay as they
    # were, and the front page and status.json say so.
    error: str = ""
    failing_since: datetime | None = None
    # A news feed's entries are events: each one's (label, text) lines of what changed.
    changes: tuple[tuple[tuple[str, str], ...], ...] = ()


@dataclass(frozen=True)
class SourceHealth:
    """How a source's attempts went, as the site shows them: its URL without query or local
    path, its last error on one line, with any URL in it shortened the same way."""

    name: str
    type: str
    url: str
    last_attempt: datetime | None
    last_success: datetime | None
    failing_since: datetime | None
    error: str  # "" when its last attempt succeeded
    entries_seen: int | None


@dataclass(frozen=True)
class SiteData:
    """Everything any output is rendered from, gathered once per run."""

    title: str
    subtitle: str
    base_url: str
    author: str
    icon: str | None
    formats: tuple[str, ...]
    topic_titles: tuple[tuple[str, str], ...]  # (slug, title) of every topic, in order
    empty_updated: datetime  # a feed with no entries is dated when the store was created
    version: str
    feeds: tuple[FeedData, ...] = ()
    sources: tuple[SourceHealth, ...] = ()
    run_time: datetime | None = None  # when this run started: only status.json shows it

    def url(self, name: str) -> str:
        """The public URL of an output file."""
        return self.base_url + name

    def feed(self, slug: str) -> FeedData:
        """The feed of that slug."""
        return next(feed for feed in self.feeds if feed.feed.slug == slug)
