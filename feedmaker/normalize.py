"""Turn a source's `RawEntry` into a clean `Entry`: canonical ids, text, dates and URLs."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from feedmaker.model import LINK_KINDS, Entry, RawEntry

# New-style (2401.00001, 2401.00001v2) and old-style (hep-th/9901001, math.GT/0309136) ids.
_ARXIV_ID = re.compile(
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.ASCII
)
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    + _ARXIV_ID.pattern + r"(?:\.pdf)?/?$",
    re.ASCII,
)
# XML 1.0 forbids C0 controls other than tab/newline/CR, surrogates and U+FFFE/U+FFFF;
# one of them in a feed makes strict readers reject the whole file.
_XML_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
_SPACE = re.compile(r"\s+")
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


# Clock skew between the machine that wrote a date and this one: later is "in the future".
FUTURE_TOLERANCE = timedelta(days=1)


class DropEntry(Exception):
    """The raw entry cannot become a feed entry; the message says why."""


def normalize(raw: RawEntry, base_url: str | None = None) -> Entry:
    """Clean one raw entry. Relative links resolve against `base_url` (the page's URL)."""
    title = shorten(clean_text(raw.title), MAX_TITLE)
    if not title:
        raise DropEntry(f"{raw.source}: entry without a title ({raw.url or raw.arxiv_id})")
    arxiv_id = bare_arxiv_id(raw.arxiv_id) if raw.arxiv_id else None
    url = absolute_url(raw.url, base_url)
    if arxiv_id is None and url:
        arxiv_id = arxiv_id_from_url(url)
    if not url and arxiv_id:
        url = f"https://arxiv.org/abs/{arxiv_id}"
    if not url:
        raise DropEntry(f"{raw.source}: entry {title!r} has no usable link")

    upvotes = raw.upvotes if isinstance(raw.upvotes, int) and raw.upvotes >= 0 else None
    links = {}
    if arxiv_id:
        links["arxiv"] = f"https://arxiv.org/abs/{arxiv_id}"
        links["pdf"] = f"https://arxiv.org/pdf/{arxiv_id}"
    for kind, href in raw.links.items():
        href = absolute_url(href, base_url)
        if href and kind in LINK_KINDS:
            links[kind] = href
    return Entry(
        id=entry_id(url, arxiv_id),
        arxiv_id=arxiv_id,
        title=title,
        summary=shorten(clean_text(raw.summary), MAX_SUMMARY),
        summary_is_abstract=raw.summary_is_abstract,
        url=url,
        authors=tuple(_unique(shorten(a, MAX_NAME) for a in map(clean_text,
                                                                raw.authors[:MAX_AUTHORS]) if a)),
        published=parse_date(raw.published),
        links=tuple((kind, links[kind]) for kind in LINK_KINDS if kind in links),
        source=raw.source,
        categories=tuple(_unique(c for c in map(clean_text, raw.categories) if c)),
        upvotes=upvotes,
        top_upvotes=upvotes,
    )


def entry_id(url: str, arxiv_id: str | None) -> str:
    """The entry's Atom id: the versionless arXiv abstract URL, else the canonical URL."""
    if arxiv_id:
        return f"https://arxiv.org/abs/{arxiv_id}"
    return canonical_url(url)


def bare_arxiv_id(value: str) -> str | None:
    """`2401.00001v2` -> `2401.00001`; None when the value is not an arXiv id."""
    match = _ARXIV_ID.fullmatch(value.strip().removeprefix("arXiv:").removeprefix("arxiv:"))
    return match["id"] if match else None


def arxiv_id_from_url(url: str) -> str | None:
    """The bare arXiv id of an arxiv.org abs/pdf/html URL, else None."""
    match = _ARXIV_URL.match(url)
    return match["id"] if match else None


def clean_text(value: str | None) -> str:
    """Decode entities, NFC-normalize, drop characters XML forbids, collapse whitespace."""
    if not value:
        return ""
    text = html.unescape(value)
    text = unicodedata.normalize("NFC", text)
    text = _XML_FORBIDDEN.sub("", text)
    return _SPACE.sub(" ", text).strip()


def shorten(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, at a word boundary, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def absolute_url(value: str | None, base_url: str | None = None) -> str | None:
    """An absolute http(s) URL, resolved against `base_url`; None for anything else."""
    if not value:
        return None
    value = clean_text(value)
    if base_url:
        value = urljoin(base_url, value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return value


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment and tracking parameters."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING_PARAMS.match(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       urlencode(query), ""))


def parse_date(value: datetime | str | None) -> datetime | None:
    """An aware UTC datetime without microseconds, from a datetime or an ISO 8601 string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def _unique(values):
    seen = set()
    for value in values:
        if value not in seen:
            seen.add(value)
            yield value
