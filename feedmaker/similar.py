"""The `like` views of a run: read each library when its files change, refit the view's model
when the library or the history changed enough, score the new papers, admit the best."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from feedmaker.config import Config
from feedmaker.errors import ConfigError
from feedmaker.fetch import Fetcher
from feedmaker.like import membership, recipe, refit
from feedmaker.like.model import LikeModel, ModelFormatError
from feedmaker.like.paper import LibraryPaper
from feedmaker.model import Entry
from feedmaker.store import Store, format_time
from feedmaker.views import ViewRule

# Papers a like view looks at: the newest of the history. Older ones were scored when new
# (or are older than the view), and a refit scores this many again.
WINDOW = recipe.MAX_BACKGROUND
# A paper of the library itself is never its own neighbour: it is kept out of the view.
NEVER = -1


@dataclass
class LibraryState:
    """A like view's library and "not like" list as a fingerprint of their content, whether
    their files changed since the store last read them, and (when they did) the papers."""

    files_key: str
    fingerprint: str
    changed: bool
    library: list[LibraryPaper] | None = None  # None: as stored (read when a fit needs it)
    not_like: list[LibraryPaper] | None = None
    notes: list[str] = field(default_factory=list)


def like_views(config: Config) -> list[ViewRule]:
    """The config's `like` views."""
    return [view for view in config.views if view.like is not None]


def read_libraries(config: Config, store: Store) -> dict[str, LibraryState]:
    """Every like view's library, read from its files only when they changed since the last
    run (a 2,000-paper BibTeX file takes seconds to parse). Called before anything is
    fetched: a file that cannot be read is a ConfigError naming the file and line."""
    found = {}
    for view in like_views(config):
        spec = view.like
        files_key = _files_key([*spec.files, "--", *spec.not_like])
        stored = store.likes.library_keys(view.slug)
        if stored and stored[0] == files_key:
            found[view.slug] = LibraryState(files_key, stored[1], changed=False)
            continue
        read, not_like = _read(spec.files), _read(spec.not_like)
        found[view.slug] = LibraryState(
            files_key, refit.library_fingerprint(read.papers, not_like.papers), changed=True,
            library=read.papers, not_like=not_like.papers, notes=read.skipped)
    return found


def _files_key(paths: list) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        if isinstance(path, Path):
            try:
                digest.update(path.read_bytes())
            except OSError as exc:
                raise ConfigError(f"{path}: cannot read library file "
                                  f"({exc.strerror or exc})") from None
    return digest.hexdigest()


def _read(paths):
    try:
        from feedmaker.like.library import read_library
    except ImportError as exc:  # bibtexparser comes with the `like` extra
        raise ConfigError(f"`like` views need the like extra ({exc.name} is missing): "
                          "pip install 'feedmaker[like]'") from None
    return read_library(paths)


def _papers(rows: list) -> list[LibraryPaper]:
    return [LibraryPaper(*row) for row in rows]


def _rows(papers: list[LibraryPaper]) -> list:
    return [[p.where, p.title, p.abstract, p.arxiv_id, p.doi] for p in papers]


def refresh_likes(config: Config, store: Store, libraries: dict[str, LibraryState],
                  now: datetime, fetcher: Fetcher | None, log: Callable[[str], None],
                  warnings: list[str]) -> int:
    """Refit what needs it, score the unscored papers of every like view and admit the
    best of each day; returns how many papers were scored."""
    scored = 0
    for view in like_views(config):
        state = libraries[view.slug]
        if state.changed:
            store.likes.save_library(view.slug, state.files_key, state.fingerprint, {
                "like": _rows(state.library), "not_like": _rows(state.not_like)})
            warnings += [f"view {view.slug!r}: {note}" for note in state.notes]
        model = _model(view, state, store, now, fetcher, log, warnings)
        if model is not None:
            scored += _score(view, model, store)
    return scored


def saved_model(store: Store, slug: str) -> LikeModel | None:
    """The view's saved model, or None (none yet, or saved by a version that reads no more)."""
    blob = store.likes.model(slug)
    try:
        return LikeModel.from_bytes(blob) if blob else None
    except ModelFormatError:
        return None


def _model(view: ViewRule, state: LibraryState, store: Store, now: datetime,
           fetcher: Fetcher | None, log: Callable[[str], None],
           warnings: list[str]) -> LikeModel | None:
    model = saved_model(store, view.slug)
    fingerprint = state.fingerprint
    new = store.likes.first_seen_since(model.inputs["fitted_at"]) if model else 0
    reason = refit.refit_reason(model.inputs if model else None, fingerprint, new)
    if reason is None:
        return model
    log(f"view {view.slug!r}: fitting its model ({reason})")
    stored = store.likes.library(view.slug)
    library = _filled(_papers(stored["like"]), store, fetcher, warnings, view.slug)
    not_like = _filled(_papers(stored["not_like"]), store, fetcher, warnings, view.slug)
    background = store.history.newest(recipe.MAX_BACKGROUND + len(library))
    from feedmaker.like.child import fit_in_child
    from feedmaker.like.fit import LikeError

    try:
        result = fit_in_child(library, background, not_like,
                              refit.fit_inputs(fingerprint, format_time(now)))
    except LikeError as exc:
        warnings.append(f"view {view.slug!r}: {exc}; "
                        + ("the model fitted before is kept" if model else "it stays empty"))
        return model
    store.likes.save_model(view.slug, result.model.inputs, result.model.to_bytes())
    return result.model


def _filled(papers: list[LibraryPaper], store: Store, fetcher: Fetcher | None,
            warnings: list[str], slug: str) -> list[LibraryPaper]:
    """The papers, those known only by id given their title and abstract."""
    from feedmaker.like.lookup import fill_in

    wanted = [p.arxiv_id for p in papers if p.needs_lookup]
    known = {}
    for arxiv_id in wanted:
        entry = store.history.get(f"https://arxiv.org/abs/{arxiv_id}")
        if entry is not None:
            known[arxiv_id] = (entry.title, entry.summary)
    cache = store.likes.lookups()
    asked = dict(cache)
    result = fill_in(papers, cache, fetcher, known)
    store.likes.save_lookups({k: v for k, v in cache.items() if k not in asked})
    warnings += [f"view {slug!r}: library lookup: {error}" for error in result.errors]
    if result.unknown:
        warnings.append(f"view {slug!r}: arXiv knows no paper {', '.join(result.unknown[:5])}"
                        + (f" and {len(result.unknown) - 5} more" if len(result.unknown) > 5
                           else ""))
    return result.papers


def _score(view: ViewRule, model: LikeModel, store: Store) -> int:
    """Score the view's unscored papers of the window, then admit the best of their days."""
    library_ids = {i for i in model.library_ids if i}
    rows, days = [], set()
    for entry in store.likes.unscored(view.slug, WINDOW):
        scored = model.score_with_closest(entry.title, entry.summary)
        if entry.arxiv_id in library_ids:
            rows.append((entry, scored.score, None, NEVER))
            continue
        rows.append((entry, scored.score, scored.closest_title, 0))
        days.add(entry.published.date().isoformat())
    store.likes.save_scores(view.slug, rows)
    for day in sorted(days):
        admit_best(view, store, day)
    return len(rows)


def admit_best(view: ViewRule, store: Store, day: str) -> None:
    """Admit the papers of `day` that the view's rule for members picks (its best N, those
    above its threshold); members stay members whatever papers arrive later."""
    ranked = store.likes.day_scores(view.slug, day)
    chosen = membership.select([(score, day) for _, score, _ in ranked],
                               threshold=view.like.min_score, per_day=view.like.per_day)
    store.likes.admit(view.slug, [ranked[i][0] for i in chosen if not ranked[i][2]])


def explain_like(view: ViewRule, store: Store | None, entry: Entry) -> str:
    """One line on a paper in a like view: its score, where it stands, what it is like."""
    rule = (f"best {view.like.per_day} a day" if view.like.per_day else "") + (
        f"{' ' if view.like.per_day else ''}scoring {view.like.min_score:g}+"
        if view.like.min_score is not None else "")
    stored = store.likes.score_of(view.slug, entry.id) if store and entry.id else None
    if stored:
        score, closest, member = stored
        if member == NEVER:
            return f"no    {view.slug:<24} in your library ({rule})"
        verdict = "MATCH" if member else "no"
    else:
        model = saved_model(store, view.slug) if store else None
        if model is None:
            return f"no    {view.slug:<24} not scored: no model fitted yet ({rule})"
        scored = model.score_with_closest(entry.title, entry.summary)
        score, closest, verdict = scored.score, scored.closest_title, "score"
    return (f"{verdict:<5} {view.slug:<24} score {score:.3f} ({rule})"
            + (f"  similar to: {closest}" if closest else ""))


def evaluate_like(config: Config, slug: str, papers: list, label: str, k: int):
    """`feedmaker eval --like`: the view's library (its papers known only by id given their
    text from the labelled papers, else the state store; nothing is fetched) fitted against
    the labelled `papers`, and the precision of the best `k` against `label`."""
    from feedmaker.errors import InputError
    from feedmaker.like.lookup import fill_in
    from feedmaker.like.quality import evaluate_library
    from feedmaker.normalize import bare_arxiv_id

    view = next((v for v in like_views(config) if v.slug == slug), None)
    if view is None:
        raise InputError(f"no like view called {slug!r} (like views: "
                         f"{', '.join(v.slug for v in like_views(config)) or 'none'})")
    library = _read(view.like.files).papers
    known = {bare_arxiv_id(str(p.record.get("id") or "")): (p.title, p.summary)
             for p in papers}
    if any(p.needs_lookup and p.arxiv_id not in known for p in library) \
            and config.site.state.is_file():
        with Store.reader(config.site.state) as store:
            for paper in library:
                entry = paper.needs_lookup and store.history.get(
                    f"https://arxiv.org/abs/{paper.arxiv_id}")
                if entry:
                    known[paper.arxiv_id] = (entry.title, entry.summary)
    filled = fill_in(library, {}, None, known).papers
    return evaluate_library(filled, papers, label, k)
