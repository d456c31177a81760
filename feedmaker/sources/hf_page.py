"""Hugging Face papers listing pages: the `DailyPapers` hydration JSON, else the cards."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urljoin

from feedmaker.errors import ParseError
from feedmaker.model import RawEntry
from feedmaker.sources.base import Fetch, Warn, entries_of, parse_html
from feedmaker.sources.hf_api import item_to_raw, load_json, paper_id

_PUBLISHED = re.compile(r"Published on ([A-Z][a-z]{2}) (\d{1,2}), (\d{4})")
OPTIONS: dict = {}


def read(source, fetch: Fetch, warn: Warn) -> list[RawEntry]:
    """Fetch the configured page and parse it."""
    response = fetch(source.url, conditional=True)
    return parse(response.body, source.name, response.url, warn,
                 content_type=response.headers.get("content-type"))


def parse(body: bytes, source_name: str, page_url: str, warn: Warn | None = None,
          content_type: str | None = None) -> list[RawEntry]:
    """Entries of a listing page; the hydration JSON is preferred, cards are the fallback.
    An item that cannot be read is left out with a warning (see `entries_of`);
    `content_type` is the HTTP header, whose charset counts (see `base.parse_html`)."""
    root = parse_html(body, page_url, content_type=content_type)
    props = root.xpath('//div[@data-target="DailyPapers"]/@data-props')
    if props:
        return _from_hydration(props[0], source_name, page_url, warn)
    entries = _from_cards(root, source_name, warn)
    if not entries:
        raise ParseError(f"{page_url}: no DailyPapers data and no paper cards "
                         "(h3 > a[href^='/papers/']) on the page")
    return entries


def _from_hydration(props: str, source_name: str, page_url: str, warn: Warn | None
                    ) -> list[RawEntry]:
    data = load_json(props, page_url, "DailyPapers data-props is not JSON")
    papers = data.get("dailyPapers") if isinstance(data, dict) else None
    if not isinstance(papers, list):
        raise ParseError(f"{page_url}: DailyPapers data-props has no dailyPapers list")
    return entries_of(papers, lambda item: item_to_raw(item, source_name),
                      source_name, warn, name_of=paper_id)


def _from_cards(root, source_name: str, warn: Warn | None) -> list[RawEntry]:
    # Each card holds the paper twice (desktop and mobile blocks): keep the first per href.
    cards: dict[str, tuple] = {}
    for article in root.iter("article"):
        for anchor in article.xpath('.//h3/a[starts-with(@href, "/papers/")]'):
            href = anchor.get("href").split("?")[0].split("#")[0]
            cards.setdefault(href, (href, anchor, article))
    return entries_of(cards.values(), lambda card: _card_to_raw(*card, source_name),
                      source_name, warn, name_of=lambda card: card[0])


def _card_to_raw(href: str, anchor, article, source_name: str) -> RawEntry:
    texts = article.xpath(".//p[contains(@class, 'line-clamp')]")
    return RawEntry(
        source=source_name,
        title=anchor.text_content(),
        summary=texts[0].text_content() if texts else None,
        # Card text is the AI summary when the paper has one: never prefer it
        # over an abstract the store already holds.
        summary_is_abstract=False,
        url=urljoin("https://huggingface.co/", href),
        arxiv_id=href.rsplit("/", 1)[-1],
        published=_card_date(article.text_content()),
    )


def _card_date(text: str) -> datetime | None:
    match = _PUBLISHED.search(text)
    if not match:
        return None
    try:
        return datetime.strptime(" ".join(match.groups()), "%b %d %Y").replace(tzinfo=UTC)
    except ValueError:
        return None
