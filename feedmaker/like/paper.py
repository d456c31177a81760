"""A paper of the user's library, as read from one of their files."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class LibraryPaper:
    """One library paper: what is known of it, and the file and line it came from."""

    where: str  # "path:line", for messages
    title: str = ""
    abstract: str = ""
    arxiv_id: str | None = None  # bare: 2401.00001, hep-th/9901001
    doi: str | None = None  # lower-case, without a resolver prefix

    @property
    def text(self) -> str:
        """The text the similarity model reads: title and abstract."""
        return paper_text(self.title, self.abstract)

    @property
    def needs_lookup(self) -> bool:
        """An arXiv paper without its abstract (an id list, arXiv's own BibTeX export): its
        title and abstract are looked up by id."""
        return self.arxiv_id is not None and not self.abstract

    def with_text(self, title: str, abstract: str) -> LibraryPaper:
        """The same paper with a looked-up abstract (and title, when it had none)."""
        return replace(self, title=self.title or title, abstract=abstract)


def paper_text(title: str, abstract: str) -> str:
    """Title and abstract as one text, the way both library and candidate papers are read."""
    return f"{title}. {abstract}" if abstract else title
