"""read_source: one source's fetch and parse, whatever happens, as one SourceResult."""

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


@pytest.mark.parametrize("value", ["0", "-5", "3601", "nan", "inf", '"60"', "true"])
def test_a_timeout_that_cannot_work_is_a_config_error_naming_the_line(value):
    text = (f'[[sources]]\nname = "s"\ntype = "feed"\nurl = "https://e.org/f"\n'
            f"timeout = {value}\n")
    with pytest.raises(ConfigError, match=r"^x\.toml:5: sources\[1\]\.timeout must be a number "
                                          r"of seconds above 0 and at most 3600"):
        parse_config(text, base_dir=Path("."), where="x.toml")
