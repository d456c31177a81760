"""History across runs: retention, pruning, JSON Feed twins, and what a run refuses to publish."""

import json
from datetime import timedelta

import feedparser
import lxml.html
import pytest
from lxml import etree

from feedmaker.config import load_config
from feedmaker.errors import ValidationError
from feedmaker.pipeline import PRUNE_AFTER, run
from feedmaker.store import Store

from .conftest import ATOM_NS, NOW, daily_items, output_count, write_config

API = "/api/daily_papers"


def serve(httpserver, items):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(items),
                                                     content_type="application/json")


def config_for(tmp_path, httpserver, extra_site: str = "", max_entries: int = 100):
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))],
                        max_entries=max_entries)
    text = path.read_text().replace('author = "tester"\n', 'author = "tester"\n' + extra_site)
    path.write_text(text)
    return load_config(path)


def feed_ids(path):
    return [e.findtext("a:id", namespaces=ATOM_NS)
            for e in etree.parse(str(path)).xpath("/a:feed/a:entry", namespaces=ATOM_NS)]


def test_max_age_days_keeps_only_recent_papers_in_feeds(tmp_path, httpserver):
    items = daily_items()
    config = config_for(tmp_path, httpserver, "max_age_days = 4\n")
    serve(httpserver, items)
    run(config, now=NOW)  # NOW is 2026-05-18 12:00; cut-off 2026-05-14 12:00
    recent = {f"https://arxiv.org/abs/{i['paper']['id']}" for i in items
              if i["paper"]["publishedAt"] >= "2026-05-14T12:00"}
    assert set(feed_ids(config.site.out_dir / "all.atom")) == recent
    assert 0 < len(recent) < 50


def test_entries_no_feed_shows_are_pruned_once_no_source_lists_them(tmp_path, httpserver):
    items = daily_items()
    config = config_for(tmp_path, httpserver, max_entries=5)
    serve(httpserver, items)
    run(config, now=NOW)
    with Store(config.site.state, NOW) as store:
        assert store.history.count() == 50  # all still listed by the source
    serve(httpserver, items[:3])
    later = NOW + PRUNE_AFTER + timedelta(hours=1)
    run(config, now=later)
    shown = set().union(*(feed_ids(p) for p in config.site.out_dir.glob("*.atom")))
    with Store(config.site.state, later) as store:
        kept = {e.id for e in store.history.newest(1000)}
    assert kept == shown | {f"https://arxiv.org/abs/{i['paper']['id']}" for i in items[:3]}
    assert len(kept) < 50


def test_pruning_never_removes_an_entry_a_feed_still_shows(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items())
    run(config, now=NOW)
    before = feed_ids(config.site.out_dir / "all.atom")
    serve(httpserver, [])
    run(config, now=NOW + timedelta(days=30))
    assert feed_ids(config.site.out_dir / "all.atom") == before


def test_json_feeds_are_written_beside_atom_with_the_same_ids_and_dates(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver, 'formats = ["atom", "json"]\n')
    serve(httpserver, daily_items())
    run(config, now=NOW)
    out = config.site.out_dir
    for atom in out.glob("*.atom"):
        document = json.loads(atom.with_suffix(".json").read_text())
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert document["feed_url"] == "https://feeds.example.org/" + atom.stem + ".json"
        parsed = feedparser.parse(atom.read_bytes())
        assert [i["id"] for i in document["items"]] == [e.id for e in parsed.entries]
        for item, entry in zip(document["items"], parsed.entries, strict=True):
            assert item["date_published"] == entry.published.replace("+00:00", "Z")
            assert item["date_modified"] == entry.updated.replace("+00:00", "Z")
    index = (out / "index.html").read_text()
    assert 'type="application/feed+json"' in index


def test_categories_carry_term_label_and_scheme(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items())
    run(config, now=NOW)
    tree = etree.parse(str(config.site.out_dir / "vision.atom"))
    category = tree.xpath("//a:entry/a:category[@term='vision']", namespaces=ATOM_NS)[0]
    assert category.get("label") == "Computer Vision"
    assert category.get("scheme") == "https://feeds.example.org/"


BROKEN_ENTRY = (b'<entry xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                b'<updated>2026-05-18T00:00:00Z</updated></entry>')  # without its <id>


def published_once(tmp_path, httpserver):
    """A config whose first run published ten papers, and the files it wrote."""
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items()[:10])
    run(config, now=NOW)
    return config, {p.name: p.read_bytes() for p in config.site.out_dir.iterdir()}


def test_an_entry_that_cannot_be_rendered_valid_is_left_out_and_the_rest_published(
        tmp_path, httpserver, monkeypatch):
    import feedmaker.write.atom as atom

    config, _ = published_once(tmp_path, httpserver)
    broken = f"https://arxiv.org/abs/{daily_items()[20]['paper']['id']}"
    render = atom.render_entry

    def render_entry(entry, *args):  # one paper renders without its required <id>
        return BROKEN_ENTRY if entry.id == broken else render(entry, *args)

    monkeypatch.setattr(atom, "render_entry", render_entry)
    serve(httpserver, daily_items())
    report = run(config, now=NOW + timedelta(hours=1))
    assert (report.exit_code, report.new) == (0, 40)
    [warning] = [w for w in report.warnings if "cannot be published" in w]
    assert warning.startswith(f"source 'hf': entry {broken} cannot be published (")
    ids = feed_ids(config.site.out_dir / "all.atom")
    assert len(ids) == 49 and broken not in ids
    from feedmaker.validate import validate_paths
    assert validate_paths([config.site.out_dir], NOW + timedelta(hours=1))[1] == []


def test_a_source_none_of_whose_entries_can_be_published_has_failed(
        tmp_path, httpserver, monkeypatch):
    import feedmaker.write.atom as atom

    config, before = published_once(tmp_path, httpserver)
    new = {f"https://arxiv.org/abs/{item['paper']['id']}" for item in daily_items()[10:20]}
    render = atom.render_entry
    monkeypatch.setattr(atom, "render_entry", lambda entry, *args: (
        BROKEN_ENTRY if entry.id in new else render(entry, *args)))
    serve(httpserver, daily_items()[10:20])  # ten new papers, all broken
    report = run(config, now=NOW + timedelta(hours=1))
    assert report.exit_code == 1
    assert report.failures[0].startswith(f"source 'hf' ({httpserver.url_for(API)}): none of "
                                         "its 10 entries could be published (the first: ")
    # The front page and status.json say the source failed; no feed or page changed.
    after = {p.name: p.read_bytes() for p in config.site.out_dir.iterdir()}
    health = ("status.json", "index.html")
    assert {n: b for n, b in after.items() if n not in health} == {
        n: b for n, b in before.items() if n not in health}
    [source] = json.loads(after["status.json"])["sources"]
    assert source["ok"] is False and "none of its 10 entries" in source["last_error"]


def test_a_feed_that_still_fails_validation_is_not_published_and_nothing_changes(
        tmp_path, httpserver, monkeypatch):
    import feedmaker.write.atom as atom

    config, before = published_once(tmp_path, httpserver)
    skeleton = atom.skeleton  # the last guard: a feed whose own parts are invalid
    monkeypatch.setattr(atom, "skeleton", lambda site, feed: skeleton(site, feed).replace(
        b"<id>", b"<id>not an IRI ", 1))
    serve(httpserver, daily_items())
    with pytest.raises(ValidationError, match="nothing was published"):
        run(config, now=NOW + timedelta(hours=1))
    assert {p.name: p.read_bytes() for p in config.site.out_dir.iterdir()} == before
    with Store(config.site.state, NOW) as store:
        assert store.history.count() == 10


def test_a_paper_dated_in_the_future_gets_its_first_seen_time_and_a_warning(tmp_path, httpserver):
    items = daily_items()[:2]
    items[0]["paper"]["publishedAt"] = "2099-01-01T00:00:00.000Z"
    config = config_for(tmp_path, httpserver)
    serve(httpserver, items)
    report = run(config, now=NOW)
    assert report.exit_code == 0
    assert any("in the future" in w for w in report.warnings)
    entry = feedparser.parse((config.site.out_dir / "all.atom").read_bytes()).entries
    dates = {e.id: e.published for e in entry}
    assert dates[f"https://arxiv.org/abs/{items[0]['paper']['id']}"] == "2026-05-18T12:00:00+00:00"


def test_html_in_titles_and_summaries_is_escaped_everywhere(tmp_path, httpserver):
    items = daily_items()[:1]
    items[0]["paper"]["title"] = 'Evil <script>alert("t")</script> & <b>bold</b>'
    items[0]["paper"]["summary"] = '<img src=x onerror=alert(1)> a & b'
    config = config_for(tmp_path, httpserver)
    serve(httpserver, items)
    run(config, now=NOW)
    out = config.site.out_dir
    index = (out / "index.html").read_text()
    assert "<script>" not in index and "&lt;script&gt;" in index
    parsed = feedparser.parse((out / "all.atom").read_bytes())
    assert parsed.bozo == 0
    assert parsed.entries[0].title == 'Evil <script>alert("t")</script> & <b>bold</b>'
    body = lxml.html.fragment_fromstring(parsed.entries[0].content[0].value, create_parent="div")
    # The one picture is the paper's thumbnail; the abstract's <img> is text.
    assert body.xpath("//img/@src") == [items[0]["thumbnail"]]
    assert body.xpath("//@onerror") == []
    assert "<img src=x onerror=alert(1)> a & b" in body.text_content()


def test_a_page_where_only_live_counters_changed_writes_only_the_status(
        tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items())
    run(config, now=NOW)
    items = daily_items()
    for item in items:
        item["paper"]["upvotes"] += 1  # shown nowhere, but the bytes differ
    serve(httpserver, items)
    report = run(config, now=NOW + timedelta(hours=1))
    # status.json tells when the sources were last read; nothing a reader sees changed.
    assert (report.seen, report.written) == (50, ["status.json"])
    assert len(report.unchanged) == output_count(config) - 1


def test_an_output_file_changed_or_deleted_by_hand_is_written_again(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items())
    run(config, now=NOW)
    out = config.site.out_dir
    original = (out / "vision.atom").read_bytes()
    (out / "vision.atom").write_bytes(b"tampered")
    (out / "index.html").unlink()
    report = run(config, now=NOW + timedelta(hours=1))
    assert sorted(report.written) == ["index.html", "status.json", "vision.atom"]
    assert (out / "vision.atom").read_bytes() == original


def test_changing_the_rules_retags_history_and_rewrites_the_feeds(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items())
    run(config, now=NOW)
    path = config.path
    path.write_text(path.read_text() + '\n[topics.avatars]\nany = ["avatar"]\n')
    report = run(load_config(path), now=NOW + timedelta(hours=1))
    assert "avatars.atom" in report.written and "all.atom" in report.written
    assert feed_ids(config.site.out_dir / "avatars.atom")


def test_a_topics_new_title_reaches_every_category_of_its_entries(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items()[:30])
    run(config, now=NOW)
    path = config.path
    path.write_text(path.read_text() + '\n[topics.vision]\ntitle = "Seeing"\nany = ["image"]\n'
                    '\n[topics.language]\nany = ["language"]\n')
    run(load_config(path), now=NOW + timedelta(hours=2))
    labels = etree.parse(str(config.site.out_dir / "vision.atom")).xpath(
        "//a:category[@term='vision']/@label", namespaces=ATOM_NS)
    assert labels and set(labels) == {"Seeing"}


def test_an_unchanged_run_writes_only_the_status_and_what_was_touched(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items()[:30])
    run(config, now=NOW)
    report = run(config, now=NOW + timedelta(hours=1))
    assert (report.exit_code, report.written) == (0, ["status.json"])
    assert len(report.unchanged) == output_count(config) - 1

    (config.site.out_dir / "vision.atom").unlink()
    report = run(config, now=NOW + timedelta(hours=2))
    assert report.written == ["vision.atom", "status.json"]


def test_an_unchanged_run_still_drops_papers_that_aged_out(tmp_path, httpserver):
    config = config_for(tmp_path, httpserver)
    path = config.path
    path.write_text(path.read_text().replace("[site]", "[site]\nmax_age_days = 5"))
    config = load_config(path)
    serve(httpserver, daily_items()[:30])
    run(config, now=NOW)
    before = (config.site.out_dir / "all.atom").read_text().count("<entry>")
    report = run(config, now=NOW + timedelta(days=30))
    assert "all.atom" in report.written
    assert (config.site.out_dir / "all.atom").read_text().count("<entry>") < before


def test_feeds_of_new_and_earlier_papers_pass_the_whole_file_validation(
        tmp_path, httpserver):
    from feedmaker.validate import validate_paths

    config = config_for(tmp_path, httpserver)
    serve(httpserver, daily_items()[:30])
    run(config, now=NOW)
    serve(httpserver, daily_items())  # 20 new papers, 30 from before
    run(config, now=NOW + timedelta(hours=1))
    count, problems = validate_paths([config.site.out_dir], NOW + timedelta(hours=1))
    assert (count, problems) == (len(config.feeds), [])


def test_a_topic_taken_out_of_the_config_takes_its_files_with_it(tmp_path, httpserver):
    serve(httpserver, daily_items()[:10])
    path = write_config(tmp_path, [("hf", "hf-api", httpserver.url_for(API))],
                        '\n[topics.vision]\nany = ["image"]\n\n[topics.speech]\nany = ["audio"]\n'
                        '\n[views.mine]\nany = ["agent"]\n')
    run(load_config(path), now=NOW)
    out = tmp_path / "out"
    (out / "speech-notes.txt").write_text("mine")
    assert (out / "speech.atom").is_file() and (out / "mine.atom").is_file()
    path.write_text(path.read_text().split("[topics.speech]")[0])
    dry = run(load_config(path), now=NOW + timedelta(hours=1), dry_run=True)
    retired = ["mine.atom", "mine.html", "speech.atom", "speech.html"]  # feeds and pages
    assert dry.removed == retired and (out / "speech.atom").is_file()
    report = run(load_config(path), now=NOW + timedelta(hours=1))
    assert report.removed == retired
    assert not (out / "speech.atom").exists() and not (out / "mine.atom").exists()
    assert not (out / "speech.html").exists()
    assert (out / "speech-notes.txt").read_text() == "mine"
    assert "speech.atom" not in (out / "index.html").read_text()


def test_a_retired_file_someone_changed_since_is_left_alone(tmp_path, httpserver):
    serve(httpserver, daily_items()[:10])
    config = config_for(tmp_path, httpserver, 'formats = ["atom", "json"]\n')
    run(config, now=NOW)
    (config.site.out_dir / "vision.json").write_text("{}\n")
    config.path.write_text(config.path.read_text().replace('formats = ["atom", "json"]\n', ""))
    report = run(load_config(config.path), now=NOW + timedelta(hours=1))
    assert "all.json" in report.removed and "vision.json" not in report.removed
    assert (config.site.out_dir / "vision.json").read_text() == "{}\n"


def test_only_temporary_files_feedmaker_left_are_cleaned_up(tmp_path, httpserver):
    serve(httpserver, daily_items()[:10])
    config = config_for(tmp_path, httpserver)
    run(config, now=NOW)
    out = config.site.out_dir
    mine = [out / "draft.tmp", out / ".notes.tmp", out / ".all.atom.backup.tmp",
            out / ".index.html.mybackup.tmp"]
    for path in mine:
        path.write_text("keep")
    (out / ".all.atom.feedmaker-k3j_9x2a.tmp").write_text("<feed")  # a killed write
    run(config, now=NOW + timedelta(hours=1))
    assert not (out / ".all.atom.feedmaker-k3j_9x2a.tmp").exists()
    assert all(path.read_text() == "keep" for path in mine)
