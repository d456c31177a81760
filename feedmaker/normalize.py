"""Turn a source's `RawEntry` into a clean `Entry`: canonical ids, text, dates and URLs.

Whatever a source put in a RawEntry (wrong types included), `normalize` returns an Entry or
raises DropEntry with a reason naming the source and the entry: nothing else escapes.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from feedmaker.model import LINK_KINDS, Entry, RawEntry

# New-style (2401.00001, 2401.00001v2) and old-style (hep-th/9901001, math.GT/0309136) ids.
# An old id's subject class (".GT") is no part of the paper's identifier: arXiv's preferred
# form of math.GT/0309136 is math/0309136, which is what its API and listings give.
_ARXIV_ID = re.compile(r"(?:(?P<new>\d{4}\.\d{4,5})|(?P<archive>[a-z][a-z-]*)(?:\.[A-Z]{2})?"
                       r"/(?P<number>\d{7}))(?:v(?P<version>\d+))?", re.ASCII)
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    + _ARXIV_ID.pattern + r"(?:\.pdf)?/?$",
    re.ASCII,
)
# XML 1.0 forbids C0 controls other than tab/newline/CR, surrogates and U+FFFE/U+FFFF;
# one of them in a feed makes strict readers reject the whole file.
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) can make a
# title read backwards, or run on into the text after it; no title needs them.
_DROPPED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]"
)
_SPACE = re.compile(r"\s+")
# Characters that show nothing by themselves: a text of only these (a zero-width space, a
# byte order mark, a lone combining accent) is no title or name.
_INVISIBLE = frozenset({"Cc", "Cf", "Mn", "Me", "Zl", "Zp", "Zs"})
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref_src)$",
    re.IGNORECASE,
)


# Bounds on what one entry may carry: a hostile or broken page must not make a feed that
# readers choke on. Real titles stay under 300 characters, abstracts under 5,000.
MAX_TITLE = 1000
MAX_SUMMARY = 50_000
MAX_AUTHORS = 500
MAX_NAME = 300
MAX_NOTE = 500  # an arXiv comment or journal reference
MAX_VERSION = 1000  # no paper has had this many arXiv versions
# A DOI: "10.", a registrant code, "/", a suffix of printable characters.
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


# Clock skew between the machine that wrote a date and this one: later is "in the future".
FUTURE_TOLERANCE = timedelta(days=1)
# No paper is dated before this year: an earlier date is a misreading or a placeholder
# (0001-01-01), and is treated like an unreadable one.
EARLIEST_YEAR = 1900

# What may stand as it is in a URL's path, query or fragment besides letters, digits and
# "-._~" (RFC 3986: sub-delims, ":", "@", "/", "?"), and "%" of octets already encoded.
_PATH_SAFE = "!$&'()*+,;=:@/?%"
# And in its authority (user, host, port): sub-delims, ":", "@" and IPv6's brackets.
_AUTHORITY_SAFE = "!$&'()*+,;=:@[]%"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class DropEntry(Exception):
    """The raw entry cannot become a feed entry; the message says why."""


def normalize(raw: RawEntry) -> Entry:
    """Clean one raw entry. Its links must be absolute: each source resolves its own."""
    try:
        return _normalize(raw)
    except DropEntry:
        raise
    except Exception as exc:  # noqa: BLE001 - one entry must never stop its source's others
        name = clean_text(raw.url) or clean_text(raw.arxiv_id) or clean_text(raw.title)
        raise DropEntry(f"{clean_text(raw.source) or '?'}: entry {shorten(name, 100)!r} "
                        f"cannot be used ({type(exc).__name__}: {exc})") from exc


def _normalize(raw: RawEntry) -> Entry:
    title = shorten(shown_text(raw.title), MAX_TITLE)
    if not title:
        raise DropEntry(f"{raw.source}: entry without a title "
                        f"({clean_text(raw.url) or clean_text(raw.arxiv_id)})")
    arxiv_id = bare_arxiv_id(raw.arxiv_id) if isinstance(raw.arxiv_id, str) else None
    url = absolute_url(raw.url)
    if arxiv_id is None and url:
        arxiv_id = arxiv_id_from_url(url)
    if not url and arxiv_id:
        url = f"https://arxiv.org/abs/{arxiv_id}"
    if not url:
        given = shorten(clean_text(raw.url), 200)
        raise DropEntry(f"{raw.source}: entry {title!r} has no usable link"
                        + (f" ({given!r} is not an http(s) URL that can be repaired)"
                           if given else ""))

    upvotes = (raw.upvotes if isinstance(raw.upvotes, int) and not isinstance(raw.upvotes, bool)
               and raw.upvotes >= 0 else None)
    links = {}
    if arxiv_id:
        links["arxiv"] = f"https://arxiv.org/abs/{arxiv_id}"
        links["pdf"] = f"https://arxiv.org/pdf/{arxiv_id}"
    for kind, href in (raw.links.items() if isinstance(raw.links, dict) else ()):
        href = absolute_url(href)
        if href and kind in LINK_KINDS:
            links[kind] = href
    if doi := doi_url(raw.doi):
        links["doi"] = doi
    return Entry(
        id=entry_id(url, arxiv_id),
        arxiv_id=arxiv_id,
        title=title,
        summary=shorten(shown_text(raw.summary), MAX_SUMMARY),
        summary_is_abstract=bool(raw.summary_is_abstract),
        url=url,
        authors=tuple(dict.fromkeys(shorten(a, MAX_NAME) for a in
                                    map(shown_text, _texts(raw.authors)[:MAX_AUTHORS]) if a)),
        published=parse_date(raw.published),
        links=tuple((kind, links[kind]) for kind in LINK_KINDS if kind in links),
        source=raw.source,
        categories=tuple(dict.fromkeys(c for c in map(clean_text, _texts(raw.categories)) if c)),
        upvotes=upvotes,
        top_upvotes=upvotes,
        image=absolute_url(raw.image) or "",
        comment=shorten(clean_text(raw.comment), MAX_NOTE),
        journal_ref=shorten(clean_text(raw.journal_ref), MAX_NOTE),
        version=raw.version if isinstance(raw.version, int) and not isinstance(
            raw.version, bool) and 0 < raw.version < MAX_VERSION else None,
    )


def doi_url(doi: str | None) -> str | None:
    """The https://doi.org/ link of a DOI ("10.1234/abc", or "doi:10.1234/abc"), else None."""
    text = clean_text(doi).removeprefix("doi:").removeprefix("https://doi.org/").strip()
    if not _DOI.match(text):
        return None
    return "https://doi.org/" + quote(text, safe="/:;()._-")


def entry_id(url: str, arxiv_id: str | None) -> str:
    """The entry's Atom id: the versionless arXiv abstract URL, else the canonical URL."""
    if arxiv_id:
        return f"https://arxiv.org/abs/{arxiv_id}"
    return canonical_url(url)


def bare_arxiv_id(value: str) -> str | None:
    """`2401.00001v2` -> `2401.00001`, `math.GT/0309136` -> `math/0309136`; None when the
    value is not an arXiv id."""
    match = _ARXIV_ID.fullmatch(value.strip().removeprefix("arXiv:").removeprefix("arxiv:"))
    return _id_of(match) if match else None


def arxiv_version(value: str) -> int | None:
    """`2401.00001v2`, `arXiv:2401.00001v2` or its arxiv.org URL -> 2; None without one."""
    text = value.strip().removeprefix("arXiv:").removeprefix("arxiv:")
    match = _ARXIV_ID.fullmatch(text) or _ARXIV_URL.match(text)
    return int(match["version"]) if match and match["version"] else None


def arxiv_id_from_url(url: str) -> str | None:
    """The bare arXiv id of an arxiv.org abs/pdf/html URL, else None."""
    match = _ARXIV_URL.match(url)
    return _id_of(match) if match else None


def _id_of(match: re.Match) -> str:
    return match["new"] or f"{match['archive']}/{match['number']}"


def clean_text(value: object) -> str:
    """Decode entities, NFC-normalize, drop characters XML forbids, collapse whitespace.
    A number is written out; anything else that is not a string is no text at all."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not value or not isinstance(value, str):
        return ""
    text = html.unescape(value)
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", without_dropped(text)).strip()


def without_dropped(text: str) -> str:
    """The text without the characters `clean_text` drops (those XML forbids, C1 controls,
    bidirectional controls); nothing else is changed: for text that is no entity's, such as
    an error message that quotes a server."""
    return _DROPPED.sub("", text)


def shown_text(value: object) -> str:
    """`clean_text` of the value, or "" when none of its characters shows by itself: a
    title or a name of zero-width characters alone is none."""
    text = clean_text(value)
    return text if any(unicodedata.category(char) not in _INVISIBLE for char in text) else ""


def lone_surrogate(value: object) -> str | None:
    """The first lone surrogate in a JSON-able value, as `\\ud800`: half a character (a
    JSON escape of one, or a byte that was not UTF-8 in a command-line argument), which no
    output can hold; else None."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(exc.object[exc.start]):04x}"
    return None


def shorten(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, at a word boundary, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def absolute_url(value: object) -> str | None:
    """An absolute http(s) URL that is a valid IRI: characters an IRI may not hold (spaces,
    controls, `<>"{}|\\^` and the like) are percent-encoded (RFC 3987 3.1), so a link with
    a space in it is repaired. None when it cannot be made one: a relative link, another
    scheme, no host, or a host or port that is not one."""
    value = clean_text(value)
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:  # "http://[x" (a broken IPv6 host), "http://x:99999"
        return None
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname
            or _iri_part(parts.netloc, _AUTHORITY_SAFE) != parts.netloc):
        return None
    repaired = parts._replace(path=_iri_part(parts.path), query=_iri_part(parts.query),
                              fragment=_iri_part(parts.fragment))
    return value if repaired == parts else urlunsplit(repaired)


def _iri_part(text: str, safe: str = _PATH_SAFE) -> str:
    """The text with each character an IRI may not hold there percent-encoded as UTF-8
    octets: ASCII that `quote` encodes with `safe` kept, and non-ASCII controls, format
    characters and separators (RFC 3987's ucschar leaves them out, or readers trip)."""
    if "%" in text:
        text = _STRAY_PERCENT.sub("%25", text)
    if text.isascii():  # nearly every URL: one call to quote, not one per character
        return quote(text, safe=safe)
    # `safe` is ASCII, so it never keeps a non-ASCII character's octets from being encoded.
    return "".join(quote(char, safe=safe) if char.isascii() or unicodedata.category(char)[0]
                   in "CZ" else char for char in text)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment and tracking parameters."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING_PARAMS.match(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       urlencode(query), ""))


def parse_date(value: object) -> datetime | None:
    """An aware UTC datetime without microseconds, from a datetime or an ISO 8601 string;
    None for anything else, and for a year before EARLIEST_YEAR."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.year < EARLIEST_YEAR:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # late on 9999-12-31 in a time zone west of UTC
        return None


def _texts(value: object) -> list:
    """A list of authors or categories, whatever the source gave: one string is one item."""
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list | tuple) else []
