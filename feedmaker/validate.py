"""Check Atom feeds against RFC 4287 (the RELAX NG schema plus the rules it cannot express),
and JSON Feeds against JSON Feed 1.1."""

from __future__ import annotations

import bisect
import json
import json.scanner
import re
import stat
from collections import Counter
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

from feedmaker.normalize import FUTURE_TOLERANCE, lone_surrogate
from feedmaker.outputs import SITE_FILES
from feedmaker.safexml import safe_parser

ATOM = "{http://www.w3.org/2005/Atom}"
# A scheme, a colon, and no white space anywhere (RFC 3987's IRIs have none).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*\Z")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@cache
def _schema() -> etree.RelaxNG:
    with resources.files("feedmaker").joinpath("data/atom.rng").open("rb") as f:
        return etree.RelaxNG(etree.parse(f, safe_parser()))


def validate_bytes(data: bytes, name: str, now: datetime) -> list[str]:
    """Problems with one Atom document, each as `name:line: message`; empty when valid."""
    try:
        tree = etree.fromstring(data, safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        return [f"{name}:{exc.lineno}: not well-formed XML: {exc.msg}"]
    schema = _schema()
    problems = []
    if not schema.validate(tree):
        problems += [f"{name}:{e.line}: {e.message}" for e in schema.error_log]
    problems += [f"{name}:{line}: {message}" for line, message in _rule_problems(tree, now)]
    return problems


def validate_paths(paths: list[Path], now: datetime) -> tuple[int, list[str]]:
    """Validate files, and the `*.atom` and `*.json` files of folders; a folder without
    any is a problem. Returns (feeds checked, problems)."""
    files: list[Path] = []
    problems = []
    for path in paths:
        try:
            kind = path.stat().st_mode
        except OSError as exc:  # not there, or its folder cannot be searched or named
            problems.append(f"{path}:0: " + ("no such file or folder" if isinstance(
                exc, FileNotFoundError | NotADirectoryError) else f"cannot read: {exc.strerror}"))
            continue
        if stat.S_ISDIR(kind):
            # A folder's site files (status.json) are not feeds.
            try:
                found = sorted(p for p in path.iterdir() if p.suffix in (".atom", ".json")
                               and p.name not in SITE_FILES and p.is_file())
            except OSError as exc:
                problems.append(f"{path}:0: cannot read the folder: {exc.strerror}")
                continue
            if not found:
                problems.append(f"{path}:0: no feeds here (no *.atom or *.json file)")
            files += found
        elif stat.S_ISREG(kind):
            files.append(path)
        else:
            problems.append(f"{path}:0: not a file or folder (a device, pipe or socket)")
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            problems.append(f"{file}:0: cannot read: {exc.strerror}")
            continue
        is_json = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
        problems += (validate_json_bytes if is_json else validate_bytes)(data, str(file), now)
    return len(files), problems


def _rule_problems(tree: etree._ElementTree, now: datetime):
    feed = tree.getroot()
    if feed.tag != ATOM + "feed":
        return
    feed_has_author = feed.find(ATOM + "author") is not None
    yield from _alternate_duplicates(feed, "feed")
    yield from _iri_problems(feed)
    for element in feed.iter(ATOM + "updated", ATOM + "published"):
        if problem := _date_problem(etree.QName(element).localname, element.text or "", now):
            yield element.sourceline, problem
    ids = Counter()
    for entry in feed.iterfind(ATOM + "entry"):
        entry_id = (entry.findtext(ATOM + "id") or "").strip()
        ids[entry_id] += 1
        if ids[entry_id] == 2:
            yield entry.sourceline, f"entry id {entry_id!r} appears more than once in the feed"
        source = entry.find(ATOM + "source")
        if not (feed_has_author or entry.find(ATOM + "author") is not None
                or (source is not None and source.find(ATOM + "author") is not None)):
            yield entry.sourceline, "entry has no author and neither has the feed (RFC 4287 4.1.2)"
        if entry.find(ATOM + "content") is None and not any(
                link.get("rel", "alternate") == "alternate"
                for link in entry.iterfind(ATOM + "link")):
            yield entry.sourceline, "entry has neither content nor an alternate link"
        yield from _alternate_duplicates(entry, "entry")


def _alternate_duplicates(parent: etree._Element, what: str):
    seen = set()
    for link in parent.iterfind(ATOM + "link"):
        if link.get("rel", "alternate") != "alternate":
            continue
        key = (link.get("type"), link.get("hreflang"))
        if key in seen:
            yield link.sourceline, (f"{what} has more than one alternate link with type="
                                    f"{key[0]!r} hreflang={key[1]!r}")
        seen.add(key)


def _iri_problems(feed: etree._Element):
    checks = [("id", None), ("link", "href"), ("category", "scheme"), ("uri", None),
              ("icon", None), ("logo", None)]
    for name, attribute in checks:
        for element in feed.iterfind(f".//{ATOM}{name}"):
            value = element.get(attribute) if attribute else element.text
            if value is not None and not _ABSOLUTE_IRI.match(value):
                where = f"{name}@{attribute}" if attribute else name
                yield element.sourceline, f"{where} {value!r} is not an absolute IRI"


def _date_problem(name: str, value: str, now: datetime) -> str | None:
    """What is wrong with an RFC 3339 date-time field, or None."""
    text = value.strip()
    if not _RFC3339.match(text):
        return (f"{name} {text!r} is not an RFC 3339 date-time with a time zone "
                "(e.g. 2024-05-01T12:00:00Z)")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return f"{name} {text!r} is not a real date"
    return f"{name} {text} is in the future" if moment > now + FUTURE_TOLERANCE else None


JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1")
_FEED_URLS = ("home_page_url", "feed_url", "next_url", "icon", "favicon")
_ITEM_URLS = ("url", "external_url", "image", "banner_image")


def validate_json_bytes(data: bytes, name: str, now: datetime) -> list[str]:
    """Problems with one JSON Feed document (version 1.1, or 1), each as
    `name:line: message`; empty when valid."""
    try:
        document, lines = _json_with_lines(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return [f"{name}:0: not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})"]
    except json.JSONDecodeError as exc:
        return [f"{name}:{exc.lineno}: not well-formed JSON: {exc.msg}"]
    except ValueError as exc:  # a number of more than 4,300 digits
        return [f"{name}:0: not usable JSON: {exc}"]
    except RecursionError:
        return [f"{name}:0: not well-formed JSON: nested too deeply to read"]
    return [f"{name}:{lines.get(id(where), 1)}: {message}"
            for where, message in _json_feed_problems(document, now)]


def _json_feed_problems(feed: object, now: datetime):
    if not isinstance(feed, dict):
        yield feed, "a JSON Feed is an object, not " + type(feed).__name__
        return
    if feed.get("version") not in JSON_FEED_VERSIONS:
        yield feed, (f"version {feed.get('version')!r} is not {JSON_FEED_VERSIONS[0]} "
                     "(nor /version/1)")
    if not isinstance(feed.get("title"), str):
        yield feed, "title is required (a string)"
    if problem := _surrogate({k: v for k, v in feed.items() if k != "items"}):
        yield feed, f"the feed {problem}"
    yield from _url_problems(feed, _FEED_URLS, "")
    yield from _author_problems(feed, "")
    items = feed.get("items")
    if not isinstance(items, list):
        yield feed, "items is required (a list)"
        return
    ids = Counter()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            yield feed, f"{where} is not an object"
            continue
        if problem := _surrogate(item):
            yield item, f"{where} {problem}"
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id.strip():
            yield item, f"{where}.id is required (a non-empty string)"
        else:
            ids[item_id] += 1
            if ids[item_id] == 2:
                yield item, f"{where}.id {item_id!r} appears more than once in the feed"
        if not isinstance(item.get("content_html"), str) and \
                not isinstance(item.get("content_text"), str):
            yield item, f"{where} has neither content_html nor content_text"
        yield from _url_problems(item, _ITEM_URLS, where + ".")
        yield from _author_problems(item, where + ".")
        for key in ("date_published", "date_modified"):
            if key in item and not isinstance(item[key], str):
                yield item, f"{where}.{key} {item[key]!r} is not an RFC 3339 date-time string"
            elif key in item and (problem := _date_problem(f"{where}.{key}", item[key], now)):
                yield item, problem
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            yield item, f"{where}.tags must be a list of strings"
        attachments = item.get("attachments", [])
        if not isinstance(attachments, list):
            yield item, f"{where}.attachments must be a list"
            attachments = []
        for number, attachment in enumerate(attachments):
            label = f"{where}.attachments[{number}]"
            if not isinstance(attachment, dict) or not isinstance(attachment.get("mime_type"),
                                                                  str):
                yield item, f"{label} needs a url and a mime_type"
            else:
                yield from _url_problems(attachment, ("url",), label + ".", required=True)


def _surrogate(value: object) -> str | None:
    """What is wrong when a string holds a lone surrogate escape ("\\ud800"): half a
    character, which no reader can show."""
    half = lone_surrogate(value)
    return f"holds a lone surrogate ({half}), which is not a character" if half else None


def _url_problems(parent: dict, keys: tuple[str, ...], where: str, required: bool = False):
    for key in keys:
        value = parent.get(key)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not _ABSOLUTE_IRI.match(value):
            yield parent, f"{where}{key} {value!r} is not an absolute URL"


def _author_problems(parent: dict, where: str):
    authors = parent.get("authors", [])
    if "author" in parent:  # version 1's single author
        authors = [parent["author"], *(authors if isinstance(authors, list) else [])]
    if not isinstance(authors, list):
        yield parent, f"{where}authors must be a list"
        return
    for index, author in enumerate(authors):
        if not isinstance(author, dict) or not any(
                isinstance(author.get(key), str) for key in ("name", "url", "avatar")):
            yield parent, f"{where}authors[{index}] needs a name, url or avatar"
        else:
            yield from _url_problems(author, ("url", "avatar"), f"{where}authors[{index}].")


def _json_with_lines(text: str) -> tuple[object, dict[int, int]]:
    """The parsed JSON, and the line each of its objects starts on (keyed by the object's
    id): problems are reported at the line of the item they are about."""
    line_starts = [index for index, char in enumerate(text) if char == "\n"]
    lines: dict[int, int] = {}
    decoder = json.JSONDecoder()
    parse_object = decoder.parse_object

    def object_with_line(string_and_end, *args):
        found, end = parse_object(string_and_end, *args)
        lines[id(found)] = bisect.bisect_left(line_starts, string_and_end[1]) + 1
        return found, end

    decoder.parse_object = object_with_line
    # The pure-Python scanner is the one that calls parse_object (the C one does not).
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text), lines
