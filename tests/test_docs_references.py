"""Every document a file of the repository points a reader at is in the repository."""

import re
from pathlib import Path

REPO = Path(__file__).parent.parent
# The docs tests name made-up documents on purpose.
OWN = {"test_docs.py", "test_docs_references.py"}
SCANNED = ("*.py", "*.md", "*.toml", "*.cfg", "*.rng", "Makefile")
SKIPPED = {".venv", ".git", "data", "fixtures", "build", "__pycache__"}  # captured text
# A Markdown file's name (not inside a URL), or the read-only folder the project began from.
MENTION = re.compile(r"(?<![\w/.:-])(?:\.\./shared\S*|[\w./-]*\.md)\b")
def scanned_files():
    for pattern in SCANNED:
        for path in REPO.rglob(pattern):
            if not SKIPPED & set(path.relative_to(REPO).parts) and path.name not in OWN:
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
                if not exists(mention, path):
                    missing.append(f"{name}:{number}: {mention}")
    assert missing == []
