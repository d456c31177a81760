"""When to refit: a fingerprint of what the model was fitted on, and the rule for "enough"
change (library content, recipe, or a history grown by REFIT_GROWTH since the fit)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from feedmaker.like import recipe
from feedmaker.like.paper import LibraryPaper

# New history papers, as a share of the background the model was fitted on, that make a
# refit worth its cost: IDF and negatives then describe a fifth of the stream no longer.
REFIT_GROWTH = 0.2


def library_fingerprint(library: Sequence[LibraryPaper],
                        not_relevant: Sequence[LibraryPaper] = ()) -> str:
    """A hash of the library's and the "not relevant" list's content (ids, titles,
    abstracts; not where they came from), and of the recipe version."""
    def content(papers):
        return sorted([p.arxiv_id or "", p.doi or "", p.title, p.abstract] for p in papers)

    data = json.dumps([recipe.VERSION, content(library), content(not_relevant)],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def fit_inputs(fingerprint: str, fitted_at: str) -> dict:
    """What to pass to a fit as `inputs`: the model records it, with the number of
    background papers it read ("background"), for `refit_reason` to compare."""
    return {"library": fingerprint, "recipe": recipe.VERSION, "fitted_at": fitted_at}


def refit_reason(inputs: Mapping | None, fingerprint: str, new_since_fit: int) -> str | None:
    """Why the model must be refitted, or None when it still fits.

    `inputs` is the saved model's record (None: no model); `new_since_fit` is how many
    papers the history gained since `inputs["fitted_at"]` (the caller counts them).
    """
    if not inputs:
        return "no model fitted yet"
    if inputs.get("recipe") != recipe.VERSION:
        return "the similarity recipe changed"
    if inputs.get("library") != fingerprint:
        return "the library changed"
    fitted_on = int(inputs.get("background") or 0)
    if new_since_fit >= max(1, REFIT_GROWTH * fitted_on):
        return (f"the history grew by {new_since_fit} papers since the fit "
                f"(refit from {REFIT_GROWTH:.0%} of the {fitted_on} fitted on)")
    return None
