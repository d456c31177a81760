"""Read a user's library files (BibTeX, CSL JSON, or arXiv ids one a line) into papers."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from urllib.parse import unquote

from feedmaker import code_digest
from feedmaker.errors import FeedmakerError
from feedmaker.normalize import arxiv_id_from_url, bare_arxiv_id, clean_text

INSTALL = "pip install 'feedmaker[like]'"
# A library file is written by hand or exported; anything this big is a wrong path.
MAX_BYTES = 50 * 1024 * 1024
# A BibTeX file this big shows how far its reading is (decoding LaTeX takes about 4 s a MB).
BIBTEX_PROGRESS = 2 * 1024 * 1024
# Decoding one field's LaTeX takes the square of its length (a 1 MB field 20 s, 10 MB an
# hour): an entry with a field longer than any title or abstract is skipped.
MAX_FIELD = 100_000

_EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".json": "csl-json",
               ".csljson": "csl-json", ".txt": "ids", ".list": "ids"}
_JSON_SPACE = re.compile(r"[ \t\r\n]*")  # what JSON takes for white space
_BIBTEX_BLOCK = re.compile(r"^[ \t]*@[A-Za-z]+\s*[{(]", re.MULTILINE)
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


class LikeError(FeedmakerError):
    """A like view cannot be built: a library file unreadable, nothing to fit, no extra."""

    exit_code = 2


# progress(stage, done, total), as a run shows its long steps (feedmaker.pipeline.run).
Progress = Callable[[str, int, int], None]

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
        return paper_text(self.title, self.abstract)

    @property
    def needs_lookup(self) -> bool:
        """Known by arXiv id without its abstract: title and abstract are looked up."""
        return self.arxiv_id is not None and not self.abstract


def paper_text(title: str, abstract: str) -> str:
    """Title and abstract as one text, the way library and candidate papers are both read."""
    return f"{title}. {abstract}" if abstract else title


def identity(arxiv_id: str | None, doi: str | None, title: str) -> set[str]:
    """What makes two records one paper: the same arXiv id, DOI or normalised title. (An id
    stored by an older release may hold a subject class: it is read as arXiv's own form.)"""
    keys = {f"arxiv:{bare_arxiv_id(arxiv_id) or arxiv_id}"} if arxiv_id else set()
    if doi:
        keys.add(f"doi:{doi.lower()}")
    words = " ".join(re.findall(r"\w+", title.lower()))
    if words:
        keys.add(f"title:{words}")
    return keys


def library_keys(papers: Sequence[LibraryPaper]) -> set[str]:
    """The `identity` keys of all the papers: a paper sharing one is one of them."""
    return set().union(*(identity(p.arxiv_id, p.doi, p.title) for p in papers))


def entry_identity(entry) -> set[str]:
    """`identity` of a stored paper (a feedmaker.model.Entry): its arXiv id, DOI, title."""
    doi = next((clean_doi(unquote(url)) for kind, url in entry.links if kind == "doi"), None)
    return identity(entry.arxiv_id, doi, entry.title)


@dataclass
class Library:
    """The papers of all library files (each paper once), and a note per entry skipped."""

    papers: list[LibraryPaper] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_library(paths: Iterable[Path], data: Mapping[Path, bytes] | None = None,
                 progress: Progress = lambda stage, done, total: None) -> Library:
    """Read every file (or its bytes in `data`); a paper listed twice (same arXiv id, DOI
    or title) is kept once. LikeError naming the file (and line) when one cannot be read.
    A big BibTeX file's reading is told to `progress` as it goes."""
    library, seen = Library(), set()
    for path in map(Path, paths):
        raw = data[path] if data and path in data else read_bytes(path)
        papers, notes = parse_library_file(path, raw, progress)
        library.notes += notes
        for paper in papers:
            keys = identity(paper.arxiv_id, paper.doi, paper.title)
            if not keys & seen:
                library.papers.append(paper)
            seen |= keys
    return library


def read_files(paths: Sequence[Path | str]) -> tuple[str, dict[Path, bytes]]:
    """A digest of the files' names and bytes and of the code that reads them (a library
    read from them is read again only when it changes; a str in `paths`, a separator,
    counts by its text), and the bytes."""
    data = {path: read_bytes(path) for path in paths if isinstance(path, Path)}
    digest = hashlib.sha256(code_digest("like/library.py", "normalize.py").encode())
    for path in paths:
        digest.update(str(path).encode() + b"\0" + data.get(path, b""))
    return digest.hexdigest(), data


def read_bytes(path: Path) -> bytes:
    """A library file's bytes; its size is checked before anything is read."""
    try:
        info = path.stat()
        if not (S_ISREG(info.st_mode) or S_ISDIR(info.st_mode)):  # a directory: its OSError
            raise LikeError(f"{path}: cannot read library file (a pipe or a device, not a "
                            "file: its reading may never end)")
        size = info.st_size
        if size > MAX_BYTES:
            raise LikeError(f"{path}: library file larger than {MAX_BYTES // 2**20} MB "
                            f"({size / 2**20:.0f} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise LikeError(f"{path}: cannot read library file ({exc.strerror or exc})") from None


def parse_library_file(path: Path, data: bytes,
                       progress: Progress = lambda stage, done, total: None
                       ) -> tuple[list[LibraryPaper], list[str]]:
    """One file's papers, and a note for each entry skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LikeError(f"{path}:{line}: not UTF-8 text (byte {data[exc.start]:#04x})") from None
    kind = detect_format(path, text)
    if kind == "bibtex":
        return _bibtex(text, str(path), progress)
    return (_csl_json if kind == "csl-json" else _id_list)(text, str(path))


def detect_format(path: Path, text: str) -> str:
    """"bibtex", "csl-json" or "ids": from the extension, else from the content."""
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    if text.lstrip()[:1] in ("[", "{"):
        return "csl-json"
    return "bibtex" if _BIBTEX_BLOCK.search(text) else "ids"


def _bibtex(text: str, where: str, progress: Progress) -> tuple[list[LibraryPaper], list[str]]:
    """Braces, LaTeX accents and `@string` macros are resolved by bibtexparser; a block it
    cannot parse names the file and line; a key given twice keeps its first entry. A big
    file's entries are decoded (LaTeX to text: nearly all the time) one by one, each told
    to `progress`."""
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

    stage, big = f"reading {where}", len(text) >= BIBTEX_PROGRESS
    if big:
        progress(stage, 0, len(text))
    papers, notes, done, decoder = [], [], 0, LatexDecodingMiddleware()
    # bibtexparser logs each failed block on stderr itself; ours is the message instead.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
        broken = [b for b in library.failed_blocks if not isinstance(b, DuplicateBlockKeyBlock)]
        if broken:
            raise _not_bibtex(min(broken, key=lambda b: b.start_line or 0), where)
        for block in library.blocks:
            if big:
                progress(stage, done, len(text))
            done += len(block.raw)
            line = f"{where}:{(block.start_line or 0) + 1}"
            if isinstance(block, DuplicateBlockKeyBlock):
                first = (block.previous_block.start_line or 0) + 1
                notes.append(f"{line}: entry key {block.key!r} is used twice (first at "
                             f"line {first}); skipped")
            elif isinstance(block, Entry):
                # Only the fields read are decoded: a long `annote` or `file` costs nothing.
                block.fields = [f for f in block.fields if f.key.lower() in _READ_FIELDS]
                long = next((f.key for f in block.fields if len(str(f.value)) > MAX_FIELD), None)
                if long is not None:
                    notes.append(f"{line}: entry {block.key!r}: field {long!r} is longer than "
                                 f"{MAX_FIELD:,} characters; skipped")
                    continue
                decoded = decoder.transform_block(block, library)
                if isinstance(decoded, ParsingFailedBlock):  # LaTeX it could not decode
                    raise _not_bibtex(decoded, where)
                fields = {f.key.lower(): clean_text(str(f.value)) for f in decoded.fields}
                paper = _bibtex_paper(fields, line)
                if paper.title or paper.arxiv_id:
                    papers.append(paper)
                else:
                    notes.append(f"{line}: entry {block.key!r} has neither a title nor an "
                                 "arXiv id; skipped")
    finally:
        logger.setLevel(level)
    return papers, notes


# Fields where exports put an arXiv id, most specific first: `eprint` (biblatex, Zotero,
# arXiv's own export), `arxivid` (Mendeley), `arxiv`.
_ID_FIELDS = ("eprint", "arxivid", "arxiv")
# Fields where Google Scholar and others write "arXiv preprint arXiv:2401.00001".
_MENTION_FIELDS = ("journal", "note", "howpublished", "journaltitle", "booktitle")
# The fields read (only they are decoded, see _bibtex_paper).
_READ_FIELDS = {"title", "abstract", "doi", "url", "archiveprefix", "eprinttype", *_ID_FIELDS,
                *_MENTION_FIELDS}


def _not_bibtex(block, where: str) -> LikeError:
    """The error for a block bibtexparser could not parse or decode, naming its line."""
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    return LikeError(f"{where}:{(block.start_line or 0) + 1}: not valid BibTeX: "
                     f"{clean_text(reason)}")


def _bibtex_paper(fields: dict[str, str], where: str) -> LibraryPaper:
    doi = clean_doi(fields.get("doi", ""))
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    # An `eprint` of another archive (PubMed, HAL) is not an arXiv id.
    found = [bare_arxiv_id(fields[name]) for name in _ID_FIELDS
             if fields.get(name) and (name != "eprint" or prefix == "arxiv")]
    found += [arxiv_id_from_link(fields[name]) for name in ("url", "eprint")
              if fields.get(name, "").startswith(("http://", "https://"))]
    found += [arxiv_id_from_doi(doi) if doi else None]
    found += [arxiv_id_mentioned(fields.get(name, "")) for name in _MENTION_FIELDS]
    return LibraryPaper(where=where, title=fields.get("title", ""),
                        abstract=fields.get("abstract", ""),
                        arxiv_id=next((i for i in found if i), None), doi=doi)


_CSL_FIELDS = ("title", "abstract", "DOI", "URL", "number", "note")


def _csl_json(text: str, where: str) -> tuple[list[LibraryPaper], list[str]]:
    """Zotero's "Export Library... > CSL JSON": an array of items (or a single item)."""
    papers, notes = [], []
    for line, item in _json_items(text, where):
        if not isinstance(item, dict):
            raise LikeError(f"{where}:{line}: expected a CSL JSON item (an object), "
                            f"got {type(item).__name__}")
        for key in _CSL_FIELDS:
            if key in item and not isinstance(item[key], str | int):
                raise LikeError(f"{where}:{line}: item field {key!r} must be a string")
        fields = {key: clean_text(str(item.get(key) or "")) for key in _CSL_FIELDS}
        doi = clean_doi(fields["DOI"])
        arxiv_id = (arxiv_id_mentioned(fields["number"]) or arxiv_id_from_link(fields["URL"])
                    or (arxiv_id_from_doi(doi) if doi else None)
                    or arxiv_id_mentioned(fields["note"]))
        if fields["title"] or arxiv_id:
            papers.append(LibraryPaper(where=f"{where}:{line}", title=fields["title"],
                                       abstract=fields["abstract"], arxiv_id=arxiv_id, doi=doi))
        else:
            notes.append(f"{where}:{line}: item {clean_text(item.get('id', ''))!r} has "
                         "neither a title nor an arXiv id; skipped")
    return papers, notes


def _json_items(text: str, where: str):
    """Each item of the top-level array with the line it starts on (json.loads gives none)."""
    decoder, position = json.JSONDecoder(), _skip_space(text, 0)
    counted, line = 0, 1

    def line_at(end: int) -> int:
        # Counted forward from the last item, not from the start each time: a 50 MB export
        # of tens of thousands of items would take the square of its size.
        nonlocal counted, line
        line, counted = line + text.count("\n", counted, end), end
        return line

    if text.startswith("{", position):  # a single item exported alone
        item, end = _decode(decoder, text, position, where)
        yield line_at(position), item
        position = end
    elif text.startswith("[", position):
        position = _skip_space(text, position + 1)
        while not text.startswith("]", position):
            item, end = _decode(decoder, text, position, where)
            yield line_at(position), item
            position = _skip_space(text, end)
            if text.startswith(",", position):
                position = _skip_space(text, position + 1)
            elif not text.startswith("]", position):
                raise LikeError(f"{where}:{line_at(position)}: expected ',' or ']' "
                                "between CSL JSON items")
        position += 1
    else:
        raise LikeError(f"{where}:{line_at(position)}: expected a CSL JSON array")
    position = _skip_space(text, position)
    if position != len(text):
        raise LikeError(f"{where}:{line_at(position)}: text after the CSL JSON")


def _decode(decoder: json.JSONDecoder, text: str, position: int, where: str):
    try:
        return decoder.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        raise LikeError(f"{where}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, arrays nested deep
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        line = text.count("\n", 0, position) + 1
        raise LikeError(f"{where}:{line}: item cannot be read "
                        f"({problem[:120]})") from None


def _skip_space(text: str, position: int) -> int:
    return _JSON_SPACE.match(text, position).end()


def _id_list(text: str, where: str) -> tuple[list[LibraryPaper], list[str]]:
    """One arXiv id, arXiv URL or Hugging Face paper URL a line; `#` starts a comment."""
    papers = []
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split(" #", 1)[0].strip()
        if not value or value.startswith("#"):
            continue
        arxiv_id = arxiv_id_from_link(value)
        if arxiv_id is None:
            raise LikeError(f"{where}:{number}: not an arXiv id, arXiv URL or Hugging Face "
                            f"paper URL: {value[:100]!r}")
        papers.append(LibraryPaper(where=f"{where}:{number}", arxiv_id=arxiv_id))
    return papers, []


def arxiv_id_from_link(value: str) -> str | None:
    """The bare arXiv id of an id, an arxiv.org URL or a Hugging Face paper URL, else None."""
    value = value.strip()
    hf = _HF_PAPER_URL.match(value)
    if hf:
        return bare_arxiv_id(hf["id"])
    if value.startswith(("http://", "https://")):  # arxiv_id_from_url takes http too
        return arxiv_id_from_url(value.split("#")[0].split("?")[0])
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
