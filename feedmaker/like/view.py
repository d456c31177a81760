"""A like view's declaration: the keys a `[views.x]` table with `like` takes, checked at load."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from feedmaker.errors import ConfigError
from feedmaker.like.library import INSTALL, detect_format
from feedmaker.outputs import slug_problem
from feedmaker.schema import Key, check_table, resolved
from feedmaker.tagger.rules import TOPIC_KEYS

LIKE_KEYS: dict[str, Key] = {
    "title": TOPIC_KEYS["title"],
    "description": TOPIC_KEYS["description"],
    "like": Key("texts", [], "files of your library (BibTeX, CSL JSON, or arXiv ids and URLs "
                "one a line), relative to the config: the view holds the new papers most "
                "like them (see \"Papers like mine\")"),
    "not_like": Key("texts", [], "files of papers you do not want: papers like them are "
                    "pushed down (`like` views only)"),
    "per_day": Key("count", None, "a `like` view takes the best this many of each day",
                   high=1000, default_note="`5` when `min_score` is not given"),
    "min_score": Key("number", None, "a `like` view takes the papers scoring at least this "
                     "(the classifier's decision value: above 0 is on your library's side)",
                     low=-100, high=100),
}
# The keys only a like view takes (a rule view given one is told so).
ONLY_LIKE = tuple(name for name in LIKE_KEYS if name not in TOPIC_KEYS)
DEFAULT_PER_DAY = 5


@dataclass(frozen=True)
class LikeView:
    """A feed of the new papers most like a library: its files, and how members are chosen."""

    slug: str
    title: str
    description: str
    files: tuple[Path, ...]
    not_like: tuple[Path, ...] = ()
    per_day: int | None = DEFAULT_PER_DAY
    min_score: float | None = None


def is_like_view(table: object) -> bool:
    """Whether a `[views.x]` table declares a like view (it has a `like` key)."""
    return isinstance(table, dict) and "like" in table


def parse_like_view(slug: str, table: dict, base_dir: Path, path: tuple) -> LikeView:
    """Check a like view's table (one `is_like_view` took). Its files are read at run time
    (a missing or broken one fails that view only), but a BibTeX file without bibtexparser
    is a config error now."""
    extra = table.keys() & {"any", "all", "none", "min_upvotes", "threshold", "title_weight"}
    if extra:
        raise ConfigError("a `like` view is chosen by similarity to its library: leave "
                          f"`{min(extra)}` out (or make another view for it)", (*path, min(extra)))
    values = check_table(table, LIKE_KEYS, path)
    problem = slug_problem(slug)
    if problem:
        raise ConfigError(problem, path)
    if not values["like"]:
        raise ConfigError("names no library file", (*path, "like"))
    files = {key: library_files(values[key], base_dir, (*path, key))
             for key in ("like", "not_like")}
    per_day = values["per_day"]
    if per_day is None and values["min_score"] is None:
        per_day = DEFAULT_PER_DAY
    return LikeView(slug, values["title"] or slug, values["description"], files["like"],
                    files["not_like"], per_day, values["min_score"])


def library_files(names: Sequence[str], base_dir: Path, path: tuple) -> tuple[Path, ...]:
    """The library files a key names (relative to the config's folder). A BibTeX file
    while bibtexparser is missing is a config error at the key's `path`, before any run."""
    files = tuple(resolved(base_dir / name) for name in names)
    for number, file in enumerate(files):
        if needs_bibtexparser(file):
            raise ConfigError(f"{file} is BibTeX, which needs the `like` extra (bibtexparser "
                              f"is missing): {INSTALL}", (*path, number))
    return files


def needs_bibtexparser(file: Path) -> bool:
    """Whether the file is BibTeX and bibtexparser is not installed."""
    import importlib.util

    try:
        if importlib.util.find_spec("bibtexparser") is not None:
            return False
    except ImportError:
        pass  # not installed, or kept out
    head = ""  # a missing file, a pipe or a device fails its view at run time
    with contextlib.suppress(OSError):
        if file.is_file():  # the start tells the format when the name does not
            with file.open("rb") as stream:
                head = stream.read(65536).decode("utf-8", "replace")
    return detect_format(file, head) == "bibtex"

