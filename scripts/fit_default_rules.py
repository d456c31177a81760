"""Fit weights for the default rules of the labelled topics, and estimate their quality.

Offline tooling, not part of feedmaker: needs scikit-learn (`pip install scikit-learn`).

Usage: python scripts/fit_default_rules.py DEV.jsonl [--cv] [--write]

Weighted terms with a threshold are a linear classifier over "does this term occur".
This script computes those occurrences with feedmaker's own matcher (so plurals, hyphen
variants and case rules are exactly what the rules will do), fits an L1-regularised
logistic regression per topic (few terms, readable), turns it into weights and a
threshold, and with --cv estimates quality on unseen papers by 5-fold cross-validation,
next to a TF-IDF + linear SVM trained and tested on the same folds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from feedmaker.tagger import Tagger, parse_term, parse_topics  # noqa: E402
from feedmaker.tagger.matcher import MatchTerm, TermMatcher  # noqa: E402

LABELLED = ["language", "vision", "audio", "robotics", "biology-medicine", "security",
            "retrieval-recsys"]
TITLE_WEIGHT = 1.5


VOCABULARY = Path(__file__).resolve().parent / "rule_vocabulary.toml"


def vocabulary() -> dict[str, list[str]]:
    with VOCABULARY.open("rb") as f:
        return tomllib.load(f)["terms"]


def features(papers, terms: list[str]) -> np.ndarray:
    parsed = [parse_term(t) for t in terms]
    matcher = TermMatcher([MatchTerm(t.kind, t.text, t.case_sensitive) for t in parsed])
    x = np.zeros((len(papers), len(terms)), dtype=np.float32)
    for row, p in enumerate(papers):
        x[row, matcher.search(p["summary"])] = 1.0
        x[row, matcher.search(p["title"])] = TITLE_WEIGHT
    return x


def fit_topic(x, y, terms: list[str], own: set[str], c: float) -> dict:
    """L1 logistic regression; own terms may only count for, others only against."""
    keep = list(range(len(terms)))
    for _ in range(5):
        model = LogisticRegression(l1_ratio=1.0, C=c, solver="liblinear",
                                   class_weight="balanced", max_iter=5000)
        model.fit(x[:, keep], y)
        weights = model.coef_[0]
        wrong = {keep[i] for i, w in enumerate(weights)
                 if (w > 0) != (terms[keep[i]] in own) and w != 0}
        if not wrong:
            break
        keep = [i for i in keep if i not in wrong]
        model.fit(x[:, keep], y)
        weights = model.coef_[0]
    # The F1-best cut on the training papers, rather than the regression's 50% point.
    scores = x[:, keep] @ weights
    cuts = np.quantile(scores, np.linspace(0.5, 0.99, 50))
    best = max(cuts, key=lambda cut: f1_score(y, scores >= cut))
    scale = max(best, 1e-6) / 3.0  # threshold 3 keeps weights readable
    table = [(terms[i], round(float(w / scale), 1)) for i, w in zip(keep, weights, strict=True)
             if (w > 0) == (terms[i] in own)]
    table = [(t, w) for t, w in table if abs(w) >= 0.2]
    table.sort(key=lambda tw: -tw[1])
    return {"threshold": 3.0, "title_weight": TITLE_WEIGHT,
            "any": [f"{t}^{w:g}" for t, w in table]}


def fit_rules(papers, c: float) -> dict:
    vocab = vocabulary()
    terms = sorted({t for ts in vocab.values() for t in ts})
    x = features(papers, terms)
    rules = {}
    for slug in LABELLED:
        y = np.array([slug in p["topics"] for p in papers])
        rules[slug] = fit_topic(x, y, terms, set(vocab[slug]), c)
    return rules


def macro_f1_of_rules(rules: dict, papers) -> dict:
    tagger = Tagger(parse_topics(rules))
    predicted = [set(tagger.tag_fields(p["title"], p["summary"])) for p in papers]
    return {slug: f1_score([slug in p["topics"] for p in papers],
                           [slug in pr for pr in predicted]) for slug in LABELLED}


def cross_validate(papers, c: float) -> None:
    folds = KFold(5, shuffle=True, random_state=0)
    rule_f1, svm_f1 = Counter(), Counter()
    for train, test in folds.split(papers):
        train_p, test_p = [papers[i] for i in train], [papers[i] for i in test]
        for slug, f1 in macro_f1_of_rules(fit_rules(train_p, c), test_p).items():
            rule_f1[slug] += f1 / 5
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        xtr = vec.fit_transform([p["title"] + " " + p["summary"] for p in train_p])
        xte = vec.transform([p["title"] + " " + p["summary"] for p in test_p])
        for slug in LABELLED:
            svm = LinearSVC(C=0.5, class_weight="balanced")
            svm.fit(xtr, [slug in p["topics"] for p in train_p])
            svm_f1[slug] += f1_score([slug in p["topics"] for p in test_p], svm.predict(xte)) / 5
    print(f"5-fold cross-validation, C={c}")
    print(f"{'topic':<20} {'rules':>6} {'svm':>6}")
    for slug in LABELLED:
        print(f"{slug:<20} {rule_f1[slug]:>6.3f} {svm_f1[slug]:>6.3f}")
    print(f"{'macro-F1':<20} {sum(rule_f1.values()) / 7:>6.3f} {sum(svm_f1.values()) / 7:>6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dev")
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("-C", type=float, default=0.1)
    parser.add_argument("--write", help="write the fitted tables as JSON here")
    args = parser.parse_args()
    with open(args.dev, encoding="utf-8") as f:
        papers = [json.loads(line) for line in f if line.strip()]
    if args.cv:
        cross_validate(papers, args.C)
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            json.dump(fit_rules(papers, args.C), f, indent=1)


if __name__ == "__main__":
    main()
