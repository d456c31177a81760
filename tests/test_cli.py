"""The command line: exit statuses, messages and help as docs/operations.md gives them."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from feedmaker.cli import cli
from feedmaker.config import load_config
from feedmaker.store import run_lock

from .conftest import fixture_bytes, output_count, write_config

COMMANDS = ["run", "init", "validate"]


@pytest.fixture
def capture_config(tmp_path):
    (tmp_path / "capture.json").write_bytes(fixture_bytes("hf_daily_papers_2026-05-18.json"))
    return write_config(tmp_path, [("hf", "hf-api", "file:capture.json")])


def invoke(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_run_prints_one_summary_line_and_exits_0(capture_config, tmp_path):
    result = invoke("run", "--config", capture_config)
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    files = output_count(load_config(capture_config))
    assert line.startswith(
        f"1 sources (0 failed), 50 entries seen: 50 new, 0 updated; wrote {files} files")
    assert str(tmp_path / "out" / "index.html") in line


def test_run_quiet_prints_nothing_on_success(capture_config):
    result = invoke("run", "--config", capture_config, "-q")
    assert (result.exit_code, result.output) == (0, "")


def test_run_verbose_shows_each_step(capture_config):
    result = invoke("run", "--config", capture_config, "-v")
    assert "source 'hf': 50 entries" in result.output


def test_run_exits_1_and_names_the_failed_source(tmp_path):
    config = write_config(tmp_path, [("hf", "hf-api", "file:missing.json")])
    result = invoke("run", "--config", config)
    assert result.exit_code == 1
    assert "error: source 'hf': file://" in result.output and "missing.json" in result.output


def test_each_failed_source_is_one_line_on_stderr_and_quiet_prints_nothing_else(tmp_path):
    config = write_config(tmp_path, [("one", "hf-api", "file:missing-1.json"),
                                     ("two", "feed", "file:missing-2.xml")])
    result = CliRunner().invoke(cli, ["run", "-q", "--config", str(config)])
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("feedmaker: error: source 'one': file://")
    assert lines[1].startswith("feedmaker: error: source 'two': file://")


def test_a_config_broken_after_a_good_run_changes_nothing(capture_config, tmp_path):
    assert invoke("run", "-q", "--config", capture_config).exit_code == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".toml"}
    capture_config.write_text(capture_config.read_text().replace("max_entries = 100",
                                                                 "max_entries = -1"))
    result = invoke("run", "--config", capture_config)
    assert result.exit_code == 2
    assert f"{capture_config}:6: site.max_entries: must be a whole number" in result.output
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".toml"}
    assert after == before


def test_run_exits_2_on_a_bad_config_and_writes_nothing(tmp_path):
    config = write_config(tmp_path, [("hf", "nope", "file:x.json")])
    result = invoke("run", "--config", config)
    assert result.exit_code == 2
    assert f"feedmaker: {config}:11: sources[1].type: must be one of" in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "state").exists()


def test_run_exits_75_when_another_run_holds_the_lock(capture_config, tmp_path):
    with run_lock(tmp_path / "state" / "state.sqlite"):
        result = invoke("run", "--config", capture_config)
    assert result.exit_code == 75
    assert "another feedmaker run holds" in result.output


def test_run_out_and_state_options_override_the_config(capture_config, tmp_path):
    result = invoke("run", "--config", capture_config, "--out", tmp_path / "o",
                    "--state", tmp_path / "s.sqlite", "-q")
    assert result.exit_code == 0
    assert (tmp_path / "o" / "all.atom").is_file() and (tmp_path / "s.sqlite").is_file()


def test_init_writes_a_starter_config_that_loads_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "feedmaker.toml"
    assert invoke("init", path).exit_code == 0
    text = path.read_text()
    assert "[site]" in text and "base_url" in text and "# " in text
    again = invoke("init", path)
    assert again.exit_code == 2 and "already exists" in again.output
    assert path.read_text() == text


def test_validate_exits_0_for_generated_feeds_and_1_with_file_line_messages(
        capture_config, tmp_path):
    invoke("run", "--config", capture_config, "-q")
    ok = invoke("validate", tmp_path / "out")
    feeds = len(load_config(capture_config).feeds)
    assert ok.exit_code == 0 and f"{feeds} feeds valid" in ok.output
    bad = tmp_path / "bad.atom"
    bad.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')
    result = invoke("validate", bad)
    assert result.exit_code == 1
    assert result.output.startswith(f"{bad}:1: ")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself_with_help_and_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_python_dash_m_feedmaker_works():
    result = subprocess.run([sys.executable, "-m", "feedmaker", "--help"],
                            capture_output=True, text=True, check=True)
    for command in COMMANDS:
        assert command in result.stdout


def test_validate_checks_json_feeds_too_and_counts_in_words(tmp_path):
    (tmp_path / "c.json").write_bytes(fixture_bytes("hf_daily_papers_2026-05-18.json"))
    config = write_config(tmp_path, [("hf", "hf-api", "file:c.json")])
    config.write_text(config.read_text().replace('author = "tester"',
                                                 'author = "tester"\nformats = ["atom", "json"]'))
    assert invoke("run", "--config", config, "-q").exit_code == 0
    ok = invoke("validate", tmp_path / "out")
    assert ok.exit_code == 0 and ok.output == "36 feeds valid\n"
    one = invoke("validate", tmp_path / "out" / "all.json")
    assert one.exit_code == 0 and one.output == "1 feed valid\n"
    broken = tmp_path / "out" / "all.json"
    broken.write_text(broken.read_text().replace('"version"', '"versio"'))
    bad = CliRunner().invoke(cli, ["validate", str(broken)])
    assert bad.exit_code == 1
    assert bad.stdout.startswith(f"{broken}:1: version None is not https://jsonfeed.org/")
    assert bad.stderr == "1 problem in 1 feed\n"


def test_validate_calls_a_folder_without_feeds_a_problem(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == f"{tmp_path}:0: no feeds here (no *.atom or *.json file)\n"
    assert result.stderr == "1 problem in 0 feeds\n"


def test_init_into_a_path_that_cannot_be_looked_at_exits_2_naming_it(tmp_path):
    too_long = tmp_path / ("a" * 300)  # stat() fails, as in a folder that cannot be searched
    result = invoke("init", too_long)
    assert (result.exit_code, result.output) == (
        2, f"feedmaker: {too_long}: cannot write: File name too long\n")
