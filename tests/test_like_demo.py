"""The demo's example library reads, takes its missing abstracts from the stored papers, and
ranks the demo snapshot's agent papers first."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from feedmaker.like.library import paper_text, read_library
from feedmaker.like.lookup import fill_in
from feedmaker.like.model import Text, fit
from tests.conftest import daily_items

pytestmark = pytest.mark.slow


def test_the_demo_library_ranks_the_snapshots_agent_papers_first():
    library = read_library([files("feedmaker") / "data" / "demo-library.bib"])
    assert len(library.papers) == 10 and library.notes == []
    snapshot = [item["paper"] for item in daily_items()]
    stored = {p["id"]: (p["title"], p["summary"]) for p in snapshot}
    assert {p.arxiv_id for p in library.papers} <= stored.keys()
    filled = fill_in(library.papers, {}, None, stored)
    assert all(p.abstract for p in filled.papers)

    model = fit(filled.papers, [Text(p["title"], p["summary"], p["id"]) for p in snapshot])
    ids = {p.arxiv_id for p in library.papers}
    rest = [p for p in snapshot if p["id"] not in ids]
    scores, closest = model.score([paper_text(p["title"], p["summary"]) for p in rest])
    best = max(range(len(rest)), key=scores.__getitem__)
    with open("data/papers-17-dev.jsonl", encoding="utf-8") as f:
        labels = {r["id"]: r["topics"] for r in map(json.loads, f)}
    assert "agents" in labels[rest[best]["id"]]
    assert model.titles[closest[best]] in {p.title for p in filled.papers}
