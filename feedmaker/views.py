"""Views: feeds of one's own, each a rule over what is known of a paper (its text, topics,
the sources that listed it, other views) and, optionally, the upvotes it once reached."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from feedmaker.errors import ConfigError
from feedmaker.events import KINDS
from feedmaker.like import ONLY_LIKE, LikeView, is_like_view, parse_like_view
from feedmaker.like.view import library_files
from feedmaker.model import Entry
from feedmaker.schema import check_table, keys_of, setting
from feedmaker.tagger import Tagger, TopicResult
from feedmaker.tagger.rules import TOPIC_KEYS, VIEW_FIELDS, Term, TopicRule, parse_rule


@dataclass(frozen=True)
class ViewRule:
    """One view: a rule in the topics' language, whose terms may also name topics
    (`topic:vision`), sources (`source:hf-daily`) and other views (`view:mine`), and an
    optional upvote bar; each field but the rule is a config key, declared here once."""

    rule: TopicRule
    min_upvotes: int | None = setting(
        "count", None, "the paper must have reached this many upvotes on its source at least "
        "once; it stays in the view when its count falls again (views only)", low=0, high=10**7)
    # A news view's kinds of event (feedmaker.events). The key's default, None, tells a
    # view without the key from `news = []` (an error); parse_views stores () for it.
    news: tuple[str, ...] = setting(
        "choices", None, "makes the view a news view: an entry for each event of the papers "
        "it follows, of these kinds: " + ", ".join(f"`{k}`" for k in KINDS)
        + " (see \"Paper news\")", choices=KINDS)
    watch: tuple[Path, ...] = setting(
        "texts", (), "news views: library files (as `like` takes them) of papers to follow, "
        "looked up on arXiv and Hugging Face once a day while no listing shows them")
    popular_upvotes: int | None = setting(
        "count", None, "news views: the upvotes whose reaching is a `popular` event",
        default_note="the view's `min_upvotes`", low=1, high=10**7)

    @property
    def slug(self) -> str:
        return self.rule.slug

    @property
    def follows_by_rule(self) -> bool:
        """Whether its rule chooses papers: a news view of watched papers alone has none."""
        return bool(self.rule.any or self.rule.all) or self.min_upvotes is not None \
            or not self.watch

    @property
    def bar(self) -> int | None:
        """A news view's `popular` bar: the upvotes whose reaching is news."""
        if "popular" not in self.news:
            return None
        return self.min_upvotes if self.popular_upvotes is None else self.popular_upvotes


VIEW_KEYS = TOPIC_KEYS | keys_of(ViewRule)


def parse_views(tables: object, topics: Sequence[str], sources: Sequence[str],
                base_dir: Path) -> tuple[tuple[ViewRule, ...], tuple[LikeView, ...]]:
    """Check the `[views.*]` tables: the rule views and the like views (those with `like`,
    see feedmaker.like), each in the order written.

    Every topic, source and view a term names must exist (a like view may not be named: it
    is made after the others), no view may reach itself through `view:` terms, and a
    view's slug may not be a topic's (they share file names).
    """
    if not isinstance(tables, dict):
        raise ConfigError("must hold [views.<slug>] tables", ("views",))
    views, likes = [], []
    for slug, table in tables.items():
        path = ("views", slug)
        if slug in topics:
            raise ConfigError(f"a topic is called {slug!r} too; topics and views share file "
                              "names", path)
        if is_like_view(table):
            likes.append(parse_like_view(slug, table, base_dir, path))
            continue
        for key in ONLY_LIKE:
            if isinstance(table, dict) and key in table:
                raise ConfigError("is for `like` views only: add `like = [...]` or remove it",
                                  (*path, key))
        values = check_table(table, VIEW_KEYS, path)
        watch = _news_keys(values, base_dir, path)
        rule = parse_rule(slug, values, path, VIEW_FIELDS,
                          terms_required=values["min_upvotes"] is None and not watch)
        views.append(ViewRule(rule, values["min_upvotes"], values["news"] or (), watch,
                              values["popular_upvotes"]))
    # The names a view's label terms may refer to.
    known = {"topic": set(topics), "source": set(sources), "view": {view.slug for view in views}}
    liked = {view.slug for view in likes}
    for view in views:
        for term_path, term in _terms_with_paths(view.rule, ("views", view.slug)):
            if term.field not in known or _matching(term, known[term.field]):
                continue
            if not term.text.endswith("*"):
                note = " (a `like` view cannot be named)" if term.field == "view" \
                    and term.text in liked else ""
                raise ConfigError(f"term {term.source!r}: no {term.field} is called "
                                  f"{term.text!r}{note} (known: "
                                  f"{', '.join(sorted(known[term.field])) or 'none'})", term_path)
            if term.field == "view" and _matching(term, liked):
                raise ConfigError(f"term {term.source!r} names only `like` views, which "
                                  "cannot be named (they are made after the others)", term_path)
    evaluation_order(views)
    return tuple(views), tuple(likes)


def _news_keys(values: dict, base_dir: Path, path: tuple) -> tuple[Path, ...]:
    """Check a view's news keys; returns its watch files (resolved)."""
    news = values["news"]
    if news is None:
        for key in ("watch", "popular_upvotes"):  # the keys only a news view takes
            if values[key]:
                raise ConfigError("is for news views: add `news = [...]` or remove it",
                                  (*path, key))
        return ()
    if not news:
        raise ConfigError(f"names no kind of news (kinds: {', '.join(KINDS)})", (*path, "news"))
    if "popular" in news and values["popular_upvotes"] is None and values["min_upvotes"] is None:
        raise ConfigError("'popular' needs the upvotes to reach: set `popular_upvotes` (or "
                          "`min_upvotes`)", (*path, "news"))
    if values["popular_upvotes"] is not None and "popular" not in news:
        raise ConfigError("is the bar of `popular` news: add 'popular' to `news` or remove it",
                          (*path, "popular_upvotes"))
    return library_files(values["watch"], base_dir, (*path, "watch"))


def _terms_with_paths(rule: TopicRule, path: tuple):
    for number, term in enumerate(rule.any):
        yield (*path, "any", number), term
    for number, group in enumerate(rule.all):
        for inner, term in enumerate(group):
            yield ((*path, "all", number, inner) if len(group) > 1 else (*path, "all", number),
                   term)
    for number, term in enumerate(rule.none):
        yield (*path, "none", number), term


def _matching(term: Term, names: Collection[str]) -> list[str]:
    """The names a label term matches: its own, or those it is a prefix of (`vis*`)."""
    if term.text.endswith("*"):
        return [name for name in names if name.startswith(term.text[:-1])]
    return [term.text] if term.text in names else []


def _named_views(views: Sequence[ViewRule]) -> dict[str, list[str]]:
    """The slugs of the views each view's terms name, by its slug."""
    slugs = {view.slug for view in views}
    return {view.slug: [name for _, term in _terms_with_paths(view.rule, ())
                        if term.field == "view" for name in _matching(term, slugs)]
            for view in views}


def evaluation_order(views: Sequence[ViewRule]) -> list[ViewRule]:
    """The views, each after the views it names; a cycle is a ConfigError naming it, from
    the first view of the cycle in the config."""
    by_slug = {view.slug: view for view in views}
    try:
        return [by_slug[slug] for slug in TopologicalSorter(_named_views(views)).static_order()]
    except CycleError as exc:
        # graphlib gives the circle as [x, ..., x], each view before the view naming it
        # ([b, a, b]: a names b, b names a); it is told the other way round (each view before
        # the one it names), from its first view in the config: view:a -> view:b -> view:a.
        ring = exc.args[1][:0:-1]
        start = ring.index(min(ring, key=list(by_slug).index))
        cycle = ring[start:] + ring[:start + 1]
        raise ConfigError("views name each other in a circle: "
                          + " -> ".join(f"view:{s}" for s in cycle), ("views", cycle[0])) from None


@dataclass(frozen=True)
class ViewResult:
    """The verdict on one view for one paper: the rule's, and the upvote bar's."""

    view: ViewRule
    rule: TopicResult
    top_upvotes: int | None

    @property
    def upvotes_ok(self) -> bool:
        bar = self.view.min_upvotes
        return bar is None or (self.top_upvotes is not None and self.top_upvotes >= bar)

    @property
    def matched(self) -> bool:
        return self.view.follows_by_rule and self.rule.matched and self.upvotes_ok


class ViewTagger:
    """The compiled views; `place` says which views a paper is in, `explain` why."""

    # What views read of an entry besides its topics and sources (see store.memberships).
    READS = (*Tagger.READS, "top_upvotes")

    def __init__(self, views: Sequence[ViewRule]) -> None:
        self.views = tuple(views)
        self._order = evaluation_order(self.views)
        self._taggers = {view.slug: Tagger([view.rule]) for view in self.views}
        self._named = _named_views(self.views)

    def explain(self, entry: Entry, topics: Sequence[str],
                sources: Sequence[str]) -> list[ViewResult]:
        """Every view's verdict on a paper with these topics and sources, in config order."""
        results, failures = self._results(entry, topics, sources)
        if failures:
            raise next(iter(failures.values()))  # the first in config order
        return [results[view.slug] for view in self.views]

    def place(self, entry: Entry, topics: Sequence[str],
              sources: Sequence[str]) -> tuple[list[str], dict[str, str]]:
        """The slugs of the views a paper is in, in config order, and the views that failed
        on it, each with why: one view's failure (and of the views naming it) is its own."""
        results, failures = self._results(entry, topics, sources)
        return (self._matched(results), {slug: f"view {slug!r}: {type(exc).__name__}: {exc}"
                                         for slug, exc in failures.items()})

    def _matched(self, results: Mapping[str, ViewResult]) -> list[str]:
        """The slugs of the views matched so far, in config order."""
        return [view.slug for view in self.views
                if view.slug in results and results[view.slug].matched]

    def _results(self, entry: Entry, topics: Sequence[str], sources: Sequence[str]
                 ) -> tuple[dict[str, ViewResult], dict[str, Exception]]:
        """Each view's verdict, and the views that failed (both in config order)."""
        results: dict[str, ViewResult] = {}
        failures: dict[str, Exception] = {}
        for view in self._order:
            named_failed = [s for s in self._named[view.slug] if s in failures]
            if named_failed:
                failures[view.slug] = RuntimeError(f"it names view {named_failed[0]!r}, "
                                                   "which failed")
                continue
            # The views matched so far, only for a view that names some (listing them for
            # every view made placing a paper a tenth slower).
            labels: Mapping[str, Sequence[str]] = {
                "topic": topics, "source": sources,
                "view": self._matched(results) if self._named[view.slug] else ()}
            try:
                [rule] = self._taggers[view.slug].explain(
                    entry.title, entry.summary, entry.authors, entry.categories, labels)
            except Exception as exc:  # noqa: BLE001 - one view's fault stays its own
                failures[view.slug] = exc
                continue
            results[view.slug] = ViewResult(view, rule, entry.top_upvotes)
        return results, {view.slug: failures[view.slug] for view in self.views
                         if view.slug in failures}
