"""A whole run against a local HTTP server serving the real Hugging Face capture."""

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from lxml import etree

from feedmaker.config import load_config
from feedmaker.errors import LockedError
from feedmaker.pipeline import run
from feedmaker.store import run_lock

from .conftest import (
    ATOM_NS,
    NOW,
    assert_valid_atom,
    daily_items,
    fixture_bytes,
    next_release,
    write_config,
)

API_PATH = "/api/daily_papers"


def serve_items(httpserver, items):
    httpserver.clear()
    httpserver.expect_request(API_PATH).respond_with_data(
        json.dumps(items), content_type="application/json")


@pytest.fixture
def config(tmp_path, httpserver):
    return load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API_PATH))]))


def entries_of(path):
    tree = etree.parse(str(path))
    return tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)


def test_every_distinct_paper_becomes_one_entry_exactly_as_captured(config, httpserver):
    items = daily_items()
    serve_items(httpserver, items + items[:5])  # repeated papers count once
    report = run(config, now=NOW)
    assert (report.exit_code, report.new, report.seen) == (0, 50, 50)
    entries = entries_of(config.site.out_dir / "all.atom")
    assert len(entries) == 50
    by_id = {e.findtext("a:id", namespaces=ATOM_NS): e for e in entries}
    for item in items:
        paper = item["paper"]
        entry = by_id[f"https://arxiv.org/abs/{paper['id']}"]
        assert entry.findtext("a:title", namespaces=ATOM_NS) == " ".join(paper["title"].split())
        assert entry.xpath("a:author/a:name/text()", namespaces=ATOM_NS) == [
            a["name"] for a in paper["authors"]]
        published = entry.findtext("a:published", namespaces=ATOM_NS)
        assert published == paper["publishedAt"].replace(".000Z", "+00:00")


def test_entries_are_newest_first(config, httpserver):
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    dates = [e.findtext("a:published", namespaces=ATOM_NS)
             for e in entries_of(config.site.out_dir / "all.atom")]
    assert dates == sorted(dates, reverse=True)


def test_every_output_is_written_and_every_feed_passes_the_schema(config, httpserver):
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    out = config.site.out_dir
    slugs = [t.slug for t in config.topics]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{s}.{ext}" for s in ["all", *slugs] for ext in ("atom", "html")]
        + ["index.html", "feeds.opml", "status.json"])
    for feed in out.glob("*.atom"):
        assert_valid_atom(feed.read_bytes())


def test_a_paper_in_two_topics_appears_in_both_feeds_with_the_same_id(config, httpserver):
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    ids = {t.slug: {e.findtext("a:id", namespaces=ATOM_NS)
                    for e in entries_of(config.site.out_dir / f"{t.slug}.atom")}
           for t in config.topics}
    shared = ids["vision"] & ids["generative"]
    assert shared, "the capture has papers that are both vision and generative"
    entry = next(e for e in entries_of(config.site.out_dir / "vision.atom")
                 if e.findtext("a:id", namespaces=ATOM_NS) in shared)
    terms = entry.xpath("a:category/@term", namespaces=ATOM_NS)
    assert {"vision", "generative"} <= set(terms)


def test_a_second_run_over_the_same_page_changes_no_file_but_the_status(config, httpserver):
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
              for p in config.site.out_dir.iterdir() if p.name != "status.json"}
    report = run(config, now=NOW + timedelta(hours=1))
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
             for p in config.site.out_dir.iterdir() if p.name != "status.json"}
    assert after == before
    assert report.written == ["status.json"] and len(report.unchanged) == len(before)


def test_a_page_where_half_the_papers_are_new_keeps_the_old_ones(config, httpserver):
    items = daily_items()
    serve_items(httpserver, items[:24])
    run(config, now=NOW)
    serve_items(httpserver, items[12:36])
    report = run(config, now=NOW + timedelta(days=1))
    assert (report.new, report.updated) == (12, 0)
    ids = {e.findtext("a:id", namespaces=ATOM_NS)
           for e in entries_of(config.site.out_dir / "all.atom")}
    assert ids == {f"https://arxiv.org/abs/{i['paper']['id']}" for i in items[:36]}


def test_max_entries_keeps_only_the_newest(tmp_path, httpserver):
    config = load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API_PATH))],
                                      max_entries=10))
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    assert len(entries_of(config.site.out_dir / "all.atom")) == 10


def test_a_failing_source_is_reported_and_feeds_are_written_from_history(config, httpserver):
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    httpserver.clear()
    httpserver.expect_request(API_PATH).respond_with_data("gone", status=404)
    report = run(config, now=NOW + timedelta(hours=1))
    assert report.exit_code == 1
    assert "source 'hf'" in report.failures[0] and API_PATH in report.failures[0]
    assert "HTTP 404" in report.failures[0]
    assert len(entries_of(config.site.out_dir / "all.atom")) == 50


def test_hf_api_and_hf_page_sources_of_the_same_papers_merge_into_one_entry(tmp_path, httpserver):
    httpserver.expect_request(API_PATH).respond_with_data(
        fixture_bytes("hf_daily_papers_2026-05-18.json"), content_type="application/json")
    httpserver.expect_request("/papers").respond_with_data(
        fixture_bytes("hf_papers_page_2026-05-18.html"), content_type="text/html")
    config = load_config(write_config(tmp_path, [
        ("hf", "hf-api", httpserver.url_for(API_PATH)),
        ("page", "hf-page", httpserver.url_for("/papers"))]))
    report = run(config, now=NOW)
    assert (report.seen, report.new, report.updated) == (100, 50, 0)
    assert len(entries_of(config.site.out_dir / "all.atom")) == 50


def test_file_urls_are_read_too(tmp_path):
    capture = tmp_path / "capture.json"
    capture.write_bytes(fixture_bytes("hf_daily_papers_2026-05-18.json"))
    config = load_config(write_config(tmp_path, [("hf", "hf-api", "file:capture.json")]))
    assert run(config, now=NOW).new == 50


def test_a_dry_run_writes_nothing_and_stores_nothing(config, httpserver):
    serve_items(httpserver, daily_items())
    report = run(config, now=NOW, dry_run=True)
    assert report.new == 50 and "all.atom" in report.written
    assert not config.site.out_dir.exists()
    serve_items(httpserver, daily_items())
    assert run(config, now=NOW).new == 50


def test_a_run_while_another_holds_the_lock_fails_at_once(config, httpserver):
    serve_items(httpserver, daily_items())
    with run_lock(config.site.state), pytest.raises(LockedError):
        run(config, now=NOW)
    assert not config.site.out_dir.exists()


def test_the_index_lists_every_feed_with_autodiscovery_and_the_opml_lists_them_too(
        config, httpserver):
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    html = etree.HTML((config.site.out_dir / "index.html").read_bytes())
    discovered = html.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href")
    files = ["all.atom"] + [f"{t.slug}.atom" for t in config.topics]
    assert discovered == files
    opml = etree.fromstring((config.site.out_dir / "feeds.opml").read_bytes())
    assert opml.get("version") == "2.0"
    assert opml.xpath("//outline/@xmlUrl") == [f"https://feeds.example.org/{f}" for f in files]


def test_out_dir_holds_only_the_published_files_and_the_state_lives_elsewhere(config, httpserver):
    serve_items(httpserver, daily_items())
    run(config, now=NOW)
    names = {p.name for p in config.site.out_dir.iterdir()}
    expected = {"all.atom", "all.html", "index.html", "feeds.opml", "status.json"} | {
        f"{t.slug}.{ext}" for t in config.topics for ext in ("atom", "html")}
    assert names == expected
    assert config.site.out_dir not in config.site.state.parents
    assert config.site.state.with_name("state.sqlite.lock").exists()


PAGE = """<html><body>
<div class="p"><h2><a href="https://arxiv.org/abs/2401.00001">Title one</a></h2>
<span class="other">Other title one</span></div>
<div class="p"><h2><a href="https://arxiv.org/abs/2401.00002">Title two</a></h2>
<span class="other">Other title two</span></div>
</body></html>"""


def page_site(tmp_path, title_selector):
    (tmp_path / "page.html").write_text(PAGE)
    return write_config(tmp_path, [("page", "html", (tmp_path / "page.html").as_uri())],
                        extra=f'item = "div.p"\ntitle = "{title_selector}"\nlink = "h2 a"\n')


def titles(out):
    return sorted(entry.findtext("a:title", namespaces=ATOM_NS)
                  for entry in entries_of(out / "all.atom"))


def test_a_source_whose_options_changed_is_read_again_though_its_page_did_not(tmp_path):
    assert run(load_config(page_site(tmp_path, "h2 a")), now=NOW).new == 2
    assert titles(tmp_path / "out") == ["Title one", "Title two"]
    report = run(load_config(page_site(tmp_path, "span.other")), now=NOW + timedelta(hours=1))
    assert (report.unchanged_sources, report.updated) == (0, 2)
    assert titles(tmp_path / "out") == ["Other title one", "Other title two"]


def test_a_release_that_reads_sources_differently_reads_them_again(tmp_path):
    path = page_site(tmp_path, "h2 a")

    def feedmaker_run():
        return subprocess.run([sys.executable, "-m", "feedmaker", "run", "--config", path],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path).stdout

    assert "1 unchanged)" not in feedmaker_run()
    assert "1 unchanged)" in feedmaker_run()
    assert "1 unchanged)" not in next_release(tmp_path, "sources/html.py", "run", "--config",
                                              path).stdout
    assert "1 unchanged)" in next_release(tmp_path, "sources/html.py", "run", "--config",
                                          path).stdout
