"""Paper news through the real command line against local servers: each change of a known
paper (a new version, a journal reference and DOI, an acceptance, code, a project page, an
upvote bar reached) is one entry of each news view following it, once, dated when it was
first seen; papers first seen that way, or first listed so by a second source, make none."""

import copy
import json
import subprocess
import sys
from datetime import timedelta

from lxml import etree

from .conftest import ATOM_NS, NOW, arxiv_answer, daily_items, write_config

API, QUERY = "/api/daily_papers", "/api/query"
DAY = timedelta(days=1)
PAPER_NEWS = """
[views.news]
title = "Paper news"
news = ["version", "published", "accepted", "code", "project", "popular"]
any = ["source:hf"]
popular_upvotes = 25
"""
NEWS = PAPER_NEWS + """
[views.versions]
news = ["version"]
any = ["source:arxiv"]
"""


def feedmaker(*args, now=NOW) -> subprocess.CompletedProcess:
    """The command line in a child process whose clock reads `now`."""
    code = ("from datetime import datetime\nimport feedmaker.cli as cli\n"
            f"cli._now = lambda: datetime.fromisoformat({now.isoformat()!r})\ncli.main()\n")
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr
    return done


def listing() -> list[dict]:
    """Nine papers of the real capture, without code or project links, 5 upvotes each."""
    items = copy.deepcopy(daily_items()[:9])
    for item in items:
        item["paper"].pop("githubRepo", None)
        item["paper"].pop("projectPage", None)
        item["paper"]["upvotes"] = 5
    return items


def on_arxiv(item: dict, **notes) -> dict:
    """What arXiv says of a listed paper: its id, title and abstract, and `notes`."""
    paper = item["paper"]
    return {"id": paper["id"], "title": paper["title"], "summary": paper["summary"], **notes}


def serve(httpserver, items, arxiv):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(items),
                                                     content_type="application/json")
    httpserver.expect_request(QUERY).respond_with_data(arxiv_answer(arxiv),
                                                       content_type="application/atom+xml")


def entries(path) -> dict[str, tuple[str, str, str]]:
    """{id: (title, published, updated)} of a feed's entries."""
    tree = etree.parse(str(path))
    return {entry.findtext("a:id", namespaces=ATOM_NS): tuple(
        entry.findtext(f"a:{name}", namespaces=ATOM_NS)
        for name in ("title", "published", "updated"))
        for entry in tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)}


def site(tmp_path, httpserver, extra=NEWS, arxiv=True):
    sources = [("hf", "hf-api", httpserver.url_for(API))]
    if arxiv:
        sources.append(("arxiv", "arxiv-api", httpserver.url_for(QUERY)))
    return write_config(tmp_path, sources, extra=extra)


def test_each_change_of_a_known_paper_is_one_news_entry_in_each_view_following_it_once(
        tmp_path, httpserver):
    items = listing()
    ids = [f"https://arxiv.org/abs/{item['paper']['id']}" for item in items]
    titles = [item["paper"]["title"] for item in items]
    first = [on_arxiv(items[0], comment="10 pages"), on_arxiv(items[1]),
             on_arxiv(items[2], comment="Preprint"), on_arxiv(items[3], comment="12 pages"),
             on_arxiv(items[4])]
    serve(httpserver, items[:8], first)
    path = site(tmp_path, httpserver)
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    out = tmp_path / "out"
    assert entries(out / "news.atom") == {} and entries(out / "versions.atom") == {}

    later = copy.deepcopy(items)
    later[5]["paper"]["githubRepo"] = "https://github.com/lab/five"
    later[6]["paper"]["projectPage"] = "https://six.example.org/"
    later[7]["paper"]["upvotes"] = 30
    # New today, already with code, a project page, many upvotes and an acceptance: no news.
    later[8]["paper"] |= {"githubRepo": "https://github.com/lab/eight", "upvotes": 90,
                          "projectPage": "https://eight.example.org/"}
    summary = items[0]["paper"]["summary"] + " We add experiments on three more datasets."
    arxiv = [on_arxiv(items[0], version=2, comment="10 pages", summary=summary),
             on_arxiv(items[1], journal_ref="J. Mach. Learn. Res. 27 (2026) 1-30",
                      doi="10.1234/jmlr.2026.001"),
             on_arxiv(items[2], comment="Accepted to NeurIPS 2026 (spotlight)"),
             on_arxiv(items[3], comment="12 pages. Code: https://github.com/lab/three"),
             on_arxiv(items[4], doi=f"10.48550/arXiv.{items[4]['paper']['id']}"),
             on_arxiv(items[8], comment="Accepted at ICML 2026", journal_ref="ICML 2026")]
    serve(httpserver, later, arxiv)
    done = feedmaker("run", "--config", path, now=NOW + DAY)
    assert done.returncode == 0, done.stderr
    assert ", 7 news events;" in done.stdout
    when = "2026-05-19T12:00:00+00:00"
    expected = {
        ids[0] + "#v2": f"v2: {titles[0]}",
        ids[1] + "#published": f"Published in J. Mach. Learn. Res. 27 (2026) 1-30: "
                               f"{titles[1]}",
        ids[2] + "#accepted": f"Accepted at NeurIPS 2026: {titles[2]}",
        ids[3] + "#code": f"Code released: {titles[3]}",
        ids[5] + "#code": f"Code released: {titles[5]}",
        ids[6] + "#project": f"Project page online: {titles[6]}",
        ids[7] + "#popular-25": f"Reached 25 upvotes: {titles[7]}",
    }
    assert entries(out / "news.atom") == {i: (t, when, when) for i, t in expected.items()}
    assert entries(out / "versions.atom") == {ids[0] + "#v2": (f"v2: {titles[0]}", when, when)}
    # Each event says what changed; the paper's own entry is as it was.
    content = (out / "news.atom").read_text()
    for text in ("We add experiments on three more datasets.", "v2 (was v1)",
                 "https://doi.org/10.1234/jmlr.2026.001", "https://github.com/lab/three",
                 "https://six.example.org/", "30, reaching 25"):
        assert text in content
    assert all(not i.startswith(tuple(expected)) for i in entries(out / "all.atom"))
    valid = feedmaker("validate", out)
    assert valid.returncode == 0, valid.stdout + valid.stderr

    before = {p.name: p.read_bytes() for p in out.glob("*.atom")}
    again = feedmaker("run", "--config", path, now=NOW + 2 * DAY)  # the same answers
    assert again.returncode == 0 and "news events" not in again.stdout
    assert {p.name: p.read_bytes() for p in out.glob("*.atom")} == before


def test_a_second_source_first_listing_a_known_paper_with_old_news_makes_none(
        tmp_path, httpserver):
    items = listing()[:3]
    serve(httpserver, items, [])
    path = site(tmp_path, httpserver, extra=PAPER_NEWS, arxiv=False)
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    # A day later arXiv is read too: it already has v3, an acceptance, a journal reference,
    # a DOI and code for these papers, all older than feedmaker's first sight of it.
    old_news = dict(version=3, comment="Accepted at ICML 2026. Code: https://github.com/a/b",
                    journal_ref="ICML 2026", doi="10.1234/icml.1")
    serve(httpserver, items, [on_arxiv(item, **old_news) for item in items])
    path.write_text(path.read_text().replace(
        "[views.news]", f'[[sources]]\nname = "arxiv"\ntype = "arxiv-api"\n'
                        f'url = "{httpserver.url_for(QUERY)}"\nmin_interval = 0\n\n[views.news]'))
    assert feedmaker("run", "-q", "--config", path, now=NOW + DAY).returncode == 0
    out = tmp_path / "out"
    assert entries(out / "news.atom") == {}
    # From then on, what changes is news.
    serve(httpserver, items, [on_arxiv(items[0], **old_news | {"version": 4})]
          + [on_arxiv(item, **old_news) for item in items[1:]])
    assert feedmaker("run", "-q", "--config", path, now=NOW + 2 * DAY).returncode == 0
    paper = f"https://arxiv.org/abs/{items[0]['paper']['id']}"
    assert list(entries(out / "news.atom")) == [paper + "#v4"]


def test_explain_lists_a_papers_recorded_news(tmp_path, httpserver):
    items = listing()[:2]
    serve(httpserver, items, [on_arxiv(items[0], comment="9 pages")])
    path = site(tmp_path, httpserver)
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    items[0]["paper"]["githubRepo"] = "https://github.com/lab/zero"
    serve(httpserver, items, [on_arxiv(items[0], version=2, comment="Accepted at ACL 2026")])
    assert feedmaker("run", "-q", "--config", path, now=NOW + DAY).returncode == 0
    done = feedmaker("explain", "--config", path, "--id", items[0]["paper"]["id"],
                     "--matched-only")
    assert done.returncode == 0, done.stderr
    news = done.stdout.split("\nnews:\n")[1].splitlines()
    assert news == [
        "  2026-05-19 12:00 UTC  accepted  Accepted at: ACL 2026; Comment: Accepted at ACL 2026",
        "  2026-05-19 12:00 UTC  code      Code: https://github.com/lab/zero",
        "  2026-05-19 12:00 UTC  version   New version: v2 (was v1); Comment: Accepted at "
        "ACL 2026"]
    quiet = feedmaker("explain", "--config", path, "--id", items[1]["paper"]["id"])
    assert quiet.returncode == 0 and "news:" not in quiet.stdout


def test_an_unknown_kind_of_news_is_a_config_error_naming_file_and_line(tmp_path, httpserver):
    path = site(tmp_path, httpserver, extra='\n[views.news]\nany = ["source:hf"]\n'
                                            'news = ["version", "versions"]\n')
    done = feedmaker("run", "--config", path)
    line = path.read_text().splitlines().index('news = ["version", "versions"]') + 1
    assert done.returncode == 2
    assert done.stderr == (f"feedmaker: {path}:{line}: views.news.news: 'versions' is not one "
                           "of version, published, accepted, code, project, popular\n")
    assert httpserver.log == []


def test_runs_without_news_views_watching_files_ask_no_more_than_their_sources(
        tmp_path, httpserver):
    items = listing()[:4]
    for name, extra in (("plain", ""), ("news", NEWS)):
        (tmp_path / name).mkdir()
        serve(httpserver, items, [on_arxiv(item) for item in items])
        httpserver.clear_log()
        path = site(tmp_path / name, httpserver, extra=extra)
        for day in range(2):
            assert feedmaker("run", "-q", "--config", path, now=NOW + day * DAY).returncode == 0
        assert sorted(request.path for request, _ in httpserver.log) == [API, API, QUERY, QUERY]
