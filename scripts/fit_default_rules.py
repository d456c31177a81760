"""Fit the default topic rules from the labelled papers, and measure them on papers they
never saw.

Usage: python scripts/fit_default_rules.py [--holdout] [--cv] [--write [PATH]]
                                           [--seed SEED ...] [--dev F] [--extra F ...]
                                           [--unread F]

--write regenerates feedmaker/tagger/defaults.toml (or PATH) from every labelled paper.
--cv prints 5-fold cross-validation over every labelled paper: each fifth of the uniform
file and of the supplementary ones is scored by rules fitted on the other four fifths of
both (thresholds chosen inside those), beside a TF-IDF + linear SVM trained on the same
papers. The uniform papers are scored as a reader's mix, the Hugging Face daily papers
among them (those without arXiv categories) as a group, the supplementary papers apart.
Several fold seeds (--seed 0 1 2 3 4) print the mean over them, with the range of each
F1. The vocabulary was written while reading these papers, so these figures flatter the
rules (docs/default-topics.md says by about how much).
--holdout fits the rules on every paper except those listed in data/papers-17-unread.txt
and scores them on the listed ones, beside the SVM. It was the honest estimate while no
one had read those papers; they have been read since, so it no longer is, and --cv
--read-only (the cross-validation without them) is no longer the one to choose on. Both
stay for the next papers labelled and kept unread.
Everything scores through feedmaker's own tagger, text only. The same files always give
the same rules, byte for byte.

A topic's weighted terms and threshold are a linear classifier over "does this term
occur" (a title hit counting title_weight times). So per topic this script finds the
occurrences of the hand-written vocabulary of scripts/rule_vocabulary.toml with
feedmaker's own matcher (plurals, hyphens and case exactly as the rules will see them)
and fits a class-balanced logistic regression over them, in which:
- the topic's `strong` and `for` terms may only count for it, and only its `against`
  terms (the subjects it is really confused with) count against it: no generic word can
  take a topic away from a paper;
- the `strong` terms, which each name the topic's subject, share one weight, so a rare one
  counts as much as the common ones, and that weight is at least the threshold divided by
  title_weight: a title that names the subject is enough on its own (a strong term written
  `title:...` names it only there, as a phrase that in a summary is often a passing tool);
- an L1 penalty keeps few terms (and a refit with less of it keeps their weights honest);
  topics with few labelled papers are penalised more, so they trust their data less.
The threshold is the one with the best F1 on cross-validated scores among those keeping
precision >= 0.75 at the share of the topic among the uniform papers: a feed with many wrong
papers is worse than one that misses a few, and the precision the cut promises is already
optimistic for papers scored later. Recall is counted on the labelled papers of
every file, wrong papers on the uniform file only (the supplement holds more of the rare
topics, and of their neighbours, than a reader sees). Titles, descriptions, vetoes and
notes are copied from the vocabulary file.
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
UNREAD = ROOT / "data" / "papers-17-unread.txt"
VOCABULARY = ROOT / "scripts" / "rule_vocabulary.toml"
RULES = ROOT / "feedmaker" / "tagger" / "defaults.toml"


@dataclass(frozen=True)
class Settings:
    """The fitting choices (docs/default-topics.md says how they were chosen)."""

    title_weight: float = 2.0    # a term in the title counts this many times
    l1: float = 0.002            # per unit of weight; larger keeps fewer terms
    relax: float = 0.1           # the chosen terms are refitted with this share of l1
    l2: float = 0.003
    # A topic with fewer labelled papers than this has its penalties raised in proportion:
    # balanced class weights give its positives half the loss however few they are.
    reference_positives: int = 200
    min_precision: float = 0.75  # cross-validated, at the topic's share of uniform papers
    title_floor: bool = True     # a strong term in the title reaches the threshold alone
    threshold: float = 3.0       # weights are scaled so that the threshold reads 3...
    max_weight: float = 10.0     # ...unless a weight would then exceed 10
    folds: int = 5
    seed: int = 0


def load(path: Path) -> list[Paper]:
    """The labelled papers of a JSON-lines file."""
    with path.open(encoding="utf-8") as f:
        return list(read_papers(f, str(path)))


def unread_ids(path: Path = UNREAD) -> set[str]:
    """The ids listed in the unread-papers file (one a line, `#` starts a comment)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def vocabulary(path: Path = VOCABULARY) -> dict[str, dict]:
    """The `[topics.*]` tables of the vocabulary file, in order, their terms checked."""
    with path.open("rb") as f:
        topics = tomllib.load(f)["topics"]
    for slug, table in topics.items():
        unknown = sorted(set(table) - {"title", "description", "strong", "for", "against",
                                       "none", "notes"})
        if unknown:
            raise SystemExit(f"{path}: [topics.{slug}] unknown key {unknown[0]!r}")
        strong = table.get("strong", [])
        if not strong:
            raise SystemExit(f"{path}: [topics.{slug}] needs `strong` terms")
        # Strong terms share one weight: one inside another ("language model" in "large
        # language model") would count that weight twice for one phrase.
        matcher = _matcher(strong)
        for i, term in enumerate(strong):
            inside = [strong[j] for j in matcher.search(parse_term(term).text) if j != i]
            if inside:
                raise SystemExit(f"{path}: [topics.{slug}] strong term {term!r} contains "
                                 f"{inside[0]!r}: keep one of them")
        both = set(strong + table.get("for", [])) & set(table.get("against", []))
        if both:
            raise SystemExit(f"{path}: [topics.{slug}] {sorted(both)[0]!r} is both for and "
                             "against the topic")
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
        # A `title:` term counts only in the title.
        title_only = {i for i, term in enumerate(terms) if parse_term(term).field == "title"}
        anywhere, in_title = [], []
        for paper in papers:
            title = set(matcher.search(paper.title))
            anywhere.append(sorted(title | set(matcher.search(paper.summary)) - title_only))
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
    """The topic's own terms (strong, then for), then its `against` terms."""
    table = vocab[slug]
    strong = list(dict.fromkeys(table["strong"]))
    own = strong + [t for t in dict.fromkeys(table.get("for", [])) if t not in strong]
    against = [t for t in dict.fromkeys(table.get("against", [])) if t not in own]
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


def best_cut(scores: np.ndarray, truth: np.ndarray, uniform: np.ndarray,
             min_precision: float) -> tuple[float, float]:
    """The score cut with the best F1 among those keeping precision >= min_precision (with
    the best F1 when none does), and that F1.

    Recall is counted over every labelled paper; precision is what it would be among the
    uniform papers: their share of the topic, with the false positives of their negatives.
    """
    order = np.argsort(-scores, kind="stable")
    ordered, truth, uniform = scores[order], truth[order], uniform[order]
    recall = np.cumsum(truth) / max(int(truth.sum()), 1)
    negatives = ~truth & uniform
    false_rate = np.cumsum(negatives) / max(int(negatives.sum()), 1)
    share = truth[uniform].mean() if uniform.any() else 0.0
    found, wrong = share * recall, (1 - share) * false_rate
    precision = np.divide(found, found + wrong, out=np.zeros_like(found),
                          where=found + wrong > 0)
    f1 = np.divide(2 * precision * recall, precision + recall,
                   out=np.zeros_like(recall), where=precision + recall > 0)
    # Only cut between distinct scores: all papers with one score fall on one side.
    last = np.append(ordered[1:] != ordered[:-1], True)
    allowed = last & (precision >= min_precision)
    best = max(np.flatnonzero(allowed if allowed.any() else last), key=lambda i: (f1[i], -i))
    return float(ordered[best]), float(f1[best])


def _floored(w: np.ndarray, b: float, cut: float, settings: Settings) -> np.ndarray:
    """The weights with the strong terms' shared weight (the first) raised, if need be, so
    that one strong term in the title reaches the cut."""
    if not settings.title_floor:
        return w
    w = w.copy()
    w[0] = max(w[0], (cut - b) / settings.title_weight)
    return w


def _cross_validated_cut(x: sparse.csr_matrix, y: np.ndarray, signs: np.ndarray,
                         uniform: np.ndarray, settings: Settings) -> float:
    """The cut chosen on cross-validated scores of the rows (see best_cut)."""
    folds = [(test, *fit_weights(x[inner], y[inner], signs, settings))
             for inner, test in _folds(np.arange(len(y)), settings)]
    held_out = np.zeros(len(y))
    for test, w, b in folds:
        held_out[test] = x[test] @ w + b
    cut, _ = best_cut(held_out, y, uniform, settings.min_precision)
    if settings.title_floor:
        # The floor raises some scores: choose the cut again on the floored rules.
        for test, w, b in folds:
            held_out[test] = x[test] @ _floored(w, b, cut, settings) + b
        cut, _ = best_cut(held_out, y, uniform, settings.min_precision)
    return cut


def fit_topic(occurrences: Occurrences, vocab: dict[str, dict], slug: str, truth: np.ndarray,
              rows: np.ndarray, uniform: np.ndarray, settings: Settings) -> dict:
    """One topic's `threshold`, `title_weight` and weighted `any` terms, fitted on `rows`
    (`uniform` marks those from the uniform file)."""
    found = candidates(vocab, slug)
    signs = np.append(1.0, found.signs)
    y = truth[rows]
    if not y.any():
        raise SystemExit(f"[topics.{slug}]: no paper the rules are fitted on carries its label "
                         "(too few labelled papers to leave a fifth out?)")
    strength = max(1.0, settings.reference_positives / max(int(y.sum()), 1))
    settings = replace(settings, l1=settings.l1 * strength, l2=settings.l2 * strength)
    title_weight = settings.title_weight
    x = occurrences.features(rows, found.terms, title_weight)
    # The first column counts the strong terms found: its weight is the one they share;
    # each may add a weight of its own on top.
    x = sparse.hstack([x[:, found.strong].sum(axis=1), x], format="csr")
    cut = _cross_validated_cut(x, y, signs, uniform, settings)
    w, b = fit_weights(x, y, signs, settings)
    w = _floored(w, b, cut, settings)
    w = w[1:] + np.where(found.strong, w[0], 0.0)
    # A paper with no term never matches, so the threshold must be positive: a topic as
    # common as vision may want its cut at the intercept, and then gets it just above.
    largest = float(np.abs(w).max())
    if largest == 0:
        raise SystemExit(f"[topics.{slug}]: no term counts for the topic; does any paper "
                         "carry its label?")
    above = max(cut - b, largest / settings.max_weight)
    scale = max(above / settings.threshold, largest / settings.max_weight)
    threshold = max(round(above / scale, 1), 0.1)
    # Rounding to tenths must not take a strong term in the title below the threshold.
    least = float(np.ceil(threshold / settings.title_weight * 10 - 1e-9) / 10) \
        if settings.title_floor else 0.0
    weights = [(term, max(round(float(weight / scale), 1), least) if strong
                else round(float(weight / scale), 1))
               for term, weight, strong in zip(found.terms, w, found.strong, strict=True)]
    weights = sorted((tw for tw in weights if tw[1] != 0), key=lambda tw: (-tw[1], tw[0].lower()))
    if not weights or weights[0][1] <= 0:
        raise SystemExit(f"[topics.{slug}]: no term counts for the topic; does any paper "
                         "carry its label?")
    return {"threshold": threshold, "title_weight": settings.title_weight,
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
# ("Topic rules") explains every key and term form, and docs/default-topics.md how these
# rules were made and how well they do on papers they never saw.
#
# Generated by scripts/fit_default_rules.py from the labelled papers in data/ and the
# hand-written vocabulary, titles, descriptions and vetoes of scripts/rule_vocabulary.toml:
# edit those and run the script again. A paper belongs to a topic when the weights of its
# terms that occur add up to the threshold (a term found in the title counts title_weight
# times; a negative weight counts against, and only a topic's real confusions have one).
# The terms with equal weights at the top of a list are the topic's "strong" terms, which
# name its subject: they share one fitted weight, at least the threshold divided by
# title_weight, so one of them in a title is enough. `feedmaker explain` shows how a paper
# was scored.
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


@dataclass
class Counts:
    """Summed (true positive, false positive, false negative) counts per topic, of the rules
    and of the TF-IDF + SVM anchor."""

    slugs: list[str]
    papers: int = 0

    def __post_init__(self) -> None:
        self.rules = {s: np.zeros(3, dtype=int) for s in self.slugs}
        self.svm = {s: np.zeros(3, dtype=int) for s in self.slugs}

    def scores(self, kind: str) -> list[TopicScore]:
        counts = getattr(self, kind)
        return [TopicScore(slug, *map(int, counts[slug])) for slug in self.slugs]


def measure(occurrences: Occurrences, papers: list[Paper], uniform: np.ndarray,
            train: np.ndarray, tests: list[np.ndarray], counts: list[Counts],
            vocab: dict[str, dict], settings: Settings, svm: bool = True) -> None:
    """Fit the rules (and the SVM) on `papers[train]` and add what they get right and wrong
    on each `papers[test]` to its counts."""
    rules = tagger_of(fit_rules(occurrences, papers, train, uniform[train], vocab, settings))
    for test, found in zip(tests, counts, strict=True):
        held_out = [papers[i] for i in test]
        found.papers += len(held_out)
        for score in evaluate(rules, held_out, topics=found.slugs):
            found.rules[score.slug] += [score.true_positives, score.false_positives,
                                        score.false_negatives]
        if svm and held_out:
            for slug, hits in svm_anchor([papers[i] for i in train], held_out,
                                         found.slugs).items():
                found.svm[slug] += hits


def cross_validate(dev: list[Paper], extra: list[Paper], vocab: dict[str, dict],
                   settings: Settings, svm: bool = True) -> tuple[Counts, Counts, Counts]:
    """The rules' and the anchor's counts over every paper, five folds: each fifth of the
    uniform papers and of the supplementary ones is scored by rules fitted on the other four
    fifths of both. Three counts: on the uniform papers (a reader's mix), on the Hugging Face
    daily papers among them (see hugging_face), on the supplementary papers."""
    papers = dev + extra
    uniform = np.arange(len(papers)) < len(dev)
    daily = np.array([hugging_face(paper) for paper in dev] + [False] * len(extra), dtype=bool)
    occurrences = Occurrences(all_terms(vocab), papers)
    counts = Counts(list(vocab)), Counts(list(vocab)), Counts(list(vocab))
    splits = zip(_folds(np.arange(len(dev)), settings),
                 _folds(np.arange(len(dev), len(papers)), settings), strict=True)
    for number, ((train, test), (train_extra, test_extra)) in enumerate(splits, 1):
        measure(occurrences, papers, uniform, np.concatenate([train, train_extra]),
                [test, test[daily[test]], test_extra], list(counts), vocab, settings, svm)
        print(f"fold {number} of {settings.folds} done (fold seed {settings.seed})",
              file=sys.stderr)
    return counts


def hugging_face(paper: Paper) -> bool:
    """Whether a uniform paper is one of the Hugging Face daily papers of the file: those
    carry no arXiv categories (docs/labelling.md)."""
    return not paper.record.get("categories")


def hold_out(dev: list[Paper], extra: list[Paper], unread: set[str], vocab: dict[str, dict],
             settings: Settings, svm: bool = True) -> tuple[Counts, Counts]:
    """The rules' and the anchor's counts on the unread uniform papers and on the unread
    supplementary ones, both fitted on every paper that was read."""
    papers = dev + extra
    uniform = np.arange(len(papers)) < len(dev)
    hidden = np.array([paper.record.get("id") in unread for paper in papers], dtype=bool)
    occurrences = Occurrences(all_terms(vocab), papers)
    counts = Counts(list(vocab)), Counts(list(vocab))
    measure(occurrences, papers, uniform, np.flatnonzero(~hidden),
            [np.flatnonzero(hidden & uniform), np.flatnonzero(hidden & ~uniform)], list(counts),
            vocab, settings, svm)
    return counts


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


def table(runs: list[Counts], group: bool = False) -> str:
    """Per topic the rules' precision, recall and F1 and the SVM's, the number of labelled
    papers (`few` under 25), then micro and macro F1. For a small group of papers (`group`),
    only the topics they carry or are given, and micro-F1. Of several runs (fold seeds) each
    figure is the mean, and a column gives the range of the rules' F1 (highest - lowest)."""
    several = len(runs) > 1
    rules = [run.scores("rules") for run in runs]
    svm = [run.scores("svm") for run in runs]
    slugs = runs[0].slugs
    if group:
        slugs = [slug for i, slug in enumerate(slugs)
                 if any(s[i].support or s[i].predicted for s in rules + svm)]
    index = {slug: i for i, slug in enumerate(runs[0].slugs)}
    spread = f" {'range':>6}" if several else ""
    rows = [f"{'':<24} {'rules':^22}{' ' * len(spread)}   {'TF-IDF + linear SVM':^22}",
            f"{'topic':<24} {'P':>6} {'R':>7} {'F1':>7}{spread}   {'P':>6} {'R':>7} {'F1':>7} "
            f"{'labelled':>9}"]

    def figures(values: list[float], ranged: bool) -> str:
        text = f"{np.mean(values):>7.3f}"
        return text + (f" {max(values) - min(values):>6.3f}" if several and ranged else "")

    for slug in slugs:
        mine = [s[index[slug]] for s in rules]
        other = [s[index[slug]] for s in svm]
        rows.append(f"{slug:<24} {np.mean([s.precision for s in mine]):>6.3f} "
                    f"{np.mean([s.recall for s in mine]):>7.3f} "
                    f"{figures([s.f1 for s in mine], True)}   "
                    f"{np.mean([s.precision for s in other]):>6.3f} "
                    f"{np.mean([s.recall for s in other]):>7.3f} "
                    f"{np.mean([s.f1 for s in other]):>7.3f} {mine[0].support:>9}"
                    + ("  few" if mine[0].few and not group else ""))
    for name, value in (("micro-F1", micro_f1),) + ((("macro-F1", macro_f1),) * (not group)):
        shown = [[s[index[slug]] for slug in slugs] for s in rules]
        shown_svm = [[s[index[slug]] for slug in slugs] for s in svm]
        rows.append(f"{name:<24} {'':>6} {'':>7} {figures([value(s) for s in shown], True)}   "
                    f"{'':>6} {'':>7} {np.mean([value(s) for s in shown_svm]):>7.3f}")
    return "\n".join(rows)


def main() -> None:
    """Fit and write the rules, and/or print how they do on papers they never saw."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holdout", action="store_true",
                        help="print the rules' scores on the unread papers, fitted on the rest")
    parser.add_argument("--cv", action="store_true", help="print 5-fold cross-validation")
    parser.add_argument("--write", nargs="?", const=RULES, type=Path, metavar="PATH",
                        help=f"write the rules (default {RULES.relative_to(ROOT)})")
    parser.add_argument("--dev", type=Path, default=DEV,
                        help=f"uniform labelled papers (default {DEV.relative_to(ROOT)})")
    parser.add_argument("--extra", type=Path, nargs="*", default=[EXTRA],
                        help="supplementary labelled papers: fitted on, and scored apart "
                             f"(default {EXTRA.relative_to(ROOT)})")
    parser.add_argument("--unread", type=Path, default=UNREAD,
                        help=f"ids of the unread papers (default {UNREAD.relative_to(ROOT)})")
    parser.add_argument("--vocabulary", type=Path, default=VOCABULARY)
    parser.add_argument("--read-only", action="store_true",
                        help="leave the papers listed by --unread out of --cv")
    parser.add_argument("--seed", type=int, nargs="+", default=[0], metavar="SEED",
                        help="seed of the fold split; several make --cv print the mean over "
                             "them, with the range of each F1 (the first is the one --write "
                             "and --holdout use)")
    parser.add_argument("--no-svm", dest="svm", action="store_false",
                        help="leave the TF-IDF + SVM anchor out of --holdout and --cv")
    args = parser.parse_args()
    if not (args.holdout or args.cv or args.write):
        parser.error("nothing to do: give --holdout, --cv and/or --write")
    settings = Settings(seed=args.seed[0])
    vocab = vocabulary(args.vocabulary)
    dev = load(args.dev)
    extra = [paper for path in args.extra for paper in load(path)]
    if args.holdout:
        unread = unread_ids(args.unread)
        uniform, supplement = hold_out(dev, extra, unread, vocab, settings, args.svm)
        read = sum(paper.record.get("id") not in unread for paper in dev + extra)
        for counts, name in ((uniform, args.dev.name),
                             (supplement, "the supplementary files (not a reader's mix)")):
            print(f"Fitted on the {read} papers read; scored on the {counts.papers} unread "
                  f"papers of {name}, text only")
            print(table([counts]))
            print()
    if args.cv:
        hidden = unread_ids(args.unread) if args.read_only else set()
        read = [[paper for paper in papers if paper.record.get("id") not in hidden]
                for papers in (dev, extra)]
        runs = [cross_validate(*read, vocab, replace(settings, seed=seed), args.svm)
                for seed in args.seed]
        uniform, daily, supplement = ([run[i] for run in runs] for i in range(3))
        seeds = ", ".join(map(str, args.seed))
        print(f"{settings.folds}-fold cross-validation on {args.dev.name} ({len(read[0])} "
              f"{'read ' if args.read_only else ''}papers) and {len(read[1])} supplementary "
              f"papers, fold seed{'s' * (len(args.seed) > 1)} {seeds}, text only; each fifth of "
              "both scored by rules fitted on the other four fifths")
        print(table(uniform))
        if daily[0].papers:
            print(f"\nThe {daily[0].papers} Hugging Face daily papers among them (no arXiv "
                  "categories): rules and SVM")
            print(table(daily, group=True))
        if supplement[0].papers:
            print(f"\nThe {supplement[0].papers} supplementary papers (not a reader's mix): "
                  "rules and SVM")
            print(table(supplement))
    if args.write:
        papers = dev + extra
        rows = np.arange(len(papers))
        rules = fit_rules(Occurrences(all_terms(vocab), papers), papers, rows, rows < len(dev),
                          vocab, settings)
        args.write.write_text(render(rules, vocab), encoding="utf-8")


if __name__ == "__main__":
    main()
