"""Build the demo's news snapshots from the real Hugging Face capture of 2026-05-18: an
arXiv API answer on six of its papers as first read, the same a day later, and the Hugging
Face listing a day later (docs/views.md, "Paper news").

Usage: python scripts/make_demo_news_snapshots.py [SNAPSHOTS_FOLDER]

The next day's changes are made up, to show every kind of news once: a new version with an
acceptance, one with a code link in its comment, one with changed sentences, a journal
reference and DOI (10.5555 is the DOI prefix kept for examples), code and a project page on
Hugging Face, and papers reaching 50 upvotes. Titles, abstracts, authors and dates are the
capture's, written in the arXiv API's format.
"""

import copy
import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape

SNAPSHOTS = Path(__file__).resolve().parent.parent / "feedmaker" / "data" / "snapshots"
CAPTURE = "hf-daily-papers-2026-05-18.json"
ATOM_NS = 'xmlns:arxiv="http://arxiv.org/schemas/atom"'
# arXiv id: comment as first read; the next day's version, comment, journal reference, DOI
# and abstract edit (old words, new words).
PAPERS = {
    "2605.16143": ("Preprint. 9 pages, 4 figures", 2, "Accepted at ICML 2026. 9 pages, 4 figures",
                   None, None, ("Our results demonstrate",
                                "Our results on three new benchmarks demonstrate")),
    "2605.06527": ("18 pages, 6 figures", 1, "18 pages, 6 figures",
                   "Transactions on Machine Learning Research, 2026",
                   "10.5555/demo.2605.06527", None),
    "2605.13880": ("16 pages", 2, "16 pages. Code: https://github.com/example/preping", None,
                   None, None),
    "2605.15871": ("31 pages", 3, "31 pages; v3 adds the AIRA-Design ablations", None, None,
                   ("Toward recursive self-improvement,",
                    "Toward recursive self-improvement (with new ablations in v3),")),
    "2605.15040": ("Accepted at ICML 2026", 1, "Accepted at ICML 2026", None, None, None),
    "2605.10912": ("Benchmark and leaderboard", 1, "Benchmark and leaderboard", None, None,
                   None),
}
# On Hugging Face a day later: code, a project page, more upvotes.
CODE = {"2605.13941": "https://github.com/example/evolvemem"}
PROJECT = {"2605.07637": "https://communicate-locally.example.org/"}
MORE_UPVOTES = {"2605.10912": 21, "2605.06527": 18, "2605.15128": 9, "2605.13301": 31,
                "2605.07637": 6}


def wrapped(text: str, width: int = 78) -> str:
    """The text in lines of at most `width`, indented as the arXiv API writes abstracts."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n  ".join([*lines, line])


def entry(paper: dict, version: int, comment: str, journal_ref: str | None,
          doi: str | None, edit: tuple[str, str] | None) -> str:
    arxiv_id = paper["id"]
    summary = " ".join(paper["summary"].split())
    if edit:
        if edit[0] not in summary:
            sys.exit(f"{arxiv_id}: {edit[0]!r} is not in its abstract")
        summary = summary.replace(edit[0], edit[1], 1)
    published = paper["publishedAt"].replace(".000Z", "Z")
    authors = "".join(f"\n    <author>\n      <name>{escape(a['name'])}</name>\n    </author>"
                      for a in paper["authors"])
    notes = f"\n    <arxiv:comment {ATOM_NS}>{escape(comment)}</arxiv:comment>"
    if journal_ref:
        notes += f"\n    <arxiv:journal_ref {ATOM_NS}>{escape(journal_ref)}</arxiv:journal_ref>"
    if doi:
        notes += f"\n    <arxiv:doi {ATOM_NS}>{escape(doi)}</arxiv:doi>"
    url = f"http://arxiv.org/abs/{arxiv_id}v{version}"
    return f"""  <entry>
    <id>{url}</id>
    <updated>{published}</updated>
    <published>{published}</published>
    <title>{escape(" ".join(paper["title"].split()))}</title>
    <summary>  {escape(wrapped(summary))}
</summary>{authors}{notes}
    <link href="{url}" rel="alternate" type="text/html"/>
    <link title="pdf" href="{url.replace('/abs/', '/pdf/')}" rel="related" type="application/pdf"/>
    <arxiv:primary_category {ATOM_NS} term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def answer(day: str, entries: list[str]) -> str:
    """An arXiv API answer to an id_list query of PAPERS."""
    ids, count = ",".join(PAPERS), len(PAPERS)
    search = "http://a9.com/-/spec/opensearch/1.1/"
    query = f"search_query=&amp;id_list={ids}&amp;start=0&amp;max_results={count}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: {query}</title>
  <id>http://arxiv.org/api/demo-{day}</id>
  <updated>{day}T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="{search}">{count}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="{search}">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="{search}">{count}</opensearch:itemsPerPage>
{"".join(entries)}</feed>
"""


def main(folder: Path) -> None:
    items = json.loads((folder / CAPTURE).read_text(encoding="utf-8"))
    papers = {item["paper"]["id"]: item["paper"] for item in items}
    first = [entry(papers[i], 1, notes[0], None, None, None) for i, notes in PAPERS.items()]
    later = [entry(papers[i], *notes[1:]) for i, notes in PAPERS.items()]
    (folder / "arxiv-api-2026-05-18.xml").write_text(answer("2026-05-18", first), "utf-8")
    (folder / "arxiv-api-2026-05-19.xml").write_text(answer("2026-05-19", later), "utf-8")
    next_day = copy.deepcopy(items)
    for item in next_day:
        paper = item["paper"]
        if paper["id"] in CODE:
            paper["githubRepo"] = CODE[paper["id"]]
        if paper["id"] in PROJECT:
            paper["projectPage"] = PROJECT[paper["id"]]
        paper["upvotes"] += MORE_UPVOTES.get(paper["id"], 0)
    (folder / "hf-daily-papers-2026-05-18-next-day.json").write_text(
        json.dumps(next_day, ensure_ascii=False, separators=(",", ":")), "utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOTS)
