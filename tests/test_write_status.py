"""status.json: each source's health and each feed's size, for cron users and monitors;
written by runs that publish, never by one that finds nothing changed; no secrets in it."""

import json
from datetime import timedelta

from feedmaker.config import load_config
from feedmaker.pipeline import run
from feedmaker.publish import public_text, public_url

from .conftest import NOW, daily_items, write_config

API = "/api/daily_papers"


def setup(tmp_path, httpserver, items, query="?limit=50&token=s3cret"):
    serve(httpserver, items)
    return load_config(write_config(tmp_path, [("hf", "hf-api",
                                                httpserver.url_for(API) + query)]))


def serve(httpserver, items=None, status=200):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(
        json.dumps(items) if items is not None else "gone", status=status,
        content_type="application/json")


def status_of(config):
    return json.loads((config.site.out_dir / "status.json").read_bytes())


def test_status_tells_each_sources_health_and_each_feeds_size(tmp_path, httpserver):
    config = setup(tmp_path, httpserver, daily_items())
    run(config, now=NOW)
    status = status_of(config)
    assert status["ok"] is True and status["written"] == "2026-05-18T12:00:00Z"
    [source] = status["sources"]
    assert source == {"name": "hf", "type": "hf-api", "url": httpserver.url_for(API),
                      "ok": True, "last_attempt": "2026-05-18T12:00:00Z",
                      "last_success": "2026-05-18T12:00:00Z", "failing_since": None,
                      "last_error": None, "entries_seen": 50}
    feeds = {feed["slug"]: feed for feed in status["feeds"]}
    assert list(feeds) == [feed.slug for feed in config.feeds]
    assert feeds["all"]["entries"] == 50 and feeds["all"]["newest"] == "2026-05-15T00:00:00Z"
    assert feeds["all"]["files"] == {"atom": "https://feeds.example.org/all.atom",
                                     "html": "https://feeds.example.org/all.html"}


def test_every_run_tells_when_it_ran_and_when_each_source_was_read(tmp_path, httpserver):
    config = setup(tmp_path, httpserver, daily_items())
    run(config, now=NOW)
    report = run(config, now=NOW + timedelta(hours=1))
    status = status_of(config)
    assert report.written == ["status.json"] and status["written"] == "2026-05-18T13:00:00Z"
    assert status["sources"][0]["last_attempt"] == "2026-05-18T13:00:00Z"


def test_a_failing_source_shows_at_once_without_its_query_and_recovers(tmp_path, httpserver):
    config = setup(tmp_path, httpserver, daily_items())
    run(config, now=NOW)
    serve(httpserver, status=404)
    report = run(config, now=NOW + timedelta(hours=1))
    assert report.exit_code == 1 and "status.json" in report.written
    status = status_of(config)
    [source] = status["sources"]
    assert status["ok"] is False and source["ok"] is False
    assert "HTTP 404" in source["last_error"] and "s3cret" not in json.dumps(status)
    assert (source["last_success"], source["failing_since"]) == ("2026-05-18T12:00:00Z",
                                                                 "2026-05-18T13:00:00Z")
    index = (config.site.out_dir / "index.html").read_text()
    assert "failing since 2026-05-18 13:00 UTC" in index and "s3cret" not in index

    # The same failure again changes nothing a reader sees: only the status is written.
    assert run(config, now=NOW + timedelta(hours=2)).written == ["status.json"]
    serve(httpserver, daily_items())
    run(config, now=NOW + timedelta(hours=3))
    [source] = status_of(config)["sources"]
    assert (source["ok"], source["failing_since"], source["last_error"]) == (True, None, None)
    assert source["last_success"] == "2026-05-18T15:00:00Z"


def test_public_urls_and_errors_hold_no_keys_or_local_paths():
    assert public_url("https://user:pw@api.example.org:8443/x?key=1#f") == (
        "https://api.example.org:8443/x")
    assert public_url("file:///home/me/secret/papers.json") == "file:papers.json"
    message = "source 'a': https://h.example/q?api_key=K: HTTP 500\n  (retried)"
    assert public_text(message) == "source 'a': https://h.example/q: HTTP 500 (retried)"
    assert len(public_text("x" * 1000)) <= 300


def test_an_error_quoting_a_url_no_parser_reads_is_shown_cut_not_a_crash():
    # A source's stored error may quote "http://[::1" from a page: urlsplit raises on it.
    assert public_text("entry http://me:pw@[::1?k=s3cret: bad link") == (
        "entry http://[::1: bad link")
