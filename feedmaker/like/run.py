"""A run's like views, each apart: read the library, refit when needed, score, admit the best."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import datetime

from feedmaker.fetch import Fetcher
from feedmaker.like.library import (
    LibraryPaper,
    LikeError,
    Progress,
    entry_identity,
    library_keys,
    paper_text,
    read_files,
    read_library,
)
from feedmaker.like.lookup import fill_in, stored_texts
from feedmaker.like.model import (
    MAX_BACKGROUND,
    RECIPE,
    Model,
    ModelError,
    fit,
    sklearn_version,
    without_library,
)
from feedmaker.like.view import LikeView
from feedmaker.model import Entry
from feedmaker.normalize import clean_text
from feedmaker.sources import arxiv_api
from feedmaker.store import Store, format_time

log = logging.getLogger(__name__)

# Papers a like view looks at: the newest of the history. Older ones were scored when new
# (or are older than the view).
WINDOW = MAX_BACKGROUND
# A paper of the library itself is never its own neighbour: it is kept out of the view.
NEVER = -1
# New history papers, as a share of the background the model was fitted on, that make a
# refit worth its cost: IDF and negatives then describe a fifth of the stream no longer.
REFIT_GROWTH = 0.2
# How a note of a failed lookup of library papers starts.
LOOKUP_FAILED = "library lookup: "


@dataclass
class LikeOutcome:
    """What the like views of a run said: warnings, and the views that failed (slug: why),
    each one line naming the view."""

    warnings: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


@dataclass
class LikeStep:
    """A run's like-views step, with what it needs of the run: the store (inside the run's
    transaction), the clock, a fetcher (None: look nothing up) and progress (a big
    library's reading); library papers known only by id are looked up at `api_url`, the
    arXiv API."""

    store: Store
    now: datetime
    fetcher: Fetcher | None
    progress: Progress = lambda stage, done, total: None
    api_url: str = arxiv_api.API_URL

    def refresh(self, views: Sequence[LikeView]) -> LikeOutcome:
        """Bring every like view up to date, each all or nothing (a savepoint in the run's
        transaction): a view that cannot be read, fitted or scored is undone and reported,
        never raised."""
        outcome = LikeOutcome()
        for view in views:
            notes: list[str] = []
            try:
                with self.store.transaction():
                    self._refresh_view(view, notes)
            except LikeError as exc:
                outcome.failures[view.slug] = f"view {view.slug!r}: {clean_text(str(exc))}"
            except Exception as exc:  # noqa: BLE001 - one view never stops the others or the run
                outcome.failures[view.slug] = (
                    f"view {view.slug!r}: internal error: {type(exc).__name__}: "
                    f"{clean_text(str(exc))[:300]}")
            outcome.warnings += [f"view {view.slug!r}: {clean_text(note)}"
                                 for note in dict.fromkeys(notes)]
        return outcome

    def _refresh_view(self, view: LikeView, notes: list[str]) -> None:
        store = self.store
        library, not_like, fingerprint = self._library(view, notes)
        unscored = store.likes.unscored(view.slug, WINDOW)
        version = sklearn_version()
        reason = refit_reason(store.likes.model_inputs(view.slug), fingerprint, version,
                              store.likes.first_seen_since)
        if reason is None and not unscored:
            return  # nothing to score: the saved model need not even be loaded
        model = None
        if reason is None:
            try:
                model = Model.from_bytes(store.likes.model(view.slug) or b"")
            except ModelError as exc:
                notes.append(f"its saved model cannot be used ({exc}); fitting it again")
        if model is None:
            log.info(f"view {view.slug!r}: fitting its model "
                     f"({reason or 'the saved one is unusable'})")
            looked_up = len(notes)
            library = self._filled(library, notes)
            background = without_library(store.history.newest(MAX_BACKGROUND + len(library)),
                                         library)[:MAX_BACKGROUND]
            model = fit(library, background, self._filled(not_like, notes))
            store.likes.save_model(view.slug, {
                "library": fingerprint, "recipe": RECIPE, "sklearn": version,
                "fitted_at": format_time(self.now), "background": len(background),
                # A lookup that failed is asked again: the next run fits again.
                "lookups_failed": any(note.startswith(LOOKUP_FAILED)
                                      for note in notes[looked_up:])},
                model.to_bytes())
        _score(view, model, library, unscored, store)

    def _library(self, view: LikeView, notes: list[str]
                 ) -> tuple[list[LibraryPaper], list[LibraryPaper], str]:
        """The library and "not like" papers, read from the files only when they or the code
        reading them changed (a 2,000-paper BibTeX file takes seconds), and a fingerprint of
        their content. When the content changed, the view's papers are judged again, its
        library's own ones left out."""
        store = self.store
        files_key, data = read_files([*view.files, "--", *view.not_like])
        stored = store.likes.library(view.slug)
        if stored and stored[0] == files_key:
            rows = stored[2]
            return _papers(rows["like"]), _papers(rows["not_like"]), stored[1]
        log.info(f"view {view.slug!r}: reading its library")
        read = read_library(view.files, data, self.progress)
        unwanted = read_library(view.not_like, data, self.progress)
        notes += read.notes + unwanted.notes
        content = [_content(read.papers), _content(unwanted.papers)]
        fingerprint = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
        store.likes.save_library(view.slug, files_key, fingerprint, {
            "like": [astuple(p) for p in read.papers],
            "not_like": [astuple(p) for p in unwanted.papers]})
        # The fingerprint is of content: files moved or rewritten alike change nothing.
        if not stored or stored[1] != fingerprint:
            keys = library_keys(read.papers)
            store.likes.forget(view.slug, [e.id for e in store.likes.newest(view.slug, 10**9)
                                           if entry_identity(e) & keys])
        return read.papers, unwanted.papers, fingerprint

    def _filled(self, papers: list[LibraryPaper], notes: list[str]) -> list[LibraryPaper]:
        """The papers, those known only by arXiv id given their title and abstract: from
        the history, else the lookups kept, else arXiv."""
        cache = self.store.likes.lookups()
        asked = dict(cache)
        result = fill_in(papers, cache, self.fetcher,
                         stored_texts(papers, self.store.history), api_url=self.api_url)
        self.store.likes.save_lookups({k: v for k, v in cache.items() if k not in asked})
        notes += [f"{LOOKUP_FAILED}{error}" for error in result.errors]
        if result.unknown:
            more = len(result.unknown) - 5
            notes.append(f"arXiv knows no paper {', '.join(result.unknown[:5])}"
                         + (f" and {more} more" if more > 0 else ""))
        return result.papers


def _content(papers: list[LibraryPaper]) -> list:
    return sorted([p.arxiv_id or "", p.doi or "", p.title, p.abstract] for p in papers)


def _papers(rows: list) -> list[LibraryPaper]:
    return [LibraryPaper(*row) for row in rows]


def refit_reason(inputs: object, fingerprint: str, version: str | None,
                 first_seen_since: Callable[[str], int]) -> str | None:
    """Why the view's model must be fitted (again), or None when the saved one still fits.
    `inputs` is what the saved model was fitted on; `first_seen_since(moment)` counts the
    papers the history gained since."""
    if not isinstance(inputs, dict):
        return "no model fitted yet"
    if inputs.get("recipe") != RECIPE:
        return "the similarity recipe changed"
    if inputs.get("sklearn") != version:
        return f"scikit-learn changed from {inputs.get('sklearn')} to {version}"
    if inputs.get("library") != fingerprint:
        return "the library changed"
    if inputs.get("lookups_failed"):
        return "library papers could not be looked up last time"
    fitted_on = inputs.get("background")
    if not isinstance(fitted_on, int) or not isinstance(inputs.get("fitted_at"), str):
        return "its record is incomplete"
    new = first_seen_since(inputs["fitted_at"])
    if new >= max(1, REFIT_GROWTH * fitted_on):
        return (f"the history grew by {new} papers since the fit "
                f"(refit from {REFIT_GROWTH:.0%} of the {fitted_on} fitted on)")
    return None


def _score(view: LikeView, model: Model, library: list[LibraryPaper], entries: list[Entry],
           store: Store) -> None:
    """Score the unscored papers, then admit the best of their days. A paper of the
    library is never admitted, nor one that shares no term with any library paper."""
    keys = library_keys(library)
    own, others = [], []
    for entry in entries:
        (own if entry_identity(entry) & keys else others).append(entry)
    scores, closest = model.score([paper_text(e.title, e.summary) for e in others])
    store.likes.save_scores(view.slug, [(e, 0.0, None, NEVER) for e in own] + [
        (e, score, None if best is None else model.titles[best], 0)
        for e, score, best in zip(others, scores, closest, strict=True)])
    for day in sorted({format_time(e.published)[:10] for e in others}):
        ranked = [(entry_id, score, member)
                  for entry_id, score, member in store.likes.day_scores(view.slug, day)
                  if view.min_score is None or score >= view.min_score]
        chosen = ranked[:view.per_day] if view.per_day else ranked
        store.likes.admit(view.slug, [entry_id for entry_id, _, member in chosen if not member])


def explain(view: LikeView, store: Store | None, entry: Entry) -> str:
    """`feedmaker explain`'s line on a paper and a like view: its score (by the store's
    model, when there is a store), whether it is in, what it is like."""
    rule = " ".join(filter(None, [f"best {view.per_day} a day" if view.per_day else "",
                                  f"scoring {view.min_score:g}+"
                                  if view.min_score is not None else ""]))
    stored = store.likes.score_of(view.slug, entry.id) if store and entry.id else None
    if stored and stored[2] == NEVER:
        return f"no    {view.slug:<24} in your library ({rule})"
    if stored:
        score, closest, member = stored
        verdict = "MATCH" if member else "no"
    else:
        try:
            model = Model.from_bytes(store.likes.model(view.slug) or b"") if store else None
        except (ModelError, LikeError):
            model = None
        if model is None:
            return f"no    {view.slug:<24} not scored: no usable model fitted yet ({rule})"
        [score], [best] = model.score([paper_text(entry.title, entry.summary)])
        closest, verdict = None if best is None else model.titles[best], "score"
    return (f"{verdict:<5} {view.slug:<24} score {score:.3f} ({rule})"
            + (f"  similar to: {closest}" if closest else ""))

