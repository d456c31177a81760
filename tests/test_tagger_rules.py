"""Rule errors name the topic, the term and what is wrong."""

import pytest

from feedmaker.errors import ConfigError
from feedmaker.tagger import default_topics, parse_term, parse_topics
from feedmaker.tagger.rules import VIEW_FIELDS


@pytest.mark.parametrize("value, kind, text, field, weight, case", [
    ("image", "word", "image", "text", 1.0, False),
    ("ViT", "word", "ViT", "text", 1.0, True),
    ("self-supervised", "word", "self supervised", "text", 1.0, False),
    ("segment*", "prefix", "segment", "text", 1.0, False),
    ("diffusion model^2.5", "word", "diffusion model", "text", 2.5, False),
    ("image^-1", "word", "image", "text", -1.0, False),
    ("title:survey^3", "word", "survey", "title", 3.0, False),
    ("authors:Yann LeCun", "word", "Yann LeCun", "authors", 1.0, True),
    ("category:cs.CV", "label", "cs.cv", "category", 1.0, False),
    ("category:q-bio*", "label", "q-bio*", "category", 1.0, False),
    ("topic:vision", "label", "vision", "topic", 1.0, True),
    ("source:HF-daily", "label", "HF-daily", "source", 1.0, True),
    (r"re:\bGPT-?\d", "regex", r"\bGPT-?\d", "text", 1.0, True),
    ({"term": "mamba", "weight": 2, "field": "title"}, "word", "mamba", "title", 2.0, False),
    ({"regex": "(?i)llama", "weight": 3}, "regex", "(?i)llama", "text", 3.0, True),
])
def test_term_forms(value, kind, text, field, weight, case):
    term = parse_term(value, fields=VIEW_FIELDS)
    assert (term.kind, term.text, term.field, term.weight, term.case_sensitive) == (
        kind, text, field, weight, case)


@pytest.mark.parametrize("table, message", [
    ({"any": ["re:(a)\\1"]}, r"topics\.t\.any\[1\]: term 're:\(a\)\\\\1': not a valid RE2"),
    ({"any": ["re:.*"]}, "matches empty text"),
    ({"any": ["--"]}, r"topics\.t\.any\[1\]: term '--': has no letter or digit"),
    ({"any": ["seg*ment"]}, "only at the end"),
    ({"any": ["x^0"]}, "weight must be non-zero and at most 100"),
    ({"any": ["x^101"]}, "weight must be non-zero and at most 100"),
    ({"any": ["x^nan"]}, "weight 'nan' is not a number"),
    ({"any": ["x^inf"]}, "weight 'inf' is not a number"),
    ({"any": [{"term": "x", "weight": 0}]}, "weight must be a non-zero number"),
    ({"any": [{"term": "x", "weight": float("nan")}]}, "weight must be a non-zero number"),
    ({"any": [{"term": "x", "weight": -500}]}, "at most 100 either way"),
    ({"any": ["x"], "title_weight": 11}, r"topics\.t\.title_weight: must be a number from 0 to 10"),
    ({"any": [{"term": "x", "regex": "y"}]}, "exactly one of `term` or `regex`"),
    ({"any": [{"term": "x", "field": "body"}]}, "field must be one of"),
    ({"any": [{"term": "x", "colour": 1}]}, "unknown key 'colour'"),
    ({"any": ["category:re:cs"]}, "category terms are names, not regexes"),
    ({"any": ["topic:vision"]}, "field .topic. is for views only"),
    ({"any": ["titel:survey"]}, r"unknown field 'titel' \(known: text, title, summary"),
    ({"any": [3]}, "term 3: must be a non-empty string or an inline table"),
    ({"any": "image"}, r"topics\.t\.any: must be a list of terms"),
    ({"any": ["x"], "threshold": 0}, r"topics\.t\.threshold: must be more than 0"),
    ({"any": ["x"], "threshold": float("nan")}, r"topics\.t\.threshold: must be a number"),
    ({"any": ["x"], "threshold": float("inf")}, r"topics\.t\.threshold: must be a number"),
    ({"any": ["x"], "title_weight": "2"}, r"topics\.t\.title_weight: must be a number"),
    ({"all": [[]]}, r"topics\.t\.all\[1\]: is an empty group"),
    ({"none": ["x"]}, "needs at least one term in `any` or `all`"),
    ({"any": ["x"], "none": ["x^2"]}, "weights count only in `any`"),
    ({"any": ["x^-1"]}, "needs a term with a positive weight"),
])
def test_rule_errors_name_topic_term_and_problem(table, message):
    with pytest.raises(ConfigError, match=message) as info:
        parse_topics({"t": table})
    assert str(info.value).startswith("topics.t")
    assert info.value.path[:2] == ("topics", "t")


def test_a_term_that_is_only_text_may_hold_a_colon_as_an_inline_table():
    assert parse_term({"term": "titel:survey"}).text == "titel:survey"
    assert parse_term("re:^x").kind == "regex"


def test_the_default_rules_cover_the_17_spec_topics_with_titles_and_descriptions():
    topics = default_topics()
    assert len(topics) == 17
    assert all(t.title and t.description and (t.any or t.all) for t in topics)
