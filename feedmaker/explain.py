"""`feedmaker explain`: find a paper (given, or in the state store) and render why it was tagged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from feedmaker.config import Config
from feedmaker.errors import InputError
from feedmaker.model import Entry
from feedmaker.normalize import bare_arxiv_id, canonical_url, clean_text
from feedmaker.store import Store
from feedmaker.tagger import Tagger, TopicResult, TopicRule

# The store wants a creation time for a new file; explain only reads existing stores.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def _stored_entry(state: Path, entry_id: str) -> Entry:
    if not state.is_file():
        raise InputError(f"{state}: no state store there; run `feedmaker run` first")
    arxiv_id = bare_arxiv_id(entry_id.removeprefix("https://arxiv.org/abs/")
                             .removeprefix("http://arxiv.org/abs/"))
    wanted = f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else canonical_url(entry_id)
    with Store(state, now=_EPOCH) as store:
        entry = store.get(wanted)
    if entry is None:
        raise InputError(f"{state}: no entry with id {wanted}")
    return entry


def format_explanation(tagger: Tagger, entry: Entry, results: list[TopicResult],
                       all_topics: bool = True) -> str:
    """A readable report: a line per topic, then a line per term that hit."""
    rules = {t.slug: t for t in tagger.topics}
    lines = [f"{entry.title}" + (f"  <{entry.id}>" if entry.id else "")]
    matched = [r.slug for r in results if r.matched]
    lines.append(f"topics: {', '.join(matched) if matched else '(none)'}")
    for result in results:
        if all_topics or result.matched:
            lines += topic_lines(rules[result.slug], result)
    return "\n".join(lines)


def topic_lines(rule: TopicRule, result: TopicResult) -> list[str]:
    """The verdict on one topic (score, threshold, vetoes), then a line per term that hit."""
    verdict = "MATCH" if result.matched else "no"
    why = []
    if result.vetoes:
        why.append(f"vetoed by {', '.join(repr(v) for v in result.vetoes)}")
    if result.groups_missing:
        why.append("no hit in `all` group " + ", ".join(str(g + 1)
                                                        for g in result.groups_missing))
    lines = [f"{verdict:<5} {result.slug:<24} score {result.score:g} / threshold "
             f"{result.threshold:g} (title hits x{rule.title_weight:g})"
             + (f"  [{'; '.join(why)}]" if why else "")]
    for hit in result.hits:
        points = f"{hit.points:+g}" if hit.role == "any" else hit.role
        lines.append(f"        {hit.term!r:<32} in {hit.field:<8} {points}")
    return lines
