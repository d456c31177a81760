"""Like views in whole runs through the command line: the best papers of each day admitted
for good, never the library's own; a view that cannot be read or fitted fails alone."""


import re

import pytest
from click.testing import CliRunner
from lxml import etree

from feedmaker.cli import cli
from feedmaker.config import load_config
from feedmaker.errors import ConfigError

from .conftest import ATOM_NS, daily_items, ids_in, next_release

API = "/api/daily_papers"
LIBRARY_IDS = {"2605.16143", "2605.06527", "2605.13880"}


def contents(path) -> dict[str, str]:
    tree = etree.parse(str(path))
    return {entry.findtext("a:id", namespaces=ATOM_NS):
            entry.findtext("a:content", namespaces=ATOM_NS)
            for entry in tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)}


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_like_view_holds_the_best_papers_of_each_day_and_never_the_librarys_own(
        like_config):
    result = invoke("run", "--config", like_config)
    assert result.exit_code == 0, result.output
    out = like_config.parent / "out"
    held = ids_in(out / "like-mine.atom")
    days = {item["paper"]["publishedAt"][:10] for item in daily_items()}
    assert 0 < len(held) <= 2 * len(days)
    assert not {f"https://arxiv.org/abs/{i}" for i in LIBRARY_IDS} & set(held)
    titles = {p.title for p in _library_titles(like_config.parent / "mine.bib")}
    # Each entry says which library paper it is most like, in every feed and on its page.
    for content in contents(out / "like-mine.atom").values():
        closest = content.split("<strong>Similar to: </strong>")[1].split("</p>")[0]
        assert closest in titles
    assert "Similar to: " in (out / "like-mine.html").read_text()

    before = (out / "like-mine.atom").read_bytes()
    again = invoke("run", "--config", like_config)
    assert again.exit_code == 0 and (out / "like-mine.atom").read_bytes() == before
    assert re.search(r"wrote [01] files", again.output)  # status.json, if the second turned

    explained = invoke("explain", "--config", like_config, "--id", held[0])
    line = next(x for x in explained.output.splitlines() if "like-mine" in x)
    assert line.startswith("MATCH like-mine") and "(best 2 a day)  similar to: " in line
    own = invoke("explain", "--config", like_config, "--id", "2605.16143")
    assert "no    like-mine                in your library (best 2 a day)" in own.output


def _library_titles(path):
    from feedmaker.like.library import read_library

    return read_library([path]).papers


def test_a_broken_or_missing_library_fails_its_view_alone_naming_file_and_line(like_config):
    out = like_config.parent / "out"
    assert invoke("run", "--config", like_config).exit_code == 0
    before = (out / "like-mine.atom").read_bytes()
    library = like_config.parent / "mine.bib"
    text = library.read_text()
    library.write_text(text + "\n@misc{broken,\n  title = {Half\n")
    line = text.count("\n") + 2
    result = invoke("run", "-q", "--config", like_config)
    assert result.exit_code == 1
    assert (f"feedmaker: error: view 'like-mine': {library}:{line}: not valid BibTeX"
            in result.output)
    assert "Traceback" not in result.output
    assert ids_in(out / "like-mine.atom") == ids_in(_written(before, out))
    assert ids_in(out / "all.atom")  # every other feed is written as usual
    # Nothing changed since: the view is tried again, and fails again.
    assert invoke("run", "-q", "--config", like_config).output == result.output

    library.unlink()
    result = invoke("run", "-q", "--config", like_config)
    assert result.exit_code == 1
    assert (f"feedmaker: error: view 'like-mine': {library}: cannot read library file (No "
            "such file or directory)") in result.output


def _written(data: bytes, out):
    path = out / "before.atom.xml"
    path.write_bytes(data)
    return path


def test_like_views_are_checked_when_the_config_loads(tmp_path):
    path = tmp_path / "c.toml"
    for text, message in [
        ('[views.x]\nnot_like = ["a.bib"]\nany = ["y"]\n', r"views\.x\.not_like: is for `like`"),
        ('[views.x]\nlike = ["c.toml"]\nany = ["y"]\n', r"views\.x\.any: a `like` view is "),
        ('[views.x]\nlike = []\n', r"views\.x\.like: names no library file"),
        ('[views.x]\nlike = ["c.toml"]\n[views.y]\nany = ["view:x"]\n',
         r"views\.y\.any\[1\]: .*no view is called 'x' \(a `like` view cannot be named\)"),
        ('[views.like-x]\nlike = ["c.toml"]\n[views.y]\nany = ["view:like*"]\n',
         r"views\.y\.any\[1\]: term 'view:like\*' names only `like` views, which cannot be "),
    ]:
        path.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_config(path)
    # A library file that is missing is that view's failure at run time, not the config's.
    path.write_text('[views.x]\nlike = ["missing.bib"]\nper_day = 3\n')
    [view] = load_config(path).like_views
    assert (view.files, view.per_day) == ((tmp_path / "missing.bib",), 3)


def test_a_paper_put_in_the_library_by_title_and_doi_leaves_the_view(like_config):
    out = like_config.parent / "out"
    assert invoke("run", "--config", like_config).exit_code == 0
    held = ids_in(out / "like-mine.atom")
    paper = next(i["paper"] for i in daily_items() if f"https://arxiv.org/abs/{i['paper']['id']}"
                 == held[0])
    library = like_config.parent / "mine.bib"
    # As a journal's export gives it: a title and a DOI, no arXiv id.
    library.write_text(library.read_text() + "\n@article{published2026,\n  title = {"
                       + paper["title"] + "},\n  doi = {10.1234/journal.2026.7},\n}\n")
    result = invoke("run", "--config", like_config)
    assert result.exit_code == 0, result.output
    assert held[0] not in ids_in(out / "like-mine.atom")
    assert not any(f"Similar to: </strong>{paper['title']}<" in c
                   for c in contents(out / "like-mine.atom").values())
    explained = invoke("explain", "--config", like_config, "--id", held[0])
    assert "like-mine                in your library" in explained.output


def test_a_library_sharing_no_word_with_the_papers_admits_none_of_them(like_config):
    (like_config.parent / "mine.bib").write_text(
        "@misc{a, title = {Glorp zindle frobnication}}\n"
        "@misc{b, title = {Glorp zindle quuxing}}\n")
    result = invoke("run", "--config", like_config)
    assert result.exit_code == 0, result.output
    out = like_config.parent / "out"
    assert ids_in(out / "like-mine.atom") == [] and ids_in(out / "all.atom")


def test_a_not_like_list_is_read_and_the_view_still_holds_papers(like_config):
    (like_config.parent / "nope.bib").write_text(
        "@misc{n1, title = {Scaling diffusion transformers for video generation}}\n"
        "@misc{n2, title = {Image generation with diffusion models}, abstract = "
        "{We generate images and videos with diffusion.}}\n")
    like_config.write_text(like_config.read_text() + 'not_like = ["nope.bib"]\n')
    result = invoke("run", "--config", like_config)
    assert result.exit_code == 0, result.output
    assert ids_in(like_config.parent / "out" / "like-mine.atom")


def test_a_view_that_cannot_be_fitted_fails_even_under_quiet(like_config):
    (like_config.parent / "mine.bib").write_text("% nothing yet\n")
    result = invoke("run", "-q", "--config", like_config)
    assert result.exit_code == 1
    assert result.output == ("feedmaker: error: view 'like-mine': the library has no paper "
                             "with a title\n")
    assert ids_in(like_config.parent / "out" / "all.atom")


def test_a_duplicate_bibtex_key_is_skipped_with_a_warning_naming_file_and_line(like_config):
    library = like_config.parent / "mine.bib"
    text = library.read_text()
    first = text[:text.index("@misc{guomemeye2026")].count("\n") + 1
    library.write_text(text + "\n@misc{guomemeye2026,\n  title = {Another paper}\n}\n")
    result = invoke("run", "--config", like_config)
    assert result.exit_code == 0, result.output
    assert (f"feedmaker: warning: view 'like-mine': {library}:{text.count(chr(10)) + 2}: entry "
            f"key 'guomemeye2026' is used twice (first at line {first}); skipped"
            in result.output)


def test_a_big_bibtex_library_shows_its_progress_at_v(like_config, monkeypatch):
    from feedmaker.like import library as reading

    monkeypatch.setattr(reading, "BIBTEX_PROGRESS", 300)  # the demo's library counts as big
    library = like_config.parent / "mine.bib"
    # A macro from the start is used at the end; a broken entry there names its line.
    text = '@string{memo = "Agent memory"}\n' + library.read_text()
    library.write_text(text + "\n@misc{late, title = memo}\n")
    result = invoke("run", "-v", "--config", like_config)
    assert result.exit_code == 0, result.output
    progress = [x for x in result.output.splitlines() if x.startswith(f"reading {library}: ")]
    assert len(progress) > 3 and progress[0].endswith(": 0%")
    library.write_text(text + "\n@misc{late,\n  title = {Half\n")
    result = invoke("run", "-q", "--config", like_config)
    assert f"{library}:{text.count(chr(10)) + 2}: not valid BibTeX" in result.output


def test_a_csl_json_library_that_json_cannot_hold_fails_naming_file_and_line(like_config):
    config = like_config.read_text().replace('like = ["mine.bib"]', 'like = ["mine.json"]')
    like_config.write_text(config)
    library = like_config.parent / "mine.json"
    for item, problem in (('{"title": "x", "volume": ' + "9" * 5000 + "}", "Exceeds the limit"),
                          ('{"title": "x", "note": ' + "[" * 100_000 + "]" * 100_000 + "}",
                           "nested too deeply")):
        library.write_text('[\n{"title": "A paper"},\n' + item + "\n]\n")
        result = invoke("run", "-q", "--config", like_config)
        assert result.exit_code == 1, result.output
        assert f"view 'like-mine': {library}:3: item cannot be read (" in result.output
        assert problem in result.output


def test_a_big_library_shows_a_progress_bar_on_a_terminal(like_config):
    import os
    import pty
    import subprocess
    import sys

    code = ("import feedmaker.like.library as library\nlibrary.BIBTEX_PROGRESS = 300\n"
            "from feedmaker.cli import main\nmain()\n")
    leader, follower = pty.openpty()  # stderr a terminal, as for a person at it
    done = subprocess.run([sys.executable, "-c", code, "run", "--config", str(like_config)],
                          stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: all was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert f"reading {like_config.parent / 'mine.bib'}".encode() in shown
    assert b"100%" in shown


def test_a_release_with_another_similarity_model_fits_the_view_again(like_config, tmp_path):
    assert invoke("run", "--config", like_config).exit_code == 0
    done = next_release(tmp_path, "like/model.py", "run", "-v", "--config", like_config)
    assert done.returncode == 0, done.stderr
    assert "view 'like-mine': fitting its model (the similarity recipe changed)" in done.stderr
    again = next_release(tmp_path, "like/model.py", "run", "-v", "--config", like_config)
    assert "fitting its model" not in again.stderr
