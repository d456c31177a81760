"""Assign topics to papers from the compiled rules: `tag` gives slugs, `explain` says why."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from feedmaker.model import Entry
from feedmaker.tagger.matcher import MatchTerm, TermMatcher
from feedmaker.tagger.rules import Term, TopicRule, default_topics, parse_term, parse_topics

__all__ = ["Hit", "Tagger", "Term", "TopicResult", "TopicRule", "default_topics",
           "parse_term", "parse_topics"]

ANY, ALL, NONE = 0, 1, 2
ROLE_NAMES = ("any", "all", "none")
_FIELDS_OF_SCOPE = {"text": frozenset({"title", "summary"}), "title": frozenset({"title"}),
                    "summary": frozenset({"summary"}), "authors": frozenset({"authors"}),
                    "category": frozenset({"category"})}
_EPSILON = 1e-9


@dataclass(frozen=True)
class Hit:
    """One term of a topic's rule found in a paper."""

    term: str
    role: str
    field: str
    points: float


@dataclass(frozen=True)
class TopicResult:
    """The verdict on one topic for one paper, with everything that led to it."""

    slug: str
    matched: bool
    score: float
    threshold: float
    hits: tuple[Hit, ...]
    groups_missing: tuple[int, ...]

    @property
    def vetoes(self) -> tuple[str, ...]:
        """The `none` terms that hit."""
        return tuple(hit.term for hit in self.hits if hit.role == "none")


@dataclass(frozen=True)
class _Use:
    topic: int
    role: int
    group: int
    points: float
    title_points: float
    fields: frozenset[str]
    key: int
    source: str


class Tagger:
    """Compiled topic rules. The one interface the rest of feedmaker uses for tagging."""

    def __init__(self, topics: Sequence[TopicRule]) -> None:
        self.topics = tuple(topics)
        terms: dict[MatchTerm, int] = {}
        self._uses: list[list[_Use]] = []
        self._categories: dict[str, list[_Use]] = {}
        self._category_prefixes: list[tuple[str, _Use]] = []
        self._needs_authors = False
        key = 0
        for number, topic in enumerate(self.topics):
            roles = [(ANY, 0, term) for term in topic.any]
            roles += [(ALL, g, term) for g, group in enumerate(topic.all) for term in group]
            roles += [(NONE, 0, term) for term in topic.none]
            for role, group, term in roles:
                key += 1
                weight = term.weight if role == ANY else 0.0
                use = _Use(number, role, group, weight, weight * topic.title_weight,
                           _FIELDS_OF_SCOPE[term.field], key, term.source)
                if term.kind == "category":
                    if term.text.endswith("*"):
                        self._category_prefixes.append((term.text[:-1], use))
                    else:
                        self._categories.setdefault(term.text, []).append(use)
                    continue
                self._needs_authors |= term.field == "authors"
                match_term = MatchTerm("prefix" if term.kind == "prefix" else term.kind,
                                       term.text, term.case_sensitive)
                if match_term not in terms:
                    terms[match_term] = len(terms)
                    self._uses.append([])
                self._uses[terms[match_term]].append(use)
        self._matcher = TermMatcher(list(terms))
        self._thresholds = [t.threshold for t in self.topics]
        self._all_groups = [(1 << len(t.all)) - 1 for t in self.topics]
        self._has_any = [bool(t.any) for t in self.topics]
        self.fingerprint = hashlib.sha256(repr(self.topics).encode()).hexdigest()[:16]

    @property
    def term_count(self) -> int:
        """How many distinct text patterns the rules compile to."""
        return len(self._uses)

    def tag(self, entry: Entry) -> list[str]:
        """The slugs of the topics an entry belongs to, in config order."""
        return self.tag_fields(entry.title, entry.summary, entry.authors, entry.categories)

    def tag_fields(self, title: str, summary: str = "", authors: Sequence[str] = (),
                   categories: Sequence[str] = ()) -> list[str]:
        """The slugs of the topics a paper's fields belong to, in config order."""
        scores, groups, vetoed, _ = self._evaluate(title, summary, authors, categories, None)
        return [topic.slug for number, topic in enumerate(self.topics)
                if self._verdict(number, scores, groups, vetoed)]

    def explain(self, title: str, summary: str = "", authors: Sequence[str] = (),
                categories: Sequence[str] = ()) -> list[TopicResult]:
        """For every topic: matched or not, the score, the threshold and each hit."""
        hits: list[list[Hit]] = [[] for _ in self.topics]
        scores, groups, vetoed, hits = self._evaluate(title, summary, authors, categories, hits)
        return [TopicResult(
            slug=topic.slug, matched=self._verdict(number, scores, groups, vetoed),
            score=round(scores[number], 6), threshold=topic.threshold,
            hits=tuple(hits[number]),
            groups_missing=tuple(g for g in range(len(topic.all)) if not groups[number] >> g & 1))
            for number, topic in enumerate(self.topics)]

    def _verdict(self, number: int, scores, groups, vetoed) -> bool:
        return (not vetoed[number] and groups[number] == self._all_groups[number]
                and (scores[number] >= self._thresholds[number] - _EPSILON
                     or not self._has_any[number]))

    def _evaluate(self, title, summary, authors, categories, hits):
        count = len(self.topics)
        scores, groups, vetoed = [0.0] * count, [0] * count, [False] * count
        counted: set[int] = set()
        fields = [("title", self._matcher.search(title)),
                  ("summary", self._matcher.search(summary))]
        if self._needs_authors and authors:
            fields.append(("authors", self._matcher.search("; ".join(authors))))
        if categories and (self._categories or self._category_prefixes):
            fields.append(("category", self._category_uses(categories)))
        uses_of = self._uses
        for field, found in fields:
            for item in found:
                for use in (uses_of[item] if field != "category" else (item,)):
                    if field not in use.fields:
                        continue
                    if use.role == ANY:
                        if use.key in counted:
                            continue
                        counted.add(use.key)
                        points = use.title_points if field == "title" else use.points
                        scores[use.topic] += points
                    elif use.role == ALL:
                        groups[use.topic] |= 1 << use.group
                        points = 0.0
                    else:
                        vetoed[use.topic] = True
                        points = 0.0
                    if hits is not None:
                        hits[use.topic].append(Hit(use.source, ROLE_NAMES[use.role], field,
                                                   points))
        return scores, groups, vetoed, hits

    def _category_uses(self, categories: Sequence[str]) -> list[_Use]:
        found = []
        for category in categories:
            name = category.lower()
            found += self._categories.get(name, ())
            found += [use for prefix, use in self._category_prefixes if name.startswith(prefix)]
        return found
