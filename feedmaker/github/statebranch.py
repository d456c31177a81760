"""The state store kept on a git branch between runs: restored before a run, saved after it
on top of whatever another run pushed meanwhile, with the last few states kept as commits.

restore and save share a scratch bare repository beside the state store (`<state>.git`):
it remembers the remote, the branch and the commit the run started from, so save pushes to
where restore read, and knows when another run pushed in between.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import sleep

from feedmaker.errors import InputError, StoreError
from feedmaker.github import DEFAULT_KEEP, snapshot
from feedmaker.github.git import LOCAL_TIMEOUT, Git, GitError

STATE_FILE = "state.sqlite"
README_FILE = "README.md"
BASE = "refs/feedmaker/base"  # the commit this run's state was restored from, then saved as
TIP = "refs/feedmaker/tip"    # the branch as last fetched
ATTEMPTS = 5   # pushes tried when other runs keep pushing first
BACKOFF = 2.0  # seconds before the second push, doubled before each one after it

README = """\
# feedmaker's state

`state.sqlite` is feedmaker's state store: every paper the feeds show and what is known of
each source. The feeds workflow restores it before each run and saves it after
(`feedmaker github restore-state`, `feedmaker github save-state`), so the feeds keep their
history and no reader sees a paper twice. This branch's commits are the last saved states.

Do not edit this branch by hand. To go back to an earlier state, point the branch at an
older commit of it; to start a new history, delete the branch. feedmaker's
docs/deploy.md ("A damaged state") says how: https://github.com/feedmaker/feedmaker
"""


@dataclass(frozen=True)
class Saved:
    """What save did: the commit it pushed (None: the state was as on the branch), the
    tips other runs had pushed meanwhile (kept below it), and how many states the branch
    keeps now."""

    commit: str | None
    replaced: tuple[str, ...]
    kept: int


def scratch_dir(state: Path) -> Path:
    """The bare repository beside the state store that restore and save share."""
    return state.with_name(state.name + ".git")


def origin_url(cwd: Path) -> str:
    """The URL of `origin` in the git repository at `cwd`: the workflow's own repository."""
    try:
        done = subprocess.run(["git", "-C", str(cwd), "remote", "get-url", "origin"],
                              capture_output=True, timeout=LOCAL_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is None or done.returncode or not done.stdout.strip():
        raise InputError(f"{cwd}: no git repository with an 'origin' remote here; give "
                         "--remote URL")
    return done.stdout.decode().strip()


def restore(state: Path, remote: str, branch: str, *, token: str | None = None) -> str | None:
    """Fetch the state store on `branch` of `remote` into `state`, checked; the commit it
    was saved at, None on a first run.

    No branch yet means a first run: nothing is restored, and save will create it. A
    remote that cannot be read is an error, never a first run (that would start a new
    history and then replace the old one). A state on the branch that is not a sound
    feedmaker store is a StoreError, and nothing is written.
    """
    if remote.startswith("-"):  # git would read it as an option (--upload-pack=...)
        raise InputError(f"--remote {remote!r}: not a URL or path of a repository")
    scratch = scratch_dir(state)
    try:
        if state.exists() or state.with_name(state.name + "-wal").exists():
            raise InputError(f"{state} already exists: restore-state fills a new checkout "
                             "and never replaces a state store; move it away first")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
    except OSError as exc:  # a file where a folder goes, a folder this user may not write
        raise InputError(f"{exc.filename or state}: cannot keep the state store there: "
                         f"{exc.strerror}") from None
    git = Git(scratch, remote, token)
    git("init", "--bare", "--quiet")
    if git("check-ref-format", f"refs/heads/{branch}", ok=(0, 1)).returncode:
        raise InputError(f"--branch {branch!r}: not a valid branch name")
    git("config", "feedmaker.remote", remote)
    git("config", "feedmaker.branch", branch)
    commit = _fetch_tip(git, branch, depth=1)
    if commit is None:
        return None
    git("update-ref", BASE, commit)
    where = f"{remote} branch {branch} (commit {commit[:12]})"
    blob = git("cat-file", "blob", f"{commit}:{STATE_FILE}", ok=(0, 128))
    if blob.returncode:
        raise StoreError(f"{where}: holds no {STATE_FILE}; {_NOT_RUN}")
    state.parent.mkdir(parents=True, exist_ok=True)
    part = state.with_name(f".{state.name}.restoring")
    try:
        part.write_bytes(blob.stdout)
        problem = snapshot.check(part)
        if problem:
            raise StoreError(f"{where}: {STATE_FILE}: {problem}; {_NOT_RUN}")
        os.replace(part, state)
    finally:
        part.unlink(missing_ok=True)
    return commit


_NOT_RUN = ("nothing was run or published, and the site stays as it was; reset the branch "
            "to an earlier state or delete it (docs/deploy.md, \"A damaged state\")")


def save(state: Path, *, keep: int = DEFAULT_KEEP, message: str = "feedmaker state",
         token: str | None = None, warn: Callable[[str], None] = lambda message: None
         ) -> Saved:
    """Commit a complete copy of `state` to the branch it was restored from and push it.

    The new commit goes on top of the branch as it is now. When another run pushed since
    this one restored (or pushes between our fetch and our push, which the push's lease
    catches), this run's state goes on top of that one: the newer run's state is the one
    the next run restores, and the other stays in the branch's history, with a warning.
    The branch keeps the newest `keep` states: older commits are dropped by rewriting the
    ones kept onto a new root (a forced push, leased on the tip it rewrites).
    """
    scratch = scratch_dir(state)
    try:
        restored, there = (scratch / "config").is_file(), state.is_file()
    except OSError as exc:  # in a folder this user may not search, a name too long
        raise InputError(f"{state}: cannot read the state store: {exc.strerror}") from None
    if not restored:
        raise InputError(f"{state}: no state was restored here; run `feedmaker github "
                         "restore-state` before the run")
    if not there:
        raise InputError(f"{state}: no state store to save (the run did not make one)")
    local = Git(scratch, "")
    remote, branch = (local.text("config", f"feedmaker.{key}") for key in ("remote", "branch"))
    git = Git(scratch, remote, token)
    tree = _state_tree(git, state, scratch / STATE_FILE)
    expected = _rev(git, BASE)
    replaced: list[str] = []
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(BACKOFF * 2 ** (attempt - 1))
        tip = _fetch_tip(git, branch, depth=keep)
        # Saved already, by this run or another.
        if tip is not None and git.text("rev-parse", f"{tip}^{{tree}}") == tree:
            git("update-ref", BASE, tip)
            return Saved(None, tuple(replaced), len(_chain(git, tip, keep)))
        if tip != expected:
            if tip is not None:
                replaced.append(tip)
                warn(f"another run saved the state on {branch} while this one ran (commit "
                     f"{tip[:12]}); this run's newer state goes on top of it, and that one "
                     "stays in the branch's history")
            expected = tip
        commit, kept = _commit(git, tree, tip, keep, _message(message, replaced))
        try:
            git("push", "--quiet", "--porcelain",
                f"--force-with-lease=refs/heads/{branch}:{tip or ''}", remote,
                f"{commit}:refs/heads/{branch}", network=True)
        except GitError:
            now = _remote_tip(git, branch)
            if now == tip:  # nobody else pushed: not a race
                raise
            if now != commit:  # another run pushed first: again, on top of it
                continue
            # Landed, though git did not hear so in time (a timeout): saved.
        git("update-ref", BASE, commit)
        return Saved(commit, tuple(replaced), kept)
    raise GitError(f"git push ({remote}) failed {ATTEMPTS} times: other runs kept pushing "
                   f"to {branch} first")


def _state_tree(git: Git, state: Path, copy: Path) -> str:
    """The tree of a state commit: the complete copy of the store, and the README."""
    snapshot.copy(state, copy)
    try:
        blob = git.text("hash-object", "-w", "--no-filters", str(copy))
    finally:
        copy.unlink(missing_ok=True)
    readme = git.text("hash-object", "-w", "--stdin", input=README.encode())
    listing = f"100644 blob {readme}\t{README_FILE}\n100644 blob {blob}\t{STATE_FILE}\n"
    return git.text("mktree", input=listing.encode())


def _remote_tip(git: Git, branch: str) -> str | None:
    """The branch's commit on the remote, None when there is no such branch."""
    done = git("ls-remote", "--exit-code", git.remote, f"refs/heads/{branch}", network=True,
               ok=(0, 2))
    if done.returncode == 2:
        return None
    return done.stdout.decode().split()[0]


def _fetch_tip(git: Git, branch: str, depth: int) -> str | None:
    """Fetch the branch's newest `depth` commits; its tip, None when there is no branch."""
    if _remote_tip(git, branch) is None:
        return None
    git("fetch", "--quiet", "--no-tags", f"--depth={depth}", git.remote,
        f"+refs/heads/{branch}:{TIP}", network=True)
    return _rev(git, TIP)


def _rev(git: Git, ref: str) -> str | None:
    done = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok=(0, 1))
    return done.stdout.decode().strip() or None


def _chain(git: Git, tip: str | None, keep: int) -> list[str]:
    """The branch's newest `keep` states, newest first, from its `tip` (None: no branch)."""
    return (git.text("rev-list", "--first-parent", f"--max-count={keep}", tip).split()
            if tip else [])


def _commit(git: Git, tree: str, tip: str | None, keep: int, message: str) -> tuple[str, int]:
    """A commit of `tree` on top of `tip` that leaves at most `keep` states on the branch:
    when the branch holds `keep` already, the newest keep-1 are rewritten onto a new root
    (same trees, messages, authors and dates), and the oldest is left out."""
    chain = _chain(git, tip, keep)
    parent = tip
    if len(chain) >= keep:
        parent = None
        for old in reversed(chain[:keep - 1]):
            parent = _recommit(git, old, parent)
    return _commit_tree(git, tree, parent, message), min(len(chain) + 1, keep)


# What git takes from the environment to make a commit with an old one's author and committer.
_PEOPLE = tuple(f"GIT_{role}_{field}" for role in ("AUTHOR", "COMMITTER")
                for field in ("NAME", "EMAIL", "DATE"))


def _recommit(git: Git, old: str, parent: str | None) -> str:
    """`old` again, with `parent` (None: a root) as its only parent."""
    tree, *people, message = git(
        # "@": git reads a raw date of fewer than 9 digits (before 1973) as a timestamp
        # only with it.
        "log", "-1", "--date=raw", "--pretty=format:%T%x00%an%x00%ae%x00@%ad%x00%cn%x00%ce"
        "%x00@%cd%x00%B", old).stdout.decode().split("\0", len(_PEOPLE) + 1)
    return _commit_tree(git, tree, parent, message, env=dict(zip(_PEOPLE, people, strict=True)))


def _commit_tree(git: Git, tree: str, parent: str | None, message: str,
                 env: dict[str, str] | None = None) -> str:
    args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
    return git.text(*args, input=message.encode(), env=env)


def _message(message: str, replaced: list[str]) -> str:
    lines = [message.strip() or "feedmaker state"]
    if replaced:
        lines += ["", f"This run's state replaces {', '.join(replaced)}, saved by another "
                  "run while this one ran; that state stays below this commit."]
    return "\n".join(lines) + "\n"
