"""The entry model: `RawEntry` is what sources emit, `Entry` is the normalized paper."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Kinds of related link an entry may carry, in the order they are shown.
LINK_KINDS = ("arxiv", "pdf", "code", "project")


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


@dataclass(frozen=True)
class Entry:
    """A normalized paper: canonical id, clean text, aware UTC dates, absolute URLs.

    `published` is the paper's own date, or None when the source gave none (the store
    then uses the first time it saw the paper). `updated` and `first_seen` are filled
    in by the store.
    """

    id: str
    title: str
    url: str
    source: str
    arxiv_id: str | None = None
    summary: str = ""
    summary_is_abstract: bool = True
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    links: tuple[tuple[str, str], ...] = ()
    categories: tuple[str, ...] = ()
    upvotes: int | None = None
    updated: datetime | None = None
    first_seen: datetime | None = None

    def link(self, kind: str) -> str | None:
        """The related link of one kind (see LINK_KINDS), if the entry has it."""
        return dict(self.links).get(kind)
