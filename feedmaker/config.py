"""Load the TOML config into frozen dataclasses; errors name the file, line and field."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from feedmaker.errors import ConfigError
from feedmaker.sources import SOURCE_TYPES
from feedmaker.sources.base import option_error
from feedmaker.tagger import TopicRule, default_topics, parse_topics

DEFAULT_CONFIG_NAME = "feedmaker.toml"
SITE_KEYS = {"title", "subtitle", "base_url", "out_dir", "state", "max_entries", "author", "icon",
             "formats", "max_age_days"}
FORMATS = ("atom", "json")
SOURCE_KEYS = {"name", "type", "url", "allow_empty", "min_interval"}
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Site:
    """The `[site]` table: where feeds are written and served, and their shared metadata."""

    title: str
    base_url: str
    out_dir: Path
    state: Path
    max_entries: int = 100
    author: str = "feedmaker"
    subtitle: str = ""
    icon: str | None = None
    formats: tuple[str, ...] = ("atom",)
    max_age_days: int | None = None


@dataclass(frozen=True)
class SourceConfig:
    """One `[[sources]]` entry; `options` holds its type's own keys (see sources.*.OPTIONS)."""

    name: str
    type: str
    url: str
    options: dict = field(default_factory=dict)
    allow_empty: bool = False      # an empty listing is normal (weekends), not a failure
    min_interval: float | None = None  # seconds between requests to its host; None: default


@dataclass(frozen=True)
class Config:
    """A whole, checked config."""

    path: Path | None
    site: Site
    sources: tuple[SourceConfig, ...]
    topics: tuple[TopicRule, ...]

    def with_paths(self, out_dir: Path | None = None, state: Path | None = None) -> Config:
        """The same config with `--out` / `--state` overrides applied and checked."""
        site = replace(self.site, out_dir=out_dir.resolve() if out_dir else self.site.out_dir,
                       state=state.resolve() if state else self.site.state)
        _check_state_outside(site, str(self.path or "defaults"))
        return replace(self, site=site)


def starter_config_text() -> str:
    """The commented starter config that `feedmaker init` writes and the defaults use."""
    return resources.files("feedmaker").joinpath("data/starter.toml").read_text("utf-8")


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Load `path`, else `./feedmaker.toml` when present, else the built-in defaults."""
    cwd = cwd or Path.cwd()
    if path is None and (cwd / DEFAULT_CONFIG_NAME).is_file():
        path = cwd / DEFAULT_CONFIG_NAME
    if path is None:
        return parse_config(starter_config_text(), base_dir=cwd, where="built-in defaults")
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    config = parse_config(text, base_dir=Path(path).resolve().parent, where=str(path))
    return replace(config, path=Path(path))


def parse_config(text: str, *, base_dir: Path, where: str) -> Config:
    """Parse and check config text; relative paths resolve against `base_dir`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc
    locate = _Locator(text, where)
    unknown = sorted(set(data) - {"site", "sources", "topics"})
    if unknown:
        raise ConfigError(f"{locate(unknown[0], '')}: unknown table {unknown[0]!r} "
                          "(known: site, sources, topics)")
    site = _parse_site(data.get("site", {}), base_dir, locate)
    sources = _parse_sources(data.get("sources", []), base_dir, locate)
    try:
        topics = parse_topics(data["topics"], where) if "topics" in data else default_topics()
    except ConfigError as exc:
        raise ConfigError(_with_line(str(exc), where, locate)) from None
    return Config(path=None, site=site, sources=sources, topics=topics)


def _parse_site(table: object, base_dir: Path, locate: _Locator) -> Site:
    if not isinstance(table, dict):
        raise ConfigError(f"{locate('', 'site')}: site must be a table")
    for key in table:
        if key not in SITE_KEYS:
            raise ConfigError(f"{locate('site', key)}: site.{key}: unknown key "
                              f"(known: {', '.join(sorted(SITE_KEYS))})")
    base_url = _string(table, "base_url", "site", locate, "http://localhost:8000/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{locate('site', 'base_url')}: site.base_url must be an absolute "
                          f"http(s) URL, got {base_url!r}")
    if not base_url.endswith("/"):
        base_url += "/"
    max_entries = table.get("max_entries", 100)
    if not isinstance(max_entries, int) or isinstance(max_entries, bool) or max_entries < 1:
        raise ConfigError(f"{locate('site', 'max_entries')}: site.max_entries must be a "
                          f"positive whole number, got {max_entries!r}")
    icon = table.get("icon")
    if icon is not None and not isinstance(icon, str):
        raise ConfigError(f"{locate('site', 'icon')}: site.icon must be a URL string")
    formats = table.get("formats", ["atom"])
    if (not isinstance(formats, list) or "atom" not in formats
            or any(f not in FORMATS for f in formats)):
        raise ConfigError(f"{locate('site', 'formats')}: site.formats must be a list of "
                          f"{', '.join(map(repr, FORMATS))} that includes 'atom', got {formats!r}")
    max_age = table.get("max_age_days")
    if max_age is not None and (not isinstance(max_age, int) or isinstance(max_age, bool)
                                or max_age < 1):
        raise ConfigError(f"{locate('site', 'max_age_days')}: site.max_age_days must be a "
                          f"positive whole number of days, got {max_age!r}")
    site = Site(
        title=_string(table, "title", "site", locate, "Paper feeds"),
        subtitle=_string(table, "subtitle", "site", locate, ""),
        base_url=base_url,
        out_dir=(base_dir / _string(table, "out_dir", "site", locate, "feeds")).resolve(),
        state=(base_dir / _string(table, "state", "site", locate,
                                  ".feedmaker/state.sqlite")).resolve(),
        max_entries=max_entries,
        author=_string(table, "author", "site", locate, "feedmaker"),
        icon=icon,
        formats=tuple(dict.fromkeys(formats)),
        max_age_days=max_age,
    )
    _check_state_outside(site, locate.where)
    return site


def _check_state_outside(site: Site, where: str) -> None:
    # The out_dir is public; the state store holds fetch history and must never be served.
    if site.state == site.out_dir or site.out_dir in site.state.parents:
        raise ConfigError(f"{where}: site.state ({site.state}) must not be inside "
                          f"site.out_dir ({site.out_dir}): everything there is published")


def _parse_sources(tables: object, base_dir: Path, locate: _Locator) -> tuple[SourceConfig, ...]:
    if not isinstance(tables, list):
        raise ConfigError(f"{locate('', 'sources')}: sources must be [[sources]] tables")
    sources, names = [], set()
    for index, table in enumerate(tables, 1):
        label = f"sources[{index}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{locate.where}: {label} must be a table")
        for key in ("name", "type", "url"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise ConfigError(f"{locate('sources', key, index)}: {label}.{key} is required "
                                  "and must be a non-empty string")
        name, kind, url = table["name"].strip(), table["type"].strip(), table["url"].strip()
        if not SOURCE_NAME.match(name):
            raise ConfigError(f"{locate('sources', 'name', index)}: {label}.name {name!r}: use "
                              "letters, digits, '.', '_' and '-'")
        if name in names:
            raise ConfigError(f"{locate('sources', 'name', index)}: {label}.name {name!r} is "
                              "used twice; source names must be unique")
        names.add(name)
        if kind not in SOURCE_TYPES:
            raise ConfigError(f"{locate('sources', 'type', index)}: {label}.type {kind!r} is "
                              f"not one of: {', '.join(SOURCE_TYPES)}")
        module = SOURCE_TYPES[kind]
        known = SOURCE_KEYS | set(module.OPTIONS)
        for key in table:
            if key not in known:
                raise ConfigError(f"{locate('sources', key, index)}: {label}.{key}: unknown key "
                                  f"for type {kind!r} (known: {', '.join(sorted(known))})")
        options = {}
        for key, option in module.OPTIONS.items():
            value = table.get(key, option.default)
            problem = option_error(option.kind, value) if key in table else None
            if problem:
                raise ConfigError(f"{locate('sources', key, index)}: {label}.{key} {problem}")
            options[key] = value
        problem = module.check(options) if hasattr(module, "check") else None
        if problem:
            key = problem.split(":")[0].split()[0]
            raise ConfigError(f"{locate('sources', key if key in table else 'type', index)}: "
                              f"{label} ({name}): {problem}")
        allow_empty = table.get("allow_empty", getattr(module, "EMPTY_IS_NORMAL", False))
        if not isinstance(allow_empty, bool):
            raise ConfigError(f"{locate('sources', 'allow_empty', index)}: {label}.allow_empty "
                              f"must be true or false, got {allow_empty!r}")
        interval = table.get("min_interval")
        if interval is not None and (isinstance(interval, bool) or
                                     not isinstance(interval, int | float) or interval < 0):
            raise ConfigError(f"{locate('sources', 'min_interval', index)}: {label}.min_interval "
                              f"must be a number of seconds (0 or more), got {interval!r}")
        sources.append(SourceConfig(
            name=name, type=kind, url=_source_url(url, base_dir, f"{label}.url", locate, index),
            options=options, allow_empty=allow_empty,
            min_interval=float(interval) if interval is not None else None))
    return tuple(sources)


def _source_url(url: str, base_dir: Path, label: str, locate: _Locator, index: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "file":
        # `file:snapshots/x.json` (no slashes) is relative to the config file's folder.
        if not url.startswith("file:/"):
            return (base_dir / url[len("file:"):]).resolve().as_uri()
        return url
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{locate('sources', 'url', index)}: {label} must be an http(s) or "
                          f"file: URL, got {url!r}")
    return url


def _string(table: dict, key: str, section: str, locate: _Locator, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{locate(section, key)}: {section}.{key} must be a string, "
                          f"got {type(value).__name__}")
    return value


def _with_line(message: str, where: str, locate: _Locator) -> str:
    # Topic errors come from the tagger as "<where>: [topics.<slug>...] ..."; add the line.
    match = re.match(re.escape(where) + r": \[?topics\.([^\]\s:]+)", message)
    if not match:
        return message
    return locate("topics." + match[1], "") + message[len(where):]


class _Locator:
    """Finds the line of a table or key in the config text, for error messages.

    tomllib does not report positions of valid values, so this scans the text for the
    table header and then the key; when it cannot tell, it names the file alone.
    """

    def __init__(self, text: str, where: str) -> None:
        self.lines = text.splitlines()
        self.where = where

    def __call__(self, table: str, key: str, occurrence: int = 1) -> str:
        line = self._find(table, key, occurrence)
        return f"{self.where}:{line}" if line else self.where

    def _find(self, table: str, key: str, occurrence: int) -> int | None:
        start, seen = 0, 0
        if table:
            header = re.compile(r"^\s*\[\[?\s*" + re.escape(table) + r"\s*(\.|\])")
            for number, line in enumerate(self.lines):
                if header.match(line):
                    seen += 1
                    if seen == occurrence:
                        start = number + 1
                        break
            else:
                return None
            if not key:
                return start
        key_line = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for number in range(start, len(self.lines)):
            if table and self.lines[number].lstrip().startswith("["):
                return start if table else None
            if key_line.match(self.lines[number]):
                return number + 1
        return start or None
