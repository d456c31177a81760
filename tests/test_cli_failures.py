"""What one entry, one source, one setting or the machine can do to a cron run, through the
real command line against local servers: the exit status, one line per problem and never
a traceback, what was published, and no history lost."""

import json
import sqlite3
import subprocess
import sys

import pytest
from werkzeug import Response as WerkzeugResponse

from feedmaker.config import load_config

from .conftest import daily_items, fixture_bytes, write_config
from .faulty_server import FaultyServer

DAILY = json.dumps(daily_items()[:20]).encode()


def feedmaker(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "feedmaker", *map(str, args)], input=stdin,
                          capture_output=True, timeout=120)
    done.out, done.err = done.stdout.decode(), done.stderr.decode()
    assert "Traceback" not in done.err
    return done


def published(out_dir):
    return {p.name: p.read_bytes() for p in sorted(out_dir.iterdir())}


def feeds_and_pages(files):
    """All but the files that tell how the sources are doing, which a failure changes."""
    return {name: data for name, data in files.items()
            if name not in ("index.html", "status.json")}


def stored_ids(config) -> set[str]:
    with sqlite3.connect(config.site.state) as db:
        return {row[0] for row in db.execute("SELECT id FROM entries")}


@pytest.fixture
def hf():
    server = FaultyServer(DAILY)
    yield server
    server.close()


@pytest.fixture
def site(tmp_path, hf):
    """A config over one healthy Hugging Face source, published once."""
    path = write_config(tmp_path, [("hf", "hf-api", hf.url())],
                        extra="\n[topics.vision]\nany = [\"image\"]\n\n"
                              "[topics.agents]\nany = [\"agent\"]\n")
    assert feedmaker("run", "-q", "--config", path).returncode == 0
    config = load_config(path)
    return config, published(config.site.out_dir), stored_ids(config)


def with_source(config, name, kind, url, extra=""):
    text = config.path.read_text()
    head, _, topics = text.partition("\n[topics.")
    config.path.write_text(f'{head}[[sources]]\nname = "{name}"\ntype = "{kind}"\n'
                           f'url = "{url}"\nmin_interval = 0\n{extra}\n\n[topics.{topics}')


def test_one_bad_entry_is_left_out_with_one_warning_and_the_others_publish(site, tmp_path):
    config, before, ids = site
    feed = fixture_bytes("feed_rss2.xml").decode()
    rss = feed.replace("<link>", "<link>ht tp://", 1)  # not a link that can be repaired
    (tmp_path / "blog.xml").write_text(rss)
    with_source(config, "blog", "feed", "file:blog.xml")
    done = feedmaker("run", "--config", config.path)
    assert done.returncode == 0, done.err
    warnings = [line for line in done.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and warnings[0].startswith("feedmaker: warning: blog")
    assert ids < stored_ids(config)


def test_a_source_that_trickles_fails_at_its_deadline_and_the_rest_is_kept(site, hf):
    config, before, ids = site
    config.path.write_text(config.path.read_text().replace("min_interval = 0",
                                                           "min_interval = 0\ntimeout = 1"))
    hf.mode = "trickle"
    done = feedmaker("run", "-q", "--config", config.path)
    assert done.returncode == 1
    [line] = done.err.splitlines()
    assert line == f"feedmaker: error: source 'hf': {hf.url()}: no complete answer within 1 s"
    assert feeds_and_pages(published(config.site.out_dir)) == feeds_and_pages(before)
    assert stored_ids(config) == ids


def test_a_retry_after_beyond_the_deadline_is_not_waited(site, hf):
    config, before, ids = site
    hf.mode = "status:503:retry-after=3600"
    done = feedmaker("run", "-q", "--config", config.path)
    assert done.returncode == 1
    [line] = done.err.splitlines()
    assert "asks to be retried in 3600 s" in line and line.startswith("feedmaker: error: ")
    assert feeds_and_pages(published(config.site.out_dir)) == feeds_and_pages(before)
    assert stored_ids(config) == ids


@pytest.mark.parametrize(("change", "where"), [
    ('threshold = nan', "topics.vision.threshold"),
    ('any = ["image^nan"]', "topics.vision.any[1]"),
    ('any = ["titel:survey"]', "topics.vision.any[1]"),
])
def test_a_setting_that_cannot_work_is_refused_before_anything_is_fetched(site, hf, change,
                                                                          where):
    config, before, ids = site
    requests = hf.requests
    text = config.path.read_text().replace('[topics.vision]\nany = ["image"]',
                                           f'[topics.vision]\nany = ["image"]\n{change}'
                                           if change.startswith("threshold")
                                           else f"[topics.vision]\n{change}")
    config.path.write_text(text)
    done = feedmaker("run", "-q", "--config", config.path)
    assert done.returncode == 2
    [line] = done.err.splitlines()
    assert line.startswith(f"feedmaker: {config.path}:") and f": {where}: " in line
    assert hf.requests == requests
    assert published(config.site.out_dir) == before and stored_ids(config) == ids


def test_a_damaged_state_store_is_exit_3_and_one_line(site):
    config, before, _ = site
    data = bytearray(config.site.state.read_bytes())
    data[4096:8192] = b"\xff" * 4096
    config.site.state.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        config.site.state.with_name(config.site.state.name + suffix).unlink(missing_ok=True)
    done = feedmaker("run", "-q", "--config", config.path)
    assert (done.returncode, done.err.splitlines()) == (
        3, [f"feedmaker: {config.site.state}: the state store is damaged (SQLite: database "
            "disk image is malformed); restore it from a backup, or move it away to start a "
            "new history"])
    assert published(config.site.out_dir) == before


def test_a_page_whose_charset_is_only_in_the_http_header_is_read_in_it(tmp_path):
    page = "<ul><li><h3><a href='/p/1'>Über Größe</a></h3></li></ul>".encode()
    server = FaultyServer(page, content_type="text/html; charset=utf-8")
    try:
        path = write_config(tmp_path, [("ws", "html", server.url("/list"))],
                            extra='\n[topics.any]\nany = ["x"]\n')
        path.write_text(path.read_text().replace('type = "html"',
                                                 'type = "html"\nitem = "li"\ntitle = "h3"'))
        assert feedmaker("run", "-q", "--config", path).returncode == 0
        assert "<title>Über Größe</title>" in (tmp_path / "out" / "all.atom").read_text()
    finally:
        server.close()


def test_a_topic_taken_out_of_the_config_takes_its_feed_and_the_run_says_so(site):
    config, before, _ = site
    config.path.write_text(config.path.read_text().split("\n[topics.agents]")[0] + "\n")
    done = feedmaker("run", "--config", config.path)
    assert done.returncode == 0 and "removed agents.atom" in done.out
    assert not (config.site.out_dir / "agents.atom").exists()


def test_a_newcomer_gets_one_line_for_invalid_utf8_and_an_empty_folder(tmp_path):
    done = feedmaker("tag", stdin=b'{"title": "ok"}\n{"title": "caf\xe9"}\n')
    assert (done.returncode, done.err) == (2, "feedmaker: <stdin>:2: not UTF-8 (byte 0xe9 at "
                                              "column 15)\n")
    (tmp_path / "empty").mkdir()
    done = feedmaker("validate", tmp_path / "empty")
    assert done.returncode == 1 and len(done.err.splitlines() + done.out.splitlines()) <= 2


def test_a_url_no_parser_reads_quoted_in_a_warning_is_shown_cut_not_a_crash(tmp_path,
                                                                            httpserver):
    # A feed's item links to "http://me:pw@[::1?k=s3cret": urlsplit raises on it.
    feed = (b"<rss version='2.0'><channel><title>t</title><item><title>Bad link</title>"
            b"<link>http://me:hunter2@[::1?k=s3cret</link></item></channel></rss>")
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    path = write_config(tmp_path, [("blog", "feed", httpserver.url_for("/feed"))])
    done = feedmaker("run", "--config", path)
    assert done.returncode in (0, 1) and "internal error" not in done.err, done.err
    assert "http://[::1" in done.err
    assert "s3cret" not in done.err + done.out and "hunter2" not in done.err + done.out


def test_a_servers_escape_sequences_never_reach_the_terminal(tmp_path, httpserver):
    # A reason phrase is any bytes a server sends; a terminal would obey "\x1b[2J".
    httpserver.expect_request("/api").respond_with_response(
        WerkzeugResponse("no", status="404 Gone \x1b[2J\x1b[31m\x07"))
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for("/api"))])
    done = feedmaker("run", "--config", path)
    assert done.returncode == 1 and "HTTP 404 Gone [2J[31m" in done.err
    assert not {"\x1b", "\x07"} & set(done.err + done.out)


def test_no_message_shows_a_urls_password_or_query(tmp_path, httpserver):
    httpserver.expect_request("/api").respond_with_data("gone", status=404)
    url = httpserver.url_for("/api?token=s3cret").replace("://", "://me:hunter2@")
    path = write_config(tmp_path, [("hf", "hf-api", url)])
    for flags in ([], ["-v"]):
        done = feedmaker("run", *flags, "--config", path)
        assert done.returncode == 1 and "HTTP 404" in done.err
        assert "s3cret" not in done.err + done.out and "hunter2" not in done.err + done.out
        assert f"{httpserver.url_for('/api')}: HTTP 404" in done.err
