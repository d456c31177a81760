"""The only code that writes to out_dir: atomic replace, unchanged files left alone, and only
ever a file feedmaker wrote replaced or removed."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from feedmaker.errors import ClashError, WriteError

# What every file feedmaker writes says near its top (Atom's <generator>, the pages' generator
# meta, status.json's generator, the JSON Feed's and OPML's "Written by feedmaker"): how a
# file of a state store that was lost or moved away is told from somebody else's.
_MARK = re.compile(rb"(?s)generator.{0,120}?feedmaker|Written by feedmaker")
_MARK_WITHIN = 4096
# Temporary files are `.<name>.feedmaker-<8 characters>.tmp`: nobody else's file looks so.
_TEMPORARY = re.compile(r"^\..+\.feedmaker-[a-z0-9_]{8}\.tmp$")


def sha256(data: bytes) -> str:
    """The digest files are recorded with."""
    return hashlib.sha256(data).hexdigest()


class OutputDir:
    """One folder written by one run: each name at most once, never a file feedmaker did not
    write (`owned`: {name: SHA-256 as last written, None when not known})."""

    def __init__(self, path: Path, owned: Mapping[str, str | None] | None = None) -> None:
        self.path = path
        self.owned = dict(owned or {})
        self.written: list[str] = []
        self.unchanged: list[str] = []
        self.removed: list[str] = []
        self.digests: dict[str, str] = {}  # of each file this run wrote or found unchanged

    def clashes(self, names: Iterable[str]) -> list[str]:
        """The files among `names` in the folder that feedmaker did not write: neither
        recorded as its own nor saying they were made by feedmaker."""
        return sorted(name for name in names if name not in self.owned
                      and (self.path / name).exists() and not self._marked(name))

    def check_clashes(self, names: Iterable[str]) -> None:
        """Raise ClashError naming the files of somebody else's that `names` would replace."""
        found = self.clashes(names)
        if found:
            raise ClashError(f"{self.path / found[0]}: not written by feedmaker, and feedmaker "
                             f"would write a file of that name"
                             + (f" (and {len(found) - 1} more)" if len(found) > 1 else "")
                             + "; move it away, or rename the topic or view")

    def remove_orphans(self) -> list[str]:
        """Delete the temporary files a killed run left behind (call while holding the run
        lock); only the names `write` gives them are touched."""
        removed = []
        try:
            for path in self.path.glob(".*.tmp"):
                if _TEMPORARY.match(path.name) and path.is_file():
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
        except OSError as exc:  # a name too long, a folder this user may not search
            raise WriteError(f"{self.path}: cannot write: {exc.strerror or exc}") from exc
        return removed

    def removable(self, name: str) -> bool:
        """Whether `name` is a file feedmaker wrote that nobody changed since."""
        path = self.path / name
        if name not in self.owned or not path.is_file():
            return False
        known = self.owned[name]
        return sha256(path.read_bytes()) == known if known else self._marked(name)

    def remove(self, name: str) -> None:
        """Delete a file feedmaker wrote and no longer makes."""
        _check_name(name)
        try:
            (self.path / name).unlink(missing_ok=True)
        except OSError as exc:
            raise WriteError(f"{self.path / name}: cannot remove: {exc.strerror or exc}") from exc
        self.removed.append(name)

    def holds(self, name: str, data: bytes) -> bool:
        """Whether `name` exists and holds exactly `data`."""
        path = self.path / name
        return path.is_file() and path.read_bytes() == data

    def write(self, name: str, data: bytes) -> bool:
        """Replace `name` atomically with `data`, unless it already holds exactly that.

        Readers and web servers see either the old or the new complete file, never a
        partial one; `sync` makes the renames durable. Returns whether the file was written.
        """
        _check_name(name)
        if name in self.digests:
            raise WriteError(f"{name} was already written in this run")
        self.digests[name] = sha256(data)
        target = self.path / name
        try:
            if self.holds(name, data):
                self.unchanged.append(name)
                return False
            self.path.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.feedmaker-", suffix=".tmp",
                                       dir=self.path)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from exc
        self.written.append(name)
        return True

    def sync(self) -> None:
        """Make the renames and removals so far durable, so that a crash cannot bring an
        old file back: one sync of the folder for all the files of a run (each file's own
        bytes were synced before its rename)."""
        if not (self.written or self.removed):
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise WriteError(f"{self.path}: cannot sync: {exc.strerror or exc}") from exc

    def _marked(self, name: str) -> bool:
        try:
            with open(self.path / name, "rb") as f:
                return bool(_MARK.search(f.read(_MARK_WITHIN)))
        except OSError:
            return False


def _check_name(name: str) -> None:
    if "/" in name or "\\" in name or name.startswith(".") or not name:
        raise WriteError(f"refusing to write {name!r}: not a plain file name")
