"""Deterministic benchmark corpora built from the dev papers bundled in tests/fixtures."""

from __future__ import annotations

import functools
import json
import random
import re
from collections import Counter
from pathlib import Path

DEV_PAPERS = Path(__file__).parent.parent / "tests" / "fixtures" / "arxiv-topics-dev.jsonl"


@functools.cache
def dev_papers() -> list[dict]:
    with DEV_PAPERS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def paper_corpus(size: int, seed: int = 20261128) -> list[tuple[str, str]]:
    """`size` (title, summary) pairs: the dev papers repeated and shuffled with a fixed seed."""
    papers = [(p["title"], p["summary"]) for p in dev_papers()]
    corpus = (papers * (size // len(papers) + 1))[:size]
    random.Random(seed).shuffle(corpus)
    return corpus


def vocabulary_terms(count: int, exclude: set[str], band: tuple[float, float] | None = None
                     ) -> list[str]:
    """`count` words and word pairs (4+ letters) of the dev papers, most frequent first.

    With `band` = (low, high), only terms found in that share of papers: the default
    rules' own terms sit between 0.24% and 2.2% (their quartiles), so topic-like terms
    come from that band; without it, the most common words come first (a worst case:
    about 40 times more hits per paper than real rules).
    """
    papers = dev_papers()
    counts: Counter[str] = Counter()
    for paper in papers:
        words = re.findall(r"[a-z]{4,}", (paper["title"] + " " + paper["summary"]).lower())
        counts.update(set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)})
    low, high = band or (0.0, 1.0)
    return [term for term, n in counts.most_common()
            if term not in exclude and low <= n / len(papers) <= high][:count]
