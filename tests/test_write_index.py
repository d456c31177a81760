"""index.html is the front page: the sources' health, then every feed with its size,
pictures, newest titles, its page and its feeds."""

import json

import lxml.html

from feedmaker.config import load_config
from feedmaker.pipeline import run

from .conftest import NOW, daily_items, write_config

API = "/api/daily_papers"


def front_page(tmp_path, httpserver, extra=""):
    httpserver.expect_request(API).respond_with_data(json.dumps(daily_items()),
                                                     content_type="application/json")
    path = write_config(tmp_path, [("hf-daily", "hf-api", httpserver.url_for(API))])
    path.write_text(path.read_text().replace("[site]\n", "[site]\n" + extra))
    config = load_config(path)
    run(config, now=NOW)
    return config, lxml.html.fromstring((config.site.out_dir / "index.html").read_bytes())


def test_every_feed_has_a_card_with_its_count_pictures_titles_page_and_feeds(
        tmp_path, httpserver):
    config, index = front_page(tmp_path, httpserver, 'formats = ["atom", "json"]\n')
    cards = index.xpath("//li[@class='card']")
    assert [card.get("id") for card in cards] == [feed.slug for feed in config.feeds]
    [everything] = [card for card in cards if card.get("id") == "all"]
    assert everything.xpath("h3/a/@href") == ["all.html"]
    assert everything.xpath("h3/span/text()") == ["50 papers"]
    pictures = everything.xpath(".//ul[@class='strip']//img")
    assert len(pictures) == 4 and all(img.get("alt") for img in pictures)
    assert len(everything.xpath(".//ul[@class='newest']/li/a")) == 3
    assert everything.xpath(".//p[@class='actions']/a/@href") == ["all.html", "all.atom",
                                                                 "all.json"]
    assert index.xpath("//head/link[@type='application/atom+xml']/@href")[0] == "all.atom"
    assert "feeds.opml" in index.xpath("//header//a/@href")


def test_each_source_says_it_works_and_when_it_was_last_read(tmp_path, httpserver):
    _, index = front_page(tmp_path, httpserver)
    [source] = index.xpath("//ul[@class='sources']/li")
    assert " ".join(source.text_content().split()) == (
        "hf-daily (Hugging Face API): working; last read successfully on 18 May 2026 "
        "(50 papers).")
