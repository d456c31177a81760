"""The command line: each command parses options, makes one library call, prints the result."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from feedmaker import __version__
from feedmaker.errors import FeedmakerError, InputError, printable
from feedmaker.github.commands import github as github_commands

if TYPE_CHECKING:
    from feedmaker.evaluate import Paper

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: ./feedmaker.toml if present, else the built-in defaults).")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Commands(click.Group):
    """feedmaker's commands. One that raises a FeedmakerError ends with its message, each
    line as `feedmaker: <line>` on stderr without secrets, and the error's exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FeedmakerError as exc:
            for line in printable(str(exc)).splitlines():
                click.echo(f"feedmaker: {line}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--base-url", help="Serve the feeds from this URL instead of the config's "
                                 "site.base_url (the GitHub workflow gives its Pages URL).")
@click.option("--dry-run", is_flag=True,
              help="Fetch, merge and render, then roll back: write nothing, "
                   "report what would change.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something went wrong.")
@click.option("-v", "--verbose", is_flag=True, help="Print each step.")
def run(config_path, out_dir, state, base_url, dry_run, quiet, verbose) -> None:
    """Fetch every source, merge into the history, tag, and write the feeds.

    Exit status: 0 every source and view fine; 1 a source or view failed (the other
    feeds are still written, from the history and the other sources); 2 bad config or
    usage; 3 the state store cannot be used; 70 an unforeseen failure (a bug); 75
    another run holds the lock.

    Example: feedmaker run --config feedmaker.toml -q
    """
    from dataclasses import replace

    from feedmaker.config import SITE_KEYS, load_config
    from feedmaker.console import Progress, steps_told
    from feedmaker.outputs import INDEX
    from feedmaker.pipeline import run as run_pipeline
    from feedmaker.schema import checked_value

    # A progress bar only for a person watching: never under cron, -q or -v.
    show_bar = sys.stderr.isatty() and not (quiet or verbose)
    config = load_config(config_path).with_paths(out_dir, state)
    if base_url is not None:  # checked as the config's site.base_url is
        value, problem = checked_value(SITE_KEYS["base_url"], base_url)
        if problem:
            raise click.BadParameter(problem, param_hint="--base-url")
        config = replace(config, site=replace(config.site, base_url=value))
    with steps_told(verbose), Progress(show_bar, verbose) as progress:
        report = run_pipeline(config, now=_now(), dry_run=dry_run, progress=progress)
    for problem in [*report.failures, *report.views_failed.values()]:
        click.echo(f"feedmaker: error: {printable(problem)}", err=True)
    if not quiet:
        for warning in report.warnings:
            click.echo(f"feedmaker: warning: {printable(warning)}", err=True)
        verb = "would write" if dry_run else "wrote"
        unchanged = f", {report.unchanged_sources} unchanged" if report.unchanged_sources else ""
        removed = (f", {'would remove' if dry_run else 'removed'} {', '.join(report.removed)}"
                   if report.removed else "")
        click.echo(f"{report.sources} sources ({len(report.failures)} failed{unchanged}), "
                   f"{report.seen} entries seen: {report.new} new, {report.updated} updated"
                   f"{f', {report.events} news events' if report.events else ''}; "
                   f"{verb} {len(report.written)} files, {len(report.unchanged)} unchanged"
                   f"{removed}; index: {config.site.out_dir / INDEX}")
    sys.exit(report.exit_code)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default="feedmaker.toml")
@click.option("--github", "github_files", is_flag=True,
              help="Also write .github/workflows/feeds.yml beside it: a GitHub workflow that "
                   "runs feedmaker on a schedule and publishes the feeds to GitHub Pages.")
def init(path: Path, github_files: bool) -> None:
    """Write a commented starter config to PATH (default: ./feedmaker.toml; a folder: its
    feedmaker.toml).

    With --github, PATH's folder is a repository's root: the workflow, written to its
    .github/workflows/feeds.yml, reads feedmaker.toml there (docs/deploy.md).
    Exits with 2 and changes nothing if a file to write already exists.

    Example: feedmaker init && feedmaker run
    """
    from feedmaker.config import DEFAULT_CONFIG_NAME, starter_config_text
    from feedmaker.github.workflow import write_new

    try:
        if path.is_dir():  # raises for a folder that cannot be searched, a name too long
            path = path / DEFAULT_CONFIG_NAME
        files = {path: starter_config_text()}
        if github_files:
            from feedmaker.github.workflow import WORKFLOW_PATH, install_spec, render

            if path.name != DEFAULT_CONFIG_NAME:
                raise InputError(f"{path}: with --github the config is {DEFAULT_CONFIG_NAME} "
                                 "at the repository's root, which the workflow reads")
            files[path.parent / WORKFLOW_PATH] = render(install_spec())
        write_new(files)
    except FileExistsError as exc:
        raise InputError(f"{exc.filename} already exists; not overwriting it") from None
    except OSError as exc:
        raise InputError(f"{exc.filename or path}: cannot write: {exc.strerror}") from None
    if github_files:
        click.echo(f"wrote {' and '.join(map(str, files))}; commit and push them, set the "
                   "repository's Settings > Pages > Source to GitHub Actions, then run the "
                   "feeds workflow (docs/deploy.md)")
    else:
        click.echo(f"wrote {path}; edit site.base_url, then run: feedmaker run --config {path}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check Atom feeds against RFC 4287 and JSON Feeds against JSON Feed 1.1 (files, or
    folders of *.atom and *.json).

    Atom: the RELAX NG schema and the rules it cannot express: the author rule,
    alternate links, absolute ids, time zones, unique ids, dates in the future. JSON
    Feed: version, title, items, unique item ids, content, RFC 3339 dates, absolute URLs.
    Prints each problem as file:line: message; exits 1 if there is any, or if a folder
    holds no feed.

    Example: feedmaker validate feeds/
    """
    from feedmaker.validate import validate_paths

    count, problems = validate_paths(list(paths), _now())
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{_counted(len(problems), 'problem')} in {_counted(count, 'feed')}",
                   err=True)
        sys.exit(1)
    click.echo(f"{_counted(count, 'feed')} valid")


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@cli.command()
@config_option
@click.option("--key", default="topics", show_default=True,
              help="The field to write the topics to. It must not be in the input lines.")
@click.argument("source", type=click.File("rb"), default="-")
def tag(config_path, key, source) -> None:
    """Tag JSON lines and print each back with "topics": [slug, ...] added.

    Each line is an object with `title`, `summary` (or `abstract`), and optionally
    `authors` and `categories`. Reads standard input when SOURCE is - or missing.
    A line's own "topics" (labels, say) is never overwritten: such a line stops the
    command with exit 2, naming it; give --key to write feedmaker's topics to another
    field and keep both. A line that is not UTF-8 or not JSON exits 2, naming it too.

    Example: feedmaker tag papers.jsonl > tagged.jsonl
    """
    import json

    from feedmaker.config import load_config
    from feedmaker.tagger import Tagger

    if not key.strip():
        raise click.BadParameter("must not be empty", param_hint="--key")
    if _not_utf8(key):
        raise click.BadParameter("not UTF-8", param_hint="--key")
    name, papers = _papers(source)
    tagger = Tagger(load_config(config_path).topics)
    for paper in papers:
        if key in paper.record:
            raise InputError(f"{name}:{paper.line}: the line has its own {key!r}, "
                             "which tag does not overwrite; give --key with another name "
                             "(e.g. --key predicted) to keep both")
        topics = tagger.tag_fields(paper.title, paper.summary, paper.authors, paper.categories)
        click.echo(json.dumps({**paper.record, key: topics}, ensure_ascii=False))


def _not_utf8(argument: str) -> bool:
    """Whether a command-line argument held bytes that are not UTF-8 (Python keeps each
    as a lone surrogate, which no output can print)."""
    from feedmaker.normalize import lone_surrogate

    return lone_surrogate(argument) is not None


def _papers(stream) -> tuple[str, Iterator[Paper]]:
    """The stream's name, and its JSON lines read as papers (a byte-order mark dropped); a
    line that is not UTF-8 is an InputError naming it."""
    from feedmaker.evaluate import read_papers

    # Standard input under a test runner is a BytesIO, which has no name.
    name = str(getattr(stream, "name", "<stdin>"))

    def lines() -> Iterator[str]:
        for number, line in enumerate(stream, 1):
            try:
                yield line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}:{number}: not UTF-8 (byte {line[exc.start]:#04x} "
                                 f"at column {exc.start + 1})") from None

    return name, read_papers(lines(), name)


@cli.command(name="eval")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--topics", help="Comma-separated slugs to score (default: every topic "
                               "that carries a label somewhere in FILE).")
@click.option("--use-categories", is_flag=True,
              help="Let `category:` terms see the papers' categories (default: text only).")
@click.option("--errors", "errors", type=click.IntRange(min=1), metavar="N",
              help="Also list each topic's N worst false positives (highest scores) and "
                   "false negatives (lowest), with the terms that hit.")
@click.option("--like", "like", metavar="VIEW",
              help="Score a `like` view instead: its library fitted against FILE's papers, "
                   "the precision of the best --k against --label.")
@click.option("--label", help="With --like: the topic the view's papers should carry.")
@click.option("--k", "k", type=click.IntRange(min=1), default=25, show_default=True,
              help="With --like: how many of the best-scored papers to judge.")
@click.argument("source", type=click.File("rb"))
def eval_command(config_path, as_json, topics, use_categories, errors, like, label, k,
                 source) -> None:
    """Score the rules against labelled JSON lines: P/R/F1 per topic, micro- and macro-F1.

    Each line carries its true "topics". A topic that appears in no line is unknown in
    that file, not negative, and is not scored unless named with --topics. Beside each
    topic's precision and recall is its 95% (Wilson) interval, and its number of labelled
    papers; a topic with fewer than 25 is marked `few`, too few to judge it by. Micro-F1
    pools every (paper, topic) decision; macro-F1 averages the topics' F1. With --like,
    a `like` view is scored: the share of FILE's best --k papers that carry --label.

    Example: feedmaker eval data/papers-17-dev.jsonl --errors 3
    """
    import json

    from feedmaker.config import load_config
    from feedmaker.evaluate import require_labels

    if like and not label:
        raise click.UsageError("--like needs --label, the topic its papers should carry")
    name, papers = _papers(source)
    config = load_config(config_path)
    papers = list(papers)
    require_labels(papers, f"{name}:")
    if like:
        from feedmaker.like.evaluate import evaluate_view, find_view

        result = evaluate_view(find_view(config.like_views, like), papers, label, k,
                               config.site.state)
        if as_json:
            click.echo(json.dumps({"view": like, "label": label, "k": result.k,
                                   "hits": result.hits, "relevant": result.relevant,
                                   "precision": round(result.precision, 4),
                                   "ceiling": round(result.ceiling, 4),
                                   "attained": round(result.attained, 4)}, indent=2))
        else:
            click.echo(f"{like}: {result.hits} of the {result.k} best papers are labelled "
                       f"{label!r}: precision@{result.k} {result.precision:.3f} (ceiling "
                       f"{result.ceiling:.3f}: {result.relevant} such papers; attained "
                       f"{result.attained:.3f})")
        return
    from feedmaker import evaluate as scoring
    from feedmaker.tagger import Tagger

    tagger = Tagger(config.topics)
    wanted = [t.strip() for t in topics.split(",") if t.strip()] if topics else None
    scores = scoring.evaluate(tagger, papers, topics=wanted, use_categories=use_categories)
    mistakes = (scoring.worst_mistakes(tagger, papers, errors, topics=wanted,
                                       use_categories=use_categories) if errors else None)
    if as_json:
        click.echo(json.dumps(scoring.scores_json(scores, mistakes), indent=2,
                              ensure_ascii=False))
    else:
        click.echo(scoring.format_table(scores))
        if mistakes is not None:
            click.echo("\n" + scoring.format_mistakes(tagger, mistakes, name))


@cli.command()
@config_option
@click.option("--title", help="The paper's title.")
@click.option("--summary", default="", help="The paper's abstract.")
@click.option("--id", "entry_id", help="An arXiv id or entry id from the state store.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="State store to look --id up in (default: the config's site.state).")
@click.option("--all-topics/--matched-only", default=True,
              help="Show every topic (default) or only those that matched.")
def explain(config_path, title, summary, entry_id, state, all_topics) -> None:
    """Show which terms of which topics (and views) match a paper, in which field, with the score.

    Give the paper as --title/--summary, or by --id from the state store (which also
    lists its recorded news: new versions, publication, code...).

    Example: feedmaker explain --title "Diffusion models for video" --summary "..."
    """
    from feedmaker.config import load_config
    from feedmaker.explain import explain_paper, given_paper

    if bool(title) == bool(entry_id):
        raise click.UsageError("give either --title (and --summary) or --id")
    if entry_id and _not_utf8(entry_id):
        raise click.BadParameter("not UTF-8", param_hint="--id")
    config = load_config(config_path)
    state = state or config.site.state
    paper = entry_id or given_paper(title, summary)
    click.echo(explain_paper(config, state, paper, all_topics))


@cli.command()
@click.option("--topic", "slug", required=True, help="The topic slug to propose terms for.")
@click.option("--count", default=40, show_default=True, type=click.IntRange(min=1),
              help="How many terms to propose.")
@click.option("--min-papers", default=5, show_default=True, type=click.IntRange(min=1),
              help="Leave out terms found in fewer labelled papers than this.")
@click.argument("source", type=click.File("rb"))
def suggest(slug, count, min_papers, source) -> None:
    """Propose weighted terms for a topic from labelled JSON lines, as a TOML table.

    Ranks words and phrases by how much more often they appear in papers labelled with
    the topic than in the others, and picks the threshold that sorts those papers best.
    A word and its plural are one term (rules match both), and links and e-mail
    addresses in the text are left out. The result is a starting point: read it, drop
    what does not mean the topic, and check it with `feedmaker eval` on papers it was not
    built from.

    Example: feedmaker suggest --topic robotics labelled.jsonl >> feedmaker.toml
    """
    from feedmaker.suggest import best_threshold, format_toml, suggest_terms

    name, papers = _papers(source)
    papers = list(papers)
    suggestions = suggest_terms(papers, slug, count=count, min_positives=min_papers)
    if not suggestions:
        raise InputError(f"no paper in {name} is labelled {slug!r} often enough to propose "
                         "terms")
    threshold, f1 = best_threshold(papers, slug, suggestions)
    click.echo(format_toml(slug, suggestions, threshold, f1))


cli.add_command(github_commands)



def main() -> None:
    """Console-script entry point."""
    try:
        # Out of standalone mode, click returns the status of a ctx.exit (--help, --version)
        # instead of raising it, and ends a broken pipe (`| head`) itself, with status 1.
        sys.exit(cli(prog_name="feedmaker", standalone_mode=False))
    except click.ClickException as exc:  # usage errors (Commands shows a FeedmakerError)
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("feedmaker: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last guard against a traceback
        # A failure no check foresaw is a bug: one line says so, unless asked for the traceback.
        if os.environ.get("FEEDMAKER_DEBUG"):
            raise
        click.echo(f"feedmaker: internal error: {type(exc).__name__}: {exc} (a bug in "
                   "feedmaker; FEEDMAKER_DEBUG=1 shows where)", err=True)
        sys.exit(70)  # EX_SOFTWARE, sysexits.h
