"""What every source module shares: the fetch signature, reading entries one at a time
(`entries_of`), safe XML and HTML parsing, date parsing and URL query parameters."""

from __future__ import annotations

import codecs
import email.utils
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Protocol, TypeVar
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from feedmaker.errors import ParseError
from feedmaker.fetch import Response
from feedmaker.normalize import EARLIEST_YEAR

if TYPE_CHECKING:  # lxml and dateutil load when a source needs them
    import lxml.html
    from lxml import etree


class Fetch(Protocol):
    """What a source calls to fetch a URL; `conditional` only for the source's first URL."""

    def __call__(self, url: str, *, conditional: bool = False) -> Response: ...


# What a source calls with a one-line warning (an entry it left out, and why).
Warn = Callable[[str], None]
Item = TypeVar("Item")
Read = TypeVar("Read")


def entries_of(items: Iterable[Item], to_raw: Callable[[Item], Read | None],
               source_name: str, warn: Warn | None,
               name_of: Callable[[Item], str | None] = lambda item: None) -> list[Read]:
    """`to_raw` of each item, None results left out. An item that raises anything is left
    out with a warning naming the source and the entry (its position, and `name_of` it);
    without `warn`, the first such error is raised as a ParseError instead."""
    raws = []
    for position, item in enumerate(items, 1):
        try:
            raw = to_raw(item)
        except Exception as exc:  # noqa: BLE001 - one bad entry must not cost the others
            name = " ".join((name_of(item) or "").split())[:100]
            message = (f"{source_name}: entry #{position}{f' ({name})' if name else ''} "
                       f"left out: {describe_error(exc)}")
            if warn is None:
                raise ParseError(message) from exc
            warn(message)
            continue
        if raw is not None:
            raws.append(raw)
    return raws


def describe_error(exc: BaseException) -> str:
    """One short line for an error: our own messages as they are, others with their type."""
    text = str(exc) if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:299] + "…"


def number_text(value: int | float) -> str:
    """A number as text, whole ones without ".0" (XPath and JSON give floats for them)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def parse_xml(body: bytes, url: str) -> etree._Element:
    """The root element of an untrusted XML document, or ParseError naming the URL and line."""
    from lxml import etree

    from feedmaker.safexml import safe_parser

    if not body.strip():
        raise ParseError(f"{url}: empty response body")
    try:
        return etree.fromstring(body, safe_parser(), base_url=url)
    except etree.XMLSyntaxError as exc:
        repaired = _repair_utf8(body)
        if repaired is None:
            raise ParseError(f"{url}: not well-formed XML (line {exc.lineno}: {exc.msg})") from exc
    try:
        return etree.fromstring(repaired, safe_parser(), base_url=url)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{url}: not well-formed XML (line {exc.lineno}: {exc.msg})") from exc


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)""")


def _repair_utf8(body: bytes) -> bytes | None:
    """A UTF-8 document with its invalid bytes replaced by U+FFFD; None when it is not
    meant to be UTF-8, or is valid UTF-8 already (so the error was something else)."""
    declared = _DECLARED_ENCODING.match(body[:200])
    if declared and declared[1].lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", errors="replace").encode("utf-8")
    return None


def parse_html(body: bytes, url: str, content_type: str | None = None
               ) -> lxml.html.HtmlElement:
    """The root of an untrusted HTML page, or ParseError naming the URL. The bytes are
    decoded here (see `html_encoding`): left to itself, libxml2 reads a page that declares
    no <meta> charset as Latin-1, whatever the HTTP header says."""
    import lxml.html
    from lxml import etree

    if not body.strip():
        raise ParseError(f"{url}: empty page")
    text = body.decode(html_encoding(body, content_type), errors="replace")
    # An XHTML page's <?xml ... encoding="..."?> is said already: lxml refuses it in text.
    text = _XML_DECLARATION.sub("", text.removeprefix("\ufeff"), count=1)
    # Sloppy pages leave elements open, each nesting the next item deeper: libxml2 stops
    # reading at depth 256 (2,048 in its huge mode; the body is bounded by fetch's limit).
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"{url}: not an HTML page ({exc})") from exc
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        raise ParseError(f"{url}: not read to its end: its elements are nested more than "
                         "2,048 deep (elements left open?)")
    return root


_XML_DECLARATION = re.compile(r"^\s*<\?xml\s[^>]*>")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
                           re.IGNORECASE)


def html_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding of an HTML page, in the order the HTML standard gives: a byte-order
    mark, the charset of the HTTP Content-Type, a <meta> charset in the first 1024 bytes;
    else UTF-8 when the bytes are valid UTF-8, else windows-1252."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return encoding
    declared = []
    if content_type:
        import email.message

        message = email.message.Message()
        message["content-type"] = content_type
        declared.append(message.get_content_charset())
    meta = _META_CHARSET.search(body[:1024])
    declared.append(meta[1].decode("ascii") if meta else None)
    for label in declared:
        encoding = _python_codec(label)
        if encoding:
            return encoding
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _python_codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None when Python has none. Latin-1 and ASCII
    labels mean windows-1252, as in browsers (the WHATWG Encoding Standard)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
        b"<".decode(name, "replace")  # rot13, hex, idna...: codecs, but not for a page
    except (LookupError, UnicodeError):
        return None
    return "cp1252" if name in ("latin-1", "ascii", "iso8859-1") else name


def text_of(element: etree._Element | None) -> str | None:
    """All the text inside an element (None when there is no element)."""
    if element is None:
        return None
    return "".join(element.itertext())


def parse_any_date(value: str | None, date_format: str | None = None) -> datetime | str | None:
    """An aware datetime from ISO 8601, RFC 822 (RSS) or a common written date; the
    original string when nothing understands it, or when its year is before
    EARLIEST_YEAR (normalize then warns and uses the time the entry was first seen)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.strptime(text, date_format) if date_format else _parse_known(text)
        moment.utcoffset()  # ValueError for an offset of a day or more ("+99:00")
    except (ValueError, OverflowError, TypeError):
        return text
    if moment.year < EARLIEST_YEAR:
        return text
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_known(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (ValueError, TypeError):
        # Written dates ("Jun 26, 2023", "26 June 2023 10:00 UTC"), never guessing a
        # missing day.
        from dateutil import parser as dateutil_parser

        moment = dateutil_parser.parse(text, default=_NO_YEAR, tzinfos=_zone)
    # Both parsers above read a year written "1", "01" or "0001" as 2001, and dateutil
    # fills a missing one in: the year must stand in the text, in four digits.
    if moment.year not in {int(year) for year in _FOUR_DIGITS.findall(text)}:
        raise ValueError(f"no four-digit year {moment.year} in {text!r}")
    return moment


_NO_YEAR = datetime(1, 1, 1)


def _zone(name: str | None, offset: int | None) -> timezone | None:
    """The zone of a written date, for dateutil: its offset ("+0200", "UTC"). A name alone
    ("PST") is read as no zone, UTC, as dateutil does, but without its warning on stderr."""
    return None if offset is None else timezone(timedelta(seconds=offset))


_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


def with_query(url: str, **params: object) -> str:
    """The URL with these query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def paging(source, name: str, warn: Warn) -> tuple[int, int]:
    """Where a paged source's URL starts its pages (its `name` query parameter: a page
    number or an offset; 0 without one), and how many pages to read: only the first, with
    a warning, when that parameter is no plain count ('²', thousands of digits), since the
    pages after it cannot be told."""
    value = (parse_qs(urlsplit(source.url).query).get(name) or [""])[0]
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value), source.options["pages"]
    if value and source.options["pages"] > 1:
        warn(f"{source.name}: {name}={value[:20]!r} in its URL is no whole number; only its "
             "first page is read")
        return 0, 1
    return 0, source.options["pages"]
