"""Print the `like` quality table of docs/like.md: for each topic with 40+ papers, a 30-paper
library (5 seeds) and the other papers as the stream; precision of the 25 best.

Usage: python scripts/eval_like.py [data/papers-17-dev.jsonl]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from feedmaker.evaluate import read_papers
from feedmaker.like.quality import TARGETS, evaluate_topic, format_table, topics_with


def main(path: str = "data/papers-17-dev.jsonl") -> None:
    with Path(path).open(encoding="utf-8") as stream:
        papers = list(read_papers(stream, path))
    start = time.perf_counter()
    results = [evaluate_topic(papers, topic) for topic in topics_with(papers)]
    print(format_table(results, TARGETS))
    print(f"\n{len(papers)} papers from {path}; {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(*sys.argv[1:])
