"""A fitted similarity model in plain Python: score papers and find the closest library paper
without scikit-learn (a cron run only loads this), and save it as compact bytes."""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from feedmaker.like.analyze import Analyzer, tfidf
from feedmaker.like.paper import paper_text

FORMAT = 1


class ModelFormatError(ValueError):
    """Saved model bytes that this version cannot read (the caller refits)."""


@dataclass(frozen=True)
class LibraryVector:
    """A library paper as the model sees it: its title (for "similar to") and features."""

    title: str
    arxiv_id: str | None
    features: Mapping[str, float]


@dataclass(frozen=True)
class Scored:
    """A paper's score and the library paper closest to it (cosine of TF-IDF features)."""

    score: float
    closest_title: str | None
    closest_arxiv_id: str | None
    closest_similarity: float


@dataclass
class LikeModel:
    """TF-IDF vocabularies (idf per term), the linear classifier's weights and the library's
    vectors: all that scoring needs. Made by `feedmaker.like.fit.export`."""

    token_pattern: str
    stop_words: frozenset[str]
    pair_weight: float
    idf: dict[str, float]  # words and word pairs; only pairs contain a space
    weights: dict[str, float]
    intercept: float
    library: list[LibraryVector]
    inputs: dict = field(default_factory=dict)  # what it was fitted on: see refit.py

    @cached_property
    def analyzer(self) -> Analyzer:
        return Analyzer(self.token_pattern, self.stop_words)

    @cached_property
    def _word_idf(self) -> dict[str, float]:
        return {t: v for t, v in self.idf.items() if " " not in t}

    @cached_property
    def _pair_idf(self) -> dict[str, float]:
        return {t: v for t, v in self.idf.items() if " " in t}

    def features(self, title: str, summary: str = "") -> dict[str, float]:
        """The paper's TF-IDF features: words, then word pairs at `pair_weight`."""
        words, pairs = self.analyzer.counts(paper_text(title, summary))
        features = tfidf(words, self._word_idf)
        features.update(tfidf(pairs, self._pair_idf, self.pair_weight))
        return features

    def score(self, title: str, summary: str = "") -> float:
        """The classifier's decision value: above 0, the paper sits on the library's side."""
        return self._decision(self.features(title, summary))

    def score_with_closest(self, title: str, summary: str = "") -> Scored:
        """The score and the closest library paper, for a paper that made it into a feed."""
        features = self.features(title, summary)
        index, similarity = self._closest(features)
        paper = self.library[index] if index is not None else None
        return Scored(self._decision(features), paper.title if paper else None,
                      paper.arxiv_id if paper else None, similarity)

    def _decision(self, features: Mapping[str, float]) -> float:
        weights = self.weights
        return math.fsum(v * weights.get(t, 0.0) for t, v in features.items()) + self.intercept

    def _closest(self, features: Mapping[str, float]) -> tuple[int | None, float]:
        norm = _norm(features)
        if not norm:
            return None, 0.0
        dots: dict[int, float] = {}
        for term, value in features.items():
            for index, library_value in self._postings.get(term, ()):
                dots[index] = dots.get(index, 0.0) + value * library_value
        best, best_similarity = None, 0.0
        for index, dot in sorted(dots.items()):
            similarity = dot / (norm * self._library_norms[index])
            if similarity > best_similarity:
                best, best_similarity = index, similarity
        return best, best_similarity

    @cached_property
    def _postings(self) -> dict[str, list[tuple[int, float]]]:
        # Built on the first `score_with_closest`: runs that score nothing never pay for it.
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, paper in enumerate(self.library):
            for term, value in paper.features.items():
                postings.setdefault(term, []).append((index, value))
        return postings

    @cached_property
    def _library_norms(self) -> list[float]:
        return [_norm(paper.features) or 1.0 for paper in self.library]

    def to_bytes(self) -> bytes:
        """The model as zlib-compressed JSON (floats written exactly)."""
        terms = sorted(self.idf)
        index = {term: i for i, term in enumerate(terms)}
        data = {
            "format": FORMAT, "token_pattern": self.token_pattern,
            "stop_words": sorted(self.stop_words), "pair_weight": self.pair_weight,
            "terms": terms, "idf": [self.idf[t] for t in terms],
            "weights": [self.weights.get(t, 0.0) for t in terms], "intercept": self.intercept,
            "library": [[p.title, p.arxiv_id, [[index[t], v] for t, v in p.features.items()]]
                        for p in self.library],
            "inputs": self.inputs,
        }
        return zlib.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> LikeModel:
        """A model saved by `to_bytes`; ModelFormatError when it cannot be read."""
        try:
            data = json.loads(zlib.decompress(blob))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ModelFormatError(f"saved model is not of format {FORMAT}")
            terms = data["terms"]
            return cls(token_pattern=data["token_pattern"],
                       stop_words=frozenset(data["stop_words"]),
                       pair_weight=data["pair_weight"],
                       idf=dict(zip(terms, data["idf"], strict=True)),
                       weights={t: w for t, w in zip(terms, data["weights"], strict=True) if w},
                       intercept=data["intercept"],
                       library=[LibraryVector(title, arxiv_id, {terms[i]: v for i, v in vector})
                                for title, arxiv_id, vector in data["library"]],
                       inputs=data["inputs"])
        except (zlib.error, ValueError, KeyError, TypeError, IndexError) as exc:
            if isinstance(exc, ModelFormatError):
                raise
            raise ModelFormatError(f"saved model is unreadable ({exc})") from None


def _norm(features: Mapping[str, float] | Sequence[float]) -> float:
    values = features.values() if isinstance(features, Mapping) else features
    return math.sqrt(math.fsum(v * v for v in values))
