"""Topics keep the terms that put each paper there; a paper whose own change moves its topics
or terms is updated, new rules or a new feedmaker update no paper; content fields move
`updated`; an upgraded store sees no paper as edited."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import feedmaker.store.history as history
import feedmaker.store.migrations as migrations
import feedmaker.store.rows as rows
from feedmaker.config import parse_config
from feedmaker.derive import refresh_topics, stored_terms
from feedmaker.model import Entry
from feedmaker.store import Store

T0 = datetime(2026, 5, 18, 12, tzinfo=UTC)
T1 = T0 + timedelta(hours=6)
PUBLISHED = datetime(2026, 5, 14, tzinfo=UTC)


def paper(number: int = 1, **changes) -> Entry:
    arxiv_id = f"2605.{number:05d}"
    return replace(Entry(id=f"https://arxiv.org/abs/{arxiv_id}", arxiv_id=arxiv_id,
                         title=f"Image video paper {number}", summary="An abstract.",
                         source="hf", url=f"https://huggingface.co/papers/{arxiv_id}",
                         authors=("A. Author",), published=PUBLISHED), **changes)


def rules(topics: str):
    return parse_config(topics, base_dir=Path.cwd(), where="test.toml")


VISION = rules('[topics.vision]\nany = ["image"]\n')


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "state.sqlite", T0) as store:
        yield store


def updated(store, number=1):
    return store.history.get(paper(number).id).updated


def terms(store, number=1):
    return stored_terms(store.topics.values_of([paper(number).id], "terms")[paper(number).id])


def test_terms_are_kept_with_each_topic(store):
    store.history.merge([paper()], T0)
    refresh_topics(VISION, store, T0)
    assert terms(store) == {"vision": ("Image",)}


def test_new_rules_move_papers_between_topics_without_updating_them(store):
    store.history.merge([paper()], T0)
    refresh_topics(VISION, store, T0)
    assert updated(store) == PUBLISHED  # first seen in this run: not an update
    refresh_topics(rules('[topics.vision]\nany = ["image", "video"]\n'), store, T1)
    assert terms(store) == {"vision": ("Image", "video")}
    refresh_topics(rules('[topics.audio]\nany = ["speech"]\n'), store, T1)
    assert terms(store) == {}
    assert updated(store) == PUBLISHED  # readers see no old paper again for new rules


CATEGORY_RULES = rules('[topics.vision]\nany = ["image"]\n'
                       '[topics.graphics]\nany = ["category:cs.GR"]\n')


def test_a_paper_whose_own_change_gives_it_a_topic_is_updated_once(store):
    store.history.merge([paper()], T0)
    refresh_topics(CATEGORY_RULES, store, T0)
    store.history.merge([paper(categories=("cs.GR",), source="arxiv")], T1)
    assert refresh_topics(CATEGORY_RULES, store, T1) == 1
    assert terms(store) == {"vision": ("Image",), "graphics": ("cs.GR",)}
    assert updated(store) == T1
    later = T1 + timedelta(hours=1)
    store.history.merge([paper(categories=("cs.GR",), source="arxiv")], later)
    refresh_topics(CATEGORY_RULES, store, later)
    assert updated(store) == T1


def test_terms_unknown_before_are_no_change(store):
    store.history.merge([paper()], T0)
    refresh_topics(CATEGORY_RULES, store, T0)
    store.db.execute("UPDATE entry_topics SET terms = NULL")  # tagged by an older feedmaker
    store.db.execute("UPDATE entries SET tag_key = NULL")
    refresh_topics(CATEGORY_RULES, store, T1)
    assert updated(store) == PUBLISHED and terms(store) == {"vision": ("Image",)}


def test_a_run_that_tags_nothing_updates_nothing(store):
    store.history.merge([paper(1), paper(2)], T0)
    refresh_topics(VISION, store, T0)
    store.history.merge([paper(1)], T1)  # seen again, unchanged
    assert refresh_topics(VISION, store, T1) == 0
    assert updated(store, 1) == updated(store, 2) == PUBLISHED


def test_links_picture_and_notes_are_content_and_upvotes_are_not(store):
    store.history.merge([paper()], T0)
    assert store.history.merge([paper(upvotes=40)], T1).updated == 0
    for number, change in enumerate([{"links": (("code", "https://github.com/x/y"),)},
                                     {"image": "https://cdn.example/p.png"},
                                     {"comment": "Accepted at NeurIPS 2025"}]):
        moment = T1 + timedelta(hours=number + 1)
        assert store.history.merge([paper(**change)], moment).updated == 1
        assert updated(store) == moment


def test_an_upgraded_store_sees_no_paper_as_edited(tmp_path, monkeypatch):
    path = tmp_path / "state.sqlite"
    pdf = (("pdf", "https://arxiv.org/pdf/2605.00001"),)
    before = [m for m in migrations.MIGRATIONS if m.number < 7]
    with monkeypatch.context() as old:
        # The store as feedmaker left it before: its schema, the paper's row as that
        # release wrote it, content hashed the old way.
        old.setattr(migrations, "MIGRATIONS", tuple(before))
        old.setattr(history, "CONTENT_FIELDS", ("title", "summary", "authors"))
        entry, seen, date = paper(links=pdf), rows.format_time(T0), rows.format_time(
            PUBLISHED)
        with Store(path, T0) as store:
            store.db.execute(
                "INSERT INTO entries (id, data, content_hash, published, date_known, updated, "
                "first_seen, last_seen) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                (entry.id, rows.encode(entry), history.content_hash(entry), date, date,
                 seen, seen))
            store.db.execute("INSERT INTO entry_sources VALUES (?, ?, ?, ?)",
                             (entry.id, entry.source, seen, seen))
    with Store(path, T1) as store:
        assert migrations.applied(store.db) == migrations.LATEST
        assert store.history.merge([paper(links=pdf)], T1).updated == 0
        assert updated(store) == PUBLISHED
