"""What feeds and pages show of one paper besides its title: the picture, the abstract with
the terms that put it in its topics marked, authors, notes, topics and links.

Everything is written as HTML text with each value escaped (`html.escape`, and `href` for
URLs), then sanitized by nh3 with only the tags and attributes used here, and only http(s)
URLs. Text, not lxml elements: a run writes each of its papers twice (a feed entry and a page
item), and building the elements took longer than writing and sanitizing the text.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Sequence
from html import escape
from urllib.parse import quote

import nh3

from feedmaker.model import Entry

LINK_TITLES = {"arxiv": "arXiv abstract", "pdf": "PDF", "code": "Code",
               "project": "Project page", "doi": "DOI"}
# Every link is a web page but the PDF: feeds carry that one as an attachment.
PDF_TYPE = "application/pdf"
# A topic of an entry: (slug, title, the words that put the entry there).
Category = tuple[str, str, tuple[str, ...]]
# A `like` view an entry is in: (the view's title, the library paper it is most like).
Similar = tuple[str, str]
# A line of what changed, of a news feed's event: (label, text); a text that is an http(s)
# URL is shown as a link.
Change = tuple[str, str]

# Made once: nh3.clean would build its allowed sets again on every call (twice the time).
CONTENT_CLEANER = nh3.Cleaner(tags={"p", "a", "strong", "br", "img", "mark", "bdi"},
                              attributes={"a": {"href"}, "img": {"src", "alt", "loading"}},
                              url_schemes={"http", "https"}, url_relative="deny",
                              link_rel="noopener noreferrer")


def links(entry: Entry) -> list[str]:
    """The entry's links as HTML `<a>`s: its page first, then each related link."""
    shown = [("Paper page", entry.url)] + [(LINK_TITLES[kind], url) for kind, url
                                           in entry.links if url != entry.url]
    return [f'<a href="{href(url)}">{escape(title)}</a>' for title, url in shown]


def href(url: str) -> str:
    """A URL as an attribute's value: escaped, with spaces and non-ASCII characters
    percent-encoded (as HTML serializers write them: lxml's did)."""
    return escape(quote(url, safe=string.punctuation))


def names(authors: Sequence[str], more: int = 0) -> str:
    """Authors as HTML, each in its own `<bdi>`: a right-to-left name neither reorders the
    list nor pulls the comma after it."""
    listed = ", ".join(f"<bdi>{escape(name)}</bdi>" for name in authors)
    return listed + (f" and {more} more" if more else "")


# A paper's abstract is marked for its feed entry and again for its page item.
@functools.lru_cache(maxsize=4096)
def highlighted(text: str, words: tuple[str, ...]) -> str:
    """The text as HTML, each whole-word occurrence of `words` (any case, with a plural
    ending) in a `<mark>`; at each place the longest word that fits wins."""
    pieces, last = [], 0
    for start, end in _marked(text, tuple(sorted(set(words)))):
        pieces += [escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>"]
        last = end
    return "".join([*pieces, escape(text[last:])])


def _marked(text: str, words: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(start, end) of each place to mark, in order."""
    if not words:
        return ()
    lowered = text.lower()
    if len(lowered) != len(text) or not all(_WORD_CHAR.match(word) for word in words):
        return tuple(match.span() for match in _words_pattern(
            tuple(sorted(words, key=len, reverse=True))).finditer(text))
    # Compiling a pattern of each paper's words took a third of rendering a run's feeds:
    # find each word in the lower-cased text instead.
    found: dict[int, int] = {}  # start: end of the longest word that fits there
    for word in sorted({word.lower() for word in words}, key=len, reverse=True):
        start = lowered.find(word)
        while start >= 0:
            end = _whole_word_end(text, start, start + len(word))
            if end and start not in found:
                found[start] = end
            start = lowered.find(word, start + 1)
    spans, last = [], 0
    for start in sorted(found):
        if start >= last:
            spans.append((start, found[start]))
            last = found[start]
    return tuple(spans)


_WORD_CHAR = re.compile(r"\w")
_PLURAL_ENDINGS = ("es", "s", "")


def _whole_word_end(text: str, start: int, end: int) -> int | None:
    """Where the word at text[start:end] ends with a plural ending or none, when it stands
    as a whole word there; else None."""
    if start and _WORD_CHAR.match(text[start - 1]):
        return None
    for ending in _PLURAL_ENDINGS:
        stop = end + len(ending)
        if (text[end:stop].lower() == ending
                and not (stop < len(text) and _WORD_CHAR.match(text[stop]))):
            return stop
    return None


def _words_pattern(words: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:e?s)?(?!\w)", re.IGNORECASE)


def all_terms(categories: Sequence[Category]) -> tuple[str, ...]:
    """Every word that put the entry in any of its topics."""
    return tuple(dict.fromkeys(word for _, _, words in categories for word in words))


def topics_text(categories: Sequence[Category]) -> str:
    """"Computer Vision (segmentation, ViT); Audio (speech)": each topic with its words."""
    return "; ".join(title + (f" ({', '.join(words)})" if words else "")
                     for _, title, words in categories)


def similar_text(similar: Sequence[Similar]) -> str:
    """"Similar to: PREPING: Building Agent Memory (Like my papers)": each like view's
    closest library paper."""
    return "; ".join(f"{closest} ({view})" if len(similar) > 1 else closest
                     for view, closest in similar)


def change_html(label: str, text: str) -> str:
    """A line of what changed as HTML: its label, then its text, a link when that is an
    http(s) URL."""
    value = (f'<a href="{href(text)}">{escape(text)}</a>'
             if text.startswith(("https://", "http://")) else escape(text))
    return f"<strong>{escape(label)}: </strong>{value}"


@functools.lru_cache(maxsize=4096)
def entry_html(entry: Entry, categories: tuple[Category, ...] = (),
               similar: tuple[Similar, ...] = (), changes: tuple[Change, ...] = ()) -> str:
    """The entry body of feeds, as sanitized HTML: what changed (an event of a news feed),
    picture, abstract (the terms that put it in its topics marked), authors, notes, topics
    with those terms, the library paper it is most like (when in a `like` view), then its
    links.

    Cached: a paper in three topics appears in four feeds of one run.
    """
    parts = ["<p><strong>What changed</strong></p>"] if changes else []
    parts += [f"<p>{change_html(label, text)}</p>" for label, text in changes]
    if entry.image:
        parts.append(f'<p><img src="{href(entry.image)}" alt="{escape(entry.title)}"'
                     ' loading="lazy"></p>')
    if entry.summary:
        parts.append(f"<p>{highlighted(entry.summary, all_terms(categories))}</p>")
    if entry.authors:
        parts.append(f"<p><strong>Authors: </strong>{names(entry.authors)}</p>")
    notes = (("Comment", entry.comment), ("Journal reference", entry.journal_ref),
             ("Topics", topics_text(categories)), ("Similar to", similar_text(similar)))
    for label, text in notes:
        if text:
            parts.append(f"<p><strong>{label}: </strong>{escape(text)}</p>")
    parts.append(f"<p>{' · '.join(links(entry))}</p>")
    return CONTENT_CLEANER.clean("".join(parts))
