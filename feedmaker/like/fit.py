"""Fit the similarity model with scikit-learn (the `like` extra) and export it to plain data.

Only refits import this module: scikit-learn takes about a second and 120 MB to import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from feedmaker.errors import FeedmakerError
from feedmaker.like import recipe
from feedmaker.like.model import LikeModel
from feedmaker.like.paper import LibraryPaper, paper_text


class LikeError(FeedmakerError):
    """A `like` model cannot be fitted (no library text, no background, no scikit-learn)."""


class PaperText(Protocol):
    """What fitting reads of a background or "not relevant" paper (an Entry has it)."""

    title: str
    summary: str
    arxiv_id: str | None


@dataclass(frozen=True)
class Text:
    """A paper given by its text alone (labelled files, tests)."""

    title: str
    summary: str = ""
    arxiv_id: str | None = None


@dataclass
class FitResult:
    """The exported model and what the fit said of each background paper it read."""

    model: LikeModel
    background_scores: list[float]  # one per background paper used, in the order given
    background_used: int


@dataclass
class Estimators:
    """The fitted scikit-learn objects (kept apart so tests can compare the export to them)."""

    features: object  # sklearn.pipeline.FeatureUnion of two TfidfVectorizers
    classifier: object  # sklearn.svm.LinearSVC
    library: list[LibraryPaper]
    background_scores: list[float]


def fit(library: Sequence[LibraryPaper], background: Sequence[PaperText],
        not_relevant: Sequence[PaperText] = (), inputs: dict | None = None) -> FitResult:
    """Fit on the library (positives) against the background papers, most recent first
    (negatives, at most recipe.MAX_BACKGROUND), and "not relevant" ones (strong negatives)."""
    background = without_library(background, library)[:recipe.MAX_BACKGROUND]
    estimators = fit_estimators(library, background, not_relevant)
    # The background's size is part of the record refit.refit_reason compares against.
    return FitResult(export(estimators, {**(inputs or {}), "background": len(background)}),
                     estimators.background_scores, len(background))


def fit_estimators(library: Sequence[LibraryPaper], background: Sequence[PaperText],
                   not_relevant: Sequence[PaperText] = ()) -> Estimators:
    """The recipe (see recipe.py): TF-IDF words and pairs, a linear SVM, one self-training
    round that moves the background's best-ranked papers to the positives."""
    try:
        import numpy as np
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion
        from sklearn.svm import LinearSVC
    except ImportError as exc:
        raise LikeError(f"`like` views need scikit-learn: pip install 'feedmaker[like]' "
                        f"({exc})") from None

    library = [p for p in library if p.title]
    if not library:
        raise LikeError("the library has no paper with a title (ids not looked up yet?)")
    if not background and not not_relevant:
        raise LikeError("no background papers to compare the library against")

    def vectorizer(ngrams):
        return TfidfVectorizer(lowercase=True, strip_accents="unicode",
                               token_pattern=recipe.TOKEN_PATTERN, stop_words=recipe.STOP_WORDS,
                               ngram_range=ngrams, min_df=recipe.MIN_DF, max_df=recipe.MAX_DF,
                               max_features=recipe.MAX_TERMS,
                               sublinear_tf=True, smooth_idf=True, norm="l2", dtype=np.float64)

    union = FeatureUnion([("words", vectorizer((1, 1))), ("pairs", vectorizer((2, 2)))],
                         transformer_weights={"words": 1.0, "pairs": recipe.PAIR_WEIGHT})
    texts = ([p.text for p in library] + [paper_text(p.title, p.summary) for p in background]
             + [paper_text(p.title, p.summary) for p in not_relevant])
    matrix = _fit_transform(union, texts)
    n_library, n_background = len(library), len(background)
    positives = matrix[:n_library]
    others = matrix[n_library:n_library + n_background]
    strong = matrix[n_library + n_background:]

    pseudo = np.array([], dtype=int)
    for _ in range(2):
        negatives = np.setdiff1d(np.arange(n_background), pseudo)
        x = sp.vstack([positives, others[pseudo], others[negatives], strong]).tocsr()
        y = np.r_[np.ones(n_library + len(pseudo)), np.zeros(len(negatives) + strong.shape[0])]
        weight = np.r_[np.ones(n_library + len(pseudo) + len(negatives)),
                       np.full(strong.shape[0], recipe.NOT_RELEVANT_WEIGHT)]
        classifier = LinearSVC(C=recipe.C, class_weight="balanced", dual=True, tol=1e-6,
                               max_iter=100_000, random_state=0)
        classifier.fit(x, y, sample_weight=weight)
        scores = classifier.decision_function(others) if n_background else np.array([])
        pseudo = np.argsort(-scores, kind="stable")[
            :recipe.pseudo_positive_count(n_library, n_background)]
    return Estimators(union, classifier, library, [float(s) for s in scores])


def export(estimators: Estimators, inputs: dict) -> LikeModel:
    """The fitted estimators as plain data: idf and weight per term, the library's vectors."""
    from array import array

    union, classifier = estimators.features, estimators.classifier
    terms: list[str] = []
    idf = array("d")
    stop_words: frozenset[str] = frozenset()
    for _, vectorizer in union.transformer_list:
        terms += [str(t) for t in vectorizer.get_feature_names_out()]
        idf.extend(float(v) for v in vectorizer.idf_)
        stop_words = frozenset(vectorizer.get_stop_words() or ())
    model = LikeModel(token_pattern=recipe.TOKEN_PATTERN, stop_words=stop_words,
                      pair_weight=recipe.PAIR_WEIGHT, terms=terms, idf=idf,
                      weights=array("d", (float(w) for w in classifier.coef_.ravel())),
                      intercept=float(classifier.intercept_[0]),
                      library_titles=[p.title for p in estimators.library],
                      library_ids=[p.arxiv_id for p in estimators.library],
                      library_norms=array("d"), postings_start=array("q", [0]),
                      postings_paper=array("q"), postings_value=array("d"), inputs=inputs)
    # The library's vectors come from the exported analysis itself, so "closest" compares
    # like with like; they are stored by term, as postings.
    by_term: list[list[tuple[int, float]]] = [[] for _ in terms]
    for paper_number, paper in enumerate(estimators.library):
        features = model.features(paper.title, paper.abstract)
        model.library_norms.append(math.sqrt(math.fsum(v * v for v in features.values()))
                                   or 1.0)
        for term, value in features.items():
            by_term[term].append((paper_number, value))
    for postings in by_term:
        model.postings_paper.extend(p for p, _ in postings)
        model.postings_value.extend(v for _, v in postings)
        model.postings_start.append(len(model.postings_paper))
    return model


def _fit_transform(union, texts: list[str]):
    try:
        return union.fit_transform(texts).tocsr()
    except ValueError as exc:
        # Too few papers for min_df/max_df to leave any term (a tiny library and history).
        raise LikeError(f"too little text to learn from ({exc})") from None


def without_library(background: Sequence[PaperText], library: Sequence[LibraryPaper]
                    ) -> list[PaperText]:
    """The background minus the library's own papers (else a paper would be both sides)."""
    ids = {p.arxiv_id for p in library if p.arxiv_id}
    titles = {_title_key(p.title) for p in library if p.title}
    return [p for p in background
            if not (p.arxiv_id and p.arxiv_id in ids) and _title_key(p.title) not in titles]


def _title_key(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.lower()))
