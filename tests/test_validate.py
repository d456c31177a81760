"""validate finds what RFC 4287 forbids, including what its RELAX NG schema cannot see."""

from datetime import UTC, datetime

import pytest

from feedmaker.validate import validate_bytes, validate_paths

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
