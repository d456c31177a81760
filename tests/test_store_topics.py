"""Topics keep the terms that put each paper there; a paper seen before whose topics or
terms change is updated, and an upgraded store sees no paper as edited."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import feedmaker.store.history as history
import feedmaker.store.migrations as migrations
from feedmaker.model import Entry
from feedmaker.store import Store

T0 = datetime(2026, 5, 18, 12, tzinfo=UTC)
T1 = T0 + timedelta(hours=6)
PUBLISHED = datetime(2026, 5, 14, tzinfo=UTC)


def paper(number: int = 1, **changes) -> Entry:
    arxiv_id = f"2605.{number:05d}"
    return replace(Entry(id=f"https://arxiv.org/abs/{arxiv_id}", arxiv_id=arxiv_id,
                         title=f"Paper {number}", summary="An abstract.", source="hf",
                         url=f"https://huggingface.co/papers/{arxiv_id}",
                         authors=("A. Author",), published=PUBLISHED), **changes)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "state.sqlite", T0) as store:
        yield store


def updated(store, number=1):
    return store.history.get(paper(number).id).updated


def test_terms_are_kept_with_each_topic(store):
    store.history.merge([paper()], T0)
    store.topics.refresh("rules", ("title",), lambda e: {"vision": ("image", "ViT")}, T0)
    assert store.topics.of([paper().id]) == {paper().id: {"vision": ("image", "ViT")}}


def test_new_rules_that_change_a_papers_topics_or_terms_update_it_once(store):
    store.history.merge([paper()], T0)
    store.topics.refresh("a", ("title",), lambda e: {"vision": ("image",)}, T0)
    assert updated(store) == PUBLISHED  # first seen in this run: not an update
    store.topics.refresh("b", ("title",), lambda e: {"vision": ("image",)}, T1)
    assert updated(store) == PUBLISHED  # the same topics and terms: nothing shown changed
    store.topics.refresh("c", ("title",), lambda e: {"vision": ("image", "video")}, T1)
    assert updated(store) == T1
    later = T1 + timedelta(hours=1)
    store.topics.refresh("d", ("title",), lambda e: {"vision": ("image", "video"),
                                                      "audio": ("speech",)}, later)
    assert updated(store) == later


def test_terms_unknown_before_are_no_change(store):
    store.history.merge([paper()], T0)
    store.topics.refresh("old", ("title",), lambda e: ["vision"], T0)  # slugs only
    store.topics.refresh("new", ("title",), lambda e: {"vision": ("image",)}, T1)
    assert updated(store) == PUBLISHED
    store.topics.refresh("newer", ("title",), lambda e: {}, T1)
    assert updated(store) == T1  # it left its topic


def test_a_run_that_tags_nothing_updates_nothing(store):
    store.history.merge([paper(1), paper(2)], T0)
    tag = lambda e: {"vision": (e.title,)}  # noqa: E731
    store.topics.refresh("rules", ("title",), tag, T0)
    store.history.merge([paper(1)], T1)  # seen again, unchanged
    assert store.topics.refresh("rules", ("title",), tag, T1) == 0
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
    with monkeypatch.context() as old:
        # The store as feedmaker left it before migration 4, content hashed the old way.
        old.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
        old.setattr(history, "CONTENT_FIELDS", ("title", "summary", "authors"))
        with Store(path, T0) as store:
            store.history.merge([paper(links=(("pdf", "https://arxiv.org/pdf/2605.00001"),))],
                                T0)
    with Store(path, T1) as store:
        assert migrations.applied(store.db) == migrations.LATEST
        result = store.history.merge(
            [paper(links=(("pdf", "https://arxiv.org/pdf/2605.00001"),))], T1)
        assert result.updated == 0 and updated(store) == PUBLISHED
