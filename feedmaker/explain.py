"""`feedmaker explain`: find a paper (given, or in the state store) and render why it was tagged."""

from __future__ import annotations

from pathlib import Path

from feedmaker import like
from feedmaker.config import Config
from feedmaker.errors import InputError
from feedmaker.events import changes
from feedmaker.model import Entry
from feedmaker.normalize import bare_arxiv_id, canonical_url, clean_text
from feedmaker.store import Store
from feedmaker.tagger import Tagger, TopicResult
from feedmaker.tagger.lines import topic_lines
from feedmaker.views import ViewResult, ViewTagger


def explain_entry(config: Config, tagger: Tagger, *, title: str | None = None,
                  summary: str = "", entry_id: str | None = None,
                  state: Path | None = None) -> tuple[Entry, list[TopicResult]]:
    """The paper (from the arguments or the store) and the tagger's verdict on each topic."""
    if entry_id:
        entry = _stored_entry(state or config.site.state, entry_id)
    else:
        entry = Entry(id="", title=clean_text(title), summary=clean_text(summary), url="",
                      source="command line")
    return entry, tagger.explain(entry.title, entry.summary, entry.authors, entry.categories)


def explain_views(config: Config, entry: Entry, topics: list[TopicResult],
                  state: Path | None = None) -> list[ViewResult]:
    """Every view's verdict on the paper, given its topics; a stored paper's sources come
    from the store."""
    if not config.views:
        return []
    sources: list[str] = []
    if entry.id and (state or config.site.state).is_file():
        with Store.reader(state or config.site.state) as store:
            sources = store.history.sources_of([entry.id])[entry.id]
    return ViewTagger(config.views).explain(entry, [r.slug for r in topics if r.matched],
                                            sources)


def explain_likes(config: Config, entry: Entry, state: Path | None = None) -> list[str]:
    """A line per `like` view on the paper: its score, whether it is in, what it is like."""
    return like.explain(config.like_views, state or config.site.state, entry)


def explain_events(config: Config, entry: Entry, state: Path | None = None) -> list[str]:
    """A stored paper's news (feedmaker.events): a line per recorded event, oldest first,
    with what changed; and the news views that watch it. None for a paper without."""
    path = state or config.site.state
    if not entry.id or not path.is_file():
        return []
    with Store.reader(path) as store:
        events = store.events.of(entry.id)
        watching = store.watched.of([entry.id])[entry.id]
    lines = [f"{event.seen:%Y-%m-%d %H:%M} UTC  {event.kind:<9} "
             + "; ".join(f"{label}: {text}" for label, text in changes(event))
             for event in events]
    if watching:
        lines.append(f"watched by: {', '.join(watching)}")
    return lines


def _stored_entry(state: Path, entry_id: str) -> Entry:
    arxiv_id = bare_arxiv_id(entry_id.removeprefix("https://arxiv.org/abs/")
                             .removeprefix("http://arxiv.org/abs/"))
    wanted = f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else canonical_url(entry_id)
    with Store.reader(state) as store:
        entry = store.history.get(wanted)
    if entry is None:
        raise InputError(f"{state}: no entry with id {wanted}")
    return entry


def format_explanation(tagger: Tagger, entry: Entry, results: list[TopicResult],
                       all_topics: bool = True, views: list[ViewResult] = (),
                       likes: list[str] = (), news: list[str] = ()) -> str:
    """A readable report: a line per topic, then a line per term that hit; then the same
    for each view, a line per `like` view, and a line per news event of the paper."""
    rules = {t.slug: t for t in tagger.topics}
    lines = [f"{entry.title}" + (f"  <{entry.id}>" if entry.id else "")]
    matched = [r.slug for r in results if r.matched]
    lines.append(f"topics: {', '.join(matched) if matched else '(none)'}")
    for result in results:
        if all_topics or result.matched:
            lines += topic_lines(rules[result.slug], result)
    if views:
        matched = [r.view.slug for r in views if r.matched]
        lines.append(f"views: {', '.join(matched) if matched else '(none)'}")
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
