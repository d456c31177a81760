"""feedmaker: turn research-paper listing pages into per-topic Atom feeds."""

import functools
import hashlib
from pathlib import Path

__version__ = "0.2.0"
PROJECT_URL = "https://github.com/feedmaker/feedmaker"


@functools.cache
def code_digest(*names: str) -> str:
    """A digest of feedmaker's own source files named (folders: every .py in them), so that
    what a new release computes differently is computed again."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for name in names:
        path = package / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(package).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()
