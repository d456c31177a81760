"""Library papers known by id get titles and abstracts: store first, cache next, arXiv API in
batches last (against a local server)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from feedmaker.fetch import Fetcher
from feedmaker.like.library import LibraryPaper
from feedmaker.like.lookup import fill_in
from feedmaker.sources import arxiv_api
from tests.conftest import fixture_bytes

IDS = ["2605.14906", "2605.10912", "2605.15040", "2605.99999"]


def paper(arxiv_id: str, title: str = "") -> LibraryPaper:
    return LibraryPaper(where=f"ids.txt:{arxiv_id}", arxiv_id=arxiv_id, title=title)


def serve_batches(httpserver):
    for ids, fixture in ((IDS[:2], "like/arxiv_id_list_1.xml"),
                         (IDS[2:], "like/arxiv_id_list_2.xml")):
        httpserver.expect_ordered_request(
            "/api/query", query_string={"id_list": ",".join(ids), "max_results": "2"},
        ).respond_with_data(fixture_bytes(fixture), content_type="application/atom+xml")


@pytest.fixture(autouse=True)
def batches_of_two(monkeypatch):
    monkeypatch.setattr(arxiv_api, "ID_BATCH", 2)


def lookup(httpserver, papers, cache, known=None):
    fetcher = Fetcher(backoff=0, retries=0, sleep=lambda seconds: None)
    return fill_in(papers, cache, fetcher, known, api_url=httpserver.url_for("/api/query"))


def test_ids_are_looked_up_in_batches_and_parsed_by_the_arxiv_api_source(httpserver):
    serve_batches(httpserver)
    cache: dict = {}
    result = lookup(httpserver, [paper(i) for i in IDS], cache)
    assert len(httpserver.log) == 2
    found = {p.arxiv_id: p for p in result.papers}
    assert found["2605.14906"].title == ("MemLens: Benchmarking Multimodal Long-Term Memory in "
                                         "Large Vision-Language Models")
    assert found["2605.10912"].abstract.startswith("Large language and vision-language")
    assert "\n" not in found["2605.15040"].abstract  # cleaned like any source's text
    assert result.unknown == ["2605.99999"] and result.errors == []
    assert cache["2605.99999"] is None and cache["2605.15040"][0].startswith("Orchard")


def test_cached_ids_are_not_asked_again(httpserver):
    serve_batches(httpserver)
    cache: dict = {}
    lookup(httpserver, [paper(i) for i in IDS], cache)
    again = lookup(httpserver, [paper(i) for i in IDS], cache)
    assert len(httpserver.log) == 2
    assert [p.title != "" for p in again.papers] == [True, True, True, False]
    assert again.unknown == ["2605.99999"]


def test_papers_in_the_state_store_and_papers_with_abstracts_need_no_request(httpserver):
    known = {i: (f"Stored {i}", "stored abstract") for i in IDS}
    with_abstract = LibraryPaper(where="x.bib:1", title="Own title", abstract="own",
                                 arxiv_id="2605.00001")
    result = lookup(httpserver, [paper(i) for i in IDS] + [with_abstract], {}, known)
    assert httpserver.log == []
    assert result.papers[0].title == "Stored 2605.14906"
    assert result.papers[-1] == with_abstract


def test_a_bibtex_title_is_kept_and_only_the_abstract_is_filled_in(httpserver):
    known = {"2605.14906": ("arXiv's title", "arXiv's abstract")}
    result = lookup(httpserver, [paper("2605.14906", title="My export's title")], {}, known)
    assert (result.papers[0].title, result.papers[0].abstract) == ("My export's title",
                                                                   "arXiv's abstract")


def test_a_failed_request_is_reported_and_asked_again_next_time(httpserver):
    httpserver.expect_request("/api/query").respond_with_data("busy", status=503)
    cache: dict = {}
    result = lookup(httpserver, [paper(IDS[0])], cache)
    assert cache == {}
    assert result.papers == [paper(IDS[0])]
    assert len(result.errors) == 1 and "HTTP 503" in result.errors[0]


def test_an_api_error_answer_is_reported_not_raised(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        fixture_bytes("arxiv_api_error.xml"), content_type="application/atom+xml")
    result = lookup(httpserver, [paper(IDS[0])], {})
    assert "arXiv API error" in result.errors[0]


def test_without_a_fetcher_nothing_is_fetched():
    result = fill_in([paper(IDS[0])], {}, None)
    assert result.papers == [paper(IDS[0])] and result.errors == []


def test_requests_ask_for_as_many_results_as_ids(httpserver):
    serve_batches(httpserver)
    lookup(httpserver, [paper(i) for i in IDS], {})
    query = parse_qs(httpserver.log[0][0].query_string.decode())
    assert query == {"id_list": ["2605.14906,2605.10912"], "max_results": ["2"]}


def test_an_entry_that_cannot_be_read_is_left_out_and_the_others_are_kept(httpserver):
    from tests.conftest import arxiv_answer

    answer = arxiv_answer([{"id": IDS[0], "title": "Found"}]).replace(
        b"<entry>", b"<entry><id>http://example.org/not-arxiv</id></entry><entry>", 1)
    httpserver.expect_request("/api/query").respond_with_data(
        answer, content_type="application/atom+xml")
    cache: dict = {}
    result = lookup(httpserver, [paper(i) for i in IDS[:2]], cache)
    assert result.papers[0].title == "Found" and cache[IDS[0]] == ["Found", "An abstract."]
    assert result.unknown == [IDS[1]]
    assert result.errors == [f"{httpserver.url_for('/api/query')}: entry #1 "
                             "(http://example.org/not-arxiv) left out: its id "
                             "'http://example.org/not-arxiv' is not an arXiv abstract URL"]
