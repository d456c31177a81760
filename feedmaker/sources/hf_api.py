"""Hugging Face papers JSON API (`/api/daily_papers`, `/api/papers/search`, `/api/papers/{id}`)."""

from __future__ import annotations

import json
from typing import Any

from feedmaker.errors import ParseError
from feedmaker.model import RawEntry
from feedmaker.sources.base import TIMEOUT, Fetch, Option, query_int, with_query

HF_PAPERS = "https://huggingface.co/papers/"
OPTIONS = {
    "pages": Option("count", 1, "how many pages (`p=0,1,...`) of the daily API to read; "
                                "reading stops early at an empty page"),
    "timeout": TIMEOUT,
}


def read(source, fetch: Fetch) -> list[RawEntry]:
    """Fetch the configured API URL (and its following pages) and parse the items."""
    entries: list[RawEntry] = []
    first_page = query_int(source.url, "p", 0)
    for page in range(source.options["pages"]):
        url = source.url if page == 0 else with_query(source.url, p=first_page + page)
        response = fetch(url, conditional=page == 0)
        items = parse(response.body, source.name, response.url)
        if not items:
            break
        entries += items
    return entries


def parse(body: bytes, source_name: str, page_url: str) -> list[RawEntry]:
    """Parse an API body: a list of daily-paper items, or one `paper` object."""
    try:
        # Invalid UTF-8 becomes U+FFFD: one bad byte must not cost the whole listing.
        data = json.loads(body.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise ParseError(f"{page_url}: not JSON ({exc})") from exc
    if isinstance(data, dict) and "id" in data and "title" in data:
        data = [{"paper": data}]
    if not isinstance(data, list):
        raise ParseError(f"{page_url}: expected a JSON list of papers, got {type(data).__name__}")
    return [item_to_raw(item, source_name, page_url) for item in data]


def item_to_raw(item: Any, source_name: str, page_url: str) -> RawEntry:
    """One API item (or page hydration item) as a RawEntry.

    The paper's own fields win over the outer item's: the outer `publishedAt` is hours
    earlier than the paper's and moves the calendar day (see HF_PAGES.md), and the
    abstract is `paper.summary`, not `paper.ai_summary`.
    """
    if not isinstance(item, dict):
        raise ParseError(f"{page_url}: expected a paper object, got {type(item).__name__}")
    paper = item.get("paper", item)
    if not isinstance(paper, dict) or not paper.get("id"):
        raise ParseError(f"{page_url}: item without paper.id")
    paper_id = str(paper["id"])
    links = {}
    if isinstance(paper.get("githubRepo"), str):
        links["code"] = paper["githubRepo"]
    if isinstance(paper.get("projectPage"), str):
        links["project"] = paper["projectPage"]
    authors = [a.get("name", "") for a in paper.get("authors") or [] if isinstance(a, dict)]
    summary = paper.get("summary") or item.get("summary")
    return RawEntry(
        source=source_name,
        title=paper.get("title") or item.get("title"),
        summary=summary or paper.get("ai_summary"),
        summary_is_abstract=bool(summary),
        url=HF_PAPERS + paper_id,
        arxiv_id=paper_id,
        authors=[a for a in authors if isinstance(a, str)],
        published=paper.get("publishedAt") or item.get("publishedAt"),
        links=links,
        upvotes=paper.get("upvotes") if isinstance(paper.get("upvotes"), int) else None,
    )
