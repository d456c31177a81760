"""`feedmaker github finish`: a job publishes after exit 0 or 1 with a complete site, fails on
anything else, and its summary shows each source's and feed's health from status.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedmaker.cli import cli
from feedmaker.github.outcome import annotations, decide, summary

from .conftest import fixture_bytes, write_config


@pytest.fixture
def site(tmp_path) -> Path:
    """A real run's output, one source working and one failing (exit 1)."""
    (tmp_path / "capture.json").write_bytes(fixture_bytes("hf_daily_papers_2026-05-18.json"))
    config = write_config(tmp_path, [("hf", "hf-api", "file:capture.json"),
                                     ("broken", "feed", "file:missing.xml")])
    result = CliRunner().invoke(cli, ["run", "-q", "--config", str(config)])
    assert result.exit_code == 1, result.output
    return tmp_path / "out"


def finish(*args, env=None):
    return CliRunner().invoke(cli, ["github", "finish", *map(str, args)], env=env or {})


@pytest.mark.parametrize("status", [0, 1])
def test_exit_0_and_1_publish_a_complete_site(site, status):
    outcome = decide(status, site)
    assert (outcome.publish, outcome.exit_code) == (True, 0)


@pytest.mark.parametrize("status", [2, 3, 70, 75, 130])
def test_every_other_exit_status_fails_the_job_with_that_status_and_publishes_nothing(
        site, status):
    outcome = decide(status, site)
    assert (outcome.publish, outcome.exit_code) == (False, status)
    assert f"exited {status}" in outcome.headline and "site stays as it was" in outcome.headline


@pytest.mark.parametrize("remove", ["status.json", "vision.atom", "index.html"])
def test_an_incomplete_site_is_not_published_even_after_exit_0(site, remove):
    (site / remove).unlink()
    outcome = decide(0, site)
    assert (outcome.publish, outcome.exit_code) == (False, 1)
    assert remove in outcome.headline


def test_finish_exits_0_and_writes_a_summary_row_per_source_and_feed(site, tmp_path):
    summary = tmp_path / "job-summary"
    result = finish("--run-status", 1, "--out", site, "--summary", summary)
    assert result.exit_code == 0, result.output
    text = summary.read_text()
    assert text.startswith("### feedmaker: published\n")
    status = json.loads((site / "status.json").read_text())
    [hf] = [line for line in text.splitlines() if line.startswith("| hf |")]
    assert "| ok |" in hf and "| 50 |" in hf
    [broken] = [line for line in text.splitlines() if line.startswith("| broken |")]
    assert "failing since" in broken and "missing.xml" in broken
    for feed in status["feeds"]:
        title = feed["title"].replace("&", "&amp;")
        assert f"| {feed['slug']} | {title} | {feed['entries']} |" in text


def test_finish_appends_to_the_step_summary_and_fails_the_job_after_exit_3(site, tmp_path):
    summary = tmp_path / "step-summary"
    summary.write_text("earlier step\n")
    result = finish("--run-status", 3, "--out", site,
                    env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 3
    assert "state store cannot be used" in result.stderr
    assert summary.read_text().startswith("earlier step\n### feedmaker: not published\n")


def test_a_summary_that_cannot_be_written_is_a_warning_and_the_site_still_publishes(
        site, tmp_path):
    result = finish("--run-status", 1, "--out", site, env={"GITHUB_STEP_SUMMARY": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert f"feedmaker: {tmp_path}: cannot write the summary: Is a directory" in result.stderr


def test_without_a_status_json_the_summary_says_the_run_wrote_no_site(tmp_path):
    result = finish("--run-status", 2, "--out", tmp_path / "_site")
    assert result.exit_code == 2
    assert "bad config or usage" in result.output and "the run wrote no site" in result.output


def test_under_github_actions_each_failing_source_is_a_warning_annotation(site):
    result = finish("--run-status", 1, "--out", site, "--summary", site.parent / "s",
                    env={"GITHUB_ACTIONS": "true"})
    [warning] = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert warning.startswith("::warning title=feedmaker%3A source broken::source 'broken'")


def test_hostile_source_errors_cannot_break_the_table_or_start_a_workflow_command(tmp_path):
    out = tmp_path / "_site"
    out.mkdir()
    error = "HTTP 500 | <script>alert(1)</script>\n::add-mask::x\r\n%0A::error::forged"
    (out / "status.json").write_text(json.dumps({
        "written": "2026-05-18T12:00:00Z", "feeds": [],
        "sources": [{"name": "evil|name", "type": "html", "ok": False, "last_error": error}]}))
    (out / "index.html").write_text("")
    result = finish("--run-status", 1, "--out", out, "--summary", tmp_path / "s",
                    env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 0
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == 1 and "%0A::add-mask" in commands[0] and "%250A" in commands[0]
    [row] = [line for line in (tmp_path / "s").read_text().splitlines() if "evil" in line]
    assert row.count(" | ") == 5 and "<script>" not in row and "&lt;script&gt;" in row


@pytest.mark.parametrize("document", [
    {"feeds": 3, "sources": "abc"},
    {"feeds": [{"files": [1]}, {"files": "x"}], "sources": [{"name": ["x"], "ok": 0}]},
    {"feeds": [{"files": {"atom": "http://[x/a.atom"}}]},
    {"feeds": [{"files": {"atom": "https://x.org/" + "a" * 300 + ".atom"}}]},
    {"feeds": [{"files": {"atom": "https://x.org/a\u0000.atom"}}]},
])
def test_a_status_json_of_odd_shapes_is_summed_up_without_a_crash(tmp_path,
                                                                 document):
    (tmp_path / "status.json").write_text(json.dumps(document))
    (tmp_path / "index.html").write_text("")
    outcome = decide(0, tmp_path)
    assert outcome.exit_code in (0, 1)
    assert "feedmaker" in summary(outcome, tmp_path)
    annotations(outcome)


@pytest.mark.parametrize("data", [b"[" * 100_000, b'{"sources": [{"name": "\\ud800"}]}'])
def test_a_status_json_too_deep_or_not_text_is_one_that_cannot_be_read(tmp_path, data):
    (tmp_path / "status.json").write_bytes(data)
    outcome = decide(0, tmp_path)
    assert (outcome.publish, outcome.exit_code, outcome.status) == (False, 1, None)


@pytest.mark.parametrize("status", [256, -1])
def test_a_run_status_no_process_exits_with_fails_the_job_with_1(tmp_path, status):
    assert decide(status, tmp_path).exit_code == 1
