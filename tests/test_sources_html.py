"""Any HTML listing page, described by CSS selectors or XPath in the config."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedmaker.config import parse_config
from feedmaker.errors import ConfigError, ParseError
from feedmaker.fetch import Response
from feedmaker.sources import html

from .conftest import fixture_bytes, read_served

PAGE = "https://workshop.example.org/2026/accepted"
SELECTORS = {"item": "li.paper", "title": "h3.title", "summary": ".abstract", "date": "time",
             "authors": "p.authors", "categories": ".tag"}


def parsed(**changes):
    options = {key: None for key in html.OPTIONS} | SELECTORS | changes
    return html.parse(Response(PAGE, fixture_bytes("html_listing.html")), "ws", options)


def test_each_item_gives_title_summary_authors_and_categories():
    first = parsed()[0]
    assert first.title == "Reinforcement Learning from Human Feedback at Scale"
    assert first.summary == "We study RLHF with 10,000 annotators."
    assert first.authors == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert first.categories == ["rl", "alignment"]


def test_relative_links_are_made_absolute_against_the_pages_base_href():
    assert parsed()[0].url == "https://workshop.example.org/2026/papers/17.html"


def test_a_datetime_attribute_wins_and_written_dates_are_read():
    first, second, _ = parsed()
    assert first.published == datetime(2026, 5, 14, tzinfo=UTC)
    assert second.published == datetime(2026, 5, 13, tzinfo=UTC)


def test_an_unreadable_date_is_passed_on_as_text_for_normalize_to_warn_about():
    assert parsed()[2].published == "sometime soon"


def test_a_date_format_reads_dates_exactly():
    entries = parsed(date="time", date_format="%d %B %Y")
    assert entries[1].published == datetime(2026, 5, 13, tzinfo=UTC)


def test_one_element_per_author_is_read_as_one_name_each():
    assert parsed(authors=".author")[1].authors == ["Han Li", "Jinyu Tian"]


def test_an_item_without_a_link_has_none_and_normalize_drops_it_later():
    assert parsed()[2].url is None


def test_xpath_and_attribute_selectors_work_too():
    entries = parsed(item="//li[@class='paper']", title=".//h3", link="h3 a@href",
                     date="xpath:.//time/@datetime")
    assert entries[0].url == "https://workshop.example.org/2026/papers/17.html"
    assert entries[0].published == datetime(2026, 5, 14, tzinfo=UTC)


def test_a_page_where_the_item_selector_matches_nothing_is_an_error_saying_so():
    with pytest.raises(ParseError, match=r"no element matches the item selector 'li\.talk'"):
        parsed(item="li.talk")


def test_a_saved_copy_read_from_a_file_resolves_links_against_base_url(tmp_path):
    from feedmaker.fetch import Fetcher
    from feedmaker.sources import read_source

    from .conftest import source_config

    page = tmp_path / "accepted.html"
    page.write_bytes(fixture_bytes("html_listing.html").replace(
        b'<base href="https://workshop.example.org/2026/">', b""))
    source = source_config("html", page.as_uri(), base_url="https://workshop.example.org/2026/",
                           **SELECTORS)
    raws = read_source(source, Fetcher()).raws
    assert raws[0].url == "https://workshop.example.org/2026/papers/17.html"


def test_served_over_http(httpserver):
    raws = read_served(httpserver, "html", "html_listing.html", content_type="text/html",
                       **SELECTORS)
    assert raws[1].url == "https://arxiv.org/abs/2605.15301v1"


@pytest.mark.parametrize(("extra", "message"), [
    ('title = "h3"', r"x\.toml:1: sources\[1\]\.item: is required"),
    ('item = "li.paper"', r"x\.toml:1: sources\[1\]\.title: is required"),
    ('item = "li..paper"\ntitle = "h3"', r"x\.toml:5: .*item: 'li\.\.paper' is not a valid"),
    ('item = "li"\ntitle = "//h3["', r"x\.toml:6: .*title: '//h3\[' is not a valid"),
    ('item = "li"\ntitle = "h3"\nlinks = "a"', r"x\.toml:7: sources\[1\]\.links: unknown key "
                                               r"for type 'html'"),
])
def test_selector_mistakes_are_config_errors_naming_the_line_and_key(extra, message):
    text = f'[[sources]]\nname = "ws"\ntype = "html"\nurl = "https://e.org/"\n{extra}\n'
    with pytest.raises(ConfigError, match=message):
        parse_config(text, base_dir=Path("."), where="x.toml")


def test_an_xpath_that_gives_a_number_or_text_never_raises():
    entries = parsed(title="xpath:count(.//h3)", summary="xpath:string(.//p)",
                     link="xpath:boolean(.//a)", date="xpath:.//time/@datetime")
    assert [e.title for e in entries] == ["1", "1", "1"]
    assert entries[0].url == "true" and entries[0].summary


def test_an_item_selector_that_gives_no_elements_fails_the_page_saying_so():
    with pytest.raises(ParseError, match=r"the item selector '//li/@class' gives text, not "
                                         r"elements"):
        parsed(item="//li/@class")


@pytest.mark.parametrize(("key", "selector", "kind"), [
    ("item", "xpath:count(//li)", "a number, not elements"),
    ("item", "xpath:string(//li)", "text, not elements"),
    ("title", "xpath:count(.//h3)", "a number, not elements or text"),
    ("summary", "xpath:boolean(.//p)", "true or false, not elements or text"),
])
def test_an_xpath_that_gives_the_wrong_kind_of_value_is_a_config_error(key, selector, kind):
    options = {"item": "li", "title": "h3"} | {key: selector}
    text = ('[[sources]]\nname = "ws"\ntype = "html"\nurl = "https://e.org/"\n'
            + "".join(f"{k} = {v!r}\n" for k, v in options.items()))
    with pytest.raises(ConfigError, match=re.escape(f"{key}: {selector!r} gives {kind}")):
        parse_config(text, base_dir=Path("."), where="x.toml")


def test_an_xpath_that_cannot_be_evaluated_is_a_config_error():
    text = ('[[sources]]\nname = "ws"\ntype = "html"\nurl = "https://e.org/"\n'
            'item = "li"\ntitle = "xpath:string($nope)"\n')
    with pytest.raises(ConfigError, match=r"title: 'xpath:string\(\$nope\)' cannot be evaluated: "
                                          r"Undefined variable"):
        parse_config(text, base_dir=Path("."), where="x.toml")


def test_a_utf8_page_whose_charset_is_only_in_the_http_header_is_read_as_utf8(httpserver):
    title = "Caf\u00e9 \u2014 \u201cquoted\u201d"
    page = f'<ul><li class="paper"><h3><a href="/p/1">{title}</a></h3></li></ul>'.encode()
    httpserver.expect_request("/list").respond_with_data(
        page, content_type="text/html; charset=utf-8")
    from feedmaker.fetch import Fetcher
    from feedmaker.sources import read_source

    from .conftest import source_config

    result = read_source(source_config("html", httpserver.url_for("/list"), item="li.paper",
                                       title="h3"), Fetcher())
    assert [raw.title for raw in result.raws] == [title]


def test_the_text_of_scripts_and_styles_never_reaches_an_entry():
    page = (b'<ul><li class="paper"><h3><a href="/p/1">Good <script>x()</script>paper</a></h3>'
            b'<div class="abstract">We <style>p { color: red }</style>study'
            b'<script>track("view")</script> things.</div></li></ul>')
    (raw,) = html.parse(Response(PAGE, page), "ws", {key: None for key in html.OPTIONS} | {
        "item": "li.paper", "title": "h3", "summary": ".abstract"})
    assert (raw.title, raw.summary) == ("Good paper", "We study things.")


def test_a_base_href_that_is_no_url_is_ignored_not_the_whole_page_lost():
    # It was "cannot read it: ValueError: Invalid IPv6 URL": the source failed.
    page = fixture_bytes("html_listing.html").replace(
        b'<base href="https://workshop.example.org/2026/">', b'<base href="http://[oops/">')
    options = {key: None for key in html.OPTIONS} | SELECTORS
    first = html.parse(Response(PAGE, page), "ws", options)[0]
    assert first.url == "https://workshop.example.org/2026/papers/17.html"


def test_an_xhtml_page_opening_with_an_xml_declaration_is_read():
    # lxml refused the decoded text: "not an HTML page (Unicode strings with encoding
    # declaration are not supported...)".
    page = b'<?xml version="1.0" encoding="utf-8"?>\n' + fixture_bytes("html_listing.html")
    options = {key: None for key in html.OPTIONS} | SELECTORS
    assert [raw.title for raw in html.parse(Response(PAGE, page), "ws", options)] == [
        raw.title for raw in parsed()]


def sloppy_page(items: int) -> bytes:
    """A listing whose every item leaves a <div> open, nesting the next one deeper."""
    return ("<html><body>" + "".join(f'<div class="p"><h3><a href="/p/{i}">Paper {i}</a>'
                                     f"</h3><div>" for i in range(items))).encode()


def test_items_nested_hundreds_deep_by_elements_left_open_are_all_read():
    # libxml2 stopped at depth 256 without a word: 127 of these 400 papers were read.
    options = {key: None for key in html.OPTIONS} | {"item": "div.p", "title": "h3"}
    raws = html.parse(Response(PAGE, sloppy_page(400)), "ws", options)
    assert [raw.title for raw in raws] == [f"Paper {i}" for i in range(400)]


def test_a_page_nested_too_deep_to_read_to_its_end_fails_saying_so():
    options = {key: None for key in html.OPTIONS} | {"item": "div.p", "title": "h3"}
    with pytest.raises(ParseError, match=r"not read to its end: its elements are nested "
                                         r"more than 2,048 deep"):
        html.parse(Response(PAGE, sloppy_page(1500)), "ws", options)
