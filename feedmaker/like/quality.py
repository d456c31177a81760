"""Measure a `like` model: precision of the top k against a topic label, and the issue's
protocol (a 30-paper library of a topic, the rest of a labelled file as the stream)."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from feedmaker.errors import InputError
from feedmaker.evaluate import Paper
from feedmaker.like.paper import LibraryPaper
from feedmaker.normalize import bare_arxiv_id

SEEDS = (1, 2, 3, 4, 5)
LIBRARY_SIZE = 30
K = 25
MIN_PAPERS = 40
# Issue 17's "Done when" for data/papers-17-dev.jsonl.
TARGETS = {**dict.fromkeys(["vision", "language", "multimodal", "agents", "generative",
                            "biology-medicine", "reinforcement-learning", "security",
                            "retrieval-recsys"], 0.85),
           "efficiency": 0.60, "interpretability": 0.60}


@dataclass(frozen=True)
class Precision:
    """How many of the k best-scored papers carry the label, and the most that could."""

    k: int
    hits: int
    relevant: int  # labelled papers among all those ranked

    @property
    def precision(self) -> float:
        """hits / k."""
        return self.hits / self.k

    @property
    def ceiling(self) -> float:
        """The best precision possible: fewer than k labelled papers cap it."""
        return min(self.k, self.relevant) / self.k

    @property
    def attained(self) -> float:
        """hits / min(k, relevant): the share of what could be found that was."""
        return self.hits / min(self.k, self.relevant) if self.relevant else 0.0


@dataclass(frozen=True)
class TopicPrecision:
    """A topic's precision over several libraries (one per seed)."""

    topic: str
    runs: tuple[Precision, ...]

    @property
    def mean(self) -> float:
        return statistics.fmean(r.precision for r in self.runs)

    @property
    def mean_attained(self) -> float:
        return statistics.fmean(r.attained for r in self.runs)

    @property
    def ceiling(self) -> float:
        return statistics.fmean(r.ceiling for r in self.runs)


def precision_at_k(scores: Sequence[float], labelled: Sequence[bool], k: int = K) -> Precision:
    """Precision of the k highest scores (ties go to the paper given first)."""
    if len(scores) != len(labelled):
        raise ValueError("one label per score")
    k = min(k, len(scores))
    if k < 1:
        raise ValueError("nothing to rank")
    best = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    return Precision(k, sum(bool(labelled[i]) for i in best), sum(map(bool, labelled)))


def evaluate_library(library: Sequence[LibraryPaper], papers: Sequence[Paper], label: str,
                     k: int = K) -> Precision:
    """`feedmaker eval` for a like view: fit the view's library against labelled papers
    (all of them, those in the library left out) and count `label` among the k best."""
    from feedmaker.like.fit import Text, fit_estimators, without_library

    unlabelled = [p.line for p in papers if p.topics is None]
    if unlabelled:
        raise InputError(f"line {unlabelled[0]}: no `topics` list to evaluate against")
    texts = {id(text): (text, paper) for paper in papers for text in [
        Text(paper.title, paper.summary, bare_arxiv_id(str(paper.record.get("id") or "")))]}
    stream = without_library([text for text, _ in texts.values()], library)
    scores = fit_estimators(library, stream).background_scores
    return precision_at_k(scores, [label in texts[id(t)][1].topics for t in stream], k)


def topics_with(papers: Sequence[Paper], minimum: int = MIN_PAPERS) -> list[str]:
    """The topics carried by at least `minimum` papers, most frequent first."""
    counts = Counter(t for p in papers for t in p.topics or ())
    return [t for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= minimum]


def evaluate_topic(papers: Sequence[Paper], topic: str, seeds: Sequence[int] = SEEDS,
                   library_size: int = LIBRARY_SIZE, k: int = K) -> TopicPrecision:
    """For each seed: a library of `library_size` papers of the topic, fitted against the
    other papers (the stream, also the background), and the precision of the stream's k
    best. Labels are only read here, to choose the library and to count hits."""
    from feedmaker.like.fit import Text, fit_estimators

    runs = []
    for seed in seeds:
        library, stream = split(papers, topic, seed, library_size)
        estimators = fit_estimators(
            [LibraryPaper(where=f"line {p.line}", title=p.title, abstract=p.summary)
             for p in library],
            [Text(p.title, p.summary) for p in stream])
        runs.append(precision_at_k(estimators.background_scores,
                                   [topic in p.topics for p in stream], k))
    return TopicPrecision(topic, tuple(runs))


def split(papers: Sequence[Paper], topic: str, seed: int, library_size: int = LIBRARY_SIZE
          ) -> tuple[list[Paper], list[Paper]]:
    """A library drawn with `seed` among the topic's papers, and every other paper."""
    positives = [i for i, p in enumerate(papers) if topic in (p.topics or ())]
    chosen = set(random.Random(seed).sample(positives, library_size))
    return ([papers[i] for i in sorted(chosen)],
            [p for i, p in enumerate(papers) if i not in chosen])


def format_table(results: Sequence[TopicPrecision], targets: dict[str, float] | None = None
                 ) -> str:
    """A Markdown table: mean, min and max precision@k over the seeds, the ceiling, and the
    mean share attained of what the ceiling allows (against the target, when given)."""
    k = results[0].runs[0].k if results else K
    rows = [f"| topic | precision@{k} mean | min | max | ceiling | attained | target |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        values = [x.precision for x in r.runs]
        target = f"{targets[r.topic]:.2f}" if targets and r.topic in targets else ""
        rows.append(f"| {r.topic} | {r.mean:.3f} | {min(values):.2f} | {max(values):.2f} "
                    f"| {r.ceiling:.2f} | {r.mean_attained:.3f} | {target} |")
    return "\n".join(rows)
