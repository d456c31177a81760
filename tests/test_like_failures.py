"""Like views at their edges, through the command line in a process of its own: the `like`
extra missing, a library too big to read, a saved model that cannot be used, an upgrade."""

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from lxml import etree

from .conftest import (
    ATOM_NS,
    FIXTURES,
    LIKE_VIEW,
    daily_items,
    ids_in,
    resaved_model,
    write_config,
)

API = "/api/daily_papers"
# Put first on the path, it makes the named packages look not installed, as they are
# without the `like` extra (`import sklearn` fails; find_spec finds nothing).
BLOCKER = """
import os, sys

class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in os.environ["BLOCK"].split(","):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, _NotInstalled())
"""


def feedmaker(*args, cwd: Path, block: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BLOCK"}
    if block:
        (cwd / "blocker").mkdir(exist_ok=True)
        (cwd / "blocker" / "sitecustomize.py").write_text(BLOCKER)
        env |= {"PYTHONPATH": os.pathsep.join(filter(None, [str(cwd / "blocker"),
                                                            env.get("PYTHONPATH")])),
                "BLOCK": block}
    return subprocess.run([sys.executable, "-m", "feedmaker", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def test_a_bibtex_library_without_the_extra_is_a_config_error_before_any_fetch(
        like_config, httpserver):
    result = feedmaker("run", "--config", like_config, cwd=like_config.parent,
                       block="bibtexparser")
    assert result.returncode == 2
    line = like_config.read_text().splitlines().index('like = ["mine.bib"]') + 1
    assert result.stderr == (
        f"feedmaker: {like_config}:{line}: views.like-mine.like[1]: "
        f"{like_config.parent / 'mine.bib'} is BibTeX, which needs the `like` extra "
        "(bibtexparser is missing): pip install 'feedmaker[like]'\n")
    assert httpserver.log == []


def test_a_pipe_named_as_a_library_fails_its_view_without_the_extra_and_never_blocks(
        like_config):
    os.mkfifo(like_config.parent / "library")  # no extension: its start would tell
    like_config.write_text(like_config.read_text().replace('like = ["mine.bib"]',
                                                           'like = ["library"]'))
    result = feedmaker("run", "-q", "--config", like_config, cwd=like_config.parent,
                       block="bibtexparser")
    assert result.returncode == 1, result.stderr
    assert "a pipe or a device, not a file" in result.stderr
    assert ids_in(like_config.parent / "out" / "all.atom")


def test_a_view_without_scikit_learn_has_failed_even_under_quiet(like_config):
    result = feedmaker("run", "-q", "--config", like_config, cwd=like_config.parent,
                       block="sklearn")
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("feedmaker: error: view 'like-mine': scikit-learn is "
                                    "missing (No module named 'sklearn'): pip install "
                                    "'feedmaker[like]'")
    out = like_config.parent / "out"
    assert ids_in(out / "all.atom")  # the other feeds are written


def test_a_huge_library_file_is_refused_before_it_is_read(like_config):
    huge = like_config.parent / "mine.bib"
    huge.unlink()
    with huge.open("wb") as f:  # sparse: 1.5 GB that take no disk
        f.truncate(1_500_000_000)
    result = feedmaker("run", "-q", "--config", like_config, cwd=like_config.parent)
    assert result.returncode == 1
    assert result.stderr == (f"feedmaker: error: view 'like-mine': {huge}: library file larger "
                             "than 50 MB (1431 MB)\n")
    # The largest child so far: this run, or another test's, all far below the file's size.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 600 * 1024


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> Path:
    """A site whose like view has saved a fitted model: one run over 45 papers; the
    source then lists 50, too few new ones for a refit."""
    site = tmp_path_factory.mktemp("fitted")
    # Only the library papers with abstracts: the others would be looked up on arXiv, and
    # a lookup that fails (no network here) has the next run fit again anyway.
    bibtex = (files("feedmaker") / "data" / "demo-library.bib").read_text(encoding="utf-8")
    (site / "mine.bib").write_text("\n@".join(
        entry for entry in bibtex.split("\n@") if "abstract" in entry), encoding="utf-8")
    (site / "papers.json").write_text(json.dumps(daily_items()[:45]))
    config = write_config(site, [("hf", "hf-api", "file:papers.json")], LIKE_VIEW)
    assert feedmaker("run", "--config", config, cwd=site).returncode == 0
    (site / "papers.json").write_text(json.dumps(daily_items()))
    return site


@pytest.mark.parametrize("damage", ["garbage", "missing key", "wrong type", "out of range"])
def test_a_saved_model_that_cannot_be_used_is_fitted_again_with_a_warning(
        fitted, tmp_path, damage):
    site = tmp_path / "site"
    shutil.copytree(fitted, site)
    config = site / "feedmaker.toml"
    with sqlite3.connect(site / "state" / "state.sqlite") as db:
        [blob] = db.execute("SELECT model FROM like_models").fetchone()
        db.execute("UPDATE like_models SET model = ?", (_damaged(blob, damage),))
    db.close()
    result = feedmaker("run", "--config", config, cwd=site)
    assert result.returncode == 0, result.stderr
    assert ("feedmaker: warning: view 'like-mine': its saved model cannot be used ("
            in result.stderr) and "; fitting it again" in result.stderr
    assert ids_in(site / "out" / "like-mine.atom")
    if damage == "garbage":  # fitted again and saved: the next run has nothing to say
        again = feedmaker("run", "--config", config, cwd=site)
        assert again.returncode == 0 and "warning" not in again.stderr


def _damaged(blob: bytes, damage: str) -> bytes:
    if damage == "garbage":
        return b"PK\x03\x04 not a model"
    return resaved_model(blob, {
        "missing key": lambda saved, meta: meta.pop("pairs"),
        "wrong type": lambda saved, meta: meta.update(titles=[1, 2, 3]),
        "out of range": lambda saved, meta: saved.update(indices=saved["indices"] + 10**6),
    }[damage])


def test_views_named_in_a_chain_of_1500_load_and_a_circle_of_1500_is_a_config_error(
        tmp_path):
    config = tmp_path / "c.toml"
    chain = "".join(f'[views.v{n}]\nany = ["view:v{n + 1}"]\n' for n in range(1499))
    config.write_text(chain + '[views.v1499]\nany = ["attention"]\n')
    result = feedmaker("explain", "--config", config, "--title", "attention", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-500:]
    assert "views: v0, v1, " in result.stdout
    config.write_text(chain + '[views.v1499]\nany = ["view:v0"]\n')
    result = feedmaker("explain", "--config", config, "--title", "attention", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"feedmaker: {config}:1: views.v0: views name each other "
                                    "in a circle: view:v0 -> view:v1 -> ")


def test_an_upgrade_keeps_the_like_feed_and_fits_the_old_model_again_quietly(tmp_path):
    fixture = FIXTURES / "upgrade-5ff3203"
    shutil.copytree(fixture, tmp_path / "site")
    result = feedmaker("run", "-v", "--config", "config.toml", cwd=tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert ("view 'like-mine': fitting its model (the similarity recipe changed)"
            in result.stderr)

    def entries(path):
        tree = etree.parse(str(path))
        return [(e.findtext("a:id", namespaces=ATOM_NS),
                 e.findtext("a:updated", namespaces=ATOM_NS))
                for e in tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)]

    before = entries(fixture / "feeds" / "like-mine.atom")
    assert before and entries(tmp_path / "site" / "feeds" / "like-mine.atom") == before


def test_library_papers_whose_lookup_failed_are_asked_again_and_the_view_refitted(
        like_config, httpserver):
    from .conftest import arxiv_answer

    text = like_config.read_text().replace(
        'author = "tester"', f'author = "tester"\narxiv_api_url = "{httpserver.url_for("/q")}"')
    like_config.write_text(text.replace('like = ["mine.bib"]', 'like = ["mine.bib", "ids.txt"]'))
    (like_config.parent / "ids.txt").write_text("2501.00001\n")
    site = like_config.parent
    httpserver.expect_oneshot_request("/q").respond_with_data("down", status=404)
    failed = feedmaker("run", "--config", like_config, cwd=site)
    assert failed.returncode == 0, failed.stderr
    assert failed.stderr.count("library lookup:") == 1  # said once, though two lists ask
    httpserver.expect_oneshot_request("/q").respond_with_data(
        arxiv_answer([{"id": "2501.00001", "title": "Sparse attention for long documents"}]),
        content_type="application/atom+xml")
    again = feedmaker("run", "--config", like_config, "-v", cwd=site)
    assert again.returncode == 0, again.stderr
    assert "library papers could not be looked up last time" in again.stderr
    assert "library lookup:" not in again.stderr
    quiet = feedmaker("run", "--config", like_config, "-v", cwd=site)
    assert "fitting its model" not in quiet.stderr


def test_a_saved_models_record_that_is_no_json_has_the_view_fitted_again(fitted, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(fitted, site)
    with sqlite3.connect(site / "state" / "state.sqlite") as db:
        db.execute("UPDATE like_models SET inputs = 'garbage{'")
    db.close()
    result = feedmaker("run", "-v", "--config", site / "feedmaker.toml", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "view 'like-mine': fitting its model (no model fitted yet)" in result.stderr
    assert ids_in(site / "out" / "like-mine.atom")
