"""Hostile and odd input, end to end: what a page nobody here controls can put in a paper,
and what comes out in the published feeds. Each case asserts the output."""

import copy
import json
import tracemalloc
import unicodedata
from datetime import timedelta

import pytest
from lxml import etree
from werkzeug import Response as WerkzeugResponse

from feedmaker.config import load_config
from feedmaker.fetch import MAX_BYTES
from feedmaker.normalize import MAX_SUMMARY, MAX_TITLE
from feedmaker.pipeline import run

from .conftest import ATOM_NS, NOW, assert_valid_atom, daily_items, ids_in, write_config

API = "/api/daily_papers"


def item(paper_id="2605.99001", **paper_fields):
    """One daily-API item: the capture's first, with a new id and the given fields."""
    base = copy.deepcopy(daily_items()[0])
    base["paper"].update(id=paper_id, **paper_fields)
    base["title"] = base["paper"]["title"]
    base["summary"] = base["paper"]["summary"]
    return base


def publish(tmp_path, httpserver, body, max_entries=100):
    """Run over `body` (a list of items or raw bytes) and return (report, all.atom's root)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    httpserver.expect_request(API).respond_with_data(data, content_type="application/json")
    config = load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))],
                                      max_entries=max_entries))
    report = run(config, now=NOW)
    tree = assert_valid_atom((config.site.out_dir / "all.atom").read_bytes())
    return report, tree.getroot()


def entry_fields(root):
    """title, summary and content (HTML, parsed) of the only entry."""
    (entry,) = root.findall("a:entry", ATOM_NS)
    content = entry.findtext("a:content", namespaces=ATOM_NS)
    return (entry.findtext("a:title", namespaces=ATOM_NS),
            entry.findtext("a:summary", namespaces=ATOM_NS),
            etree.fromstring(f"<div>{content}</div>", etree.HTMLParser()))


def test_control_characters_are_removed_and_the_feed_stays_valid(tmp_path, httpserver):
    _, root = publish(tmp_path, httpserver, [item(title="Tab\there\x00 null\x1b[31m bell\x07",
                                                  summary="Vertical\x0b tab \x7f and \x85")])
    title, summary, _ = entry_fields(root)
    assert title == "Tab here null[31m bell"
    assert summary == "Vertical tab and"


def test_invalid_utf8_becomes_a_replacement_character_not_a_lost_listing(tmp_path, httpserver):
    body = json.dumps([item(title="Caf\u00e9 PLACEHOLDER")]).encode()
    report, root = publish(tmp_path, httpserver, body.replace(b"PLACEHOLDER", b"\xff\xfe"))
    assert report.exit_code == 0
    assert entry_fields(root)[0] == "Caf\u00e9 \ufffd\ufffd"


MARKUP = ('<script>alert(1)</script><style>body{}</style><img src=x onerror="alert(2)">'
          '<a href="javascript:alert(3)">click</a> <a href="data:text/html,<b>x</b>">d</a>')


def test_markup_in_titles_is_text_and_in_abstracts_never_becomes_live_html(tmp_path, httpserver):
    _, root = publish(tmp_path, httpserver, [item(title="Title " + MARKUP, summary=MARKUP)])
    title, summary, content = entry_fields(root)
    assert title == "Title " + MARKUP  # a text construct: readers show it, never run it
    assert summary == MARKUP
    assert not content.xpath("//script | //style | //iframe | //object")
    # The one picture is the paper's thumbnail; the abstract's <img> is text.
    assert content.xpath("//img/@src") == [item()["thumbnail"]]
    assert not content.xpath("//@*[starts-with(name(), 'on')]")
    hrefs = content.xpath("//a/@href")
    assert hrefs and all(h.startswith("https://") for h in hrefs)


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
                                 "vbscript:msgbox", "//evil.example/x", "file:///etc/passwd"])
def test_links_that_are_not_http_are_dropped(tmp_path, httpserver, bad):
    _, root = publish(tmp_path, httpserver, [item(githubRepo=bad, projectPage=bad)])
    links = root.xpath("//a:entry/a:link/@href", namespaces=ATOM_NS)
    assert links and all(link.startswith("https://") for link in links)
    assert bad not in etree.tostring(root, encoding="unicode")


def test_right_to_left_text_emoji_and_combining_marks_are_kept_intact(tmp_path, httpserver):
    title = ("\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u200fRTL\u200f "
             "\U0001F469\u200d\U0001F52C \U0001F1FA\U0001F1F3 q\u0303\u0301 Z\u0351\u0337")
    _, root = publish(tmp_path, httpserver, [item(title=title, summary=title)])
    # Kept as written, up to Unicode's canonical order of combining marks (NFC).
    assert entry_fields(root)[0] == unicodedata.normalize("NFC", title)
    assert entry_fields(root)[1] == unicodedata.normalize("NFC", title)
    assert "\u0337\u0351" in entry_fields(root)[0] and "\U0001F469\u200d" in title


def test_a_100_kb_title_and_a_huge_abstract_are_cut_to_a_readable_size(tmp_path, httpserver):
    word = "verylongtitle "
    report, root = publish(tmp_path, httpserver, [item(title=word * 8000,
                                                       summary="abstract " * 100_000)])
    title, summary, _ = entry_fields(root)
    assert len(title) <= MAX_TITLE and title.endswith("verylongtitle…")
    assert len(summary) <= MAX_SUMMARY and summary.endswith("abstract…")
    assert report.exit_code == 0


def test_ten_thousand_entries_on_one_page_are_all_stored_and_feeds_stay_bounded(
        tmp_path, httpserver):
    items = [{"paper": {"id": f"2605.{10000 + n:05d}", "title": f"Paper number {n}",
                        "summary": "Short.", "publishedAt": "2026-05-14T00:00:00.000Z",
                        "authors": [{"name": "A. Author"}]}} for n in range(10_000)]
    report, root = publish(tmp_path, httpserver, items, max_entries=100)
    assert (report.exit_code, report.new) == (0, 10_000)
    assert len(root.findall("a:entry", ATOM_NS)) == 100


def test_duplicate_papers_within_one_page_become_one_entry(tmp_path, httpserver):
    report, root = publish(tmp_path, httpserver, [item(), item(), item()])
    assert (report.seen, report.new) == (1, 1)
    assert len(root.findall("a:entry", ATOM_NS)) == 1


@pytest.mark.parametrize("date", ["3026-01-01T00:00:00.000Z", "yesterday-ish", "2026-13-45"])
def test_far_future_and_unreadable_dates_fall_back_to_first_seen_with_a_warning(
        tmp_path, httpserver, date):
    report, root = publish(tmp_path, httpserver, [item(publishedAt=date)])
    assert root.findtext("a:entry/a:published", namespaces=ATOM_NS) == "2026-05-18T12:00:00+00:00"
    assert len(report.warnings) == 1 and "first seen" in report.warnings[0]
    assert "2605.99001" in report.warnings[0]


def test_a_50_mb_page_is_refused_while_streaming_with_bounded_memory(tmp_path, httpserver):
    chunk = b" " * (1024 * 1024)

    def fifty_megabytes():
        yield b"["
        for _ in range(50):
            yield chunk

    httpserver.expect_request(API).respond_with_response(
        WerkzeugResponse(fifty_megabytes(), direct_passthrough=True))
    config = load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))]))
    # Peak RSS only records a new high, so a process that peaked earlier would hide a
    # 50 MB buffer; tracemalloc sees this run's own allocations.
    tracemalloc.start()
    try:
        report = run(config, now=NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.exit_code == 1
    assert f"response exceeds the {MAX_BYTES}-byte limit" in report.failures[0]
    assert peak < 2 * MAX_BYTES  # never held the whole 50 MB


def test_an_html_source_with_script_links_keeps_only_its_safe_entries(tmp_path, httpserver):
    page = b"""<html><body>
      <div class="p"><a href="javascript:alert(1)">Evil link</a></div>
      <div class="p"><a href="data:text/html,hi">Data link</a></div>
      <div class="p"><a href="/ok" onclick="alert(1)">Good <script>x()</script>paper</a></div>
    </body></html>"""
    httpserver.expect_request("/list").respond_with_data(page, content_type="text/html")
    path = write_config(tmp_path, [("page", "html", httpserver.url_for("/list"))])
    path.write_text(path.read_text().replace("min_interval = 0",
                                             'min_interval = 0\nitem = "div.p"\ntitle = "a"'))
    config = load_config(path)
    report = run(config, now=NOW + timedelta(hours=1))
    titles = etree.parse(str(config.site.out_dir / "all.atom")).xpath(
        "//a:entry/a:title/text()", namespaces=ATOM_NS)
    assert titles == ["Good paper"]  # a script's text is never an entry's
    assert len(report.warnings) == 2 and all("no usable link" in w for w in report.warnings)


def test_a_status_line_with_control_characters_is_shown_without_them(tmp_path, httpserver):
    # A broken server's reason phrase is any bytes: shown on the front page and in
    # status.json, its control characters are dropped (lxml refused the whole page).
    httpserver.expect_request("/bad").respond_with_response(
        WerkzeugResponse("no", status="404 Gone \x01\x1b[31m<script>"))
    httpserver.expect_request(API).respond_with_data(json.dumps([item()]),
                                                     content_type="application/json")
    config = load_config(write_config(tmp_path, [("bad", "hf-api", httpserver.url_for("/bad")),
                                                 ("hf", "hf-api", httpserver.url_for(API))]))
    report = run(config, now=NOW)
    assert report.exit_code == 1 and len(report.failures) == 1
    out = config.site.out_dir
    error = json.loads((out / "status.json").read_text())["sources"][0]["last_error"]
    assert "HTTP 404 Gone [31m<script>" in error and "\x01" not in error
    page = etree.parse(str(out / "index.html"), etree.HTMLParser())
    assert "Gone [31m<script>" in "".join(page.xpath("//ul[@class='sources']//text()"))
    assert not page.xpath("//script")
    assert ids_in(out / "all.atom") == ["https://arxiv.org/abs/2605.99001"]
