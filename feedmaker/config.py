"""Load the TOML config into frozen dataclasses, checked against the declared keys (schema.py);
every error names the file, the line and the field."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from feedmaker.errors import ConfigError
from feedmaker.fetch import DEFAULT_RUN_TIMEOUT
from feedmaker.like import LikeView
from feedmaker.outputs import ALL_SLUG, FEED_FORMATS, FeedDef
from feedmaker.schema import check_table, is_web_url, keys_of, resolved, setting
from feedmaker.sources import SOURCE_TYPES
from feedmaker.tagger import TopicRule, default_topics, parse_topics
from feedmaker.toml_lines import line_of
from feedmaker.views import ViewRule, parse_views

DEFAULT_CONFIG_NAME = "feedmaker.toml"
TABLES = ("site", "sources", "topics", "views")
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

@dataclass(frozen=True)
class Site:
    """The `[site]` table: where feeds are written and served, and their shared metadata;
    each field is a config key, declared here once."""

    title: str = setting("name", "Paper feeds", "prefix of every feed title, and the index "
                         "page's heading")
    subtitle: str = setting("text", "", "a line under the heading of index.html")
    base_url: str = setting("site_url", "http://localhost:8000/", "absolute URL where "
                            "`out_dir` is served; feed ids are `<base_url><file>`. Set it "
                            "once: changing it gives every feed a new identity")
    out_dir: Path = setting("path", "feeds", "the folder written, and nothing else")
    state: Path = setting("path", ".feedmaker/state.sqlite", "the SQLite history; refused "
                          "when inside `out_dir`")
    max_entries: int = setting("count", 100, "entries per feed, newest first", high=10_000)
    author: str = setting("name", "feedmaker", "the feed-level `<author>`")
    icon: str | None = setting("web_url", None, "the feeds' `<icon>` URL (http or https)")
    formats: tuple[str, ...] = setting(
        "choices", ("atom",), "`[\"atom\"]`, or `[\"atom\", \"json\"]` to write a JSON Feed 1.1 "
        "file (`vision.json`) beside each Atom file, with the same ids and dates",
        choices=tuple(n for n, o in FEED_FORMATS.items() if o.feed),
        check=lambda formats: None if "atom" in formats else "must include 'atom'")
    max_age_days: int | None = setting("count", None, "feeds leave out papers published "
                                       "longer ago than this", high=36_500)
    pages: bool = setting("flag", True, "write a web page per feed (`vision.html`, "
                          "`all.html`): its newest papers by day, with pictures, links and "
                          "abstracts")
    run_timeout: float = setting("number", DEFAULT_RUN_TIMEOUT, "seconds all the fetching of "
                                 "a run may take; a request still going then is cut off, "
                                 "later ones fail at once", low=1, high=86_400)
    one_feed_per_paper: bool = setting("flag", False, "put each paper in the one topic feed "
                                       "where it scores best (ties: the topic listed first), "
                                       "for readers who follow several topic feeds; `all` and "
                                       "views keep every paper, and entries still list all "
                                       "their topics")
    arxiv_api_url: str = setting("web_url", "https://export.arxiv.org/api/query", "the arXiv "
                                 "API that papers known only by id are looked up at: `like` "
                                 "libraries' and news views' `watch`ed papers (a mirror, say)")
    hf_paper_api_url: str = setting("site_url", "https://huggingface.co/api/papers/", "where "
                                    "news views' `watch`ed papers are looked up on Hugging "
                                    "Face: `<hf_paper_api_url><arXiv id>`")


SITE_KEYS = keys_of(Site)


@dataclass(frozen=True)
class SourceConfig:
    """One `[[sources]]` entry: the keys every source takes, declared here once, and in
    `options` its type's own keys (each source module's OPTIONS)."""

    name: str = setting("name", None, "names the source in messages; letters, digits, `.`, "
                        "`_`, `-`; unique", required=True,
                        check=lambda name: None if SOURCE_NAME.match(name)
                        else f"{name!r}: use letters, digits, '.', '_' and '-'")
    type: str = setting("choice", None, ", ".join(f"`{kind}`" for kind in SOURCE_TYPES)
                        + " (see docs/sources.md)", choices=tuple(SOURCE_TYPES), required=True)
    url: str = setting("name", None, "`http(s)://...`, `file:///abs/path` or "
                       "`file:relative/path` (relative to the config file)", required=True)
    options: dict = field(default_factory=dict)
    # None in the file: the type's own default (`EMPTY_IS_NORMAL`), set when it is read.
    allow_empty: bool = setting("flag", None, "an empty listing is normal for this source, "
                                "not a failure", default_note="`true` for `arxiv-rss` (empty "
                                "on weekends and holidays), else `false`")
    min_interval: float | None = setting("number", None, "seconds between two requests to "
                                         "this source's host", high=3600,
                                         default_note="`3` for arXiv hosts, else `1`")
    # None: the fetcher's own deadline (feedmaker.fetch.DEFAULT_DEADLINE).
    timeout: float | None = setting("number", None, "seconds each request of this source may "
                                    "take in all: connecting, waiting for the answer and "
                                    "reading the whole body (default 60)", low=1, high=3600)

    @property
    def settings(self) -> str:
        """A digest of what decides which listing the source reads: its usual size belongs
        to these settings. (`timeout` is in it, as the last of the options, because it was
        one of each type's options when stores first kept this digest.)"""
        options = {**self.options, "timeout": self.timeout}
        return hashlib.sha256(repr((self.type, self.url, options)).encode()).hexdigest()


SOURCE_KEYS = keys_of(SourceConfig)


@dataclass(frozen=True)
class Config:
    """A whole, checked config."""

    path: Path | None
    site: Site
    sources: tuple[SourceConfig, ...]
    topics: tuple[TopicRule, ...]
    views: tuple[ViewRule, ...] = ()  # rule views
    like_views: tuple[LikeView, ...] = ()

    @property
    def feeds(self) -> tuple[FeedDef, ...]:
        """Every feed to write, in order: all papers first, then each topic, then each rule
        view and news view, then each like view."""
        return (FeedDef(ALL_SLUG, "All papers", "Every paper, whatever its topics", "all"),
                *(FeedDef(t.slug, t.title, t.description, "topic",
                          best_only=self.site.one_feed_per_paper) for t in self.topics),
                *(FeedDef(v.slug, v.rule.title, v.rule.description, "news" if v.news else "view",
                          news=v.news, bar=v.bar) for v in self.views),
                *(FeedDef(v.slug, v.title, v.description, "like") for v in self.like_views))

    @property
    def popular_bars(self) -> tuple[int, ...]:
        """The upvote bars whose reaching is news to some news view."""
        return tuple(sorted({v.bar for v in self.views if v.bar is not None}))

    @property
    def watching(self) -> tuple[ViewRule, ...]:
        """The news views that watch library files."""
        return tuple(v for v in self.views if v.watch)

    def with_paths(self, out_dir: Path | None = None, state: Path | None = None) -> Config:
        """The same config with `--out` / `--state` overrides applied and checked."""
        site = replace(self.site, out_dir=resolved(out_dir) if out_dir else self.site.out_dir,
                       state=resolved(state) if state else self.site.state)
        try:
            return replace(self, site=_checked_state(site))
        except ConfigError as exc:
            raise ConfigError(f"{self.path or 'defaults'}: {exc}") from None


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
        # utf-8-sig: a byte-order mark, as some editors save, is not part of the text.
        text = Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    config = parse_config(text, base_dir=Path(path).resolve().parent, where=str(path))
    return replace(config, path=Path(path))


def parse_config(text: str, *, base_dir: Path, where: str) -> Config:
    """Parse and check config text; relative paths resolve against `base_dir`.

    Every check below raises ConfigError with the path of the value; the file and line are
    added here, in one place.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc
    except RecursionError:  # tomllib reads arrays and inline tables recursively
        raise ConfigError(f"{where}: invalid TOML: arrays or inline tables nested too "
                          "deeply") from None
    try:
        return _check(data, base_dir)
    except ConfigError as exc:
        line = line_of(text, exc.path)
        raise ConfigError(f"{where}{f':{line}' if line else ''}: {exc}") from None


def _check(data: dict, base_dir: Path) -> Config:
    for table in data:
        if table not in TABLES:
            raise ConfigError(f"unknown table (known: {', '.join(TABLES)})", (table,))
    site = _site(data.get("site", {}), base_dir)
    sources = _sources(data.get("sources", []), base_dir)
    topics = parse_topics(data["topics"]) if "topics" in data else default_topics()
    views, like_views = parse_views(data.get("views", {}), [t.slug for t in topics],
                                    [s.name for s in sources], base_dir)
    return Config(path=None, site=site, sources=sources, topics=topics, views=views,
                  like_views=like_views)


def _site(table: object, base_dir: Path) -> Site:
    values = check_table(table, SITE_KEYS, ("site",))
    for key in ("out_dir", "state"):  # "~/feeds" is the user's home, as in a shell
        try:
            path = Path(values[key]).expanduser()
        except RuntimeError:  # "~nobody/feeds": no such user, or no home folder known
            raise ConfigError(f"no home folder is known for {values[key]!r}",
                              ("site", key)) from None
        values[key] = resolved(base_dir / path)
    return _checked_state(Site(**values))


def _checked_state(site: Site) -> Site:
    # The out_dir is public; the state store holds fetch history and must never be served.
    if site.state == site.out_dir or site.out_dir in site.state.parents:
        raise ConfigError(f"{site.state} must not be inside site.out_dir ({site.out_dir}): "
                          "everything there is published", ("site", "state"))
    return site


def _sources(tables: object, base_dir: Path) -> tuple[SourceConfig, ...]:
    if not isinstance(tables, list):
        raise ConfigError("must be [[sources]] tables", ("sources",))
    sources, names = [], set()
    for index, table in enumerate(tables):
        path = ("sources", index)
        if not isinstance(table, dict):
            raise ConfigError("must be a table", path)
        # The common keys first: the type says which other keys the table may hold.
        common = check_table(table, SOURCE_KEYS, path, extra=frozenset(table))
        kind, name = common["type"], common["name"]
        if name in names:
            raise ConfigError(f"{name!r} is used twice; source names must be unique",
                              (*path, "name"))
        names.add(name)
        module = SOURCE_TYPES[kind]
        options = check_table(table, module.OPTIONS, path, extra=frozenset(SOURCE_KEYS),
                              what=f"for type {kind!r}")
        problem = module.check(options) if hasattr(module, "check") else None
        if problem:  # "title: '//h3[' is not ...": the key comes first
            key, _, rest = problem.partition(": ")
            raise ConfigError(rest, (*path, key))
        common["url"] = _source_url(common["url"], base_dir, (*path, "url"))
        if common["allow_empty"] is None:
            common["allow_empty"] = getattr(module, "EMPTY_IS_NORMAL", False)
        sources.append(SourceConfig(**common, options=options))
    return tuple(sources)


def _source_url(url: str, base_dir: Path, path: tuple) -> str:
    if url.lower().startswith("file:"):
        # `file:snapshots/x.json` (no slashes) is relative to the config file's folder.
        return url if url.startswith("file:/") else resolved(base_dir / url[5:]).as_uri()
    if not is_web_url(url):
        raise ConfigError(f"must be an http(s) or file: URL, got {url!r}", path)
    return url
