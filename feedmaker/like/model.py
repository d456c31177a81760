"""A fitted similarity model in plain Python: score papers and find the closest library paper
without scikit-learn (a cron run only loads this), saved as compact bytes."""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from feedmaker.like.analyze import Analyzer, tfidf
from feedmaker.like.paper import paper_text

FORMAT = 2


class ModelFormatError(ValueError):
    """Saved model bytes that this version cannot read (the caller refits)."""


@dataclass(frozen=True)
class Scored:
    """A paper's score and the library paper closest to it (cosine of TF-IDF features)."""

    score: float
    closest_title: str | None
    closest_arxiv_id: str | None
    closest_similarity: float


@dataclass
class LikeModel:
    """The vocabulary (idf and classifier weight per term), the intercept, and the library's
    vectors stored by term (postings), for "closest". Made by `feedmaker.like.fit.export`.

    Arrays are indexed by term number: `terms[i]` has `idf[i]` and `weights[i]`; the
    library papers holding term i are `postings_paper[postings_start[i]:postings_start[i+1]]`
    with values `postings_value[...]`, as in a CSC matrix.
    """

    token_pattern: str
    stop_words: frozenset[str]
    pair_weight: float
    terms: list[str]  # words and word pairs; only pairs contain a space
    idf: array  # of "d"
    weights: array  # of "d"
    intercept: float
    library_titles: list[str]
    library_ids: list[str | None]
    library_norms: array  # of "d"
    postings_start: array  # of "q", len(terms) + 1
    postings_paper: array  # of "q"
    postings_value: array  # of "d"
    inputs: dict = field(default_factory=dict)  # what it was fitted on: see refit.py

    @cached_property
    def analyzer(self) -> Analyzer:
        return Analyzer(self.token_pattern, self.stop_words)

    @cached_property
    def index(self) -> dict[str, int]:
        """Term -> term number."""
        return {term: i for i, term in enumerate(self.terms)}

    def features(self, title: str, summary: str = "") -> dict[int, float]:
        """The paper's TF-IDF features by term number: words, then pairs at `pair_weight`."""
        words, pairs = self.analyzer.counts(paper_text(title, summary))
        features = tfidf(words, self.index, self.idf)
        features.update(tfidf(pairs, self.index, self.idf, self.pair_weight))
        return features

    def score(self, title: str, summary: str = "") -> float:
        """The classifier's decision value: above 0, the paper sits on the library's side."""
        return self._decision(self.features(title, summary))

    def score_with_closest(self, title: str, summary: str = "") -> Scored:
        """The score and the closest library paper, for a paper that made it into a feed."""
        features = self.features(title, summary)
        best, similarity = self._closest(features)
        return Scored(self._decision(features),
                      self.library_titles[best] if best is not None else None,
                      self.library_ids[best] if best is not None else None, similarity)

    def _decision(self, features: Mapping[int, float]) -> float:
        weights = self.weights
        return math.fsum(v * weights[i] for i, v in features.items()) + self.intercept

    def _closest(self, features: Mapping[int, float]) -> tuple[int | None, float]:
        norm = math.sqrt(math.fsum(v * v for v in features.values()))
        if not norm:
            return None, 0.0
        start, paper, value = self.postings_start, self.postings_paper, self.postings_value
        dots: dict[int, float] = {}
        for term, v in features.items():
            for p in range(start[term], start[term + 1]):
                dots[paper[p]] = dots.get(paper[p], 0.0) + v * value[p]
        best, best_similarity = None, 0.0
        for index in sorted(dots):
            similarity = dots[index] / (norm * self.library_norms[index])
            if similarity > best_similarity:
                best, best_similarity = index, similarity
        return best, best_similarity

    def to_bytes(self) -> bytes:
        """The model as zlib-compressed sections: a JSON header, the terms, then arrays."""
        header = {"format": FORMAT, "token_pattern": self.token_pattern,
                  "stop_words": sorted(self.stop_words), "pair_weight": self.pair_weight,
                  "intercept": self.intercept, "library_titles": self.library_titles,
                  "library_ids": self.library_ids, "inputs": self.inputs}
        sections = [json.dumps(header, separators=(",", ":")).encode("utf-8"),
                    "\n".join(self.terms).encode("utf-8")]
        sections += [_array_bytes(a) for a in (self.idf, self.weights, self.library_norms,
                                               self.postings_start, self.postings_paper,
                                               self.postings_value)]
        packed = b"".join(struct.pack("<Q", len(s)) + s for s in sections)
        return zlib.compress(packed, 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> LikeModel:
        """A model saved by `to_bytes`; ModelFormatError when it cannot be read."""
        try:
            sections = _unpack(zlib.decompress(blob))
            header = json.loads(sections[0])
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise ModelFormatError(f"saved model is not of format {FORMAT}")
            terms = sections[1].decode("utf-8").split("\n") if sections[1] else []
            arrays = [_array_from(code, data)
                      for code, data in zip("dddqqd", sections[2:8], strict=True)]
            model = cls(token_pattern=header["token_pattern"],
                        stop_words=frozenset(header["stop_words"]),
                        pair_weight=header["pair_weight"], terms=terms, idf=arrays[0],
                        weights=arrays[1], intercept=header["intercept"],
                        library_titles=header["library_titles"],
                        library_ids=header["library_ids"], library_norms=arrays[2],
                        postings_start=arrays[3], postings_paper=arrays[4],
                        postings_value=arrays[5], inputs=header["inputs"])
        except ModelFormatError:
            raise
        except (zlib.error, ValueError, KeyError, TypeError, IndexError, struct.error) as exc:
            raise ModelFormatError(f"saved model is unreadable ({exc})") from None
        if not (len(model.idf) == len(model.weights) == len(terms) == len(model.postings_start) - 1
                and len(model.library_norms) == len(model.library_titles)):
            raise ModelFormatError("saved model is unreadable (sections of unequal length)")
        return model


def _array_bytes(values: array) -> bytes:
    if sys.byteorder == "big":  # saved little-endian, whatever the machine
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _array_from(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _unpack(data: bytes) -> list[bytes]:
    sections, position = [], 0
    while position < len(data):
        (length,) = struct.unpack_from("<Q", data, position)
        position += 8
        if position + length > len(data):
            raise ValueError("truncated section")
        sections.append(data[position:position + length])
        position += length
    if len(sections) != 8:
        raise ValueError(f"{len(sections)} sections, expected 8")
    return sections
