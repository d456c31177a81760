"""Assign topics to papers from the compiled rules: each verdict comes with the hits behind it."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from feedmaker.model import Entry
from feedmaker.tagger.matcher import MatchTerm, TermMatcher
from feedmaker.tagger.rules import Term, TopicRule, default_topics, parse_term, parse_topics

__all__ = ["Hit", "Tagger", "Term", "TopicResult", "TopicRule", "default_topics",
           "parse_term", "parse_topics"]

ANY, ALL, NONE = "any", "all", "none"
# Points are added up as whole thousandths, so a score does not depend on the order of its
# hits and reaches its threshold exactly (0.1 + 0.2 is 0.3 here, not 0.30000000000000004).
_UNIT = 1000


@dataclass(frozen=True)
class Hit:
    """One term of a topic's rule found in a paper."""

    role: str
    field: str
    points: float
    parsed: Term

    @property
    def term(self) -> str:
        """The term as the rule writes it."""
        return self.parsed.source


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


class _Fields(NamedTuple):
    """The fields of a paper that tagging reads, as `Entry` has them."""

    title: str
    summary: str
    authors: Sequence[str]
    categories: Sequence[str]


class _Use(NamedTuple):
    """One term of one topic's rule, with what a hit of it means in each field it may hit."""

    key: int  # its place in the rules: a topic lists its hits field by field in this order
    topic: int
    role: str
    group_bit: int  # 1 << the `all` group it belongs to; 0 outside `all`
    points: dict[str, int]  # field -> thousandths of a point a hit there adds
    hits: dict[str, Hit]  # field -> the hit it makes there (built once, shared by papers)


_KEY = attrgetter("key")


class Tagger:
    """Compiled topic rules. The one interface the rest of feedmaker uses for tagging.

    Every distinct term is one pattern of one RE2 Set, and carries all its uses (the same
    term may count for one topic and against others). A paper is tagged one way: find its
    hits (a Set scan of the title, one of the summary, one of the authors, and its label
    names looked up), then judge each topic from its hits; `explain`, `verdicts`, `tag`,
    `tag_fields` and `scored` are views of that one computation.
    """

    # The fields of an Entry that tagging reads: topics are computed again when one changes.
    READS = ("title", "summary", "authors", "categories")

    def __init__(self, topics: Sequence[TopicRule]) -> None:
        self.topics = tuple(topics)
        uses_of: dict[MatchTerm, list[_Use]] = {}  # each distinct term is one Set pattern
        # Label terms (categories; for views also topics, sources, views) by (field, name).
        self._labels: dict[tuple[str, str], list[_Use]] = {}
        self._label_prefixes: list[tuple[str, str, _Use]] = []
        keys = itertools.count()
        for number, topic in enumerate(self.topics):
            roles = [(ANY, 0, term) for term in topic.any]
            roles += [(ALL, g, term) for g, group in enumerate(topic.all) for term in group]
            roles += [(NONE, 0, term) for term in topic.none]
            for role, group, term in roles:
                # Field by field: the points a hit adds (only an `any` term's hits add
                # points), and the hit it makes.
                fields = ("title", "summary") if term.field == "text" else (term.field,)
                weight = term.weight if role == ANY else 0.0
                points = {field: round(weight * (topic.title_weight if field == "title" else 1)
                                       * _UNIT) for field in fields}
                hits = {field: Hit(role, field, points[field] / _UNIT, term)
                        for field in fields}
                use = _Use(next(keys), number, role, 1 << group if role == ALL else 0, points,
                           hits)
                if term.kind == "label":
                    if term.text.endswith("*"):
                        self._label_prefixes.append((term.field, term.text[:-1], use))
                    else:
                        self._labels.setdefault((term.field, term.text), []).append(use)
                    continue
                uses_of.setdefault(MatchTerm(term.kind, term.text, term.case_sensitive),
                                   []).append(use)
        self._matcher = TermMatcher(list(uses_of))
        self._uses = list(uses_of.values())  # by the pattern's index in the Set
        # How many term uses the rules compile to (a term in two topics counts twice): each
        # took one key.
        self.term_count = next(keys)
        self._thresholds = [round(t.threshold * _UNIT) for t in self.topics]
        self._all_groups = [(1 << len(t.all)) - 1 for t in self.topics]
        # A topic without hits has the same verdict on every paper: matched only when its
        # rule has no `any` and no `all` terms (a view of upvotes alone).
        self._without_hits = [self._judge(n, [], every=True) for n in range(len(self.topics))]

    def explain(self, title: str, summary: str = "", authors: Sequence[str] = (),
                categories: Sequence[str] = (),
                labels: Mapping[str, Sequence[str]] | None = None) -> list[TopicResult]:
        """Every topic's verdict, in config order: matched or not, the score, the threshold
        and each hit.

        `labels` gives the names a paper has in the label fields beyond its categories
        ({"topic": [...], "source": [...], "view": [...]}), which views' rules may name.
        """
        return self._results(_Fields(title, summary, authors, categories), labels, every=True)

    def verdicts(self, entry: Entry,
                 labels: Mapping[str, Sequence[str]] | None = None) -> list[TopicResult]:
        """The verdicts on the topics an entry belongs to, in config order: each has the
        score and the hits that `reasons.topic_terms` turns into the words shown."""
        return self._results(entry, labels, every=False)

    def tag(self, entry: Entry) -> list[str]:
        """The slugs of the topics an entry belongs to, in config order."""
        return [r.slug for r in self.verdicts(entry)]

    def tag_fields(self, title: str, summary: str = "", authors: Sequence[str] = (),
                   categories: Sequence[str] = ()) -> list[str]:
        """The slugs of the topics a paper's fields belong to, in config order."""
        return [r.slug for r in self._results(_Fields(title, summary, authors, categories),
                                              None, every=False)]

    def scored(self, entry: Entry) -> list[tuple[str, float]]:
        """The topics an entry belongs to, each with its score, in config order."""
        return [(r.slug, r.score) for r in self.verdicts(entry)]

    def _results(self, paper: Entry | _Fields, labels: Mapping[str, Sequence[str]] | None,
                 every: bool) -> list[TopicResult]:
        """Every topic's verdict, or (not `every`) the matched topics' alone."""
        by_topic = self._hits(paper, labels or {})
        results = [self._judge(n, by_topic[n], every) if n in by_topic else without
                   for n, without in enumerate(self._without_hits)]
        return results if every else [r for r in results if r is not None and r.matched]

    def _hits(self, paper: Entry | _Fields, labels: Mapping[str, Sequence[str]]
              ) -> dict[int, list[tuple[_Use, str]]]:
        """Each topic's hits, as (use, field) pairs, field by field (title first). An `any`
        term found in several fields counts in the first, so a term in title and summary
        counts once, with the title's points."""
        found = [("title", self._uses_in(paper.title)),
                 ("summary", self._uses_in(paper.summary))]
        if paper.authors:
            found.append(("authors", self._uses_in("; ".join(paper.authors))))
        for field, names in {"category": paper.categories, **labels}.items():
            if names:
                found.append((field, self._label_uses(field, names)))
        by_topic: dict[int, list[tuple[_Use, str]]] = {}
        counted: set[int] = set()
        for field, uses in found:
            for use in uses:
                if field not in use.hits:
                    continue  # a scope that excludes this field
                if use.role == ANY:
                    if use.key in counted:
                        continue
                    counted.add(use.key)
                by_topic.setdefault(use.topic, []).append((use, field))
        return by_topic

    def _uses_in(self, text: str) -> list[_Use]:
        """The uses of the terms found in a text, in rule order."""
        return sorted([use for i in self._matcher.search(text) for use in self._uses[i]],
                      key=_KEY)

    def _label_uses(self, field: str, names: Sequence[str]) -> list[_Use]:
        """The uses of the label terms naming a paper's names, name by name: each name that
        an `all` or `none` term names is a hit of its own."""
        found = []
        for name in names:
            name = name.lower() if field == "category" else name
            found += self._labels.get((field, name), ())
            found += [use for on, prefix, use in self._label_prefixes
                      if on == field and name.startswith(prefix)]
        return found

    def _judge(self, number: int, hits: list[tuple[_Use, str]], every: bool
               ) -> TopicResult | None:
        """One topic's verdict from its hits (see TopicRule for the rule); None when the
        topic is not matched and `every` is false: most are not, and a run needs no more."""
        score, groups, vetoed = 0, 0, False
        for use, field in hits:
            score += use.points[field]
            groups |= use.group_bit
            vetoed = vetoed or use.role == NONE
        topic = self.topics[number]
        matched = (not vetoed and groups == self._all_groups[number]
                   # A rule of `all` groups alone needs no score.
                   and (not topic.any or score >= self._thresholds[number]))
        if not (matched or every):
            return None
        return TopicResult(topic.slug, matched, score / _UNIT, topic.threshold,
                           tuple(use.hits[field] for use, field in hits),
                           tuple(g for g in range(len(topic.all)) if not groups >> g & 1))


def rules_fingerprint(topics: Sequence[TopicRule]) -> str:
    """Changes whenever the rules change, so stored topics are recomputed; needs no compile."""
    return hashlib.sha256(repr(tuple(topics)).encode()).hexdigest()[:16]
