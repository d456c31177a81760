"""Read a plain-text library: one arXiv id, arXiv URL or Hugging Face paper URL a line."""

from __future__ import annotations

from feedmaker.errors import ConfigError
from feedmaker.like.ids import arxiv_id_from_link
from feedmaker.like.paper import LibraryPaper


def read_id_list(text: str, where: str) -> tuple[list[LibraryPaper], list[str]]:
    """The papers of an id list; blank lines and `#` comments are ignored."""
    papers = []
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split(" #", 1)[0].strip()
        if not value or value.startswith("#"):
            continue
        arxiv_id = arxiv_id_from_link(value)
        if arxiv_id is None:
            raise ConfigError(f"{where}:{number}: not an arXiv id, arXiv URL or Hugging Face "
                              f"paper URL: {value[:100]!r}")
        papers.append(LibraryPaper(where=f"{where}:{number}", arxiv_id=arxiv_id))
    return papers, []
