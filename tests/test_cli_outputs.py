"""What a run does to out_dir, through the real command line: only files feedmaker wrote are
replaced or removed, a changed renderer reaches every file on the next run, and a view that
fails keeps its files while every other feed is written."""

import json
import subprocess
import sys

from lxml import etree

from .conftest import ATOM_NS, daily_items, write_config

API = "/api/daily_papers"
# Code run before the command line in the child process: it stands for a new release.
PDF_LABEL = ("import feedmaker.write.content as content\n"
             "content.LINK_TITLES['pdf'] = 'Full text (PDF)'\n")
BROKEN_VIEW = (
    "import feedmaker.views as views\n"
    "made = views.ViewTagger.__init__\n"
    "def __init__(self, rules):\n"
    "    made(self, rules)\n"
    "    def broken(*args, **kwargs):\n"
    "        raise RuntimeError('a fault in this view')\n"
    "    self._taggers['broken'].explain = broken\n"
    "views.ViewTagger.__init__ = __init__\n")


def feedmaker(*args, before: str = "") -> subprocess.CompletedProcess:
    code = f"{before}\nfrom feedmaker.cli import main\nmain()\n"
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr
    return done


def serve(httpserver, items):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_json(items)


def site(tmp_path, httpserver, extra=""):
    return write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))], extra=extra)


def files(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_users_own_file_where_a_feed_would_go_stops_the_run_before_anything_is_written(
        tmp_path, httpserver):
    serve(httpserver, daily_items()[:10])
    path = site(tmp_path, httpserver)
    out = tmp_path / "out"
    out.mkdir()
    (out / "about.html").write_text("<p>About me</p>")
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    path.write_text(path.read_text() + '\n[topics.about]\nany = ["image"]\n')
    before = files(out)
    done = feedmaker("run", "-q", "--config", path)
    assert done.returncode == 2
    assert done.stderr == (f"feedmaker: {out / 'about.html'}: not written by feedmaker, and "
                           "feedmaker would write a file of that name; move it away, or "
                           "rename the topic or view\n")
    assert files(out) == before
    # Taken out again, the topic leaves the user's page where it is.
    path.write_text(path.read_text().split("[topics.about]")[0])
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    assert (out / "about.html").read_text() == "<p>About me</p>"


def test_a_front_page_feedmaker_did_not_write_is_never_replaced(tmp_path, httpserver):
    serve(httpserver, daily_items()[:10])
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<h1>My home page</h1>")
    done = feedmaker("run", "-q", "--config", site(tmp_path, httpserver))
    assert done.returncode == 2 and "index.html: not written by feedmaker" in done.stderr
    assert [p.name for p in out.iterdir()] == ["index.html"]


def test_a_lost_state_store_takes_back_the_files_feedmaker_wrote(tmp_path, httpserver):
    serve(httpserver, daily_items()[:10])
    path = site(tmp_path, httpserver)
    path.write_text(path.read_text().replace("[site]\n", '[site]\nformats = ["atom", "json"]\n'))
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    (tmp_path / "state" / "state.sqlite").unlink()
    done = feedmaker("run", "-q", "--config", path)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_changed_renderer_reaches_every_feed_and_page_on_the_next_run(tmp_path, httpserver):
    serve(httpserver, daily_items()[:10])
    path = site(tmp_path, httpserver)
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    out = tmp_path / "out"
    assert all(b"Full text (PDF)" not in data for data in files(out).values())
    assert feedmaker("run", "-q", "--config", path, before=PDF_LABEL).returncode == 0
    with_papers = [name for name, data in files(out).items()
                   if name.endswith((".atom", ".html")) and b"arxiv.org/pdf" in data]
    assert len(with_papers) > 5
    for name in with_papers:
        data = (out / name).read_bytes()
        assert b"Full text (PDF)" in data and b">PDF<" not in data, name


def test_a_failing_view_keeps_its_files_and_every_other_feed_is_written(tmp_path, httpserver):
    serve(httpserver, daily_items()[:20])
    path = site(tmp_path, httpserver,
                '\n[views.broken]\nany = ["image", "video"]\n'
                '\n[views.fine]\nany = ["image", "video"]\n'
                '\n[views.after]\nany = ["view:broken"]\n')
    out = tmp_path / "out"
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    before = files(out)

    serve(httpserver, daily_items())  # 30 new papers
    done = feedmaker("run", "-q", "--config", path, before=BROKEN_VIEW)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "feedmaker: error: view 'broken': RuntimeError: a fault in this view",
        "feedmaker: error: view 'after': RuntimeError: it names view 'broken', which failed"]
    after = files(out)
    for name in ("broken.atom", "broken.html", "after.atom", "after.html"):
        assert after[name] == before[name], name
    assert after["fine.atom"] != before["fine.atom"] and after["all.atom"] != before["all.atom"]
    status = json.loads(after["status.json"])
    health = {feed["slug"]: (feed["ok"], feed["last_error"]) for feed in status["feeds"]}
    assert status["ok"] is False and health["fine"] == (True, None)
    assert health["broken"] == (False, "view 'broken': RuntimeError: a fault in this view")
    assert b"failing since" in after["index.html"]

    done = feedmaker("run", "-q", "--config", path)  # the fault is gone: the view catches up
    assert (done.returncode, done.stderr) == (0, "")
    fine = etree.parse(str(out / "fine.atom")).xpath("//a:entry/a:id/text()",
                                                     namespaces=ATOM_NS)
    broken = etree.parse(str(out / "broken.atom")).xpath("//a:entry/a:id/text()",
                                                         namespaces=ATOM_NS)
    assert broken == fine and len(broken) > len(etree.fromstring(before["broken.atom"]))
    assert json.loads((out / "status.json").read_text())["ok"] is True


def test_bidi_overrides_are_dropped_and_each_author_is_isolated_on_pages(tmp_path, httpserver):
    items = daily_items()[:3]
    items[0]["paper"]["title"] = items[0]["title"] = "Safe \u202etxt.exe\u202c title"
    items[0]["paper"]["authors"] = [{"name": "\u05d3\u05e0\u05d4 \u05db\u05d4\u05df"},
                                    {"name": "Ada Lovelace"}]
    serve(httpserver, items)
    assert feedmaker("run", "-q", "--config", site(tmp_path, httpserver)).returncode == 0
    for name, data in files(tmp_path / "out").items():
        assert "\u202e".encode() not in data and "\u202c".encode() not in data, name
    page = (tmp_path / "out" / "all.html").read_text()
    assert "Safe txt.exe title" in page
    assert "<bdi>\u05d3\u05e0\u05d4 \u05db\u05d4\u05df</bdi>, <bdi>Ada Lovelace</bdi>" in page
