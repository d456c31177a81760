"""The real CLI in subprocesses: killed at any point, started twice, out of disk, on a
terminal. After each, the published feeds are complete and the state store is consistent."""

import errno
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner
from werkzeug import Response as WerkzeugResponse

from feedmaker.cli import cli
from feedmaker.config import load_config
from feedmaker.pipeline import run

from .conftest import NOW, assert_valid_atom, daily_items, write_config

API = "/api/daily_papers"


def serve(httpserver, items):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(items),
                                                     content_type="application/json")


def feedmaker(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "feedmaker", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def published(out_dir):
    return {p.name: p.read_bytes() for p in sorted(out_dir.iterdir())}


def assert_consistent(config, ids_before, killed=False):
    """Every file is a complete feed, the store is whole, and no temporary file is left
    (a killed run may leave one: the next run removes it)."""
    for name, data in published(config.site.out_dir).items():
        if killed and name.startswith(".") and name.endswith(".tmp"):
            continue
        assert not name.startswith("."), f"left behind: {name}"
        if name.endswith(".atom"):
            assert_valid_atom(data)
    db = sqlite3.connect(config.site.state)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = {row[0] for row in db.execute("SELECT id FROM entries")}
        orphans = db.execute("SELECT count(*) FROM entry_topics WHERE entry_id NOT IN "
                             "(SELECT id FROM entries)").fetchone()[0]
    finally:
        db.close()
    assert ids_before <= ids and orphans == 0
    return ids


# Each kill point is a line `run -v` prints; the process is killed the moment it appears.
KILL_POINTS = ["source 'hf': 50 entries", "tagged", "rendered", "pruned",
               "wrote all.atom", "wrote vision.atom", "wrote index.html"]


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_a_run_killed_at_any_point_leaves_old_or_new_complete_feeds_and_the_next_run_recovers(
        tmp_path, httpserver, kill_at):
    items = daily_items()
    serve(httpserver, items[:30])
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))])
    config = load_config(path)
    assert run(config, now=NOW).exit_code == 0
    ids_before = {f"https://arxiv.org/abs/{i['paper']['id']}" for i in items[:30]}
    before = published(config.site.out_dir)

    serve(httpserver, items)  # 20 new papers: real work for the killed run
    process = feedmaker("run", "-v", "--config", str(path))
    seen = []
    for line in process.stderr:
        seen.append(line)
        if kill_at in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "".join(seen)

    for name, data in published(config.site.out_dir).items():
        if name in before and data != before[name] and name.endswith(".atom"):
            assert_valid_atom(data)  # a new, complete file
    ids = assert_consistent(config, ids_before, killed=True)
    assert len(ids) in (30, 50)  # the merge is all or nothing

    again = feedmaker("run", "-q", "--config", str(path))
    out, err = again.communicate(timeout=60)
    assert (again.returncode, out, err) == (0, "", "")
    assert_consistent(config, ids_before)
    all_atom = (config.site.out_dir / "all.atom").read_text()
    assert all_atom.count("<entry>") == 50


def test_a_second_run_started_during_the_first_exits_75_at_once(tmp_path, httpserver):
    answered = threading.Event()
    release = threading.Event()

    def slow(request):
        answered.set()
        release.wait(10)
        return WerkzeugResponse(json.dumps(daily_items()), content_type="application/json")

    httpserver.expect_request(API).respond_with_handler(slow)
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))])
    first = feedmaker("run", "-q", "--config", str(path))
    try:
        assert answered.wait(20), "the first run never asked for its source"
        second = feedmaker("run", "-q", "--config", str(path))
        out, err = second.communicate(timeout=20)
        first_still_running = first.poll() is None  # it cannot finish before `release`
    finally:
        release.set()
    assert second.returncode == 75
    assert err.startswith("feedmaker: another feedmaker run holds ") and out == ""
    assert first_still_running  # the second did not wait for the first
    assert first.wait(timeout=60) == 0


def test_running_out_of_disk_space_keeps_the_old_feeds_and_the_next_run_catches_up(
        tmp_path, httpserver, monkeypatch):
    items = daily_items()
    serve(httpserver, items[:30])
    config = load_config(write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))]))
    run(config, now=NOW)
    before = published(config.site.out_dir)
    serve(httpserver, items)

    import feedmaker.write.files as files
    real_fsync, calls = os.fsync, [0]

    def full_disk(fd):
        calls[0] += 1
        if calls[0] >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", full_disk)
    result = CliRunner().invoke(cli, ["run", "-q", "--config", str(config.path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("feedmaker: ") and "No space left on device" in result.stderr
    after = published(config.site.out_dir)
    assert set(after) == set(before)  # no temporary file left behind
    for name, data in after.items():  # each file the old one, or a complete new one
        assert (data == before[name] or name.endswith(".atom") and assert_valid_atom(data)
                or name.endswith(".html") and data.rstrip().endswith(b"</html>"))
    monkeypatch.setattr(files.os, "fsync", real_fsync)
    report = run(config, now=NOW + timedelta(minutes=30))
    assert report.exit_code == 0
    assert (config.site.out_dir / "all.atom").read_text().count("<entry>") == 50


def test_an_out_dir_that_cannot_be_created_is_a_clear_error(tmp_path, httpserver):
    serve(httpserver, daily_items())
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))])
    (tmp_path / "blocker").write_text("a file where a folder should be")
    result = CliRunner().invoke(cli, ["run", "--config", str(path),
                                      "--out", str(tmp_path / "blocker" / "feeds")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"feedmaker: {tmp_path / 'blocker' / 'feeds'}")
    assert "cannot write: Not a directory" in result.stderr


def test_a_progress_bar_shows_on_a_terminal_and_never_under_cron(tmp_path, httpserver):
    import pty

    # A first run over 1,500 papers: a backfill big enough for a tagging bar too.
    serve(httpserver, [{"paper": {"id": f"2605.{10000 + n}", "title": f"Paper {n}",
                                  "summary": "An image model.",
                                  "publishedAt": "2026-05-14T00:00:00.000Z"}}
                       for n in range(1500)])
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))])
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "feedmaker", "run", "--config", str(path)],
                               stdout=subprocess.PIPE, stderr=child, text=True)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(main)
    assert process.returncode == 0
    assert b"reading sources" in output and b"tagging entries" in output
    assert b"100%" in output

    under_cron = feedmaker("run", "--config", str(path))  # stderr is a pipe, as under cron
    _, err = under_cron.communicate(timeout=60)
    assert under_cron.returncode == 0 and "reading sources" not in err


@pytest.fixture
def published_site(tmp_path, httpserver):
    """A config whose first run has published, and a way to run the CLI on it again."""
    serve(httpserver, daily_items()[:20])
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))])
    config = load_config(path)
    assert run(config, now=NOW).exit_code == 0
    return config, published(config.site.out_dir)


def run_cli(config):
    return CliRunner().invoke(cli, ["run", "-q", "--config", str(config.path)])


def assert_one_line_and_nothing_changed(result, config, before, code, message):
    assert result.exit_code == code, result.output
    [line] = result.output.splitlines()
    assert line.startswith("feedmaker: ") and message in line, line
    assert "Traceback" not in result.output
    assert published(config.site.out_dir) == before


def test_a_damaged_state_store_is_one_line_and_exit_3(published_site, httpserver):
    config, before = published_site
    data = bytearray(config.site.state.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # the second page, of a table or an index
    config.site.state.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        config.site.state.with_name(config.site.state.name + suffix).unlink(missing_ok=True)
    serve(httpserver, daily_items()[:30])
    result = run_cli(config)
    assert_one_line_and_nothing_changed(result, config, before, 3,
                                        f"{config.site.state}: the state store is damaged")


def test_a_full_disk_under_the_state_store_is_one_line_and_loses_nothing(
        published_site, httpserver, monkeypatch):
    from feedmaker.store import Store

    config, before = published_site
    opened = Store.__init__

    def full_disk(self, *args, **kwargs):  # SQLite's own "disk full", at the next new page
        opened(self, *args, **kwargs)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(Store, "__init__", full_disk)
    serve(httpserver, daily_items())
    result = run_cli(config)
    assert_one_line_and_nothing_changed(result, config, before, 3,
                                        "the disk holding the state store is full")
    monkeypatch.undo()
    with Store.reader(config.site.state) as store:
        assert store.history.count() == 20
    assert run(config, now=NOW + timedelta(hours=1)).new == 30  # and the next run catches up


def test_a_run_lock_that_cannot_be_opened_is_one_line_and_exit_3(published_site):
    config, before = published_site
    config.site.state.with_name(config.site.state.name + ".lock").unlink()
    config.site.state.with_name(config.site.state.name + ".lock").mkdir()
    assert_one_line_and_nothing_changed(run_cli(config), config, before, 3,
                                        "cannot open the run lock")


def test_another_sqlite_file_as_the_state_is_refused_by_name(published_site, tmp_path):
    config, before = published_site
    other = tmp_path / "photos.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    db.commit()
    db.close()
    result = CliRunner().invoke(cli, ["run", "-q", "--config", str(config.path),
                                      "--state", str(other)])
    assert_one_line_and_nothing_changed(result, config, before, 3,
                                        f"{other}: not a feedmaker state store")


def test_an_unforeseen_failure_is_one_line_naming_it_a_bug_and_exit_70(
        published_site, monkeypatch, capsys):
    import feedmaker.pipeline
    from feedmaker.cli import main

    config, _ = published_site
    monkeypatch.setattr(feedmaker.pipeline.Run, "execute", lambda *a: 1 / 0)
    monkeypatch.setattr(sys, "argv", ["feedmaker", "run", "--config", str(config.path)])
    monkeypatch.delenv("FEEDMAKER_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 70
    err = capsys.readouterr().err
    assert err == ("feedmaker: internal error: ZeroDivisionError: division by zero (a bug in "
                   "feedmaker; FEEDMAKER_DEBUG=1 shows where)\n")


@pytest.mark.parametrize(("edit", "explained"), [
    ("UPDATE entries SET data = 'garbage{'", True),
    ("UPDATE entries SET data = '5'", True),
    ("UPDATE entries SET published = 'last Tuesday', updated = 'last Tuesday'", True),
    ("UPDATE meta SET value = x'00ff' WHERE key = 'created'", False),  # explain reads none
    ("UPDATE entries SET id = NULL", False),  # explain finds no paper: exit 2
    ("UPDATE entry_topics SET terms = 'garbage{'", False),  # explain reads no stored terms
    ("UPDATE entry_topics SET terms = '5'", False),
])
def test_a_value_no_feedmaker_wrote_is_a_damaged_store_exit_3_and_loses_nothing(
        published_site, httpserver, edit, explained):
    # JSON that does not read, a time that is not one: internal errors (exit 70) before.
    config, before = published_site
    db = sqlite3.connect(config.site.state, isolation_level=None)
    db.execute(edit)
    db.close()
    serve(httpserver, daily_items()[:30])
    assert_one_line_and_nothing_changed(run_cli(config), config, before, 3,
                                        f"{config.site.state}: the state store is damaged (")
    if explained:
        result = CliRunner().invoke(cli, ["explain", "--config", str(config.path), "--id",
                                          daily_items()[0]["paper"]["id"]])
        assert result.exit_code == 3 and "the state store is damaged (" in result.output
