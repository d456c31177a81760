"""Reading every source of a run: parallel across hosts, conditional GET, broken-page counts,
and the same paper from several sources becoming one entry."""

import json
import threading
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response as WerkzeugResponse

from feedmaker.config import load_config
from feedmaker.pipeline import run
from feedmaker.store import Store
from feedmaker.store.sources import judge_count

from .conftest import NOW, daily_items, fixture_bytes, write_config


def serve(httpserver, path, data, **headers):
    httpserver.expect_request(path).respond_with_data(data, headers=headers)


def test_the_same_paper_from_hugging_face_and_arxiv_is_one_entry_with_what_both_know(
        tmp_path, httpserver):
    serve(httpserver, "/api/daily_papers", json.dumps(daily_items()))
    serve(httpserver, "/api/query", fixture_bytes("arxiv_api_query.xml"))
    config = load_config(write_config(tmp_path, [
        ("hf", "hf-api", httpserver.url_for("/api/daily_papers")),
        ("arxiv", "arxiv-api", httpserver.url_for("/api/query"))]))
    report = run(config, now=NOW)
    assert (report.exit_code, report.seen, report.new) == (0, 53, 51)  # 2 of 3 shared
    with Store(config.site.state, NOW) as store:
        entry = store.history.get("https://arxiv.org/abs/2605.15320")
        assert store.history.count() == 51
    assert entry.categories == ("cs.CV", "cs.GR", "cs.LG")  # from arXiv
    assert entry.upvotes is not None  # from Hugging Face
    all_atom = (config.site.out_dir / "all.atom").read_text()
    assert all_atom.count("<id>https://arxiv.org/abs/2605.15320</id>") == 1


def test_categories_a_second_source_adds_later_reach_category_rules(tmp_path, httpserver):
    """The topics of a paper first seen without categories used to stay as they were."""
    serve(httpserver, "/api/daily_papers", json.dumps(daily_items()))
    serve(httpserver, "/api/query", fixture_bytes("arxiv_api_query.xml"))
    rules = '\n[topics.graphics]\ntitle = "Graphics"\nany = ["category:cs.GR"]\n'
    hf = ("hf", "hf-api", httpserver.url_for("/api/daily_papers"))
    arxiv = ("arxiv", "arxiv-api", httpserver.url_for("/api/query"))
    run(load_config(write_config(tmp_path, [hf], rules)), now=NOW)
    feed = tmp_path / "out" / "graphics.atom"
    assert "2605.15320" not in feed.read_text()
    config = load_config(write_config(tmp_path, [hf, arxiv], rules))
    run(config, now=NOW + timedelta(hours=1))
    assert "<id>https://arxiv.org/abs/2605.15320</id>" in feed.read_text()
    with Store.reader(config.site.state) as store:
        assert store.history.sources_of(["https://arxiv.org/abs/2605.15320"]) == {
            "https://arxiv.org/abs/2605.15320": ["hf", "arxiv"]}


def test_a_304_costs_no_parsing_and_changes_nothing(tmp_path, httpserver):
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    serve(httpserver, "/feed", fixture_bytes("feed_atom.xml"), ETag='"v1"')
    config = load_config(write_config(tmp_path, [("blog", "feed", httpserver.url_for("/feed"))]))
    first = run(config, now=NOW)
    assert first.new == 2
    second = run(config, now=NOW + timedelta(hours=1))
    assert (second.exit_code, second.seen, second.unchanged_sources) == (0, 0, 1)
    assert second.written == ["status.json"]  # its times: nothing else changed
    assert httpserver.log[-1][1].status_code == 304
    with Store(config.site.state, NOW) as store:
        assert store.history.count() == 2


def test_the_same_bytes_again_are_not_parsed_or_merged_again(tmp_path, httpserver):
    serve(httpserver, "/api/daily_papers", json.dumps(daily_items()))
    config = load_config(write_config(tmp_path, [
        ("hf", "hf-api", httpserver.url_for("/api/daily_papers"))]))
    run(config, now=NOW)
    report = run(config, now=NOW + timedelta(hours=1))
    assert (report.seen, report.unchanged_sources, report.written) == (0, 1, ["status.json"])


def test_a_changed_url_in_the_config_does_not_reuse_the_old_urls_validators(
        tmp_path, httpserver):
    serve(httpserver, "/a", fixture_bytes("feed_atom.xml"))
    serve(httpserver, "/b", fixture_bytes("feed_atom.xml"))
    run(load_config(write_config(tmp_path, [("blog", "feed", httpserver.url_for("/a"))])),
        now=NOW)
    report = run(load_config(write_config(tmp_path, [("blog", "feed",
                                                      httpserver.url_for("/b"))])), now=NOW)
    assert (report.seen, report.unchanged_sources) == (2, 0)


def test_sources_on_different_hosts_are_fetched_at_the_same_time(tmp_path):
    # Each answer waits until both requests have arrived: one after the other, it times out.
    both_arrived = threading.Barrier(2, timeout=5)

    def handler(request):
        both_arrived.wait()
        return WerkzeugResponse(fixture_bytes("feed_atom.xml"))

    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request("/feed").respond_with_handler(handler)
        config = load_config(write_config(tmp_path, [
            ("one", "feed", f"http://localhost:{server.port}/feed"),
            ("two", "feed", f"http://127.0.0.1:{server.port}/feed")]))
        report = run(config, now=NOW)
    finally:
        server.stop()
    assert (report.exit_code, report.seen, report.new) == (0, 4, 2)


def test_sources_on_one_host_are_fetched_one_after_the_other(tmp_path, httpserver):
    active, overlaps = [0], []
    lock = threading.Lock()

    def handler(request):
        with lock:
            active[0] += 1
            overlaps.append(active[0])
        threading.Event().wait(0.05)
        with lock:
            active[0] -= 1
        return WerkzeugResponse(fixture_bytes("feed_atom.xml"))

    httpserver.expect_request("/feed").respond_with_handler(handler)
    config = load_config(write_config(tmp_path, [
        (name, "feed", httpserver.url_for("/feed")) for name in ("a", "b", "c")]))
    run(config, now=NOW)
    assert overlaps == [1, 1, 1]


def published_then_served(tmp_path, httpserver, items):
    """A config whose first run published the capture; the page now lists `items`."""
    serve(httpserver, "/api/daily_papers", json.dumps(daily_items()))
    config = load_config(write_config(tmp_path, [
        ("hf", "hf-api", httpserver.url_for("/api/daily_papers"))]))
    run(config, now=NOW)
    httpserver.clear()
    serve(httpserver, "/api/daily_papers", json.dumps(items))
    return config


def test_a_source_that_suddenly_gives_nothing_fails_and_keeps_its_history(tmp_path, httpserver):
    config = published_then_served(tmp_path, httpserver, [])
    report = run(config, now=NOW + timedelta(hours=1))
    assert report.exit_code == 1
    assert report.failures == [
        f"source 'hf' ({httpserver.url_for('/api/daily_papers')}): gave no entries (a changed "
        "page layout? if an empty listing is normal for this source, set allow_empty = true); "
        "its entries were not used and the history is kept"]
    assert (config.site.out_dir / "all.atom").read_text().count("<entry>") == 50


def test_an_empty_listing_is_fine_where_allow_empty_says_so(tmp_path, httpserver):
    serve(httpserver, "/feed", b'<rss version="2.0"><channel><title>t</title></channel></rss>')
    path = write_config(tmp_path, [("blog", "feed", httpserver.url_for("/feed"))])
    assert run(load_config(path), now=NOW).exit_code == 1
    path.write_text(path.read_text().replace("min_interval = 0", "min_interval = 0\n"
                                             "allow_empty = true"))
    report = run(load_config(path), now=NOW)
    assert (report.exit_code, report.failures) == (0, [])


def test_an_empty_arxiv_category_feed_on_a_weekend_is_normal_by_default(tmp_path, httpserver):
    serve(httpserver, "/rss", fixture_bytes("arxiv_rss_empty.xml"))
    path = write_config(tmp_path, [("cv", "arxiv-rss", httpserver.url_for("/rss"))])
    report = run(load_config(path), now=NOW)
    assert (report.exit_code, report.failures) == (0, [])


def test_a_listing_under_a_quarter_of_its_usual_size_is_a_failed_source(tmp_path, httpserver):
    config = published_then_served(tmp_path, httpserver, daily_items()[:5])
    report = run(config, now=NOW + timedelta(hours=1))
    assert report.exit_code == 1
    assert "gave 5 entries, under a quarter of its usual 50" in report.failures[0]
    assert report.seen == 0


@pytest.mark.parametrize(("count", "usual", "allow_empty", "verdict"), [
    (0, None, False, "gave no entries"),
    (0, 50, True, None),
    (12, 50, False, "gave 12 entries, under a quarter of its usual 50"),
    (13, 50, False, None),
    (1, None, False, None),
    (60, 50, False, None),
])
def test_judging_a_sources_count(count, usual, allow_empty, verdict):
    problem = judge_count(count, usual, allow_empty)
    assert (problem or "").startswith(verdict or "") and bool(problem) == bool(verdict)


def test_a_source_pointed_at_a_narrower_listing_starts_a_new_usual_size(tmp_path, httpserver):
    config = published_then_served(tmp_path, httpserver, daily_items()[:5])
    narrower = httpserver.url_for("/api/daily_papers") + "?submitter=someone"
    config.path.write_text(config.path.read_text().replace(
        httpserver.url_for("/api/daily_papers"), narrower))
    report = run(load_config(config.path), now=NOW + timedelta(hours=1))
    assert (report.exit_code, report.failures, report.seen) == (0, [], 5)


def test_a_source_that_stays_at_a_steady_smaller_size_is_believed_on_the_third_run(
        tmp_path, httpserver):
    config = published_then_served(tmp_path, httpserver, daily_items()[:8])
    reports = []
    for hour in (1, 2, 3, 4):
        items = daily_items()[:8] if hour % 2 else daily_items()[2:10]  # new bytes each time
        httpserver.clear()
        serve(httpserver, "/api/daily_papers", json.dumps(items))
        reports.append(run(config, now=NOW + timedelta(hours=hour)))
    assert [r.exit_code for r in reports] == [1, 1, 0, 0]
    assert reports[2].warnings == [
        f"source 'hf' ({httpserver.url_for('/api/daily_papers')}): 8 entries for 3 runs in a "
        "row, under a quarter of its usual 50; taking that as its size from now on"]
    assert reports[2].seen == 8 and reports[3].warnings == []


def test_counts_that_jump_around_are_not_taken_for_a_new_size(tmp_path, httpserver):
    config = published_then_served(tmp_path, httpserver, daily_items()[:1])
    codes = []
    for hour, size in enumerate((1, 12, 1, 12), 1):
        httpserver.clear()
        serve(httpserver, "/api/daily_papers", json.dumps(daily_items()[hour:hour + size]))
        codes.append(run(config, now=NOW + timedelta(hours=hour)).exit_code)
    assert codes == [1, 1, 1, 1]
