"""render_atom writes valid, deterministic Atom with correct links, categories and text."""

from dataclasses import replace
from datetime import UTC, datetime

from feedmaker.model import Entry
from feedmaker.write.atom import render
from feedmaker.write.content import entry_html

from .conftest import ATOM_NS, assert_valid_atom, feed_site

PUBLISHED = datetime(2026, 5, 14, tzinfo=UTC)
ENTRY = Entry(
    id="https://arxiv.org/abs/2605.00001", arxiv_id="2605.00001",
    title="Seeing <b>Bold</b> & Hearing", summary="We <script>alert(1)</script> study x & y.",
    url="https://huggingface.co/papers/2605.00001", source="hf",
    authors=("Ada Lovelace", "Alan Turing"), published=PUBLISHED, updated=PUBLISHED,
    links=(("arxiv", "https://arxiv.org/abs/2605.00001"), ("pdf", "https://arxiv.org/pdf/2605.00001"),
           ("code", "https://github.com/x/y"), ("project", "https://x.github.io/")),
)
CATEGORIES = (("vision", "Computer Vision", ("x",)), ("audio", "Audio & Speech", ()))


def render_feed(entries=(ENTRY,)):
    return render(*feed_site(entries, CATEGORIES, description="Images"))


def test_the_feed_passes_the_rfc4287_schema():
    assert_valid_atom(render_feed())
    assert_valid_atom(render_feed(entries=()))


def test_feed_id_and_self_link_are_base_url_plus_file_name():
    tree = assert_valid_atom(render_feed())
    assert tree.findtext("a:id", namespaces=ATOM_NS) == "https://feeds.example.org/vision.atom"
    [self_link] = tree.xpath("a:link[@rel='self']", namespaces=ATOM_NS)
    assert self_link.get("href") == "https://feeds.example.org/vision.atom"
    [alternate] = tree.xpath("a:link[@rel='alternate']", namespaces=ATOM_NS)
    assert alternate.get("href") == "https://feeds.example.org/index.html"


def test_feed_updated_is_the_newest_entry_updated_or_the_given_time_when_empty():
    assert b"<updated>2026-05-14T00:00:00+00:00</updated>" in render_feed()
    empty = assert_valid_atom(render_feed(entries=()))
    assert empty.findtext("a:updated", namespaces=ATOM_NS) == "2026-01-01T00:00:00+00:00"


def test_entry_has_one_alternate_link_the_pdf_as_enclosure_and_related_links_with_titles():
    tree = assert_valid_atom(render_feed())
    links = [(link.get("rel"), link.get("type"), link.get("title"), link.get("href"))
             for link in tree.xpath("a:entry/a:link", namespaces=ATOM_NS)]
    assert links == [
        ("alternate", "text/html", None, "https://huggingface.co/papers/2605.00001"),
        ("related", "text/html", "arXiv abstract", "https://arxiv.org/abs/2605.00001"),
        ("enclosure", "application/pdf", "PDF", "https://arxiv.org/pdf/2605.00001"),
        ("related", "text/html", "Code", "https://github.com/x/y"),
        ("related", "text/html", "Project page", "https://x.github.io/"),
    ]


def test_entry_carries_id_dates_authors_and_one_category_per_topic():
    tree = assert_valid_atom(render_feed())
    [entry] = tree.xpath("a:entry", namespaces=ATOM_NS)
    assert entry.findtext("a:id", namespaces=ATOM_NS) == ENTRY.id
    assert entry.findtext("a:published", namespaces=ATOM_NS) == "2026-05-14T00:00:00+00:00"
    assert entry.findtext("a:updated", namespaces=ATOM_NS) == "2026-05-14T00:00:00+00:00"
    assert entry.xpath("a:author/a:name/text()", namespaces=ATOM_NS) == list(ENTRY.authors)
    assert [(c.get("term"), c.get("label")) for c in entry.xpath("a:category", namespaces=ATOM_NS)
            ] == [("vision", "Computer Vision"), ("audio", "Audio & Speech")]


def test_title_and_summary_are_plain_text_and_content_is_sanitized_html():
    tree = assert_valid_atom(render_feed())
    [entry] = tree.xpath("a:entry", namespaces=ATOM_NS)
    assert entry.findtext("a:title", namespaces=ATOM_NS) == "Seeing <b>Bold</b> & Hearing"
    assert entry.find("a:title", namespaces=ATOM_NS).get("type") in (None, "text")
    assert entry.findtext("a:summary", namespaces=ATOM_NS) == ENTRY.summary
    content = entry.find("a:content", namespaces=ATOM_NS)
    assert content.get("type") == "html"
    assert "<script>" not in content.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content.text
    assert "<bdi>Ada Lovelace</bdi>, <bdi>Alan Turing</bdi>" in content.text


def test_entry_html_links_every_related_page_and_nothing_that_drifts():
    html = entry_html(ENTRY)
    for href in ("https://huggingface.co/papers/2605.00001", "https://arxiv.org/pdf/2605.00001",
                 "https://github.com/x/y", "https://x.github.io/"):
        assert f'href="{href}"' in html
    assert "upvote" not in html.lower()


def test_rendering_twice_gives_identical_bytes():
    assert render_feed() == render_feed()


def test_an_assembled_feed_is_the_document_lxml_builds_from_the_same_pieces():
    from lxml import etree

    from feedmaker.write.atom import assemble, render_entry

    entries = [replace(ENTRY, id=f"https://arxiv.org/abs/2605.0000{n}") for n in range(3)]
    site, feed = feed_site([], slug="all")
    skeleton = render(site, feed)
    pieces = [render_entry(e, (), site.base_url) for e in entries]
    assembled = assemble(skeleton, pieces)
    parser = etree.XMLParser(remove_blank_text=True)
    built = etree.fromstring(skeleton, parser)
    for piece in pieces:  # each entry parsed inside an Atom feed, as it will be read
        built.append(etree.fromstring(b'<feed xmlns="http://www.w3.org/2005/Atom">' + piece
                                      + b"</feed>", parser)[0])
    same = etree.fromstring(assembled, parser)
    assert etree.tostring(same, method="c14n") == etree.tostring(built, method="c14n")
    assert_valid_atom(assembled)
