"""An entry's content changes only when what it shows does (title, abstract, authors,
links, picture, notes, topics), and then its <updated> moves; counters change nothing."""

import copy
import json
from datetime import timedelta

from lxml import etree

from feedmaker.config import load_config
from feedmaker.pipeline import run

from .conftest import ATOM_NS, NOW, daily_items, write_config

API = "/api/daily_papers"


def serve(httpserver, items):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(items),
                                                     content_type="application/json")


def entries(config):
    tree = etree.parse(str(config.site.out_dir / "all.atom"))
    return {e.findtext("a:id", namespaces=ATOM_NS): etree.tostring(e)
            for e in tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)}


def updated_of(config, paper_id):
    tree = etree.parse(str(config.site.out_dir / "all.atom"))
    return tree.xpath(f"/a:feed/a:entry[a:id='https://arxiv.org/abs/{paper_id}']/a:updated"
                      "/text()", namespaces=ATOM_NS)[0]


def test_only_upvotes_changing_keeps_every_entry_byte_for_byte(tmp_path, httpserver):
    config = load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))]))
    items = daily_items()
    serve(httpserver, items)
    run(config, now=NOW)
    before = entries(config)
    for item in items:
        item["paper"]["upvotes"] += 10
        item["numComments"] = 7
    serve(httpserver, items)
    run(config, now=NOW + timedelta(hours=1))
    assert entries(config) == before


def test_a_paper_that_gains_a_code_link_is_updated_and_shows_it(tmp_path, httpserver):
    config = load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))]))
    items = daily_items()
    serve(httpserver, items)
    run(config, now=NOW)
    paper_id = items[0]["paper"]["id"]
    assert "githubRepo" not in items[0]["paper"]
    changed = copy.deepcopy(items)
    changed[0]["paper"]["githubRepo"] = "https://github.com/example/ffavatar"
    serve(httpserver, changed)
    report = run(config, now=NOW + timedelta(hours=1))
    assert report.updated == 1
    assert updated_of(config, paper_id) == "2026-05-18T13:00:00+00:00"
    assert updated_of(config, items[1]["paper"]["id"]) == "2026-05-15T00:00:00+00:00"
    assert b"https://github.com/example/ffavatar" in entries(config)[
        f"https://arxiv.org/abs/{paper_id}"]


def topics_and_updated(config):
    tree = etree.parse(str(config.site.out_dir / "all.atom"))
    return {e.findtext("a:id", namespaces=ATOM_NS):
            (set(e.xpath("a:category/@term", namespaces=ATOM_NS)),
             e.findtext("a:updated", namespaces=ATOM_NS))
            for e in tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)}


def test_new_rules_move_papers_between_feeds_and_update_none(tmp_path, httpserver):
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))],
                        extra='\n[topics.avatars]\nany = ["avatar"]\n')
    serve(httpserver, daily_items())
    run(load_config(path), now=NOW)
    before = topics_and_updated(load_config(path))
    path.write_text(path.read_text() + '\n[topics.faces]\nany = ["head", "avatar"]\n')
    run(load_config(path), now=NOW + timedelta(hours=1))
    after = topics_and_updated(load_config(path))
    moved = {i for i in after if after[i][0] != before[i][0]}
    assert moved and len(moved) < len(after)
    for entry_id, (_, updated) in after.items():
        assert updated == before[entry_id][1], entry_id  # readers see no paper again
