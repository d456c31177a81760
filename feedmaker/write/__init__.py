"""Renderers (Atom, index.html, OPML) that return bytes, and the one module that writes files."""

from __future__ import annotations

from dataclasses import dataclass, field

from feedmaker.model import Entry

# How many of each feed's newest titles index.html lists.
NEWEST_SHOWN = 3


def json_name(atom_name: str) -> str:
    """`vision.atom` -> `vision.json`."""
    return atom_name.rsplit(".", 1)[0] + ".json"


@dataclass(frozen=True)
class FeedInfo:
    """One output feed: its file, identity and the entries it holds, newest first."""

    file_name: str
    title: str
    description: str
    base_url: str
    entries: tuple[Entry, ...] = field(default=())

    @property
    def url(self) -> str:
        """The feed's own URL: its Atom id and its `rel="self"` link."""
        return self.base_url + self.file_name
