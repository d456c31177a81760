"""Assign topics to entries from keyword rules: `Tagger.tag(entry)` returns topic slugs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from feedmaker.model import Entry
from feedmaker.tagger.matcher import TermMatcher
from feedmaker.tagger.rules import TopicRule, default_topics, parse_topics

__all__ = ["Tagger", "TopicRule", "default_topics", "parse_topics"]


@dataclass(frozen=True)
class TopicMatch:
    """Why an entry belongs (or not) to one topic: the terms found and the veto terms found."""

    slug: str
    hits: tuple[str, ...]
    vetoes: tuple[str, ...]

    @property
    def matched(self) -> bool:
        return bool(self.hits) and not self.vetoes


class Tagger:
    """Compiled topic rules. The one interface the rest of feedmaker uses for tagging."""

    def __init__(self, topics: Sequence[TopicRule]) -> None:
        self.topics = tuple(topics)
        self._any = {t.slug: TermMatcher(t.any) for t in self.topics}
        self._none = {t.slug: TermMatcher(t.none) for t in self.topics}

    def explain(self, title: str, summary: str = "") -> list[TopicMatch]:
        """For every topic, the terms that hit in the title or summary."""
        text = f"{title}\n{summary}"
        return [TopicMatch(t.slug, tuple(self._any[t.slug].matches(text)),
                           tuple(self._none[t.slug].matches(text))) for t in self.topics]

    def tag_text(self, title: str, summary: str = "") -> list[str]:
        """The slugs of the topics a title and summary belong to, in config order."""
        return [m.slug for m in self.explain(title, summary) if m.matched]

    def tag(self, entry: Entry) -> list[str]:
        """The slugs of the topics an entry belongs to, in config order."""
        return self.tag_text(entry.title, entry.summary)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the rules change, so stored topics can be recomputed."""
        return hashlib.sha256(repr(self.topics).encode()).hexdigest()[:16]
