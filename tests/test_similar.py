"""`like` views in whole runs: the library read when it changes, the model fitted when needed
(in a child process), new papers scored, the best of each day admitted for good."""

import json
import shutil
from datetime import timedelta
from html import escape
from importlib.resources import files

import pytest
from click.testing import CliRunner
from lxml import etree

from feedmaker.cli import cli
from feedmaker.config import load_config
from feedmaker.errors import ConfigError
from feedmaker.pipeline import run
from feedmaker.store import Store

from .conftest import ATOM_NS, NOW, daily_items, write_config

API = "/api/daily_papers"
LIBRARY_IDS = {"2605.16143", "2605.06527", "2605.13880"}


def ids_in(path) -> list[str]:
    return etree.parse(str(path)).xpath("/a:feed/a:entry/a:id/text()", namespaces=ATOM_NS)


@pytest.fixture
def like_config(tmp_path, httpserver):
    shutil.copy(files("feedmaker") / "data" / "demo-library.bib", tmp_path / "mine.bib")
    httpserver.expect_request(API).respond_with_data(json.dumps(daily_items()),
                                                     content_type="application/json")
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))],
                        '\n[views.like-mine]\ntitle = "Like my papers"\nlike = ["mine.bib"]\n'
                        "per_day = 2\n")
    return load_config(path)


def test_a_like_view_holds_the_best_papers_of_each_day_and_never_the_librarys_own(
        like_config):
    report = run(like_config, now=NOW)
    assert report.exit_code == 0, report.failures
    held = ids_in(like_config.site.out_dir / "like-mine.atom")
    days = {item["paper"]["publishedAt"][:10] for item in daily_items()}
    assert 0 < len(held) <= 2 * len(days)
    assert not {f"https://arxiv.org/abs/{i}" for i in LIBRARY_IDS} & set(held)
    with Store.reader(like_config.site.state) as store:
        scores = {entry_id: store.likes.score_of("like-mine", entry_id) for entry_id in held}
    assert all(member == 1 and closest for _, closest, member in scores.values())
    # Each entry says which library paper it is most like, in every feed and on its page.
    closest = scores[held[0]][1]
    [content] = etree.parse(str(like_config.site.out_dir / "like-mine.atom")).xpath(
        f"//a:entry[a:id='{held[0]}']/a:content/text()", namespaces=ATOM_NS)
    assert f"<strong>Similar to: </strong>{escape(closest, quote=False)}</p>" in content
    page = (like_config.site.out_dir / "like-mine.html").read_text()
    assert f"Similar to: {escape(closest)}" in page

    # Nothing changed: no refit, no new score, nothing written.
    with Store.reader(like_config.site.state) as store:
        model = store.likes.model("like-mine")
    again = run(like_config, now=NOW + timedelta(hours=1))
    assert again.written == ["status.json"]
    with Store.reader(like_config.site.state) as store:
        assert store.likes.model("like-mine") == model

    result = CliRunner().invoke(cli, ["explain", "--config", str(like_config.path), "--id",
                                      held[0]])
    line = next(x for x in result.output.splitlines() if "like-mine" in x)
    assert line.startswith("MATCH like-mine") and "(best 2 a day)  similar to: " in line


def test_a_changed_library_is_read_again_and_refitted(like_config):
    run(like_config, now=NOW)
    with Store.reader(like_config.site.state) as store:
        before = store.likes.model("like-mine")
    library = like_config.path.parent / "mine.bib"
    library.write_text(library.read_text().split("@misc{guomemeye2026")[0])
    report = run(like_config, now=NOW + timedelta(hours=1))
    assert report.exit_code == 0
    with Store.reader(like_config.site.state) as store:
        assert store.likes.model("like-mine") != before
        assert len(store.likes.library("like-mine")["like"]) == 3


def test_a_malformed_library_is_a_config_error_naming_file_and_line_before_any_fetch(
        like_config, httpserver):
    run(like_config, now=NOW)
    before = {p.name: p.read_bytes() for p in like_config.site.out_dir.iterdir()}
    requests = len(httpserver.log)
    library = like_config.path.parent / "mine.bib"
    library.write_text(library.read_text() + "\n@misc{broken,\n  title = {Half\n")
    result = CliRunner().invoke(cli, ["run", "--config", str(like_config.path)])
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith(f"feedmaker: {library}:") and "not valid BibTeX" in line
    assert len(httpserver.log) == requests
    assert {p.name: p.read_bytes() for p in like_config.site.out_dir.iterdir()} == before


def test_like_views_are_checked_when_the_config_loads(tmp_path):
    path = tmp_path / "c.toml"
    for text, message in [
        ('[views.x]\nlike = ["missing.bib"]\n', r"c\.toml:2: views\.x\.like\[1\]: no library "),
        ('[views.x]\nnot_like = ["a.bib"]\nany = ["y"]\n', r"views\.x\.not_like: is for `like`"),
        ('[views.x]\nlike = ["c.toml"]\nany = ["y"]\n', r"views\.x\.any: a `like` view is "),
        ('[views.x]\nlike = ["c.toml"]\n[views.y]\nany = ["view:x"]\n',
         r"views\.y\.any\[1\]: .*no view is called 'x' \(a `like` view cannot be named\)"),
    ]:
        path.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_config(path)
