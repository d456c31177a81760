"""Any HTML listing page, described by CSS selectors (or XPath) in the config."""

from __future__ import annotations

import functools
import re
import threading
from urllib.parse import urlsplit

from feedmaker.errors import ParseError
from feedmaker.fetch import Response
from feedmaker.model import RawEntry
from feedmaker.schema import Key
from feedmaker.sources.base import (
    Fetch,
    Warn,
    entries_of,
    number_text,
    parse_any_date,
    parse_html,
)

OPTIONS = {
    "item": Key("name", None, "selector of each entry on the page (CSS or XPath)",
                required=True),
    "title": Key("name", None, "selector of the title inside an item", required=True),
    "link": Key("name", None, "selector of the entry's link inside an item (its href); "
                "default: the title's own link, else the item's first link"),
    "summary": Key("name", None, "selector of the abstract or summary inside an item"),
    "date": Key("name", None, "selector of the date inside an item (a `datetime` attribute "
                "wins over the text)"),
    "date_format": Key("name", None, "strptime format of the date, e.g. \"%d %B %Y\"; "
                       "default: ISO 8601, RFC 822 or a written date"),
    "authors": Key("name", None, "selector of the authors inside an item: one element per "
                   "author, or one element with names separated by commas"),
    "categories": Key("name", None, "selector of category labels inside an item"),
    "base_url": Key("web_url", None, "resolve relative links against this URL instead of the "
                    "page's own (for a saved copy read from a file: URL)"),
}
SELECTOR_KEYS = ("item", "title", "link", "summary", "date", "authors", "categories")
_ATTRIBUTE = re.compile(r"^(?P<css>.*?)\s*@(?P<attr>[A-Za-z_][\w:.-]*)$")
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;]|\band\b)\s*")


class Selector:
    """A CSS selector (optionally ending in `@attribute`) or an XPath expression."""

    def __init__(self, text: str) -> None:
        from lxml import etree
        from lxml.cssselect import CSSSelector

        self.attribute = None
        self.is_xpath = text.startswith(("/", "./", "(", "xpath:"))
        if self.is_xpath:
            self._select = etree.XPath(text.removeprefix("xpath:"))
            return
        match = _ATTRIBUTE.match(text)
        if match and match["css"]:
            text, self.attribute = match["css"], match["attr"]
        self._select = CSSSelector(text)

    def all(self, element) -> list:
        """Every match under `element`: elements, or strings for XPath text and attributes
        (a number or truth value from an XPath function is one match)."""
        found = self._select(element)
        return found if isinstance(found, list) else [found]

    def values(self, element) -> list[str]:
        """The text (or the named attribute) of every match."""
        return [value_of(found, self.attribute) or "" for found in self.all(element)]

    def result_kind(self) -> str | None:
        """What an XPath gives that is not a list of matches ("a number", "text", "true or
        false"), found by trying it on an empty page; None for a list, and for CSS."""
        from lxml import etree

        if not self.is_xpath:
            return None
        found = self._select(etree.Element("html"))
        return None if isinstance(found, list) else kind_of(found)


def kind_of(value) -> str:
    """What a selector's match is, in words: "an element", "text", "a number"..."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true or false"
    return "a number" if isinstance(value, int | float) else "an element"


def value_of(found, attribute: str | None = None, prefer_attribute: str | None = None
             ) -> str | None:
    """The text of one match: an element's text content (or its `attribute`, or its
    `prefer_attribute` when it has one), a string as it is, a number or truth value
    written out."""
    if isinstance(found, str):
        return str(found)
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, int | float):
        return number_text(found)
    if attribute is not None:
        return found.get(attribute)
    if prefer_attribute and found.get(prefer_attribute):
        return found.get(prefer_attribute)
    return found.text_content()


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
    """What is wrong with the selectors, as "key: problem", or None."""
    for key in SELECTOR_KEYS:
        if options.get(key):
            try:
                kind = compile_selector(options[key]).result_kind()
            except ValueError as exc:
                return f"{key}: {exc}"
            except Exception as exc:  # noqa: BLE001 - lxml's XPath evaluation errors
                return f"{key}: {options[key]!r} cannot be evaluated: {exc}"
            if kind is not None and (key == "item" or kind != "text"):
                return (f"{key}: {options[key]!r} gives {kind}, not "
                        f"{'elements' if key == 'item' else 'elements or text'}")
    return None


def read(source, fetch: Fetch, warn: Warn) -> list[RawEntry]:
    """Fetch the page and pick the entries out of it."""
    return parse(fetch(source.url, conditional=True), source.name, source.options, warn)


def parse(response: Response, source_name: str, options: dict, warn: Warn | None = None
          ) -> list[RawEntry]:
    """Entries of a listing page, links made absolute against the page (its `base_url`
    option, else its URL, and its <base>); an item that cannot be read is left out with a
    warning (see `entries_of`). The Content-Type header's charset counts (see
    `base.parse_html`)."""
    from lxml import etree

    page_url = options.get("base_url") or response.url
    root = parse_html(response.body, page_url, response.headers.get("content-type"))
    # What scripts and style sheets hold is code, never an entry's text.
    etree.strip_elements(root, "script", "style", with_tail=False)
    for base in root.xpath("//base[@href]"):
        try:
            urlsplit(base.get("href"))
        except ValueError:  # no URL ("http://[x"): ignored, as browsers do
            base.drop_tree()
    root.make_links_absolute(page_url, resolve_base_href=True, handle_failures="discard")
    found = compile_selector(options["item"]).all(root)
    if not found:
        raise ParseError(f"{page_url}: no element matches the item selector "
                         f"{options['item']!r}: has the page's layout changed?")
    items = [item for item in found if isinstance(item, etree._Element)]
    if not items:
        raise ParseError(f"{page_url}: the item selector {options['item']!r} gives "
                         f"{kind_of(found[0])}, not elements")
    return entries_of(items, lambda item: _item_to_raw(item, source_name, options),
                      source_name, warn)


def _item_to_raw(item, source_name: str, options: dict) -> RawEntry:
    titles = compile_selector(options["title"]).all(item)
    title = titles[0] if titles else None
    date = _first(item, options.get("date"), prefer_attribute="datetime")
    return RawEntry(
        source=source_name,
        title=value_of(title) if title is not None else None,
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
        return value_of(found, compiled.attribute, prefer_attribute)
    return None


def _link(item, title, selector: str | None) -> str | None:
    if selector:
        compiled = compile_selector(selector)
        for found in compiled.all(item):
            if not hasattr(found, "xpath"):
                return value_of(found)
            href = found.get(compiled.attribute or "href")
            if href:
                return href
            inner = found.xpath(".//a[@href]")
            if inner:
                return inner[0].get("href")
        return None
    if hasattr(title, "xpath"):
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
