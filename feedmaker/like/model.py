"""The similarity model: TF-IDF and a linear SVM with scikit-learn, saved as plain arrays."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from feedmaker import code_digest
from feedmaker.like.library import (
    INSTALL,
    LibraryPaper,
    LikeError,
    identity,
    library_keys,
    paper_text,
)

# The recipe, chosen on data/papers-17-dev.jsonl for all topics alike (docs/like.md has the
# measurements): arxiv-sanity's tokens, English stop words, sublinear tf, smoothed idf, each
# part l2-normalized, pairs at half weight; a linear SVM with the library as positives and
# the background as negatives, fitted again with the background papers it ranks highest
# moved to the positives (the background holds unlabelled papers like the library's).
# A model fitted by other code (a release that changed this file or the lookups) is refitted.
RECIPE = code_digest("like/model.py", "like/lookup.py")
TOKEN_PATTERN = r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"
# A term must be in 2 papers to be learnt from; one in 30%+ of them says nothing of topic.
MIN_DF, MAX_DF = 2, 0.3
# At most this many words, and as many word pairs, the most frequent (arxiv-sanity keeps
# 20,000): bounds the saved model whatever the history holds.
MAX_TERMS = 20_000
# Weight of the word-pair part (measured: 1.0 lets rare pairs outvote the words).
PAIR_WEIGHT = 0.5
C = 0.1
# A "not like" paper counts as this many ordinary background papers.
NOT_LIKE_WEIGHT = 3.0
# Fitting reads at most this many background papers (the newest): IDF and negatives need
# a sample of what arrives, not all history, and memory stays bounded.
MAX_BACKGROUND = 3000


class PaperText(Protocol):
    """What fitting reads of a background or "not like" paper (an Entry has it)."""

    title: str
    summary: str
    arxiv_id: str | None


@dataclass(frozen=True)
class Text:
    """A paper given by its text alone (labelled files, tests)."""

    title: str
    summary: str = ""
    arxiv_id: str | None = None


class ModelError(ValueError):
    """A saved model that cannot be used (damaged, or inconsistent): the caller refits."""


def sklearn_version() -> str | None:
    """The installed scikit-learn's version, None without it (no import: that takes 1 s)."""
    from importlib import metadata

    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        return None


def _sklearn():
    try:
        import numpy as np
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize
        from sklearn.svm import LinearSVC
    except ImportError as exc:
        raise LikeError(f"scikit-learn is missing ({exc}): {INSTALL}") from None
    return np, sp, TfidfVectorizer, normalize, LinearSVC


def _vectorizer(ngrams: int, vocabulary: list[str] | None = None):
    np, _, tfidf, _, _ = _sklearn()
    return tfidf(lowercase=True, strip_accents="unicode", token_pattern=TOKEN_PATTERN,
                 stop_words="english", ngram_range=(ngrams, ngrams), min_df=MIN_DF,
                 max_df=MAX_DF, max_features=MAX_TERMS, sublinear_tf=True, smooth_idf=True,
                 norm="l2", dtype=np.float64, vocabulary=vocabulary)


@dataclass
class Model:
    """A fitted model: the vocabulary (words, then pairs), idf and SVM weight per term, and
    the library's features (rows l2-normalized) to find each paper's closest one."""

    words: list[str]
    pairs: list[str]
    idf: Any  # numpy arrays, one value per term
    coef: Any
    intercept: float
    titles: list[str]  # the library papers', rows of `library`
    library: Any  # scipy CSR matrix

    @cached_property
    def _vectorizers(self) -> tuple:
        words, pairs = _vectorizer(1, self.words), _vectorizer(2, self.pairs)
        words.idf_, pairs.idf_ = self.idf[:len(self.words)], self.idf[len(self.words):]
        return words, pairs

    def features(self, texts: Sequence[str]):
        """TF-IDF features of the texts: words, then pairs at PAIR_WEIGHT."""
        _, sp, _, _, _ = _sklearn()
        words, pairs = (v.transform(texts) for v in self._vectorizers)
        return sp.hstack([words, PAIR_WEIGHT * pairs]).tocsr()

    def score(self, texts: Sequence[str]) -> tuple[list[float], list[int | None]]:
        """Each text's decision value (above 0: on the library's side) and the index of its
        closest library paper by cosine, None when it shares no term with any."""
        np, _, _, normalize, _ = _sklearn()
        scores, closest = [], []
        for start in range(0, len(texts), 500):  # bounds the dense similarity block
            x = self.features(texts[start:start + 500])
            scores += [float(s) for s in x @ self.coef + self.intercept]
            similarity = (normalize(x) @ self.library.T).toarray()
            for row in similarity:
                best = int(np.argmax(row)) if row.size else 0
                closest.append(best if row.size and row[best] > 0 else None)
        return scores, closest

    def to_bytes(self) -> bytes:
        np = _sklearn()[0]
        meta = {"words": self.words, "pairs": self.pairs, "intercept": self.intercept,
                "titles": self.titles}
        out = io.BytesIO()
        np.savez_compressed(out, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
                            idf=self.idf, coef=self.coef, data=self.library.data,
                            indices=self.library.indices, indptr=self.library.indptr)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Model:
        """A model saved by `to_bytes`; ModelError when it cannot be used as it is."""
        np, sp, _, _, _ = _sklearn()
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as saved:
                meta = json.loads(saved["meta"].tobytes())
                words, pairs, titles = meta["words"], meta["pairs"], meta["titles"]
                terms = [*words, *pairs]
                if not (words and pairs and all(isinstance(t, str) for t in [*terms, *titles])
                        and len(set(terms)) == len(terms)):
                    raise ModelError("vocabulary or titles are not unique strings")
                idf, coef = (np.asarray(saved[k], np.float64) for k in ("idf", "coef"))
                if idf.shape != (len(terms),) or coef.shape != (len(terms),) \
                        or not np.isfinite([*idf, *coef, meta["intercept"]]).all():
                    raise ModelError("weights do not match the vocabulary")
                library = sp.csr_matrix((saved["data"], saved["indices"], saved["indptr"]),
                                        shape=(len(titles), len(terms)))
                library.check_format(full_check=True)
            model = cls(words, pairs, idf, coef, float(meta["intercept"]), titles, library)
            model.score(["a paper on models"])  # whatever else is wrong shows here
            return model
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - any model that cannot be used is refitted
            raise ModelError(f"{type(exc).__name__}: {str(exc)[:200]}") from None


def fit(library: Sequence[LibraryPaper], background: Sequence[PaperText],
        not_like: Sequence[LibraryPaper] = ()) -> Model:
    """Fit on the library (positives) against the background (negatives: those not in the
    library) and the "not like" papers (strong negatives). LikeError when there is nothing
    to learn from."""
    np, sp, _, normalize, linear_svc = _sklearn()
    background = without_library(background, library)
    library = [p for p in library if p.title]
    if not library:
        raise LikeError("the library has no paper with a title")
    if not background and not not_like:
        raise LikeError("no papers stored yet to compare the library against")
    texts = ([p.text for p in library] + [paper_text(p.title, p.summary) for p in background]
             + [p.text for p in not_like])
    try:
        words, pairs = _vectorizer(1), _vectorizer(2)
        matrix = sp.hstack([words.fit_transform(texts),
                            PAIR_WEIGHT * pairs.fit_transform(texts)]).tocsr()
    except ValueError:
        # Too few papers for min_df/max_df to leave any term (a tiny library and history).
        raise LikeError(f"too little text to learn from: no word is in at least {MIN_DF} of "
                        f"the {len(texts)} papers (library and stored) and in at most "
                        f"{MAX_DF:.0%} of them; it is fitted again when more papers are "
                        "stored") from None
    n_library, n_background = len(library), len(background)
    positives, others = matrix[:n_library], matrix[n_library:n_library + n_background]
    strong = matrix[n_library + n_background:]
    # Self-training: the second fit takes as positives the background papers the first ranks
    # highest, half the library's size and at most 5% of the background.
    pseudo, n_pseudo = np.array([], dtype=int), int(min(n_library * 0.5, n_background * 0.05))
    for _ in range(2):
        negatives = np.setdiff1d(np.arange(n_background), pseudo)
        x = sp.vstack([positives, others[pseudo], others[negatives], strong]).tocsr()
        y = np.r_[np.ones(n_library + len(pseudo)), np.zeros(len(negatives) + strong.shape[0])]
        weight = np.r_[np.ones(n_library + len(pseudo) + len(negatives)),
                       np.full(strong.shape[0], NOT_LIKE_WEIGHT)]
        classifier = linear_svc(C=C, class_weight="balanced", dual=True, tol=1e-6,
                                max_iter=100_000, random_state=0)
        classifier.fit(x, y, sample_weight=weight)
        scores = classifier.decision_function(others) if n_background else np.array([])
        pseudo = np.argsort(-scores, kind="stable")[:n_pseudo]
    return Model([str(t) for t in words.get_feature_names_out()],
                 [str(t) for t in pairs.get_feature_names_out()],
                 np.r_[words.idf_, pairs.idf_], classifier.coef_.ravel().astype(np.float64),
                 float(classifier.intercept_[0]), [p.title for p in library],
                 normalize(positives).tocsr())


def without_library(background: Sequence[PaperText], library: Sequence[LibraryPaper]
                    ) -> list[PaperText]:
    """The background minus the library's own papers (else a paper would be both sides)."""
    keys = library_keys(library)
    return [p for p in background if not identity(p.arxiv_id, None, p.title) & keys]

