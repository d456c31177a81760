"""docs/deploy.md tried as a new user would: every shell command it shows runs, in order,
from an empty folder, with git's `insteadOf` turning github.com's URLs into local bare
repositories (a workflow run is played where the docs say one has happened); only the
lines marked `# needs ...` (installing from GitHub, the network) are left out."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import fixture_bytes

REPO = Path(__file__).parent.parent
DOC = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
STATE = ".feedmaker/state.sqlite"


def sections() -> list[tuple[str, list[str]]]:
    """Each `##` section's title and its shell blocks' commands, in order."""
    found = []
    for part in re.split(r"^## ", DOC, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        blocks = re.findall(r"```sh\n(.*?)```", body, re.S)
        found.append((title, [line for block in blocks for line in block.splitlines()
                              if line.strip() and "# needs " not in line]))
    return found


class Sandbox:
    """An empty home with github.com's URLs mapped to bare repositories under `github/`."""

    def __init__(self, root: Path) -> None:
        self.root, self.home, self.github = root, root / "home", root / "github"
        self.home.mkdir()
        (self.github / "YOU").mkdir(parents=True)
        self.git("init", "--quiet", "--bare", str(self.github / "YOU" / "my-feeds.git"))
        (self.home / "gitconfig").write_text(
            f'[url "{self.github.as_uri()}/"]\n\tinsteadOf = https://github.com/\n'
            "[user]\n\tname = New User\n\temail = new@example.org\n")
        bin_dir = str(Path(sys.executable).parent)
        self.env = {**os.environ, "HOME": str(self.home), "PATH": f"{bin_dir}:{os.environ['PATH']}",
                    "GIT_CONFIG_GLOBAL": str(self.home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
        for name in ("GITHUB_TOKEN", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
            self.env.pop(name, None)
        self.cwd = self.home

    def git(self, *args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=cwd or self.root, text=True,
                              capture_output=True, env=getattr(self, "env", None))
        assert done.returncode == 0, done.stderr
        return done.stdout

    def shell(self, commands: list[str]) -> subprocess.CompletedProcess:
        """Run the commands in bash from where the last ones left off."""
        where = self.root / "cwd"
        script = "\n".join(["set -euo pipefail", *commands, f'pwd > "{where}"'])
        done = subprocess.run(["bash", "-c", script], cwd=self.cwd, env=self.env, text=True,
                              capture_output=True, timeout=300)
        if done.returncode == 0:
            self.cwd = Path(where.read_text().strip())
        return done

    def workflow_run(self, name: str) -> None:
        """What the workflow does on GitHub, over a local capture instead of the network."""
        clone = self.root / name
        self.git("clone", "--quiet", "https://github.com/YOU/my-feeds.git", str(clone))
        (self.root / "capture.json").write_bytes(
            fixture_bytes("hf_daily_papers_2026-05-18.json"))
        config = self.root / "offline.toml"
        config.write_text(f'[[sources]]\nname = "hf"\ntype = "hf-api"\n'
                          f'url = "{(self.root / "capture.json").as_uri()}"\n')
        done = self.shell([f"cd {clone}", "feedmaker github restore-state",
                           f"feedmaker run -q --config {config} --out _site --state {STATE}",
                           "feedmaker github save-state"])
        assert done.returncode == 0, done.stderr


def test_following_the_deploy_doc_from_an_empty_folder_works(tmp_path):
    sandbox = Sandbox(tmp_path)
    ran, runs = [], 0
    for title, commands in sections():
        if title in ("A damaged state", "Moving the state to a server later"):
            remote = sandbox.github / "YOU" / "my-feeds.git"
            # The workflow has run (twice, so that there is an earlier state to go back to).
            while runs < 2 or "feedmaker-state" not in sandbox.git("branch", cwd=remote):
                runs += 1
                sandbox.workflow_run(f"run-{runs}")
        if commands:
            done = sandbox.shell(commands)
            assert done.returncode == 0, f"{title}:\n{done.stdout}{done.stderr}"
            ran += commands
        if title == "Your own feeds in five minutes":
            check_the_five_minutes(sandbox)
        if title == "Moving the state to a server later":
            assert (sandbox.cwd / STATE).is_file()
    assert "feedmaker init --github" in ran and "git push --quiet -u origin main" in ran
    assert len(ran) >= 12


def check_the_five_minutes(sandbox: Sandbox) -> None:
    """The steps give the files they name, committed and pushed."""
    work = sandbox.cwd
    assert work.name == "my-feeds"
    named = set(re.findall(r"`([\w./-]+\.(?:toml|yml))`", DOC.split("### Or fork")[0]))
    assert named == {"feedmaker.toml", ".github/workflows/feeds.yml"}
    assert {path for path in named if (work / path).is_file()} == named
    pushed = sandbox.git("ls-tree", "-r", "--name-only", "main",
                         cwd=sandbox.github / "YOU" / "my-feeds.git").split()
    assert sorted(pushed) == sorted(named)


@pytest.mark.parametrize("line", [line for block in re.findall(r"```sh\n(.*?)```", DOC, re.S)
                                  for line in block.splitlines() if "# needs " in line])
def test_only_installing_from_github_and_fetching_papers_are_left_out(line):
    assert line.startswith(("pipx install ", "feedmaker run "))
