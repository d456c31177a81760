"""Any RSS 2.0, RSS 1.0/RDF or Atom feed: fields mapped, HTML to text, links absolute, safe."""

from datetime import UTC, datetime

import pytest

from feedmaker.errors import ParseError
from feedmaker.normalize import normalize
from feedmaker.sources import feed

from .conftest import fixture_bytes, read_served

URL = "https://feeds.example.org/lab/rss.xml"


def parsed(name):
    return [normalize(raw) for raw in feed.parse(fixture_bytes(name), "lab", URL)]


def test_rss2_items_map_title_link_summary_date_author_and_categories():
    entry = parsed("feed_rss2.xml")[0]
    assert entry.title == "Sparse Mixtures of Experts for Speech Recognition"
    assert entry.id == "https://lab.example.org/papers/sparse-moe-asr"  # tracking dropped
    assert entry.published == datetime(2026, 5, 15, 7, 30, tzinfo=UTC)
    assert entry.authors == ("Ada Lovelace",)  # "email (Name)" gives the name
    assert entry.categories == ("speech", "efficiency")


def test_an_html_description_becomes_text_and_its_script_disappears():
    assert parsed("feed_rss2.xml")[0].summary == "We scale speech recognition with sparse experts."


def test_a_plain_text_description_keeps_its_angle_brackets():
    assert parsed("feed_rss2.xml")[1].summary == "Plain text, with a literal a < b comparison."


def test_an_arxiv_link_in_any_feed_gives_the_arxiv_entry_id():
    entry = parsed("feed_rss2.xml")[1]
    assert (entry.id, entry.arxiv_id) == ("https://arxiv.org/abs/2605.15963", "2605.15963")
    assert entry.authors == ("Grace Hopper", "Alan Turing")


def test_relative_links_resolve_against_the_feed_url():
    assert parsed("feed_rss2.xml")[2].url == "https://feeds.example.org/papers/relative"
    assert parsed("feed_rss2.xml")[2].published is None


def test_rdf_items_read_dc_fields():
    first, second = parsed("feed_rdf.xml")
    assert first.title == "Graph Neural Networks for Protein Folding"
    assert first.url == "https://journal.example.org/article/101"
    assert first.authors == ("Rosalind Franklin",) and first.categories == ("q-bio.BM",)
    assert second.published == datetime(2026, 5, 11, tzinfo=UTC)


def test_atom_entries_follow_xml_base_and_read_every_text_type():
    first, second = parsed("feed_atom.xml")
    assert first.url == "https://blog.example.org/research/posts/diffusion-schedules"
    assert first.title == "Diffusion without Noise Schedules"  # type="html"
    assert first.summary == "Image generation with a learned schedule."  # xhtml content
    assert first.authors == ("Yann Example", "Ilya Sample")
    assert first.published == datetime(2026, 5, 16, 8, tzinfo=UTC)
    assert second.published == datetime(2026, 5, 10, tzinfo=UTC)  # updated, when no published


def test_a_page_that_is_not_a_feed_is_an_error_saying_what_it_is():
    with pytest.raises(ParseError, match=r"not an RSS or Atom feed \(the document is <html>\)"):
        feed.parse(b"<html><body>Moved</body></html>", "lab", URL)


def test_broken_xml_is_an_error_naming_the_url_and_line():
    with pytest.raises(ParseError, match=rf"^{URL}: not well-formed XML \(line 3"):
        feed.parse(b"<rss>\n<channel>\n<item></channel></rss>", "lab", URL)


def test_an_external_entity_is_neither_fetched_nor_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            '<rss><channel><item><title>t &x;</title><link>https://e.org/1</link>'
            '</item></channel></rss>').encode()
    (entry,) = parsed_body(body)
    assert "SECRET" not in entry.title


def test_an_entity_expansion_bomb_is_not_expanded():
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{lol}]>'
            '<rss><channel><item><title>&l9;</title><link>https://e.org/1</link>'
            '</item></channel></rss>').encode()
    entries = parsed_body(body)
    assert all(len(e.title) < 100 for e in entries)


def parsed_body(body):
    try:
        return [normalize(raw) for raw in feed.parse(body, "lab", URL)]
    except ParseError:
        return []  # refusing the document is also safe


def test_served_over_http(httpserver):
    assert len(read_served(httpserver, "feed", "feed_atom.xml")) == 2


def test_an_external_entity_on_the_network_is_never_requested(httpserver):
    httpserver.expect_request("/entity").respond_with_data("FETCHED")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM '
            f'"{httpserver.url_for("/entity")}">]><rss><channel><item><title>t &x;</title>'
            '<link>https://e.org/1</link></item></channel></rss>').encode()
    entries = parsed_body(body)
    assert all("FETCHED" not in e.title for e in entries)
    assert len(httpserver.log) == 0


def test_a_feed_is_read_from_a_file_url_too(tmp_path):
    from feedmaker.fetch import Fetcher
    from feedmaker.sources import read_source

    from .conftest import source_config

    path = tmp_path / "feed.xml"
    path.write_bytes(fixture_bytes("feed_rdf.xml"))
    result = read_source(source_config("feed", path.as_uri()), Fetcher())
    assert [r.title for r in result.raws][0] == "Graph Neural Networks for Protein Folding"


def test_an_item_that_cannot_be_read_is_left_out_with_a_warning_and_the_rest_kept():
    body = (b"<rss><channel>"
            b"<item><title>Bad</title><link>http://[::1/broken</link><guid>g-1</guid></item>"
            b"<item><title>Good</title><link>https://e.org/2</link></item>"
            b"</channel></rss>")
    warnings = []
    entries = feed.parse(body, "lab", URL, warnings.append)
    assert [e.title for e in entries] == ["Good"]
    assert warnings == ["lab: entry #1 (g-1) left out: ValueError: Invalid IPv6 URL"]
