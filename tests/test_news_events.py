"""What counts as news in a paper's notes: the small acceptance patterns, and code and
project links written in an arXiv comment."""

import pytest

from feedmaker.events import acceptance, code_link, project_link
from feedmaker.model import Entry


@pytest.mark.parametrize("comment, venue", [
    ("Accepted at ICML 2026. 9 pages, 4 figures", "ICML 2026"),
    ("accepted to NeurIPS 2025 (spotlight)", "NeurIPS 2025"),
    ("12 pages; Accepted by AAAI-26", "AAAI-26"),
    ("This paper has been accepted for publication in IEEE TPAMI", "IEEE TPAMI"),
    ("Accepted as a poster at CVPR 2026", "CVPR 2026"),
    ("Paper accepted at the ICLR 2026 workshop on agents", "the ICLR 2026 workshop on agents"),
    ("To appear in ACL 2026, main conference", "ACL 2026"),
    ("to be published in JMLR", "JMLR"),
    ("Published in Nature Communications", "Nature Communications"),
    ("Submitted to ICML 2026", None),
    ("Under review at ICLR 2027", None),
    ("Has not been accepted at ICML yet", None),
    ("A widely accepted in practice baseline", None),
    ("Camera-ready version; 10 pages", None),
])
def test_an_acceptance_is_a_venue_named_after_accepted_to_appear_or_published(comment,
                                                                               venue):
    assert acceptance(comment) == venue


def paper(comment: str, **links: str) -> Entry:
    return Entry(id="https://arxiv.org/abs/2605.00001", title="A paper", source="arxiv",
                 url="https://arxiv.org/abs/2605.00001", comment=comment,
                 links=tuple(links.items()))


def test_a_comment_gives_code_on_a_code_host_and_a_project_page_it_introduces():
    noted = paper("Code: github.com/lab/repo. Project page: https://lab.example.org/p.")
    assert (code_link(noted), project_link(noted)) == ("https://github.com/lab/repo",
                                                       "https://lab.example.org/p")
    pages = paper("See https://lab.github.io/repo and https://gitlab.com/lab/repo")
    assert (code_link(pages), project_link(pages)) == ("https://gitlab.com/lab/repo",
                                                       "https://lab.github.io/repo")
    assert (code_link(paper("Data at https://example.org/data")),
            project_link(paper("Data at https://example.org/data"))) == (None, None)
    own = paper("Code: https://github.com/lab/other", code="https://github.com/lab/own")
    assert code_link(own) == "https://github.com/lab/own"
