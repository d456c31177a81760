"""Read a user's library from its files, whatever their format, into one list of papers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from feedmaker.errors import ConfigError
from feedmaker.like.bibtex import read_bibtex
from feedmaker.like.csl import read_csl_json
from feedmaker.like.idlist import read_id_list
from feedmaker.like.paper import LibraryPaper

READERS = {"bibtex": read_bibtex, "csl-json": read_csl_json, "ids": read_id_list}
_EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".json": "csl-json",
               ".csljson": "csl-json", ".txt": "ids", ".list": "ids"}
_BIBTEX_BLOCK = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
# A library file is written by hand or exported; anything this big is a wrong path.
MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Library:
    """The papers of all library files (duplicates merged), and notes on skipped entries."""

    papers: list[LibraryPaper] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_library(paths: Iterable[Path]) -> Library:
    """Read every file; a paper listed twice (same arXiv id, DOI or title) is kept once."""
    library = Library()
    seen: set[str] = set()
    for path in paths:
        papers, skipped = read_library_file(Path(path))
        library.skipped += skipped
        for paper in papers:
            keys = _identity(paper)
            if not keys & seen:
                library.papers.append(paper)
            seen |= keys
    return library


def read_library_file(path: Path) -> tuple[list[LibraryPaper], list[str]]:
    """One file's papers and skip notes; ConfigError naming the file (and line) on failure."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"{path}: library file larger than {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read library file ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte {data[exc.start]:#04x})") from None
    return READERS[detect_format(path, text)](text, str(path))


def detect_format(path: Path, text: str) -> str:
    """"bibtex", "csl-json" or "ids": from the extension, else from the content."""
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    start = text.lstrip()[:1]
    if start in ("[", "{"):
        return "csl-json"
    if _BIBTEX_BLOCK.search(text):
        return "bibtex"
    return "ids"


def _identity(paper: LibraryPaper) -> set[str]:
    keys = set()
    if paper.arxiv_id:
        keys.add(f"arxiv:{paper.arxiv_id}")
    if paper.doi:
        keys.add(f"doi:{paper.doi}")
    if paper.title:
        keys.add("title:" + " ".join(re.findall(r"\w+", paper.title.lower())))
    return keys
