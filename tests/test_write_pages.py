"""Each feed's web page (and the front page): valid HTML, papers by day, links that work from
file:// and any server, pictures with alt text, and hostile input kept inert."""

import copy
import json
from urllib.parse import urlsplit

import lxml.html
import pytest

from feedmaker.config import load_config
from feedmaker.pipeline import run

from .conftest import ATOM_NS, NOW, daily_items, write_config

API = "/api/daily_papers"


def publish(tmp_path, httpserver, items, extra_site="", now=NOW):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(items),
                                                     content_type="application/json")
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))])
    path.write_text(path.read_text().replace("[site]\n", "[site]\n" + extra_site))
    config = load_config(path)
    report = run(config, now=now)
    return config, report


def page(config, name):
    return lxml.html.fromstring((config.site.out_dir / name).read_bytes())


def html_files(config):
    return sorted(config.site.out_dir.glob("*.html"))


def test_every_feed_has_a_page_with_its_papers_newest_day_first(tmp_path, httpserver):
    config, _ = publish(tmp_path, httpserver, daily_items())
    names = {p.name for p in html_files(config)}
    assert names == {"index.html"} | {f"{feed.slug}.html" for feed in config.feeds}
    vision = page(config, "vision.html")
    days = vision.xpath("//main/section/h2/time/@datetime")
    assert days == sorted(days, reverse=True) and len(days) == len(set(days)) > 1
    atom = lxml.etree.parse(str(config.site.out_dir / "vision.atom"))
    ids = atom.xpath("//a:entry/a:link[@rel='alternate']/@href", namespaces=ATOM_NS)
    assert vision.xpath("//li[@class='paper']//h3/a/@href") == ids
    for paper in vision.xpath("//li[@class='paper']"):
        assert paper.xpath(".//details/summary/text()") == ["Abstract"]
        assert paper.xpath(".//p[@class='authors']/text()")


def test_every_link_is_absolute_or_a_file_of_the_site(tmp_path, httpserver):
    config, _ = publish(tmp_path, httpserver, daily_items())
    for path in html_files(config):
        document = page(config, path.name)
        for url in document.xpath("//@href | //@src"):
            parts = urlsplit(url)
            if parts.scheme:
                assert parts.scheme in ("http", "https") and parts.netloc, (path.name, url)
            else:
                assert "/" not in parts.path and (config.site.out_dir / parts.path).is_file(), (
                    path.name, url)


def test_every_picture_has_alt_text_and_no_page_runs_script(tmp_path, httpserver):
    config, _ = publish(tmp_path, httpserver, daily_items())
    pictures = 0
    for path in html_files(config):
        document = page(config, path.name)
        for img in document.xpath("//img"):
            pictures += 1
            assert img.get("alt", "").strip(), path.name
        assert document.xpath("//script | //@*[starts-with(name(), 'on')]") == []
    assert pictures > 50


def test_a_page_offers_its_feed_for_discovery_and_to_subscribe(tmp_path, httpserver):
    config, _ = publish(tmp_path, httpserver, daily_items(), 'formats = ["atom", "json"]\n')
    vision = page(config, "vision.html")
    assert vision.xpath("//head/link[@rel='alternate']/@href") == ["vision.atom", "vision.json"]
    assert vision.xpath("//a[@class='subscribe']/@href") == ["vision.atom"]
    assert vision.xpath("//nav//a[@aria-current='page']/@href") == ["vision.html"]
    assert vision.xpath("//head/meta[@name='viewport']")


def test_topics_link_to_their_pages_with_the_terms_that_put_the_paper_there(
        tmp_path, httpserver):
    config, _ = publish(tmp_path, httpserver, daily_items())
    vision = page(config, "vision.html")
    links = vision.xpath("//p[@class='topics']/span/a[@href='vision.html']")
    assert links
    for link in links:
        why = link.getparent().xpath("span[@class='why']/text()")
        assert why and why[0].strip()
    marks = vision.xpath("//details//mark/text()")
    assert marks and all(mark.strip() for mark in marks)


def hostile_item(**paper):
    item = copy.deepcopy(daily_items()[0])
    item["paper"].update(id="2605.99001", **paper)
    item["title"], item["summary"] = item["paper"]["title"], item["paper"]["summary"]
    return item


MARKUP = ('<script>alert(1)</script><img src=x onerror="alert(2)">'
          '<a href="javascript:alert(3)">click</a>')


def test_hostile_titles_abstracts_and_links_stay_inert_in_every_page(tmp_path, httpserver):
    items = [hostile_item(title="Vision " + MARKUP + " image" * 2000, summary=MARKUP,
                          githubRepo="javascript:alert(4)", projectPage="data:text/html,x")]
    items[0]["thumbnail"] = "javascript:alert(5)"
    config, report = publish(tmp_path, httpserver, items)
    assert report.exit_code == 0
    for path in html_files(config):
        document = page(config, path.name)
        assert document.xpath("//script | //iframe | //@*[starts-with(name(), 'on')]") == []
        assert not [u for u in document.xpath("//@href | //@src")
                    if urlsplit(u).scheme not in ("", "http", "https")], path.name
    all_page = page(config, "all.html")
    [title] = all_page.xpath("//li[@class='paper']//h3/a")
    assert title.text_content().startswith("Vision <script>alert(1)</script>")
    assert len(title.text_content()) <= 1000
    assert all_page.xpath("//li[@class='paper']//img") == []  # no http(s) picture: none


def test_with_pages_off_no_page_is_written_and_the_front_page_links_the_feeds(
        tmp_path, httpserver):
    config, _ = publish(tmp_path, httpserver, daily_items(), "pages = false\n")
    assert [p.name for p in html_files(config)] == ["index.html"]
    index = page(config, "index.html")
    assert index.xpath("//li[@id='vision']/h3/a/@href") == ["vision.atom"]
    atom = lxml.etree.parse(str(config.site.out_dir / "vision.atom"))
    assert atom.xpath("/a:feed/a:link[@rel='alternate']/@href", namespaces=ATOM_NS) == [
        "https://feeds.example.org/index.html"]


@pytest.mark.parametrize("name", ["index.html", "all.html"])
def test_the_site_pages_say_where_the_opml_and_status_are(tmp_path, httpserver, name):
    config, _ = publish(tmp_path, httpserver, daily_items())
    document = page(config, name)
    assert "feeds.opml" in document.xpath("//a/@href")
    assert "status.json" in document.xpath("//footer//a/@href")
