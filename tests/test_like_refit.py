"""A model is refitted when its library, its recipe or enough of the history changed."""

from __future__ import annotations

from feedmaker.like import recipe
from feedmaker.like.paper import LibraryPaper
from feedmaker.like.refit import REFIT_GROWTH, fit_inputs, library_fingerprint, refit_reason

LIBRARY = [LibraryPaper(where="a.bib:1", title="A", abstract="x", arxiv_id="2401.00001"),
           LibraryPaper(where="a.bib:9", title="B", doi="10.1/b")]


def test_the_fingerprint_follows_content_not_order_or_file_lines():
    moved = [LibraryPaper(where="b.bib:3", title="B", doi="10.1/b"),
             LibraryPaper(where="b.bib:7", title="A", abstract="x", arxiv_id="2401.00001")]
    assert library_fingerprint(moved) == library_fingerprint(LIBRARY)


def test_the_fingerprint_changes_with_an_abstract_or_the_not_relevant_list():
    edited = [LIBRARY[0], LibraryPaper(where="a.bib:9", title="B", abstract="new", doi="10.1/b")]
    assert library_fingerprint(edited) != library_fingerprint(LIBRARY)
    assert library_fingerprint(LIBRARY, LIBRARY[:1]) != library_fingerprint(LIBRARY)


def fitted_on_1000() -> dict:
    """A model's record: fitted on this library and 1,000 background papers."""
    return {**fit_inputs(library_fingerprint(LIBRARY), "2026-05-18T12:00:00Z"),
            "background": 1000}


def test_nothing_changed_means_no_refit():
    inputs = fitted_on_1000()
    assert refit_reason(inputs, library_fingerprint(LIBRARY), new_since_fit=0) is None
    assert refit_reason(inputs, library_fingerprint(LIBRARY), new_since_fit=199) is None


def test_a_history_grown_by_a_fifth_of_the_fit_triggers_a_refit():
    inputs = fitted_on_1000()
    reason = refit_reason(inputs, library_fingerprint(LIBRARY),
                          new_since_fit=int(1000 * REFIT_GROWTH))
    assert reason == ("the history grew by 200 papers since the fit "
                      "(refit from 20% of the 1000 fitted on)")


def test_no_model_a_new_library_or_a_new_recipe_trigger_a_refit(monkeypatch):
    fingerprint = library_fingerprint(LIBRARY)
    inputs = fitted_on_1000()
    assert refit_reason(None, fingerprint, 0) == "no model fitted yet"
    assert refit_reason(inputs, library_fingerprint(LIBRARY[:1]), 0) == "the library changed"
    monkeypatch.setattr(recipe, "VERSION", recipe.VERSION + 1)
    assert refit_reason(inputs, fingerprint, 0) == "the similarity recipe changed"
