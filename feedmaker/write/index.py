"""Render index.html: every feed with its description, size, newest titles and subscribe links."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree
from lxml.html import builder as E

from feedmaker.write import NEWEST_SHOWN, FeedInfo, json_name

STYLE = """
:root { color-scheme: light dark; --muted: #667; --line: #dde; --accent: #c45500; }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
header p, .meta { color: var(--muted); }
section { border-top: 1px solid var(--line); padding: 0.8rem 0; }
h2 { font-size: 1.15rem; margin: 0 0 0.2rem; }
h2 a { color: inherit; text-decoration: none; }
.subscribe { display: inline-block; margin-left: 0.5rem; padding: 0 0.5rem; border-radius: 4px;
  background: var(--accent); color: #fff; font-size: 0.8rem; text-decoration: none; }
ul { margin: 0.3rem 0 0; padding-left: 1.2rem; }
li { margin: 0.1rem 0; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.9rem; }
"""


def render_index(title: str, subtitle: str, feeds: Sequence[FeedInfo],
                 opml_name: str = "feeds.opml", json_feeds: bool = False) -> bytes:
    """The HTML page listing `feeds`, with autodiscovery links; everything escaped."""
    discovery = [E.LINK(rel="alternate", type="application/atom+xml", title=feed.title,
                        href=feed.file_name) for feed in feeds]
    if json_feeds:
        discovery += [E.LINK(rel="alternate", type="application/feed+json",
                             title=f"{feed.title} (JSON Feed)", href=json_name(feed.file_name))
                      for feed in feeds]
    page = E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.META(name="viewport", content="width=device-width, initial-scale=1"),
            E.TITLE(title),
            *discovery,
            E.LINK(rel="outline", type="text/x-opml", title="All feeds (OPML)", href=opml_name),
            E.STYLE(STYLE),
        ),
        E.BODY(
            E.HEADER(
                E.H1(title),
                *([E.P(subtitle)] if subtitle else []),
                E.P("Subscribe to any feed below in your feed reader, or import ",
                    E.A("all feeds at once (OPML)", href=opml_name), "."),
            ),
            E.E.main(*[_feed_section(feed, feed.title.removeprefix(f"{title}: "))
                       for feed in feeds]),
            E.FOOTER("Made by feedmaker."),
        ),
        lang="en",
    )
    return etree.tostring(page, method="html", encoding="utf-8", doctype="<!DOCTYPE html>",
                          pretty_print=True)


def _feed_section(feed: FeedInfo, heading: str) -> etree._Element:
    count = len(feed.entries)
    newest = [E.LI(E.A(entry.title, href=entry.url)) for entry in feed.entries[:NEWEST_SHOWN]]
    return E.SECTION(
        E.H2(E.A(heading, href=feed.file_name),
             E.A("Subscribe", E.CLASS("subscribe"), href=feed.file_name)),
        *([E.P(feed.description)] if feed.description else []),
        E.P(f"{count} {'entry' if count == 1 else 'entries'} · ", E.CODE(feed.file_name),
            E.CLASS("meta")),
        *([E.UL(*newest)] if newest else []),
        id=feed.file_name.rsplit(".", 1)[0],
    )
