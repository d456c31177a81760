"""Why a paper is in each of its topics: the terms that hit, as the words found in the paper."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from feedmaker.model import Entry
from feedmaker.tagger import Tagger, Term, TopicResult
from feedmaker.tagger.matcher import MatchTerm, exact_pattern

# How many terms one topic shows at most.
MAX_TERMS = 6
_WORD_END = re.compile(r"\w*")


# Computed once, when topics are (see store.topics), and kept with them: feeds and pages show
# the words and mark them in the abstract without running the tagger again.
def topic_terms(tagger: Tagger, entry: Entry,
                results: Sequence[TopicResult] | None = None) -> dict[str, tuple[str, ...]]:
    """The terms that put the entry in each topic of `results` (the verdicts
    `tagger.verdicts(entry)` gives, which it computes when None), in that order, each as the
    words it first matched in the paper ("segmentation" for `segment*`), once each whatever
    their case."""
    if results is None:
        results = tagger.verdicts(entry)
    found: dict[str, tuple[str, ...]] = {}
    for result in results:
        words: dict[str, str] = {}
        for hit in result.hits:
            if hit.role == "none" or (hit.role == "any" and hit.points <= 0):
                continue  # vetoes and negative weights count against the topic
            word = _found_word(hit.parsed, hit.field, entry)
            words.setdefault(word.casefold(), word)
            if len(words) == MAX_TERMS:
                break  # later words could only come after these
        found[result.slug] = tuple(words.values())
    return found


def _found_word(term: Term, field: str, entry: Entry) -> str:
    """The words the term first matched in the field it hit (its own text if none)."""
    if term.kind == "label":  # an arXiv category, a topic, a source, a view
        prefix = term.text.removesuffix("*")
        if term.field != "category":
            return prefix
        return next((c for c in entry.categories if c.lower() == term.text
                     or (term.text.endswith("*") and c.lower().startswith(prefix))), prefix)
    texts: Sequence[str] = {"title": (entry.title,), "summary": (entry.summary,),
                            "authors": entry.authors}.get(field, ())
    pattern = _pattern(term.kind, term.text, term.case_sensitive)
    for text in texts:
        match = pattern.search(text)
        if match:
            word = match.group(0)
            if term.kind == "prefix":  # the whole word, not just the prefix
                word += _WORD_END.match(text, match.end()).group(0)
            return word
    return term.text


@functools.lru_cache(maxsize=4096)  # cheaper to look up by these than by a MatchTerm
def _pattern(kind: str, text: str, case_sensitive: bool):
    return exact_pattern(MatchTerm(kind, text, case_sensitive))
