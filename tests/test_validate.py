"""validate finds what RFC 4287 forbids, including what its RELAX NG schema cannot see, and
what JSON Feed 1.1 forbids."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedmaker.validate import validate_bytes, validate_json_bytes, validate_paths

NOW = datetime(2026, 5, 18, tzinfo=UTC)


def feed(entries: str, head: str = "<author><name>f</name></author>") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://feeds.example.org/a.atom</id>
  <title>A</title>
  <updated>2026-05-14T00:00:00Z</updated>
  {head}
{entries}
</feed>
""".encode()


def entry(entry_id="https://arxiv.org/abs/1", updated="2026-05-14T00:00:00Z", extra="",
          link='<link rel="alternate" type="text/html" href="https://x.org/1"/>'):
    return f"""  <entry>
    <id>{entry_id}</id>
    <title>T</title>
    <updated>{updated}</updated>
    {link}
    {extra}
  </entry>"""


def test_a_correct_feed_has_no_problems():
    assert validate_bytes(feed(entry()), "a.atom", NOW) == []


def test_a_missing_entry_id_is_reported_at_the_entrys_line():
    data = feed(entry().replace("<id>https://arxiv.org/abs/1</id>", ""))
    problems = validate_bytes(data, "a.atom", NOW)
    assert problems and all(p.startswith("a.atom:") for p in problems)
    assert any(p.startswith("a.atom:7:") for p in problems)


@pytest.mark.parametrize("data, message", [
    (feed(entry(), head=""), "entry has no author and neither has the feed"),
    (feed(entry(link="")), "neither content nor an alternate link"),
    (feed(entry(extra='<link href="https://x.org/2" type="text/html"/>')),
     "more than one alternate link"),
    (feed(entry(entry_id="/abs/1")), "'/abs/1' is not an absolute IRI"),
    (feed(entry(entry_id=" https://x.org/1")), "is not an absolute IRI"),
    (feed(entry(updated="2026-05-14T00:00:00")), "not an RFC 3339 date-time with a time zone"),
    (feed(entry(updated="2026-05-14t00:00:00z")), "not an RFC 3339 date-time"),
    (feed(entry(updated="2027-01-01T00:00:00Z")), "is in the future"),
    (feed(entry() + entry()), "appears more than once"),
    (b"<feed", "not well-formed XML"),
])
def test_rule_violations_are_reported_with_a_message(data, message):
    problems = validate_bytes(data, "a.atom", NOW)
    assert any(message in p for p in problems), problems


def test_entities_are_not_expanded_and_external_entities_are_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    data = (f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file://{secret}">]>'
            ).encode() + feed(entry(extra="<summary>&x;</summary>")).split(b"?>", 1)[1]
    problems = validate_bytes(data, "a.atom", NOW)
    assert not any("TOPSECRET" in p for p in problems)


def test_folders_are_searched_for_atom_files_and_missing_paths_reported(tmp_path):
    (tmp_path / "a.atom").write_bytes(feed(entry()))
    (tmp_path / "b.atom").write_bytes(feed(entry(entry_id="x")))
    count, problems = validate_paths([tmp_path, tmp_path / "nope.atom"], NOW)
    assert count == 2
    assert any(p.startswith(f"{tmp_path / 'b.atom'}:") for p in problems)
    assert f"{tmp_path / 'nope.atom'}:0: no such file or folder" in problems



def test_a_path_that_cannot_be_looked_at_is_a_problem_not_a_crash(tmp_path):
    # A name longer than the file system allows raises from stat() as an unsearchable
    # folder does (which a test run as root cannot make); a device is no feed either.
    too_long, device = tmp_path / ("a" * 300 + ".atom"), Path("/dev/null")
    count, problems = validate_paths([too_long, device], NOW)
    assert count == 0
    assert problems == [f"{too_long}:0: cannot read: File name too long",
                        "/dev/null:0: not a file or folder (a device, pipe or socket)"]

def json_feed(items=None, **fields) -> bytes:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "A",
                "home_page_url": "https://feeds.example.org/",
                "feed_url": "https://feeds.example.org/a.json",
                "authors": [{"name": "f"}],
                "items": [json_item()] if items is None else items} | fields
    return json.dumps(document, indent=2).encode()


def json_item(**fields) -> dict:
    return {"id": "https://arxiv.org/abs/1", "url": "https://x.org/1", "title": "T",
            "content_html": "<p>x</p>", "date_published": "2026-05-14T00:00:00Z",
            "tags": ["vision"]} | fields


def test_a_correct_json_feed_has_no_problems():
    assert validate_json_bytes(json_feed(), "a.json", NOW) == []


@pytest.mark.parametrize("data, message", [
    (b'{"version": ', "a.json:1: not well-formed JSON"),
    (b"[" * 50_000 + b"]" * 50_000, "a.json:0: not well-formed JSON: nested too deeply"),
    (b'{"title": "\xff"}', "a.json:0: not UTF-8 (byte 0xff at offset 11)"),
    (b"[]", "a.json:1: a JSON Feed is an object, not list"),
    (json_feed(version="1.1"), "a.json:1: version '1.1' is not https://jsonfeed.org/version/1.1"),
    (json_feed(title=None), "a.json:1: title is required (a string)"),
    (json_feed(items={}), "a.json:1: items is required (a list)"),
    (json_feed(feed_url="/a.json"), "a.json:1: feed_url '/a.json' is not an absolute URL"),
    (json_feed(authors=[{}]), "a.json:1: authors[0] needs a name, url or avatar"),
    (json_feed([json_item(id=None)]), "a.json:12: items[0].id is required"),
    (json_feed([json_item(), json_item()]), "a.json:22: items[1].id 'https://arxiv.org/abs/1' "
                                            "appears more than once in the feed"),
    (json_feed([json_item(content_html=None)]), "items[0] has neither content_html nor "
                                                "content_text"),
    (json_feed([json_item(url="x.org/1")]), "items[0].url 'x.org/1' is not an absolute URL"),
    (json_feed([json_item(external_url="https://x.org/a b")]), "is not an absolute URL"),
    (json_feed([json_item(date_published="2026-05-14 00:00")]),
     "items[0].date_published '2026-05-14 00:00' is not an RFC 3339 date-time with a time zone"),
    (json_feed([json_item(date_modified=None)]), "items[0].date_modified None is not an RFC "
                                                 "3339 date-time string"),
    (json_feed([json_item(date_published="2027-01-01T00:00:00Z")]), "is in the future"),
    (json_feed([json_item(tags="vision")]), "items[0].tags must be a list of strings"),
    (json_feed([json_item(attachments=[{"url": "https://x.org/a.pdf"}])]),
     "items[0].attachments[0] needs a url and a mime_type"),
    (json_feed([json_item(attachments=3)]), "items[0].attachments must be a list"),
    (json_feed(title="\ud800"), "a.json:1: the feed holds a lone surrogate (\\ud800), which "
                                "is not a character"),
    (json_feed([json_item(title="a\udfff")]), "a.json:12: items[0] holds a lone surrogate "
                                              "(\\udfff)"),
])
def test_json_feed_rule_violations_are_reported_at_their_line(data, message):
    problems = validate_json_bytes(data, "a.json", NOW)
    assert any(message in p for p in problems), problems


def test_a_number_too_long_to_read_is_a_problem_not_a_crash():
    problems = validate_json_bytes(b'{"version": ' + b"1" * 5000 + b"}", "a.json", NOW)
    assert len(problems) == 1 and problems[0].startswith("a.json:0: not usable JSON: ")


def test_attachments_that_are_not_a_list_are_one_problem_not_one_per_character():
    problems = validate_json_bytes(json_feed([json_item(attachments="ab")]), "a.json", NOW)
    assert [p.split(": ", 1)[1] for p in problems] == ["items[0].attachments must be a list"]


def test_folders_are_searched_for_json_feeds_too(tmp_path):
    (tmp_path / "a.atom").write_bytes(feed(entry()))
    (tmp_path / "a.json").write_bytes(json_feed(title=7))
    count, problems = validate_paths([tmp_path], NOW)
    assert count == 2
    assert problems == [f"{tmp_path / 'a.json'}:1: title is required (a string)"]


def test_a_folder_without_feeds_is_a_problem_not_a_success(tmp_path):
    (tmp_path / "index.html").write_text("<html></html>")
    count, problems = validate_paths([tmp_path], NOW)
    assert (count, problems) == (0, [f"{tmp_path}:0: no feeds here (no *.atom or *.json file)"])


def test_a_json_feed_named_otherwise_is_recognised_by_its_content(tmp_path):
    path = tmp_path / "feed"
    path.write_bytes(json_feed(items=7))
    assert validate_paths([path], NOW)[1] == [f"{path}:1: items is required (a list)"]
