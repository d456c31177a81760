"""Propose weighted terms for one topic from labelled papers: readable rules a person edits."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from feedmaker.evaluate import Paper
from feedmaker.tagger import Tagger, parse_topics
from feedmaker.tagger.matcher import plural_variants

_STOPWORD_TEXT = """
a about above after all also an and any are as at be been being both but by can could do
does each for from has have how however if in into is it its may more most new no not of
on one or our over such than that the their them then there these they this those through
to two under up use used using via was we were what when where which while who will with
within without would based show shows paper propose proposed approach method methods results
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
# URLs (with a scheme, "www." or a host and a path) and e-mail addresses: their pieces
# ("github", "com", a lab's name) are no words of the topic.
_LINK = re.compile(r"\S*(?:://|@)\S*|\bwww\.\S+|\S*\w\.\w+/\S*", re.IGNORECASE)


@dataclass(frozen=True)
class Suggestion:
    """A proposed term with its counts in labelled papers and a suggested weight."""

    term: str
    positives: int
    negatives: int
    log_odds: float
    weight: int


def candidate_terms(text: str) -> set[str]:
    """Lower-cased phrases of one to three words that neither start nor end with a
    stopword, nor take in a link or an e-mail address (nor span one: the words on either
    side are not a phrase)."""
    grams = set()
    for piece in _LINK.split(text):
        words = [w.lower() for w in _WORD.findall(piece)]
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                gram = words[start:start + size]
                if gram[0] in STOPWORDS or gram[-1] in STOPWORDS or len(gram[-1]) < 3:
                    continue
                grams.add(" ".join(gram))
    return grams


def merge_plurals(docs: list[set[str]]) -> list[set[str]]:
    """The documents' terms with each plural replaced by its singular, when both are
    found: a rule's word matches its simple plural too (see tagger.matcher), so "robot"
    and "robots" are one term, counted once per paper."""
    vocabulary = set().union(*docs)
    # In order, so a plural of two words ("erases": "erase", "eras") always goes to the
    # same one (the last in that order), whatever the run's hash seed.
    singular = {plural: term for term in sorted(vocabulary)
                for plural in plural_variants(term, case_sensitive=False)[1:]
                if plural in vocabulary}
    return [{singular.get(term, term) for term in doc} for doc in docs]


def suggest_terms(papers: Sequence[Paper], slug: str, *, count: int = 40,
                  min_positives: int = 5) -> list[Suggestion]:
    """The terms most over-represented in papers labelled `slug`, by smoothed log-odds.

    Terms found in fewer than `min_positives` labelled papers are left out: on papers the
    rules never saw, rare terms mostly add noise. A term contained in a better-scoring
    one that adds few papers of its own is left out too. A word and its plural are one
    term (see `merge_plurals`).
    """
    labelled = [slug in (p.topics or ()) for p in papers]
    if not any(labelled):
        return []
    docs = merge_plurals([candidate_terms(p.title + " " + p.summary) for p in papers])
    in_pos, in_neg = Counter(), Counter()
    for doc, positive in zip(docs, labelled, strict=True):
        (in_pos if positive else in_neg).update(doc)
    total_pos = sum(labelled)
    total_neg = max(len(docs) - total_pos, 1)
    scored = []
    for term, pos in in_pos.items():
        if pos < min_positives:
            continue
        neg = in_neg[term]
        log_odds = (math.log((pos + 0.5) / (total_pos - pos + 0.5))
                    - math.log((neg + 0.5) / (total_neg - neg + 0.5)))
        if log_odds > 1.0:
            scored.append((log_odds * math.log1p(pos), term, pos, neg, log_odds))
    scored.sort(reverse=True)
    chosen: list[Suggestion] = []
    for _, term, pos, neg, log_odds in scored:
        if any(f" {c.term} " in f" {term} " and pos < 1.2 * c.positives for c in chosen):
            continue
        chosen.append(Suggestion(term, pos, neg, round(log_odds, 2),
                                 weight=max(1, min(3, round(log_odds / 1.5)))))
        if len(chosen) == count:
            break
    return chosen


def best_threshold(papers: Sequence[Paper], slug: str, suggestions: Sequence[Suggestion]
                   ) -> tuple[float, float]:
    """The threshold (and its F1 on `papers`) that sorts them best with these terms."""
    tagger = Tagger(parse_topics({slug: {"any": [f"{s.term}^{s.weight}" for s in suggestions]}}))
    # With `any` terms alone, a paper is in the topic when its score reaches the threshold:
    # each paper is scored once, with its label, and every threshold is tried on that.
    scored = [(tagger.explain(p.title, p.summary)[0].score, slug in (p.topics or ()))
              for p in papers]

    def f1_at(threshold: int) -> float:
        tp = sum(truth and score >= threshold for score, truth in scored)
        fp = sum(not truth and score >= threshold for score, truth in scored)
        fn = sum(truth and score < threshold for score, truth in scored)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    best = max(range(1, 7), key=f1_at)  # the lowest of equally good thresholds
    return float(best), f1_at(best)


def format_toml(slug: str, suggestions: Sequence[Suggestion], threshold: float,
                f1: float) -> str:
    """The proposal as a [topics.<slug>] table, one commented term a line."""
    lines = [f"# Proposed from labelled papers: F1 {f1:.3f} on them (expect less on new papers).",
             "# Counts: papers with the term, labelled / not labelled. Edit before use.",
             f"[topics.{slug}]", f"threshold = {threshold:g}", "any = ["]
    for s in suggestions:
        lines.append(f'    "{s.term}^{s.weight}",'.ljust(44)
                     + f"# {s.positives} / {s.negatives}, log-odds {s.log_odds:.2f}")
    lines.append("]")
    return "\n".join(lines)
