"""arXiv query API: versionless ids, v1 dates, every category with the primary first, paging."""

import re
from datetime import UTC, datetime

import pytest

from feedmaker.errors import ParseError
from feedmaker.fetch import Fetcher
from feedmaker.normalize import normalize
from feedmaker.sources import arxiv_api, read_source

from .conftest import fixture_bytes, read_served, source_config

URL = "http://export.arxiv.org/api/query?search_query=cat:cs.CV&max_results=3"


def parsed(name="arxiv_api_query.xml"):
    return [normalize(raw) for raw in arxiv_api.parse(fixture_bytes(name), "arxiv", URL)]


def test_versioned_ids_become_bare_ids_and_entry_ids_have_no_version():
    entries = parsed()
    assert [e.arxiv_id for e in entries] == ["2605.15320", "2605.15963", "hep-th/9901001"]
    assert entries[0].id == "https://arxiv.org/abs/2605.15320"
    assert entries[0].url == "https://arxiv.org/abs/2605.15320"


def test_published_is_the_v1_date_not_the_version_date():
    # The first paper is at v2 (updated 2026-05-16); its own date is v1's.
    assert parsed()[0].published == datetime(2026, 5, 14, tzinfo=UTC)


def test_every_category_is_kept_with_the_primary_first():
    assert parsed()[0].categories == ("cs.CV", "cs.GR", "cs.LG")


def test_the_pdf_and_abstract_links_are_versionless():
    links = dict(parsed()[0].links)
    assert links["pdf"] == "https://arxiv.org/pdf/2605.15320"
    assert links["arxiv"] == "https://arxiv.org/abs/2605.15320"


def test_arxiv_hard_line_breaks_are_collapsed_and_authors_kept_in_order():
    entry = parsed()[0]
    assert "\n" not in entry.title and "  " not in entry.summary
    assert entry.title == ("FFAvatar: Few-Shot, Feed-Forward, and Generalizable Avatar "
                           "Reconstruction")
    assert entry.authors[:3] == ("Thuan Hoang Nguyen", "Jiahao Luo", "Yinyu Nie")


def test_an_api_error_entry_is_an_error_not_a_paper():
    with pytest.raises(ParseError, match="arXiv API error: incorrect id format for 1234.12345"):
        arxiv_api.parse(fixture_bytes("arxiv_api_error.xml"), "arxiv", URL)


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_an_empty_body_is_an_error(body):
    with pytest.raises(ParseError, match="empty response body"):
        arxiv_api.parse(body, "arxiv", URL)


def test_an_html_page_instead_of_atom_is_an_error_naming_the_url():
    with pytest.raises(ParseError, match="^" + re.escape(f"{URL}: not an arXiv API answer")):
        arxiv_api.parse(b"<feed-ish><p>maintenance</p></feed-ish>", "arxiv", URL)


def test_a_406_from_the_api_is_a_failed_source_naming_it_and_the_url(httpserver):
    httpserver.expect_request("/api/query").respond_with_data("no", status=406)
    source = source_config("arxiv-api", httpserver.url_for("/api/query") + "?search_query=x")
    result = read_source(source, Fetcher(backoff=0))
    assert result.error.startswith("source 'src': http://localhost:")
    assert "/api/query?search_query=x: HTTP 406" in result.error


def test_served_over_http_the_query_reads_the_same(httpserver):
    raws = read_served(httpserver, "arxiv-api", "arxiv_api_query.xml", path="/api/query",
                       content_type="application/atom+xml")
    assert [r.arxiv_id for r in raws] == ["2605.15320", "2605.15963", "hep-th/9901001"]


def test_pages_are_read_with_start_offsets_until_the_last_result(httpserver):
    httpserver.expect_request("/api/query", query_string="search_query=cat:cs.CV&max_results=3"
                              ).respond_with_data(fixture_bytes("arxiv_api_query.xml"))
    httpserver.expect_request("/api/query",
                              query_string="search_query=cat%3Acs.CV&max_results=3&start=3"
                              ).respond_with_data(fixture_bytes("arxiv_api_query_page2.xml"))
    source = source_config("arxiv-api", httpserver.url_for("/api/query") +
                           "?search_query=cat:cs.CV&max_results=3", pages=5)
    result = read_source(source, Fetcher(backoff=0))
    assert result.error is None
    assert [r.arxiv_id for r in result.raws][-1] == "2605.15301"
    assert len(httpserver.log) == 2  # totalResults (4) was reached: no third request


def test_an_entry_whose_id_is_not_an_arxiv_url_is_left_out_with_a_warning():
    body = fixture_bytes("arxiv_api_query.xml").replace(
        b"<id>http://arxiv.org/abs/2605.15963v1</id>", b"<id>urn:x:1</id>")
    warnings = []
    entries = arxiv_api.parse(body, "arxiv", URL, warnings.append)
    assert "2605.15963" not in [e.arxiv_id for e in entries] and len(entries) == 2
    assert warnings == ["arxiv: entry #2 (urn:x:1) left out: its id 'urn:x:1' is not an arXiv "
                        "abstract URL"]


@pytest.mark.parametrize("total", ["\u00b2\u00b3", "9" * 5000, "-4", "many"])
def test_a_total_that_is_no_plain_count_is_unknown_and_reading_stops(httpserver, total):
    body = fixture_bytes("arxiv_api_query.xml").replace(
        b">4</opensearch:totalResults>", f">{total}</opensearch:totalResults>".encode())
    httpserver.expect_request("/api/query").respond_with_data(body)
    source = source_config("arxiv-api", httpserver.url_for("/api/query") +
                           "?search_query=cat:cs.CV&max_results=3", pages=5)
    result = read_source(source, Fetcher(backoff=0))
    assert result.error is None and len(result.raws) == 3
    assert len(httpserver.log) == 1
