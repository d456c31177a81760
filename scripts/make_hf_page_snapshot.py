"""Build the bundled `hf-page` snapshot from the real API capture, to the markup of
docs/hf-pages.md.

Usage: python scripts/make_hf_page_snapshot.py CAPTURE.json OUT.html

The page has what the real huggingface.co/papers/date/... pages have: the `DailyPapers`
hydrater (a direct child of <main>) holding the items, the subscribe-banner hydrater, the
"by AK and the research community" heading, and one <article> card per paper that holds
the paper twice (desktop and mobile blocks) with the AI summary as card text.
"""

import json
import sys
from datetime import datetime

from lxml import etree
from lxml.html import builder as E


def card_block(paper: dict, css: str) -> etree._Element:
    published = datetime.fromisoformat(paper["publishedAt"])
    return E.DIV(
        E.CLASS(css),
        E.H3(E.A(paper["title"], href=f"/papers/{paper['id']}")),
        E.P(paper.get("ai_summary") or paper["summary"], E.CLASS("line-clamp-2 text-sm")),
        E.DIV(f"Published on {published:%b} {published.day}, {published.year}"),
        E.DIV(f"{paper['upvotes']} upvotes"),
    )


def build(items: list[dict]) -> bytes:
    props = {"dailyPapers": items, "isTrending": False, "query": {},
             "dateString": "2026-05-18", "prevDate": "2026-05-15", "periodType": "day"}
    cards = [E.ARTICLE(card_block(item["paper"], "hidden lg:block"),
                       card_block(item["paper"], "lg:hidden"), E.CLASS("relative flex"))
             for item in items]
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE("Daily Papers - Hugging Face")),
        E.BODY(E.E.main(
            E.DIV(E.CLASS("SVELTE_HYDRATER contents"),
                  **{"data-target": "DailyPapersBannerSubscribe", "data-props": "{}"}),
            E.H2("by AK and the research community"),
            E.DIV(E.CLASS("SVELTE_HYDRATER contents"),
                  **{"data-target": "DailyPapers",
                     "data-props": json.dumps(props, ensure_ascii=False)}),
            E.SECTION(*cards),
        )),
    )
    return etree.tostring(page, method="html", encoding="utf-8", doctype="<!doctype html>")


if __name__ == "__main__":
    capture, out = sys.argv[1:3]
    with open(capture, encoding="utf-8") as f:
        items = json.load(f)
    with open(out, "wb") as f:
        f.write(build(items))
