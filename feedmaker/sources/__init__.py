"""Source types: each module turns one kind of listing into `RawEntry` items.

Every source module has the same small interface:

- `read(source, fetch) -> list[RawEntry]`: fetch what the source config names and parse it;
- `parse(body, source_name, page_url) -> list[RawEntry]`: the pure part, used by tests.

Sources never write anything; errors are `SourceError`s that name the source and URL.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from feedmaker.errors import SourceError
from feedmaker.fetch import Response
from feedmaker.model import RawEntry
from feedmaker.sources import hf_api, hf_page

Fetch = Callable[[str], Response]

SOURCE_TYPES: dict[str, ModuleType] = {
    "hf-api": hf_api,
    "hf-page": hf_page,
}


def read_source(source, fetch: Fetch) -> list[RawEntry]:
    """Fetch and parse one configured source; errors carry the source's name."""
    module = SOURCE_TYPES[source.type]
    try:
        return module.read(source, fetch)
    except SourceError as exc:
        raise type(exc)(f"source {source.name!r}: {exc}") from exc
