"""Hugging Face papers JSON API (`/api/daily_papers`, `/api/papers/search`, `/api/papers/{id}`)."""

from __future__ import annotations

import json
from typing import Any

from feedmaker.errors import ParseError
from feedmaker.model import RawEntry
from feedmaker.schema import Key
from feedmaker.sources.base import (
    Fetch,
    Warn,
    entries_of,
    number_text,
    paging,
    with_query,
)

HF_PAPERS = "https://huggingface.co/papers/"
OPTIONS = {
    "pages": Key("count", 1, "how many pages (`p=0,1,...`) of the daily API to read; "
                 "reading stops early at an empty page"),
}


def read(source, fetch: Fetch, warn: Warn) -> list[RawEntry]:
    """Fetch the configured API URL (and its following pages) and parse the items."""
    entries: list[RawEntry] = []
    first_page, pages = paging(source, "p", warn)
    for page in range(pages):
        url = source.url if page == 0 else with_query(source.url, p=first_page + page)
        response = fetch(url, conditional=page == 0)
        items = parse(response.body, source.name, response.url, warn)
        if not items:
            break
        entries += items
    return entries


def parse(body: bytes, source_name: str, page_url: str, warn: Warn | None = None
          ) -> list[RawEntry]:
    """Parse an API body: a list of daily-paper items, or one `paper` object. An item that
    cannot be read is left out with a warning (see `entries_of`)."""
    data = load_json(body, page_url)
    if isinstance(data, dict) and "id" in data and "title" in data:
        data = [{"paper": data}]
    if not isinstance(data, list):
        raise ParseError(f"{page_url}: expected a JSON list of papers, got {type(data).__name__}")
    return entries_of(data, lambda item: item_to_raw(item, source_name), source_name,
                      warn, name_of=paper_id)


def load_json(text: bytes | str, page_url: str, what: str = "not JSON") -> Any:
    """Parsed JSON, or a ParseError naming the URL (nesting too deep to read included)."""
    try:
        # Invalid UTF-8 becomes U+FFFD: one bad byte must not cost the whole listing; nor
        # does a byte-order mark, which JSON's RFC 8259 lets a reader ignore.
        return json.loads(text.decode("utf-8-sig", errors="replace")
                          if isinstance(text, bytes) else text, parse_int=_whole_number)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{page_url}: {what} ({exc})") from exc
    except RecursionError:
        raise ParseError(f"{page_url}: {what} (nested too deeply to read)") from None


def _whole_number(text: str) -> int | float:
    """A JSON whole number; one longer than Python reads as an int (4,300 digits) is a
    float, so that one field does not cost the whole listing."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def text_value(value: object) -> str | None:
    """A JSON field as text: strings as they are, numbers written out, anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    return None


def paper_id(item: Any) -> str | None:
    """The paper id of an API item, when it has one, to name it in a warning."""
    paper = item.get("paper", item) if isinstance(item, dict) else None
    return text_value(paper.get("id")) if isinstance(paper, dict) else None


def item_to_raw(item: Any, source_name: str) -> RawEntry:
    """One API item (or page hydration item) as a RawEntry; fields of the wrong type count
    as missing, numbers as text.

    The paper's own fields win over the outer item's: the outer `publishedAt` is hours
    earlier than the paper's and moves the calendar day (see docs/hf-pages.md), and the
    abstract is `paper.summary`, not `paper.ai_summary`.
    """
    if not isinstance(item, dict):
        raise ParseError(f"expected a paper object, got {type(item).__name__}")
    paper = item.get("paper", item)
    if not isinstance(paper, dict) or not isinstance(paper.get("id"), str) \
            or not paper["id"].strip():
        raise ParseError("no paper.id (text)")
    paper_id = paper["id"].strip()
    links = {}
    if isinstance(paper.get("githubRepo"), str):
        links["code"] = paper["githubRepo"]
    if isinstance(paper.get("projectPage"), str):
        links["project"] = paper["projectPage"]
    authors = paper.get("authors") if isinstance(paper.get("authors"), list) else []
    names = [text_value(a.get("name")) for a in authors if isinstance(a, dict)]
    summary = text_value(paper.get("summary")) or text_value(item.get("summary"))
    upvotes = paper.get("upvotes")
    image = item.get("thumbnail")  # Hugging Face's picture of the paper
    return RawEntry(
        source=source_name,
        title=text_value(paper.get("title")) or text_value(item.get("title")),
        summary=summary or text_value(paper.get("ai_summary")),
        summary_is_abstract=bool(summary),
        url=HF_PAPERS + paper_id,
        arxiv_id=paper_id,
        authors=[name for name in names if name],
        published=text_value(paper.get("publishedAt")) or text_value(item.get("publishedAt")),
        links=links,
        upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
        image=image if isinstance(image, str) else None,
    )
