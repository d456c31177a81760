"""The frame of the site's pages (index.html and each feed's page): head, style sheet and
footer. The style sheet is inlined in each page (one saved or opened from file:// looks the
same): light and dark, one column on a phone."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree
from lxml.html import builder as E

from feedmaker.outputs import OPML, STATUS

STYLE = """
:root { color-scheme: light dark; --text: #1d1d22; --muted: #5d5d6b; --line: #dedee6;
  --bg: #fff; --card: #f6f6f9; --accent: #b34700; --link: #1a4fb3; --mark: #ffe58a;
  --ok: #1e7a3a; --bad: #b3261e; --thumb: #e6e6ee; }
@media (prefers-color-scheme: dark) {
  :root { --text: #e6e6ec; --muted: #a3a3b3; --line: #34343f; --bg: #141418; --card: #1d1d23;
    --accent: #ff9248; --link: #8ab4ff; --mark: #6b5400; --ok: #6fd08c; --bad: #ff8a80;
    --thumb: #2a2a33; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--text);
  background: var(--bg); max-width: 60rem; margin: 0 auto; padding: 1rem;
  overflow-wrap: anywhere; }
a { color: var(--link); }
h1 { font-size: 1.6rem; line-height: 1.2; margin: 0.5rem 0 0.3rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 0.6rem; padding-bottom: 0.2rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; line-height: 1.3; margin: 0 0 0.3rem; }
h3 a { color: inherit; text-decoration: none; }
h3 a:hover, h3 a:focus { text-decoration: underline; }
header p, .muted, .authors, .note, footer { color: var(--muted); }
header p { margin: 0.2rem 0; }
.crumbs { font-size: 0.9rem; margin: 0; }
.subscribe { display: inline-block; padding: 0.15rem 0.6rem; border-radius: 4px;
  background: var(--accent); color: #fff; text-decoration: none; font-weight: 600; }
@media (prefers-color-scheme: dark) { .subscribe { color: #141418; } }
ul.chips { list-style: none; padding: 0; margin: 0.8rem 0 0; display: flex; flex-wrap: wrap;
  gap: 0.35rem; font-size: 0.9rem; }
.chips a { display: inline-block; padding: 0.05rem 0.55rem; border: 1px solid var(--line);
  border-radius: 999px; text-decoration: none; }
.chips a[aria-current] { background: var(--link); border-color: var(--link); color: var(--bg); }
ol.papers { list-style: none; padding: 0; margin: 0; }
li.paper { padding: 0.9rem 0; border-bottom: 1px solid var(--line); }
li.paper:last-child { border-bottom: 0; }
.paper article { display: flex; gap: 1rem; }
.paper article > div { min-width: 0; flex: 1; }
img.thumb { flex: none; width: 10rem; height: 5.4rem; object-fit: cover; border-radius: 6px;
  background: var(--thumb); color: var(--muted); font-size: 0.7rem; overflow: hidden; }
/* A picture that cannot load (offline, blocked) is an empty tinted box, not a broken icon:
   browsers draw these pseudo-elements only over an image that failed. */
img { position: relative; }
img::after { content: ""; position: absolute; inset: 0; background: var(--thumb); }
.paper p { margin: 0.15rem 0; }
.authors, .note { font-size: 0.9rem; }
.change strong { color: var(--accent); }
.links, .topics { font-size: 0.9rem; display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
.topics a { font-weight: 600; text-decoration: none; }
.why { color: var(--muted); }
.why::before { content: "("; }
.why::after { content: ")"; }
details { margin-top: 0.3rem; }
summary { cursor: pointer; color: var(--muted); font-size: 0.9rem; }
details p { margin: 0.4rem 0 0; }
mark { background: var(--mark); color: inherit; padding: 0 0.1em; border-radius: 2px; }
ul.cards { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.9rem;
  grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 0.8rem; display: flex; flex-direction: column; gap: 0.4rem; min-width: 0; }
.card h3 { margin: 0; }
.card p { margin: 0; font-size: 0.9rem; }
.count { color: var(--muted); font-weight: 400; font-size: 0.9rem; }
ul.strip { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.3rem;
  grid-template-columns: repeat(4, 1fr); }
.strip img { display: block; width: 100%; aspect-ratio: 16 / 10; object-fit: cover;
  border-radius: 4px; background: var(--thumb); color: transparent; font-size: 0; }
ul.newest { margin: 0; padding-left: 1.1rem; font-size: 0.9rem; }
ul.newest a { color: inherit; }
.actions { margin-top: auto; display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
ul.sources { padding-left: 1.1rem; }
.ok { color: var(--ok); }
.failing { color: var(--bad); }
footer { margin: 2.5rem 0 1rem; font-size: 0.9rem; }
@media (max-width: 40rem) {
  body { padding: 0.75rem; }
  .paper article { flex-direction: column; gap: 0.5rem; }
  img.thumb { width: 100%; height: auto; aspect-ratio: 2 / 1; }
}
"""


def document(title: str, head: Sequence[etree._Element], header: etree._Element,
             main: etree._Element, version: str) -> bytes:
    """A whole page of the site: head (with the style sheet), header, main and footer."""
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"),
               E.META(name="viewport", content="width=device-width, initial-scale=1"),
               E.META(name="generator", content=f"feedmaker {version}"),
               E.TITLE(title), *head,
               E.LINK(rel="outline", type="text/x-opml", title="All feeds (OPML)", href=OPML),
               E.STYLE(STYLE)),
        E.BODY(header, main, E.FOOTER(
            f"Made by feedmaker {version} · ", E.A("All feeds (OPML)", href=OPML), " · ",
            E.A("Source status (JSON)", href=STATUS))),
        lang="en")
    return etree.tostring(page, method="html", encoding="utf-8", doctype="<!DOCTYPE html>",
                          pretty_print=True)
