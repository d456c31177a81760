"""Source types: each module turns one kind of listing into `RawEntry` items.

Every source module has the same small interface:

- `OPTIONS`: the config keys it accepts beyond name, type and url (see `base.Option`);
- `read(source, fetch) -> list[RawEntry]`: fetch what the source config names and parse it,
  asking for a conditional fetch of its first URL only;
- `parse(body, source_name, page_url, ...) -> list[RawEntry]`: the pure part, used by tests.

Sources never write anything; errors are `SourceError`s that name the source and URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from feedmaker.errors import SourceError
from feedmaker.fetch import Fetcher, NotModified, Response, Validators
from feedmaker.model import RawEntry
from feedmaker.sources import arxiv_api, arxiv_rss, feed, hf_api, hf_page, html
from feedmaker.sources.base import Fetch

SOURCE_TYPES: dict[str, ModuleType] = {
    "hf-api": hf_api,
    "hf-page": hf_page,
    "arxiv-api": arxiv_api,
    "arxiv-rss": arxiv_rss,
    "html": html,
    "feed": feed,
}

__all__ = ["SOURCE_TYPES", "Fetch", "SourceResult", "read_source"]


@dataclass
class SourceResult:
    """One source's part of a run: its entries, or `unchanged`, or the error that stopped it."""

    name: str
    raws: list[RawEntry]
    unchanged: bool = False
    validators: Validators | None = None  # of the first URL, to store when the run commits
    error: str | None = None


def read_source(source, fetcher: Fetcher, validators: Validators | None = None) -> SourceResult:
    """Fetch and parse one configured source. Never raises a SourceError: a failure is
    returned in `error`, with the source's name in front."""
    first: list[Validators] = []

    def fetch(url: str, *, conditional: bool = False) -> Response:
        response = fetcher(url, validators=validators if conditional else None,
                           min_interval=source.min_interval,
                           deadline=source.options.get("timeout"))
        if conditional:
            first.append(response.validators)
        return response

    try:
        raws = SOURCE_TYPES[source.type].read(source, fetch)
    except NotModified:
        return SourceResult(source.name, [], unchanged=True)
    except SourceError as exc:
        return SourceResult(source.name, [], error=f"source {source.name!r}: {exc}")
    return SourceResult(source.name, raws, validators=first[0] if first else None)
