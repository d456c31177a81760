"""Assign topics to papers from the compiled rules: `tag` gives slugs, `explain` says why."""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from feedmaker.model import Entry
from feedmaker.tagger.matcher import MatchTerm, TermMatcher
from feedmaker.tagger.rules import (
    LABEL_FIELDS,
    Term,
    TopicRule,
    default_topics,
    parse_term,
    parse_topics,
)

__all__ = ["Hit", "Tagger", "Term", "TopicResult", "TopicRule", "default_topics",
           "parse_term", "parse_topics"]

ANY, ALL, NONE = 0, 1, 2
ROLE_NAMES = ("any", "all", "none")
_FIELDS_OF_SCOPE = {"text": frozenset({"title", "summary"}), "title": frozenset({"title"}),
                    "summary": frozenset({"summary"}), "authors": frozenset({"authors"}),
                    **{field: frozenset({field}) for field in LABEL_FIELDS}}
# Scores are counted in thousandths of a point, as integers, on both paths, so `tag_fields`
# and `explain` agree exactly. On the fast path every topic's score is one 64-bit field of a
# single Python integer, and a pattern's points for all topics are one such integer. Packing
# is linear, so one C-level `sum` of a paper's patterns is the packed scores: a negative
# field borrows from its neighbour on the way, and adding _BIAS - threshold to every field
# at the end leaves each field in [0, 2**63), where its bit 62 says "reached the threshold".
# A veto is worth _VETO, far below any reachable score. Bounds: weights are at most 100 and
# title_weight at most 10 (rules.py), so a pattern adds at most 10**6 thousandths to a topic
# or 2 * 10**12 with vetoes; fields stay in range below a million patterns per paper.
UNIT = 1000
_VETO = -(10**12)
_FIELD_BITS = 64
_BIAS = 1 << 62
_FIELD_MASK = (1 << _FIELD_BITS) - 1
# Joins title and summary into the one text the fast path scans: no term can match across
# it (it is neither a word character nor a phrase separator), and `\b` sees it as the end
# of one text and the start of the next.
_JOIN = "\x01"


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
    points: int
    title_points: int
    fields: frozenset[str]
    key: int
    source: str


class Tagger:
    """Compiled topic rules. The one interface the rest of feedmaker uses for tagging.

    Every distinct term is one pattern of one RE2 Set, and carries all its uses (the same
    term may count for one topic and against others).

    `tag_fields` is the hot path: one scan of title and summary joined, one of the title
    when anything was found, then one C-level sum of the patterns found (see UNIT). Rules
    with `all` groups, or summary, author or category scopes take the general path of
    `explain`, which keeps every hit; a property test holds the two paths equal.
    """

    # The fields of an Entry that tagging reads: topics are computed again when one changes.
    READS = ("title", "summary", "authors", "categories")

    def __init__(self, topics: Sequence[TopicRule]) -> None:
        self.topics = tuple(topics)
        # One Set pattern per distinct term; `_uses[i]` are all the rule uses of pattern i.
        self._uses: list[list[_Use]] = []
        patterns: dict[MatchTerm, int] = {}
        # Label terms (categories; for views also topics, sources, views) by (field, name).
        self._labels: dict[tuple[str, str], list[_Use]] = {}
        self._label_prefixes: list[tuple[str, str, _Use]] = []
        keys = itertools.count()
        for number, topic in enumerate(self.topics):
            roles = [(ANY, 0, term) for term in topic.any]
            roles += [(ALL, g, term) for g, group in enumerate(topic.all) for term in group]
            roles += [(NONE, 0, term) for term in topic.none]
            for role, group, term in roles:
                weight = term.weight if role == ANY else 0.0
                use = _Use(number, role, group, round(weight * UNIT),
                           round(weight * topic.title_weight * UNIT),
                           _FIELDS_OF_SCOPE[term.field], next(keys), term.source)
                if term.kind == "label":
                    if term.text.endswith("*"):
                        self._label_prefixes.append((term.field, term.text[:-1], use))
                    else:
                        self._labels.setdefault((term.field, term.text), []).append(use)
                    continue
                pattern = MatchTerm(term.kind, term.text, term.case_sensitive)
                if pattern not in patterns:
                    patterns[pattern] = len(patterns)
                    self._uses.append([])
                self._uses[patterns[pattern]].append(use)
        self._matcher = TermMatcher(list(patterns))
        all_uses = [u for us in self._uses for u in us]
        self._general = bool(self._labels or self._label_prefixes) or any(
            u.role == ALL or u.fields not in (_FIELDS_OF_SCOPE["text"], _FIELDS_OF_SCOPE["title"])
            for u in all_uses)
        count = len(self.topics)
        # A pattern found anywhere adds its summary points; found in the title it adds the
        # difference too, so a term in both counts once, with the title's points.
        summary_points = [_pack(us, "summary") for us in self._uses]
        self._anywhere_points = summary_points.__getitem__
        self._title_extra = [_pack(us, "title") - points for us, points
                             in zip(self._uses, summary_points, strict=True)].__getitem__
        thresholds = [round(t.threshold * UNIT) if t.any else -(10**15) for t in self.topics]
        self._biased = sum((_BIAS - threshold) << (_FIELD_BITS * k)
                           for k, threshold in enumerate(thresholds))
        self._verdict_bits = sum(_BIAS << (_FIELD_BITS * k) for k in range(count))
        self._match = self._matcher.match_ascii
        # A regex term could match across the join, or anchor on its ends.
        self._joinable = all(term.kind != "regex" for term in self._matcher.terms)
        self._verdicts: dict[int, list[str]] = {}
        self._slugs = [t.slug for t in self.topics]
        self._thresholds = thresholds
        self._all_groups = [(1 << len(t.all)) - 1 for t in self.topics]
        self._use_count = len(all_uses)

    @functools.cached_property
    def fingerprint(self) -> str:
        """Changes whenever the rules change (see `rules_fingerprint`)."""
        return rules_fingerprint(self.topics)

    @property
    def term_count(self) -> int:
        """How many term uses the rules compile to (a term in two topics counts twice)."""
        return self._use_count

    def tag(self, entry: Entry) -> list[str]:
        """The slugs of the topics an entry belongs to, in config order."""
        return self.tag_fields(entry.title, entry.summary, entry.authors, entry.categories)

    def tag_fields(self, title: str, summary: str = "", authors: Sequence[str] = (),
                   categories: Sequence[str] = ()) -> list[str]:
        """The slugs of the topics a paper's fields belong to, in config order."""
        if self._general:
            return [r.slug for r in self.explain(title, summary, authors, categories)
                    if r.matched]
        packed = self._packed(title, summary)
        if packed is None:
            return []
        matched = packed & self._verdict_bits
        verdict = self._verdicts.get(matched)
        if verdict is None:
            verdict = [slug for number, slug in enumerate(self._slugs)
                       if matched >> (_FIELD_BITS * number) & _BIAS]
            if len(self._verdicts) < 4096:
                self._verdicts[matched] = verdict
        return list(verdict)

    def scored(self, entry: Entry) -> list[tuple[str, float]]:
        """The topics an entry belongs to, each with its score, in config order."""
        if self._general:
            return [(r.slug, r.score) for r in self.explain(
                entry.title, entry.summary, entry.authors, entry.categories) if r.matched]
        packed = self._packed(entry.title, entry.summary)
        if packed is None:
            return []
        found = []
        for number, slug in enumerate(self._slugs):
            field = packed >> (_FIELD_BITS * number) & _FIELD_MASK
            if field & _BIAS:  # the field holds score - threshold + _BIAS
                found.append((slug, (field - _BIAS + self._thresholds[number]) / UNIT))
        return found

    def _packed(self, title: str, summary: str) -> int | None:
        """Every topic's score, biased (see UNIT), as 64-bit fields of one integer; None when
        no term is found at all."""
        if self._joinable and title.isascii() and summary.isascii():
            anywhere = self._match((title + _JOIN + summary).encode("ascii"))
            if not anywhere:
                return None
            in_title = self._match(title.encode("ascii"))
        else:
            in_title = self._matcher.search(title)
            anywhere = {*in_title, *self._matcher.search(summary)}
            if not anywhere:
                return None
        total = sum(map(self._title_extra, in_title), sum(map(self._anywhere_points, anywhere)))
        return total + self._biased

    def explain(self, title: str, summary: str = "", authors: Sequence[str] = (),
                categories: Sequence[str] = (),
                labels: Mapping[str, Sequence[str]] | None = None) -> list[TopicResult]:
        """For every topic: matched or not, the score, the threshold and each hit.

        `labels` gives the names a paper has in the label fields beyond its categories
        ({"topic": [...], "source": [...], "view": [...]}), which views' rules may name.
        """
        count = len(self.topics)
        scores, groups, vetoed = [0] * count, [0] * count, [False] * count
        hits: list[list[Hit]] = [[] for _ in self.topics]
        counted: set[int] = set()
        search = self._matcher.search
        def uses_in(text: str) -> list[_Use]:
            return sorted((u for i in search(text) for u in self._uses[i]), key=_use_order)

        fields = [("title", uses_in(title)), ("summary", uses_in(summary))]
        if authors:
            fields.append(("authors", uses_in("; ".join(authors))))
        for field, names in {"category": categories, **(labels or {})}.items():
            if names:
                fields.append((field, self._label_uses(field, names)))
        for field, found in fields:
            for use in found:
                if field not in use.fields or (use.role == ANY and use.key in counted):
                    continue
                points = 0
                if use.role == ANY:
                    counted.add(use.key)
                    points = use.title_points if field == "title" else use.points
                    scores[use.topic] += points
                elif use.role == ALL:
                    groups[use.topic] |= 1 << use.group
                else:
                    vetoed[use.topic] = True
                hits[use.topic].append(Hit(use.source, ROLE_NAMES[use.role], field,
                                           points / UNIT))
        return [TopicResult(
            slug=topic.slug,
            matched=(not vetoed[n] and groups[n] == self._all_groups[n]
                     and scores[n] >= self._thresholds[n]),
            score=scores[n] / UNIT, threshold=topic.threshold, hits=tuple(hits[n]),
            groups_missing=tuple(g for g in range(len(topic.all)) if not groups[n] >> g & 1))
            for n, topic in enumerate(self.topics)]

    def _label_uses(self, field: str, names: Sequence[str]) -> list[_Use]:
        found = []
        for name in names:
            name = name.lower() if field == "category" else name
            found += self._labels.get((field, name), ())
            found += [use for on, prefix, use in self._label_prefixes
                      if on == field and name.startswith(prefix)]
        return found


def rules_fingerprint(topics: Sequence[TopicRule]) -> str:
    """Changes whenever the rules change, so stored topics are recomputed; needs no compile."""
    return hashlib.sha256(repr(tuple(topics)).encode()).hexdigest()[:16]


def _pack(uses: list[_Use], field: str) -> int:
    """One pattern's points in `field` for every topic, as 64-bit fields of one integer."""
    if len(uses) == 1:  # most patterns: one term of one topic
        return _points(uses[0], field) << (_FIELD_BITS * uses[0].topic)
    per_topic: dict[int, int] = {}
    vetoed = set()
    for use in uses:
        points = _points(use, field)
        if points == _VETO:
            vetoed.add(use.topic)
        else:
            per_topic[use.topic] = per_topic.get(use.topic, 0) + points
    for topic in vetoed:
        per_topic[topic] = _VETO  # a veto counts once, and wins
    return sum(points << (_FIELD_BITS * topic) for topic, points in per_topic.items())


def _use_order(use: _Use) -> int:
    return use.key


def _points(use: _Use, field: str) -> int:
    """What one hit of a use in `field` adds on the fast path, in thousandths."""
    if field not in use.fields:
        return 0
    if use.role == NONE:
        return _VETO
    return use.title_points if field == "title" else use.points
