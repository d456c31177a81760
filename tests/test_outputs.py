"""Outputs are declared once: a new output file or a new Entry field is one edit."""

import json
import sys
import types
from dataclasses import field, fields, make_dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from feedmaker import outputs
from feedmaker.config import load_config
from feedmaker.model import MERGE_POLICIES, NEWER, NOT_SHOWN, Entry, shown_entry
from feedmaker.outputs import FEED_FORMATS, SITE_FILES, Output, slug_problem
from feedmaker.pipeline import run
from feedmaker.store.history import merge_entries
from feedmaker.store.rows import decode, encode

from .conftest import NOW, daily_items, write_config

API_PATH = "/api/daily_papers"
ENTRY = Entry(id="https://arxiv.org/abs/2605.00001", title="A paper", url="https://x.org/p",
              source="hf", summary="An abstract.", authors=("A. Author",),
              published=datetime(2026, 5, 14, tzinfo=UTC), upvotes=3)


def test_every_entry_field_says_how_it_merges_and_whether_outputs_show_it():
    for f in fields(Entry):
        assert f.metadata["merge"] in MERGE_POLICIES
        assert isinstance(f.metadata["shown"], bool)
    assert {"upvotes", "top_upvotes", "owners", "version"} == NOT_SHOWN
    assert shown_entry(ENTRY) == replace(ENTRY, upvotes=None, top_upvotes=None)


CODE = (("code", "https://github.com/x/y"),)
# What a field of each policy holds after a second sighting from the same source brings a
# value it did not have; the owners and the store's own fields are not the sighting's.
MERGED_FROM_NOTHING = {"newer": ("x",), "first": ("x",), "owned": ("x",), "union": ("x",),
                       "max": ("x",), "links": CODE, "abstract": ("x",), "owners": (),
                       "store": ()}
# ... and when another source brings a different value where one was known.
MERGED_OVER_A_VALUE = {"newer": ("x",), "first": ("old",), "owned": ("old",),
                       "union": ("old", "x"), "max": ("x",), "abstract": ("old",),
                       "owners": (), "store": ("old",)}


def paper_with_extra(policy: str):
    paper_class = make_dataclass(
        "Paper", [("extra", tuple, field(default=(), metadata={"merge": policy, "shown": True}))],
        bases=(Entry,), frozen=True)
    return paper_class(**{f.name: getattr(ENTRY, f.name) for f in fields(Entry)})


def test_every_merge_policy_has_its_expected_results():
    assert set(MERGED_FROM_NOTHING) == set(MERGE_POLICIES)
    assert set(MERGED_OVER_A_VALUE) | {"links"} == set(MERGE_POLICIES)


@pytest.mark.parametrize("policy", MERGE_POLICIES)
def test_the_store_merges_a_field_of_every_policy(policy):
    old = paper_with_extra(policy)
    value = CODE if policy == "links" else ("x",)
    assert merge_entries(old, replace(old, extra=value)).extra == MERGED_FROM_NOTHING[policy]
    if policy in MERGED_OVER_A_VALUE:
        known = replace(old, extra=("old",))
        other = replace(old, extra=("x",), source="arxiv", summary="Another abstract.")
        assert merge_entries(known, other).extra == MERGED_OVER_A_VALUE[policy]


def test_a_field_with_an_unknown_merge_policy_is_refused():
    paper_class = make_dataclass(
        "Paper", [("extra", str, field(default="", metadata={"merge": "mean", "shown": True}))],
        bases=(Entry,), frozen=True)
    old = paper_class(**{f.name: getattr(ENTRY, f.name) for f in fields(Entry)})
    with pytest.raises(ValueError, match="Entry.extra: no merge policy 'mean'"):
        merge_entries(old, old)


def test_a_counter_outputs_do_not_show_is_reset_in_what_outputs_get():
    assert shown_entry(ENTRY) == shown_entry(replace(ENTRY, upvotes=99, top_upvotes=120))
    assert shown_entry(ENTRY) != shown_entry(replace(ENTRY, title="Another title"))


def test_a_new_entry_field_is_stored_merged_and_shown_with_no_other_edit():
    # The one edit: a field with its metadata, on a copy of Entry.
    paper_class = make_dataclass(
        "Paper", [("venue", str, field(default="", metadata={"merge": NEWER, "shown": True})),
                  ("stars", int, field(default=0, metadata={"merge": NEWER, "shown": False}))],
        bases=(Entry,), frozen=True)
    old = paper_class(**{f.name: getattr(ENTRY, f.name) for f in fields(Entry)})
    new = replace(old, venue="NeurIPS 2026", stars=12)
    assert json.loads(encode(new))["venue"] == "NeurIPS 2026"
    assert decode(new.id, encode(new), cls=paper_class).venue == "NeurIPS 2026"
    assert decode(old.id, encode(ENTRY), cls=paper_class).venue == ""  # stored before it existed
    assert merge_entries(old, new).venue == "NeurIPS 2026"
    assert merge_entries(new, replace(old, venue="")).venue == "NeurIPS 2026"
    assert shown_entry(new) != shown_entry(old)
    assert shown_entry(new).stars == 0
    assert shown_entry(new) == shown_entry(replace(new, stars=500))


@pytest.fixture
def titles_output(monkeypatch):
    """A new kind of output, registered in one place: a text file of every title."""
    module = types.ModuleType("feedmaker.write.titles_for_test")
    module.render = lambda site: "".join(f"{e.title}\n" for e in site.feeds[0].entries).encode()
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(SITE_FILES, "titles.txt",
                        Output("titles.txt", "titles_for_test", "text/plain"))
    return "titles.txt"


def test_a_new_output_is_written_and_rewritten_when_what_it_shows_changes(
        titles_output, tmp_path, httpserver):
    config = load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API_PATH))]))
    items = daily_items()[:5]
    httpserver.expect_request(API_PATH).respond_with_json(items)
    run(config, now=NOW)
    written = (config.site.out_dir / titles_output).read_text()
    assert set(written.splitlines()) == {" ".join(i["paper"]["title"].split()) for i in items}
    assert slug_problem("titles") == "slug 'titles' is reserved; choose another name"

    report = run(config, now=NOW + timedelta(hours=1))
    assert titles_output in report.unchanged and titles_output not in report.written

    changed = json.loads(json.dumps(items))
    changed[0]["paper"]["title"] = changed[0]["title"] = "A new title"
    httpserver.clear()
    httpserver.expect_request(API_PATH).respond_with_json(changed)
    report = run(config, now=NOW + timedelta(hours=2))
    assert titles_output in report.written
    assert "A new title" in (config.site.out_dir / titles_output).read_text().splitlines()


def test_file_names_come_from_the_format_registry():
    assert [outputs.file_name("vision", name) for name in FEED_FORMATS] == [
        "vision.atom", "vision.json", "vision.html"]
    assert {"all", "index", "feeds", "status", "con"} <= outputs.reserved_slugs()
