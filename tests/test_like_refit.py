"""A like view's model is fitted again when its library, the recipe, scikit-learn or enough of
the history changed, and only then."""

from __future__ import annotations

from feedmaker.like.model import RECIPE
from feedmaker.like.run import REFIT_GROWTH, refit_reason

FITTED = {"library": "abc", "recipe": RECIPE, "sklearn": "1.9.1",
          "fitted_at": "2026-05-18T12:00:00Z", "background": 1000}


def grown(count: int):
    return lambda moment: count if moment == FITTED["fitted_at"] else -1


def test_nothing_changed_means_no_refit():
    assert refit_reason(FITTED, "abc", "1.9.1", grown(0)) is None
    assert refit_reason(FITTED, "abc", "1.9.1", grown(199)) is None


def test_a_history_grown_by_a_fifth_of_the_fit_triggers_a_refit():
    assert refit_reason(FITTED, "abc", "1.9.1", grown(int(1000 * REFIT_GROWTH))) == (
        "the history grew by 200 papers since the fit (refit from 20% of the 1000 fitted on)")


def test_no_model_a_new_library_recipe_or_scikit_learn_trigger_a_refit():
    assert refit_reason(None, "abc", "1.9.1", grown(0)) == "no model fitted yet"
    assert refit_reason(FITTED, "abd", "1.9.1", grown(0)) == "the library changed"
    assert refit_reason({**FITTED, "recipe": 1}, "abc", "1.9.1", grown(0)) == (
        "the similarity recipe changed")
    assert refit_reason(FITTED, "abc", "1.10.0", grown(0)) == (
        "scikit-learn changed from 1.9.1 to 1.10.0")


def test_a_record_that_is_not_what_a_fit_writes_triggers_a_refit():
    for inputs in ([1, 2], "text", {**FITTED, "background": "many"},
                   {k: v for k, v in FITTED.items() if k != "fitted_at"}):
        assert refit_reason(inputs, "abc", "1.9.1", grown(0)) is not None
