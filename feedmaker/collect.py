"""Read every source (hosts in parallel, one host's sources in turn) and normalize the entries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from feedmaker.config import Config, SourceConfig
from feedmaker.fetch import Fetcher, Validators
from feedmaker.model import Entry, RawEntry
from feedmaker.normalize import FUTURE_TOLERANCE, DropEntry, normalize
from feedmaker.sources import read_source

MAX_PARALLEL_HOSTS = 8


@dataclass
class Collected:
    """One source's part of a run, ready to merge (or not, when `error` says why)."""

    source: SourceConfig
    entries: list[Entry] = field(default_factory=list)
    unchanged: bool = False
    validators: Validators | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line on how reading the source went."""
        name = self.source.name
        if self.error:
            return f"source {name!r} failed: {self.error}"
        if self.unchanged:
            return f"source {name!r}: unchanged since the last run"
        return f"source {name!r}: {len(self.entries)} entries"


def collect(config: Config, fetcher: Fetcher, now: datetime,
            validators: dict[str, Validators] | None = None,
            progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
            ) -> list[Collected]:
    """Every source's entries, in config order.

    Sources on different hosts are fetched at the same time; sources on one host one after
    the other, so the fetcher's per-host spacing is what the host sees. `progress` is
    called as ("reading sources", sources done, sources) each time one is done.
    """
    finished, lock = [0], threading.Lock()

    def one_done() -> None:
        with lock:
            finished[0] += 1
            progress("reading sources", finished[0], len(config.sources))

    by_host: dict[str, list[SourceConfig]] = {}
    for source in config.sources:
        by_host.setdefault(urlsplit(source.url).netloc.lower(), []).append(source)

    def read_host(sources: list[SourceConfig]) -> list[Collected]:
        done = []
        for source in sources:
            done.append(_collect_one(source, fetcher, now, (validators or {}).get(source.name)))
            one_done()
        return done

    if len(by_host) <= 1:
        done = [read_host(sources) for sources in by_host.values()]
    else:
        with ThreadPoolExecutor(min(MAX_PARALLEL_HOSTS, len(by_host))) as pool:
            done = list(pool.map(read_host, by_host.values()))
    results = {c.source.name: c for group in done for c in group}
    return [results[source.name] for source in config.sources]


def _collect_one(source: SourceConfig, fetcher: Fetcher, now: datetime,
                 validators: Validators | None) -> Collected:
    result = read_source(source, fetcher, validators)  # no raws when unchanged or failed
    entries = normalize_all(result.raws, now, result.warnings)
    return Collected(source, entries, result.unchanged, result.validators, result.error,
                     result.warnings)


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
