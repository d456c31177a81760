"""Any HTML listing page, described by CSS selectors (or XPath) in the config."""

from __future__ import annotations

import functools
import re
import threading

from feedmaker.errors import ParseError
from feedmaker.model import RawEntry
from feedmaker.sources.base import TIMEOUT, Fetch, Option, parse_any_date

OPTIONS = {
    "item": Option("text", None, "selector of each entry on the page (required)"),
    "title": Option("text", None, "selector of the title inside an item (required)"),
    "link": Option("text", None, "selector of the entry's link inside an item (its href); "
                                 "default: the title's own link, else the item's first link"),
    "summary": Option("text", None, "selector of the abstract or summary inside an item"),
    "date": Option("text", None, "selector of the date inside an item (a `datetime` attribute "
                                 "wins over the text)"),
    "date_format": Option("text", None, "strptime format of the date, e.g. \"%d %B %Y\"; "
                                        "default: ISO 8601, RFC 822 or a written date"),
    "authors": Option("text", None, "selector of the authors inside an item: one element per "
                                    "author, or one element with names separated by commas"),
    "categories": Option("text", None, "selector of category labels inside an item"),
    "base_url": Option("text", None, "resolve relative links against this URL instead of the "
                                     "page's own (for a saved copy read from a file: URL)"),
    "timeout": TIMEOUT,
}
SELECTOR_KEYS = ("item", "title", "link", "summary", "date", "authors", "categories")
_ATTRIBUTE = re.compile(r"^(?P<css>.*?)\s*@(?P<attr>[A-Za-z_][\w:.-]*)$")
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;]|\band\b)\s*")


class Selector:
    """A CSS selector (optionally ending in `@attribute`) or an XPath expression."""

    def __init__(self, text: str) -> None:
        from lxml import etree
        from lxml.cssselect import CSSSelector

        self.text = text
        self.attribute = None
        if text.startswith(("/", "./", "(", "xpath:")):
            self._select = etree.XPath(text.removeprefix("xpath:"))
            return
        match = _ATTRIBUTE.match(text)
        if match and match["css"]:
            text, self.attribute = match["css"], match["attr"]
        self._select = CSSSelector(text)

    def all(self, element) -> list:
        """Every match under `element`: elements, or strings for XPath text and attributes."""
        found = self._select(element)
        return found if isinstance(found, list) else [found]

    def values(self, element) -> list[str]:
        """The text (or the named attribute) of every match."""
        values = []
        for found in self.all(element):
            if isinstance(found, str):
                values.append(str(found))
            elif self.attribute is not None:
                values.append(found.get(self.attribute) or "")
            else:
                values.append(found.text_content())
        return values


def compile_selector(text: str) -> Selector:
    """A compiled selector; raises ValueError saying what is wrong with it.

    Cached per thread: sources on different hosts are parsed in parallel, and an lxml
    XPath evaluator must not be shared between threads.
    """
    return _compile(text, threading.get_ident())


@functools.lru_cache(maxsize=256)
def _compile(text: str, thread: int) -> Selector:
    from cssselect import SelectorError
    from lxml import etree

    try:
        return Selector(text)
    except (SelectorError, etree.XPathSyntaxError) as exc:
        raise ValueError(f"{text!r} is not a valid CSS selector or XPath: {exc}") from None


def check(options: dict) -> str | None:
    """What is wrong with the options, or None."""
    for key in ("item", "title"):
        if not options.get(key):
            return f"{key} is required for html sources (a CSS selector or XPath)"
    base = options.get("base_url")
    if base and not base.startswith(("http://", "https://")):
        return f"base_url must be an absolute http(s) URL, got {base!r}"
    for key in SELECTOR_KEYS:
        if options.get(key):
            try:
                compile_selector(options[key])
            except ValueError as exc:
                return f"{key}: {exc}"
    return None


def read(source, fetch: Fetch) -> list[RawEntry]:
    """Fetch the page and pick the entries out of it."""
    response = fetch(source.url, conditional=True)
    return parse(response.body, source.name, source.options.get("base_url") or response.url,
                 source.options)


def parse(body: bytes, source_name: str, page_url: str, options: dict) -> list[RawEntry]:
    """Entries of a listing page, links made absolute against the page (and its <base>)."""
    import lxml.html
    from lxml import etree

    if not body.strip():
        raise ParseError(f"{page_url}: empty page")
    try:
        root = lxml.html.document_fromstring(body, base_url=page_url)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"{page_url}: not an HTML page ({exc})") from exc
    root.make_links_absolute(page_url, resolve_base_href=True, handle_failures="discard")
    items = compile_selector(options["item"]).all(root)
    if not items:
        raise ParseError(f"{page_url}: no element matches the item selector "
                         f"{options['item']!r}: has the page's layout changed?")
    return [_item_to_raw(item, source_name, options) for item in items
            if not isinstance(item, str)]


def _item_to_raw(item, source_name: str, options: dict) -> RawEntry:
    titles = compile_selector(options["title"]).all(item)
    title = titles[0] if titles else None
    date = _first(item, options.get("date"), prefer_attribute="datetime")
    return RawEntry(
        source=source_name,
        title=_text(title),
        summary=_first(item, options.get("summary")),
        summary_is_abstract=True,
        url=_link(item, title, options.get("link")),
        authors=_names(compile_selector(options["authors"]).values(item))
        if options.get("authors") else [],
        published=parse_any_date(date, options.get("date_format")),
        categories=compile_selector(options["categories"]).values(item)
        if options.get("categories") else [],
    )


def _first(item, selector: str | None, prefer_attribute: str | None = None) -> str | None:
    if not selector:
        return None
    compiled = compile_selector(selector)
    for found in compiled.all(item):
        if isinstance(found, str):
            return str(found)
        if compiled.attribute:
            return found.get(compiled.attribute)
        if prefer_attribute and found.get(prefer_attribute):
            return found.get(prefer_attribute)
        return found.text_content()
    return None


def _text(element) -> str | None:
    if element is None:
        return None
    return str(element) if isinstance(element, str) else element.text_content()


def _link(item, title, selector: str | None) -> str | None:
    if selector:
        compiled = compile_selector(selector)
        for found in compiled.all(item):
            if isinstance(found, str):
                return str(found)
            href = found.get(compiled.attribute or "href")
            if href:
                return href
            inner = found.xpath(".//a[@href]")
            if inner:
                return inner[0].get("href")
        return None
    if title is not None and not isinstance(title, str):
        if title.get("href"):
            return title.get("href")
        for candidate in (title.xpath(".//a[@href]") + title.xpath("ancestor::a[@href]")):
            return candidate.get("href")
    links = item.xpath(".//a[@href]") if item.get("href") is None else [item]
    return links[0].get("href") if links else None


def _names(values: list[str]) -> list[str]:
    if len(values) == 1:
        values = _NAME_SEPARATORS.split(values[0])
    return [v.strip() for v in values if v and v.strip()]
