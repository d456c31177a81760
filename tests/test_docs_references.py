"""Every document a file of the repository points a reader at is in the repository."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
SCANNED = ("*.py", "*.md", "*.toml", "*.cfg", "*.rng", "Makefile")
SKIPPED = {".venv", ".git", "data", "fixtures", "build", "__pycache__"}  # captured text
# A Markdown file's name (not inside a URL), or the read-only folder the project began from.
MENTION = re.compile(r"(?<![\w/.:-])(?:\.\./shared\S*|[\w./-]*\.md)\b")
# Files that other work in progress still has to change, and the stale name each still
# holds: the test fails once one is fixed, so that it is taken off this list.
ELSEWHERE = {
    "feedmaker/tagger/defaults.toml": "SPEC.md",
}


def scanned_files():
    for pattern in SCANNED:
        for path in REPO.rglob(pattern):
            if not SKIPPED & set(path.relative_to(REPO).parts) and path != Path(__file__):
                yield path


def exists(mention: str, near: Path) -> bool:
    if mention.startswith("../shared"):
        return False
    return any((base / mention.removeprefix("./")).is_file()
               for base in (REPO, near.parent, REPO / "docs"))


def test_every_mentioned_document_exists():
    missing = []
    for path in scanned_files():
        name = path.relative_to(REPO).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for mention in MENTION.findall(line):
                if not exists(mention, path) and ELSEWHERE.get(name) != mention:
                    missing.append(f"{name}:{number}: {mention}")
    assert missing == []


@pytest.mark.parametrize(("name", "stale"), sorted(ELSEWHERE.items()))
def test_files_left_to_other_work_still_need_their_fix(name, stale):
    assert stale in (REPO / name).read_text(encoding="utf-8"), f"{name} is fixed: unlist it"
