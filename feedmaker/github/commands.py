"""`feedmaker github ...`: the commands the GitHub workflow calls; each parses its options,
makes one library call and prints the result."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from feedmaker.errors import FeedmakerError, printable
from feedmaker.github import DEFAULT_BRANCH, DEFAULT_KEEP

state_option = click.option(
    "--state", type=click.Path(dir_okay=False, path_type=Path),
    default=".feedmaker/state.sqlite", show_default=True,
    help="The state store, as given to `feedmaker run --state`.")


def _in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _say(level: str, message: str) -> None:
    """One line on stderr and, under GitHub Actions, on the run's page as an error or a
    warning."""
    message = printable(" ".join(message.split()))
    click.echo(f"feedmaker: {'warning: ' if level == 'warning' else ''}{message}", err=True)
    if _in_actions():
        from feedmaker.github.outcome import workflow_command

        click.echo(workflow_command(level, message))


def _fail(exc: FeedmakerError) -> None:
    _say("error", str(exc))
    sys.exit(exc.exit_code)


@click.group()
def github() -> None:
    """Run feedmaker from a GitHub Actions workflow (the one `feedmaker init --github`
    writes): keep the state store on a branch, and decide the job's outcome.

    Exit status: 0 done; 1 git failed (the remote could not be read or written); 2 bad
    usage; 3 the state store is damaged; 75 a run holds the state store's lock.
    """


@github.command("restore-state")
@state_option
@click.option("--remote", help="URL or path of the repository holding the branch "
                               "(default: the URL of 'origin' of the git repository here).")
@click.option("--branch", default=DEFAULT_BRANCH, show_default=True,
              help="The branch that keeps the state store.")
def restore_state(state: Path, remote: str | None, branch: str) -> None:
    """Fetch the state store from its branch before a run; a first run finds none.

    Refuses to replace an existing state store. A damaged state on the branch (not a
    feedmaker store, or failing SQLite's integrity check) exits 3 and writes nothing.

    Example: feedmaker github restore-state --state .feedmaker/state.sqlite
    """
    from feedmaker.github.statebranch import origin_url, restore

    try:
        remote = remote or origin_url(Path.cwd())
        commit = restore(state, remote, branch, token=os.environ.get("GITHUB_TOKEN"))
    except FeedmakerError as exc:
        _fail(exc)
    if commit is None:
        click.echo(f"no branch {branch} at {remote} yet: this run starts a new history")
    else:
        click.echo(f"restored {state} ({state.stat().st_size / 1e6:.1f} MB) from {branch} at "
                   f"{commit[:12]}")


@github.command("save-state")
@state_option
@click.option("--keep", type=click.IntRange(1, 100), default=DEFAULT_KEEP, show_default=True,
              help="How many saved states the branch keeps (its newest commits).")
@click.option("--message", default="feedmaker state", show_default=True,
              help="The commit message (the workflow run's URL is added under GitHub).")
def save_state(state: Path, keep: int, message: str) -> None:
    """Push the state store after a run to the branch restore-state read it from.

    When another run pushed meanwhile, this run's newer state goes on top of it (which
    stays in the branch's history), with a warning; the push is retried, with backoff, up
    to 5 times.

    Example: feedmaker github save-state --state .feedmaker/state.sqlite
    """
    from feedmaker.github.statebranch import save

    names = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    server, repository, run_id = (os.environ.get(name, "") for name in names)
    if server and repository and run_id:
        message += f"\n\n{server}/{repository}/actions/runs/{run_id}"
    try:
        saved = save(state, keep=keep, message=message, token=os.environ.get("GITHUB_TOKEN"),
                     warn=lambda text: _say("warning", text))
    except FeedmakerError as exc:
        _fail(exc)
    if saved.commit is None:
        click.echo(f"{state}: unchanged since it was saved; nothing to push")
    else:
        click.echo(f"saved {state} at {saved.commit[:12]} ({saved.kept} "
                   f"state{'' if saved.kept == 1 else 's'} kept)")


@github.command()
@click.option("--run-status", type=int, required=True,
              help="The exit status of `feedmaker run`.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default="_site", show_default=True, help="The run's output folder.")
# Any path: one that cannot be written is a warning, never a change of the job's outcome.
@click.option("--summary", "summary_path", type=click.Path(path_type=Path),
              envvar="GITHUB_STEP_SUMMARY",
              help="Append the summary here (default: $GITHUB_STEP_SUMMARY; without it, "
                   "print it).")
def finish(run_status: int, out_dir: Path, summary_path: Path | None) -> None:
    """Write the job summary from status.json, and decide whether to publish the site.

    Exits 0 after a run that exited 0 or 1 (a failed source still publishes the others)
    whose site is complete; otherwise with the run's status (1 for an incomplete site),
    so the workflow saves and deploys nothing and the published site stays up.

    Example: feedmaker github finish --run-status 1 --out _site
    """
    from feedmaker.github.outcome import annotations, decide, summary

    outcome = decide(run_status, out_dir)
    text = summary(outcome, out_dir)
    if summary_path is None:
        click.echo(text, nl=False)
    else:
        try:
            with open(summary_path, "a", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            click.echo(f"feedmaker: {summary_path}: cannot write the summary: {exc.strerror}",
                       err=True)
    if _in_actions():
        for line in annotations(outcome):
            click.echo(line)
    click.echo(f"feedmaker: {outcome.headline}", err=not outcome.publish)
    sys.exit(outcome.exit_code)
