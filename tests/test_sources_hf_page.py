"""The hf-page source reads the DailyPapers hydration JSON, and falls back to the cards."""

import html as html_lib
import json

import lxml.html
import pytest

from feedmaker.errors import ParseError
from feedmaker.sources import hf_page

from .conftest import daily_items, fixture_bytes

URL = "https://huggingface.co/papers/date/2026-05-18"
PAGE = "hf_papers_page_2026-05-18.html"


def without_hydration(page: bytes) -> bytes:
    root = lxml.html.document_fromstring(page)
    for div in root.xpath('//div[@data-target="DailyPapers"]'):
        div.getparent().remove(div)
    return lxml.html.tostring(root)


def test_hydration_json_gives_every_paper_once_with_its_abstract():
    entries = hf_page.parse(fixture_bytes(PAGE), "page", URL)
    items = daily_items()
    assert [e.arxiv_id for e in entries] == [i["paper"]["id"] for i in items]
    assert [e.summary for e in entries] == [i["paper"]["summary"] for i in items]
    assert all(e.summary_is_abstract for e in entries)


def test_banner_hydrater_and_heading_are_not_entries():
    page = fixture_bytes(PAGE)
    assert b"DailyPapersBannerSubscribe" in page and b"by AK and the research community" in page
    titles = {e.title for e in hf_page.parse(page, "page", URL)}
    assert not any("Subscribe" in t or "research community" in t for t in titles)


def test_card_fallback_counts_each_paper_once_although_cards_hold_it_twice():
    page = without_hydration(fixture_bytes(PAGE))
    root = lxml.html.document_fromstring(page)
    assert len(root.xpath('//article//h3/a')) == 2 * 50
    entries = hf_page.parse(page, "page", URL)
    assert [e.arxiv_id for e in entries] == [i["paper"]["id"] for i in daily_items()]


def test_card_fallback_reads_title_link_date_and_marks_card_text_as_not_an_abstract():
    entry = hf_page.parse(without_hydration(fixture_bytes(PAGE)), "page", URL)[0]
    paper = daily_items()[0]["paper"]
    assert entry.title == paper["title"]
    assert entry.url == "https://huggingface.co/papers/2605.15320"
    assert entry.published.isoformat() == "2026-05-14T00:00:00+00:00"
    assert entry.summary == paper["ai_summary"]
    assert not entry.summary_is_abstract


@pytest.mark.parametrize("body, message", [
    (b"", "empty page"),
    (b"<html><body><main><h1>Sign in</h1></main></body></html>", "no DailyPapers data"),
    (b'<div data-target="DailyPapers" data-props="{oops"></div>', "not JSON"),
    (b'<div data-target="DailyPapers" data-props="{}"></div>', "no dailyPapers list"),
])
def test_pages_without_papers_raise_an_error_naming_the_url(body, message):
    with pytest.raises(ParseError, match=message) as info:
        hf_page.parse(body, "page", URL)
    assert URL in str(info.value)


def test_a_hydration_item_that_cannot_be_read_is_left_out_with_a_warning():
    props = html_lib.escape(json.dumps({"dailyPapers": [
        {"paper": {"id": "2605.00001", "title": "Good"}}, ["not", "a", "paper"]]}))
    page = f'<div data-target="DailyPapers" data-props="{props}"></div>'.encode()
    warnings = []
    entries = hf_page.parse(page, "page", URL, warnings.append)
    assert [e.title for e in entries] == ["Good"]
    assert warnings == ["page: entry #2 left out: expected a paper object, got list"]


def test_hydration_json_nested_too_deeply_fails_the_page_naming_the_url():
    props = "[" * 100_000 + "]" * 100_000
    page = f'<div data-target="DailyPapers" data-props="{props}"></div>'.encode()
    with pytest.raises(ParseError, match=f"^{URL}: DailyPapers data-props is not JSON "
                                         r"\(nested too deeply to read\)"):
        hf_page.parse(page, "page", URL)
