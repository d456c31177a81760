"""The RE2 multi-pattern matcher agrees exactly with a slow, obviously-correct reference."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedmaker.errors import ConfigError
from feedmaker.tagger.matcher import (
    SEPARATORS,
    MatchTerm,
    TermMatcher,
    check_regex,
    plural_variants,
    words_of,
)


def is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def reference_occurs(term: MatchTerm, text: str) -> bool:
    """Character-by-character search, written from the documented rules, with no regex."""
    fold = (lambda s: s) if term.case_sensitive else (lambda s: s.lower())
    words = words_of(term.text)
    lasts = plural_variants(words[-1], term.case_sensitive) if term.kind == "word" else [words[-1]]
    folded = fold(text)
    for start in range(len(text)):
        if is_word(words[0][0]) and start > 0 and is_word(text[start - 1]):
            continue
        for last in lasts:
            end = _match_words(words[:-1] + [last], folded, start, fold)
            if end is None:
                continue
            if term.kind == "word" and is_word(last[-1]) and end < len(text) and is_word(text[end]):
                continue
            return True
    return False


def _match_words(words, folded, position, fold):
    for number, word in enumerate(words):
        if number:
            gap = position
            while position < len(folded) and folded[position] in SEPARATORS:
                position += 1
            if position == gap:
                return None
        if folded[position:position + len(word)] != fold(word):
            return None
        position += len(word)
    return position


VOCAB = ["model", "models", "language", "large", "policy", "policies", "GAN", "gan", "organ",
         "ViT", "activity", "self", "supervised", "caf\u00e9", "na\u00efve", "seg", "segment",
         "data", "RL", "world", "x"]
SEPS = [" ", "  ", "-", " - ", ", ", ". ", "\n", "(", ")", "/", "\u00e9", "\u2010", "\u00a0",
        "_", ""]

texts = st.lists(st.tuples(st.sampled_from(VOCAB), st.sampled_from(SEPS)), max_size=12).map(
    lambda parts: "".join(word + sep for word, sep in parts))
word_terms = st.builds(
    lambda words, kind, case: MatchTerm(kind, " ".join(words), case),
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3),
    st.sampled_from(["word", "prefix"]), st.booleans())


@settings(max_examples=400, deadline=None)
@given(st.lists(word_terms, min_size=1, max_size=8), texts)
def test_matcher_finds_exactly_what_the_reference_finds(terms, text):
    matcher = TermMatcher(terms)
    found = {terms[i] for i in matcher.search(text)}
    expected = {t for t in terms if reference_occurs(t, text)}
    assert found == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(word_terms, min_size=1, max_size=8), texts)
def test_ascii_and_unicode_paths_agree_once_text_is_made_non_ascii(terms, text):
    # Appending a lone non-ASCII word changes which path runs, not what matches.
    matcher = TermMatcher(terms)
    assert set(matcher.search(text)) == set(matcher.search(text + " \u00e9t\u00e9"))


def test_nested_and_overlapping_terms_are_all_found():
    terms = [MatchTerm("word", "language model"), MatchTerm("word", "large language model"),
             MatchTerm("word", "model"), MatchTerm("word", "large language")]
    assert sorted(TermMatcher(terms).search("A large language model.")) == [0, 1, 2, 3]


def test_whole_words_only_for_the_classic_pitfalls():
    cases = [("GAN", "organ"), ("RL", "world"), ("ViT", "activity"), ("star", "start"),
             ("caf\u00e9", "caf\u00e9s\u00e9"), ("na", "na\u00efve")]
    for term, text in cases:
        case = any(c.isupper() for c in term[1:])
        assert TermMatcher([MatchTerm("word", term, case)]).search(text) == [], (term, text)


def test_simple_plurals_match_but_not_the_reverse():
    assert plural_variants("model", False) == ["model", "models"]
    assert plural_variants("policy", False) == ["policy", "policies"]
    assert plural_variants("bias", False) == ["bias", "biases"]
    assert plural_variants("analysis", False) == ["analysis", "analyses"]
    assert plural_variants("LLM", True) == ["LLM", "LLMs"]
    assert plural_variants("GPT-4", True) == ["GPT-4"]
    matcher = TermMatcher([MatchTerm("word", "models")])
    assert matcher.search("one model") == []


def test_hyphen_and_space_variants_of_a_phrase_match_each_other():
    matcher = TermMatcher([MatchTerm("word", "self supervised")])
    variants = ("self-supervised", "Self Supervised", "self -  supervised", "self\u2010supervised")
    for text in variants:
        assert matcher.search(text) == [0], text
    assert matcher.search("selfsupervised") == []


def test_prefix_terms_match_any_ending_but_only_at_a_word_start():
    matcher = TermMatcher([MatchTerm("prefix", "segment")])
    assert matcher.search("Segmentation") == [0]
    assert matcher.search("subsegments") == []


def test_regex_terms_run_in_linear_time_on_a_pathological_pattern():
    pattern = "(a+)+$"
    matcher = TermMatcher([MatchTerm("regex", pattern, True)])
    assert matcher.search("a" * 30_000 + "!") == []  # catastrophic for backtracking engines


def test_regex_terms_use_re2_utf8_syntax_on_ascii_and_other_texts_alike():
    matcher = TermMatcher([MatchTerm("regex", "\u03b1-helix|beta sheet", True),
                           MatchTerm("regex", r"(?i)\bGPT-?\d", True),
                           MatchTerm("regex", r"\x{2010}|\bpre-train", True),
                           MatchTerm("regex", r"\bx\pL+", True)])
    assert matcher.search("a beta sheet") == [0]                  # ASCII text
    assert matcher.search("an \u03b1-helix") == [0]               # and the other path
    assert sorted(matcher.search("gpt4 and a beta sheet, \u00e9t\u00e9")) == [0, 1]
    assert matcher.search("we pre-train it") == [2]
    assert matcher.search("self\u2010attention") == [2]
    assert matcher.search("xylophone") == [3]
    assert matcher.search("x\u00e9nophile") == [3]               # \pL is Unicode's
    assert matcher.search("x1") == []


def test_regex_problems_are_explained():
    assert "no backreferences" in check_regex(r"(a)\1")
    assert "matches empty text" in check_regex("x*")
    assert check_regex(r"\bGPT-?\d") is None


@pytest.mark.parametrize("pattern", [r"\b(?:zzz)?", r"(?:^|\b)", r"\B", r"-?(?:nn)?"])
def test_a_regex_that_matches_nothing_beside_a_word_is_refused(pattern):
    assert "matches empty text" in check_regex(pattern)


def test_texts_are_compared_after_nfc_as_normalize_gives_them():
    term = MatchTerm("word", "caf\u00e9")
    assert TermMatcher([term]).search(unicodedata.normalize("NFC", "cafe\u0301 au lait")) == [0]


def test_terms_too_many_or_too_long_for_one_set_are_a_config_error():
    # re2's "failed to compile Set" (over its 64 MB) was an internal error, exit 70.
    terms = [MatchTerm("word", f"{number}" + "b" * 1000) for number in range(1000)]
    with pytest.raises(ConfigError, match=r"^the rules' 1,000 terms are too many or too long "
                                          r"to be searched together \(RE2 needs more than 64 MB"):
        TermMatcher(terms)
