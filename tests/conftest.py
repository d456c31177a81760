"""Shared test helpers: fixture files, a frozen clock, configs, and an independent Atom check."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 5, 18, 12, 0, 0, tzinfo=UTC)
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def daily_items() -> list[dict]:
    """The real 50-item capture of /api/daily_papers (2026-05-18)."""
    return json.loads(fixture_bytes("hf_daily_papers_2026-05-18.json"))


_RNG = None


def assert_valid_atom(data: bytes) -> etree._ElementTree:
    """Validate against RFC 4287's RELAX NG schema (tests' own copy), return the tree."""
    global _RNG
    if _RNG is None:
        _RNG = etree.RelaxNG(etree.parse(str(FIXTURES / "atom.rng")))
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    tree = tree.getroottree()
    assert _RNG.validate(tree), _RNG.error_log
    return tree


def write_config(tmp_path: Path, sources: list[tuple[str, str, str]], extra: str = "",
                 max_entries: int = 100) -> Path:
    """A config file in tmp_path with the given (name, type, url) sources."""
    lines = [
        "[site]",
        'title = "Test feeds"',
        'base_url = "https://feeds.example.org/"',
        'out_dir = "out"',
        'state = "state/state.sqlite"',
        f"max_entries = {max_entries}",
        'author = "tester"',
        "",
    ]
    for name, kind, url in sources:
        lines += ["[[sources]]", f'name = "{name}"', f'type = "{kind}"', f'url = "{url}"', ""]
    path = tmp_path / "feedmaker.toml"
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path

