"""`feedmaker explain`: find a paper (given, or in the state store) and render why it was tagged."""

from __future__ import annotations

import os
from pathlib import Path

from feedmaker import like
from feedmaker.config import Config
from feedmaker.errors import InputError
from feedmaker.events import changes
from feedmaker.model import Entry
from feedmaker.normalize import arxiv_id_from_url, bare_arxiv_id, clean_text, entry_id
from feedmaker.store import Store
from feedmaker.tagger import Tagger
from feedmaker.tagger.lines import topic_lines
from feedmaker.views import ViewResult, ViewTagger


def given_paper(title: str, summary: str) -> Entry:
    """A paper given on the command line, by its title and abstract."""
    return Entry(id="", title=clean_text(title), summary=clean_text(summary), url="",
                 source="command line")


def explain_paper(config: Config, state: Path, paper: str | Entry, all_topics: bool) -> str:
    """`feedmaker explain`: the report on a paper, given whole or as the arXiv id or entry
    id of a paper in the store at `state`. The store is opened once, and only when the
    paper or a like view needs it."""
    # Without a store to read (none there, or none this user may see), like views say so.
    if isinstance(paper, Entry) and not (config.like_views and os.path.isfile(state)):
        return explanation(config, paper, None, all_topics)
    with Store.reader(state) as store:
        if isinstance(paper, str):
            try:
                wanted = entry_id(paper, bare_arxiv_id(paper) or arxiv_id_from_url(paper))
            except ValueError:  # "http://[x": no URL
                raise InputError(f"--id {paper!r}: not an arXiv id, entry id or URL") from None
            paper = store.history.get(wanted)
            if paper is None:
                raise InputError(f"{state}: no entry with id {wanted}")
        return explanation(config, paper, store, all_topics)


def explanation(config: Config, entry: Entry, store: Store | None, all_topics: bool) -> str:
    """A readable report: a line per topic, then a line per term that hit; then the same
    for each view, a line per `like` view, and a stored paper's news (feedmaker.events):
    a line per recorded event, oldest first, with what changed, and the views watching it."""
    tagger = Tagger(config.topics)
    results = tagger.explain(entry.title, entry.summary, entry.authors, entry.categories)
    sources: list[str] = []
    news: list[str] = []
    if entry.id and store:  # a stored paper: its store has its sources and news
        sources = store.history.sources_of([entry.id])[entry.id]
        events = store.events.of(entry.id)
        watching = store.watched.of([entry.id])[entry.id]
        news = [f"{event.seen:%Y-%m-%d %H:%M} UTC  {event.kind:<9} "
                + "; ".join(f"{label}: {text}" for label, text in changes(event))
                for event in events]
        if watching:
            news.append(f"watched by: {', '.join(watching)}")
    matched = [r.slug for r in results if r.matched]
    views = ViewTagger(config.views).explain(entry, matched, sources)
    likes = [like.explain(view, store, entry) for view in config.like_views]

    lines = [entry.title + (f"  <{entry.id}>" if entry.id else ""),
             f"topics: {', '.join(matched) if matched else '(none)'}"]
    for rule, result in zip(config.topics, results, strict=True):  # both in config order
        if all_topics or result.matched:
            lines += topic_lines(rule, result)
    if views:
        in_views = [r.view.slug for r in views if r.matched]
        lines.append(f"views: {', '.join(in_views) if in_views else '(none)'}")
        for view in views:
            if all_topics or view.matched:
                lines += topic_lines(view.view.rule, view.rule, view.matched, _upvote_bar(view))
    if likes:
        lines.append("papers like yours:")
        lines += [line for line in likes if all_topics or line.startswith("MATCH")]
    if news:
        lines.append("news:")
        lines += [f"  {line}" for line in news]
    return "\n".join(lines)


def _upvote_bar(result: ViewResult) -> str | None:
    if result.view.min_upvotes is None:
        return None
    seen = "no upvotes seen" if result.top_upvotes is None else f"most seen {result.top_upvotes}"
    return f"needs {result.view.min_upvotes} upvotes once: {seen}"
