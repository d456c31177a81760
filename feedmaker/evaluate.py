"""Score a tagger against labelled papers: P/R/F1 per topic, micro- and macro-F1, worst mistakes."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from feedmaker.errors import InputError
from feedmaker.normalize import lone_surrogate
from feedmaker.tagger import Tagger, TopicResult
from feedmaker.tagger.lines import topic_lines


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


# A topic with fewer labelled papers than this is marked as too few to judge: with 24 of
# them, one paper more or less found moves the recall by 0.04, and its 95% interval spans
# about 0.35 either way.
FEW = 25


def wilson(hits: int, trials: int) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a proportion; None for no trials.

    Unlike p +- z*sqrt(p(1-p)/n), it stays inside [0, 1] and is not empty at 0 or n hits.
    """
    if trials <= 0:
        return None
    z = 1.96  # 95%
    share, z2 = hits / trials, z * z
    centre = (share + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(share * (1 - share) / trials
                                              + z2 / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class TopicScore:
    """Counts and scores for one topic."""

    slug: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        """The topic's labelled papers."""
        return self.true_positives + self.false_negatives

    @property
    def predicted(self) -> int:
        """The papers the rules gave the topic."""
        return self.true_positives + self.false_positives

    @property
    def few(self) -> bool:
        """Too few labelled papers to judge the topic by (see FEW)."""
        return self.support < FEW

    @property
    def precision_interval(self) -> tuple[float, float] | None:
        """The 95% Wilson interval of the precision (None when nothing was predicted)."""
        return wilson(self.true_positives, self.predicted)

    @property
    def recall_interval(self) -> tuple[float, float] | None:
        """The 95% Wilson interval of the recall (None when no paper carries the label)."""
        return wilson(self.true_positives, self.support)

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

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
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, arrays 10^5 deep
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise InputError(f"{name}:{number}: not a usable JSON object ({why})") from None
        if not isinstance(record, dict):
            raise InputError(f"{name}:{number}: expected a JSON object")
        # An escape may stand for half a character, which is no text.
        if "\\u" in line and (half := lone_surrogate(record)):
            raise InputError(f"{name}:{number}: holds a lone surrogate ({half}), which is not "
                             "a character")
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
    scored = scored_topics(tagger, papers, topics)
    true_pos, false_pos, false_neg = Counter(), Counter(), Counter()
    for paper in papers:
        predicted = set(tagger.tag_fields(paper.title, paper.summary, paper.authors,
                                          paper.categories if use_categories else ()))
        truth = set(paper.topics)
        true_pos.update(predicted & truth)
        false_pos.update(predicted - truth)
        false_neg.update(truth - predicted)
    return [TopicScore(slug, true_pos[slug], false_pos[slug], false_neg[slug])
            for slug in scored]


def require_labels(papers: Iterable[Paper], where: str = "line ") -> None:
    """InputError naming the first paper without a `topics` list (`where` before its line
    number: "line ", or the file's name and a colon)."""
    if unlabelled := next((paper.line for paper in papers if paper.topics is None), None):
        raise InputError(f"{where}{unlabelled}: no `topics` list to evaluate against")


def scored_topics(tagger: Tagger, papers: Sequence[Paper],
                  topics: Sequence[str] | None = None) -> list[str]:
    """The topics to score: those named, else those labelled somewhere in `papers`."""
    require_labels(papers)
    known = {t.slug for t in tagger.topics}
    scored = list(topics) if topics else sorted({t for p in papers for t in p.topics} & known,
                                                key=[t.slug for t in tagger.topics].index)
    unknown = [t for t in scored if t not in known]
    if unknown:
        raise InputError(f"topic {unknown[0]!r} is not in the rules")
    return scored


@dataclass(frozen=True)
class Mistakes:
    """One topic's worst mistakes: (paper, the tagger's verdict on that topic) pairs."""

    slug: str
    false_positives: list[tuple[Paper, TopicResult]]
    false_negatives: list[tuple[Paper, TopicResult]]


def worst_mistakes(tagger: Tagger, papers: Iterable[Paper], count: int, *,
                   use_categories: bool = False,
                   topics: Sequence[str] | None = None) -> list[Mistakes]:
    """Per scored topic, the `count` false positives with the highest scores and the `count`
    false negatives with the lowest: the papers that say most about what to change."""
    papers = list(papers)
    scored = scored_topics(tagger, papers, topics)
    wrong = {slug: ([], []) for slug in scored}
    for paper in papers:
        results = tagger.explain(paper.title, paper.summary, paper.authors,
                                 paper.categories if use_categories else ())
        for result in results:
            if result.slug in wrong and result.matched != (result.slug in paper.topics):
                wrong[result.slug][0 if result.matched else 1].append((paper, result))
    # Sorted is stable: papers with equal scores stay in file order.
    return [Mistakes(slug, sorted(fp, key=lambda m: -m[1].score)[:count],
                     sorted(fn, key=lambda m: m[1].score)[:count])
            for slug, (fp, fn) in wrong.items()]


def format_mistakes(tagger: Tagger, mistakes: Sequence[Mistakes], name: str) -> str:
    """Each topic's worst mistakes with the terms that hit, as `feedmaker explain` shows them."""
    rules = {t.slug: t for t in tagger.topics}
    lines = []
    for topic in mistakes:
        for kind, found in (("false positive", topic.false_positives),
                            ("false negative", topic.false_negatives)):
            for paper, result in found:
                labels = ", ".join(paper.topics) if paper.topics else "(none)"
                lines.append(f"{topic.slug}: {kind}, {name}:{paper.line}: {paper.title}  "
                             f"[labelled: {labels}]")
                lines += ["    " + line for line in topic_lines(rules[topic.slug], result)]
    return "\n".join(lines) if lines else "no mistakes"


def macro_f1(scores: Sequence[TopicScore]) -> float:
    """The unweighted mean of the topics' F1: every topic counts the same."""
    return sum(s.f1 for s in scores) / len(scores) if scores else 0.0


def micro_f1(scores: Sequence[TopicScore]) -> float:
    """F1 of all (paper, topic) decisions pooled: every labelled paper counts the same."""
    return TopicScore("all", sum(s.true_positives for s in scores),
                      sum(s.false_positives for s in scores),
                      sum(s.false_negatives for s in scores)).f1


def format_table(scores: Sequence[TopicScore]) -> str:
    """A plain-text table of the scores: per topic its precision and recall with their 95%
    intervals, F1 and the number of labelled papers, marked `few` when under FEW; then
    micro-F1 and macro-F1, and a note on the marked topics if there are any."""
    rows = [f"{'topic':<24} {'precision':>9} {'95% interval':>13} {'recall':>7} "
            f"{'95% interval':>13} {'F1':>6} {'labelled':>9}"]
    for s in scores:
        row = (f"{s.slug:<24} {s.precision:>9.3f} {_interval(s.precision_interval):>13} "
               f"{s.recall:>7.3f} {_interval(s.recall_interval):>13} {s.f1:>6.3f} "
               f"{s.support:>9}")
        rows.append(row + ("  few" if s.few else ""))
    for label, f1 in (("micro-F1", micro_f1), ("macro-F1", macro_f1)):
        rows.append(f"{label:<24} {'':>9} {'':>13} {'':>7} {'':>13} {f1(scores):>6.3f}")
    if any(s.few for s in scores):
        rows.append(f"few: fewer than {FEW} labelled papers, too few to judge the topic by: "
                    "read its intervals")
    return "\n".join(rows)


def _interval(bounds: tuple[float, float] | None) -> str:
    return f"{bounds[0]:.2f}-{bounds[1]:.2f}" if bounds else "-"


def scores_json(scores: Sequence[TopicScore], mistakes: Sequence[Mistakes] | None) -> dict:
    """The scores as JSON-ready data: per topic the figures, the 95% intervals, the counts
    and `few`; then micro- and macro-F1; then, if given, the worst mistakes per topic."""
    def interval(bounds: tuple[float, float] | None) -> list[float] | None:
        return [round(bounds[0], 4), round(bounds[1], 4)] if bounds else None

    def item(paper: Paper, result: TopicResult) -> dict:
        return {"line": paper.line, "title": paper.title, "topics": list(paper.topics),
                "score": result.score, "threshold": result.threshold,
                "hits": [{"term": h.term, "role": h.role, "field": h.field, "points": h.points}
                         for h in result.hits]}

    report = {
        "topics": {s.slug: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                            "f1": round(s.f1, 4), "support": s.support,
                            "predicted": s.predicted,
                            "precision_interval": interval(s.precision_interval),
                            "recall_interval": interval(s.recall_interval), "few": s.few}
                   for s in scores},
        "micro_f1": round(micro_f1(scores), 4), "macro_f1": round(macro_f1(scores), 4),
        "few_below": FEW}
    if mistakes is not None:
        report["errors"] = {
            topic.slug: {"false_positives": [item(*m) for m in topic.false_positives],
                         "false_negatives": [item(*m) for m in topic.false_negatives]}
            for topic in mistakes}
    return report
