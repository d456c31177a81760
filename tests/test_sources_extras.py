"""What sources give beside the text: Hugging Face's picture of the paper, arXiv's comment,
journal reference and DOI, and how normalize keeps them."""

from feedmaker.model import RawEntry
from feedmaker.normalize import doi_url, normalize
from feedmaker.sources import arxiv_api, hf_api

from .conftest import daily_items, fixture_bytes

ARXIV_ENTRY = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <entry>
    <id>http://arxiv.org/abs/2605.00001v2</id>
    <published>2026-05-14T00:00:00Z</published>
    <title>A paper</title>
    <summary>An abstract.</summary>
    <author><name>A. Author</name></author>
    <arxiv:comment>Accepted at NeurIPS 2025;
      12 pages, 5 figures</arxiv:comment>
    <arxiv:journal_ref>Proc. NeurIPS 38 (2025) 1-12</arxiv:journal_ref>
    <arxiv:doi>10.1234/neurips.2025.001</arxiv:doi>
  </entry>
</feed>"""


def test_the_hugging_face_api_gives_each_paper_its_thumbnail():
    raws = hf_api.parse(fixture_bytes("hf_daily_papers_2026-05-18.json"), "hf", "https://x/")
    assert [raw.image for raw in raws] == [item["thumbnail"] for item in daily_items()]
    entry = normalize(raws[0])
    assert entry.image == ("https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/"
                           "2605.15320.png")


def test_a_paper_object_without_a_thumbnail_has_no_picture():
    [raw] = hf_api.parse(fixture_bytes("hf_paper_detail_2605.15320.json"), "hf", "https://x/")
    assert raw.image is None and normalize(raw).image == ""


def test_the_arxiv_api_gives_comment_journal_reference_and_a_doi_link():
    [raw] = arxiv_api.parse(ARXIV_ENTRY, "arxiv", "http://export.arxiv.org/api/query")
    entry = normalize(raw)
    assert entry.comment == "Accepted at NeurIPS 2025; 12 pages, 5 figures"
    assert entry.journal_ref == "Proc. NeurIPS 38 (2025) 1-12"
    assert entry.link("doi") == "https://doi.org/10.1234/neurips.2025.001"
    assert entry.link("pdf") == "https://arxiv.org/pdf/2605.00001"


def test_an_arxiv_entry_without_notes_has_none():
    entries = [normalize(raw) for raw in arxiv_api.parse(
        fixture_bytes("arxiv_api_query.xml"), "arxiv", "http://export.arxiv.org/api/query")]
    assert entries[0].comment == "Project page: see the paper"
    assert entries[2].comment == "" and entries[2].journal_ref == ""
    assert all(e.link("doi") is None for e in entries)


def test_only_http_pictures_and_real_dois_are_kept():
    for bad in ("javascript:alert(1)", "data:image/png;base64,AAAA", "//cdn.example/x.png"):
        raw = RawEntry(source="s", title="T", url="https://x.org/p", image=bad,
                       doi="not a doi")
        entry = normalize(raw)
        assert entry.image == "" and entry.link("doi") is None
    assert doi_url("doi:10.1000/a b<c>") is None
    assert doi_url("https://doi.org/10.1000/xyz(1)") == "https://doi.org/10.1000/xyz(1)"
    assert doi_url("10.1000/ab\"c") == "https://doi.org/10.1000/ab%22c"


def test_notes_are_one_line_and_bounded():
    raw = RawEntry(source="s", title="T", url="https://x.org/p",
                   comment="word " * 500, journal_ref="J.\n  Phys.")
    entry = normalize(raw)
    assert len(entry.comment) <= 500 and entry.comment.endswith("…")
    assert entry.journal_ref == "J. Phys."
