"""An upgrade shows readers nothing again: a state store and feeds written by the release
before (tests/fixtures/upgrade-5ff3203), run over by today's feedmaker with the same source
answers, keep every entry's id, dates and title; a dry run leaves every byte on disk as it
was."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from .conftest import ATOM_NS, FIXTURES

FIXTURE = FIXTURES / "upgrade-5ff3203"


@pytest.fixture
def old_site(tmp_path) -> Path:
    """A copy of the old release's config, sources, library, state and feeds."""
    shutil.copytree(FIXTURE, tmp_path / "site")
    return tmp_path / "site"


def feedmaker(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feedmaker", "run", "--config",
                           str(site / "config.toml"), *args], capture_output=True, text=True,
                          timeout=300, cwd=site)


def atom_entries(path: Path) -> tuple[tuple[str, str, str], list[tuple[str, ...]]]:
    """A feed's (id, updated, title) and each entry's (id, published, updated, title)."""
    tree = etree.parse(str(path))
    feed = tuple(tree.findtext(f"a:{name}", namespaces=ATOM_NS)
                 for name in ("id", "updated", "title"))
    return feed, [tuple(entry.findtext(f"a:{name}", namespaces=ATOM_NS)
                        for name in ("id", "published", "updated", "title"))
                  for entry in tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)]


def json_items(path: Path) -> list[tuple[str, str, str]]:
    return [(item["id"], item["date_published"], item["date_modified"])
            for item in json.loads(path.read_text())["items"]]


def test_the_upgrade_fixture_holds_feeds_with_entries_and_edited_papers():
    feeds = sorted((FIXTURE / "feeds").glob("*.atom"))
    assert len(feeds) == 21
    _, entries = atom_entries(FIXTURE / "feeds" / "all.atom")
    assert len(entries) == 51
    assert sum(published != updated for _, published, updated, _ in entries) >= 2


def test_an_upgrade_changes_no_entry_and_no_feed_identity_or_date(old_site):
    result = feedmaker(old_site)
    assert result.returncode == 0, result.stderr
    new_feeds = old_site / "feeds"
    # Every paper, as it was: the same ids, dates and titles in the same order.
    assert atom_entries(new_feeds / "all.atom") == atom_entries(FIXTURE / "feeds" / "all.atom")
    assert json_items(new_feeds / "all.json") == json_items(FIXTURE / "feeds" / "all.json")
    papers = {entry[0]: entry for entry in atom_entries(FIXTURE / "feeds" / "all.atom")[1]}
    # The release's new default topics move papers between topic feeds (on purpose, see
    # CHANGELOG.md); wherever a paper shows, it shows as it was, so no reader sees it again.
    for old in sorted((FIXTURE / "feeds").glob("*.atom")):
        (feed_id, _, title), _ = atom_entries(old)
        (new_id, _, new_title), entries = atom_entries(new_feeds / old.name)
        assert (new_id, new_title) == (feed_id, title), old.name
        for entry in entries:
            assert entry == papers[entry[0]], (old.name, entry[0])
    names = {p.name for p in new_feeds.iterdir()}
    assert names == {p.name for p in (FIXTURE / "feeds").iterdir()}


def test_a_second_run_after_the_upgrade_changes_nothing_but_the_status(old_site):
    assert feedmaker(old_site).returncode == 0
    before = {p.name: p.read_bytes() for p in (old_site / "feeds").iterdir()}
    result = feedmaker(old_site)
    after = {p.name: p.read_bytes() for p in (old_site / "feeds").iterdir()}
    assert result.returncode == 0, result.stderr
    assert {name for name in before if before[name] != after[name]} <= {"status.json"}


def test_a_dry_run_over_an_old_store_changes_no_byte_on_disk(old_site):
    def snapshot() -> dict[str, str]:
        return {str(p.relative_to(old_site)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(old_site.rglob("*")) if p.is_file()}

    before = snapshot()
    result = feedmaker(old_site, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would write" in result.stdout
    assert snapshot() == before
    # The old release can still open it: its schema is as that release left it.
    import sqlite3
    with sqlite3.connect(old_site / "state.sqlite") as db:
        assert db.execute("SELECT max(number) FROM migrations").fetchone()[0] == 7


def test_an_upgrade_makes_no_news_of_what_the_old_store_already_knew(old_site):
    # A news view over every source: the old store knew these papers without their arXiv
    # versions or what each source showed, so the first runs after the upgrade (the same
    # sources, one with v2 where another says v1) have no news to tell.
    config = old_site / "config.toml"
    config.write_text(config.read_text() + (
        '\n[views.news]\nnews = ["version", "published", "accepted", "code", "project", '
        '"popular"]\nany = ["source:hf-daily", "source:hf-page", "source:arxiv-cv", '
        '"source:arxiv-api"]\npopular_upvotes = 1\n'))
    for _ in range(2):
        result = feedmaker(old_site)
        assert result.returncode == 0, result.stderr
        assert "news events" not in result.stdout
        feed, entries = atom_entries(old_site / "feeds" / "news.atom")
        assert feed[0] == "https://feeds.example.org/news.atom" and entries == []
