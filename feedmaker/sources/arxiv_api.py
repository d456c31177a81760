"""arXiv's query API (`export.arxiv.org/api/query`), an Atom document per page of results."""

from __future__ import annotations

from urllib.parse import urlencode

from feedmaker.errors import ParseError
from feedmaker.model import RawEntry
from feedmaker.normalize import arxiv_id_from_url, arxiv_version
from feedmaker.schema import Key
from feedmaker.sources.base import (
    Fetch,
    Warn,
    entries_of,
    paging,
    parse_any_date,
    parse_xml,
    text_of,
    with_query,
)
from feedmaker.sources.feed import ATOM

# Where papers known by id are looked up (`like` libraries, watched papers), and how many
# ids one request asks for.
API_URL = "https://export.arxiv.org/api/query"
ID_BATCH = 100
# Seconds between two lookups: arXiv asks for 3 s, and the API may be reached at another
# address than arXiv's own (site.arxiv_api_url).
LOOKUP_INTERVAL = 3.0
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
OPTIONS = {
    "pages": Key("count", 1, "how many pages of `max_results` to read (3 s apart, as "
                 "arXiv asks); reading stops at the last result"),
}


def read(source, fetch: Fetch, warn: Warn) -> list[RawEntry]:
    """Fetch the query's pages. arXiv sometimes answers an empty body: that is an error."""
    entries: list[RawEntry] = []
    read_so_far = 0  # entries on the pages so far, those left out included
    start, pages = paging(source, "start", warn)
    for page in range(pages):
        url = source.url if page == 0 else with_query(source.url, start=start + read_so_far)
        response = fetch(url, conditional=page == 0)
        found, total, count = _parse_page(body=response.body, source_name=source.name,
                                          page_url=response.url, warn=warn)
        entries += found
        read_so_far += count
        if not count or total <= start + read_so_far:
            break
    return entries


def look_up(ids: list[str], fetch, *, source_name: str, api_url: str = API_URL,
            warn: Warn | None = None) -> list[RawEntry]:
    """The entries arXiv gives for these ids (at most ID_BATCH), asked in one `id_list`
    request through `fetch` (a feedmaker.fetch.Fetcher), LOOKUP_INTERVAL after the last
    request to its host. An id arXiv does not know is not among them."""
    url = f"{api_url}?{urlencode({'id_list': ','.join(ids), 'max_results': len(ids)})}"
    response = fetch(url, min_interval=LOOKUP_INTERVAL)
    return parse(response.body, source_name=source_name, page_url=url, warn=warn)


def parse(body: bytes, source_name: str, page_url: str, warn: Warn | None = None
          ) -> list[RawEntry]:
    """Entries of one API answer; the API's error entries become a ParseError, and an entry
    that cannot be read is left out with a warning (see `entries_of`)."""
    return _parse_page(body, source_name, page_url, warn)[0]


def _parse_page(body: bytes, source_name: str, page_url: str, warn: Warn | None
                ) -> tuple[list[RawEntry], int, int]:
    """(entries, total results of the query, entries on this page)."""
    root = parse_xml(body, page_url)
    if root.tag != f"{ATOM}feed":
        raise ParseError(f"{page_url}: not an arXiv API answer (expected an Atom <feed>)")
    found = list(root.iterfind(f"{ATOM}entry"))
    for entry in found:
        if "/api/errors" in (entry.findtext(f"{ATOM}id") or ""):
            message = (entry.findtext(f"{ATOM}summary") or "unknown error").strip()
            raise ParseError(f"{page_url}: arXiv API error: {message}")
    entries = entries_of(found, lambda entry: _to_raw(entry, source_name), source_name, warn,
                         name_of=lambda entry: entry.findtext(f"{ATOM}id"))
    # A total that is no plain count ('²', thousands of digits) is unknown: reading stops.
    total = (root.findtext(f"{OPENSEARCH}totalResults") or "").strip()
    readable = total.isascii() and total.isdigit() and len(total) <= 18
    return entries, int(total) if readable else len(found), len(found)


def _to_raw(entry, source_name: str) -> RawEntry:
    entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
    arxiv_id = arxiv_id_from_url(entry_id)
    if arxiv_id is None:
        raise ParseError(f"its id {entry_id!r} is not an arXiv abstract URL")
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [primary.get("term")] if primary is not None and primary.get("term") else []
    categories += [c.get("term") for c in entry.iterfind(f"{ATOM}category") if c.get("term")]
    return RawEntry(
        source=source_name,
        title=text_of(entry.find(f"{ATOM}title")),
        summary=text_of(entry.find(f"{ATOM}summary")),
        url=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_id=arxiv_id,
        authors=[a.findtext(f"{ATOM}name") or "" for a in entry.iterfind(f"{ATOM}author")],
        # `published` is the v1 date: the paper's own date, whatever version this is.
        published=parse_any_date(entry.findtext(f"{ATOM}published")),
        categories=categories,  # the primary one twice: normalize keeps the first of each
        version=arxiv_version(entry_id),
        # What the authors noted beside the paper ("Accepted at ...", page counts).
        comment=text_of(entry.find(f"{ARXIV}comment")),
        journal_ref=text_of(entry.find(f"{ARXIV}journal_ref")),
        doi=text_of(entry.find(f"{ARXIV}doi")),
    )

