"""Read a BibTeX library (a reference manager's export) with bibtexparser."""

from __future__ import annotations

import logging

from feedmaker.errors import ConfigError
from feedmaker.like.ids import (
    arxiv_id_from_doi,
    arxiv_id_from_link,
    arxiv_id_mentioned,
    clean_doi,
)
from feedmaker.like.paper import LibraryPaper
from feedmaker.normalize import bare_arxiv_id, clean_text

# Fields where exports put an arXiv id, most specific first: `eprint` (biblatex, Zotero,
# arXiv's own export), `arxivid` (Mendeley), `arxiv`.
_ID_FIELDS = ("eprint", "arxivid", "arxiv")
# Fields where Google Scholar and others write "arXiv preprint arXiv:2401.00001".
_MENTION_FIELDS = ("journal", "note", "howpublished", "journaltitle", "booktitle")


def read_bibtex(text: str, where: str) -> tuple[list[LibraryPaper], list[str]]:
    """The papers of a BibTeX file, and a note for each entry that was skipped.

    Braces, LaTeX accents (`{\\"u}`) and `@string` macros are resolved by bibtexparser;
    a block it cannot parse is a ConfigError naming the file and line.
    """
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    # bibtexparser logs each failed block itself (a warning on stderr); the first one
    # becomes our error instead. Its loggers inherit the level set on the parent.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    finally:
        logger.setLevel(level)
    if library.failed_blocks:
        block = min(library.failed_blocks, key=lambda b: b.start_line or 0)
        reason = getattr(block.error, "abort_reason", None) or str(block.error)
        raise ConfigError(f"{where}:{(block.start_line or 0) + 1}: not valid BibTeX: "
                          f"{clean_text(reason)}")
    papers, skipped = [], []
    for entry in library.entries:
        line = f"{where}:{(entry.start_line or 0) + 1}"
        fields = {f.key.lower(): clean_text(str(f.value)) for f in entry.fields}
        paper = _paper(fields, line)
        if paper.title or paper.arxiv_id:
            papers.append(paper)
        else:
            skipped.append(f"{line}: entry {entry.key!r} has neither a title nor an arXiv id; "
                           "skipped")
    return papers, skipped


def _paper(fields: dict[str, str], where: str) -> LibraryPaper:
    doi = clean_doi(fields.get("doi", ""))
    return LibraryPaper(where=where, title=fields.get("title", ""),
                        abstract=fields.get("abstract", ""), arxiv_id=_arxiv_id(fields, doi),
                        doi=doi)


def _arxiv_id(fields: dict[str, str], doi: str | None) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    for name in _ID_FIELDS:
        value = fields.get(name, "")
        # An `eprint` of another archive (PubMed, HAL) is not an arXiv id.
        if value and (name != "eprint" or prefix == "arxiv"):
            found = bare_arxiv_id(value)
            if found:
                return found
    for name in ("url", "eprint"):
        if fields.get(name, "").startswith(("http://", "https://")):
            found = arxiv_id_from_link(fields[name])
            if found:
                return found
    if doi and arxiv_id_from_doi(doi):
        return arxiv_id_from_doi(doi)
    for name in _MENTION_FIELDS:
        found = arxiv_id_mentioned(fields.get(name, ""))
        if found:
            return found
    return None
