"""arXiv category feeds (RSS and Atom): prefix stripped, dc:creator split, announce types."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedmaker.config import parse_config
from feedmaker.errors import ConfigError
from feedmaker.normalize import normalize
from feedmaker.sources import arxiv_rss

from .conftest import fixture_bytes, read_served

URL = "https://rss.arxiv.org/rss/cs.CV"


def parsed(name="arxiv_rss_cs.CV.xml", types=("new", "cross")):
    return [normalize(raw) for raw in arxiv_rss.parse(fixture_bytes(name), "rss", URL, types)]


def test_the_announce_prefix_is_stripped_to_leave_the_abstract():
    summary = parsed()[0].summary
    assert summary.startswith("Avatar reconstruction has traditionally relied")
    assert "Announce Type" not in summary and "arXiv:" not in summary[:10]


def test_authors_come_from_dc_creator_one_per_name():
    assert parsed()[0].authors[:3] == ("Thuan Hoang Nguyen", "Jiahao Luo", "Yinyu Nie")


def test_ids_are_bare_and_categories_kept():
    entry = parsed()[0]
    assert (entry.id, entry.arxiv_id) == ("https://arxiv.org/abs/2605.15320", "2605.15320")
    assert entry.categories == ("cs.CV", "cs.GR")


def test_the_date_is_the_announcement_day():
    assert parsed()[0].published == datetime(2026, 5, 18, 4, tzinfo=UTC)


def test_new_and_cross_lists_are_taken_and_replacements_skipped_by_default():
    assert [e.arxiv_id for e in parsed()] == ["2605.15320", "2605.15963"]


def test_replacements_are_taken_when_asked_for():
    every = parsed(types=arxiv_rss.ANNOUNCE_TYPES)
    assert len(every) == 4


def test_the_atom_flavour_reads_the_same_way():
    entries = parsed("arxiv_atom_cs.CV.xml", types=("new", "replace"))
    assert [e.arxiv_id for e in entries] == ["2605.15320", "2605.15871"]
    assert entries[0].summary.startswith("Avatar reconstruction")
    assert entries[0].authors[0] == "Thuan Hoang Nguyen"


def test_an_empty_weekend_feed_gives_no_entries_and_no_error():
    assert parsed("arxiv_rss_empty.xml") == []


def test_served_over_http(httpserver):
    raws = read_served(httpserver, "arxiv-rss", "arxiv_rss_cs.CV.xml",
                       content_type="application/rss+xml")
    assert len(raws) == 2


def test_an_unknown_announce_type_is_a_config_error_naming_it():
    text = ('[[sources]]\nname = "cv"\ntype = "arxiv-rss"\nurl = "https://rss.arxiv.org/rss/cs.CV"'
            '\nannounce_types = ["new", "updated"]\n')
    with pytest.raises(ConfigError, match=r"x.toml:5: .*'updated' is not one of new, cross"):
        parse_config(text, base_dir=Path("."), where="x.toml")


def test_an_item_that_cannot_be_read_is_left_out_with_a_warning_and_the_rest_kept():
    body = fixture_bytes("arxiv_rss_cs.CV.xml")
    first_link = body.split(b"<link>", 2)[2].split(b"</link>", 1)[0]  # the first item's
    broken = body.replace(b"<link>" + first_link + b"</link>", b"<link>http://[x</link>", 1)
    warnings = []
    entries = arxiv_rss.parse(broken, "rss", URL, ("new", "cross"), warnings.append)
    assert len(entries) == len(parsed()) - 1
    assert len(warnings) == 1 and warnings[0].startswith("rss: entry #1 (oai:arXiv.org:")
    assert warnings[0].endswith("left out: ValueError: Invalid IPv6 URL")
