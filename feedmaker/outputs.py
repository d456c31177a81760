"""Every output file, declared once: the feeds (their definitions and formats), the site-wide
files, the one function that names them, and the digest that tells when one is stale."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from feedmaker.model import Entry, shown_entry

ALL_SLUG = "all"
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Names Windows cannot store, whatever the extension.
DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)}
                         | {f"lpt{i}" for i in range(10)})


@dataclass(frozen=True)
class FeedDef:
    """One feed: its slug (the stem of its files), display title and description, and which
    papers it selects: `kind` "all" (every paper), "topic" (the papers tagged `slug`; with
    `best_only`, only those for which it is the best-scoring topic) or "view" (the papers
    in the view `slug`)."""

    slug: str
    title: str
    description: str
    kind: str = "topic"
    best_only: bool = False


@dataclass(frozen=True)
class Output:
    """A kind of output file. `module` (in feedmaker.write) has `inputs(site[, feed])`, which
    picks out everything the file is made from, and `render(inputs, cache)`, which reads
    only that; the file is rendered again exactly when the digest of its inputs changes."""

    name: str          # the file name of a site file; for a feed format, its extension
    module: str
    media_type: str
    label: str = ""
    every_run: bool = False  # rendered on every run that publishes, whatever its inputs
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
    # Times of this run: written by every run that publishes (not by one that finds
    # nothing changed, which writes nothing).
    Output(STATUS, "status", "application/json", every_run=True),
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
    each entry's topics, in config order, with (in `terms`, when known) the words that put
    it in each of them: `terms[i][j]` are those of `topics[i][j]`."""

    feed: FeedDef
    entries: tuple[Entry, ...]
    topics: tuple[tuple[str, ...], ...]
    terms: tuple[tuple[tuple[str, ...], ...], ...] = ()
    # Each entry's `like` views: (view title, the library paper it is most like).
    similar: tuple[tuple[tuple[str, str], ...], ...] = ()


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
    """Everything any output may be made from, gathered once per run; each output's `inputs`
    picks its part."""

    title: str
    subtitle: str
    base_url: str
    author: str
    icon: str | None
    formats: tuple[str, ...]
    topic_titles: tuple[tuple[str, str], ...]  # (slug, title) of every topic, in order
    empty_updated: datetime  # a feed with no entries is dated when the store was created
    version: str
    feeds: tuple[FeedData, ...] = field(default=())
    sources: tuple[SourceHealth, ...] = ()
    run_time: datetime | None = None  # when this run started: only status.json shows it

    def url(self, name: str) -> str:
        """The public URL of an output file."""
        return self.base_url + name

    @property
    def index_url(self) -> str:
        return self.url(INDEX)


def digest(value: object) -> str:
    """The digest of a value that holds no Entry (a config, say): of its repr, as is."""
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def fingerprint(inputs: object) -> str:
    """The digest of an output's inputs: equal exactly when the file would be the same."""
    return hashlib.sha256(repr(_canonical(inputs)).encode("utf-8")).hexdigest()


_PLAIN = (str, int, float, bool, type(None), datetime)


def _canonical(value: object) -> object:
    """`value` with every Entry in it replaced by its digest (whose repr is short)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Entry):
        return entry_key(value)
    fields = getattr(type(value), "__dataclass_fields__", None)
    if fields is not None:
        return (type(value).__name__, tuple(_canonical(getattr(value, name)) for name in fields))
    if isinstance(value, tuple | list):
        if all(isinstance(v, _PLAIN) for v in value):
            return tuple(value)
        return tuple(_canonical(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    return value


def piece_key(entry: Entry, *plain: object) -> str:
    """The digest of one entry's piece of a file (its `<entry>`, its item on a page): what
    outputs show of the entry, and `plain` values (strings, numbers and tuples of them)."""
    return hashlib.sha256(repr((entry_key(entry), plain)).encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=8192)
def entry_key(entry: Entry) -> str:
    """A digest of everything outputs show of an entry (see `model.shown_entry`)."""
    return hashlib.sha256(repr(shown_entry(entry)).encode("utf-8")).hexdigest()
