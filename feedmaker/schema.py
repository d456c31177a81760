"""The config's keys declared once, each with its kind, default, range and help: the checks,
the defaults and the docs' config reference all come from these declarations."""

from __future__ import annotations

import math
import pathlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from feedmaker.errors import ConfigError

Path = tuple[str | int, ...]
# C0 and C1 controls, and DEL: invisible in a title, refused by XML or by readers.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Key:
    """One config key: what kind of value it takes, its default, its bounds and its help.

    `low`/`high` bound numbers and counts; `choices` lists what a `choice` or `choices` key
    may hold; `check(value)` returns a problem the kind cannot see, or None.
    """

    kind: str
    default: Any = None
    help: str = ""
    low: float | None = None
    high: float = math.inf
    choices: tuple[str, ...] = ()
    required: bool = False
    check: Callable[[Any], str | None] | None = None
    default_note: str = ""  # the default, in words, when it depends on something else


def setting(kind: str, default: Any = None, help: str = "", **more: Any) -> Any:
    """A dataclass field that is a config key: its default, kind, bounds and help in one
    place (see `keys_of`)."""
    key = Key(kind, default, help, **more)
    if key.required:
        return field(metadata={"key": key})
    return field(default=default, metadata={"key": key})


def keys_of(cls: type) -> dict[str, Key]:
    """The config keys a dataclass declares with `setting`, in the order of its fields."""
    return {f.name: f.metadata["key"] for f in fields(cls) if "key" in f.metadata}


def default_text(key: Key) -> str:
    """The key's default as docs/configuration.md shows it."""
    if key.required:
        return "required"
    if key.default_note:
        return key.default_note
    value = key.default
    if value in (None, ""):
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple | list):
        return "`[" + ", ".join(f'"{v}"' for v in value) + "]`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def check_table(table: object, keys: Mapping[str, Key], path: Path,
                extra: frozenset[str] = frozenset(), what: str = "") -> dict[str, Any]:
    """The table's values, checked against `keys`, with defaults for those not given.

    Keys in `extra` are left for the caller to check; `what` says whose keys they are in
    messages ("for type 'html'"). Raises ConfigError at the path of
    the first wrong value: an unknown key (the known ones are listed), a missing required
    one, or a value of the wrong kind or out of range.
    """
    if not isinstance(table, dict):
        raise ConfigError("must be a table", path)
    for name in table:
        if name not in keys and name not in extra:
            raise ConfigError(f"unknown key{' ' + what if what else ''} "
                              f"(known: {', '.join(sorted({*keys, *extra}))})",
                              (*path, name))
    values = {}
    for name, key in keys.items():
        if name not in table:
            if key.required:
                raise ConfigError("is required", (*path, name))
            values[name] = key.default
            continue
        value, problem = checked_value(key, table[name])
        if problem:
            raise ConfigError(problem, (*path, name))
        values[name] = value
    return values


def checked_value(key: Key, value: Any) -> tuple[Any, str | None]:
    """The value as the key takes it, and what is wrong with it (None when nothing): its
    kind and range, then the key's own check."""
    value, problem = KINDS[key.kind](key, value)
    if problem is None and key.check:
        problem = key.check(value)
    return value, problem


def _text(key: Key, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return value, f"must be a string, got {_shown(value)}"
    if _CONTROL.search(value):
        return value, f"must not hold control characters, got {_shown(value)}"
    return value.strip(), None


def _name(key: Key, value: Any) -> tuple[Any, str | None]:
    value, problem = _text(key, value)
    return value, problem or (None if value else "must be a non-empty string")


def _count(key: Key, value: Any) -> tuple[Any, str | None]:
    low = 1 if key.low is None else key.low
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= key.high:
        return value, f"must be a whole number from {low:g} to {key.high:g}, got {_shown(value)}"
    return value, None


def _number(key: Key, value: Any) -> tuple[Any, str | None]:
    low = 0 if key.low is None else key.low
    if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            or not low <= value <= key.high):
        return value, f"must be a number from {low:g} to {key.high:g}, got {_shown(value)}"
    return float(value), None


def _flag(key: Key, value: Any) -> tuple[Any, str | None]:
    return value, None if isinstance(value, bool) else f"must be true or false, got {_shown(value)}"


def _texts(key: Key, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list):
        return value, f"must be a list of strings, got {_shown(value)}"
    cleaned = []
    for item in value:
        item, problem = _name(key, item)
        if problem:
            return value, f"must be a list of non-empty strings: {problem}"
        cleaned.append(item)
    return cleaned, None


def _choice(key: Key, value: Any) -> tuple[Any, str | None]:
    if value not in key.choices:
        return value, f"must be one of {', '.join(key.choices)}, got {_shown(value)}"
    return value, None


def _choices(key: Key, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list):
        return value, (f"must be a list of {', '.join(map(repr, key.choices))}, "
                       f"got {_shown(value)}")
    unknown = [v for v in value if v not in key.choices]
    if unknown:
        return value, f"{_shown(unknown[0])} is not one of {', '.join(key.choices)}"
    return tuple(dict.fromkeys(value)), None


def _web_url(key: Key, value: Any) -> tuple[Any, str | None]:
    value, problem = _name(key, value)
    if problem is None and not is_web_url(value):
        problem = f"must be an absolute http(s) URL, got {_shown(value)}"
    return value, problem


def is_web_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL: a host, and no white space."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[x/": a broken IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", url)


def resolved(path: pathlib.Path) -> pathlib.Path:
    """The absolute `path`, symbolic links resolved; in a loop of links (pathlib raises
    RuntimeError there before Python 3.13) it is left as it is, to fail where it is used."""
    try:
        return path.resolve()
    except RuntimeError:
        return path.absolute()


def _site_url(key: Key, value: Any) -> tuple[Any, str | None]:
    value, problem = _web_url(key, value)
    if problem:
        return value, problem
    if "?" in value or "#" in value:
        return value, ("must be a plain folder URL, without a query or fragment, got "
                       f"{_shown(value)}")
    return value if value.endswith("/") else value + "/", None


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:100])  # a whole file pasted in a value is no one-line message
    return repr(value) if isinstance(value, int | float | bool) else type(value).__name__


KINDS: dict[str, Callable[[Key, Any], tuple[Any, str | None]]] = {
    "text": _text, "name": _name, "count": _count, "number": _number, "flag": _flag,
    "texts": _texts, "choice": _choice, "choices": _choices, "web_url": _web_url,
    "site_url": _site_url, "path": _name,
    "terms": lambda key, value: (value, None),  # checked by tagger.rules.parse_rule
}
