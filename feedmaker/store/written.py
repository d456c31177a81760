"""The files of out_dir that feedmaker wrote: the only ones it may replace or remove."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from feedmaker.store.rows import DamagedRow


class WrittenFiles:
    """The `written_files` table: each file's name and the SHA-256 of what was last written
    (NULL for files an older feedmaker wrote, which kept no digest)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def digests(self) -> dict[str, str | None]:
        """{name: SHA-256 of its bytes as last written} of every file feedmaker wrote."""
        found = dict(self.db.execute("SELECT name, sha256 FROM written_files"))
        for name in found:
            if not isinstance(name, str):  # joined to out_dir to make a path
                raise DamagedRow(f"{name!r} where the name of a file feedmaker wrote belongs")
        return found

    def record(self, files: Mapping[str, str]) -> None:
        """Remember files just written or found as written ({name: SHA-256})."""
        self.db.executemany("INSERT OR REPLACE INTO written_files VALUES (?, ?)",
                            list(files.items()))

    def forget(self, names: list[str]) -> None:
        """Forget files feedmaker removed (or no longer owns)."""
        self.db.executemany("DELETE FROM written_files WHERE name = ?", [(n,) for n in names])
