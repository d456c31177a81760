"""The bundled demo runs offline and its feeds read as a user expects in a feed reader."""

from collections import Counter
from importlib import resources
from pathlib import Path

import feedparser

from feedmaker.config import load_config
from feedmaker.pipeline import run

from .conftest import NOW


def run_demo(tmp_path: Path):
    demo = Path(str(resources.files("feedmaker").joinpath("data/demo.toml")))
    config = load_config(demo).with_paths(tmp_path / "feeds", tmp_path / "state.sqlite")
    return config, run(config, now=NOW)


def test_the_demo_writes_a_feed_and_a_page_per_topic_plus_all_index_opml_and_status(tmp_path):
    config, report = run_demo(tmp_path)
    assert report.exit_code == 0 and report.new == 50
    names = {p.name for p in (tmp_path / "feeds").iterdir()}
    assert {"all.atom", "all.html", "index.html", "feeds.opml", "status.json"} <= names
    assert {f"{t.slug}.{ext}" for t in config.topics for ext in ("atom", "html")} <= names


def test_demo_feeds_parse_cleanly_with_readable_entries(tmp_path):
    run_demo(tmp_path)
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


def test_every_demo_feed_passes_feedparser_without_complaint(tmp_path):
    run_demo(tmp_path)
    for path in (tmp_path / "feeds").glob("*.atom"):
        assert feedparser.parse(path.read_bytes()).bozo == 0, path.name


def test_the_demo_writes_its_views_and_a_feed_like_its_example_library(tmp_path):
    config, report = run_demo(tmp_path)
    assert report.warnings == [] or all("lookup" not in w for w in report.warnings)
    liked = feedparser.parse((tmp_path / "feeds" / "like-mine.atom").read_bytes())
    days = Counter(entry.published[:10] for entry in liked.entries)
    assert liked.entries and max(days.values()) <= 3  # the best 3 of each day
    popular = feedparser.parse((tmp_path / "feeds" / "popular.atom").read_bytes())
    assert len(popular.entries) > 3
    assert (tmp_path / "feeds" / "efficient-vision.atom").is_file()
