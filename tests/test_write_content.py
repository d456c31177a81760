"""What entries show besides their title, in Atom and JSON Feed: the picture, the abstract
with the terms that put the paper in its topics marked, notes, topics and links."""

import json
import re
from dataclasses import replace
from datetime import UTC, datetime

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from feedmaker.model import Entry
from feedmaker.write.atom import MEDIA
from feedmaker.write.atom import render as render_atom
from feedmaker.write.content import entry_html, highlighted
from feedmaker.write.jsonfeed import render as render_json

from .conftest import ATOM_NS, assert_valid_atom, feed_site

PUBLISHED = datetime(2026, 5, 14, tzinfo=UTC)
ENTRY = Entry(
    id="https://arxiv.org/abs/2605.00001", arxiv_id="2605.00001", title="Seeing <Things>",
    summary="Image models segment images; an image is worth it. Imagery is not.",
    url="https://huggingface.co/papers/2605.00001", source="hf", authors=("Ada Lovelace",),
    published=PUBLISHED, updated=PUBLISHED, image="https://cdn.example.org/2605.00001.png",
    comment="Accepted at NeurIPS 2025; 12 pages", journal_ref="Proc. X 1 (2025)",
    links=(("arxiv", "https://arxiv.org/abs/2605.00001"),
           ("pdf", "https://arxiv.org/pdf/2605.00001"), ("code", "https://github.com/x/y"),
           ("doi", "https://doi.org/10.1234/x")))
CATEGORIES = (("vision", "Computer Vision", ("Image", "segment")),
              ("audio", "Audio & Speech", ()))


def body(entry=ENTRY, categories=CATEGORIES):
    return lxml.html.fragment_fromstring(entry_html(entry, categories), create_parent="div")


def feed(entries=(ENTRY,), categories=CATEGORIES):
    return feed_site(entries, categories, formats=("atom", "json", "html"))


def test_the_picture_comes_first_with_the_title_as_its_alt_text_and_loads_lazily():
    [img] = body().xpath("//img")
    assert img.getparent().getprevious() is None
    assert (img.get("src"), img.get("alt"), img.get("loading")) == (
        ENTRY.image, "Seeing <Things>", "lazy")
    assert body(replace(ENTRY, image="")).xpath("//img") == []


def test_the_terms_are_marked_as_whole_words_in_any_case_with_plurals():
    marked = body().xpath("//mark/text()")
    assert marked == ["Image", "segment", "images", "image"]  # not "Imagery"
    assert highlighted("a <b> & c", ("b",)) == "a &lt;<mark>b</mark>&gt; &amp; c"


def test_topics_with_their_terms_notes_authors_and_every_link_are_in_the_content():
    text = body().text_content()
    assert "Topics: Computer Vision (Image, segment); Audio & Speech" in text
    assert "Comment: Accepted at NeurIPS 2025; 12 pages" in text
    assert "Journal reference: Proc. X 1 (2025)" in text
    assert "Authors: Ada Lovelace" in text
    assert body().xpath("//a/text()") == ["Paper page", "arXiv abstract", "PDF", "Code", "DOI"]


def test_the_atom_entry_has_a_media_thumbnail_and_the_pdf_as_an_enclosure():
    tree = assert_valid_atom(render_atom(*feed()))
    [entry] = tree.xpath("a:entry", namespaces=ATOM_NS)
    assert entry.find(f"{{{MEDIA}}}thumbnail").get("url") == ENTRY.image
    [pdf] = entry.xpath("a:link[@rel='enclosure']", namespaces=ATOM_NS)
    assert (pdf.get("type"), pdf.get("href")) == ("application/pdf",
                                                  "https://arxiv.org/pdf/2605.00001")
    # The feed's web page is its alternate.
    assert tree.xpath("a:link[@rel='alternate']/@href", namespaces=ATOM_NS) == [
        "https://feeds.example.org/vision.html"]


def test_an_entry_without_a_picture_has_no_empty_thumbnail():
    tree = assert_valid_atom(render_atom(*feed([replace(ENTRY, image="")])))
    assert tree.xpath("//m:thumbnail", namespaces={"m": MEDIA}) == []


def test_the_json_feed_item_has_its_image_and_the_pdf_as_an_attachment():
    document = json.loads(render_json(*feed()))
    assert document["home_page_url"] == "https://feeds.example.org/vision.html"
    [item] = document["items"]
    assert item["image"] == ENTRY.image
    assert item["attachments"] == [{"url": "https://arxiv.org/pdf/2605.00001",
                                    "mime_type": "application/pdf", "title": "PDF"}]
    assert "<mark>Image</mark>" in item["content_html"]
    [plain] = json.loads(render_json(*feed([replace(ENTRY, image="", links=())])))["items"]
    assert "image" not in plain and "attachments" not in plain


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["image", "Image segmentation", "ViT", "segment", "GPT-4",
                                 "language model", "es", "mass"]), max_size=4),
       st.lists(st.sampled_from(["image", "images", "Images", "segmentation", "ViTs",
                                 "GPT-4", "GPT-45", "language models", "x", "massess",
                                 "image-based", "  ", ",", "é", "segmentes"]), max_size=12))
def test_marking_words_agrees_with_a_pattern_of_them(words, tokens):
    text = " ".join(tokens)

    def marked(html):
        return [mark.text for mark in lxml.html.fragment_fromstring(
            html, create_parent="p").iter("mark")]

    pattern = re.compile(r"(?<!\w)(?:" + "|".join(
        re.escape(w) for w in sorted(set(words), key=len, reverse=True))
        + r")(?:e?s)?(?!\w)", re.IGNORECASE) if words else None
    expected = [m.group(0) for m in pattern.finditer(text)] if pattern else []
    assert marked(highlighted(text, tuple(words))) == expected
