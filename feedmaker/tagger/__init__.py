"""Assign topics to papers from the compiled rules: `tag` gives slugs, `explain` says why."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

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
_VETO = float("-inf")


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


class _Use(NamedTuple):
    topic: int
    role: int
    group: int
    points: float
    title_points: float
    fields: frozenset[str]
    key: int
    source: str


class Tagger:
    """Compiled topic rules. The one interface the rest of feedmaker uses for tagging.

    Every use of a term (a term in two topics is two uses) is one pattern of one RE2 Set,
    so a pattern index names its topic, role and points directly.

    `tag_fields` is the hot path: one scan of the title and one of the summary, then a
    few additions per term found; a veto is worth minus infinity. Rules with `all` groups,
    regexes, or summary, author or category scopes take the general path of `explain`,
    which keeps every hit; tests hold the two paths equal.
    """

    def __init__(self, topics: Sequence[TopicRule]) -> None:
        self.topics = tuple(topics)
        self._uses: list[_Use] = []
        patterns: list[MatchTerm] = []
        self._categories: dict[str, list[_Use]] = {}
        self._category_prefixes: list[tuple[str, _Use]] = []
        keys = itertools.count()
        for number, topic in enumerate(self.topics):
            roles = [(ANY, 0, term) for term in topic.any]
            roles += [(ALL, g, term) for g, group in enumerate(topic.all) for term in group]
            roles += [(NONE, 0, term) for term in topic.none]
            for role, group, term in roles:
                weight = term.weight if role == ANY else 0.0
                use = _Use(number, role, group, weight, weight * topic.title_weight,
                           _FIELDS_OF_SCOPE[term.field], next(keys), term.source)
                if term.kind == "category":
                    if term.text.endswith("*"):
                        self._category_prefixes.append((term.text[:-1], use))
                    else:
                        self._categories.setdefault(term.text, []).append(use)
                    continue
                self._uses.append(use)
                patterns.append(MatchTerm(term.kind, term.text, term.case_sensitive))
        self._matcher = TermMatcher(patterns)
        self._general = bool(self._categories or self._category_prefixes) or any(
            u.role == ALL or u.fields not in (_FIELDS_OF_SCOPE["text"], _FIELDS_OF_SCOPE["title"])
            for u in self._uses)
        self._topic_of = [u.topic for u in self._uses]
        self._title_points = [_points(u, "title") for u in self._uses]
        self._summary_points = [_points(u, "summary") for u in self._uses]
        self._zeros = [0.0] * len(self.topics)
        self._slugs = [t.slug for t in self.topics]
        self._thresholds = [t.threshold - _EPSILON if t.any else float("-inf")
                            for t in self.topics]
        self._all_groups = [(1 << len(t.all)) - 1 for t in self.topics]
        self.fingerprint = hashlib.sha256(repr(self.topics).encode()).hexdigest()[:16]

    @property
    def term_count(self) -> int:
        """How many term uses the rules compile to (a term in two topics counts twice)."""
        return len(self._uses)

    def tag(self, entry: Entry) -> list[str]:
        """The slugs of the topics an entry belongs to, in config order."""
        return self.tag_fields(entry.title, entry.summary, entry.authors, entry.categories)

    def tag_fields(self, title: str, summary: str = "", authors: Sequence[str] = (),
                   categories: Sequence[str] = ()) -> list[str]:
        """The slugs of the topics a paper's fields belong to, in config order."""
        if self._general:
            return [r.slug for r in self.explain(title, summary, authors, categories)
                    if r.matched]
        search, match = self._matcher.search, self._matcher.match_ascii
        in_title = match(title.encode("ascii")) or [] if title.isascii() else search(title)
        in_summary = (match(summary.encode("ascii")) or [] if summary.isascii()
                      else search(summary))
        if not (in_title or in_summary):
            return []
        scores = self._zeros[:]
        topic_of = self._topic_of
        points = self._title_points
        for index in in_title:
            scores[topic_of[index]] += points[index]
        points = self._summary_points
        for index in in_summary:
            scores[topic_of[index]] += points[index]
        if in_title and in_summary:
            # A term found in both counts once, with the title's points.
            for index in set(in_title).intersection(in_summary):
                if points[index] != _VETO:
                    scores[topic_of[index]] -= points[index]
        return [slug for slug, score, threshold
                in zip(self._slugs, scores, self._thresholds, strict=False) if score >= threshold]

    def explain(self, title: str, summary: str = "", authors: Sequence[str] = (),
                categories: Sequence[str] = ()) -> list[TopicResult]:
        """For every topic: matched or not, the score, the threshold and each hit."""
        count = len(self.topics)
        scores, groups, vetoed = [0.0] * count, [0] * count, [False] * count
        hits: list[list[Hit]] = [[] for _ in self.topics]
        counted: set[int] = set()
        search = self._matcher.search
        fields = [("title", [self._uses[i] for i in sorted(search(title))]),
                  ("summary", [self._uses[i] for i in sorted(search(summary))])]
        if authors:
            fields.append(("authors", [self._uses[i] for i in sorted(search("; ".join(authors)))]))
        if categories:
            fields.append(("category", self._category_uses(categories)))
        for field, found in fields:
            for use in found:
                if field not in use.fields or (use.role == ANY and use.key in counted):
                    continue
                points = 0.0
                if use.role == ANY:
                    counted.add(use.key)
                    points = use.title_points if field == "title" else use.points
                    scores[use.topic] += points
                elif use.role == ALL:
                    groups[use.topic] |= 1 << use.group
                else:
                    vetoed[use.topic] = True
                hits[use.topic].append(Hit(use.source, ROLE_NAMES[use.role], field, points))
        return [TopicResult(
            slug=topic.slug,
            matched=(not vetoed[n] and groups[n] == self._all_groups[n]
                     and scores[n] >= self._thresholds[n]),
            score=round(scores[n], 6), threshold=topic.threshold, hits=tuple(hits[n]),
            groups_missing=tuple(g for g in range(len(topic.all)) if not groups[n] >> g & 1))
            for n, topic in enumerate(self.topics)]

    def _category_uses(self, categories: Sequence[str]) -> list[_Use]:
        found = []
        for category in categories:
            name = category.lower()
            found += self._categories.get(name, ())
            found += [use for prefix, use in self._category_prefixes if name.startswith(prefix)]
        return found


def _points(use: _Use, field: str) -> float:
    """What one hit of a use in `field` adds on the fast path (a veto: minus infinity)."""
    if field not in use.fields:
        return 0.0
    if use.role == NONE:
        return _VETO
    return use.title_points if field == "title" else use.points
