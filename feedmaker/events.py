"""What changed about a known paper when a run sees it again: the news events (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from feedmaker.model import Entry
from feedmaker.normalize import absolute_url, shorten

KINDS = ("version", "published", "accepted", "code", "project", "popular")
# What a sighting can show whose appearance is an event, one bit each. The bits a source
# last reported of a paper are kept beside it (entry_sources.facts): a field is new only
# when the same source saw the paper before without it, so a second source that first lists
# a known paper with a years-old "Accepted at ICML" gives no event.
BITS = {"published": 1, "accepted": 2, "code": 4, "project": 8}
# A title shows this much of a journal reference or venue.
TITLE_NOTE = 80
# A new version shows at most this many new or changed sentences of its abstract.
SENTENCES_SHOWN = 5

# arXiv registers a DOI for every paper since 2022: it says nothing of a publication.
_ARXIV_DOI = re.compile(r"^https://doi\.org/10\.48550/arxiv\.", re.IGNORECASE)
# "Accepted at/to/by/in/for X", "accepted as a poster at X", "accepted for publication in
# X", "to appear in/at X", "published in/at X", each opening a clause or after "paper",
# "been" and the like. Not "submitted to X", "under review at X", "not accepted ...",
# "widely accepted in practice". The venue runs to the next ; , ( [ or ". ".
_ACCEPTED = re.compile(
    r"(?:^|[.;,:!(\[]\s*|(?<!not\s)\b(?:been|was|is|now|be|and|paper|work|article|manuscript|"
    r"version)\s+)(?:accepted(?:\s+as\s+an?\s+[\w-]+(?:\s+[\w-]+)?|\s+for\s+"
    r"(?:publication|presentation))?\s+(?:at|to|by|in|for)|to\s+appear\s+(?:in|at)|"
    r"published\s+(?:in|at))\s+(?P<venue>[^;,()\[\]\s][^;,()\[\]]*?)\s*"
    r"(?=[;,()\[\]]|\.(?:\s|$)|$)", re.IGNORECASE)
# A repository on a code host, with or without its scheme.
_CODE_URL = re.compile(r"(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|"
                       r"codeberg\.org)/[\w.-]+/[\w.-]+", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"'(),;]+|\b[\w-]+\.github\.io(?:/[^\s<>\"'(),;]*)?",
                  re.IGNORECASE)
# Words before a link that make it a project page: "Project page: https://...".
_PROJECT_WORDS = re.compile(r"\b(?:project|website|homepage|home page|page|demo|site)\b"
                            r"[^.;]{0,20}$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


@dataclass(frozen=True)
class Event:
    """One thing that happened to a paper: its kind (see KINDS), a key unique per paper
    ("v3", "published", "popular-20"), what changed (JSON-able), and when it was first
    seen (set once stored)."""

    kind: str
    key: str
    detail: dict = field(default_factory=dict, compare=False, hash=False)
    seen: datetime | None = None


def acceptance(comment: str) -> str | None:
    """The venue an arXiv comment says the paper was accepted at, else None."""
    for match in _ACCEPTED.finditer(comment):
        venue = match["venue"].strip(" .:")
        if re.search(r"[A-Za-z]", venue):
            return shorten(venue, 200)
    return None


def publication_doi(entry: Entry) -> str | None:
    """The paper's DOI link, unless it is the one arXiv gives every paper."""
    doi = entry.link("doi")
    return doi if doi and not _ARXIV_DOI.match(doi) else None


def code_link(entry: Entry) -> str | None:
    """The paper's code repository: its code link, else one its comment gives."""
    if entry.link("code"):
        return entry.link("code")
    match = _CODE_URL.search(entry.comment)
    return _link(match[0]) if match else None


def project_link(entry: Entry) -> str | None:
    """The paper's project page: its project link, else one its comment introduces
    ("Project page: https://...", any *.github.io page)."""
    if entry.link("project"):
        return entry.link("project")
    for match in _URL.finditer(entry.comment):
        url = match[0]
        if _CODE_URL.match(url):
            continue
        host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/")[0].lower()
        if host.endswith(".github.io") or _PROJECT_WORDS.search(
                entry.comment[max(0, match.start() - 40):match.start()]):
            link = _link(url)
            if link:
                return link
    return None


def _link(text: str) -> str | None:
    text = text.rstrip(".:")
    return absolute_url(text if "://" in text else "https://" + text)


# How an entry shows each kind of BITS: a true value when it does.
_SHOWN = {"published": lambda entry: entry.journal_ref or publication_doi(entry),
          "accepted": lambda entry: acceptance(entry.comment),
          "code": code_link, "project": project_link}


def facts(entry: Entry) -> int:
    """The BITS of what the entry shows: a publication, an acceptance, code, a project."""
    return sum(bit for kind, bit in BITS.items() if _SHOWN[kind](entry))


def events_of(old: Entry, merged: Entry, sighting: Entry, *, newly_shown: int,
              bars: Sequence[int] = ()) -> list[Event]:
    """The events of one sighting of a paper the store knew before this run.

    `old` is the paper as stored before this run (the run's other sources do not count:
    their order must not matter), `merged` the paper with the sighting folded in,
    `newly_shown` the `facts` the sighting shows that its source did not report of the
    paper in earlier runs (0 when the source never saw it before, or not since facts are
    kept). `bars` are the upvote counts whose reaching is a `popular` event.

    - version: a higher arXiv version than any seen before (from any source);
    - published, accepted, code, project: the sighting shows it, the same source saw the
      paper before without it, and the paper did not have it;
    - popular: the most upvotes ever seen goes from under a bar to at least it.
    """
    found = []
    if old.version is not None and sighting.version is not None \
            and sighting.version > old.version:
        found.append(_version(old, merged, sighting))
    if newly_shown:
        had = facts(old)
        found += [Event(kind, kind, _appeared(kind, sighting)) for kind, bit in BITS.items()
                  if newly_shown & bit and not had & bit]
    if old.top_upvotes is not None and merged.top_upvotes is not None:
        found += [Event("popular", f"popular-{bar}", {"upvotes": merged.top_upvotes,
                                                      "bar": bar})
                  for bar in bars if old.top_upvotes < bar <= merged.top_upvotes]
    return found


def _version(old: Entry, merged: Entry, sighting: Entry) -> Event:
    detail: dict = {"version": sighting.version, "previous": old.version}
    if sighting.comment and sighting.comment != old.comment:
        detail["comment"] = sighting.comment
    text = sighting.summary if sighting.summary_is_abstract and sighting.summary \
        else merged.summary
    if old.summary and text and text != old.summary:
        known = set(sentences(old.summary))
        changed = [part for part in sentences(text) if part not in known][:SENTENCES_SHOWN]
        if changed:
            detail["sentences"] = changed
    return Event("version", f"v{sighting.version}", detail)


def _appeared(kind: str, sighting: Entry) -> dict:
    if kind == "published":
        return {name: value for name, value in (("journal_ref", sighting.journal_ref),
                                                ("doi", publication_doi(sighting))) if value}
    if kind == "accepted":
        return {"venue": acceptance(sighting.comment), "comment": sighting.comment}
    return {"link": _SHOWN[kind](sighting)}


def sentences(text: str) -> list[str]:
    """The text's sentences (split after . ! or ? before a capital, digit or bracket)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


# What each kind of event says happened, from its detail: its entry title's start.
_HEADLINE = {
    "version": lambda detail: f"v{detail.get('version', '?')}",
    "published": lambda detail: (
        f"Published in {shorten(detail['journal_ref'], TITLE_NOTE)}" if detail.get("journal_ref")
        else f"Published (DOI {(detail.get('doi') or '?').removeprefix('https://doi.org/')})"),
    "accepted": lambda detail: f"Accepted at {shorten(detail.get('venue') or '?', TITLE_NOTE)}",
    "code": lambda detail: "Code released",
    "project": lambda detail: "Project page online",
    "popular": lambda detail: f"Reached {detail.get('bar', '?')} upvotes",
}
# The (label, detail field) lines that say what changed, of the kinds that only show fields.
_FIELDS = {"published": (("Journal reference", "journal_ref"), ("DOI", "doi")),
           "accepted": (("Accepted at", "venue"), ("Comment", "comment")),
           "code": (("Code", "link"),), "project": (("Project page", "link"),)}


def headline(event: Event, title: str) -> str:
    """The event's entry title: what happened, then the paper's title."""
    return f"{_HEADLINE[event.kind](event.detail)}: {title}"


def changes(event: Event) -> tuple[tuple[str, str], ...]:
    """What changed, as (label, text) lines; a text that is a link is shown as one."""
    detail = event.detail
    if event.kind == "version":
        lines = [("New version", f"v{detail.get('version')} (was v{detail.get('previous')})"),
                 ("Comment", detail.get("comment")),
                 ("New in the abstract", " … ".join(detail.get("sentences") or ()))]
    elif event.kind == "popular":
        lines = [("Upvotes", f"{detail.get('upvotes')}, reaching {detail.get('bar')}")]
    else:
        lines = [(label, detail.get(name)) for label, name in _FIELDS[event.kind]]
    return tuple((label, text) for label, text in lines if text)


def event_entry(paper: Entry, event: Event) -> Entry:
    """The entry a news feed shows for an event: the paper's, with the event's own id, a
    title saying what happened, and dated when the event was first seen."""
    return replace(paper, id=event_id(paper.id, event.key), title=headline(event, paper.title),
                   published=event.seen, updated=event.seen)


def event_id(paper_id: str, key: str) -> str:
    """An event entry's id: the paper's entry id with the event's key as its fragment."""
    return f"{paper_id}#{key}"


def paper_of(entry_id: str) -> str:
    """The paper's entry id of an entry id, an event's or a paper's (paper ids never have a
    fragment: see normalize.canonical_url)."""
    return entry_id.partition("#")[0]
