"""read_source: one source's fetch and parse, whatever happens, as one Collected."""

import json
import re
from pathlib import Path

import pytest

from feedmaker.config import parse_config
from feedmaker.errors import ConfigError
from feedmaker.fetch import Fetcher
from feedmaker.sources import read_source

from .conftest import source_config
from .faulty_server import FaultyServer


def test_a_sources_timeout_is_the_deadline_of_each_of_its_requests():
    server = FaultyServer(b"[]" * 50)
    server.mode = "trickle"
    try:
        result = read_source(source_config("hf-api", server.url(), timeout=1),
                             Fetcher(deadline=60, backoff=0))
    finally:
        server.close()
    assert result.error == f"source 'src': {server.url()}: no complete answer within 1 s"


@pytest.mark.parametrize(("value", "problem"), [
    ("0", "must be a number from 1 to 3600, got 0"),
    ("-5", "must be a number from "), ("3601", "must be a number from 1 to 3600"),
    ("nan", "must be a number from "), ("inf", "must be a number from "),
    ('"60"', "must be a number"), ("true", "must be a number"),
])
def test_a_timeout_that_cannot_work_is_a_config_error_naming_the_line(value, problem):
    text = (f'[[sources]]\nname = "s"\ntype = "feed"\nurl = "https://e.org/f"\n'
            f"timeout = {value}\n")
    with pytest.raises(ConfigError, match=r"^x\.toml:5: .*timeout.*" + re.escape(problem)):
        parse_config(text, base_dir=Path("."), where="x.toml")


def test_entries_left_out_while_parsing_come_back_as_warnings_with_the_rest(tmp_path):
    page = tmp_path / "page.json"
    page.write_text(json.dumps([{"paper": {"id": "2605.00001", "title": "Good"}},
                                {"paper": {"title": "no id"}}]))
    result = read_source(source_config("hf-api", page.as_uri()), Fetcher())
    assert result.error is None
    assert [raw.title for raw in result.raws] == ["Good"]
    assert result.warnings == ["src: entry #2 left out: no paper.id (text)"]


def test_a_body_nested_too_deeply_fails_only_its_source_in_one_line(tmp_path):
    page = tmp_path / "deep.json"
    page.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    result = read_source(source_config("hf-api", page.as_uri()), Fetcher())
    assert result.error == (f"source 'src': {page.as_uri()}: not JSON (nested too deeply "
                            "to read)")


def test_an_unexpected_error_while_parsing_fails_only_its_source_naming_it_and_the_url(
        tmp_path, monkeypatch):
    from feedmaker.sources import hf_api

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(hf_api, "load_json", broken)
    page = tmp_path / "page.json"
    page.write_text("[]")
    result = read_source(source_config("hf-api", page.as_uri()), Fetcher())
    assert result.error == (f"source 'src': {page.as_uri()}: cannot read it: "
                            "KeyError: 'surprise'")
