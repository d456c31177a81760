"""Read a CSL JSON library (Zotero's "Export Library... > CSL JSON")."""

from __future__ import annotations

import json

from feedmaker.errors import ConfigError
from feedmaker.like.ids import (
    arxiv_id_from_doi,
    arxiv_id_from_link,
    arxiv_id_mentioned,
    clean_doi,
)
from feedmaker.like.paper import LibraryPaper
from feedmaker.normalize import clean_text

_DECODER = json.JSONDecoder()


def read_csl_json(text: str, where: str) -> tuple[list[LibraryPaper], list[str]]:
    """The papers of a CSL JSON array, and a note for each item that was skipped."""
    papers, skipped = [], []
    for line, item in _items(text, where):
        if not isinstance(item, dict):
            raise ConfigError(f"{where}:{line}: expected a CSL JSON item (an object), "
                              f"got {type(item).__name__}")
        for key in ("title", "abstract", "DOI", "URL", "number", "note"):
            if key in item and not isinstance(item[key], str | int):
                raise ConfigError(f"{where}:{line}: item field {key!r} must be a string")
        fields = {key: clean_text(str(item.get(key) or "")) for key in
                  ("title", "abstract", "DOI", "URL", "number", "note")}
        doi = clean_doi(fields["DOI"])
        arxiv_id = (arxiv_id_mentioned(fields["number"]) or arxiv_id_from_link(fields["URL"])
                    or (arxiv_id_from_doi(doi) if doi else None)
                    or arxiv_id_mentioned(fields["note"]))
        paper = LibraryPaper(where=f"{where}:{line}", title=fields["title"],
                             abstract=fields["abstract"], arxiv_id=arxiv_id, doi=doi)
        if paper.title or paper.arxiv_id:
            papers.append(paper)
        else:
            skipped.append(f"{where}:{line}: item {item.get('id', '')!r} has neither a title "
                           "nor an arXiv id; skipped")
    return papers, skipped


def _items(text: str, where: str):
    """Each item of the top-level array with the line it starts on (json.loads gives none)."""
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        # A single item exported alone is still a library of one.
        if text.startswith("{", position):
            item, end = _decode(text, position, where)
            _expect_end(text, end, where)
            yield _line(text, position), item
            return
        raise ConfigError(f"{where}:{_line(text, position)}: expected a CSL JSON array")
    position = _skip_space(text, position + 1)
    if text.startswith("]", position):
        return
    while True:
        item, end = _decode(text, position, where)
        yield _line(text, position), item
        position = _skip_space(text, end)
        if text.startswith("]", position):
            break
        if not text.startswith(",", position):
            raise ConfigError(f"{where}:{_line(text, position)}: expected ',' or ']' "
                              "between CSL JSON items")
        position = _skip_space(text, position + 1)
    _expect_end(text, position + 1, where)


def _expect_end(text: str, position: int, where: str) -> None:
    position = _skip_space(text, position)
    if position != len(text):
        raise ConfigError(f"{where}:{_line(text, position)}: text after the CSL JSON")


def _decode(text: str, position: int, where: str):
    try:
        return _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}:{exc.lineno}: not valid JSON ({exc.msg})") from None


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1
