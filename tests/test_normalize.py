"""normalize turns loose source data into clean entries with canonical ids."""

from datetime import UTC, datetime

import pytest

from feedmaker.model import RawEntry
from feedmaker.normalize import (
    DropEntry,
    bare_arxiv_id,
    canonical_url,
    clean_text,
    normalize,
    parse_date,
)


@pytest.mark.parametrize("value, expected", [
    ("2401.00001", "2401.00001"),
    ("2401.00001v2", "2401.00001"),
    ("arXiv:2401.00001v12", "2401.00001"),
    ("1501.0001", "1501.0001"),
    ("hep-th/9901001v3", "hep-th/9901001"),
    ("math.GT/0309136", "math.GT/0309136"),
    ("not-an-id", None),
    ("2401.00001.pdf", None),
])
def test_arxiv_ids_lose_their_version_suffix(value, expected):
    assert bare_arxiv_id(value) == expected


def test_the_same_paper_gets_the_same_id_from_any_version_or_url():
    ids = {
        normalize(RawEntry(source="a", title="T", arxiv_id="2401.00001v2")).id,
        normalize(RawEntry(source="b", title="T", arxiv_id="2401.00001")).id,
        normalize(RawEntry(source="c", title="T", url="https://arxiv.org/pdf/2401.00001v3")).id,
        normalize(RawEntry(source="d", title="T", url="http://arxiv.org/abs/2401.00001v1")).id,
    }
    assert ids == {"https://arxiv.org/abs/2401.00001"}


def test_arxiv_hard_line_breaks_and_runs_of_space_collapse():
    assert clean_text("Towards Generalist\n  Agents \t now ") == "Towards Generalist Agents now"


def test_entities_are_decoded_and_text_is_nfc_normalized():
    assert clean_text("Q&amp;A for cafe\u0301 &lt;3") == "Q&A for caf\u00e9 <3"


def test_characters_xml_forbids_are_dropped_but_unicode_text_is_kept():
    text = "a\x00b\x07c\x1bd\ufffe e \u05e9\u05dc\u05d5\u05dd \U0001F600 n\u0303"
    assert clean_text(text) == "abcd e \u05e9\u05dc\u05d5\u05dd \U0001F600 \u00f1"


def test_non_arxiv_entries_get_their_canonical_url_as_id():
    entry = normalize(RawEntry(source="s", title="T",
                               url="HTTPS://Blog.Example.org/post?id=3&utm_source=x&fbclid=y#top"))
    assert entry.id == "https://blog.example.org/post?id=3"
    assert entry.arxiv_id is None


def test_canonical_url_keeps_meaningful_query_parameters_in_order():
    assert canonical_url("https://x.org/a?b=2&a=1&utm_medium=m") == "https://x.org/a?b=2&a=1"


def test_relative_links_resolve_against_the_page_and_bad_schemes_are_dropped():
    entry = normalize(RawEntry(source="s", title="T", url="/papers/x",
                               links={"code": "javascript:alert(1)",
                                      "project": "../proj"}),
                      base_url="https://site.org/list/page")
    assert entry.url == "https://site.org/papers/x"
    assert entry.link("code") is None
    assert entry.link("project") == "https://site.org/proj"


def test_arxiv_entries_get_abstract_and_pdf_links():
    entry = normalize(RawEntry(source="s", title="T", url="https://huggingface.co/papers/2401.00001",
                               arxiv_id="2401.00001"))
    assert entry.links == (("arxiv", "https://arxiv.org/abs/2401.00001"),
                           ("pdf", "https://arxiv.org/pdf/2401.00001"))


def test_authors_are_cleaned_and_deduplicated_in_order():
    entry = normalize(RawEntry(source="s", title="T", arxiv_id="2401.00001",
                               authors=["  Ada  Lovelace", "", "Alan Turing", "Ada Lovelace"]))
    assert entry.authors == ("Ada Lovelace", "Alan Turing")


@pytest.mark.parametrize("value, expected", [
    ("2026-05-14T00:00:00.000Z", datetime(2026, 5, 14, tzinfo=UTC)),
    ("2026-05-14T02:30:00.123456+02:00", datetime(2026, 5, 14, 0, 30, tzinfo=UTC)),
    ("2026-05-14", datetime(2026, 5, 14, tzinfo=UTC)),
    ("yesterday", None),
    ("", None),
    (None, None),
])
def test_dates_become_aware_utc_without_microseconds(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("raw, reason", [
    (RawEntry(source="s", title="  ", arxiv_id="2401.00001"), "without a title"),
    (RawEntry(source="s", title="T", url="ftp://x.org/a"), "no usable link"),
])
def test_entries_without_title_or_link_are_dropped_with_a_reason(raw, reason):
    with pytest.raises(DropEntry, match=reason):
        normalize(raw)
