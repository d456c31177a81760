"""`like` views' cost: refits are rare and may be slow; a run scoring new papers must stay cheap.

A library of 2,000 papers over a 100,000-paper synthetic history (the dev papers repeated,
as bench/corpus.py builds its corpora), of which a fit reads the newest 3,000. Measured: the
fit (time, peak RSS), the saved model (size, load time; against a pickle of the same model),
and what a cron run pays in a fresh process: importing scikit-learn, loading the model,
scoring a day's new papers with their closest library paper.

Usage: python -m bench.bench_like [--library N] [--history N] [--repeat K] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import paper_corpus

NEW_PER_RUN = 20  # bench_pipeline's full run: 20 new papers on the page


def library_and_history(library: int, history: int):
    """The library's papers and what a refit reads of the history: its newest papers."""
    from feedmaker.like.library import LibraryPaper
    from feedmaker.like.model import MAX_BACKGROUND, Text

    corpus = paper_corpus(library + min(history, MAX_BACKGROUND))
    papers = [LibraryPaper(where=f"bench.bib:{n}", title=f"{title} [{n}]", abstract=summary)
              for n, (title, summary) in enumerate(corpus[:library])]
    background = [Text(f"{title} ({n})", summary) for n, (title, summary) in
                  enumerate(corpus[library:])]
    return papers, background


def run(library: int = 2000, history: int = 100_000, repeat: int = 5) -> dict:
    """Every figure: the fit and the saved model here, a cron run's cost in a fresh process."""
    from feedmaker.like.model import Model, _sklearn, fit

    start = time.perf_counter()
    _sklearn()
    imported = time.perf_counter() - start
    papers, background = library_and_history(library, history)
    start = time.perf_counter()
    model = fit(papers, background)
    fit_s = time.perf_counter() - start
    fit_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    blob = model.to_bytes()
    loads = []
    for _ in range(repeat):
        start = time.perf_counter()
        Model.from_bytes(blob)
        loads.append(time.perf_counter() - start)
    model.score(["warm"])  # the pickle then holds the rebuilt vectorizers, as a run's would
    pickled = pickle.dumps(model)
    unpickles = []
    for _ in range(repeat):
        start = time.perf_counter()
        pickle.loads(pickled)  # noqa: S301 - our own bytes, to compare sizes and times
        unpickles.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        path.write_bytes(blob)
        runs = [json.loads(subprocess.run([sys.executable, "-c", _RUN_CHILD, str(path)],
                                          check=True, capture_output=True, text=True).stdout)
                for _ in range(repeat)]
    return {"library": library, "history": history, "background_used": len(background),
            "import_s": imported, "fit_s": fit_s, "fit_rss_mb": fit_rss,
            "terms": len(model.words) + len(model.pairs), "model_bytes": len(blob),
            "load_s": statistics.median(loads), "pickle_bytes": len(pickled),
            "unpickle_s": statistics.median(unpickles),
            "run_import_s": statistics.median(r["import_s"] for r in runs),
            "run_load_s": statistics.median(r["load_s"] for r in runs),
            "run_score_s": statistics.median(r["score_s"] for r in runs)}


_RUN_CHILD = f"""
import json, sys, time
start = time.perf_counter()
from feedmaker.like.model import Model, _sklearn
_sklearn()
imported = time.perf_counter()
model = Model.from_bytes(open(sys.argv[1], "rb").read())
loaded = time.perf_counter()
from bench.corpus import paper_corpus
texts = [f"{{t}}. {{s}}" for t, s in paper_corpus({NEW_PER_RUN}, seed=7)]
scored = time.perf_counter()
model.score(texts)
print(json.dumps({{"import_s": imported - start, "load_s": loaded - imported,
                  "score_s": time.perf_counter() - scored}}))
"""


def report(r: dict) -> str:
    """The figures as text."""
    return "\n".join([
        f"like views: library of {r['library']:,} over {r['history']:,} history "
        f"(a fit reads the newest {r['background_used']:,}); medians",
        f"  refit: {r['fit_s']:.2f} s, peak RSS {r['fit_rss_mb']:.0f} MB "
        f"(+ scikit-learn's import, {r['import_s']:.2f} s)",
        f"  saved model: {r['model_bytes'] / 1e6:.2f} MB, {r['terms']:,} terms; "
        f"load {r['load_s'] * 1000:.0f} ms (a pickle of it: {r['pickle_bytes'] / 1e6:.2f} MB, "
        f"{r['unpickle_s'] * 1000:.0f} ms)",
        f"  a run's like cost ({NEW_PER_RUN} new papers, no refit, fresh process): import "
        f"{r['run_import_s']:.2f} s + load {r['run_load_s'] * 1000:.0f} ms + score "
        f"{r['run_score_s'] * 1000:.0f} ms",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", type=int, default=2000)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args()
    result = run(args.library, args.history, args.repeat)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
