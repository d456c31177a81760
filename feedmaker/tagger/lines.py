"""Readable lines for the tagger's verdict on one topic: what `explain` and `eval --errors`
print."""

from __future__ import annotations

from feedmaker.tagger import TopicResult, TopicRule


def topic_lines(rule: TopicRule, result: TopicResult, matched: bool | None = None,
                note: str | None = None) -> list[str]:
    """The verdict on one topic or view (score, threshold, vetoes, and `note`), then a line
    per term that hit. `matched` overrides the rule's verdict (a view's upvote bar)."""
    verdict = "MATCH" if (result.matched if matched is None else matched) else "no"
    why = [note] if note else []
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
