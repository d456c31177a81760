"""The error hierarchy, each class with the exit status docs/operations.md gives it (else 1)."""

import json
import re
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit, urlunsplit


class FeedmakerError(Exception):
    """Base class: a failure the user should see as one clear line, never a traceback (the
    command line shows it: see cli.Commands)."""

    exit_code = 1


class ConfigError(FeedmakerError):
    """The config (or a rule in it) is invalid; the message names file, line and field.

    Raised with the `path` of the offending value (`("sources", 0, "url")`); the config
    loader adds the file and line in one place.
    """

    exit_code = 2

    def __init__(self, problem: str, path: tuple[str | int, ...] = ()) -> None:
        self.path = tuple(path)
        where = ""  # the path as messages write it: `sources[2].url`, `topics.vision.any[3]`
        for part in self.path:
            if isinstance(part, int):
                where += f"[{part + 1}]"
            else:  # a key TOML would quote is quoted
                key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
                where += f".{key}" if where else key
        super().__init__(f"{where}: {problem}" if where else problem)


_URL = re.compile(r"\bhttps?://[^\s'\"<>]+")


# C0 and C1 control characters but newline and tab: a server's status line, or a page
# quoted in a warning, may hold an escape sequence that a terminal would obey.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(message: str) -> str:
    """A message as feedmaker prints it: without control characters, and with every http(s)
    URL in it cut to scheme, host, port and path (a URL's user, password, query and
    fragment may hold keys, and messages never show them)."""
    return cut_urls(_CONTROL.sub("", message), _URL, lambda parts: urlunsplit(
        (parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", "")))


def cut_urls(message: str, pattern: re.Pattern, cut: Callable[[SplitResult], str]) -> str:
    """The message with each URL `pattern` finds in it replaced by `cut` of its parts. The
    punctuation that ends a sentence stays out of the URL, and a URL urlsplit cannot read
    ("http://[::1", quoted from a page) is shown by its scheme and host alone."""
    def replaced(match: re.Match) -> str:
        url = match.group(0)
        end = url.rstrip(":,.;)")  # "...: HTTP 404": the colon ends the sentence, not the URL
        try:
            shown = cut(urlsplit(end))
        except ValueError:
            scheme, _, rest = end.partition("://")
            shown = f"{scheme}://" + re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
        return shown + url[len(end):]

    return pattern.sub(replaced, message)


class InputError(FeedmakerError):
    """Input given on the command line that cannot be used (a JSON-lines file, a path)."""

    exit_code = 2


class SourceError(FeedmakerError):
    """A source could not be fetched or parsed; the message names the source and URL."""


class FetchError(SourceError):
    """An HTTP or file fetch failed after its retries; `status` is the HTTP status the
    server answered with, if it answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ParseError(SourceError):
    """A fetched body is not what the source type expects."""


class StoreError(FeedmakerError):
    """The state store cannot be used: damaged, not a feedmaker store, its disk full, its
    folder or lock not writable. Nothing was written; the message names the file."""

    exit_code = 3


class LockedError(FeedmakerError):
    """Another run holds the lock on the state store."""

    exit_code = 75


class WriteError(FeedmakerError):
    """Output could not be written; the previous files are left as they were."""


class ClashError(FeedmakerError):
    """out_dir holds a file feedmaker did not write where it would write one: nothing was
    written, and the message names the file."""

    exit_code = 2


class ValidationError(FeedmakerError):
    """A generated feed failed validation and was not published."""
