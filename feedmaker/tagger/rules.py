"""Parse and check topic tables from the config into `TopicRule`s; errors name topic and term.

A term is a string, `[field:]words[*][^weight]` or `[field:]re:REGEX`, or an inline table
`{term = "...", field = "title", weight = 2, case_sensitive = true}` /
`{regex = "...", ...}`. docs/topics.md documents what each form matches.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, replace
from importlib import resources

from feedmaker.errors import ConfigError
from feedmaker.outputs import slug_problem
from feedmaker.schema import check_table, keys_of, setting
from feedmaker.tagger.matcher import check_regex, words_of

# Where a term may hit: text fields are searched for words; label fields hold names matched
# whole (or by prefix with `*`). Topics use FIELDS; views may also name what is known of a
# paper beyond its text: its topics, the sources that listed it, and other views.
TEXT_FIELDS = ("text", "title", "summary", "authors")
LABEL_FIELDS = ("category", "topic", "source", "view")
FIELDS = (*TEXT_FIELDS, "category")
VIEW_FIELDS = (*TEXT_FIELDS, *LABEL_FIELDS)
TERM_TABLE_KEYS = frozenset({"term", "regex", "field", "weight", "case_sensitive"})
_SCOPE = re.compile(r"^(" + "|".join(VIEW_FIELDS) + r"):(.*)$", re.DOTALL)
# `titel:survey`: something that looks like a field scope but is none.
_UNKNOWN_SCOPE = re.compile(r"^([a-z]+):(?!//)\S")
MAX_WEIGHT, MAX_TITLE_WEIGHT, MAX_THRESHOLD = 100.0, 10.0, 10_000.0
_WEIGHT = re.compile(r"\^(-?\d+(?:\.\d+)?)$")
_ANY_WEIGHT = re.compile(r"\^([^\s^]*)$")


def _more_than_zero(value: float) -> str | None:
    return None if value > 0 else f"must be more than 0, got {value:g}"


@dataclass(frozen=True)
class Term:
    """One term of a rule.

    kind: "word", "prefix", "regex" or "label"; field: where it may hit ("text" is the
    title or the summary; a label field is matched by name, see LABEL_FIELDS).
    """

    source: str
    kind: str
    text: str
    field: str = "text"
    weight: float = 1.0
    case_sensitive: bool = False


@dataclass(frozen=True)
class TopicRule:
    """One topic: slug (the feed's file name), display title and its rule; each field but
    the slug is a config key, declared here once.

    The topic matches when no `none` term hits, every `all` group has a hit, and the
    `any` terms that hit add up to `threshold` (a hit in the title counts `title_weight`
    times its weight).
    """

    slug: str
    title: str = setting("name", None, "the topic's display name and category label",
                         default_note="the slug")
    description: str = setting("text", "", "the topic feed's subtitle")
    any: tuple[Term, ...] = setting("terms", (), "weighted terms; their points add up to "
                                    "the score (`any` or `all` is required)")
    all: tuple[tuple[Term, ...], ...] = setting("terms", (), "groups of terms that must each "
                                                "have a hit")
    none: tuple[Term, ...] = setting("terms", (), "terms that veto the topic, whatever the "
                                     "score")
    threshold: float = setting("number", 1.0, "the score a paper needs", high=MAX_THRESHOLD,
                               check=_more_than_zero)
    title_weight: float = setting("number", 2.0, "how many times a term found in the title "
                                  "counts", high=MAX_TITLE_WEIGHT, check=_more_than_zero)


TOPIC_KEYS = keys_of(TopicRule)


def parse_topics(tables: object) -> tuple[TopicRule, ...]:
    """Check the `[topics.*]` tables and turn them into rules, in the order written.

    Errors are ConfigErrors carrying the path of the wrong value.
    """
    if not isinstance(tables, dict) or not tables:
        raise ConfigError("must hold at least one [topics.<slug>] table", ("topics",))
    return tuple(parse_rule(slug, check_table(table, TOPIC_KEYS, ("topics", slug)),
                            ("topics", slug)) for slug, table in tables.items())


def parse_rule(slug: str, values: dict, path: tuple, fields: tuple[str, ...] = FIELDS,
               terms_required: bool = True) -> TopicRule:
    """The rule of one topic (or view) from its checked table values (see TOPIC_KEYS)."""
    problem = slug_problem(slug)
    if problem:
        raise ConfigError(problem, path)
    any_terms = _terms(values["any"], (*path, "any"), fields)
    all_groups = _groups(values["all"], (*path, "all"), fields)
    none_terms = _terms(values["none"], (*path, "none"), fields)
    if terms_required and not any_terms and not all_groups:
        raise ConfigError("needs at least one term in `any` or `all`", path)
    if any_terms and not any(term.weight > 0 for term in any_terms):
        raise ConfigError("needs a term with a positive weight", (*path, "any"))
    for role, terms in (("all", [t for g in all_groups for t in g]), ("none", none_terms)):
        for term in terms:
            if term.weight != 1.0:
                raise ConfigError(f"term {term.source!r}: weights count only in `any`",
                                  (*path, role))
    return TopicRule(
        slug=slug, title=values["title"] or slug, description=values["description"],
        any=any_terms, all=all_groups, none=none_terms, threshold=values["threshold"],
        title_weight=values["title_weight"])


def _terms(value: object, path: tuple, fields: tuple[str, ...]) -> tuple[Term, ...]:
    if not isinstance(value, list | tuple):
        raise ConfigError("must be a list of terms", path)
    return tuple(parse_term(term, (*path, number), fields) for number, term in enumerate(value))


def _groups(value: object, path: tuple, fields: tuple[str, ...]) -> tuple[tuple[Term, ...], ...]:
    # `all = ["a", ["b", "c"]]`: "a" must hit, and "b" or "c" must hit.
    if not isinstance(value, list | tuple):
        raise ConfigError("must be a list of terms or of lists of terms", path)
    groups = []
    for number, group in enumerate(value):
        if isinstance(group, list):
            terms = _terms(group, (*path, number), fields)
        else:
            terms = (parse_term(group, (*path, number), fields),)
        if not terms:
            raise ConfigError("is an empty group", (*path, number))
        groups.append(terms)
    return tuple(groups)


def parse_term(value: object, path: tuple = ("term",), fields: tuple[str, ...] = FIELDS) -> Term:
    """One term from its string or inline-table form; errors carry the term's path. `fields`
    are the scopes allowed where the term is (views allow more than topics)."""
    def fail(problem: str) -> ConfigError:
        return ConfigError(f"term {value!r}: {problem}", path)

    term = _term_from_table(value, fail) if isinstance(value, dict) else _term_from_text(
        value, fail)
    if term.field not in fields:
        raise fail(f"field {term.field!r} is for views only (topics know: {', '.join(fields)})")
    return term


def _term_from_text(value: object, fail) -> Term:
    if not isinstance(value, str) or not value.strip():
        raise fail("must be a non-empty string or an inline table")
    text, scope = value.strip(), "text"
    scoped = _SCOPE.match(text)
    if scoped:
        scope, text = scoped[1], scoped[2].strip()
    elif (unknown := _UNKNOWN_SCOPE.match(text)) and unknown[1] != "re":
        raise fail(f"unknown field {unknown[1]!r} (known: {', '.join(VIEW_FIELDS)}); to match "
                   f"the text as it is, write {{term = {text!r}}}")
    if text.startswith("re:"):
        return _regex_term(Term(value, "regex", text[3:], scope), fail)
    weight = 1.0
    weighted = _WEIGHT.search(text)
    if weighted:
        weight, text = float(weighted[1]), text[:weighted.start()].strip()
    elif (odd := _ANY_WEIGHT.search(text)) is not None:
        raise fail(f"weight {odd[1]!r} is not a number (write term^2, term^0.5 or term^-1)")
    if weight == 0 or abs(weight) > MAX_WEIGHT:
        raise fail(f"weight must be non-zero and at most {MAX_WEIGHT:g} either way")
    return _word_term(Term(value, "word", text, scope, weight), None, fail)


def _term_from_table(table: dict, fail) -> Term:
    unknown = sorted(set(table) - TERM_TABLE_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(TERM_TABLE_KEYS))})")
    if ("term" in table) == ("regex" in table):
        raise fail("give exactly one of `term` or `regex`")
    scope = table.get("field", "text")
    if scope not in VIEW_FIELDS:
        raise fail(f"field must be one of {', '.join(VIEW_FIELDS)}")
    weight = table.get("weight", 1.0)
    if (isinstance(weight, bool) or not isinstance(weight, int | float)
            or not math.isfinite(weight) or weight == 0 or abs(weight) > MAX_WEIGHT):
        raise fail(f"weight must be a non-zero number, at most {MAX_WEIGHT:g} either way")
    case = table.get("case_sensitive")
    if case is not None and not isinstance(case, bool):
        raise fail("case_sensitive must be true or false")
    text = table.get("term", table.get("regex"))
    if not isinstance(text, str) or not text.strip():
        raise fail("the term must be a non-empty string")
    source = f"{scope}:{text}" if scope != "text" else text
    if "regex" in table:
        return _regex_term(Term(source, "regex", text, scope, float(weight)), fail)
    return _word_term(Term(source, "word", text.strip(), scope, float(weight)), case, fail)


def _regex_term(draft: Term, fail) -> Term:
    """The term of a regex as written: checked, and always case-sensitive."""
    if draft.field in LABEL_FIELDS:
        raise fail(f"{draft.field} terms are names, not regexes")
    problem = check_regex(draft.text)
    if problem:
        raise fail(problem)
    return replace(draft, case_sensitive=True)


def _word_term(draft: Term, case: bool | None, fail) -> Term:
    """The term of words as written (`case` None: not said), as a word, prefix or label."""
    text, kind = draft.text, "word"
    if text.endswith("*"):
        kind, text = "prefix", text[:-1].rstrip()
    if not re.search(r"\w", text):
        raise fail("has no letter or digit")
    if "*" in text:
        raise fail("`*` is allowed only at the end (prefix match)")
    if draft.field in LABEL_FIELDS:
        # arXiv categories are matched in any case; topic, source and view names exactly.
        name = text.lower() if draft.field == "category" else text
        return replace(draft, kind="label", text=name + ("*" if kind == "prefix" else ""),
                       case_sensitive=draft.field != "category")
    words = words_of(text)
    if case is None:
        # Acronyms and brand names (GAN, ViT, LLMs) match case-sensitively.
        case = any(char.isupper() for word in words for char in word[1:])
    return replace(draft, kind=kind, text=" ".join(words), case_sensitive=case)


def default_topics() -> tuple[TopicRule, ...]:
    """The 17 default topics shipped in `defaults.toml`."""
    text = resources.files("feedmaker.tagger").joinpath("defaults.toml").read_text("utf-8")
    return parse_topics(tomllib.loads(text)["topics"])
