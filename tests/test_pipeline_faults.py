"""Faults a cron run must survive: each leaves the published feeds as they were, reports one
line naming the source, its URL and what went wrong, shows it on the front page and in
status.json, and exits 1."""

import json
from datetime import timedelta

import pytest

from feedmaker.config import load_config
from feedmaker.fetch import Fetcher
from feedmaker.pipeline import run

from .conftest import NOW, assert_valid_atom, daily_items, fixture_bytes, write_config
from .faulty_server import FaultyServer

DAILY = json.dumps(daily_items()).encode()
OTHER_PAGE = b"<!DOCTYPE html><html><body><h1>We'll be right back</h1></body></html>"
GARBAGE = bytes(range(256)) * 40


@pytest.fixture
def server():
    server = FaultyServer(DAILY)
    yield server
    server.close()


def outputs(out_dir):
    return {path.name: path.read_bytes() for path in sorted(out_dir.iterdir())}


# The files that tell how the sources are doing: a failure changes them, and nothing else.
HEALTH = {"index.html", "status.json"}


def feeds_and_pages(files):
    return {name: data for name, data in files.items() if name not in HEALTH}


def fast_fetcher():
    return Fetcher(timeout=(1, 1), retries=1, backoff=0)


@pytest.fixture
def published(tmp_path, server):
    """A config whose first run published the 50 papers of the capture."""
    config = load_config(write_config(tmp_path, [("hf", "hf-api", server.url())]))
    assert run(config, now=NOW, fetcher=fast_fetcher()).exit_code == 0
    return config, outputs(config.site.out_dir)


@pytest.mark.parametrize(("mode", "body", "reason"), [
    ("status:500", DAILY, "HTTP 500 Internal Server Error, still failing after 1 retry"),
    ("status:502", DAILY, "HTTP 502 Bad Gateway, still failing after 1 retry"),
    ("status:503", DAILY, "HTTP 503 Service Unavailable, still failing after 1 retry"),
    ("status:503:retry-after", DAILY, "HTTP 503 Service Unavailable, still failing after 1 retry"),
    ("status:429", DAILY, "HTTP 429 Too Many Requests, still failing after 1 retry"),
    ("status:404", DAILY, "HTTP 404 Not Found"),
    ("status:406", DAILY, "HTTP 406 Not Acceptable"),
    ("refuse", DAILY, "connection failed: connection refused"),
    ("reset", DAILY, "connection broken while reading the body: connection reset by peer"),
    ("truncate", DAILY, "the body was cut off: got"),
    ("stall", DAILY, "timed out waiting for the server"),
    ("ok", b"", "not JSON"),
    ("ok", OTHER_PAGE, "not JSON"),
    ("ok", GARBAGE, "not JSON"),
    ("ok", b"[]", "gave no entries"),
    ("ok", json.dumps(daily_items()[:3]).encode(), "gave 3 entries, under a quarter of its "
                                                   "usual 50"),
])
def test_a_fault_fails_the_source_and_leaves_every_published_feed_as_it_was(
        published, server, mode, body, reason):
    config, before = published
    if mode == "refuse":
        server.refuse()
    server.mode, server.body = mode, body
    report = run(config, now=NOW + timedelta(hours=1), fetcher=fast_fetcher())
    assert report.exit_code == 1
    assert len(report.failures) == 1
    assert report.failures[0].startswith("source 'hf'")
    assert server.url() in report.failures[0]
    assert reason in report.failures[0]
    after = outputs(config.site.out_dir)
    assert feeds_and_pages(after) == feeds_and_pages(before)
    assert_valid_atom(before["all.atom"])
    [source] = json.loads(after["status.json"])["sources"]
    assert source["ok"] is False and reason in source["last_error"]
    assert source["last_success"] == "2026-05-18T12:00:00Z"
    assert b"failing since" in after["index.html"]


@pytest.mark.parametrize("kind", ["hf-page", "arxiv-api", "arxiv-rss", "feed", "html"])
@pytest.mark.parametrize("body", [b"", OTHER_PAGE, GARBAGE], ids=["empty", "other-page",
                                                                  "garbage"])
def test_every_source_type_fails_clearly_on_a_body_that_is_not_its_kind(tmp_path, kind, body):
    server = FaultyServer(body, content_type="text/html")
    try:
        path = write_config(tmp_path, [("src", kind, server.url("/listing"))])
        if kind == "html":
            path.write_text(path.read_text().replace(
                "min_interval = 0", 'min_interval = 0\nitem = "li.paper"\ntitle = "h3"'))
        report = run(load_config(path), now=NOW, fetcher=fast_fetcher())
    finally:
        server.close()
    assert report.exit_code == 1 and len(report.failures) == 1
    assert report.failures[0].startswith(f"source 'src': {server.url('/listing')}: ")


def test_a_failed_source_does_not_stop_the_others(published, server, tmp_path):
    config, _ = published
    good = FaultyServer(fixture_bytes("feed_atom.xml"), content_type="application/atom+xml")
    try:
        path = write_config(tmp_path, [("hf", "hf-api", server.url()),
                                       ("blog", "feed", good.url("/feed"))])
        server.mode = "status:404"
        report = run(load_config(path), now=NOW + timedelta(hours=1), fetcher=fast_fetcher())
    finally:
        good.close()
    assert (report.exit_code, report.new, len(report.failures)) == (1, 2, 1)
    assert (config.site.out_dir / "all.atom").read_text().count("<entry>") == 52
