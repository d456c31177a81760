"""The GitHub workflow that runs feedmaker and publishes to Pages: rendered from the template
in feedmaker/data with the feedmaker it installs, and the files `feedmaker init --github`
writes, all or none."""

from __future__ import annotations

import contextlib
import json
import re
from importlib import metadata, resources
from pathlib import Path

from feedmaker import PROJECT_URL, __version__

WORKFLOW_PATH = Path(".github/workflows/feeds.yml")
PLACEHOLDER = "@FEEDMAKER@"
# What a fork installs: the fork's own checkout, so its code is pinned by its commit.
FORK_INSTALL = ".[like]"
# A pip requirement that is safe inside a double-quoted YAML string.
_SAFE = re.compile(r"[A-Za-z0-9@:/._+~\[\] -]+")


def render(install: str) -> str:
    """The workflow, installing `install` (a pip requirement) in its runs."""
    if not _SAFE.fullmatch(install):
        raise ValueError(f"not a plain pip requirement: {install!r}")
    template = resources.files("feedmaker").joinpath("data/feeds.yml").read_text("utf-8")
    return template.replace(PLACEHOLDER, install)


def install_spec() -> str:
    """The requirement that installs this very feedmaker in a workflow: the commit it was
    installed from when that was a git URL on the web, else its release tag."""
    try:
        direct = json.loads(metadata.distribution("feedmaker").read_text("direct_url.json")
                            or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    vcs = direct.get("vcs_info") or {}
    url, commit = direct.get("url", ""), vcs.get("commit_id", "")
    if vcs.get("vcs") == "git" and url.startswith("https://") \
            and re.fullmatch(r"[0-9a-f]{40}", commit):
        spec = f"feedmaker[like] @ git+{url}@{commit}"
        if _SAFE.fullmatch(spec):
            return spec
    return f"feedmaker[like] @ git+{PROJECT_URL}@v{__version__}"


def write_new(files: dict[Path, str]) -> None:
    """Write each file, creating folders; none may exist (FileExistsError names the first
    that does), and on any failure what was written, folders too, is removed again."""
    for path in files:
        if path.exists():
            raise FileExistsError(17, "File exists", str(path))
    made: list[Path] = []
    try:
        for path, text in files.items():
            for folder in reversed(path.parents):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            with open(path, "x", encoding="utf-8") as f:
                made.append(path)
                f.write(text)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        raise
