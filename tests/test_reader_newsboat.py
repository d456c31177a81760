"""A real feed reader (newsboat) subscribed to every feed sees no duplicates and no old item
unread again across regenerations, and every new paper exactly once.

`make reader-test` installs Debian's newsboat when missing and runs this file; without
newsboat, `make test` skips it.
"""

import copy
import functools
import json
import os
import shutil
import sqlite3
import subprocess
import threading
from collections import Counter
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from feedmaker.config import load_config
from feedmaker.pipeline import run

from .conftest import NOW, arxiv_answer, daily_items, write_config

pytestmark = pytest.mark.skipif(shutil.which("newsboat") is None,
                                reason="newsboat is not installed (make reader-test installs it)")
API = "/api/daily_papers"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def served_config(tmp_path, feed_server, sources, extra: str = ""):
    """A config whose feeds are written to the served folder and name its address."""
    out, base_url = feed_server
    path = write_config(tmp_path, sources, extra)
    text = path.read_text().replace("https://feeds.example.org/", base_url)
    path.write_text(text.replace('out_dir = "out"', f'out_dir = "{out}"'))
    return load_config(path)


class Newsboat:
    """newsboat driven from the command line, its cache read as the SQLite file it is."""

    def __init__(self, home):
        self.home = home
        self.urls, self.cache, self.conf = home / "urls", home / "cache.db", home / "config"
        for path in (self.urls, self.conf):
            path.touch()

    def _run(self, *args):
        result = subprocess.run(
            ["newsboat", "-u", str(self.urls), "-c", str(self.cache), "-C", str(self.conf),
             *args], env={"HOME": str(self.home), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def import_opml(self, path):
        self._run("-i", str(path))

    def reload(self):
        self._run("-x", "reload")

    def items(self):
        with sqlite3.connect(self.cache) as db:
            return db.execute("SELECT feedurl, guid, unread FROM rss_item WHERE deleted = 0"
                              ).fetchall()

    def mark_all_read(self):
        with sqlite3.connect(self.cache) as db:
            db.execute("UPDATE rss_item SET unread = 0")


def regenerate(config, httpserver, papers, hours, arxiv=None):
    """Serve `papers` (and `arxiv`'s papers on arXiv's API, see conftest.arxiv_answer) and
    run, as cron would `hours` after NOW; returns the run's report."""
    out = config.site.out_dir
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(papers),
                                                     content_type="application/json")
    if arxiv is not None:
        httpserver.expect_request("/api/query").respond_with_data(
            arxiv_answer(arxiv), content_type="application/atom+xml")
    now = NOW + timedelta(hours=hours)
    report = run(config, now=now)
    assert report.exit_code == 0
    # Last-Modified has whole seconds and the regenerations here are a second apart
    # at most: date what each one wrote at its own `now`, as hours apart in cron.
    for name in report.written:
        os.utime(out / name, (now.timestamp(), now.timestamp()))
    return report


def test_newsboat_sees_no_duplicates_no_old_item_unread_again_and_each_new_paper_once(
        tmp_path, httpserver, feed_server):
    out, base_url = feed_server
    config = served_config(tmp_path, feed_server, [("hf", "hf-api", httpserver.url_for(API))])
    items = daily_items()

    def regenerate_with(papers, hours):
        regenerate(config, httpserver, papers, hours)

    home = tmp_path / "newsboat"
    home.mkdir()
    reader = Newsboat(home)

    regenerate_with(items[:30], 0)
    reader.import_opml(out / "feeds.opml")
    assert len(reader.urls.read_text().split()) == len(config.topics) + 1
    reader.reload()
    first = reader.items()
    # newsboat keeps one item per id across feeds: a paper in three topics is one item.
    assert sorted(g for _, g, _ in first) == sorted(
        f"https://arxiv.org/abs/{i['paper']['id']}" for i in items[:30])
    reader.mark_all_read()

    regenerate_with(items[:30], 1)  # the same input again
    reader.reload()
    second = reader.items()
    assert sorted(g for _, g, _ in second) == sorted(g for _, g, _ in first)
    assert [g for _, g, unread in second if unread] == []

    edited = copy.deepcopy(items[:30])
    for item in edited[:3]:
        item["paper"]["summary"] += " (v2: revised abstract)"
    regenerate_with(edited + items[30:40], 2)  # ten new papers, three edited
    reader.reload()
    third = reader.items()
    assert all(count == 1 for count in Counter(g for _, g, _ in third).values())
    new_ids = {f"https://arxiv.org/abs/{i['paper']['id']}" for i in items[30:40]}
    assert sorted(g for _, g, unread in third if unread) == sorted(new_ids)
    assert {g for _, g, _ in third} == {g for _, g, _ in second} | new_ids


def test_newsboat_sees_a_popularity_view_gain_a_paper_once_and_nothing_unread_again(
        tmp_path, httpserver, feed_server):
    out, base_url = feed_server
    config = served_config(tmp_path, feed_server, [("hf", "hf-api", httpserver.url_for(API))],
                           '\n[views.popular]\nany = ["source:hf"]\nmin_upvotes = 20\n')
    items = copy.deepcopy(daily_items()[:20])
    for item in items:
        item["paper"]["upvotes"] = 0
    climber = items[0]
    climber_id = f"https://arxiv.org/abs/{climber['paper']['id']}"
    readers = {}
    for name in ("everything", "popular"):
        (tmp_path / name).mkdir()
        readers[name] = Newsboat(tmp_path / name)

    def regenerate_at(upvotes, hours):
        climber["paper"]["upvotes"] = upvotes
        regenerate(config, httpserver, items, hours)

    regenerate_at(5, 0)
    # One reader follows every feed, the other only the popularity view.
    readers["everything"].import_opml(out / "feeds.opml")
    readers["popular"].urls.write_text(base_url + "popular.atom\n")
    seen = {}
    for upvotes, hours in ((5, 1), (25, 2), (3, 3)):  # below the bar, above, below again
        regenerate_at(upvotes, hours)
        for name, reader in readers.items():
            reader.reload()
            seen[name, hours] = reader.items()
            reader.mark_all_read()
    everything = [seen["everything", hours] for hours in (1, 2, 3)]
    assert all(count == 1 for count in Counter(g for _, g, _ in everything[-1]).values())
    # After the first reading, nothing comes back unread: not when the climber enters the
    # view (newsboat keeps one item per id, already read), not when its count falls.
    assert [g for _, g, unread in everything[1] + everything[2] if unread] == []
    popular = [seen["popular", hours] for hours in (1, 2, 3)]
    assert popular[0] == []
    assert popular[1] == [(base_url + "popular.atom", climber_id, 1)]  # new, unread, once
    assert popular[2] == [(base_url + "popular.atom", climber_id, 0)]  # still there, read


def test_newsboat_shows_each_news_event_once_and_never_unread_again(
        tmp_path, httpserver, feed_server):
    base_url = feed_server[1]
    config = served_config(
        tmp_path, feed_server, [("hf", "hf-api", httpserver.url_for(API)),
                                ("arxiv", "arxiv-api", httpserver.url_for("/api/query"))],
        '\n[views.news]\nnews = ["version", "code", "project", "popular"]\n'
        'any = ["source:hf"]\npopular_upvotes = 20\n')
    items = copy.deepcopy(daily_items()[:6])
    for item in items:
        item["paper"].pop("githubRepo", None)
        item["paper"].pop("projectPage", None)
        item["paper"]["upvotes"] = 3
    ids = [f"https://arxiv.org/abs/{item['paper']['id']}" for item in items]
    reader = Newsboat(tmp_path)
    reader.urls.write_text(base_url + "news.atom\n")

    def regenerate_at(hours, version=1):
        regenerate(config, httpserver, items, hours,
                   [{"id": items[0]["paper"]["id"], "version": version}])
        reader.reload()
        found = reader.items()
        reader.mark_all_read()
        return sorted((guid, unread) for _, guid, unread in found)

    assert regenerate_at(0) == []
    items[1]["paper"]["githubRepo"] = "https://github.com/lab/one"
    items[2]["paper"]["projectPage"] = "https://two.example.org/"
    items[3]["paper"]["upvotes"] = 25
    news = [ids[1] + "#code", ids[2] + "#project", ids[3] + "#popular-20"]
    assert regenerate_at(24) == sorted((guid, 1) for guid in news)
    assert regenerate_at(25) == sorted((guid, 0) for guid in news)  # the same answers again
    items[3]["paper"]["upvotes"] = 4  # falls below the bar: nothing to tell
    assert regenerate_at(48, version=2) == sorted(
        [(guid, 0) for guid in news] + [(ids[0] + "#v2", 1)])
