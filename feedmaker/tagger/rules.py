"""Parse and check topic tables from the config into `TopicRule`s; errors name topic and term.

A term is a string, `[field:]words[*][^weight]` or `[field:]re:REGEX`, or an inline table
`{term = "...", field = "title", weight = 2, case_sensitive = true}` /
`{regex = "...", ...}`. README.md ("Topic rules") documents what each form matches.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from feedmaker.errors import ConfigError
from feedmaker.tagger.matcher import check_regex, words_of

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# File names the generator writes itself, and names Windows cannot store.
RESERVED_SLUGS = frozenset(
    {"all", "index", "feeds", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
TOPIC_KEYS = frozenset({"title", "description", "any", "all", "none", "threshold",
                        "title_weight"})
FIELDS = ("text", "title", "summary", "authors", "category")
TERM_TABLE_KEYS = frozenset({"term", "regex", "field", "weight", "case_sensitive"})
_SCOPE = re.compile(r"^(" + "|".join(FIELDS) + r"):(.*)$", re.DOTALL)
MAX_WEIGHT, MAX_TITLE_WEIGHT, MAX_THRESHOLD = 100.0, 10.0, 10_000.0
_WEIGHT = re.compile(r"\^(-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Term:
    """One term of a rule.

    kind: "word", "prefix", "regex" or "category"; field: where it may hit ("text" is the
    title or the summary).
    """

    source: str
    kind: str
    text: str
    field: str = "text"
    weight: float = 1.0
    case_sensitive: bool = False


@dataclass(frozen=True)
class TopicRule:
    """One topic: slug (the feed's file name), display title and its rule.

    The topic matches when no `none` term hits, every `all` group has a hit, and the
    `any` terms that hit add up to `threshold` (a hit in the title counts `title_weight`
    times its weight).
    """

    slug: str
    title: str
    description: str
    any: tuple[Term, ...]
    all: tuple[tuple[Term, ...], ...] = ()
    none: tuple[Term, ...] = ()
    threshold: float = 1.0
    title_weight: float = 2.0


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
    all_groups = _groups(table.get("all", []), f"{field}.all", where)
    if not any_terms and not all_groups:
        raise ConfigError(f"{where}: [{field}] needs at least one term in `any` or `all`")
    if any_terms and not any(term.weight > 0 for term in any_terms):
        raise ConfigError(f"{where}: [{field}] `any` needs a term with a positive weight")
    for role, terms in (("all", [t for g in all_groups for t in g]),
                        ("none", table_none := _terms(table.get("none", []), f"{field}.none",
                                                      where))):
        for term in terms:
            if term.weight != 1.0:
                raise ConfigError(f"{where}: {field}.{role}: term {term.source!r}: weights count "
                                  "only in `any`")
    return TopicRule(
        slug=slug, title=title.strip(), description=description.strip(), any=any_terms,
        all=all_groups, none=table_none,
        threshold=_positive(table.get("threshold", 1.0), f"{field}.threshold", where,
                            MAX_THRESHOLD),
        title_weight=_positive(table.get("title_weight", 2.0), f"{field}.title_weight", where,
                               MAX_TITLE_WEIGHT),
    )


def _positive(value: object, field: str, where: str, limit: float) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
            or value > limit):
        raise ConfigError(f"{where}: {field} must be a positive number up to {limit:g}, "
                          f"got {value!r}")
    return float(value)


def _terms(value: object, field: str, where: str) -> tuple[Term, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {field} must be a list of terms")
    return tuple(parse_term(term, field, where) for term in value)


def _groups(value: object, field: str, where: str) -> tuple[tuple[Term, ...], ...]:
    # `all = ["a", ["b", "c"]]`: "a" must hit, and "b" or "c" must hit.
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {field} must be a list of terms or of lists of terms")
    groups = []
    for number, group in enumerate(value, 1):
        terms = _terms(group if isinstance(group, list) else [group], f"{field}[{number}]", where)
        if not terms:
            raise ConfigError(f"{where}: {field}[{number}] is an empty group")
        groups.append(terms)
    return tuple(groups)


def parse_term(value: object, field: str = "term", where: str = "config") -> Term:
    """One term from its string or inline-table form; errors name the field and the term."""
    def fail(problem: str) -> ConfigError:
        return ConfigError(f"{where}: {field}: term {value!r}: {problem}")

    if isinstance(value, dict):
        return _term_from_table(value, fail)
    if not isinstance(value, str) or not value.strip():
        raise fail("must be a non-empty string or an inline table")
    text, scope = value.strip(), "text"
    scoped = _SCOPE.match(text)
    if scoped:
        scope, text = scoped[1], scoped[2].strip()
    if text.startswith("re:"):
        return _regex_term(value, text[3:], scope, 1.0, fail)
    weight = 1.0
    weighted = _WEIGHT.search(text)
    if weighted:
        weight, text = float(weighted[1]), text[:weighted.start()].strip()
        if weight == 0 or abs(weight) > MAX_WEIGHT:
            raise fail(f"weight must be non-zero and at most {MAX_WEIGHT:g} either way")
    return _word_term(value, text, scope, weight, None, fail)


def _term_from_table(table: dict, fail) -> Term:
    unknown = sorted(set(table) - TERM_TABLE_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(TERM_TABLE_KEYS))})")
    if ("term" in table) == ("regex" in table):
        raise fail("give exactly one of `term` or `regex`")
    scope = table.get("field", "text")
    if scope not in FIELDS:
        raise fail(f"field must be one of {', '.join(FIELDS)}")
    weight = table.get("weight", 1.0)
    if (isinstance(weight, bool) or not isinstance(weight, int | float) or weight == 0
            or abs(weight) > MAX_WEIGHT):
        raise fail(f"weight must be a non-zero number, at most {MAX_WEIGHT:g} either way")
    case = table.get("case_sensitive")
    if case is not None and not isinstance(case, bool):
        raise fail("case_sensitive must be true or false")
    text = table.get("term", table.get("regex"))
    if not isinstance(text, str) or not text.strip():
        raise fail("the term must be a non-empty string")
    source = f"{scope}:{text}" if scope != "text" else text
    if "regex" in table:
        return _regex_term(source, text, scope, float(weight), fail)
    return _word_term(source, text.strip(), scope, float(weight), case, fail)


def _regex_term(source: str, pattern: str, scope: str, weight: float, fail) -> Term:
    if scope == "category":
        raise fail("category terms are category names, not regexes")
    problem = check_regex(pattern)
    if problem:
        raise fail(problem)
    return Term(source=source, kind="regex", text=pattern, field=scope, weight=weight,
                case_sensitive=True)


def _word_term(source: str, text: str, scope: str, weight: float, case: bool | None,
               fail) -> Term:
    kind = "word"
    if text.endswith("*"):
        kind, text = "prefix", text[:-1].rstrip()
    if not re.search(r"\w", text):
        raise fail("has no letter or digit")
    if "*" in text:
        raise fail("`*` is allowed only at the end (prefix match)")
    if scope == "category":
        return Term(source=source, kind="category",
                    text=text.lower() + ("*" if kind == "prefix" else ""), field=scope,
                    weight=weight, case_sensitive=False)
    words = words_of(text)
    if case is None:
        # Acronyms and brand names (GAN, ViT, LLMs) match case-sensitively.
        case = any(char.isupper() for word in words for char in word[1:])
    return Term(source=source, kind=kind, text=" ".join(words), field=scope, weight=weight,
                case_sensitive=case)


def default_topics() -> tuple[TopicRule, ...]:
    """The 17 default topics shipped in `defaults.toml`."""
    text = resources.files("feedmaker.tagger").joinpath("defaults.toml").read_text("utf-8")
    return parse_topics(tomllib.loads(text)["topics"], "feedmaker/tagger/defaults.toml")
