"""Check Atom feeds against RFC 4287: the RELAX NG schema plus the rules it cannot express."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

from feedmaker.normalize import FUTURE_TOLERANCE
from feedmaker.safexml import safe_parser

ATOM = "{http://www.w3.org/2005/Atom}"
# A scheme, a colon, and no white space anywhere (RFC 3987's IRIs have none).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*\Z")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@cache
def _schema() -> etree.RelaxNG:
    with resources.files("feedmaker").joinpath("data/atom.rng").open("rb") as f:
        return etree.RelaxNG(etree.parse(f, safe_parser()))


def validate_bytes(data: bytes, name: str, now: datetime | None = None) -> list[str]:
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


def validate_paths(paths: list[Path], now: datetime | None = None) -> tuple[int, list[str]]:
    """Validate files, and the `*.atom` files of folders. Returns (files checked, problems)."""
    files: list[Path] = []
    problems = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.atom"))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}:0: no such file or folder")
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            problems.append(f"{file}:0: cannot read: {exc.strerror}")
            continue
        problems += validate_bytes(data, str(file), now)
    return len(files), problems


def _rule_problems(tree: etree._ElementTree, now: datetime | None):
    feed = tree.getroot()
    if feed.tag != ATOM + "feed":
        return
    feed_has_author = feed.find(ATOM + "author") is not None
    yield from _alternate_duplicates(feed, "feed")
    yield from _iri_problems(feed)
    yield from _date_problems(feed, now)
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
    checks = [(f".//{ATOM}id", None), (f".//{ATOM}link", "href"), (f".//{ATOM}category", "scheme"),
              (f".//{ATOM}uri", None), (f".//{ATOM}icon", None), (f".//{ATOM}logo", None)]
    for path, attribute in checks:
        for element in feed.iterfind(path):
            value = element.get(attribute) if attribute else element.text
            if value is None:
                continue
            if not _ABSOLUTE_IRI.match(value):
                yield element.sourceline, (f"{etree.QName(element).localname}"
                                           f"{'@' + attribute if attribute else ''} {value!r} is "
                                           "not an absolute IRI")


def _date_problems(feed: etree._Element, now: datetime | None):
    limit = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
    for element in feed.iter(ATOM + "updated", ATOM + "published"):
        text = (element.text or "").strip()
        name = etree.QName(element).localname
        if not _RFC3339.match(text):
            yield element.sourceline, (f"{name} {text!r} is not an RFC 3339 date-time with a "
                                       "time zone (e.g. 2024-05-01T12:00:00Z)")
            continue
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            yield element.sourceline, f"{name} {text!r} is not a real date"
            continue
        if moment > limit:
            yield element.sourceline, f"{name} {text} is in the future"
