"""Recognize arXiv ids, arXiv URLs, Hugging Face paper URLs and DOIs in library fields."""

from __future__ import annotations

import re

from feedmaker.normalize import arxiv_id_from_url, bare_arxiv_id

_HF_PAPER_URL = re.compile(r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/papers/"
                           r"(?P<id>[^/?#\s]+)/?(?:[?#].*)?$", re.ASCII)
# "arXiv:2401.00001", "arXiv preprint arXiv:2401.00001v2", "arXiv:hep-th/9901001 [hep-th]"
_ARXIV_MENTION = re.compile(r"\barxiv:\s*(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|"
                            r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
                            re.ASCII | re.IGNORECASE)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(?P<doi>10\.\d{4,9}/\S+)$",
                  re.IGNORECASE)
# arXiv registers a DOI for every paper since 2022: 10.48550/arXiv.<id>
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)


def arxiv_id_from_link(value: str) -> str | None:
    """The bare arXiv id of an id, an arxiv.org URL or a Hugging Face paper URL, else None."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        hf = _HF_PAPER_URL.match(value)
        if hf:
            return bare_arxiv_id(hf["id"])
        return arxiv_id_from_url(value.replace("http://", "https://", 1)
                                 .split("#")[0].split("?")[0])
    return bare_arxiv_id(value)


def arxiv_id_mentioned(text: str) -> str | None:
    """The first "arXiv:<id>" written in free text (a note, a journal field), else None."""
    match = _ARXIV_MENTION.search(text)
    return bare_arxiv_id(match["id"]) if match else None


def clean_doi(value: str) -> str | None:
    """A DOI without resolver prefix, lower-case (DOIs are case-insensitive); else None."""
    match = _DOI.match(value.strip())
    return match["doi"].lower() if match else None


def arxiv_id_from_doi(doi: str) -> str | None:
    """The arXiv id inside an arXiv-issued DOI (10.48550/arXiv.2401.00001), else None."""
    match = _ARXIV_DOI.match(doi)
    return bare_arxiv_id(match["id"]) if match else None
