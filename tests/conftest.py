"""Shared test helpers: fixture files, a frozen clock, configs, and an independent Atom check."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 5, 18, 12, 0, 0, tzinfo=UTC)
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}


def ids_in(path) -> list[str]:
    """The ids of an Atom feed file's entries, in order."""
    return etree.parse(str(path)).xpath("/a:feed/a:entry/a:id/text()", namespaces=ATOM_NS)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def daily_items() -> list[dict]:
    """The real 50-item capture of /api/daily_papers (2026-05-18)."""
    return json.loads(fixture_bytes("hf_daily_papers_2026-05-18.json"))


def next_release(tmp_path: Path, changed: str, *args: object,
                 now: datetime | None = None) -> subprocess.CompletedProcess:
    """The command line of the next release, in a child process whose clock reads `now`
    (else the real one): a copy of this feedmaker whose file `changed` (a path inside the
    package) is not byte for byte the same."""
    release = tmp_path / f"release-{changed.replace('/', '-')}"
    if not release.exists():
        package = Path(importlib.import_module("feedmaker").__file__).parent
        shutil.copytree(package, release / "feedmaker",
                        ignore=shutil.ignore_patterns("__pycache__"))
        with open(release / "feedmaker" / changed, "a") as code:
            code.write("# the next release\n")
    clock = (f"from datetime import datetime\ncli._now = lambda: "
             f"datetime.fromisoformat({now.isoformat()!r})\n") if now else ""
    # Run from tmp_path: from the repository's root, this feedmaker would be found first.
    return subprocess.run([sys.executable, "-c", f"import feedmaker.cli as cli\n{clock}cli.main()",
                           *map(str, args)], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(release)}, timeout=120)


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
        # No spacing between requests to the local test server (see test_fetch for spacing).
        lines += ["[[sources]]", f'name = "{name}"', f'type = "{kind}"', f'url = "{url}"',
                  "min_interval = 0", ""]
    path = tmp_path / "feedmaker.toml"
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path



def source_config(kind: str, url: str, **options):
    """A checked SourceConfig, made the way a config file makes it."""
    from feedmaker.config import parse_config

    lines = ["[[sources]]", 'name = "src"', f'type = "{kind}"', f'url = "{url}"',
             "min_interval = 0"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    return parse_config("\n".join(lines), base_dir=Path.cwd(), where="test.toml").sources[0]


def read_served(httpserver, kind: str, fixture: str, path: str = "/feed",
                content_type: str = "application/xml", **options):
    """Serve a fixture on the local server and read it as a source of `kind`."""
    from feedmaker.fetch import Fetcher
    from feedmaker.sources import read_source

    httpserver.expect_request(path).respond_with_data(fixture_bytes(fixture),
                                                      content_type=content_type)
    result = read_source(source_config(kind, httpserver.url_for(path), **options),
                         Fetcher(backoff=0))
    assert result.error is None, result.error
    return result.raws


def output_count(config) -> int:
    """How many files a run of `config` writes: each feed in each format and as a page (unless
    pages are off), and the site files."""
    from feedmaker.outputs import SITE_FILES

    formats = len(config.site.formats) + (1 if config.site.pages else 0)
    return len(config.feeds) * formats + len(SITE_FILES)


def feed_site(entries, categories=(), *, slug="vision", title="Vision", description="",
              formats=("atom",), similar=(), error="", feeds=None, **site):
    """(SiteData, FeedData) of one feed of `entries`, each in the topics `categories` gives
    as (slug, title, terms): what the renderers take."""
    from feedmaker.outputs import FeedData, FeedDef, SiteData

    topic_titles = tuple(dict.fromkeys((c[0], c[1]) for c in categories))
    feed = FeedData(FeedDef(slug, title, description), tuple(entries),
                    tuple(tuple(c[0] for c in categories) for _ in entries),
                    tuple(tuple(tuple(c[2]) for c in categories) for _ in entries),
                    tuple(similar), error=error)
    defaults = dict(title="Feeds", subtitle="", base_url="https://feeds.example.org/",
                    author="tester", icon=None, formats=tuple(formats),
                    topic_titles=topic_titles,
                    empty_updated=datetime(2026, 1, 1, tzinfo=UTC), version="1.0")
    return SiteData(**(defaults | site), feeds=tuple(feeds or (feed,))), feed


LIKE_VIEW = '\n[views.like-mine]\ntitle = "Like my papers"\nlike = ["mine.bib"]\nper_day = 2\n'


@pytest.fixture
def like_config(tmp_path, httpserver):
    """A config with one source and a like view over the demo's library (`mine.bib`)."""
    import shutil
    from importlib.resources import files

    shutil.copy(files("feedmaker") / "data" / "demo-library.bib", tmp_path / "mine.bib")
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        json.dumps(daily_items()), content_type="application/json")
    return write_config(tmp_path, [("hf", "hf-api", httpserver.url_for("/api/daily_papers"))],
                        LIKE_VIEW)


def arxiv_answer(papers: list[dict]) -> bytes:
    """An arXiv API answer (Atom) of papers given as dicts: `id`, and optionally `version`
    (1), `title`, `summary`, `published`, `comment`, `journal_ref`, `doi`."""
    from xml.sax.saxutils import escape

    ns = 'xmlns:arxiv="http://arxiv.org/schemas/atom"'
    entries = []
    for paper in papers:
        notes = "".join(f"<arxiv:{name} {ns}>{escape(paper[name])}</arxiv:{name}>"
                        for name in ("comment", "journal_ref", "doi") if paper.get(name))
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{paper['id']}v{paper.get('version', 1)}</id>"
            f"<published>{paper.get('published', '2026-05-14T00:00:00Z')}</published>"
            f"<title>{escape(paper.get('title', 'A paper ' + paper['id']))}</title>"
            f"<summary>{escape(paper.get('summary', 'An abstract.'))}</summary>"
            f"<author><name>A. Author</name></author>{notes}</entry>")
    return ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>ArXiv Query</title><id>http://arxiv.org/api/x</id>{''.join(entries)}"
            "</feed>").encode()


def resaved_model(blob: bytes, change) -> bytes:
    """A like view's saved model with `change(arrays, meta)` applied, saved again."""
    import io

    import numpy as np

    saved = dict(np.load(io.BytesIO(blob), allow_pickle=False))
    meta = json.loads(saved["meta"].tobytes())
    change(saved, meta)
    saved["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    out = io.BytesIO()
    np.savez(out, **saved)
    return out.getvalue()
