"""The state store kept on a git branch between workflow runs, against a local bare repository
standing in for GitHub: the first run creates the branch, the next restores the history, a
push that lost a race goes on top of the winner, and a damaged state stops the run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from feedmaker.github import git as git_module
from feedmaker.github import statebranch
from feedmaker.github.git import token_config

from .conftest import ATOM_NS, daily_items

API = "/api/daily_papers"
STATE = ".feedmaker/state.sqlite"
BRANCH = "feedmaker-state"


@pytest.fixture(autouse=True)
def git_identity(tmp_path_factory, monkeypatch):
    """The tests' own git commits get an identity; no global or system config is read."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test User")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.org")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def git(*args, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def feedmaker(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feedmaker", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def remote(tmp_path, httpserver) -> Path:
    """A bare repository holding a user's feedmaker.toml, as GitHub would."""
    bare = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=tmp_path)
    work = tmp_path / "setup"
    git("clone", "--quiet", str(bare), str(work), cwd=tmp_path)
    (work / "feedmaker.toml").write_text(
        '[site]\ntitle = "Papers"\nbase_url = "http://localhost:8000/"\n\n'
        f'[[sources]]\nname = "hf"\ntype = "hf-api"\nurl = "{httpserver.url_for(API)}"\n'
        "min_interval = 0\n")
    git("add", "feedmaker.toml", cwd=work)
    git("commit", "--quiet", "-m", "my feeds", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    return bare


def serve(httpserver, items):
    httpserver.clear()
    httpserver.expect_request(API).respond_with_data(json.dumps(items),
                                                     content_type="application/json")


def checkout(remote: Path, name: str) -> Path:
    """A fresh clone of the default branch, as actions/checkout gives each run."""
    clone = remote.parent / name
    git("clone", "--quiet", str(remote), str(clone), cwd=remote.parent)
    return clone


def workflow_run(remote: Path, name: str) -> tuple[Path, list[subprocess.CompletedProcess]]:
    """The build job's steps in a fresh checkout: restore, run, finish, save."""
    clone = checkout(remote, name)
    steps = [feedmaker("github", "restore-state", "--state", STATE, cwd=clone)]
    run = feedmaker("run", "-q", "--base-url", "https://someone.github.io/feeds",
                    "--out", "_site", "--state", STATE, cwd=clone)
    steps += [run, feedmaker("github", "finish", "--run-status", str(run.returncode),
                             "--out", "_site", "--summary", "job-summary", cwd=clone)]
    steps.append(feedmaker("github", "save-state", "--state", STATE, cwd=clone))
    for step in steps:
        assert step.returncode == 0, step.args + [step.stderr]
    return clone, steps


def entries(atom: Path) -> dict[str, str]:
    """Each entry's id and its `updated`."""
    tree = etree.parse(str(atom))
    return {entry.findtext("a:id", namespaces=ATOM_NS): entry.findtext("a:updated",
                                                                        namespaces=ATOM_NS)
            for entry in tree.xpath("/a:feed/a:entry", namespaces=ATOM_NS)}


def branch_log(remote: Path) -> list[str]:
    return git("rev-list", "--first-parent", BRANCH, cwd=remote).split()


def test_the_first_run_creates_the_branch_with_only_the_state_store_and_a_readme(
        remote, httpserver):
    serve(httpserver, daily_items())
    clone, (restore, *_rest, save) = workflow_run(remote, "run-1")
    assert "no branch feedmaker-state" in restore.stdout and "new history" in restore.stdout
    assert "saved" in save.stdout
    assert git("ls-tree", "--name-only", BRANCH, cwd=remote).split() == ["README.md",
                                                                         "state.sqlite"]
    [commit] = branch_log(remote)
    assert git("log", "-1", "--format=%an <%ae>", commit, cwd=remote).startswith(
        "github-actions[bot] <")
    assert git("rev-list", "--max-parents=0", commit, cwd=remote) == commit  # an orphan
    assert git("rev-parse", "main", cwd=remote) != commit  # main is untouched


def test_the_committed_state_is_the_whole_store_not_what_sits_in_its_wal(remote, httpserver):
    serve(httpserver, daily_items())
    clone, _ = workflow_run(remote, "run-1")
    committed = remote.parent / "committed.sqlite"
    committed.write_bytes(subprocess.run(["git", "cat-file", "blob", f"{BRANCH}:state.sqlite"],
                                         cwd=remote, check=True, capture_output=True).stdout)
    with sqlite3.connect(f"{committed.as_uri()}?immutable=1", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 50


def test_the_second_run_restores_the_history_and_a_reader_sees_no_entry_again(
        remote, httpserver):
    items = daily_items()
    serve(httpserver, items[10:])
    first, _ = workflow_run(remote, "run-1")
    serve(httpserver, items)  # ten papers more on the listing
    second, (restore, *_rest) = workflow_run(remote, "run-2")
    assert restore.stdout.startswith(f"restored {STATE}")
    before, after = entries(first / "_site" / "all.atom"), entries(second / "_site" / "all.atom")
    assert len(before) == 40 and len(after) == 50
    assert {entry_id: after[entry_id] for entry_id in before} == before  # same ids, same dates
    assert len(branch_log(remote)) == 2


def test_a_run_over_an_unchanged_listing_gives_the_same_feeds_from_a_fresh_checkout(
        remote, httpserver):
    serve(httpserver, daily_items())
    first, _ = workflow_run(remote, "run-1")
    second, _ = workflow_run(remote, "run-2")
    for name in ("all.atom", "feeds.opml"):
        assert (second / "_site" / name).read_bytes() == (first / "_site" / name).read_bytes()


def test_the_branch_keeps_the_newest_states_and_drops_older_ones(remote, httpserver):
    serve(httpserver, daily_items())
    clone = checkout(remote, "local")
    states = []
    for number in range(5):
        (clone / STATE).unlink(missing_ok=True)
        assert feedmaker("github", "restore-state", cwd=clone).returncode == 0
        with sqlite3.connect(clone / STATE) as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('run', ?)", (str(number),))
        db.close()
        saved = feedmaker("github", "save-state", "--keep", "3", "--message", f"run {number}",
                          cwd=clone)
        assert saved.returncode == 0, saved.stderr
        states.append(git("rev-parse", f"{BRANCH}:state.sqlite", cwd=remote))
    log = branch_log(remote)
    assert [git("log", "-1", "--format=%s", c, cwd=remote) for c in log] == [
        "run 4", "run 3", "run 2"]
    assert [git("rev-parse", f"{c}:state.sqlite", cwd=remote) for c in log] == states[:1:-1]
    assert "(3 states kept)" in saved.stdout


def test_a_save_that_lost_a_race_goes_on_top_of_the_winner(remote, httpserver):
    winner, loser = two_runs(remote, httpserver)
    assert feedmaker("github", "save-state", cwd=winner).returncode == 0
    won = branch_log(remote)[0]
    lost = feedmaker("github", "save-state", cwd=loser)
    assert lost.returncode == 0, lost.stderr
    assert f"another run saved the state on {BRANCH}" in lost.stderr and won[:12] in lost.stderr
    tip, below, *_ = branch_log(remote)
    assert below == won  # the winner's state stays in the history
    assert git("rev-parse", f"{tip}:state.sqlite", cwd=remote) != git(
        "rev-parse", f"{won}:state.sqlite", cwd=remote)
    assert won in git("log", "-1", "--format=%B", tip, cwd=remote)
    # The next run restores the newer state: the loser's.
    nxt = checkout(remote, "next")
    assert feedmaker("github", "restore-state", cwd=nxt).returncode == 0
    assert (nxt / STATE).read_bytes() == git_blob(remote, f"{tip}:state.sqlite")


def test_a_save_that_finds_the_same_state_already_saved_pushes_nothing_and_does_not_warn(
        remote, httpserver):
    serve(httpserver, daily_items())
    workflow_run(remote, "run-1")
    first, second = checkout(remote, "first"), checkout(remote, "second")
    for clone in (first, second):
        assert feedmaker("github", "restore-state", cwd=clone).returncode == 0
    with sqlite3.connect(first / STATE) as db:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('test', 'a newer state')")
    db.close()
    # Both runs end with the same bytes (two runs of an unchanged listing in one second).
    (second / STATE).write_bytes((first / STATE).read_bytes())
    assert feedmaker("github", "save-state", cwd=first).returncode == 0
    before = branch_log(remote)
    again = feedmaker("github", "save-state", cwd=second)
    assert again.returncode == 0, again.stderr
    assert "nothing to push" in again.stdout
    assert "another run saved" not in again.stderr
    assert branch_log(remote) == before


def two_runs(remote: Path, httpserver) -> tuple[Path, Path]:
    """Two checkouts that restored the same state and ran, each with a state of its own."""
    serve(httpserver, daily_items())
    workflow_run(remote, "run-1")
    winner, loser = checkout(remote, "winner"), checkout(remote, "loser")
    for clone in (winner, loser):
        assert feedmaker("github", "restore-state", cwd=clone).returncode == 0
        assert feedmaker("run", "-q", "--out", "_site", "--state", STATE,
                         cwd=clone).returncode == 0
    # Two runs in the same second may leave the same bytes.
    with sqlite3.connect(loser / STATE) as db:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('test', 'this run')")
    db.close()
    return winner, loser


def git_blob(remote: Path, spec: str) -> bytes:
    return subprocess.run(["git", "cat-file", "blob", spec], cwd=remote, check=True,
                          capture_output=True).stdout


def test_a_push_whose_lease_fails_is_retried_on_top_of_the_push_that_won(
        remote, httpserver, monkeypatch):
    """The other run pushes between this run's fetch and its push: the lease refuses the
    push, and the retry goes on top."""
    winner, loser = two_runs(remote, httpserver)
    fetch_tip, calls, pauses = statebranch._fetch_tip, [], []

    def fetch_then_lose_the_race(git, branch, depth):
        tip = fetch_tip(git, branch, depth)
        if not calls:
            assert feedmaker("github", "save-state", cwd=winner).returncode == 0
        calls.append(tip)
        return tip

    monkeypatch.setattr(statebranch, "_fetch_tip", fetch_then_lose_the_race)
    monkeypatch.setattr(statebranch, "sleep", pauses.append)
    warnings = []
    saved = statebranch.save(loser / STATE, warn=warnings.append)
    won = calls[1]
    assert calls[0] != won and saved.replaced == (won,) and len(warnings) == 1
    assert pauses == [2.0]
    assert branch_log(remote)[:2] == [saved.commit, won]


def test_a_save_gives_up_after_bounded_attempts_when_others_keep_pushing_first(
        remote, httpserver, monkeypatch):
    serve(httpserver, daily_items())
    workflow_run(remote, "run-1")
    loser = checkout(remote, "loser")
    assert feedmaker("github", "restore-state", cwd=loser).returncode == 0
    other = checkout(remote, "other")
    fetch_tip = statebranch._fetch_tip

    def another_push_each_time(git, branch, depth):
        tip = fetch_tip(git, branch, depth)
        git_commit = subprocess.run(
            ["git", "commit-tree", f"{tip}^{{tree}}", "-p", tip, "-m", "other"], cwd=other,
            check=True, capture_output=True, text=True).stdout.strip()
        subprocess.run(["git", "fetch", "--quiet", str(remote), BRANCH], cwd=other, check=True)
        subprocess.run(["git", "push", "--quiet", str(remote),
                        f"{git_commit}:refs/heads/{BRANCH}"], cwd=other, check=True)
        return tip

    monkeypatch.setattr(statebranch, "_fetch_tip", another_push_each_time)
    with sqlite3.connect(loser / STATE) as db:  # this run changed the state
        db.execute("INSERT OR REPLACE INTO meta VALUES ('changed', 'yes')")
    db.close()
    pauses = []
    monkeypatch.setattr(statebranch, "sleep", pauses.append)
    monkeypatch.setattr(statebranch, "ATTEMPTS", 3)
    with pytest.raises(statebranch.GitError, match="failed 3 times: other runs kept pushing"):
        statebranch.save(loser / STATE)
    assert pauses == [2.0, 4.0]


def test_a_push_that_lands_though_git_times_out_is_reported_as_saved(remote, httpserver,
                                                                     monkeypatch):
    serve(httpserver, daily_items())
    workflow_run(remote, "run-1")
    clone = checkout(remote, "slow")
    assert feedmaker("github", "restore-state", cwd=clone).returncode == 0
    with sqlite3.connect(clone / STATE) as db:  # this run changed the state
        db.execute("INSERT OR REPLACE INTO meta VALUES ('changed', 'yes')")
    db.close()
    # The remote takes the push, then keeps git waiting past its timeout.
    hook = remote / "hooks" / "post-receive"
    hook.write_text("#!/bin/sh\nsleep 3\n")
    hook.chmod(0o755)
    monkeypatch.setattr(git_module, "NETWORK_TIMEOUT", 1.5)
    saved = statebranch.save(clone / STATE)
    assert saved.commit is not None and saved.replaced == ()
    assert branch_log(remote)[0] == saved.commit


def commit_state(remote: Path, data: bytes) -> None:
    """Put `data` on the state branch as its state.sqlite, as a damaged save would."""
    work = checkout(remote, "damage")
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=work, input=data,
                          check=True, capture_output=True).stdout.decode().strip()
    tree = subprocess.run(["git", "mktree"], cwd=work, check=True, capture_output=True,
                          input=f"100644 blob {blob}\tstate.sqlite\n".encode()
                          ).stdout.decode().strip()
    commit = git("commit-tree", tree, "-m", "damaged", cwd=work)
    git("push", "--quiet", "--force", "origin", f"{commit}:refs/heads/{BRANCH}", cwd=work)


@pytest.mark.parametrize("damage", ["not a database", "torn pages"])
def test_a_damaged_state_on_the_branch_stops_the_run_with_one_clear_line(
        remote, httpserver, damage):
    serve(httpserver, daily_items())
    first, _ = workflow_run(remote, "run-1")
    good = git_blob(remote, f"{BRANCH}:state.sqlite")
    if damage == "not a database":
        data = b"<html>this is not the state store</html>" * 100
    else:  # the file's header is fine; pages in the middle are overwritten
        data = good[:8192] + b"\xff" * 16384 + good[8192 + 16384:]
    commit_state(remote, data)
    clone = checkout(remote, "run-2")
    restore = feedmaker("github", "restore-state", cwd=clone)
    assert restore.returncode == 3
    [line] = restore.stderr.splitlines()
    assert line.startswith("feedmaker: ") and BRANCH in line and "state.sqlite" in line
    assert ("not an SQLite database" in line if damage == "not a database"
            else "damaged" in line)
    assert "Traceback" not in restore.stderr and "nothing was run or published" in line
    # No state store, not even a part of one: only the scratch repository.
    assert [p.name for p in (clone / ".feedmaker").iterdir()] == ["state.sqlite.git"]


def test_a_damaged_local_state_is_not_saved_and_the_branch_keeps_the_last_good_one(
        remote, httpserver):
    serve(httpserver, daily_items())
    workflow_run(remote, "run-1")
    before = branch_log(remote)
    clone = checkout(remote, "run-2")
    assert feedmaker("github", "restore-state", cwd=clone).returncode == 0
    data = (clone / STATE).read_bytes()
    (clone / STATE).write_bytes(data[:8192] + b"\x00" * 16384 + data[8192 + 16384:])
    saved = feedmaker("github", "save-state", cwd=clone)
    assert saved.returncode == 3 and "not saving it" in saved.stderr
    assert branch_log(remote) == before


def test_restore_never_replaces_an_existing_state_store(remote, httpserver):
    serve(httpserver, daily_items())
    workflow_run(remote, "run-1")
    clone = checkout(remote, "local")
    (clone / ".feedmaker").mkdir()
    (clone / STATE).write_bytes(b"mine")
    restore = feedmaker("github", "restore-state", cwd=clone)
    assert restore.returncode == 2 and "already exists" in restore.stderr
    assert (clone / STATE).read_bytes() == b"mine"


def test_save_without_a_restore_first_is_refused(remote, tmp_path):
    clone = checkout(remote, "local")
    (clone / ".feedmaker").mkdir()
    sqlite3.connect(clone / STATE).close()
    saved = feedmaker("github", "save-state", cwd=clone)
    assert saved.returncode == 2 and "restore-state" in saved.stderr
    assert git("branch", "--list", BRANCH, cwd=remote) == ""


def test_a_remote_that_cannot_be_read_is_an_error_never_a_first_run(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    git("init", "--quiet", cwd=clone)
    git("remote", "add", "origin", str(tmp_path / "no-such-remote.git"), cwd=clone)
    restore = feedmaker("github", "restore-state", cwd=clone)
    assert restore.returncode == 1
    [line] = restore.stderr.splitlines()
    assert "no-such-remote.git" in line and "git ls-remote" in line


def test_under_github_actions_a_failure_is_also_an_error_annotation(remote, httpserver,
                                                                   monkeypatch):
    serve(httpserver, daily_items())
    workflow_run(remote, "run-1")
    commit_state(remote, b"garbage" * 1000)
    clone = checkout(remote, "run-2")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    restore = feedmaker("github", "restore-state", cwd=clone)
    assert restore.returncode == 3
    [annotation] = restore.stdout.splitlines()
    assert annotation.startswith("::error title=feedmaker::") and BRANCH in annotation


def test_the_token_goes_to_git_in_its_environment_for_the_remote_host_only():
    config = token_config("https://github.com/someone/feeds", "s3cret")
    assert config["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    assert config["GIT_CONFIG_VALUE_0"] == "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46czNjcmV0"
    assert token_config("/srv/git/feeds.git", "s3cret") == {}
    assert token_config("https://github.com/someone/feeds", None) == {}


def test_a_remote_with_a_password_or_a_token_in_its_url_never_shows_them(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "feedmaker", "github", "restore-state", "--state",
         str(tmp_path / "state.sqlite"), "--remote",
         "https://user:hunter2@127.0.0.1:1/repo.git?token=s3cret"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "git ls-remote (https://127.0.0.1:1/repo.git) failed" in done.stderr
    shown = done.stderr + done.stdout
    assert "hunter2" not in shown and "s3cret" not in shown


def test_a_state_commit_made_again_keeps_its_people_dates_and_message(tmp_path):
    # Older states are made again on top of a new root when the branch is cut: each must
    # keep what it said, a date before 1973 (fewer than 9 digits) and a bare message too.
    repo = tmp_path / "repo.git"
    git("init", "--quiet", "--bare", str(repo), cwd=tmp_path)
    tree = git("--git-dir", str(repo), "hash-object", "-w", "-t", "tree", "/dev/null",
               cwd=tmp_path)
    dated = {"GIT_AUTHOR_DATE": "@99999999 +0100", "GIT_COMMITTER_DATE": "@1700000000 -0530"}
    old = subprocess.run(["git", "--git-dir", str(repo), "commit-tree", tree, "-m", "state"],
                         cwd=tmp_path, env={**os.environ, **dated}, check=True,
                         capture_output=True, text=True).stdout.strip()
    again = statebranch._recommit(statebranch.Git(repo, "unused"), old, None)
    assert git("--git-dir", str(repo), "cat-file", "commit", again, cwd=tmp_path) == \
        git("--git-dir", str(repo), "cat-file", "commit", old, cwd=tmp_path)


def test_a_remote_that_looks_like_an_option_is_refused_before_git_reads_it(remote, tmp_path):
    # git ls-remote would take it as its --upload-pack option and run the command.
    clone = checkout(remote, "local")
    marker = tmp_path / "ran"
    restore = feedmaker("github", "restore-state", f"--remote=--upload-pack=touch {marker}",
                        cwd=clone)
    assert (restore.returncode, restore.stderr) == (
        2, f"feedmaker: --remote '--upload-pack=touch {marker}': not a URL or path of a "
           "repository\n")
    assert not marker.exists() and not (clone / ".feedmaker").exists()


def test_a_state_path_where_no_folder_can_be_is_bad_usage_naming_it(remote, tmp_path):
    clone = checkout(remote, "local")
    (clone / "file").write_text("x")
    restore = feedmaker("github", "restore-state", "--state", "file/state.sqlite", cwd=clone)
    assert (restore.returncode, restore.stderr) == (
        2, "feedmaker: file/state.sqlite.git: cannot keep the state store there: Not a "
           "directory\n")
    too_long = "a" * 300 + ".sqlite"  # stat() fails, as in a folder that cannot be searched
    saved = feedmaker("github", "save-state", "--state", too_long, cwd=clone)
    assert (saved.returncode, saved.stderr) == (
        2, f"feedmaker: {too_long}: cannot read the state store: File name too long\n")
