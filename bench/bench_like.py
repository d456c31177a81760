"""`like` views' cost: refits are rare and may be slow; scoring new papers must stay cheap.

A library of 2,000 papers over a 100,000-paper synthetic history (the dev papers repeated,
as bench/corpus.py builds its corpora). The fit runs in a child process (its own time,
peak RSS and scikit-learn's import cost); this process then loads the saved model and
scores a day's new papers with it, against the tagger on the same papers as baseline.

Usage: python -m bench.bench_like [--library N] [--history N] [--new N] [--repeat K]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import paper_corpus

NEW_PER_RUN = 20  # bench_pipeline's full run: 20 new papers on the page
MEMBERS = 10  # papers of a run that reach the feed and get a "similar to" line


def library_and_history(library: int, history: int):
    """The library's papers and what a refit reads of the history: its newest papers, as
    many as the fit can use (recipe.MAX_BACKGROUND, plus room for library papers in it)."""
    from feedmaker.like import recipe
    from feedmaker.like.fit import Text
    from feedmaker.like.paper import LibraryPaper

    corpus = paper_corpus(library + min(history, recipe.MAX_BACKGROUND + library))
    papers = [LibraryPaper(where=f"bench.bib:{n}", title=f"{title} [{n}]", abstract=summary)
              for n, (title, summary) in enumerate(corpus[:library])]
    background = [Text(f"{title} ({n})", summary) for n, (title, summary) in
                  enumerate(corpus[library:])]
    return papers, background


def fit_child(library: int, history: int, model_path: str) -> dict:
    """Fit in this (child) process and report time, import cost and peak RSS."""
    start = time.perf_counter()
    import sklearn.feature_extraction.text  # noqa: F401 - timed apart from the fit
    import sklearn.svm  # noqa: F401
    imported = time.perf_counter()
    rss_after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from feedmaker.like.fit import fit

    papers, background = library_and_history(library, history)
    built = time.perf_counter()
    result = fit(papers, background, inputs={"bench": True})
    fitted = time.perf_counter()
    fit_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    blob = result.model.to_bytes()
    Path(model_path).write_bytes(blob)
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [p.text for p in papers] + [f"{p.title}. {p.summary}"
                                        for p in background[:result.background_used]]
    tfidf_start = time.perf_counter()
    TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)
    tfidf_s = time.perf_counter() - tfidf_start
    return {"import_s": imported - start, "fit_s": fitted - built, "tfidf_alone_s": tfidf_s,
            "rss_after_import_mb": rss_after_import,
            "fit_rss_mb": fit_rss,
            "model_bytes": len(blob), "terms": len(result.model.idf),
            "background_used": result.background_used}


def run(library: int = 2000, history: int = 100_000, new: int = 500, repeat: int = 5) -> dict:
    """Every figure: the fit (child process), then loading and scoring here."""
    with tempfile.TemporaryDirectory() as tmp:
        model_path = str(Path(tmp) / "model.bin")
        child = subprocess.run(
            [sys.executable, "-m", "bench.bench_like", "--fit-child", "--library", str(library),
             "--history", str(history), "--model", model_path],
            check=True, capture_output=True, text=True)
        result = json.loads(child.stdout)
        blob = Path(model_path).read_bytes()
        # What a cron run pays: importing the scorer, loading, scoring (fresh process).
        scoring = subprocess.run([sys.executable, "-c", _SCORING_CHILD, model_path],
                                 check=True, capture_output=True, text=True)
        result.update(json.loads(scoring.stdout))
    from feedmaker.like.model import LikeModel
    from feedmaker.tagger import Tagger, default_topics

    tagger = Tagger(default_topics())
    papers = paper_corpus(new, seed=7)
    loads, scores, tags, closest = [], [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        model = LikeModel.from_bytes(blob)
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        for title, summary in papers:
            model.score(title, summary)
        scores.append((time.perf_counter() - start) / new)
        start = time.perf_counter()
        for title, summary in papers:
            tagger.tag_fields(title, summary)
        tags.append((time.perf_counter() - start) / new)
        start = time.perf_counter()
        for title, summary in papers[:MEMBERS]:
            model.score_with_closest(title, summary)
        closest.append(time.perf_counter() - start)  # includes the first-use index build
    score_ms, tag_ms = statistics.median(scores) * 1000, statistics.median(tags) * 1000
    load_s, closest_s = statistics.median(loads), statistics.median(closest)
    result.update({
        "library": library, "history": history,
        "load_s": load_s, "score_ms_per_paper": score_ms, "tag_ms_per_paper": tag_ms,
        "score_vs_tag": score_ms / tag_ms, "closest_s_for_members": closest_s,
        "run_cost_s": load_s + NEW_PER_RUN * score_ms / 1000 + closest_s,
    })
    return result


_SCORING_CHILD = """
import json, sys, time
start = time.perf_counter()
from feedmaker.like.model import LikeModel
imported = time.perf_counter()
model = LikeModel.from_bytes(open(sys.argv[1], "rb").read())
model.score_with_closest("A paper title", "Its abstract.")
print(json.dumps({"scorer_import_ms": (imported - start) * 1000,
                  "sklearn_imported_by_scoring": "sklearn" in sys.modules,
                  "numpy_imported_by_scoring": "numpy" in sys.modules}))
"""


def report(r: dict) -> str:
    """The figures as text, ratios against the baselines measured in the same run."""
    return "\n".join([
        f"like views: library of {r['library']:,} over {r['history']:,} history "
        f"(fit reads the newest {r['background_used']:,}); medians",
        f"  refit: {r['fit_s']:.2f} s, peak RSS {r['fit_rss_mb']:.0f} MB "
        f"(scikit-learn import alone: {r['import_s']:.2f} s, {r['rss_after_import_mb']:.0f} MB)",
        f"    fit / TF-IDF alone on the same papers: {r['fit_s'] / r['tfidf_alone_s']:.2f}x "
        f"({r['tfidf_alone_s']:.2f} s)",
        f"  saved model: {r['model_bytes'] / 1e6:.1f} MB, {r['terms']:,} terms; "
        f"load {r['load_s'] * 1000:.0f} ms",
        f"  scoring: {r['score_ms_per_paper']:.3f} ms a paper, "
        f"{r['score_vs_tag']:.2f}x the tagger's {r['tag_ms_per_paper']:.3f} ms",
        f"  closest library paper for {MEMBERS} members: {r['closest_s_for_members'] * 1000:.0f} ms"
        " (first use builds the index)",
        f"  a run's like cost ({NEW_PER_RUN} new papers, no refit): {r['run_cost_s']:.3f} s "
        f"+ {r['scorer_import_ms']:.0f} ms import; scikit-learn imported: "
        f"{'yes' if r['sklearn_imported_by_scoring'] else 'no'}, numpy: "
        f"{'yes' if r['numpy_imported_by_scoring'] else 'no'}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", type=int, default=2000)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the figures to this JSON file")
    parser.add_argument("--fit-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fit_child:
        print(json.dumps(fit_child(args.library, args.history, args.model)))
        return
    result = run(args.library, args.history, args.new, args.repeat)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
