"""Tagging throughput against a per-keyword loop and a bare google-re2 Set scan (same run).

Usage: python -m bench.bench_tagger [--papers N] [--baseline-papers N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time

import re2

from bench.corpus import paper_corpus, vocabulary_terms
from feedmaker.tagger import Tagger, default_topics, parse_topics

TERMS = 1000
TARGETS = {"vs_loop": 100.0, "vs_re2_set": 0.7, "compile_ms": 50.0}


TOPIC_LIKE_BAND = (0.0024, 0.022)


def thousand_term_rules(band: tuple[float, float] | None = TOPIC_LIKE_BAND):
    """The default rules plus corpus terms up to 1,000 term uses over the 17 topics (the
    default rules alone when they hold more)."""
    topics = {t.slug: {"title": t.title, "any": [term.source for term in t.any],
                       "none": [term.source for term in t.none]} for t in default_topics()}
    existing = {term.source.lower() for t in default_topics() for term in t.any + t.none}
    needed = TERMS - Tagger(parse_topics(topics)).term_count
    slugs = list(topics)
    for number, term in enumerate(vocabulary_terms(max(needed, 0), existing, band)):
        topics[slugs[number % len(slugs)]]["any"].append(term)
    return parse_topics(topics)


def term_texts(rules) -> list[tuple[str, bool]]:
    seen = {}
    for topic in rules:
        for term in topic.any + topic.none + tuple(t for g in topic.all for t in g):
            if term.kind in ("word", "prefix"):
                seen[term.text] = term.case_sensitive
    return list(seen.items())


def per_keyword_loop(terms, corpus) -> float:
    regexes = [re.compile(r"\b" + re.escape(text) + r"\b", 0 if case else re.IGNORECASE)
               for text, case in terms]
    start = time.perf_counter()
    for title, summary in corpus:
        text = title + "\n" + summary
        [r for r in regexes if r.search(text)]
    return len(corpus) / (time.perf_counter() - start)


def _bare_set(terms):
    """A Set of `(?i)\\bterm\\b` patterns, compiled as a re2 user would."""
    options = re2.Options()
    options.max_mem = 64 << 20
    matcher = re2.Set.SearchSet(options)
    for text, case in terms:
        matcher.Add(("" if case else "(?i)") + r"\b" + re2.escape(text) + r"\b")
    matcher.Compile()
    return matcher


def bare_re2_set(terms):
    """Scan function: the bare Set over title and summary as one text."""
    matcher = _bare_set(terms)
    return lambda title, summary: matcher.Match(title + "\n" + summary)


def bare_re2_set_per_field(terms):
    """Scan function: the same Set over title and summary apart, the texts the tagger reads."""
    matcher = _bare_set(terms)
    return lambda title, summary: (matcher.Match(title), matcher.Match(summary))


def docs_per_second(function, corpus) -> float:
    start = time.perf_counter()
    for title, summary in corpus:
        function(title, summary)
    return len(corpus) / (time.perf_counter() - start)


def paired(first, second, corpus, round_size: int = 500) -> tuple[float, float, float]:
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


def compile_ms(rules, repeat: int = 9) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        Tagger(rules)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(papers: int, baseline_papers: int) -> dict:
    corpus = paper_corpus(papers)
    rules = thousand_term_rules()
    tagger = Tagger(rules)
    common_rules = thousand_term_rules(band=None)
    loop = per_keyword_loop(term_texts(rules), corpus[:baseline_papers])
    bare, ours, ratio = paired(bare_re2_set(term_texts(rules)), tagger.tag_fields, corpus)
    per_field, _, field_ratio = paired(bare_re2_set_per_field(term_texts(rules)),
                                       tagger.tag_fields, corpus)
    common_bare, common, _ = paired(bare_re2_set(term_texts(common_rules)),
                                    Tagger(common_rules).tag_fields, corpus[:papers // 5])
    return {
        "papers": papers, "terms": tagger.term_count,
        "loop_docs_per_s": loop, "re2_set_docs_per_s": bare, "tagger_docs_per_s": ours,
        "default_rules_docs_per_s": docs_per_second(Tagger(default_topics()).tag_fields,
                                                    corpus),
        "default_rules_terms": Tagger(default_topics()).term_count,
        "common_terms_docs_per_s": common, "common_terms_re2_set_docs_per_s": common_bare,
        "re2_set_per_field_docs_per_s": per_field, "vs_re2_set_per_field": field_ratio,
        "vs_loop": ours / loop, "vs_re2_set": ratio,
        "compile_ms": compile_ms(rules),
    }


def report(result: dict) -> str:
    rows = [
        f"tagging benchmark: {result['papers']:,} papers, {result['terms']} terms (default "
        "rules + corpus terms as common as theirs), one thread",
        f"  per-keyword re.search loop  {result['loop_docs_per_s']:>10,.0f} docs/s  (baseline)",
        f"  bare google-re2 Set scan    {result['re2_set_docs_per_s']:>10,.0f} docs/s  (baseline: "
        "title + summary as one text)",
        f"  bare Set, per field         {result['re2_set_per_field_docs_per_s']:>10,.0f} docs/s  "
        f"(title and summary scanned apart, as the tagger must: tagger at "
        f"{result['vs_re2_set_per_field']:.2f}x of it, no target)",
        f"  feedmaker tagger            {result['tagger_docs_per_s']:>10,.0f} docs/s",
        f"  feedmaker, default rules    {result['default_rules_docs_per_s']:>10,.0f} docs/s  "
        f"({result['default_rules_terms']} terms)",
        f"  worst case, 1,000 most common words: tagger "
        f"{result['common_terms_docs_per_s']:,.0f} docs/s, bare re2 Set "
        f"{result['common_terms_re2_set_docs_per_s']:,.0f} docs/s (no target)",
        _line("tagger / per-keyword loop", result["vs_loop"], ">=", TARGETS["vs_loop"], "x"),
        _line("tagger / bare re2 Set (median of paired rounds)", result["vs_re2_set"], ">=",
              TARGETS["vs_re2_set"], "x"),
        _line(f"compile {result['terms']:,} terms", result["compile_ms"], "<",
              TARGETS["compile_ms"], " ms"),
    ]
    return "\n".join(rows)


def _line(name: str, value: float, op: str, target: float, unit: str) -> str:
    ok = value >= target if op == ">=" else value < target
    return (f"  {name:<46} {value:>8.2f}{unit:<3}  target {op} {target:g}{unit.strip()}  "
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
