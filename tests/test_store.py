"""The store keeps every entry ever seen and merges papers seen again."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from feedmaker.errors import InputError, LockedError
from feedmaker.model import Entry
from feedmaker.store import Store, StoreError, merge_entries, run_lock
from feedmaker.store.memberships import inputs_key
from feedmaker.tagger import Tagger, parse_topics

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
    result = store.history.merge([paper(1), paper(2)], T0)
    assert (result.new, result.updated, result.seen) == (2, 0, 2)
    stored = store.history.newest(10)
    assert [e.id for e in stored] == [paper(2).id, paper(1).id]
    assert stored[0].first_seen == T0
    assert stored[0].updated == stored[0].published == datetime(2026, 5, 14, tzinfo=UTC)


def test_a_paper_seen_again_is_merged_not_duplicated_and_keeps_its_dates(store):
    store.history.merge([paper(1)], T0)
    result = store.history.merge([paper(1, upvotes=7)], T1)
    assert (result.new, result.updated) == (0, 0)
    [entry] = store.history.newest(10)
    assert entry.first_seen == T0
    assert entry.updated == datetime(2026, 5, 14, tzinfo=UTC)
    assert entry.upvotes == 7


@pytest.mark.parametrize("change", [
    {"title": "Paper 1, revised"},
    {"summary": "A new abstract."},
    {"authors": ("A. Author", "B. Author")},
])
def test_updated_moves_only_when_title_summary_or_authors_change(store, change):
    store.history.merge([paper(1)], T0)
    assert store.history.merge([paper(1, **change)], T1).updated == 1
    [entry] = store.history.newest(10)
    assert entry.updated == T1
    assert entry.id == paper(1).id
    assert entry.published == datetime(2026, 5, 14, tzinfo=UTC)


def test_entries_without_a_date_are_dated_when_first_seen_and_later_get_the_real_date(store):
    store.history.merge([paper(1, published=None)], T0)
    assert store.history.newest(1)[0].published == T0
    store.history.merge([paper(1, published=None)], T1)
    assert store.history.newest(1)[0].published == T0
    store.history.merge([paper(1)], T1)
    assert store.history.newest(1)[0].published == datetime(2026, 5, 14, tzinfo=UTC)


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


class Tagging:
    """Topics from `tag(entry) -> slugs`, keyed by the rules and the fields the tagger reads."""

    def __init__(self, tag, rules):
        self.tag, self.rules = tag, rules

    def prepare(self, entries):
        pass

    def key(self, entry):
        return inputs_key(self.rules, [getattr(entry, name) for name in Tagger.READS])

    def rows(self, entry):
        return [(slug, 1.0, 1, None) for slug in self.tag(entry)]


def refresh(store, tag, rules, now, progress=None):
    return store.topics.refresh(rules, Tagging(tag, rules), now, progress)


def test_topics_are_recomputed_only_for_new_changed_or_differently_tagged_entries(store):
    store.history.merge([paper(1), paper(2)], T0)
    calls = []

    def tag(entry):
        calls.append(entry.id)
        return ["vision"] if entry.id == paper(1).id else []

    assert refresh(store, tag, "rules-a", T0) == 2
    assert refresh(store, tag, "rules-a", T0) == 0
    store.history.merge([paper(1, title="Changed"), paper(2)], T1)
    assert refresh(store, tag, "rules-a", T1) == 1
    assert refresh(store, tag, "rules-b", T1) == 2
    assert [e.id for e in store.topics.newest("vision", 10)] == [paper(1).id]
    assert store.topics.of([paper(1).id, paper(2).id]) == {paper(1).id: ["vision"],
                                                           paper(2).id: []}


def test_categories_a_second_source_adds_are_tagged(store):
    """A category-only change used to leave the topics as the first source made them."""
    store.history.merge([paper(1)], T0)
    tag = Tagger(parse_topics({"vision": {"any": ["category:cs.CV"]}})).tag
    assert refresh(store, tag, "rules", T0) == 1
    assert store.topics.of([paper(1).id]) == {paper(1).id: []}
    store.history.merge([paper(1, categories=("cs.CV",), source="arxiv")], T1)
    assert refresh(store, tag, "rules", T1) == 1
    assert store.topics.of([paper(1).id]) == {paper(1).id: ["vision"]}


def test_upvotes_alone_do_not_retag(store):
    store.history.merge([paper(1)], T0)
    assert refresh(store, lambda entry: [], "rules", T0) == 1
    store.history.merge([paper(1, upvotes=50)], T1)
    assert refresh(store, lambda entry: [], "rules", T1) == 0


def test_every_source_that_listed_a_paper_is_kept(store):
    store.history.merge([paper(1)], T0)
    store.history.merge([paper(1, source="arxiv"), paper(2, source="arxiv")], T1)
    assert store.history.sources_of([paper(1).id, paper(2).id]) == {
        paper(1).id: ["hf", "arxiv"], paper(2).id: ["arxiv"]}
    assert store.history.get(paper(1).id).source == "hf"


def test_a_paper_two_sources_list_in_its_first_run_is_new_not_updated(store):
    first = store.history.merge([paper(1, summary="AI summary.", summary_is_abstract=False)], T0)
    second = store.history.merge([paper(1, source="arxiv")], T0)
    assert (first.new, second.new, second.updated) == (1, 0, 0)
    [entry] = store.history.newest(10)
    assert entry.summary == "Abstract 1." and entry.updated == entry.published


def test_a_big_retag_reports_its_progress_every_thousand_entries(store):
    with store.transaction():  # as in a run: one commit, not one per paper
        store.history.merge([paper(n) for n in range(2500)], T0)
        reports = []
        assert refresh(store, lambda entry: [], "rules", T0,
                       lambda done, total: reports.append((done, total))) == 2500
        assert reports == [(1000, 2500), (2000, 2500), (2500, 2500)]
        assert refresh(store, lambda entry: [], "rules-b", T0) == 2500  # progress is optional


def test_a_failed_transaction_leaves_the_store_as_it_was(store):
    store.history.merge([paper(1)], T0)
    with pytest.raises(RuntimeError), store.transaction():
        store.history.merge([paper(2)], T1)
        raise RuntimeError("boom")
    assert store.history.count() == 1


def test_the_state_survives_reopening(tmp_path):
    with Store(tmp_path / "s.sqlite", T0) as store, store.transaction():
        store.history.merge([paper(1)], T0)
    with Store(tmp_path / "s.sqlite", T1) as store:
        assert store.history.count() == 1
        assert store.created == T0


def test_a_second_lock_on_the_same_state_fails_at_once(tmp_path):
    state = tmp_path / "s.sqlite"
    with run_lock(state), pytest.raises(LockedError, match="another feedmaker"), run_lock(state):
        pass
    with run_lock(tmp_path / "s.sqlite"):
        pass


def test_a_store_from_before_migrations_is_brought_up_to_date(tmp_path):
    import sqlite3

    from feedmaker.store.migrations import LATEST, MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0].apply)
    db.execute("INSERT INTO meta VALUES ('schema', '1'), ('created', '2026-05-01T00:00:00Z'), "
               "('outputs', '{\"all.atom\": [\"abc\", 10, 20]}')")
    db.execute("INSERT INTO entries VALUES ('https://arxiv.org/abs/2605.00001', ?, 'h', "
               "'2026-05-14T00:00:00Z', 1, '2026-05-14T00:00:00Z', '2026-05-14T00:00:00Z', "
               "'2026-05-15T00:00:00Z', 'old-key')",
               ('{"title": "Old", "summary": "", "summary_is_abstract": true, "url": '
                '"https://huggingface.co/papers/2605.00001", "arxiv_id": "2605.00001", '
                '"authors": [], "links": [], "categories": [], "upvotes": 3, "source": "hf"}',))
    db.commit()
    db.close()
    with Store(path, T0) as store:
        assert store.created == datetime(2026, 5, 1, tzinfo=UTC)
        assert store.history.get("https://arxiv.org/abs/2605.00001").upvotes == 3
        assert store.history.sources_of(["https://arxiv.org/abs/2605.00001"]) == {
            "https://arxiv.org/abs/2605.00001": ["hf"]}
        assert store.written.digests() == {"all.atom": None}
        assert [n for (n,) in store.db.execute("SELECT number FROM migrations")] == list(
            range(1, LATEST + 1))
    with Store(path, T1) as store:  # a second open applies nothing again
        assert store.db.execute("SELECT count(*) FROM migrations").fetchone()[0] == LATEST


def test_a_field_added_to_entries_since_a_paper_was_stored_takes_its_default(store):
    store.history.merge([paper(1)], T0)
    store.db.execute("UPDATE entries SET data = json_remove(data, '$.upvotes')")
    assert store.history.get(paper(1).id).upvotes is None


def test_a_file_that_is_not_a_feedmaker_store_is_refused_by_name(tmp_path):
    import sqlite3

    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE photos (id INTEGER)").connection.commit()
    with pytest.raises(StoreError, match=r"other\.sqlite: not a feedmaker state store"):
        Store(other, T0)
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a database at all, just some text" * 40)
    with pytest.raises(StoreError, match=r"notes\.txt: not a feedmaker state store \(not an "
                       r"SQLite database\)"):
        Store(text, T0)


def test_a_reader_never_writes_and_does_not_wait_for_a_run_in_progress(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path, T0) as store, store.transaction():
        store.history.merge([paper(1)], T0)
    with Store(path, T1) as run, run.transaction():
        run.history.merge([paper(2)], T1)  # a run holding its write transaction
        with Store.reader(path) as reader:
            assert reader.history.count() == 1
            with pytest.raises(Exception, match="readonly"):
                reader.db.execute("DELETE FROM entries")
    with Store.reader(path) as reader:
        assert reader.history.count() == 2


def test_a_reader_of_a_missing_store_says_to_run_first(tmp_path):
    with pytest.raises(InputError, match="no state store there; run `feedmaker run` first"):
        Store.reader(tmp_path / "none.sqlite")


def test_two_sources_that_word_a_paper_apart_do_not_flip_it_from_run_to_run(store):
    hf = paper(1, summary="Precision- aligned RL.", title="PAGER: a GUI agent")
    arxiv = paper(1, summary="Precision-aligned RL.", title="PAGER: A GUI Agent",
                  source="arxiv")
    store.history.merge([hf], T0)
    store.history.merge([arxiv], T0)
    store.history.merge([hf], T1)  # the next run: arXiv answered "not modified"
    assert store.history.merge([arxiv], T1 + timedelta(hours=1)).updated == 0
    [entry] = store.history.newest(10)
    assert (entry.title, entry.summary) == ("PAGER: a GUI agent", "Precision- aligned RL.")
    assert entry.updated == entry.published  # never looked edited


def test_the_source_that_gave_a_text_may_edit_it_and_the_paper_is_updated(store):
    store.history.merge([paper(1)], T0)
    store.history.merge([paper(1, title="From arXiv", source="arxiv")], T0)
    assert store.history.merge([paper(1, title="Paper 1, revised")], T1).updated == 1
    [entry] = store.history.newest(10)
    assert entry.title == "Paper 1, revised" and entry.updated == T1


def test_an_abstract_from_another_source_replaces_a_card_summary_and_owns_it():
    card = paper(1, summary="AI summary.", summary_is_abstract=False)
    merged = merge_entries(card, paper(1, summary="The abstract.", source="arxiv"))
    assert (merged.summary, merged.summary_is_abstract) == ("The abstract.", True)
    assert merged.owners == (("summary", "arxiv"),)
    edited = merge_entries(merged, paper(1, summary="The abstract, v2.", source="arxiv"))
    assert edited.summary == "The abstract, v2."
    assert merge_entries(edited, paper(1, summary="Other words.")).summary == "The abstract, v2."


def test_a_count_of_updates_within_one_run_is_net_of_a_source_saying_it_back(store):
    store.history.merge([paper(1)], T0)
    first = store.history.merge([paper(1, title="Changed")], T1)
    back = store.history.merge([paper(1)], T1)
    assert first.updated + back.updated == 0
    assert store.history.newest(1)[0].updated == paper(1).published


def test_a_store_path_that_cannot_be_looked_at_is_a_store_error_not_a_crash(tmp_path):
    # stat() fails on a name longer than the file system allows as in a folder this user
    # may not search (which a test run as root cannot make): both were internal errors.
    too_long = tmp_path / ("a" * 300 + ".sqlite")
    with pytest.raises(StoreError, match="cannot open the state store: File name too long"):
        Store.reader(too_long)
    with pytest.raises(StoreError, match="cannot open the run lock: File name too long"), \
            run_lock(too_long, create=False):
        pass


def test_a_page_found_damaged_only_when_read_is_a_store_error_naming_the_store(tmp_path):
    # The schema opens fine; the papers' pages (written last) are zeroed. Reading them was
    # an internal error (exit 70) in `feedmaker explain --id`.
    path = tmp_path / "state.sqlite"
    with Store(path, T0) as store, store.transaction():
        store.history.merge([paper(n, summary="words " * 400) for n in range(1, 200)], T0)
    data = bytearray(path.read_bytes())
    data[len(data) // 2:] = bytes(len(data) - len(data) // 2)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"state\.sqlite: the state store is damaged"), \
            Store.reader(path) as reader:
        reader.history.newest(1000)


def test_a_store_a_migration_fails_on_is_left_as_it_was(tmp_path):
    import sqlite3

    path = tmp_path / "state.sqlite"
    with Store(path, T0) as store, store.transaction():
        store.history.merge([paper(1)], T0)
    sqlite3.connect(path, isolation_level=None).execute("DROP TABLE migrations").connection.close()
    # Migration 1 (CREATE TABLE IF NOT EXISTS) goes through; 2 finds its table there. The
    # table of migrations and migration 1 used to be committed all the same.
    with pytest.raises(StoreError, match=r"state\.sqlite: cannot use the state store: table "
                       r"entry_sources already exists"):
        Store(path, T1)
    db = sqlite3.connect(path)
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'migrations'").fetchone()
    db.close()


@pytest.mark.parametrize("number", ["'zz'", "x'00'"])
def test_a_migration_numbered_with_no_whole_number_is_a_damaged_store(tmp_path, number):
    # It was compared with the latest number: an internal error (exit 70), in every command.
    import sqlite3

    path = tmp_path / "state.sqlite"
    Store(path, T0).__exit__(None, None, None)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA writable_schema = ON")  # the column's INTEGER type turned into none
    db.execute("UPDATE sqlite_master SET sql = replace(sql, 'number INTEGER PRIMARY KEY', "
               "'number') WHERE name = 'migrations'")
    db.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"INSERT INTO migrations VALUES ({number}, 'odd', '')")
    db.close()
    for opened in (lambda: Store(path, T1), lambda: Store(path, T1, dry_run=True),
                   lambda: Store.reader(path)):
        with pytest.raises(StoreError, match=r"state\.sqlite: the state store is damaged \(a "
                                             r"migration numbered "):
            opened()


def test_facts_of_a_source_that_are_not_a_number_are_a_damaged_store(tmp_path):
    # `~` of the stored text was an internal error (exit 70) when the source listed it again.
    from feedmaker.store import store_error
    from feedmaker.store.rows import DamagedRow

    path = tmp_path / "state.sqlite"
    with Store(path, T0) as store:
        store.history.merge([paper(1)], T0)
        store.db.execute("UPDATE entry_sources SET facts = 'garbage{'")
        with pytest.raises(DamagedRow) as raised:
            store.history.merge([paper(1)], T1)
    assert str(store_error(path, raised.value)) == (
        f"{path}: the state store is damaged ('garbage{{' where the facts a source showed "
        "belong); restore it from a backup, or move it away to start a new history")


def test_a_written_file_with_no_name_is_a_damaged_store(tmp_path):
    # A NULL name was joined to out_dir's path: an internal error (exit 70), after the run
    # had committed its state.
    from feedmaker.store.rows import DamagedRow

    with Store(tmp_path / "state.sqlite", T0) as store:
        store.written.record({"all.atom": "0" * 64})
        store.db.execute("UPDATE written_files SET name = NULL")
        with pytest.raises(DamagedRow, match="None where the name of a file feedmaker wrote"):
            store.written.digests()


def test_a_store_another_program_holds_is_said_to_be_busy(tmp_path):
    import sqlite3

    from feedmaker.store import store_error

    path = tmp_path / "state.sqlite"
    Store(path, T0).__exit__(None, None, None)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            sqlite3.connect(path, timeout=0).execute("BEGIN IMMEDIATE")
    finally:
        holder.close()
    assert str(store_error(path, raised.value)) == (
        f"{path}: the state store is busy: another program has been writing to it for 5 s (an "
        "open transaction in the sqlite3 shell, say); try again once it is done")
