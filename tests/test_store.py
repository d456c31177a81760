"""The store keeps every entry ever seen and merges papers seen again."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from feedmaker.errors import LockedError
from feedmaker.model import Entry
from feedmaker.store import Store, merge_entries, run_lock

T0 = datetime(2026, 5, 18, 12, tzinfo=UTC)
T1 = T0 + timedelta(hours=6)


def paper(number: int, **changes) -> Entry:
    arxiv_id = f"2605.{number:05d}"
    base = Entry(id=f"https://arxiv.org/abs/{arxiv_id}", arxiv_id=arxiv_id,
                 title=f"Paper {number}", summary=f"Abstract {number}.",
                 url=f"https://huggingface.co/papers/{arxiv_id}", source="hf",
                 authors=("A. Author",), published=datetime(2026, 5, 14, tzinfo=UTC))
    return replace(base, **changes)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "state.sqlite", T0) as store:
        yield store


def test_new_entries_are_stored_with_first_seen_and_updated_equal_to_published(store):
    result = store.merge([paper(1), paper(2)], T0)
    assert (result.new, result.updated, result.seen) == (2, 0, 2)
    stored = store.newest(10)
    assert [e.id for e in stored] == [paper(2).id, paper(1).id]
    assert stored[0].first_seen == T0
    assert stored[0].updated == stored[0].published == datetime(2026, 5, 14, tzinfo=UTC)


def test_a_paper_seen_again_is_merged_not_duplicated_and_keeps_its_dates(store):
    store.merge([paper(1)], T0)
    result = store.merge([paper(1, upvotes=7)], T1)
    assert (result.new, result.updated) == (0, 0)
    [entry] = store.newest(10)
    assert entry.first_seen == T0
    assert entry.updated == datetime(2026, 5, 14, tzinfo=UTC)
    assert entry.upvotes == 7


@pytest.mark.parametrize("change", [
    {"title": "Paper 1, revised"},
    {"summary": "A new abstract."},
    {"authors": ("A. Author", "B. Author")},
])
def test_updated_moves_only_when_title_summary_or_authors_change(store, change):
    store.merge([paper(1)], T0)
    assert store.merge([paper(1, **change)], T1).updated == 1
    [entry] = store.newest(10)
    assert entry.updated == T1
    assert entry.id == paper(1).id
    assert entry.published == datetime(2026, 5, 14, tzinfo=UTC)


def test_entries_without_a_date_are_dated_when_first_seen_and_later_get_the_real_date(store):
    store.merge([paper(1, published=None)], T0)
    assert store.newest(1)[0].published == T0
    store.merge([paper(1, published=None)], T1)
    assert store.newest(1)[0].published == T0
    store.merge([paper(1)], T1)
    assert store.newest(1)[0].published == datetime(2026, 5, 14, tzinfo=UTC)


def test_a_card_summary_never_replaces_a_stored_abstract():
    old = paper(1)
    card = paper(1, summary="AI summary.", summary_is_abstract=False, authors=())
    merged = merge_entries(old, card)
    assert merged.summary == "Abstract 1."
    assert merged.authors == ("A. Author",)
    assert merge_entries(card, old).summary == "Abstract 1."


def test_merging_unions_links_and_categories():
    hf = paper(1, links=(("code", "https://github.com/x/y"),))
    arxiv = paper(1, links=(("pdf", "https://arxiv.org/pdf/2605.00001"),),
                  categories=("cs.CV", "cs.LG"), source="arxiv")
    merged = merge_entries(hf, arxiv)
    assert dict(merged.links) == {"pdf": "https://arxiv.org/pdf/2605.00001",
                                  "code": "https://github.com/x/y"}
    assert merged.categories == ("cs.CV", "cs.LG")


def test_topics_are_recomputed_only_for_new_changed_or_differently_tagged_entries(store):
    store.merge([paper(1), paper(2)], T0)
    calls = []

    def tag(entry):
        calls.append(entry.id)
        return ["vision"] if entry.id == paper(1).id else []

    assert store.retag(tag, "rules-a") == 2
    assert store.retag(tag, "rules-a") == 0
    store.merge([paper(1, title="Changed")], T1)
    assert store.retag(tag, "rules-a") == 1
    assert store.retag(tag, "rules-b") == 2
    assert [e.id for e in store.newest(10, "vision")] == [paper(1).id]
    assert store.topics_of([paper(1).id, paper(2).id]) == {paper(1).id: ["vision"],
                                                           paper(2).id: []}


def test_a_big_retag_reports_its_progress_every_thousand_entries(store):
    store.merge([paper(n) for n in range(2500)], T0)
    reports = []
    assert store.retag(lambda entry: [], "rules", lambda done, total: reports.append(
        (done, total))) == 2500
    assert reports == [(1000, 2500), (2000, 2500), (2500, 2500)]
    assert store.retag(lambda entry: [], "rules-b", None) == 2500  # progress is optional


def test_a_failed_transaction_leaves_the_store_as_it_was(store):
    store.merge([paper(1)], T0)
    with pytest.raises(RuntimeError), store.transaction():
        store.merge([paper(2)], T1)
        raise RuntimeError("boom")
    assert store.count() == 1


def test_the_state_survives_reopening(tmp_path):
    with Store(tmp_path / "s.sqlite", T0) as store, store.transaction():
        store.merge([paper(1)], T0)
    with Store(tmp_path / "s.sqlite", T1) as store:
        assert store.count() == 1
        assert store.created == T0


def test_a_second_lock_on_the_same_state_fails_at_once(tmp_path):
    state = tmp_path / "s.sqlite"
    with run_lock(state), pytest.raises(LockedError, match="another feedmaker"), run_lock(state):
        pass
    with run_lock(tmp_path / "s.sqlite"):
        pass
