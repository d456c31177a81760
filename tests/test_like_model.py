"""The similarity model: fitted with scikit-learn, saved as arrays and loaded to score the same;
a saved model that cannot be used is refused, never half-used."""

from __future__ import annotations

import json
import random
from functools import cache

import numpy as np
import pytest

from feedmaker.like.library import LibraryPaper, LikeError, paper_text
from feedmaker.like.model import Model, ModelError, Text, fit, without_library
from tests.conftest import daily_items, resaved_model

pytestmark = pytest.mark.slow
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
    return library, fit(library, background), background


def texts_of(papers) -> list[str]:
    return [paper_text(p.title, p.summary) for p in papers]


def test_a_saved_model_loads_and_scores_the_same():
    _, model, background = fitted()
    texts = texts_of(background[:200]) + [
        paper_text(i["paper"]["title"], i["paper"]["summary"]) for i in daily_items()]
    loaded = Model.from_bytes(model.to_bytes())
    assert loaded.score(texts) == model.score(texts)
    assert loaded.titles == model.titles


def test_the_library_ranks_above_the_background_it_was_fitted_against():
    library, model, background = fitted()
    library_scores, _ = model.score([p.text for p in library])
    background_scores, _ = model.score(texts_of(background))
    assert min(library_scores) > np.median(background_scores)


def test_the_closest_library_paper_is_the_most_cosine_similar_one():
    library, model, _ = fitted()
    _, closest = model.score([p.text for p in library[:5]])
    assert closest == [0, 1, 2, 3, 4]
    vectors = model.features([p.text for p in library]).toarray()
    others = [paper_text(p["title"], p["summary"]) for p in dev_papers()[:40]]
    _, closest = model.score(others)
    for text, best in zip(others, closest, strict=True):
        query = model.features([text]).toarray().ravel()
        cosines = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
        assert best == int(np.argmax(cosines))


def test_a_text_with_no_known_term_scores_the_intercept_and_has_no_closest_paper():
    _, model, _ = fitted()
    assert model.score(["zzzz qqqq", ""]) == ([model.intercept] * 2, [None, None])


def test_not_like_papers_push_similar_papers_down():
    papers = dev_papers()
    security = [p for p in papers if "security" in p["topics"]]
    library = [LibraryPaper(where="x", title=p["title"], abstract=p["summary"])
               for p in security[:30]]
    unwanted = [p for p in security[30:] if "vision" in p["topics"]]
    rest = [Text(p["title"], p["summary"]) for p in papers if p not in security[:30]]
    plain = fit(library, rest)
    pushed = fit(library, rest, [LibraryPaper(where="n", title=p["title"],
                                              abstract=p["summary"]) for p in unwanted])

    def mean_score(model, chosen):
        scores, _ = model.score([paper_text(p["title"], p["summary"]) for p in chosen])
        return np.mean(scores) - model.intercept

    # Scores relative to each model's own library papers, so the scales compare.
    assert (mean_score(pushed, unwanted) - mean_score(pushed, security[:30])
            < mean_score(plain, unwanted) - mean_score(plain, security[:30]))


def test_a_library_without_titles_or_without_background_cannot_be_fitted():
    with pytest.raises(LikeError, match="no paper with a title"):
        fit([LibraryPaper(where="ids.txt:1", arxiv_id="2401.00001")], [Text("a", "b")])
    with pytest.raises(LikeError, match="no papers stored yet"):
        fit([LibraryPaper(where="x", title="A title")], [])
    with pytest.raises(LikeError, match="too little text to learn from"):
        fit([LibraryPaper(where="x", title="A title")], [Text("Other words")])


def test_the_background_leaves_out_the_librarys_papers_by_id_or_title():
    library = [LibraryPaper(where="x", title="Attention Is All You Need", arxiv_id="1706.03762"),
               LibraryPaper(where="y", title="Deep Residual Learning", doi="10.1/resnet")]
    background = [Text("Another title", "", "1706.03762"), Text("deep residual  learning!"),
                  Text("Something else", "", "2401.00001")]
    assert without_library(background, library) == background[2:]


@pytest.mark.parametrize("change", [
    lambda saved, meta: meta.pop("words"),
    lambda saved, meta: meta.update(words=meta["words"][:-1]),
    lambda saved, meta: meta.update(pairs=[meta["words"][0], *meta["pairs"][1:]]),
    lambda saved, meta: meta.update(intercept="high"),
    lambda saved, meta: meta.update(titles=meta["titles"][:-1]),
    lambda saved, meta: saved.update(idf=saved["idf"][:-1]),
    lambda saved, meta: saved.update(coef=np.full_like(saved["coef"], np.nan)),
    lambda saved, meta: saved.update(indices=saved["indices"] + 10**6),
    lambda saved, meta: saved.update(indptr=saved["indptr"][::-1]),
    lambda saved, meta: saved.pop("data"),
], ids=["no words", "short vocabulary", "term twice", "intercept text", "titles short",
        "idf short", "weights nan", "indices out of range", "indptr reversed", "no data"])
def test_a_saved_model_that_is_inconsistent_is_a_model_error(change):
    _, model, _ = fitted()
    with pytest.raises(ModelError):
        Model.from_bytes(resaved_model(model.to_bytes(), change))


@pytest.mark.parametrize("blob", [b"", b"not a model", b"PK\x03\x04", b"\x93NUMPY"])
def test_saved_bytes_that_are_no_model_are_a_model_error(blob):
    with pytest.raises(ModelError):
        Model.from_bytes(blob)
