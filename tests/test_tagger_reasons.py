"""The terms that put a paper in each topic, as the words found in the paper."""

from feedmaker.model import Entry
from feedmaker.tagger import Tagger, parse_topics
from feedmaker.tagger.reasons import MAX_TERMS, topic_terms

RULES = parse_topics({
    "vision": {"any": ["segment*", "image^2", "ViT", "diffusion model^-1"], "threshold": 2,
               "none": ["vision-language"]},
    "cv-category": {"any": ["category:cs.CV"]},
    "lecun": {"any": ["authors:Yann LeCun"]},
    "robots": {"all": [["robot"], ["policy", "imitation learning"]]},
    "gpt": {"any": [r"re:\bGPT-?[0-9]+\b"]},
})


def paper(title, summary="", authors=(), categories=()):
    return Entry(id="x", title=title, url="https://x.org", source="s", summary=summary,
                 authors=tuple(authors), categories=tuple(categories))


def test_each_topic_gets_the_words_its_terms_matched_as_written_in_the_paper():
    tagger = Tagger(RULES)
    entry = paper("Image Segmentation with ViTs", "We segment images. A diffusion model helps.",
                  authors=["Yann LeCun"], categories=["cs.CV"])
    found = topic_terms(tagger, entry)
    assert list(found) == tagger.tag(entry) == ["vision", "cv-category", "lecun"]
    # The prefix term shows the whole word, the plural as written; the negative term is
    # not a reason.
    assert found["vision"] == ("Segmentation", "Image", "ViTs")
    assert found["cv-category"] == ("cs.CV",)
    assert found["lecun"] == ("Yann LeCun",)


def test_all_groups_and_regexes_are_reasons_too():
    tagger = Tagger(RULES)
    found = topic_terms(tagger, paper("A robot policy from GPT-4 plans"))
    assert found == {"robots": ("robot", "policy"), "gpt": ("GPT-4",)}


def test_a_paper_in_no_topic_has_no_reasons_and_a_vetoed_topic_is_absent():
    tagger = Tagger(RULES)
    assert topic_terms(tagger, paper("Nothing here")) == {}
    assert "vision" not in topic_terms(tagger, paper("Image segmentation", "vision-language"))


def test_a_word_found_twice_in_any_case_is_one_reason_and_reasons_are_bounded():
    words = [f"term{n}" for n in range(10)]
    tagger = Tagger(parse_topics({"many": {"any": ["model", "Model", *words]}}))
    found = topic_terms(tagger, paper("Model", "model " + " ".join(words)))
    assert found["many"][0] == "Model"
    assert len(found["many"]) == MAX_TERMS
    assert [w.casefold() for w in found["many"]].count("model") == 1


def test_the_terms_come_from_the_verdicts_given_without_tagging_again(monkeypatch):
    tagger = Tagger(RULES)
    entry = paper("Image Segmentation with ViTs", "We segment images.", categories=["cs.CV"])
    verdicts = tagger.verdicts(entry)
    expected = topic_terms(tagger, entry)

    def tagging_again(*args, **kwargs):
        raise AssertionError("tagged again")
    monkeypatch.setattr(tagger, "explain", tagging_again)
    monkeypatch.setattr(tagger, "verdicts", tagging_again)
    assert topic_terms(tagger, entry, verdicts) == expected == {
        "vision": ("Segmentation", "Image", "ViTs"), "cv-category": ("cs.CV",)}
