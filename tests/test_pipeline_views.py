"""Views and one-feed-per-paper in whole runs against a local server and the real capture."""

import copy
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from lxml import etree

from feedmaker.cli import cli
from feedmaker.config import load_config
from feedmaker.model import Entry
from feedmaker.pipeline import run
from feedmaker.tagger import Tagger

from .conftest import ATOM_NS, NOW, daily_items, fixture_bytes, ids_in, write_config

API, QUERY = "/api/daily_papers", "/api/query"
TOPICS = """
[topics.vision]
any = ["image", "video", "visual"]

[topics.efficiency]
any = ["efficient", "efficiency", "faster"]

[topics.generative]
any = ["diffusion", "generation", "generative"]

[topics.agents]
any = ["agent", "agents", "agentic"]
"""
VIEWS = """
[views.fast-vision]
title = "Efficient vision, no generation"
all = ["topic:vision", "topic:efficiency"]
none = ["topic:generative"]

[views.lab]
any = ["authors:Yafu Li", "authors:Min Zhao"]

[views.from-arxiv]
any = ["source:arxiv"]

[views.popular]
title = "Popular on Hugging Face"
any = ["source:hf"]
min_upvotes = 20
"""


def serve(httpserver, items, arxiv=True):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(items),
                                                     content_type="application/json")
    if arxiv:
        httpserver.expect_request(QUERY).respond_with_data(fixture_bytes("arxiv_api_query.xml"))


@pytest.fixture
def config(tmp_path, httpserver):
    return load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API)),
                                               ("arxiv", "arxiv-api", httpserver.url_for(QUERY))],
                                    TOPICS + VIEWS))


def topics_of(config, item) -> list[str]:
    paper = item["paper"]
    entry = Entry(id="x", title=" ".join(paper["title"].split()),
                  summary=" ".join(paper["summary"].split()), url="u", source="hf")
    return Tagger(config.topics).tag(entry)


def test_a_view_combining_two_topics_and_excluding_a_third_holds_exactly_those(
        config, httpserver):
    items = daily_items()
    serve(httpserver, items)
    assert run(config, now=NOW).exit_code == 0
    expected = {f"https://arxiv.org/abs/{i['paper']['id']}" for i in items
                if {"vision", "efficiency"} <= set(topics_of(config, i))
                and "generative" not in topics_of(config, i)}
    vetoed = [i for i in items if {"vision", "efficiency", "generative"}
              <= set(topics_of(config, i))]
    assert expected and vetoed  # the capture holds both kinds
    assert set(ids_in(config.site.out_dir / "fast-vision.atom")) == expected


def test_an_author_view_and_a_source_view(config, httpserver):
    serve(httpserver, daily_items())
    run(config, now=NOW)
    assert set(ids_in(config.site.out_dir / "lab.atom")) == {
        "https://arxiv.org/abs/2605.13301", "https://arxiv.org/abs/2605.15141"}
    arxiv = ids_in(config.site.out_dir / "from-arxiv.atom")
    assert len(arxiv) == 3 and "https://arxiv.org/abs/2605.15320" in arxiv  # also on HF


def test_views_are_listed_like_topics_and_their_entries_list_only_topics(config, httpserver):
    serve(httpserver, daily_items())
    run(config, now=NOW)
    out = config.site.out_dir
    assert 'href="fast-vision.atom"' in (out / "index.html").read_text()
    assert "fast-vision.atom" in (out / "feeds.opml").read_text()
    tree = etree.parse(str(out / "lab.atom"))
    terms = set(tree.xpath("//a:category/@term", namespaces=ATOM_NS))
    assert terms and terms <= {"vision", "efficiency", "generative", "agents"}
    assert tree.findtext("a:title", namespaces=ATOM_NS) == "Test feeds: lab"


def test_a_popular_paper_enters_once_and_stays_and_is_never_rewritten_for_its_count(
        config, httpserver):
    items = copy.deepcopy(daily_items()[:10])
    climber = items[3]
    paper_id = f"https://arxiv.org/abs/{climber['paper']['id']}"

    files = []
    for count in (5, 25, 3):  # below the bar, above it, below it again
        climber["paper"]["upvotes"] = count
        serve(httpserver, items)
        assert run(config, now=NOW + timedelta(hours=len(files))).exit_code == 0
        # status.json tells when the sources were read: every run that publishes writes it.
        files.append({p.name: p.read_bytes() for p in config.site.out_dir.iterdir()
                      if p.name != "status.json"})
    first, second, third = files
    assert paper_id not in first["popular.atom"].decode()
    assert second["popular.atom"].decode().count(f"<id>{paper_id}</id>") == 1
    assert third == second  # the count fell: nothing at all is written again
    assert first["all.atom"] == second["all.atom"]  # a count is shown nowhere
    # New view rules place every paper again, from the most upvotes ever seen.
    config.path.write_text(config.path.read_text().replace("Popular on Hugging Face", "Hot"))
    run(load_config(config.path), now=NOW + timedelta(hours=3))
    assert paper_id in ids_in(config.site.out_dir / "popular.atom")


def test_an_empty_popularity_view_is_a_valid_empty_feed_not_an_error(config, httpserver):
    items = copy.deepcopy(daily_items()[:5])
    for item in items:
        item["paper"]["upvotes"] = 0
    serve(httpserver, items)
    report = run(config, now=NOW)
    assert report.exit_code == 0 and report.failures == []
    assert ids_in(config.site.out_dir / "popular.atom") == []


def test_one_feed_per_paper_puts_a_three_topic_paper_in_one_topic_feed_only(
        tmp_path, httpserver):
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))], TOPICS)
    path.write_text(path.read_text().replace("[site]", "[site]\none_feed_per_paper = true"))
    config = load_config(path)
    items = daily_items()
    serve(httpserver, items, arxiv=False)
    run(config, now=NOW)
    out = config.site.out_dir
    three = [i for i in items if len(topics_of(config, i)) >= 3]
    assert three
    for item in three:
        paper_id = f"https://arxiv.org/abs/{item['paper']['id']}"
        holding = [t.slug for t in config.topics if paper_id in ids_in(out / f"{t.slug}.atom")]
        tagger = Tagger(config.topics)
        scored = tagger.scored(Entry(id="x", title=" ".join(item["paper"]["title"].split()),
                                     summary=" ".join(item["paper"]["summary"].split()),
                                     url="u", source="hf"))
        best = max(scored, key=lambda pair: pair[1])[0]
        assert holding == [best]
        assert paper_id in ids_in(out / "all.atom")
        entry = etree.parse(str(out / f"{best}.atom")).xpath(
            f"//a:entry[a:id='{paper_id}']/a:category/@term", namespaces=ATOM_NS)
        assert entry == topics_of(config, item)  # categories still list every topic


def test_explain_shows_the_views_a_stored_paper_is_in_and_why(config, httpserver):
    serve(httpserver, daily_items())
    run(config, now=NOW)
    result = CliRunner().invoke(cli, ["explain", "--config", str(config.path), "--id",
                                      "2605.13301"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "views: lab, popular" in lines
    assert any(line.startswith("MATCH popular") and "needs 20 upvotes once: most seen 140"
               in line for line in lines)
    assert "        'authors:Yafu Li'                in authors  +1" in lines
    assert "        'source:hf'                      in source   +1" in lines


def test_a_second_run_with_views_writes_only_the_status(config, httpserver):
    serve(httpserver, daily_items())
    run(config, now=NOW)
    report = run(config, now=NOW + timedelta(hours=1))
    assert report.written == ["status.json"]
