"""Source types: each module turns one kind of listing into `RawEntry` items.

Every source module has the same small interface:

- `OPTIONS`: the config keys it accepts beyond the common ones, each a `schema.Key`, and
  optionally `check(options)`: what is wrong across them, as "key: problem";
- `read(source, fetch, warn) -> list[RawEntry]`: fetch what the source config names and parse
  it, asking for a conditional fetch of its first URL only;
- `parse(body, source_name, page_url, ..., warn=None) -> list[RawEntry]` (`html`'s takes the
  `Response`): the pure part, used by tests.

Sources never write anything; errors are `SourceError`s that name the source and URL. An
entry that cannot be read is left out with a `warn(message)` naming the source and the entry
(`base.entries_of`), so one bad entry never costs the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from feedmaker.errors import SourceError
from feedmaker.fetch import Fetcher, NotModified, Response, Validators
from feedmaker.model import Entry, RawEntry
from feedmaker.sources import arxiv_api, arxiv_rss, feed, hf_api, hf_page, html
from feedmaker.sources.base import describe_error

SOURCE_TYPES: dict[str, ModuleType] = {
    "hf-api": hf_api,
    "hf-page": hf_page,
    "arxiv-api": arxiv_api,
    "arxiv-rss": arxiv_rss,
    "html": html,
    "feed": feed,
}


class Source(Protocol):
    """What reading a source, and judging what it gave, need of its config (a
    feedmaker.config.SourceConfig, which is made from this package's types)."""

    name: str
    type: str
    url: str
    options: dict
    allow_empty: bool
    min_interval: float | None
    timeout: float | None

    @property
    def settings(self) -> str: ...


@dataclass
class Collected:
    """One source's part of a run: its entries, or `unchanged`, or the error that stopped it.
    `read_source` reads the raw entries; `collect` normalizes them into `entries`."""

    source: Source
    raws: list[RawEntry] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    unchanged: bool = False
    validators: Validators | None = None  # of the first URL, to store when the run commits
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # entries left out, and why

    @property
    def summary(self) -> str:
        """One line on how reading the source went."""
        name = self.source.name
        if self.error:
            return f"source {name!r} failed: {self.error}"
        if self.unchanged:
            return f"source {name!r}: unchanged since the last run"
        return f"source {name!r}: {len(self.entries)} entries"


def read_source(source: Source, fetcher: Fetcher,
                validators: Validators | None = None) -> Collected:
    """Fetch and parse one configured source. Never raises (but for KeyboardInterrupt and
    the like): a failure is returned in `error`, one line with the source's name in front."""
    first: list[Validators] = []
    fetched: list[str] = []
    warnings: list[str] = []

    def fetch(url: str, *, conditional: bool = False) -> Response:
        fetched.append(url)
        response = fetcher(url, validators=validators if conditional else None,
                           min_interval=source.min_interval,
                           deadline=source.timeout)
        if conditional:
            first.append(response.validators)
        return response

    try:
        raws = SOURCE_TYPES[source.type].read(source, fetch, warnings.append)
    except NotModified:
        return Collected(source, unchanged=True)
    except SourceError as exc:
        return Collected(source, error=f"source {source.name!r}: " + " ".join(str(exc).split()))
    except Exception as exc:  # noqa: BLE001 - whatever a body does, it stops this source only
        url = fetched[-1] if fetched else source.url
        return Collected(source, error=f"source {source.name!r}: {url}: cannot read it: "
                                       f"{describe_error(exc)}")
    return Collected(source, raws, validators=first[0] if first else None, warnings=warnings)
