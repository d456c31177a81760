"""Tagging throughput of the default rules, beside a per-keyword loop and a bare re2 Set scan.

Usage: python -m bench.bench_tagger [--papers N] [--baseline-papers N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable

import re2

from bench.corpus import paper_corpus
from feedmaker.model import Entry
from feedmaker.tagger import Tagger, TopicRule, default_topics
from feedmaker.tagger.reasons import topic_terms

TARGETS = {"tagger_docs_per_s": 10_000.0, "vs_loop": 100.0, "compile_ms": 50.0}


def term_texts(rules: tuple[TopicRule, ...]) -> list[tuple[str, bool]]:
    """The rules' word and prefix terms, once each, with whether they are case-sensitive."""
    seen = {}
    for topic in rules:
        for term in topic.any + topic.none + tuple(t for g in topic.all for t in g):
            if term.kind in ("word", "prefix"):
                seen[term.text] = term.case_sensitive
    return list(seen.items())


def per_keyword_loop(terms: list[tuple[str, bool]], corpus: list[Entry]) -> float:
    """Docs/s of the obvious way: one Python regex per term, each searched in turn."""
    regexes = [re.compile(r"\b" + re.escape(text) + r"\b", 0 if case else re.IGNORECASE)
               for text, case in terms]
    start = time.perf_counter()
    for paper in corpus:
        text = paper.title + "\n" + paper.summary
        [r for r in regexes if r.search(text)]
    return len(corpus) / (time.perf_counter() - start)


def bare_re2_set(terms: list[tuple[str, bool]]) -> Callable[[Entry], object]:
    """Scan function: a Set of `(?i)\\bterm\\b` patterns, compiled as a re2 user would, over
    title and summary as one text."""
    options = re2.Options()
    options.max_mem = 64 << 20
    matcher = re2.Set.SearchSet(options)
    for text, case in terms:
        matcher.Add(("" if case else "(?i)") + r"\b" + re2.escape(text) + r"\b")
    matcher.Compile()
    return lambda paper: matcher.Match(paper.title + "\n" + paper.summary)


def a_run(tagger: Tagger) -> Callable[[Entry], object]:
    """What a run does per paper: its topics with their scores, and the words behind them."""
    def tag(paper: Entry) -> object:
        verdicts = tagger.verdicts(paper)
        return [(r.slug, r.score) for r in verdicts], topic_terms(tagger, paper, verdicts)
    return tag


def docs_per_second(function: Callable[[Entry], object], corpus: list[Entry]) -> float:
    start = time.perf_counter()
    for paper in corpus:
        function(paper)
    return len(corpus) / (time.perf_counter() - start)


def paired(first, second, corpus: list[Entry], round_size: int = 500
           ) -> tuple[float, float, float]:
    """Median docs/s of two functions and the median of their per-round ratio.

    Rounds of `round_size` papers run the two over the same slice of the corpus, one right
    after the other, each first in every other round: a machine whose speed drifts
    (shared cores) then moves both sides of a ratio together. Short rounds pair better:
    seven rounds of 7,000 papers gave 0.52-0.59x for the same code on this machine.
    """
    rounds = max(1, len(corpus) // round_size)
    size = len(corpus) // rounds
    a, b, ratios = [], [], []
    for number in range(rounds):
        part = corpus[number * size:(number + 1) * size]
        if number % 2:
            b.append(docs_per_second(second, part))
            a.append(docs_per_second(first, part))
        else:
            a.append(docs_per_second(first, part))
            b.append(docs_per_second(second, part))
        ratios.append(b[-1] / a[-1])
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def compile_ms(rules: tuple[TopicRule, ...], repeat: int = 9) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        Tagger(rules)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(papers: int, baseline_papers: int) -> dict:
    corpus = [Entry(id=str(number), title=title, summary=summary, url="https://x.org/",
                    source="bench") for number, (title, summary) in enumerate(paper_corpus(papers))]
    rules = default_topics()
    tagger = Tagger(rules)
    terms = term_texts(rules)
    loop = per_keyword_loop(terms, corpus[:baseline_papers])
    bare, ours, ratio = paired(bare_re2_set(terms),
                               lambda paper: tagger.tag_fields(paper.title, paper.summary), corpus)
    return {
        "papers": papers, "terms": tagger.term_count,
        "loop_docs_per_s": loop, "re2_set_docs_per_s": bare, "tagger_docs_per_s": ours,
        "run_docs_per_s": docs_per_second(a_run(tagger), corpus),
        "vs_loop": ours / loop, "vs_re2_set": ratio, "compile_ms": compile_ms(rules),
    }


def report(result: dict) -> str:
    rows = [
        f"tagging benchmark: {result['papers']:,} papers, the default rules ({result['terms']:,} "
        "term uses), one thread",
        f"  {'per-keyword re.search loop':<30} {result['loop_docs_per_s']:>10,.0f} docs/s   "
        "baseline",
        f"  {'bare google-re2 Set scan':<30} {result['re2_set_docs_per_s']:>10,.0f} docs/s   "
        f"baseline: title + summary as one text; the tagger at {result['vs_re2_set']:.2f}x of "
        "it in paired rounds, no target",
        f"  {'a run (scores + terms)':<30} {result['run_docs_per_s']:>10,.0f} docs/s   "
        "verdicts and the words behind them, no target",
        _line("tagger (tag_fields)", result["tagger_docs_per_s"], ">=",
              TARGETS["tagger_docs_per_s"], " docs/s", ",.0f"),
        _line("tagger / per-keyword loop", result["vs_loop"], ">=", TARGETS["vs_loop"], "x"),
        _line(f"compile {result['terms']:,} terms", result["compile_ms"], "<",
              TARGETS["compile_ms"], " ms"),
    ]
    return "\n".join(rows)


def _line(name: str, value: float, op: str, target: float, unit: str, form: str = ".2f"
          ) -> str:
    ok = value >= target if op == ">=" else value < target
    return (f"  {name:<30} {value:>10{form}}{unit:<7}   target {op} {target:{form}}{unit}  "
            f"{'ok' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--baseline-papers", type=int, default=500,
                        help="papers for the slow per-keyword loop (it runs ~40 docs/s)")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args()
    result = run(args.papers, args.baseline_papers)
    print(report(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
