"""Topic rules mean what a person expects: scopes, weights, thresholds, all-groups, vetoes."""

import pytest

from feedmaker.model import Entry
from feedmaker.tagger import Tagger, parse_topics, rules_fingerprint


def tagger(**topics) -> Tagger:
    return Tagger(parse_topics(topics))


def test_any_term_in_title_or_summary_qualifies_by_default():
    t = tagger(vision={"any": ["image"]})
    assert t.tag_fields("Image models") == ["vision"]
    assert t.tag_fields("A study", "of image models") == ["vision"]
    assert t.tag_fields("A study", "of text") == []


def test_a_phrase_never_runs_from_the_title_into_the_summary():
    words = tagger(language={"any": ["language model"]}, plain={"any": ["graph"]})
    assert words.tag_fields("Tuning a large language", "model for graphs") == ["plain"]
    assert words.tag_fields("A large language model", "") == ["language"]
    regex = tagger(language={"any": ["re:language.model"]}, plain={"any": ["graph"]})
    assert regex.tag_fields("Tuning a large language", "Model. A graph") == ["plain"]
    assert regex.tag_fields("A large language model", "") == ["language"]


def test_a_term_in_title_and_summary_counts_once_with_the_title_weight():
    t = tagger(vision={"any": ["image^2"], "threshold": 5, "title_weight": 2})
    assert t.tag_fields("Image", "image image") == []                      # 4, not 6
    assert t.tag_fields("Image segmentation", "") == []
    assert tagger(v={"any": ["image^2", "pixel"], "threshold": 5}).tag_fields(
        "Image", "image pixel") == ["v"]                                     # 4 + 1


def test_pitfalls_acronyms_are_case_sensitive_whole_words():
    t = tagger(gan={"any": ["GAN"]}, rl={"any": ["RL"]}, vit={"any": ["ViT"]},
               star={"any": ["star"]})
    assert t.tag_fields("Organ donors start their activity in the world") == []
    assert t.tag_fields("A GAN with a ViT and RL, see the star") == ["gan", "rl", "vit", "star"]
    assert t.tag_fields("gan vit rl") == []


def test_lower_case_terms_match_any_case():
    assert tagger(a={"any": ["transformer"]}).tag_fields("TRANSFORMER Transformers") == ["a"]


def test_an_explicit_case_setting_overrides_the_capitals_rule():
    t = tagger(a={"any": [{"term": "Mamba", "case_sensitive": True}]},
               b={"any": [{"term": "BERT", "case_sensitive": False}]})
    assert t.tag_fields("mamba bert") == ["b"]
    assert t.tag_fields("Mamba") == ["a"]


def test_weights_and_threshold_one_strong_title_term_or_several_weak_summary_terms():
    t = tagger(vision={"any": ["segmentation^2", "pixel", "image"], "threshold": 3})
    assert t.tag_fields("Segmentation at scale") == ["vision"]            # 2 x title 2 = 4
    assert t.tag_fields("A method", "for segmentation") == []              # 2
    assert t.tag_fields("A method", "for segmentation of image pixels") == ["vision"]  # 2+1+1


def test_a_term_counts_once_even_when_it_hits_title_and_summary():
    t = tagger(a={"any": ["graph"], "threshold": 2.5})
    assert t.tag_fields("Graph", "graph graph graph") == []


def test_title_weight_is_per_topic():
    t = tagger(a={"any": ["graph"], "threshold": 3, "title_weight": 3})
    assert t.tag_fields("Graph") == ["a"]


def test_negative_weights_count_against_a_topic():
    t = tagger(language={"any": ["language", "image^-1"], "threshold": 1})
    assert t.tag_fields("x", "language") == ["language"]
    assert t.tag_fields("x", "language and image") == []


def test_all_groups_must_each_have_a_hit():
    t = tagger(**{"robot-vision": {"all": [["robot", "manipulation"], ["camera", "image"]]}})
    assert t.tag_fields("Robot manipulation") == []
    assert t.tag_fields("Robot grasping from camera images") == ["robot-vision"]


def test_any_and_all_combine():
    t = tagger(a={"any": ["policy"], "all": ["robot"]})
    assert t.tag_fields("policy") == []
    assert t.tag_fields("robot") == []
    assert t.tag_fields("robot policy") == ["a"]


def test_none_terms_veto_whatever_the_score():
    t = tagger(vision={"any": ["image^10"], "none": ["vision-language"]})
    assert t.tag_fields("Vision language models for image captioning") == []


@pytest.mark.parametrize("term, title, summary, authors, expected", [
    ("title:survey", "A survey", "", (), True),
    ("title:survey", "Methods", "In this survey", (), False),
    ("summary:survey", "A survey", "", (), False),
    ("summary:survey", "Methods", "In this survey", (), True),
    ("authors:Yann LeCun", "Methods", "", ("Yann LeCun",), True),
    ("authors:Yann LeCun", "Yann LeCun's methods", "", (), False),
    ("LeCun", "Methods", "", ("Yann LeCun",), False),
])
def test_field_scopes_limit_where_a_term_may_hit(term, title, summary, authors, expected):
    t = tagger(a={"any": [term]})
    assert (t.tag_fields(title, summary, authors) == ["a"]) is expected


def test_category_terms_match_source_categories_exactly_or_by_prefix():
    t = tagger(vision={"any": ["category:cs.CV"]}, bio={"any": ["category:q-bio.*"]})
    assert t.tag_fields("x", categories=["cs.cv", "q-bio.NC"]) == ["vision", "bio"]
    assert t.tag_fields("x", categories=["cs.CVX"]) == []
    assert t.tag_fields("cs.CV is in the title") == []


def test_prefix_terms_need_a_star():
    t = tagger(a={"any": ["segment*"]}, b={"any": ["segment"]})
    assert t.tag_fields("Segmentation") == ["a"]
    assert t.tag_fields("segments") == ["a", "b"]


def test_regex_terms_use_re2_syntax_as_written():
    t = tagger(a={"any": [r"re:\bGPT-?\d+o?\b"]}, b={"any": [{"regex": "(?i)llama ?[23]",
                                                           "weight": 2}]})
    assert t.tag_fields("GPT-4o and GPT4 and Llama 3") == ["a", "b"]
    assert t.tag_fields("gpt-4") == []


def test_explain_shows_every_hit_with_field_points_and_threshold():
    t = tagger(vision={"any": ["image", "segmentation^2"], "none": ["medical"],
                       "threshold": 3},
               audio={"any": ["speech"], "all": ["audio"]})
    results = {r.slug: r for r in t.explain("Image segmentation", "for medical image data")}
    vision = results["vision"]
    assert not vision.matched and vision.score == 6 and vision.threshold == 3
    assert [(h.term, h.role, h.field, h.points) for h in vision.hits] == [
        ("image", "any", "title", 2.0), ("segmentation^2", "any", "title", 4.0),
        ("medical", "none", "summary", 0.0)]
    assert vision.vetoes == ("medical",)
    assert results["audio"].groups_missing == (0,)


def test_points_add_up_exactly_whatever_the_order_of_hits():
    t = tagger(a={"any": ["x^0.1", "y^0.2"], "threshold": 0.3, "title_weight": 1})
    assert t.tag_fields("y", "x") == t.tag_fields("x", "y") == ["a"]  # not 0.30000000000000004
    [result] = t.explain("y", "x")
    assert result.score == 0.3


def test_verdicts_are_the_matched_topics_with_scores_and_hits():
    t = tagger(vision={"any": ["image", "segmentation^2"], "threshold": 3},
               audio={"any": ["speech"]}, robots={"all": ["robot"]})
    entry = Entry(id="x", title="Image segmentation", summary="A robot", url="https://x.org/",
                  source="s")
    verdicts = t.verdicts(entry)
    assert [(r.slug, r.score, [h.term for h in r.hits]) for r in verdicts] == [
        ("vision", 6.0, ["image", "segmentation^2"]), ("robots", 0.0, ["robot"])]
    assert verdicts == [r for r in t.explain(entry.title, entry.summary) if r.matched]
    assert t.scored(entry) == [("vision", 6.0), ("robots", 0.0)]
    assert t.tag(entry) == ["vision", "robots"]


def test_the_fingerprint_follows_the_rules():
    assert rules_fingerprint(parse_topics({"a": {"any": ["x"]}})) == rules_fingerprint(
        parse_topics({"a": {"any": ["x"]}}))
    assert rules_fingerprint(parse_topics({"a": {"any": ["x"]}})) != rules_fingerprint(
        parse_topics({"a": {"any": ["x^2"]}}))

