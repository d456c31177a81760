"""Hugging Face papers listing pages: the `DailyPapers` hydration JSON, else the cards."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urljoin

from feedmaker.errors import ParseError
from feedmaker.model import RawEntry
from feedmaker.sources.base import TIMEOUT, Fetch
from feedmaker.sources.hf_api import item_to_raw

_PUBLISHED = re.compile(r"Published on ([A-Z][a-z]{2}) (\d{1,2}), (\d{4})")


OPTIONS = {"timeout": TIMEOUT}


def read(source, fetch: Fetch) -> list[RawEntry]:
    """Fetch the configured page and parse it."""
    response = fetch(source.url, conditional=True)
    return parse(response.body, source.name, response.url)


def parse(body: bytes, source_name: str, page_url: str) -> list[RawEntry]:
    """Entries of a listing page; the hydration JSON is preferred, cards are the fallback."""
    import lxml.html
    from lxml import etree

    if not body.strip():
        raise ParseError(f"{page_url}: empty page")
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"{page_url}: not an HTML page ({exc})") from exc
    props = root.xpath('//div[@data-target="DailyPapers"]/@data-props')
    if props:
        return _from_hydration(props[0], source_name, page_url)
    entries = _from_cards(root, source_name, page_url)
    if not entries:
        raise ParseError(f"{page_url}: no DailyPapers data and no paper cards "
                         "(h3 > a[href^='/papers/']) on the page")
    return entries


def _from_hydration(props: str, source_name: str, page_url: str) -> list[RawEntry]:
    try:
        data = json.loads(props)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{page_url}: DailyPapers data-props is not JSON ({exc})") from exc
    papers = data.get("dailyPapers") if isinstance(data, dict) else None
    if not isinstance(papers, list):
        raise ParseError(f"{page_url}: DailyPapers data-props has no dailyPapers list")
    return [item_to_raw(item, source_name, page_url) for item in papers]


def _from_cards(root, source_name: str, page_url: str) -> list[RawEntry]:
    # Each card holds the paper twice (desktop and mobile blocks): keep the first per href.
    entries: dict[str, RawEntry] = {}
    for article in root.iter("article"):
        for anchor in article.xpath('.//h3/a[starts-with(@href, "/papers/")]'):
            href = anchor.get("href").split("?")[0].split("#")[0]
            if href in entries:
                continue
            texts = article.xpath(".//p[contains(@class, 'line-clamp')]")
            text = texts[0].text_content() if texts else None
            entries[href] = RawEntry(
                source=source_name,
                title=anchor.text_content(),
                summary=text,
                # Card text is the AI summary when the paper has one: never prefer it
                # over an abstract the store already holds.
                summary_is_abstract=False,
                url=urljoin("https://huggingface.co/", href),
                arxiv_id=href.rsplit("/", 1)[-1],
                published=_card_date(article.text_content()),
            )
    return list(entries.values())


def _card_date(text: str) -> datetime | None:
    match = _PUBLISHED.search(text)
    if not match:
        return None
    try:
        return datetime.strptime(" ".join(match.groups()), "%b %d %Y").replace(tzinfo=UTC)
    except ValueError:
        return None
