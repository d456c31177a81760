"""Read every source (hosts in parallel, one host's sources in turn) and normalize the entries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from feedmaker.config import Config, SourceConfig
from feedmaker.fetch import Fetcher, Validators
from feedmaker.model import Entry, RawEntry
from feedmaker.normalize import FUTURE_TOLERANCE, DropEntry, normalize
from feedmaker.sources import Collected, read_source

MAX_PARALLEL_HOSTS = 8


def collect(config: Config, fetcher: Fetcher, now: datetime, validators: dict[str, Validators],
            progress: Callable[[str, int, int], None]) -> list[Collected]:
    """Every source's entries, in config order.

    Sources on different hosts are fetched at the same time; sources on one host one after
    the other, so the fetcher's per-host spacing is what the host sees. `progress` is
    called as ("reading sources", sources done, sources) each time one is done.
    """
    results: dict[str, Collected] = {}
    lock = threading.Lock()

    by_host: dict[str, list[SourceConfig]] = {}
    for source in config.sources:
        by_host.setdefault(urlsplit(source.url).netloc.lower(), []).append(source)

    def read_host(sources: list[SourceConfig]) -> None:
        for source in sources:
            result = read_source(source, fetcher, validators.get(source.name))
            # A source that failed or is unchanged has no raws to normalize. Once normalized,
            # they are let go: the run keeps the result to its end.
            result.entries = normalize_all(result.raws, now, result.warnings)
            result.raws = []
            with lock:
                results[source.name] = result
                progress("reading sources", len(results), len(config.sources))

    if len(by_host) <= 1:
        for sources in by_host.values():
            read_host(sources)
    else:
        with ThreadPoolExecutor(min(MAX_PARALLEL_HOSTS, len(by_host))) as pool:
            list(pool.map(read_host, by_host.values()))  # list(): a host's error raises here
    return [results[source.name] for source in config.sources]


def normalize_all(raws: list[RawEntry], now: datetime, warnings: list[str]) -> list[Entry]:
    """Normalized entries, each paper once (the first sighting on the page wins); what cannot
    be used is dropped or repaired with a warning."""
    entries: dict[str, Entry] = {}
    for raw in raws:
        try:
            entry = normalize(raw)
        except DropEntry as exc:
            warnings.append(str(exc))
            continue
        if entry.published is None and isinstance(raw.published, str) and raw.published.strip():
            warnings.append(f"{raw.source}: {entry.id}: cannot read the date "
                            f"{raw.published.strip()[:40]!r}; using the time it was first seen")
        elif entry.published and entry.published > now + FUTURE_TOLERANCE:
            warnings.append(f"{raw.source}: {entry.id} is dated "
                            f"{entry.published:%Y-%m-%d}, in the future; "
                            "using the time it was first seen")
            entry = replace(entry, published=None)
        entries.setdefault(entry.id, entry)
    return list(entries.values())
