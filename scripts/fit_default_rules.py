"""Fit the default topic rules from the labelled papers, and measure them by cross-validation.

Usage: python scripts/fit_default_rules.py [--cv] [--write [PATH]] [--dev F] [--extra F ...]

--write regenerates feedmaker/tagger/defaults.toml (or PATH); --cv prints 5-fold
cross-validation on the uniform file: each fold's rules are fitted on the other four
fifths plus every supplementary file, and scored through feedmaker's own tagger, text
only, on the fifth they never saw, beside a TF-IDF + linear SVM trained and scored on the
same folds. The same files always give the same rules, byte for byte.

A topic's weighted terms and threshold are a linear classifier over "does this term
occur" (a title hit counting title_weight times). So per topic this script finds the
occurrences of the hand-written vocabulary of scripts/rule_vocabulary.toml with
feedmaker's own matcher (plurals, hyphens and case exactly as the rules will see them)
and fits a class-balanced logistic regression over them, in which:
- the topic's `for` and `strong` terms may only count for it, its `against` terms and
  every other topic's terms only against it;
- the `strong` terms share one weight, so a rare one counts as much as the common ones;
- an L1 penalty keeps few terms (and a refit with less of it keeps their weights honest);
  topics with few labelled papers are penalised more, so they trust their data less.
The threshold is the one with the best F1 on cross-validated scores of the uniform
papers among those keeping precision >= 0.75: a feed with many wrong papers is worse
than one that misses a few. Titles, descriptions, vetoes and notes are copied from the
vocabulary file.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from feedmaker.evaluate import (  # noqa: E402
    Paper,
    TopicScore,
    evaluate,
    macro_f1,
    micro_f1,
    read_papers,
)
from feedmaker.tagger import Tagger, parse_term, parse_topics  # noqa: E402
from feedmaker.tagger.matcher import MatchTerm, TermMatcher  # noqa: E402

DEV = ROOT / "data" / "papers-17-dev.jsonl"
EXTRA = ROOT / "data" / "papers-17-rare.jsonl"
VOCABULARY = ROOT / "scripts" / "rule_vocabulary.toml"
RULES = ROOT / "feedmaker" / "tagger" / "defaults.toml"


@dataclass(frozen=True)
class Settings:
    """The fitting choices (chosen by cross-validation; README "Default topics")."""

    title_weight: float = 2.0
    l1: float = 0.002            # per unit of weight; larger keeps fewer terms
    relax: float = 0.1           # the chosen terms are refitted with this share of l1
    l2: float = 0.003
    # A topic with fewer labelled papers than this has its penalties raised in proportion:
    # balanced class weights give its positives half the loss however few they are.
    reference_positives: int = 200
    min_precision: float = 0.75  # cross-validated, on the uniform papers
    threshold: float = 3.0       # weights are scaled so that the threshold reads 3...
    max_weight: float = 10.0     # ...unless a weight would then exceed 10
    folds: int = 5
    seed: int = 0


def load(path: Path) -> list[Paper]:
    """The labelled papers of a JSON-lines file."""
    with path.open(encoding="utf-8") as f:
        return list(read_papers(f, str(path)))


def vocabulary(path: Path = VOCABULARY) -> dict[str, dict]:
    """The `[topics.*]` tables of the vocabulary file, in order, their strong terms checked."""
    with path.open("rb") as f:
        topics = tomllib.load(f)["topics"]
    for slug, table in topics.items():
        strong = table.get("strong", [])
        # Strong terms share one weight: one inside another ("language model" in "large
        # language model") would count that weight twice for one phrase.
        matcher = _matcher(strong)
        for i, term in enumerate(strong):
            inside = [strong[j] for j in matcher.search(parse_term(term).text) if j != i]
            if inside:
                raise SystemExit(f"{path}: [topics.{slug}] strong term {term!r} contains "
                                 f"{inside[0]!r}: keep one of them")
    return topics


def all_terms(vocab: dict[str, dict]) -> list[str]:
    """Every term of the vocabulary, once."""
    return list(dict.fromkeys(t for table in vocab.values() for t in table.get("strong", [])
                              + table.get("for", []) + table.get("against", [])))


def _matcher(terms: list[str]) -> TermMatcher:
    parsed = [parse_term(term) for term in terms]
    return TermMatcher([MatchTerm(t.kind, t.text, t.case_sensitive) for t in parsed])


class Occurrences:
    """Which vocabulary term occurs in which paper, anywhere and in the title."""

    def __init__(self, terms: list[str], papers: list[Paper]) -> None:
        self.column = {term: i for i, term in enumerate(terms)}
        matcher = _matcher(terms)
        anywhere, in_title = [], []
        for paper in papers:
            title = set(matcher.search(paper.title))
            anywhere.append(sorted(title | set(matcher.search(paper.summary))))
            in_title.append(sorted(title))
        self.anywhere = _indicator(anywhere, len(terms))
        self.in_title = _indicator(in_title, len(terms))

    def features(self, rows: np.ndarray, terms: list[str], title_weight: float
                 ) -> sparse.csr_matrix:
        """Per paper and term: 0 absent, 1 in the summary only, `title_weight` in the title
        (what the tagger counts)."""
        columns = [self.column[term] for term in terms]
        return (self.anywhere[rows][:, columns]
                + (title_weight - 1) * self.in_title[rows][:, columns]).tocsr()


def _indicator(hits: list[list[int]], width: int) -> sparse.csr_matrix:
    rows = np.repeat(np.arange(len(hits)), [len(h) for h in hits])
    columns = np.array([i for h in hits for i in h], dtype=np.int64)
    return sparse.csr_matrix((np.ones(len(columns)), (rows, columns)), shape=(len(hits), width))


@dataclass(frozen=True)
class Candidates:
    """A topic's candidate terms: the sign each weight may take, and which are strong."""

    terms: list[str]
    signs: np.ndarray
    strong: np.ndarray


def candidates(vocab: dict[str, dict], slug: str) -> Candidates:
    """The topic's own terms (for), then its `against` terms and the other topics'."""
    table = vocab[slug]
    strong = list(dict.fromkeys(table.get("strong", [])))
    own = strong + [t for t in dict.fromkeys(table.get("for", [])) if t not in strong]
    against = [t for t in dict.fromkeys(table.get("against", [])) if t not in own]
    if table.get("others", True):
        others = [t for other, theirs in vocab.items() if other != slug
                  for t in theirs.get("strong", []) + theirs.get("for", [])]
        against += [t for t in dict.fromkeys(others) if t not in own and t not in against]
    return Candidates(own + against, np.array([1.0] * len(own) + [-1.0] * len(against)),
                      np.arange(len(own) + len(against)) < len(strong))


def fit_weights(x: sparse.csr_matrix, y: np.ndarray, signs: np.ndarray,
                settings: Settings) -> tuple[np.ndarray, float]:
    """Class-balanced logistic regression with L1 and L2 penalties, each weight's sign fixed.

    With the signs fixed, |w| is linear, so L-BFGS-B with bounds solves the L1 problem
    exactly; it starts from zero, so the result is deterministic. Then the terms it kept
    are refitted with `relax` times the L1 penalty (a "relaxed lasso"): the penalty chose
    them, and should not also shrink them.
    """
    positives = max(int(y.sum()), 1)
    weight = np.where(y, len(y) / (2 * positives), len(y) / (2 * max(len(y) - positives, 1)))
    weight /= weight.sum()
    target = np.where(y, 1.0, -1.0)

    def loss(params: np.ndarray, l1: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margin = target * (x @ w + b)
        slope = -weight * target / (1 + np.exp(np.clip(margin, -50, 50)))
        value = weight @ np.logaddexp(0, -margin) + l1 @ w + settings.l2 / 2 * (w @ w)
        return value, np.append(x.T @ slope + l1 + settings.l2 * w, slope.sum())

    bounds = [(0, None) if s > 0 else (None, 0) for s in signs] + [(None, None)]
    options = {"maxiter": 2000}
    l1 = settings.l1 * signs
    params = optimize.minimize(loss, np.zeros(len(signs) + 1), args=(l1,), jac=True,
                               method="L-BFGS-B", bounds=bounds, options=options).x
    kept = np.append(params[:-1] != 0, True)
    bounds = [bound if keep else (0, 0) for bound, keep in zip(bounds, kept, strict=True)]
    params = optimize.minimize(loss, params, args=(l1 * settings.relax,), jac=True,
                               method="L-BFGS-B", bounds=bounds, options=options).x
    return params[:-1], float(params[-1])


def best_cut(scores: np.ndarray, truth: np.ndarray, min_precision: float) -> float:
    """The score cut with the best F1 among those keeping precision >= min_precision
    (the most precise one when none does)."""
    order = np.argsort(-scores, kind="stable")
    ordered, hits = scores[order], np.cumsum(truth[order])
    predicted = np.arange(1, len(order) + 1)
    precision = hits / predicted
    f1 = 2 * hits / (predicted + max(int(truth.sum()), 1))
    # Only cut between distinct scores: all papers with one score fall on one side.
    last = np.append(ordered[1:] != ordered[:-1], True)
    allowed = last & (precision >= min_precision)
    if not allowed.any():
        return float(ordered[int(np.argmax(np.where(last, precision + 1e-3 * hits, -1)))])
    return float(ordered[max(np.flatnonzero(allowed), key=lambda i: (f1[i], -i))])


def fit_topic(occurrences: Occurrences, vocab: dict[str, dict], slug: str, truth: np.ndarray,
              rows: np.ndarray, uniform: np.ndarray, settings: Settings) -> dict:
    """One topic's `threshold`, `title_weight` and weighted `any` terms, fitted on `rows`
    (`uniform` marks those from the uniform file, on which the threshold is chosen)."""
    found = candidates(vocab, slug)
    x = occurrences.features(rows, found.terms, settings.title_weight)
    # The first column counts the strong terms found: its weight is the one they share;
    # each may add a weight of its own on top.
    x = sparse.hstack([x[:, found.strong].sum(axis=1), x], format="csr")
    signs = np.append(1.0, found.signs)
    y = truth[rows]
    strength = max(1.0, settings.reference_positives / max(int(y.sum()), 1))
    settings = replace(settings, l1=settings.l1 * strength, l2=settings.l2 * strength)
    held_out = np.zeros(len(rows))
    for inner, test in _folds(np.arange(len(rows)), settings):
        w, b = fit_weights(x[inner], y[inner], signs, settings)
        held_out[test] = x[test] @ w + b
    # Chosen on the uniform papers only: the supplement holds more of a rare topic than a
    # reader's feed would, which would make precision look better than it is.
    cut = best_cut(held_out[uniform], y[uniform], settings.min_precision)
    w, b = fit_weights(x, y, signs, settings)
    w = w[1:] + np.where(found.strong, w[0], 0.0)
    # A paper with no term never matches, so the threshold must be positive: a topic as
    # common as vision may want its cut at the intercept, and then gets it just above.
    largest = float(np.abs(w).max())
    above = max(cut - b, largest / settings.max_weight)
    scale = max(above / settings.threshold, largest / settings.max_weight)
    weights = [(term, round(float(weight / scale), 1)) for term, weight in zip(
        found.terms, w, strict=True)]
    weights = sorted((tw for tw in weights if tw[1] != 0), key=lambda tw: (-tw[1], tw[0].lower()))
    if not weights or weights[0][1] <= 0:
        raise SystemExit(f"[topics.{slug}]: no term counts for the topic; does any paper "
                         "carry its label?")
    return {"threshold": max(round(above / scale, 1), 0.1), "title_weight": settings.title_weight,
            "any": [f"{term}^{weight:g}" for term, weight in weights]}


def _folds(indices: np.ndarray, settings: Settings) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs of a seeded k-fold split."""
    shuffled = np.random.default_rng(settings.seed).permutation(indices)
    parts = np.array_split(shuffled, settings.folds)
    return [(np.sort(np.concatenate(parts[:k] + parts[k + 1:])), np.sort(part))
            for k, part in enumerate(parts)]


def fit_rules(occurrences: Occurrences, papers: list[Paper], rows: np.ndarray,
              uniform: np.ndarray, vocab: dict[str, dict], settings: Settings) -> dict:
    """Every topic's table for defaults.toml, fitted on `papers[rows]`."""
    rules = {}
    for slug, table in vocab.items():
        truth = np.array([slug in paper.topics for paper in papers])
        rules[slug] = {"title": table["title"], "description": table["description"],
                       **fit_topic(occurrences, vocab, slug, truth, rows, uniform, settings)}
        if table.get("none"):
            rules[slug]["none"] = list(table["none"])
    return rules


HEADER = """\
# The 17 default topics. The table key is the slug and the feed's file name; README.md
# ("Topic rules") explains every key and term form, and "Default topics" how well they do.
#
# Generated by scripts/fit_default_rules.py from the labelled papers in data/ and the
# hand-written vocabulary, titles, descriptions and vetoes of scripts/rule_vocabulary.toml:
# edit those and run the script again. A paper belongs to a topic when the weights of its
# terms that occur add up to the threshold (a term found in the title counts title_weight
# times; a negative weight counts against). Terms with equal weights at the top of a list
# are the topic's "strong" terms, which share one fitted weight. `feedmaker explain` shows
# how a paper was scored.
"""


def render(rules: dict, vocab: dict[str, dict]) -> str:
    """The rules as the commented TOML of defaults.toml."""
    lines = [HEADER.rstrip("\n")]
    for slug, rule in rules.items():
        lines += ["", f"[topics.{slug}]", f"title = {_quote(rule['title'])}",
                  f"description = {_quote(rule['description'])}",
                  f"threshold = {rule['threshold']:g}", f"title_weight = {rule['title_weight']:g}"]
        lines += [f"# {note}" for note in vocab.get(slug, {}).get("notes", [])]
        lines += ["any = ["] + _wrapped(rule["any"]) + ["]"]
        if rule.get("none"):
            lines += ["none = ["] + _wrapped(rule["none"]) + ["]"]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrapped(terms: list[str], width: int = 96) -> list[str]:
    lines, line = [], "   "
    for term in terms:
        item = f" {_quote(term)},"
        if len(line) + len(item) > width:
            lines.append(line)
            line = "   "
        line += item
    return lines + [line]


def tagger_of(rules: dict) -> Tagger:
    """The rules as feedmaker reads them from defaults.toml."""
    return Tagger(parse_topics(tomllib.loads(render(rules, {}))["topics"]))


def cross_validate(dev: list[Paper], extra: list[Paper], vocab: dict[str, dict],
                   settings: Settings) -> tuple[list[TopicScore], list[TopicScore]]:
    """The rules' and the TF-IDF + SVM anchor's counts on each held-out fifth, summed."""
    papers = dev + extra
    occurrences = Occurrences(all_terms(vocab), papers)
    slugs = list(vocab)
    counts = {"rules": {s: np.zeros(3, dtype=int) for s in slugs},
              "svm": {s: np.zeros(3, dtype=int) for s in slugs}}
    for number, (train, test) in enumerate(_folds(np.arange(len(dev)), settings), 1):
        rows = np.concatenate([train, np.arange(len(dev), len(papers))])
        rules = fit_rules(occurrences, papers, rows, rows < len(dev), vocab, settings)
        held_out = [dev[i] for i in test]
        for score in evaluate(tagger_of(rules), held_out, topics=slugs):
            counts["rules"][score.slug] += [score.true_positives, score.false_positives,
                                            score.false_negatives]
        for slug, found in svm_anchor([papers[i] for i in rows], held_out, slugs).items():
            counts["svm"][slug] += found
        print(f"fold {number} of {settings.folds} done", file=sys.stderr)
    return tuple([TopicScore(slug, *map(int, counts[kind][slug])) for slug in slugs]
                 for kind in ("rules", "svm"))


def svm_anchor(train: list[Paper], test: list[Paper], slugs: list[str]) -> dict:
    """Counts of a TF-IDF (words and word pairs) + class-balanced linear SVM per topic."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x_train = vectorizer.fit_transform([p.title + " " + p.summary for p in train])
    x_test = vectorizer.transform([p.title + " " + p.summary for p in test])
    counts = {}
    for slug in slugs:
        y = np.array([slug in p.topics for p in train])
        truth = np.array([slug in p.topics for p in test])
        predicted = LinearSVC(C=0.5, class_weight="balanced").fit(x_train, y).predict(x_test)
        counts[slug] = np.array([(predicted & truth).sum(), (predicted & ~truth).sum(),
                                 (~predicted & truth).sum()])
    return counts


def cv_table(rules: list[TopicScore], svm: list[TopicScore]) -> str:
    """Per topic the rules' precision, recall and F1 and the SVM's, then micro and macro F1."""
    svm_of = {s.slug: s for s in svm}
    rows = [f"{'':<24} {'rules':^22}   {'TF-IDF + linear SVM':^22}",
            f"{'topic':<24} {'P':>6} {'R':>7} {'F1':>7}   {'P':>6} {'R':>7} {'F1':>7} "
            f"{'support':>8}"]
    for score in rules:
        other = svm_of[score.slug]
        rows.append(f"{score.slug:<24} {score.precision:>6.3f} {score.recall:>7.3f} "
                    f"{score.f1:>7.3f}   {other.precision:>6.3f} {other.recall:>7.3f} "
                    f"{other.f1:>7.3f} {score.support:>8}")
    for name, value in (("micro-F1", micro_f1), ("macro-F1", macro_f1)):
        rows.append(f"{name:<24} {'':>6} {'':>7} {value(rules):>7.3f}   {'':>6} {'':>7} "
                    f"{value(svm):>7.3f}")
    return "\n".join(rows)


def main() -> None:
    """Fit and write the rules, and/or print their cross-validation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cv", action="store_true", help="print 5-fold cross-validation")
    parser.add_argument("--write", nargs="?", const=RULES, type=Path, metavar="PATH",
                        help=f"write the rules (default {RULES.relative_to(ROOT)})")
    parser.add_argument("--dev", type=Path, default=DEV,
                        help=f"uniform labelled papers (default {DEV.relative_to(ROOT)})")
    parser.add_argument("--extra", type=Path, nargs="*", default=[EXTRA],
                        help="supplementary labelled papers: fitted on, never scored "
                             f"(default {EXTRA.relative_to(ROOT)})")
    parser.add_argument("--vocabulary", type=Path, default=VOCABULARY)
    parser.add_argument("--seed", type=int, default=0, help="seed of the fold split")
    args = parser.parse_args()
    if not args.cv and not args.write:
        parser.error("nothing to do: give --cv and/or --write")
    settings = Settings(seed=args.seed)
    vocab = vocabulary(args.vocabulary)
    dev = load(args.dev)
    extra = [paper for path in args.extra for paper in load(path)]
    if args.cv:
        rules, svm = cross_validate(dev, extra, vocab, settings)
        print(f"{settings.folds}-fold cross-validation on {args.dev.name} ({len(dev)} papers, "
              f"fold seed {settings.seed}), text only; each fold fitted on the rest "
              f"and {len(extra)} supplementary papers")
        print(cv_table(rules, svm))
    if args.write:
        papers = dev + extra
        rows = np.arange(len(papers))
        rules = fit_rules(Occurrences(all_terms(vocab), papers), papers, rows, rows < len(dev),
                          vocab, settings)
        args.write.write_text(render(rules, vocab), encoding="utf-8")


if __name__ == "__main__":
    main()
