"""The tagger assigns topics from whole-word terms, with vetoes."""

from feedmaker.tagger import Tagger, default_topics, parse_topics

RULES = parse_topics({
    "vision": {"title": "Vision", "any": ["image", "ViT", "self supervised"],
               "none": ["vision-language"]},
    "gans": {"title": "GANs", "any": ["GAN"]},
})


def test_terms_match_whole_words_only():
    tagger = Tagger(RULES)
    assert tagger.tag_text("A GAN for faces") == ["gans"]
    assert tagger.tag_text("Organ segmentation") == []
    assert tagger.tag_text("Imagery", "imagenet activity") == []


def test_terms_match_case_insensitively_in_title_or_summary():
    tagger = Tagger(RULES)
    assert tagger.tag_text("x", "An IMAGE dataset") == ["vision"]
    assert tagger.tag_text("vit backbones") == ["vision"]


def test_spaces_in_terms_also_match_hyphens():
    assert Tagger(RULES).tag_text("Self-supervised pretraining") == ["vision"]


def test_none_terms_veto_the_topic():
    tagger = Tagger(RULES)
    assert tagger.tag_text("A vision-language model reading images") == []
    match = next(m for m in tagger.explain("Vision-language image models") if m.slug == "vision")
    assert match.hits == ("image",) and match.vetoes == ("vision-language",)


def test_the_fingerprint_changes_with_the_rules():
    assert Tagger(RULES).fingerprint == Tagger(RULES).fingerprint
    assert Tagger(RULES).fingerprint != Tagger(default_topics()).fingerprint


def test_default_topics_sort_obvious_papers():
    tagger = Tagger(default_topics())
    assert "vision" in tagger.tag_text("Object detection in satellite images")
    assert "audio" in tagger.tag_text("Streaming speech recognition")
    assert "robotics" in tagger.tag_text("Dexterous manipulation with a humanoid robot")
    assert tagger.tag_text("On the cardinality of sets") == []
