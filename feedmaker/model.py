"""The entry model: `RawEntry` is what sources emit, `Entry` is the normalized paper."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime

# Kinds of related link an entry may carry, in the order they are shown.
LINK_KINDS = ("arxiv", "pdf", "code", "project", "doi")

# How the store merges two sightings of one paper, field by field (see store.history):
# "newer" the newer sighting's value unless it has none, "first" the first known value,
# "owned" the value of the source that first gave one (its own later sightings are edits;
# another source only fills it in when empty: two sources that word a paper a little
# apart never flip it back and forth), "union" both tuples joined in order, "links" links
# united by kind, "max" the larger, "abstract" as "owned", but an abstract always wins
# over an AI summary, "owners" which source owns each owned field, "store" kept by the
# store in columns of its own.
NEWER, FIRST, OWNED, UNION, LINKS, MAX = "newer", "first", "owned", "union", "links", "max"
ABSTRACT, OWNERS, STORE = "abstract", "owners", "store"
MERGE_POLICIES = (NEWER, FIRST, OWNED, UNION, LINKS, MAX, ABSTRACT, OWNERS, STORE)


def _merged(how: str, *, shown: bool = True, content: bool = False):
    # content: part of what readers see as the entry's content; `updated` moves when it changes.
    return {"merge": how, "shown": shown, "content": content}


@dataclass
class RawEntry:
    """A paper as a source saw it: loose strings, nothing cleaned or checked yet."""

    source: str
    title: str | None = None
    summary: str | None = None
    summary_is_abstract: bool = True
    url: str | None = None
    arxiv_id: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | str | None = None
    links: dict[str, str] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    upvotes: int | None = None
    image: str | None = None        # the paper's picture (Hugging Face's thumbnail)
    comment: str | None = None      # arXiv's author comment: "Accepted at ...", page counts
    journal_ref: str | None = None  # arXiv's journal reference
    doi: str | None = None
    version: int | None = None      # the arXiv version this sighting is of (2 for v2)


@dataclass(frozen=True)
class Entry:
    """A normalized paper: canonical id, clean text, aware UTC dates, absolute URLs.

    `published` is the paper's own date, or None when the source gave none (the store
    then uses the first time it saw the paper). `updated` and `first_seen` are filled
    in by the store. Each field's metadata says how two sightings merge and whether
    outputs may show it; a new field needs nothing more than its line here.
    """

    id: str = field(metadata=_merged(FIRST))
    title: str = field(metadata=_merged(OWNED, content=True))
    url: str = field(metadata=_merged(FIRST))
    source: str = field(metadata=_merged(FIRST))  # the first source that listed the paper
    arxiv_id: str | None = field(default=None, metadata=_merged(FIRST))
    summary: str = field(default="", metadata=_merged(ABSTRACT, content=True))
    summary_is_abstract: bool = field(default=True, metadata=_merged(ABSTRACT))
    authors: tuple[str, ...] = field(default=(), metadata=_merged(OWNED, content=True))
    published: datetime | None = field(default=None, metadata=_merged(STORE))
    links: tuple[tuple[str, str], ...] = field(default=(), metadata=_merged(LINKS, content=True))
    categories: tuple[str, ...] = field(default=(), metadata=_merged(UNION))
    # A live counter: shown nowhere, so a count ticking up never makes a paper look new.
    upvotes: int | None = field(default=None, metadata=_merged(NEWER, shown=False))
    image: str = field(default="", metadata=_merged(OWNED, content=True))  # an http(s) URL
    comment: str = field(default="", metadata=_merged(OWNED, content=True))
    journal_ref: str = field(default="", metadata=_merged(OWNED, content=True))
    # (field, source) of each owned field whose source is not `source`, the paper's first.
    owners: tuple[tuple[str, str], ...] = field(default=(), metadata=_merged(OWNERS,
                                                                            shown=False))
    # The most upvotes ever seen: a view's `min_upvotes` reads it, so a paper that reached
    # the bar stays in the view when its count falls again.
    top_upvotes: int | None = field(default=None, metadata=_merged(MAX, shown=False))
    # The highest arXiv version seen: a higher one later is a `version` event (feedmaker.events).
    version: int | None = field(default=None, metadata=_merged(MAX, shown=False))
    updated: datetime | None = field(default=None, metadata=_merged(STORE))
    first_seen: datetime | None = field(default=None, metadata=_merged(STORE))

    def link(self, kind: str) -> str | None:
        """The related link of one kind (see LINK_KINDS), if the entry has it."""
        return dict(self.links).get(kind)


NOT_SHOWN = frozenset(f.name for f in fields(Entry) if not f.metadata.get("shown", True))
# What readers see as an entry's content: `updated` moves when one of these changes (and
# when its topics do: see store.topics).
CONTENT_FIELDS = tuple(f.name for f in fields(Entry) if f.metadata.get("content"))


def shown_entry(entry: Entry) -> Entry:
    """The entry with the fields no output may show reset to their defaults, so an output
    made from it cannot depend on them."""
    return replace(entry, **{f.name: f.default for f in fields(entry)
                             if not f.metadata.get("shown", True)})
