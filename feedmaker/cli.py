"""The command line: each command parses options, makes one library call, prints the result."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from feedmaker import __version__
from feedmaker.errors import FeedmakerError

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: ./feedmaker.toml if present, else the built-in defaults).")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _fail(exc: FeedmakerError) -> None:
    for line in str(exc).splitlines():
        click.echo(f"feedmaker: {line}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedmaker")
def cli() -> None:
    """Turn research-paper listing pages into per-topic Atom feeds.

    Start with `feedmaker init`, edit feedmaker.toml, then run `feedmaker run` from cron.
    """


@cli.command()
@config_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write feeds here instead of the config's site.out_dir.")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path),
              help="Use this state store instead of the config's site.state.")
@click.option("--dry-run", is_flag=True,
              help="Fetch, merge and render, then roll back: write nothing, "
                   "report what would change.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something went wrong.")
@click.option("-v", "--verbose", is_flag=True, help="Print each step.")
def run(config_path, out_dir, state, dry_run, quiet, verbose) -> None:
    """Fetch every source, merge into the history, tag, and write the feeds.

    Exit status: 0 all sources fine; 1 a source failed (feeds are still written from
    the history and the other sources); 2 bad config or usage; 75 another run holds
    the lock.

    Example: feedmaker run --config feedmaker.toml -q
    """
    from feedmaker.config import load_config
    from feedmaker.pipeline import INDEX
    from feedmaker.pipeline import run as run_pipeline

    def log(message: str) -> None:
        if verbose:
            click.echo(message, err=True)

    try:
        config = load_config(config_path).with_paths(out_dir, state)
        report = run_pipeline(config, now=_now(), dry_run=dry_run, log=log)
    except FeedmakerError as exc:
        _fail(exc)
    for problem in report.failures:
        click.echo(f"feedmaker: error: {problem}", err=True)
    for warning in report.warnings:
        click.echo(f"feedmaker: warning: {warning}", err=True)
    if not quiet:
        verb = "would write" if dry_run else "wrote"
        click.echo(f"{report.sources} sources ({len(report.failures)} failed), "
                   f"{report.seen} entries seen: {report.new} new, {report.updated} updated; "
                   f"{verb} {len(report.written)} files, {len(report.unchanged)} unchanged; "
                   f"index: {config.site.out_dir / INDEX}")
    sys.exit(report.exit_code)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="feedmaker.toml")
def init(path: Path) -> None:
    """Write a commented starter config to PATH (default: ./feedmaker.toml).

    Exits with 2 and changes nothing if PATH already exists.

    Example: feedmaker init && feedmaker run
    """
    from feedmaker.config import starter_config_text

    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(starter_config_text())
    except FileExistsError:
        click.echo(f"feedmaker: {path} already exists; not overwriting it", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"feedmaker: {path}: cannot write: {exc.strerror}", err=True)
        sys.exit(2)
    click.echo(f"wrote {path}; edit site.base_url, then run: feedmaker run --config {path}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check Atom feeds (files, or folders of *.atom) against RFC 4287.

    Checks the RELAX NG schema and the rules it cannot express: the author rule,
    alternate links, absolute ids, time zones, unique ids, dates in the future.
    Prints each problem as file:line: message; exits 1 if there is any.

    Example: feedmaker validate feeds/
    """
    from feedmaker.validate import validate_paths

    count, problems = validate_paths(list(paths), _now())
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problems in {count} feeds", err=True)
        sys.exit(1)
    click.echo(f"{count} feeds valid")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="feedmaker")
