"""normalize turns loose source data into clean entries with canonical ids."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedmaker.model import RawEntry
from feedmaker.normalize import (
    _DROPPED,
    DropEntry,
    absolute_url,
    bare_arxiv_id,
    canonical_url,
    clean_text,
    normalize,
    parse_date,
)
from feedmaker.validate import _ABSOLUTE_IRI


@pytest.mark.parametrize("value, expected", [
    ("2401.00001", "2401.00001"),
    ("2401.00001v2", "2401.00001"),
    ("arXiv:2401.00001v12", "2401.00001"),
    ("1501.0001", "1501.0001"),
    ("hep-th/9901001v3", "hep-th/9901001"),
    ("math.GT/0309136v2", "math/0309136"),
    ("not-an-id", None),
    ("2401.00001.pdf", None),
])
def test_arxiv_ids_lose_their_version_and_subject_class(value, expected):
    assert bare_arxiv_id(value) == expected


def test_the_same_paper_gets_the_same_id_from_any_version_or_url():
    ids = {
        normalize(RawEntry(source="a", title="T", arxiv_id="2401.00001v2")).id,
        normalize(RawEntry(source="b", title="T", arxiv_id="2401.00001")).id,
        normalize(RawEntry(source="c", title="T", url="https://arxiv.org/pdf/2401.00001v3")).id,
        normalize(RawEntry(source="d", title="T", url="http://arxiv.org/abs/2401.00001v1")).id,
    }
    assert ids == {"https://arxiv.org/abs/2401.00001"}


def test_an_old_paper_gets_one_id_with_or_without_its_subject_class():
    ids = {
        normalize(RawEntry(source="a", title="T", arxiv_id="math/0309136v1")).id,
        normalize(RawEntry(source="b", title="T", arxiv_id="arXiv:math.GT/0309136")).id,
        normalize(RawEntry(source="c", title="T", url="https://arxiv.org/abs/math.GT/0309136v2")).id,
    }
    assert ids == {"https://arxiv.org/abs/math/0309136"}


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


def test_links_with_bad_schemes_and_relative_links_are_dropped():
    entry = normalize(RawEntry(source="s", title="T", url="https://site.org/papers/x",
                               links={"code": "javascript:alert(1)",
                                      "project": "../proj"}))
    assert entry.url == "https://site.org/papers/x"
    assert entry.link("code") is None
    assert entry.link("project") is None


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


@pytest.mark.parametrize(("link", "repaired"), [
    ("https://lab.example.org/papers/a paper.pdf", "https://lab.example.org/papers/a%20paper.pdf"),
    ("https://e.org/x?q=a b#part two", "https://e.org/x?q=a%20b#part%20two"),
    ('https://e.org/<b>"{x}"|^`\\', "https://e.org/%3Cb%3E%22%7Bx%7D%22%7C%5E%60%5C"),
    ("https://e.org/100%", "https://e.org/100%25"),
    ("https://e.org/\u200fx", "https://e.org/%E2%80%8Fx"),
    ("https://e.org/caf\u00e9/%20ok", "https://e.org/caf\u00e9/%20ok"),  # already an IRI
])
def test_a_link_that_is_not_a_valid_iri_is_repaired_by_percent_encoding(link, repaired):
    entry = normalize(RawEntry(source="s", title="T", url=link))
    assert entry.url == repaired
    assert _ABSOLUTE_IRI.match(entry.id)


@pytest.mark.parametrize("link", ["https://exa mple.org/x", "https://e.org:99999/x",
                                  "http://[broken/x", "https://<host>/x"])
def test_a_link_that_cannot_be_repaired_drops_the_entry_naming_source_and_entry(link):
    with pytest.raises(DropEntry, match=re.escape(f"s: entry 'T' has no usable link ({link!r} "
                                                  "is not an http(s) URL that can be repaired)")):
        normalize(RawEntry(source="s", title="T", url=link))


def test_a_bad_related_link_is_left_out_and_the_entry_kept():
    entry = normalize(RawEntry(source="s", title="T", arxiv_id="2401.00001",
                               links={"code": "http://[x", "project": "https://e.org/a b"}))
    assert entry.link("code") is None and entry.link("project") == "https://e.org/a%20b"


def test_fields_of_the_wrong_type_never_raise():
    entry = normalize(RawEntry(source="s", title=1984, summary=["x"], url="https://e.org/1",
                               arxiv_id=2401.00001, authors="Ada Lovelace", categories=7,
                               links=["x"], published=12345, upvotes=True))
    assert (entry.title, entry.summary, entry.authors, entry.categories, entry.links,
            entry.published, entry.upvotes) == ("1984", "", ("Ada Lovelace",), (), (), None, None)


@pytest.mark.parametrize("value", [
    "0001-01-01T00:00:00Z", "1899-12-31", datetime(1, 5, 14),
    datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),  # past year 9999 in UTC
])
def test_an_implausible_or_unrepresentable_date_is_no_date(value):
    assert parse_date(value) is None


ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
                     st.lists(st.text(), max_size=3), st.dictionaries(st.text(), st.text(),
                                                                      max_size=2))
URLISH = st.one_of(st.text(), st.builds(lambda scheme, host, rest: f"{scheme}://{host}{rest}",
                                        st.sampled_from(["http", "https", "HTTP", "ftp"]),
                                        st.text(min_size=1, max_size=12), st.text()))


@settings(max_examples=300, deadline=None)
@given(link=URLISH)
def test_whatever_link_absolute_url_lets_through_is_an_absolute_iri_the_validator_accepts(link):
    url = absolute_url(link)
    assert url is None or (_ABSOLUTE_IRI.match(url) and url.lower().startswith("http"))


@settings(max_examples=300, deadline=None)
@given(title=ANYTHING, url=st.one_of(URLISH, ANYTHING), arxiv_id=ANYTHING, authors=ANYTHING,
       summary=ANYTHING, published=ANYTHING, links=st.one_of(ANYTHING, st.fixed_dictionaries(
           {"code": URLISH, "project": URLISH})))
def test_normalize_gives_an_entry_whose_iris_validate_or_drops_it_and_never_raises_otherwise(
        title, url, arxiv_id, authors, summary, published, links):
    raw = RawEntry(source="s", title=title, url=url, arxiv_id=arxiv_id, authors=authors,
                   summary=summary, published=published, links=links)
    try:
        entry = normalize(raw)
    except DropEntry as exc:
        assert str(exc).startswith("s: entry ") and "\n" not in str(exc)
        return
    for iri in (entry.id, entry.url, *(href for _, href in entry.links)):
        assert _ABSOLUTE_IRI.match(iri), iri
    assert entry.title and not _DROPPED.search(entry.title + entry.summary)


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff\u2060", "\u200d", "\xad", "\u034f \u0301"])
def test_a_title_or_name_of_only_characters_that_show_nothing_is_none(invisible):
    # Zero-width spaces and joiners, a byte order mark, a soft hyphen, lone combining marks:
    # an entry titled so was published with a blank title, an author so as a blank name.
    with pytest.raises(DropEntry, match="without a title"):
        normalize(RawEntry(source="s", title=invisible, arxiv_id="2401.00001"))
    entry = normalize(RawEntry(source="s", title="T", arxiv_id="2401.00001",
                               summary=invisible, authors=[invisible, "Ada", "e\u0301"]))
    assert (entry.summary, entry.authors) == ("", ("Ada", "\xe9"))
    titled = normalize(RawEntry(source="s", title=f"{invisible}T\u200d", arxiv_id="2401.00001"))
    assert titled.title.endswith("T\u200d")  # kept beside visible text
