"""Watched papers (a news view's `watch` files) through the real command line against local
servers: those no listing shows any more are looked up on arXiv and Hugging Face at most
once a day, their news is published, papers known only that way stay out of the other
feeds, and a failed lookup is a warning asked again next run."""

import json
import re
from datetime import timedelta

from click.testing import CliRunner
from werkzeug import Response

from feedmaker.cli import cli
from feedmaker.config import load_config
from feedmaker.fetch import Fetcher
from feedmaker.pipeline import run

from .conftest import NOW, arxiv_answer, fixture_bytes, next_release, write_config
from .test_news import entries, feedmaker, listing, on_arxiv

API, QUERY, PAPERS = "/api/daily_papers", "/api/query", "/api/papers/"
DAY, HOUR = timedelta(days=1), timedelta(hours=1)
OLD = "2401.00001"  # a paper of the library no listing ever showed


def site(tmp_path, httpserver, ids):
    (tmp_path / "mine.txt").write_text("".join(f"{i}\n" for i in ids))
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))], extra=(
        '\n[views.mine]\nnews = ["version", "published", "code"]\nwatch = ["mine.txt"]\n'))
    # Hugging Face by another name of the same server: requests to it are spaced apart
    # from arXiv's 3 s.
    papers = httpserver.url_for(PAPERS).replace("//localhost:", "//127.0.0.1:")
    assert papers != httpserver.url_for(PAPERS)
    text = path.read_text().replace("[site]\n", f'[site]\narxiv_api_url = '
                                    f'"{httpserver.url_for(QUERY)}"\nhf_paper_api_url = '
                                    f'"{papers}"\n')
    path.write_text(text)
    return path


def serve(httpserver, listed, arxiv, hf):
    """The listing, arXiv's answers to id lookups, and Hugging Face's paper pages ({id:
    paper}; any other id is not found)."""
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(listed),
                                                     content_type="application/json")
    httpserver.expect_request(QUERY).respond_with_data(arxiv_answer(arxiv),
                                                       content_type="application/atom+xml")
    for arxiv_id, paper in hf.items():
        httpserver.expect_request(PAPERS + arxiv_id).respond_with_json(paper)
    httpserver.expect_request(re.compile("^/api/papers/")).respond_with_data(
        '{"error":"Paper not found"}', status=404, content_type="application/json")


def asked(httpserver) -> list[str]:
    """The lookups made since the log was last cleared: arXiv's id lists, papers on HF."""
    return [request.args["id_list"] if request.path == QUERY else request.path
            for request, _ in httpserver.log if request.path != API]


def test_watched_papers_are_looked_up_once_a_day_and_their_news_is_published(
        tmp_path, httpserver):
    items = listing()
    mine = items[0]["paper"]
    path = site(tmp_path, httpserver, [mine["id"], OLD])
    out = tmp_path / "out"

    # Day 0: the listing shows the first paper; the old one is looked up and kept quietly.
    serve(httpserver, items[:3], [{"id": OLD, "title": "An old paper of mine"}], {})
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    assert asked(httpserver) == [OLD, PAPERS + OLD]
    assert f"https://arxiv.org/abs/{OLD}" not in entries(out / "all.atom")
    assert entries(out / "mine.atom") == {}

    # Day 1: no listing shows either; both are looked up (Hugging Face did not know the
    # old one a day ago: it is asked again in a week).
    with_code = dict(mine, githubRepo="https://github.com/lab/mine")
    serve(httpserver, items[3:6], [on_arxiv(items[0], version=1),
                                   {"id": OLD, "title": "An old paper of mine", "version": 2}],
          {mine["id"]: with_code})
    done = feedmaker("run", "--config", path, now=NOW + DAY + HOUR)
    assert done.returncode == 0 and done.stderr == ""
    assert asked(httpserver) == [f"{mine['id']},{OLD}", PAPERS + mine["id"]]
    assert list(entries(out / "mine.atom")) == [f"https://arxiv.org/abs/{OLD}#v2"]
    # Later the same day: nothing is asked again.
    httpserver.clear_log()
    assert feedmaker("run", "-q", "--config", path, now=NOW + DAY + 2 * HOUR).returncode == 0
    assert asked(httpserver) == []

    # Day 2: the first paper has a new version and a journal reference.
    serve(httpserver, items[3:6], [on_arxiv(items[0], version=2, journal_ref="TMLR 2026"),
                                   {"id": OLD, "title": "An old paper of mine", "version": 2}],
          {mine["id"]: with_code})
    assert feedmaker("run", "-q", "--config", path, now=NOW + 2 * DAY + HOUR).returncode == 0
    first = f"https://arxiv.org/abs/{mine['id']}"
    assert sorted(entries(out / "mine.atom")) == sorted(
        [f"https://arxiv.org/abs/{OLD}#v2", first + "#v2", first + "#published"])
    assert f"https://arxiv.org/abs/{OLD}" not in entries(out / "all.atom")
    valid = feedmaker("validate", out, now=NOW + 2 * DAY + HOUR)
    assert valid.returncode == 0, valid.stdout


def test_a_failed_lookup_is_a_warning_and_is_asked_again_next_run(tmp_path, httpserver):
    items = listing()
    path = site(tmp_path, httpserver, [OLD])
    httpserver.expect_request(API).respond_with_json(items[:3])
    httpserver.expect_request(QUERY).respond_with_data(fixture_bytes("arxiv_api_error.xml"),
                                                       content_type="application/atom+xml")
    httpserver.expect_request(PAPERS + OLD).respond_with_data("", status=404)
    done = feedmaker("run", "--config", path)
    assert done.returncode == 0
    assert done.stderr.startswith("feedmaker: warning: watch: looking up 1 papers on arXiv "
                                  "failed: ")
    assert "they are asked again next run" in done.stderr
    serve(httpserver, items[:3], [{"id": OLD, "title": "An old paper of mine"}], {})
    done = feedmaker("run", "--config", path, now=NOW + HOUR)
    assert (done.returncode, done.stderr) == (0, "")
    assert asked(httpserver) == [OLD]  # Hugging Face was asked at the first run


def test_arxiv_lookups_ask_100_ids_a_request_3_s_apart_and_200_a_run(tmp_path, httpserver):
    ids = [f"2401.{number:05d}" for number in range(250)]
    path = site(tmp_path, httpserver, ids)
    clock = [0.0]
    lookups = []
    httpserver.expect_request(API).respond_with_json(listing()[:3])

    def answer(request):
        lookups.append((clock[0], len(request.args["id_list"].split(","))))
        return Response(arxiv_answer([]), content_type="application/atom+xml")

    httpserver.expect_request(QUERY).respond_with_handler(answer)
    httpserver.expect_request(re.compile("^/api/papers/")).respond_with_data("", status=404)
    config = load_config(path)

    def sleep(seconds):
        clock[0] += seconds

    for hours in (0, 1):
        fetcher = Fetcher(clock=lambda: clock[0], sleep=sleep, backoff=0)
        assert run(config, now=NOW + hours * HOUR, fetcher=fetcher).exit_code == 0
    assert [count for _, count in lookups] == [100, 100, 50]
    assert lookups[1][0] - lookups[0][0] == 3.0


def test_a_watch_file_that_cannot_be_read_fails_its_view_alone(tmp_path, httpserver):
    items = listing()
    path = site(tmp_path, httpserver, [OLD])
    (tmp_path / "mine.txt").write_text("2401.00001\nthe paper by Li\n")
    serve(httpserver, items[:3], [], {})
    done = feedmaker("run", "--config", path)
    assert done.returncode == 1
    assert done.stderr == (f"feedmaker: error: view 'mine': {tmp_path / 'mine.txt'}:2: not an "
                           "arXiv id, arXiv URL or Hugging Face paper URL: 'the paper by Li'\n")
    out = tmp_path / "out"
    assert not (out / "mine.atom").exists() and len(entries(out / "all.atom")) == 3
    assert asked(httpserver) == []


def test_a_hugging_face_answer_with_an_item_it_cannot_read_leaves_that_item_out(tmp_path,
                                                                               httpserver):
    items = listing()
    path = site(tmp_path, httpserver, [OLD])
    serve(httpserver, items[:3], [{"id": OLD, "title": "An old paper of mine"}],
          {OLD: [{"paper": {"id": 12345, "title": "No text id"}},
                 {"paper": {"id": OLD, "title": "An old paper of mine", "upvotes": 3}}]})
    done = feedmaker("run", "--config", path)
    assert (done.returncode, done.stderr) == (
        0, "feedmaker: warning: watch:hf: entry #1 (12345) left out: no paper.id (text)\n")
    # Both lookups were recorded: neither is asked again the same day.
    httpserver.clear_log()
    assert feedmaker("run", "-q", "--config", path, now=NOW + HOUR).returncode == 0
    assert asked(httpserver) == []


def test_papers_a_lookup_did_not_ask_for_are_left_out_with_a_warning(tmp_path, httpserver):
    items = listing()
    # Asked for by its subject class too: arXiv answers with its id without one.
    path = site(tmp_path, httpserver, [OLD, "math.GT/0309136"])
    serve(httpserver, items[:3], [{"id": OLD, "title": "An old paper of mine"},
                                  {"id": "math/0309136", "title": "Knots"},
                                  {"id": "2401.09999", "title": "Not asked for"}],
          {OLD: [{"paper": {"id": OLD, "title": "An old paper of mine"}},
                 {"paper": {"id": "2401.08888", "title": "Not asked for either"}}]})
    done = feedmaker("run", "--config", path)
    assert (done.returncode, done.stderr) == (0, (
        "feedmaker: warning: watch: arXiv answered with papers not asked for, left out: "
        "2401.09999\n"
        "feedmaker: warning: watch: Hugging Face answered with papers not asked for, left "
        "out: 2401.08888\n"))
    stored = [CliRunner().invoke(cli, ["explain", "--config", str(path), "--id", arxiv_id])
              for arxiv_id in ("2401.09999", "2401.08888", OLD, "math/0309136")]
    assert [result.exit_code for result in stored] == [2, 2, 0, 0]
    assert all("no entry with id" in result.output for result in stored[:2])
    # The paper asked for by its subject class was found: it is asked again two days later
    # by its id without one (a paper arXiv did not know would wait a week).
    httpserver.clear_log()
    assert feedmaker("run", "-q", "--config", path, now=NOW + 2 * DAY).returncode == 0
    assert "math/0309136" in asked(httpserver)[0]


def test_a_release_that_reads_watch_files_differently_reads_them_again(tmp_path, httpserver):
    items = listing()
    path = site(tmp_path, httpserver, [OLD])
    serve(httpserver, items[:3], [{"id": OLD, "title": "An old paper of mine"}], {})
    reading = "view 'mine': reading its watch files"
    assert reading in feedmaker("run", "-v", "--config", path).stderr
    assert reading not in feedmaker("run", "-v", "--config", path).stderr
    done = next_release(tmp_path, "like/library.py", "run", "-v", "--config", path,
                        now=NOW + HOUR)
    assert done.returncode == 0 and reading in done.stderr, done.stderr
