"""Turn a text into TF-IDF features exactly as the fitted scikit-learn vectorizers do."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence


class Analyzer:
    """scikit-learn's word analyzer for one token pattern and stop list, in plain Python.

    Mirrors `TfidfVectorizer(lowercase=True, strip_accents="unicode", ngram_range=...)`:
    lower-case, strip accents (NFKD, combining marks dropped), find tokens, drop stop
    words, then form word pairs from the remaining tokens. tests/test_like_model.py holds
    it equal to scikit-learn's own transform.
    """

    def __init__(self, token_pattern: str, stop_words: frozenset[str]) -> None:
        self.tokens_of = re.compile(token_pattern).findall
        self.stop_words = stop_words

    def tokens(self, text: str) -> list[str]:
        """The text's tokens, stop words removed."""
        text = _strip_accents(text.lower())
        return [t for t in self.tokens_of(text) if t not in self.stop_words]

    def counts(self, text: str) -> tuple[Counter[str], Counter[str]]:
        """How often each word and each word pair occurs."""
        tokens = self.tokens(text)
        return Counter(tokens), Counter(map(" ".join, zip(tokens, tokens[1:], strict=False)))


def tfidf(counts: Mapping[str, int], index: Mapping[str, int], idf: Sequence[float],
          weight: float = 1.0) -> dict[int, float]:
    """By term number: sublinear tf (1 + ln count) times idf, l2-normalized, times `weight`.
    Terms outside the vocabulary are dropped before normalizing, as scikit-learn does."""
    vector = {}
    for term, count in counts.items():
        number = index.get(term)
        if number is not None:
            vector[number] = (math.log(count) + 1.0) * idf[number]
    norm = math.sqrt(math.fsum(v * v for v in vector.values()))
    if not norm:
        return {}
    return {number: weight * value / norm for number, value in vector.items()}


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
