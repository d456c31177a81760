"""arXiv's category feeds (`rss.arxiv.org/rss/cs.CL`, `/atom/cs.CL+cs.AI`), RSS or Atom."""

from __future__ import annotations

import re

from feedmaker.model import RawEntry
from feedmaker.normalize import arxiv_version, bare_arxiv_id
from feedmaker.schema import Key
from feedmaker.sources.arxiv_api import ARXIV
from feedmaker.sources.base import (
    Fetch,
    Warn,
    entries_of,
    parse_any_date,
)
from feedmaker.sources.feed import FeedItem, feed_items, item_name

# No announcements on weekends and holidays: an empty channel is arXiv's normal answer.
EMPTY_IS_NORMAL = True
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
OPTIONS = {
    "announce_types": Key("choices", ("new", "cross"),
                          "which announcements to take: new, cross, replace, replace-cross "
                          "(replacements are old papers with a new version)",
                          choices=ANNOUNCE_TYPES),
}
# "arXiv:2403.00001v1 Announce Type: new \nAbstract: The text..."
_PREFIX = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*[\w-]+\s*Abstract:\s*", re.IGNORECASE)
_ANNOUNCE = re.compile(r"Announce Type:\s*([\w-]+)", re.IGNORECASE)


def read(source, fetch: Fetch, warn: Warn) -> list[RawEntry]:
    """Fetch the category feed. An empty feed is normal on weekends and holidays."""
    response = fetch(source.url, conditional=True)
    return parse(response.body, source.name, response.url,
                 tuple(source.options["announce_types"]), warn)


def parse(body: bytes, source_name: str, page_url: str,
          announce_types: tuple[str, ...] = ("new", "cross"), warn: Warn | None = None
          ) -> list[RawEntry]:
    """Entries of an arXiv category feed, keeping the announcement types asked for; an item
    that cannot be read is left out with a warning (see `entries_of`)."""
    elements, read_item = feed_items(body, page_url)
    return entries_of(elements, lambda element: _to_raw(read_item(element), source_name,
                                                        announce_types),
                      source_name, warn, name_of=item_name)


def announce_type(item: FeedItem) -> str | None:
    """new, cross, replace or replace-cross: from `arxiv:announce_type`, else the text."""
    value = item.element.findtext(f"{ARXIV}announce_type")
    if value is None:
        match = _ANNOUNCE.search(item.summary or "")
        value = match[1] if match else None
    return value.strip().lower() if value else None


def _to_raw(item: FeedItem, source_name: str, announce_types: tuple[str, ...]
            ) -> RawEntry | None:
    kind = announce_type(item)
    if kind is not None and kind not in announce_types:
        return None
    guid = (item.guid or "").removeprefix("oai:arXiv.org:")
    # dc:creator holds every author in one string, "A. One, B. Two, C. Three".
    authors = [name.strip() for creator in item.authors for name in creator.split(",")]
    return RawEntry(
        source=source_name,
        title=item.title,
        summary=_PREFIX.sub("", item.summary or ""),
        url=item.link,
        arxiv_id=bare_arxiv_id(guid) if guid else None,
        authors=[a for a in authors if a],
        published=parse_any_date(item.published),
        categories=item.categories,
        version=arxiv_version(guid) if guid else None,  # a replacement is v2 or later
    )

