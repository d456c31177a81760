"""Titles and abstracts of library papers known by arXiv id: from what is known, else arXiv."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace

from feedmaker.errors import SourceError
from feedmaker.fetch import Response
from feedmaker.like.library import LibraryPaper
from feedmaker.normalize import clean_text
from feedmaker.sources import arxiv_api


@dataclass
class LookupResult:
    """The papers (filled in where found), ids arXiv does not know, and fetch failures."""

    papers: list[LibraryPaper]
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def stored_texts(papers: Sequence[LibraryPaper], history) -> dict[str, tuple[str, str]]:
    """arXiv id -> (title, summary) of the papers needing a lookup that the state store's
    history (`store.history`) holds."""
    found = {}
    for paper in papers:
        entry = paper.needs_lookup and history.get(f"https://arxiv.org/abs/{paper.arxiv_id}")
        if entry:
            found[paper.arxiv_id] = (entry.title, entry.summary)
    return found


def fill_in(papers: Sequence[LibraryPaper], cache: MutableMapping[str, list | None],
            fetch: Callable[..., Response] | None,
            known: Mapping[str, tuple[str, str]] | None = None,
            *, api_url: str = arxiv_api.API_URL) -> LookupResult:
    """Each paper lacking an abstract gets its title and abstract from `known` (arXiv id ->
    (title, summary), e.g. the state store), else `cache`, else the API through `fetch`
    (a feedmaker.fetch.Fetcher: it spaces requests to arXiv 3 s apart) at `api_url`, at
    most arxiv_api.ID_BATCH ids a request.

    The cache maps an id to [title, abstract], or to None when arXiv answered without it,
    so each id is asked once. A failed request is reported and its papers stay as they
    were; the next run asks again. With `fetch` None, nothing is fetched.
    """
    known = known or {}
    wanted = [p.arxiv_id for p in papers if p.needs_lookup and p.arxiv_id not in known
              and p.arxiv_id not in cache]
    wanted = list(dict.fromkeys(wanted))
    errors = []
    if fetch is not None:
        for start in range(0, len(wanted), arxiv_api.ID_BATCH):
            ids = wanted[start:start + arxiv_api.ID_BATCH]
            try:
                # An entry that cannot be read is left out with a note naming the API; the
                # others are kept.
                found = {raw.arxiv_id: [clean_text(raw.title), clean_text(raw.summary)]
                         for raw in arxiv_api.look_up(ids, fetch, source_name=api_url,
                                                      api_url=api_url, warn=errors.append)}
            except SourceError as exc:
                errors.append(str(exc))
                continue
            for arxiv_id in ids:
                cache[arxiv_id] = found.get(arxiv_id)
    filled, unknown = [], []
    for paper in papers:
        if paper.needs_lookup:
            text = known.get(paper.arxiv_id) or cache.get(paper.arxiv_id)
            if text:
                paper = replace(paper, title=paper.title or text[0], abstract=text[1])
            elif paper.arxiv_id in cache:
                unknown.append(paper.arxiv_id)
        filled.append(paper)
    return LookupResult(filled, unknown, errors)

