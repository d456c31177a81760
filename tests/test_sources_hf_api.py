"""The hf-api source reads the real daily-papers capture exactly as Hugging Face sent it."""

import json

import pytest

from feedmaker.errors import ParseError
from feedmaker.fetch import Fetcher
from feedmaker.sources import hf_api, read_source

from .conftest import daily_items, fixture_bytes, source_config

URL = "https://huggingface.co/api/daily_papers"


def test_every_item_of_the_capture_becomes_one_entry_with_its_paper_fields():
    entries = hf_api.parse(fixture_bytes("hf_daily_papers_2026-05-18.json"), "hf", URL)
    items = daily_items()
    assert len(entries) == len(items) == 50
    for entry, item in zip(entries, items, strict=True):
        paper = item["paper"]
        assert entry.arxiv_id == paper["id"]
        assert entry.title == paper["title"]
        assert entry.authors == [a["name"] for a in paper["authors"]]
        assert entry.url == f"https://huggingface.co/papers/{paper['id']}"


def test_published_is_the_papers_date_not_the_earlier_outer_item_date():
    entry = hf_api.parse(fixture_bytes("hf_daily_papers_2026-05-18.json"), "hf", URL)[0]
    item = daily_items()[0]
    assert item["publishedAt"] == "2026-05-13T20:00:00.000Z"
    assert entry.published == item["paper"]["publishedAt"] == "2026-05-14T00:00:00.000Z"


def test_summary_is_the_abstract_not_the_ai_summary():
    entry = hf_api.parse(fixture_bytes("hf_daily_papers_2026-05-18.json"), "hf", URL)[0]
    paper = daily_items()[0]["paper"]
    assert entry.summary == paper["summary"] != paper["ai_summary"]
    assert entry.summary_is_abstract


def test_code_and_project_links_come_from_the_paper():
    entries = hf_api.parse(fixture_bytes("hf_daily_papers_2026-05-18.json"), "hf", URL)
    by_id = {e.arxiv_id: e for e in entries}
    for item in daily_items():
        paper = item["paper"]
        assert by_id[paper["id"]].links.get("code") == paper.get("githubRepo")
        assert by_id[paper["id"]].links.get("project") == paper.get("projectPage")


def test_a_single_paper_object_from_the_papers_endpoint_is_one_entry():
    entries = hf_api.parse(fixture_bytes("hf_paper_detail_2605.15320.json"), "hf", URL)
    assert [e.arxiv_id for e in entries] == ["2605.15320"]
    assert entries[0].published == "2026-05-14T00:00:00.000Z"


def test_an_empty_list_is_zero_entries_not_an_error():
    assert hf_api.parse(b"[]", "hf", URL) == []


@pytest.mark.parametrize("body, message", [
    (b"<html>rate limited</html>", "not JSON"),
    (b'{"error": "x"}', "expected a JSON list"),
    (b"[" * 100_000 + b"]" * 100_000, r"not JSON \(nested too deeply to read\)"),
])
def test_bad_bodies_raise_an_error_naming_the_url(body, message):
    with pytest.raises(ParseError, match=message) as info:
        hf_api.parse(body, "hf", URL)
    assert URL in str(info.value)


def test_pages_are_read_with_p_until_an_empty_page(httpserver):
    items = daily_items()
    httpserver.expect_request("/api/daily_papers", query_string="limit=20").respond_with_data(
        json.dumps(items[:20]))
    httpserver.expect_request("/api/daily_papers", query_string="limit=20&p=1"
                              ).respond_with_data(json.dumps(items[20:40]))
    httpserver.expect_request("/api/daily_papers", query_string="limit=20&p=2"
                              ).respond_with_data("[]")
    source = source_config("hf-api", httpserver.url_for("/api/daily_papers") + "?limit=20",
                           pages=5)
    result = read_source(source, Fetcher(backoff=0))
    assert [r.arxiv_id for r in result.raws] == [i["paper"]["id"] for i in items[:40]]
    assert len(httpserver.log) == 3


@pytest.mark.parametrize("page", ["\u00b2", "9" * 4400, "-1"])
def test_a_page_number_that_is_no_whole_number_reads_only_the_first_page(httpserver, page):
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        json.dumps(daily_items()[:20]))
    source = source_config("hf-api", httpserver.url_for("/api/daily_papers") + f"?p={page}",
                           pages=5)
    result = read_source(source, Fetcher(backoff=0))
    assert (len(result.raws), len(httpserver.log), result.error) == (20, 1, None)
    assert result.warnings == [f"src: p={page[:20]!r} in its URL is no whole number; only "
                               "its first page is read"]


def test_the_search_api_reads_like_the_daily_api(httpserver):
    httpserver.expect_request("/api/papers/search", query_string="q=avatar").respond_with_data(
        json.dumps(daily_items()[:1]))
    source = source_config("hf-api", httpserver.url_for("/api/papers/search") + "?q=avatar")
    assert [r.arxiv_id for r in read_source(source, Fetcher()).raws] == ["2605.15320"]


def test_giving_up_after_the_retry_budget_names_the_source_and_the_url(httpserver):
    httpserver.expect_request("/api/daily_papers").respond_with_data("busy", status=503)
    url = httpserver.url_for("/api/daily_papers")
    result = read_source(source_config("hf-api", url), Fetcher(backoff=0, retries=2))
    assert result.error == (f"source 'src': {url}: HTTP 503 SERVICE UNAVAILABLE, "
                            "still failing after 2 retries")


def test_items_of_the_wrong_shape_are_left_out_with_a_warning_naming_them():
    good = daily_items()[0]
    body = json.dumps([{"paper": {"title": "no id"}}, good, 42, {"paper": {"id": 7}},
                       {"paper": "x"}]).encode()
    warnings = []
    entries = hf_api.parse(body, "hf", URL, warnings.append)
    assert [e.arxiv_id for e in entries] == [good["paper"]["id"]]
    assert warnings == ["hf: entry #1 left out: no paper.id (text)",
                        "hf: entry #3 left out: expected a paper object, got int",
                        "hf: entry #4 (7) left out: no paper.id (text)",
                        "hf: entry #5 left out: no paper.id (text)"]


def test_fields_of_the_wrong_type_count_as_missing_and_numbers_as_text():
    item = {"paper": {"id": "2605.00001", "title": 1984, "summary": ["not", "text"],
                      "authors": "A. Author", "publishedAt": {"at": 1}, "upvotes": "9",
                      "githubRepo": 3, "projectPage": None}}
    warnings = []
    (raw,) = hf_api.parse(json.dumps([item]).encode(), "hf", URL, warnings.append)
    assert (raw.title, raw.summary, raw.authors, raw.published, raw.upvotes, raw.links) == (
        "1984", None, [], None, None, {})
    assert warnings == []


def test_a_number_is_written_out_as_json_gives_it():
    items = [{"paper": {"id": f"2605.0000{n}", "title": title}}
             for n, title in enumerate([1984.0, 2401.00001, 7])]
    assert [raw.title for raw in hf_api.parse(json.dumps(items).encode(), "hf", URL)] == [
        "1984", "2401.00001", "7"]


def test_a_number_too_long_for_python_costs_its_field_not_the_listing():
    # json.loads raised "Exceeds the limit (4300 digits) for integer string conversion",
    # and the source failed: every paper of the page was lost.
    good = daily_items()[0]
    body = (b'[{"paper": {"id": "2605.00001", "title": "Huge", "upvotes": ' + b"9" * 5000
            + b"}}, " + json.dumps(good).encode() + b"]")
    huge, kept = hf_api.parse(body, "hf", URL)
    assert (huge.title, huge.upvotes, kept.arxiv_id) == ("Huge", None, good["paper"]["id"])


def test_a_byte_order_mark_before_the_json_is_ignored():
    # It was "not JSON (Unexpected UTF-8 BOM ...)": the whole listing lost.
    body = b"\xef\xbb\xbf" + fixture_bytes("hf_daily_papers_2026-05-18.json")
    assert len(hf_api.parse(body, "hf", URL)) == len(daily_items())
