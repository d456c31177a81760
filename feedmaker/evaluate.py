"""Score a tagger against labelled papers: precision, recall and F1 per topic, and macro-F1."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from feedmaker.errors import InputError
from feedmaker.tagger import Tagger


@dataclass(frozen=True)
class Paper:
    """One JSON line: the fields the tagger reads, and the true topics when labelled."""

    line: int
    record: dict
    title: str
    summary: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    topics: tuple[str, ...] | None


@dataclass(frozen=True)
class TopicScore:
    """Counts and scores for one topic."""

    slug: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def read_papers(stream: IO[str], name: str) -> Iterator[Paper]:
    """Parse JSON lines (`title`, `summary` or `abstract`, optional `authors`, `categories`,
    `topics`); errors name the input and the line."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not a JSON object ({exc.msg})") from None
        if not isinstance(record, dict):
            raise InputError(f"{name}:{number}: expected a JSON object")
        title = record.get("title")
        summary = record.get("summary", record.get("abstract", ""))
        if not isinstance(title, str) or not isinstance(summary, str | None):
            raise InputError(f"{name}:{number}: `title` (and `summary` or `abstract`) "
                             "must be strings")
        yield Paper(number, record, title, summary or "",
                    _strings(record, "authors", name, number),
                    _strings(record, "categories", name, number),
                    _strings(record, "topics", name, number) if "topics" in record else None)


def _strings(record: dict, key: str, name: str, number: int) -> tuple[str, ...]:
    value = record.get(key) or []
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        value = [v["name"] for v in value]  # Hugging Face style authors
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{name}:{number}: `{key}` must be a list of strings")
    return tuple(value)


def evaluate(tagger: Tagger, papers: Iterable[Paper], *, use_categories: bool = False,
             topics: Sequence[str] | None = None) -> list[TopicScore]:
    """Per-topic counts over labelled papers.

    Only topics that carry a label somewhere in the input (or those named in `topics`) are
    scored: a topic absent from every line is unknown there, not negative.
    """
    papers = list(papers)
    unlabelled = [p.line for p in papers if p.topics is None]
    if unlabelled:
        raise InputError(f"line {unlabelled[0]}: no `topics` list to evaluate against")
    known = {t.slug for t in tagger.topics}
    scored = list(topics) if topics else sorted({t for p in papers for t in p.topics} & known,
                                                key=[t.slug for t in tagger.topics].index)
    unknown = [t for t in scored if t not in known]
    if unknown:
        raise InputError(f"topic {unknown[0]!r} is not in the rules")
    counts = {slug: [0, 0, 0] for slug in scored}
    for paper in papers:
        predicted = set(tagger.tag_fields(paper.title, paper.summary, paper.authors,
                                          paper.categories if use_categories else ()))
        truth = set(paper.topics)
        for slug in scored:
            if slug in predicted and slug in truth:
                counts[slug][0] += 1
            elif slug in predicted:
                counts[slug][1] += 1
            elif slug in truth:
                counts[slug][2] += 1
    return [TopicScore(slug, *counts[slug]) for slug in scored]


def macro_f1(scores: Sequence[TopicScore]) -> float:
    """The unweighted mean of the topics' F1."""
    return sum(s.f1 for s in scores) / len(scores) if scores else 0.0


def format_table(scores: Sequence[TopicScore]) -> str:
    """A plain-text table of the scores, one topic a row, macro-F1 last."""
    rows = [f"{'topic':<24} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}"]
    rows += [f"{s.slug:<24} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8}"
             for s in scores]
    rows.append(f"{'macro-F1':<24} {'':>9} {'':>7} {macro_f1(scores):>6.3f}")
    return "\n".join(rows)
