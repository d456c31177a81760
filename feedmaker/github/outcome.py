"""A workflow job's outcome from `feedmaker run`'s exit status (publish the site, or fail and
leave the published one), and the job summary: each source's and feed's health from
status.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from feedmaker.normalize import lone_surrogate
from feedmaker.outputs import INDEX, STATUS

# What each exit status of `feedmaker run` means for the job (docs/operations.md).
PUBLISHED = {0: "every source and view worked",
             1: "a source or a view failed; the feeds were written from what worked and "
                "the history, a failed view's files kept as they were"}
FAILED = {2: "bad config or usage, or somebody else's file in the way: nothing was written",
          3: "the state store cannot be used: nothing was written",
          70: "an internal error (a bug in feedmaker): nothing was written",
          75: "another run held the lock: nothing was written"}


@dataclass(frozen=True)
class Outcome:
    """Whether to publish the site, the job step's exit status (0 to publish), and the
    run's status.json (None when missing or unreadable)."""

    publish: bool
    exit_code: int
    headline: str
    status: dict | None


def decide(run_status: int, out_dir: Path) -> Outcome:
    """Publish after exit 0 or 1, and only a complete site: status.json and every feed file
    it lists present in `out_dir`. Anything else fails the job with the run's own status
    (1 when the run said 0 or 1 but the site is incomplete), so nothing is deployed and the
    site already published stays up."""
    status = read_status(out_dir)
    ran = f"feedmaker run exited {run_status}"
    if run_status not in PUBLISHED:
        meaning = FAILED.get(run_status, "the run stopped: nothing may be published")
        # A status no process exits with (0 after a wrap at 256) fails the job with 1.
        return Outcome(False, run_status if 0 < run_status < 256 else 1,
                       f"{ran} ({meaning}); not publishing, the site stays as it was", status)
    if missing := missing_files(status, out_dir):
        return Outcome(False, 1, f"{ran}, but {out_dir} lacks {', '.join(missing[:3])}; not "
                                 "publishing an incomplete site, the site stays as it was", status)
    return Outcome(True, 0, f"{ran} ({PUBLISHED[run_status]}); publishing", status)


def read_status(out_dir: Path) -> dict | None:
    """status.json as written by the run, or None when it is missing or unreadable."""
    try:
        document = json.loads((out_dir / STATUS).read_bytes())
        # A lone surrogate escape ("\ud800") is no text the summary could print.
        unprintable = lone_surrogate(document)
    except (OSError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) and not unprintable else None


def missing_files(status: dict | None, out_dir: Path) -> list[str]:
    """The site's files that status.json lists (and status.json itself) not in `out_dir`."""
    if status is None:
        return [STATUS]
    names = [INDEX] + [_file_name(url) for feed in _items(status, "feeds")
                       for url in _files(feed).values() if isinstance(url, str)]
    return [name for name in dict.fromkeys(names) if not _is_file(out_dir / name)]


def _files(feed: dict) -> dict:
    files = feed.get("files")
    return files if isinstance(files, dict) else {}


def _file_name(url: str) -> str:
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[x/": no URL, so no file of the site
        path = url
    return path.rsplit("/", 1)[-1]


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL: no file of the site
        return False


def summary(outcome: Outcome, out_dir: Path) -> str:
    """The job summary in Markdown: the outcome, then tables of the sources and feeds."""
    status = outcome.status
    lines = [f"### feedmaker: {'published' if outcome.publish else 'not published'}", "",
             _cell(outcome.headline), ""]
    if status is None:
        lines.append(f"No status.json in {_cell(out_dir)}: the run wrote no site.")
        return "\n".join(lines) + "\n"
    written = status.get("written") or "never"
    lines += [f"status.json written {_cell(written)}.", "",
              "| source | type | health | last success | entries | last error |",
              "|---|---|---|---|---|---|"]
    for source in _items(status, "sources"):
        health = ("ok" if source.get("ok") else
                  f"failing since {source.get('failing_since') or '?'}")
        lines.append(_row(source.get("name", "?"), source.get("type", "?"), health,
                          source.get("last_success") or "never",
                          "" if source.get("entries_seen") is None else source["entries_seen"],
                          source.get("last_error") or ""))
    lines += ["", "| feed | title | entries | newest |", "|---|---|---|---|"]
    lines += [_row(feed.get("slug", "?"), feed.get("title", ""), feed.get("entries", "?"),
                   feed.get("newest") or "none") for feed in _items(status, "feeds")]
    return "\n".join(lines) + "\n"


def annotations(outcome: Outcome) -> list[str]:
    """GitHub workflow commands that show the outcome on the run's page: an error when
    nothing is published, a warning per failing source."""
    lines = [] if outcome.publish else [workflow_command("error", outcome.headline)]
    return lines + [workflow_command("warning", source.get("last_error") or "failing",
                                     title=f"feedmaker: source {source.get('name', '?')}")
                    for source in _items(outcome.status or {}, "sources")
                    if not source.get("ok")]


def _items(document: dict, key: str) -> list[dict]:
    items = document.get(key)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _row(*values: object) -> str:
    return "| " + " | ".join(_cell(value) for value in values) + " |"


def _cell(value: object) -> str:
    """Text safe in a Markdown table cell: one line, no table or HTML syntax."""
    text = " ".join(str(value).split())
    for char, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(char, escaped)
    return text


def workflow_command(level: str, message: object, title: str = "feedmaker") -> str:
    """The workflow command that shows `message` on the run's page as an error or a
    warning: one line, encoded as the runner decodes it, so a source's error can never start
    a command of its own."""
    def encoded(text: object) -> str:
        return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    # A property value (title=...) has its separators encoded too.
    title = encoded(title).replace(":", "%3A").replace(",", "%2C")
    return f"::{level} title={title}::{encoded(message)}"
