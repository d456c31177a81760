"""`feedmaker run` against sources that misbehave: a bad entry, a body nested too deeply, a
server that trickles. Each costs only itself, in one line, and the rest is published."""

import json

from click.testing import CliRunner

from feedmaker.cli import cli

from .conftest import daily_items, write_config
from .faulty_server import FaultyServer


def test_a_bad_entry_a_body_too_deep_and_a_trickling_server_cost_only_themselves(
        tmp_path, httpserver):
    good = daily_items()[:3]
    numbered = {"paper": {"id": "2605.99001", "title": 1984, "summary": "A number as title.",
                          "publishedAt": "2026-05-14T00:00:00.000Z"}}
    httpserver.expect_request("/hf").respond_with_data(
        json.dumps([*good, numbered, {"paper": {"title": "no id"}}]),
        content_type="application/json")
    deep = FaultyServer(b"[" * 100_000 + b"]" * 100_000)
    slow = FaultyServer(b"[]" * 100)
    slow.mode = "trickle"
    try:
        path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for("/hf")),
                                       ("deep", "hf-api", deep.url()),
                                       ("slow", "hf-api", slow.url())],
                            extra="timeout = 1\n")  # the last source's
        result = CliRunner().invoke(cli, ["run", "--config", str(path)])
    finally:
        deep.close()
        slow.close()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"feedmaker: error: source 'deep': {deep.url()}: not JSON (nested too deeply to read)",
        f"feedmaker: error: source 'slow': {slow.url()}: no complete answer within 1 s",
        "feedmaker: warning: hf: entry #5 left out: no paper.id (text)",
    ]
    assert result.stdout.startswith("3 sources (2 failed), 4 entries seen: 4 new")
    published = (tmp_path / "out" / "all.atom").read_text()
    assert published.count("<entry>") == 4 and "<title>1984</title>" in published


def test_a_link_with_a_space_is_repaired_one_that_cannot_be_is_left_out_and_all_validate(
        tmp_path, httpserver):
    httpserver.expect_request("/rss").respond_with_data(b"""<rss version="2.0"><channel>
      <item><title>Spaced</title><link>https://lab.example.org/papers/a paper</link></item>
      <item><title>Hostless</title><link>https://lab example.org/x</link></item>
      <item><title>Fine</title><link>https://lab.example.org/papers/fine</link></item>
    </channel></rss>""", content_type="application/rss+xml")
    path = write_config(tmp_path, [("lab", "feed", httpserver.url_for("/rss"))])
    result = CliRunner().invoke(cli, ["run", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "feedmaker: warning: lab: entry 'Hostless' has no usable link ('https://lab "
        "example.org/x' is not an http(s) URL that can be repaired)"]
    published = (tmp_path / "out" / "all.atom").read_text()
    assert "https://lab.example.org/papers/a%20paper" in published
    assert published.count("<entry>") == 2
    checked = CliRunner().invoke(cli, ["validate", str(tmp_path / "out")])
    assert checked.exit_code == 0, checked.output
