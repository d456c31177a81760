"""The exported model scores exactly as the scikit-learn estimators it was exported from."""

from __future__ import annotations

import json
import random
import struct
import zlib
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedmaker.like import recipe
from feedmaker.like.fit import LikeError, Text, export, fit, fit_estimators
from feedmaker.like.model import LikeModel, ModelFormatError
from feedmaker.like.paper import LibraryPaper, paper_text
from tests.conftest import daily_items

DEV = "data/papers-17-dev.jsonl"


@cache
def dev_papers() -> list[dict]:
    with open(DEV, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@cache
def fitted():
    """A security library of 30 dev papers against the other 970."""
    papers = dev_papers()
    chosen = set(random.Random(7).sample(
        [i for i, p in enumerate(papers) if "security" in p["topics"]], 30))
    library = [LibraryPaper(where=f"dev:{i}", title=papers[i]["title"],
                            abstract=papers[i]["summary"], arxiv_id=papers[i]["id"])
               for i in sorted(chosen)]
    background = [Text(p["title"], p["summary"], p["id"])
                  for i, p in enumerate(papers) if i not in chosen]
    estimators = fit_estimators(library, background)
    return estimators, export(estimators, {"library": "test"}), background


def sklearn_scores(estimators, texts):
    return estimators.classifier.decision_function(estimators.features.transform(texts))


def test_exported_scores_equal_scikit_learn_on_real_papers():
    estimators, model, background = fitted()
    texts = [paper_text(p.title, p.summary) for p in background]
    texts += [paper_text(i["paper"]["title"], i["paper"]["summary"]) for i in daily_items()]
    mine = [model.score(text) for text in texts]
    assert mine == pytest.approx(list(sklearn_scores(estimators, texts)), rel=1e-9, abs=1e-12)
    assert estimators.background_scores == pytest.approx(mine[:len(background)], abs=1e-12)


def test_exported_features_equal_scikit_learn_features_term_by_term():
    estimators, model, _ = fitted()
    names = [n.split("__", 1)[1] for n in estimators.features.get_feature_names_out()]
    for paper in dev_papers()[:50]:
        text = paper_text(paper["title"], paper["summary"])
        row = estimators.features.transform([text]).tocsr()
        theirs = {names[j]: v for j, v in zip(row.indices, row.data, strict=True)}
        mine = {model.terms[i]: v for i, v in model.features(text).items()}
        assert mine.keys() == theirs.keys()
        assert [mine[t] for t in theirs] == pytest.approx(list(theirs.values()), rel=1e-12)


_WORDS = ["attack", "privacy", "adversarial", "robust", "model", "language", "jailbreak",
          "the", "of", "and", "Über", "naïve", "café", "LLM", "x2", "_id", "3d", "diffusion",
          "membership", "inference", "watermark", "détection", "ÉTUDE", "ﬁne-tuning", "résumé"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=12)), max_size=60),
       st.lists(st.sampled_from([" ", "  ", "\n", ", ", ". ", "-", "/", "'s "]), min_size=1))
def test_exported_scores_equal_scikit_learn_on_random_text(words, separators):
    estimators, model, _ = fitted()
    text = "".join(w + separators[i % len(separators)] for i, w in enumerate(words))
    assert model.score(text) == pytest.approx(sklearn_scores(estimators, [text])[0],
                                              rel=1e-9, abs=1e-12)


def test_a_saved_model_loads_and_scores_the_same():
    _, model, background = fitted()
    loaded = LikeModel.from_bytes(model.to_bytes())
    assert loaded.inputs == {"library": "test"}
    for paper in background[:100]:
        assert (loaded.score_with_closest(paper.title, paper.summary)
                == model.score_with_closest(paper.title, paper.summary))


def test_unreadable_saved_bytes_are_a_model_format_error():
    _, model, _ = fitted()
    good = zlib.decompress(model.to_bytes())
    header_length = struct.unpack_from("<Q", good)[0]
    older = json.dumps({"format": 1}).encode()
    for blob in (b"", b"not zlib", zlib.compress(b"[1]"), zlib.compress(good[:-3]),
                 zlib.compress(struct.pack("<Q", len(older)) + older + good[8 + header_length:]),
                 zlib.compress(good + good[:16])):
        with pytest.raises(ModelFormatError):
            LikeModel.from_bytes(blob)


def test_the_closest_library_paper_is_the_most_cosine_similar_one():
    estimators, model, _ = fitted()
    library = estimators.library
    for paper in library[:5]:
        scored = model.score_with_closest(paper.title, paper.abstract)
        assert (scored.closest_title, scored.closest_arxiv_id) == (paper.title, paper.arxiv_id)
        assert scored.closest_similarity == pytest.approx(1.0)
    vectors = estimators.features.transform([p.text for p in library]).toarray()
    for other in dev_papers()[:40]:
        scored = model.score_with_closest(other["title"], other["summary"])
        query = estimators.features.transform(
            [paper_text(other["title"], other["summary"])]).toarray().ravel()
        cosines = (vectors @ query) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
        assert scored.closest_title == library[int(np.argmax(cosines))].title
        assert scored.closest_similarity == pytest.approx(float(cosines.max()))


def test_a_text_with_no_known_term_scores_the_intercept_and_has_no_closest_paper():
    _, model, _ = fitted()
    scored = model.score_with_closest("zzzz qqqq", "")
    assert scored.score == model.intercept
    assert (scored.closest_title, scored.closest_similarity) == (None, 0.0)


def test_the_library_ranks_above_the_background_it_was_fitted_against():
    estimators, model, background = fitted()
    library_scores = [model.score(p.title, p.abstract) for p in estimators.library]
    assert min(library_scores) > np.median(estimators.background_scores)


def test_fit_leaves_the_librarys_own_papers_out_of_the_background():
    papers = dev_papers()[:200]
    library = [LibraryPaper(where="x", title=p["title"], abstract=p["summary"],
                            arxiv_id=p["id"]) for p in papers[:20]]
    background = [Text(p["title"], p["summary"], p["id"]) for p in papers]
    result = fit(library, background, inputs={"library": "abc"})
    assert result.background_used == 180
    assert result.model.inputs == {"library": "abc", "background": 180}
    assert len(result.background_scores) == 180


def test_not_relevant_papers_push_similar_papers_down():
    papers = dev_papers()
    security = [p for p in papers if "security" in p["topics"]]
    library = [LibraryPaper(where="x", title=p["title"], abstract=p["summary"])
               for p in security[:30]]
    unwanted = [p for p in security[30:] if "vision" in p["topics"]]
    rest = [Text(p["title"], p["summary"]) for p in papers if p not in security[:30]]
    plain = fit(library, rest).model
    pushed = fit(library, rest, [Text(p["title"], p["summary"]) for p in unwanted]).model

    def mean_score(model, chosen):
        return np.mean([model.score(p["title"], p["summary"]) - model.intercept
                        for p in chosen])

    # Scores relative to each model's own library papers, so the scales compare.
    vision_security = unwanted
    assert (mean_score(pushed, vision_security) - mean_score(pushed, security[:30])
            < mean_score(plain, vision_security) - mean_score(plain, security[:30]))


def test_a_library_without_text_or_without_background_cannot_be_fitted():
    with pytest.raises(LikeError, match="no paper with a title"):
        fit([LibraryPaper(where="ids.txt:1", arxiv_id="2401.00001")], [Text("a", "b")])
    with pytest.raises(LikeError, match="no background papers"):
        fit([LibraryPaper(where="x", title="A title")], [])


def test_fitting_reads_at_most_the_most_recent_background_papers(monkeypatch):
    monkeypatch.setattr(recipe, "MAX_BACKGROUND", 100)
    papers = dev_papers()
    library = [LibraryPaper(where="x", title=p["title"], abstract=p["summary"])
               for p in papers[:10]]
    result = fit(library, [Text(p["title"], p["summary"]) for p in papers[10:]])
    assert result.background_used == 100


def test_a_fit_in_a_child_process_gives_the_same_model_as_in_process():
    from feedmaker.like.child import fit_in_child

    papers = dev_papers()[:300]
    library = [LibraryPaper(where=f"x:{i}", title=p["title"], abstract=p["summary"],
                            arxiv_id=p["id"]) for i, p in enumerate(papers[:20])]
    background = [Text(p["title"], p["summary"], p["id"]) for p in papers[20:]]
    here, there = fit(library, background, inputs={"n": 1}), fit_in_child(
        library, background, inputs={"n": 1})
    assert there.model.to_bytes() == here.model.to_bytes()
    assert there.background_scores == here.background_scores


def test_a_failed_fit_in_a_child_process_is_a_like_error():
    from feedmaker.like.child import fit_in_child

    with pytest.raises(LikeError, match="fitting failed: no background papers"):
        fit_in_child([LibraryPaper(where="x", title="A title")], [])
