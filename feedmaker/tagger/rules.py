"""Parse and check topic tables from the config into `TopicRule`s; errors name topic and field."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from feedmaker.errors import ConfigError

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# File names the generator writes itself, and names Windows cannot store.
RESERVED_SLUGS = frozenset(
    {"all", "index", "feeds", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
TOPIC_KEYS = frozenset({"title", "description", "any", "none"})


@dataclass(frozen=True)
class TopicRule:
    """One topic: its slug (the feed's file name), display title and its terms."""

    slug: str
    title: str
    description: str
    any: tuple[str, ...]
    none: tuple[str, ...] = ()


def parse_topics(tables: object, where: str = "config") -> tuple[TopicRule, ...]:
    """Check the `[topics.*]` tables and turn them into rules, in the order written."""
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{where}: [topics] must hold at least one [topics.<slug>] table")
    return tuple(_parse_topic(slug, table, where) for slug, table in tables.items())


def _parse_topic(slug: str, table: object, where: str) -> TopicRule:
    field = f"topics.{slug}"
    if not SLUG.match(slug):
        raise ConfigError(f"{where}: [{field}]: slug {slug!r} must be lower-case letters, digits "
                          "and inner hyphens (it becomes a file name)")
    if slug in RESERVED_SLUGS:
        raise ConfigError(f"{where}: [{field}]: slug {slug!r} is reserved; choose another name")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {field} must be a table")
    unknown = sorted(set(table) - TOPIC_KEYS)
    if unknown:
        raise ConfigError(f"{where}: [{field}]: unknown key {unknown[0]!r} "
                          f"(known: {', '.join(sorted(TOPIC_KEYS))})")
    title = table.get("title", slug)
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(f"{where}: [{field}] title must be a non-empty string")
    description = table.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{where}: [{field}] description must be a string")
    any_terms = _terms(table.get("any", []), f"{field}.any", where)
    if not any_terms:
        raise ConfigError(f"{where}: [{field}] needs at least one term in `any`")
    return TopicRule(slug=slug, title=title.strip(), description=description.strip(),
                     any=any_terms, none=_terms(table.get("none", []), f"{field}.none", where))


def _terms(value: object, field: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {field} must be a list of strings")
    terms = []
    for term in value:
        if not isinstance(term, str) or not term.strip():
            raise ConfigError(f"{where}: {field}: term {term!r} must be a non-empty string")
        if not re.search(r"\w", term):
            raise ConfigError(f"{where}: {field}: term {term!r} has no letter or digit")
        terms.append(" ".join(term.split()))
    return tuple(terms)


def default_topics() -> tuple[TopicRule, ...]:
    """The 17 default topics shipped in `defaults.toml`."""
    text = resources.files("feedmaker.tagger").joinpath("defaults.toml").read_text("utf-8")
    return parse_topics(tomllib.loads(text)["topics"], "feedmaker/tagger/defaults.toml")
