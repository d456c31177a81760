"""The error hierarchy; each class carries the exit status README.md gives it."""


class FeedmakerError(Exception):
    """Base class: a failure the user should see as one clear line, never a traceback."""

    exit_code = 1


class ConfigError(FeedmakerError):
    """The config (or a rule in it) is invalid; the message names file, line and field."""

    exit_code = 2


class InputError(FeedmakerError):
    """Unreadable input given on the command line (a JSON-lines file, a feed path)."""

    exit_code = 2


class SourceError(FeedmakerError):
    """A source could not be fetched or parsed; the message names the source and URL."""

    exit_code = 1


class FetchError(SourceError):
    """An HTTP or file fetch failed after its retries."""


class ParseError(SourceError):
    """A fetched body is not what the source type expects."""


class LockedError(FeedmakerError):
    """Another run holds the lock on the state store."""

    exit_code = 75


class WriteError(FeedmakerError):
    """Output could not be written; the previous files are left as they were."""

    exit_code = 1


class ValidationError(FeedmakerError):
    """A generated feed failed validation and was not published."""

    exit_code = 1
