"""Find which of many terms occur in a text, all at once, nested and overlapping ones included."""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import re2

from feedmaker.errors import ConfigError

# Every term is one pattern in a google-re2 `Set`, which reports every pattern that occurs in
# one linear-time scan: "language model" inside "large language model" is found as well as
# the longer term (a single alternation regex, or flashtext, would lose it), and no pattern
# can make the scan backtrack.
#
# Word boundaries: RE2's `\b` knows only ASCII letters, and a Set with Unicode boundary
# classes is thousands of times slower (measured: 3 s to compile 1,000 terms, 150 docs/s).
# So the Set uses `\b`, and a non-ASCII text (3% of arXiv abstracts) is scanned as a copy
# where each non-ASCII letter or digit becomes `_`, which `\b` counts as a word character,
# and other non-ASCII characters become separators or punctuation. That is exact for every
# term made of ASCII letters, digits and punctuation. The few terms that contain other
# characters (or `_`), and regexes, are checked on the original text one by one.
#
# The Set therefore only ever reads ASCII, and is compiled in RE2's Latin-1 mode, where a
# case-insensitive `k` is not also the Kelvin sign and a phrase separator is one byte: its
# automaton is smaller and scans about 15% faster than the same Set in UTF-8 mode. An ASCII
# regex means the same there as in UTF-8 mode on ASCII text; the rare regex that Latin-1
# mode cannot compile (`\x{2010}`) is checked one by one on every text.

# Inside a phrase, a space in the term matches any run of these in the text.
SEPARATORS = "\t\n\f\r -\u00a0\u2010\u2011"
# The Set reads ASCII only: a masked copy has the non-ASCII separators as " " and "-".
_SEP_RE2 = r"[\t\n\f\r \-]+"
_SEP_PY = "[\t\n\f\r \\-\u00a0\u2010\u2011]+"
_SPLIT = re.compile(_SEP_PY)


@dataclass(frozen=True)
class MatchTerm:
    """One pattern to look for.

    kind: "word" (whole words; simple plural of the last word), "prefix" (whole word on the
    left, any word ending), or "regex" (RE2 syntax, as written).
    """

    kind: str
    text: str
    case_sensitive: bool = False


def words_of(text: str) -> list[str]:
    """The words of a term: split on spaces and hyphens."""
    return [w for w in _SPLIT.split(text.strip()) if w]


def plural_variants(word: str, case_sensitive: bool) -> list[str]:
    """The word and its simple English plural: model/models, policy/policies, bias/biases."""
    if not word[-1:].isalpha():
        return [word]
    if case_sensitive:
        return [word] if word.endswith("s") else [word, word + "s"]
    lower = word.lower()
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return [word, word[:-1] + "ies"]
    if lower.endswith("is") and len(lower) > 3:
        return [word, word[:-2] + "es"]
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return [word, word + "es"]
    return [word, word + "s"]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _word_pattern(term: MatchTerm, sep: str, before: str, after: str) -> str:
    """A word/prefix term as a regex: its words joined by `sep`, between the word
    boundaries `before` and `after` where its ends are word characters."""
    words = words_of(term.text)
    last = re.escape(words[-1])
    if term.kind == "word":
        variants = plural_variants(words[-1], term.case_sensitive)
        last = "(?:" + "|".join(re.escape(v) for v in variants) + ")"
    left = before if _is_word_char(words[0][0]) else ""
    right = after if term.kind == "word" and _is_word_char(words[-1][-1]) else ""
    return left + sep.join([*map(re.escape, words[:-1]), last]) + right


def re2_pattern(term: MatchTerm) -> str:
    """The term as an RE2 pattern, with ASCII word boundaries."""
    if term.kind == "regex":
        return term.text
    flags = "" if term.case_sensitive else "(?i)"
    return flags + _word_pattern(term, _SEP_RE2, r"\b", r"\b")


def exact_pattern(term: MatchTerm) -> re.Pattern | re2._Regexp:
    """The term as one compiled pattern that reads any text as it is: a regex in RE2, a
    word/prefix term in Python's Unicode-aware `re`."""
    if term.kind == "regex":
        return re2.compile(term.text)
    return re.compile(_word_pattern(term, _SEP_PY, r"(?<!\w)", r"(?!\w)"),
                      0 if term.case_sensitive else re.IGNORECASE)


class TermMatcher:
    """Compiled once from a list of terms; `search(text)` returns the indices present."""

    def __init__(self, terms: Sequence[MatchTerm]) -> None:
        # Terms the `_`-masked copy of a non-ASCII text cannot answer for: regexes, and terms
        # with characters the masking has lost. They are checked on such texts one by one.
        self._exact = {i: exact_pattern(t) for i, t in enumerate(terms)
                       if t.kind == "regex" or "_" in t.text or not t.text.isascii()}
        # Regexes the Latin-1 Set cannot hold are checked one by one on every text. On
        # ASCII text an ASCII regex means the same in Latin-1 as in UTF-8 mode.
        self._regexes_apart = frozenset(i for i, t in enumerate(terms)
                                        if t.kind == "regex" and not _fits_latin1(t.text))
        options = re2.Options()
        options.max_mem = 64 << 20
        options.encoding = re2.Options.Encoding.LATIN1
        self._set = re2.Set.SearchSet(options)
        for i, term in enumerate(terms):
            # A term with non-ASCII letters never occurs in the ASCII the Set reads.
            apart = i in self._regexes_apart or not term.text.isascii()
            self._set.Add((_NEVER if apart else re2_pattern(term)).encode("ascii"))
        try:
            self._set.Compile()
        except re2.error:  # beyond max_mem: about a megabyte of terms
            raise ConfigError(f"the rules' {len(terms):,} terms are too many or too long to be "
                              "searched together (RE2 needs more than 64 MB for them): remove "
                              "or shorten some") from None
        # google-re2's Python wrapper re-checks and re-encodes every call (1.2 us of 3.4 us
        # for a title); call its binding with bytes when it is there.
        binding = getattr(self._set, "_set", None)
        self._match_bytes = (binding.Match if hasattr(binding, "Match")
                             else lambda text: self._set.Match(text) or [])

    def search(self, text: str) -> list[int]:
        """Indices (into `terms`) of every term that occurs in `text`, in no set order."""
        if text.isascii():
            found = self._match_bytes(text.encode("ascii"))
            checked_apart = self._regexes_apart
        else:
            found = self._match_bytes(text.encode("ascii", _MASK))
            checked_apart = self._exact
            if checked_apart:
                found = [i for i in found if i not in checked_apart]
        if not checked_apart:
            return found
        exact = self._exact
        return found + [i for i in checked_apart if exact[i].search(text)]


@functools.lru_cache(maxsize=4096)
def _mask_run(run: str) -> str:
    return "".join("_" if char.isalnum() else
                   ("-" if char in "\u2010\u2011" else " ") if char in SEPARATORS else "\x00"
                   for char in run)


def _mask_error(error: UnicodeEncodeError) -> tuple[str, int]:
    # str.encode copies ASCII in C and calls this once per run of other characters.
    return _mask_run(error.object[error.start:error.end]), error.end


_MASK = "feedmaker-tagger-mask"
codecs.register_error(_MASK, _mask_error)


# An empty byte class: matches nothing, keeps a term's place in the Set.
_NEVER = r"[^\x00-\xff]"


def _fits_latin1(pattern: str) -> bool:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.log_errors = False
    try:
        re2.compile(pattern.encode("ascii"), options)
    except (UnicodeEncodeError, re2.error):
        return False  # not ASCII, or e.g. \x{2010}, beyond Latin-1
    return True


def check_regex(pattern: str) -> str | None:
    """Why an RE2 pattern is unusable as a term, or None when it is fine."""
    options = re2.Options()
    options.log_errors = False
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return f"not a valid RE2 regex ({reason}); RE2 has no backreferences or lookaround"
    # Empty text, or nothing beside a word (r"\b(?:zzz)?"): either hits every paper.
    for probe in _EMPTY_PROBES:
        found = compiled.search(probe)
        if found is not None and found.start() == found.end():
            return "matches empty text, so it would match every paper"
    return None


_EMPTY_PROBES = ("", " a-1 ")
