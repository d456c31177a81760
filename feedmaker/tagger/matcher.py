"""Find which of many terms occur in a text, as whole words, case-insensitively."""

from __future__ import annotations

import re
from collections.abc import Iterable


def _pattern(term: str) -> str:
    # A space in a term matches any run of whitespace or a hyphen: "self supervised"
    # also finds "self-supervised".
    words = [re.escape(word) for word in term.split()]
    return r"[\s-]+".join(words)


class TermMatcher:
    """Compiled once from a list of terms; `matches(text)` returns the terms present."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = tuple(dict.fromkeys(terms))
        self._regexes = [
            re.compile(r"(?<!\w)" + _pattern(term) + r"(?!\w)", re.IGNORECASE)
            for term in self.terms
        ]

    def matches(self, text: str) -> list[str]:
        """Every term that occurs in `text`, in the order the terms were given."""
        return [term for term, regex in zip(self.terms, self._regexes, strict=True)
                if regex.search(text)]
