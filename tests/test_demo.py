"""The bundled demo runs offline and its feeds read as a user expects in a feed reader."""

from collections import Counter
from datetime import timedelta
from importlib import resources
from pathlib import Path

import feedparser
import pytest

from feedmaker.config import load_config
from feedmaker.pipeline import run

from .conftest import NOW


def run_demo(tmp_path: Path):
    demo = Path(str(resources.files("feedmaker").joinpath("data/demo.toml")))
    config = load_config(demo).with_paths(tmp_path / "feeds", tmp_path / "state.sqlite")
    return config, run(config, now=NOW)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's first day, run once for the tests that only read what it wrote:
    (its folder, its config, its report)."""
    folder = tmp_path_factory.mktemp("demo")
    return (folder, *run_demo(folder))


def test_the_demo_writes_a_feed_and_a_page_per_topic_plus_all_index_opml_and_status(demo):
    tmp_path, config, report = demo
    assert report.exit_code == 0 and report.new == 50
    names = {p.name for p in (tmp_path / "feeds").iterdir()}
    assert {"all.atom", "all.html", "index.html", "feeds.opml", "status.json"} <= names
    assert {f"{t.slug}.{ext}" for t in config.topics for ext in ("atom", "html")} <= names


def test_demo_feeds_parse_cleanly_with_readable_entries(demo):
    tmp_path, _, _ = demo
    feed = feedparser.parse((tmp_path / "feeds" / "vision.atom").read_bytes())
    assert feed.bozo == 0
    assert feed.feed.title == "Paper feeds (demo): Computer Vision"
    assert len(feed.entries) > 5
    for entry in feed.entries:
        assert entry.title and "\n" not in entry.title
        assert entry.link.startswith("https://huggingface.co/papers/")
        assert entry.id.startswith("https://arxiv.org/abs/")
        assert entry.authors and all(a.name for a in entry.authors)
        assert "vision" in [tag.term for tag in entry.tags]
        assert entry.summary and len(entry.summary) > 200
        body = entry.content[0].value
        assert "<p>" in body and "Authors:" in body and entry.link in body


def test_every_demo_feed_passes_feedparser_without_complaint(demo):
    tmp_path, _, _ = demo
    for path in (tmp_path / "feeds").glob("*.atom"):
        assert feedparser.parse(path.read_bytes()).bozo == 0, path.name


def test_the_demo_writes_its_views_and_a_feed_like_its_example_library(demo):
    tmp_path, config, report = demo
    assert report.warnings == [] or all("lookup" not in w for w in report.warnings)
    liked = feedparser.parse((tmp_path / "feeds" / "like-mine.atom").read_bytes())
    days = Counter(entry.published[:10] for entry in liked.entries)
    assert liked.entries and max(days.values()) <= 3  # the best 3 of each day
    popular = feedparser.parse((tmp_path / "feeds" / "popular.atom").read_bytes())
    assert len(popular.entries) > 3
    assert (tmp_path / "feeds" / "efficient-vision.atom").is_file()


def test_the_demos_next_day_publishes_each_kind_of_news_once(tmp_path):
    run_demo(tmp_path)
    later = Path(str(resources.files("feedmaker").joinpath("data/demo-next-day.toml")))
    config = load_config(later).with_paths(tmp_path / "feeds", tmp_path / "state.sqlite")
    report = run(config, now=NOW + timedelta(days=1))
    assert (report.exit_code, report.new, report.events) == (0, 0, 10)
    news = feedparser.parse((tmp_path / "feeds" / "paper-news.atom").read_bytes())
    assert news.bozo == 0
    assert Counter(entry.id.split("#")[1] for entry in news.entries) == {
        "v2": 2, "v3": 1, "accepted": 1, "published": 1, "code": 2, "project": 1,
        "popular-50": 2}
    titles = {entry.id: entry.title for entry in news.entries}
    assert titles["https://arxiv.org/abs/2605.16143#accepted"] == (
        "Accepted at ICML 2026: Look Before You Leap: Autonomous Exploration for LLM Agents")
    assert titles["https://arxiv.org/abs/2605.06527#published"].startswith(
        "Published in Transactions on Machine Learning Research, 2026: STALE")
    assert all(entry.published.startswith("2026-05-19") for entry in news.entries)
    assert run(config, now=NOW + timedelta(days=1, hours=1)).events == 0


def test_the_demos_next_day_config_differs_only_in_what_its_sources_read():
    data = Path(str(resources.files("feedmaker").joinpath("data")))

    def settings(name):
        lines = (data / name).read_text().splitlines()
        return [line for line in lines if not line.startswith(("#", "url =", "subtitle ="))]

    assert settings("demo.toml") == settings("demo-next-day.toml")
