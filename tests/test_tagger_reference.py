"""The tagger gives what a naive reference gives: each term searched on its own, plainly."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from feedmaker.model import Entry
from feedmaker.tagger import Tagger, TopicRule, default_topics, parse_term
from feedmaker.tagger.matcher import SEPARATORS, plural_variants
from feedmaker.tagger.reasons import MAX_TERMS, topic_terms
from feedmaker.tagger.rules import VIEW_FIELDS

FIELD_ORDER = ("title", "summary", "authors", "category", "topic", "source", "view")
WHERE = {"text": ("title", "summary"), "title": ("title",), "summary": ("summary",),
         "authors": ("authors",)}


def term_regex(term):
    """A word or prefix term as a Python regex (docs/topics.md); a regex term as RE2."""
    if term.kind == "regex":
        return re2.compile(term.text)
    words = term.text.split(" ")
    if term.kind == "word":
        last = "(?:" + "|".join(map(re.escape, plural_variants(words[-1],
                                                                term.case_sensitive))) + ")"
    else:
        last = re.escape(words[-1]) + r"\w*"  # the whole word a prefix starts
    body = ("[" + re.escape(SEPARATORS) + "]+").join([*map(re.escape, words[:-1]), last])
    left = r"(?<!\w)" if re.match(r"\w", words[0][0]) else ""
    right = r"(?!\w)" if term.kind == "word" and re.match(r"\w", words[-1][-1]) else ""
    return re.compile(left + body + right, 0 if term.case_sensitive else re.IGNORECASE)


def names_of(field, paper):
    return paper["category"] if field == "category" else paper["labels"].get(field, [])


def names(term, name):
    """Whether a label term names `name`: arXiv categories in any case, others exactly."""
    name = name.lower() if term.field == "category" else name
    return name == term.text or (term.text.endswith("*") and name.startswith(term.text[:-1]))


def word_found(term, field, paper):
    """The words a term matched in a field of the paper, or None where it has no hit."""
    if term.kind == "label":
        found = [name for name in names_of(field, paper) if names(term, name)]
        if not found:
            return None
        return found[0] if field == "category" else term.text.removesuffix("*")
    if field == "authors":  # the authors are searched as one text, shown name by name
        if not paper["authors"] or not term_regex(term).search("; ".join(paper["authors"])):
            return None
        found = [m.group(0) for m in map(term_regex(term).search, paper["authors"]) if m]
        return (found or [term.text])[0]
    match = term_regex(term).search(paper[field])
    return match.group(0) if match else None


def listed(terms, field, paper):
    """The terms that hit in a field, as (position, role, group, term), in the order hits
    are listed: rule order; in a label field, name by name (exact terms before prefixes),
    each name that a term names making a hit of its own."""
    if field in ("title", "summary", "authors"):
        return [t for t in terms if field in WHERE.get(t[3].field, ())
                and word_found(t[3], field, paper) is not None]
    in_field = [t for t in terms if t[3].field == field]
    return [t for name in names_of(field, paper)
            for prefix in (False, True) for t in in_field
            if t[3].text.endswith("*") == prefix and names(t[3], name)]


def reference(rules, paper):
    """Each topic's (slug, matched, score, hits, groups missing), term by term."""
    results = []
    for topic in rules:
        terms = [("any", 0, t) for t in topic.any]
        terms += [("all", g, t) for g, group in enumerate(topic.all) for t in group]
        terms += [("none", 0, t) for t in topic.none]
        terms = [(position, *term) for position, term in enumerate(terms)]
        hits, counted, score, groups, vetoed = [], set(), Decimal(0), set(), False
        for field in FIELD_ORDER:
            for position, role, group, term in listed(terms, field, paper):
                points = Decimal(0)
                if role == "any":
                    if position in counted:
                        continue  # counted once, where first found: the title first
                    counted.add(position)
                    points = Decimal(str(term.weight)) * (
                        Decimal(str(topic.title_weight)) if field == "title" else 1)
                score += points
                if role == "all":
                    groups.add(group)
                vetoed = vetoed or role == "none"
                hits.append((term.source, role, field, float(points),
                             word_found(term, field, paper)))
        missing = tuple(g for g in range(len(topic.all)) if g not in groups)
        matched = (not vetoed and not missing
                   and (not topic.any or score >= Decimal(str(topic.threshold))))
        results.append((topic.slug, matched, float(score), hits, missing))
    return results


def shown_words(hits):
    """The words a matched topic shows: positive hits' words, once whatever their case."""
    words = {}
    for _, role, _, points, word in hits:
        if role == "all" or (role == "any" and points > 0):
            words.setdefault(word.casefold(), word)
    return tuple(words.values())[:MAX_TERMS]


def check(tagger, rules, paper):
    """Every way to ask the tagger gives what the reference gives."""
    entry = Entry(id="x", title=paper["title"], summary=paper["summary"], url="https://x.org/",
                  source="s", authors=tuple(paper["authors"]),
                  categories=tuple(paper["category"]))
    expected = reference(rules, paper)
    results = tagger.explain(entry.title, entry.summary, entry.authors, entry.categories,
                             paper["labels"])
    assert [(r.slug, r.matched, r.score, [(h.term, h.role, h.field, h.points) for h in r.hits],
             r.groups_missing) for r in results] == [
        (slug, matched, score, [hit[:4] for hit in hits], missing)
        for slug, matched, score, hits, missing in expected]
    verdicts = tagger.verdicts(entry, paper["labels"])
    assert verdicts == [r for r in results if r.matched]
    assert topic_terms(tagger, entry, verdicts) == {
        slug: shown_words(hits) for slug, matched, _, hits, _ in expected if matched}
    if not paper["labels"]:
        matched = [(slug, score) for slug, matched, score, _, _ in expected if matched]
        assert tagger.scored(entry) == matched
        assert tagger.tag(entry) == [slug for slug, _ in matched]
        assert tagger.tag_fields(entry.title, entry.summary, entry.authors,
                                 entry.categories) == [slug for slug, _ in matched]
        assert topic_terms(tagger, entry) == topic_terms(tagger, entry, verdicts)


WORDS = ["image", "speech", "robot", "graph", "model", "vision", "GAN", "data",
         "language model", "large language model", "self-supervised", "segment*", "naïve"]
SCOPED = st.builds(lambda scope, word: scope + word,
                   st.sampled_from(["", "", "title:", "summary:", "authors:"]),
                   st.sampled_from(WORDS)) | st.sampled_from(
    ["re:gr[a-z]+h", "category:cs.CV", "category:q-bio*", "topic:vision", "source:hf*",
     "view:mine", "authors:Yann LeCun"])
WEIGHTED = st.builds(lambda term, weight: f"{term}^{weight}" if "re:" not in term else term,
                     SCOPED, st.sampled_from([-2, -0.5, 0.3, 1, 1.5, 3]))


def terms(strategy, most):
    return st.lists(strategy, max_size=most).map(
        lambda values: tuple(parse_term(v, fields=VIEW_FIELDS) for v in values))


topic_rules = st.builds(
    lambda slug, any_terms, groups, none_terms, threshold, title_weight: TopicRule(
        slug, slug, "", any_terms, groups, none_terms, threshold, title_weight),
    st.sampled_from("abcd"), terms(WEIGHTED, 5),
    st.lists(terms(SCOPED, 2).filter(bool), max_size=2).map(tuple), terms(SCOPED, 2),
    st.sampled_from([0.3, 0.5, 1, 2, 3.5]), st.sampled_from([1, 1.5, 2]))
rule_sets = st.lists(topic_rules, min_size=1, max_size=4, unique_by=lambda t: t.slug)
# Phrases split between title and summary, plurals, hyphens and non-ASCII text.
TEXT_WORDS = ["image", "images", "speech", "robots", "graph", "graphh", "model", "models",
              "vision", "GAN", "gan", "data", "the", "a", "large", "language", "self",
              "supervised", "self-supervised", "segments", "naive", "naïve", "é", "-", "\x01"]
texts = st.lists(st.sampled_from(TEXT_WORDS), max_size=12).map(" ".join)
papers = st.fixed_dictionaries({
    "title": texts, "summary": texts,
    "authors": st.lists(st.sampled_from(["Yann LeCun", "Ada Lovelace", "Model Robot"]),
                        max_size=2),
    "category": st.lists(st.sampled_from(["cs.CV", "cs.cv", "q-bio.NC", "cs.CL"]), max_size=2),
    "labels": st.sampled_from([{}, {"topic": ["vision"], "source": ["hf-daily"]},
                               {"view": ["mine"], "source": ["arxiv"]}]),
})


@settings(max_examples=400, deadline=None)
@given(rule_sets, papers)
def test_the_tagger_gives_what_the_reference_gives(rules, paper):
    check(Tagger(rules), rules, paper)


def test_the_reference_can_tell_a_wrong_verdict():
    rules = (TopicRule("a", "a", "", (parse_term("image^2"),), threshold=3, title_weight=2),)
    paper = {"title": "Image", "summary": "image", "authors": [], "category": [], "labels": {}}
    check(Tagger(rules), rules, paper)  # 2 x 2 in the title, once: 4, a match
    [(_, matched, score, hits, _)] = reference(rules, paper)
    assert matched and score == 4 and [hit[2] for hit in hits] == ["title"]
    with pytest.raises(AssertionError):
        check(Tagger((TopicRule("a", "a", "", (parse_term("image^2"),), threshold=5),)),
              rules, paper)


@pytest.mark.slow
def test_the_default_rules_give_what_the_reference_gives_on_every_dev_paper():
    rules = default_topics()
    tagger = Tagger(rules)
    path = Path(__file__).parent / "fixtures" / "arxiv-topics-dev.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        paper = json.loads(line)
        check(tagger, rules, {"title": paper["title"], "summary": paper["summary"],
                              "authors": paper.get("authors", []),
                              "category": paper.get("categories", []), "labels": {}})
